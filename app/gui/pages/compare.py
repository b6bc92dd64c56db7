"""Comparing this check with an earlier one: what is new, what is gone, what is the same."""
from __future__ import annotations

from device_checkup.checks.i18n import _

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QWidget

from device_checkup.app.compare import Comparison
from device_checkup.app.report import when
from device_checkup.checks.inert import shown

from .. import words
from ..widgets import Page, bullets, heading, para


class ComparePage(Page):
    back_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(words.COMPARE_TITLE, parent)
        self.setObjectName("comparePage")
        self._dynamic: list[QWidget] = []
        self.finish()
        self.back_button = QPushButton(words.COMPARE_BACK)
        self.back_button.setAccessibleName(_("Back to the results"))
        self.back_button.setDefault(True)
        self.back_button.clicked.connect(self.back_clicked)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.back_button)
        self.sections: dict[str, list[str]] = {}

    def clear(self) -> None:
        for w in self._dynamic:
            w.hide()
            w.setParent(None)
            w.deleteLater()
        self._dynamic = []
        self.sections = {}

    def _put(self, widget: QWidget) -> None:
        self.body.insertWidget(self.body.count() - 1, widget)
        self._dynamic.append(widget)

    def show_comparison(self, comparison: Comparison) -> None:
        self.clear()
        self._put(para(words.COMPARE_INTRO.format(later=when(comparison.later_started_at) or _("now"),
                                                   earlier=when(comparison.earlier_started_at) or _("an earlier day"))))
        changed = [_("{title}. {changes}").format(title=shown(f.get("title"), limit=300),
                                                  changes=" ".join(shown(c, limit=400) for c in changes[:6]))
                   for f, changes in comparison.changed]
        for key, title, items in (("new", words.COMPARE_NEW, comparison.new),
                                  ("gone", words.COMPARE_GONE, comparison.gone),
                                  ("changed", words.COMPARE_CHANGED, changed),
                                  ("same", words.COMPARE_SAME, comparison.unchanged)):
            titles = [f if isinstance(f, str) else shown(f.get("title"), limit=300)   # an earlier file is data too
                      for f in items]
            self.sections[key] = titles
            h = heading(_("{title} ({count})").format(title=title, count=len(titles)), 2)
            h.setObjectName(f"compare-{key}")
            self._put(h)
            self._put(bullets(titles) if titles else para(words.COMPARE_NONE))
            if key == "gone" and titles:
                self._put(para(words.COMPARE_GONE_NOTE, style="subtle"))
