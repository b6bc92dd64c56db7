"""Signature options: extra signature files for the next check, with problems in plain words."""
from __future__ import annotations

from device_checkup.checks.i18n import _, say

import os

from msgspec import Struct, field
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QPushButton, QWidget

from .. import words
from ..widgets import Page, plain_tip


class FileCheck(Struct):
    path: str
    usable: bool
    families: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return os.path.basename(self.path) or self.path

    def status(self) -> str:
        if self.usable and not self.problems:
            return _("{name}: ready to use").format(name=self.name)
        if self.usable:
            return _("{name}: partly used (see below)").format(name=self.name)
        return _("{name}: can't be used (see below)").format(name=self.name)

    def words(self) -> str:
        if self.usable and not self.problems:
            return words.SIG_ADDED_OK.format(name=self.name, families=self.families)
        lead = (words.SIG_PROBLEMS if self.usable else words.SIG_UNUSABLE).format(name=self.name)
        return lead + "\n" + "\n".join(f"• {p}" for p in self.problems)


def _problem_words(problem) -> str:
    if getattr(problem, "line", 0):
        return _("line {line}: {problem}").format(line=problem.line, problem=say(problem.words))
    return say(problem.words)


def check_file(path: str) -> FileCheck:
    """Validate a file the person added. Never raises: every failure becomes plain words."""
    try:
        from device_checkup.signatures.loader import load_file
        sf, problems = load_file(path, user_file=True)
    except Exception as exc:  # noqa: BLE001 - a broken file must never crash the app
        return FileCheck(path, False, 0, [_("it could not be read ({why})").format(why=type(exc).__name__)])
    families = len(sf.families)
    return FileCheck(path, families > 0, families, [_problem_words(p) for p in problems]
                     or ([] if families else [_("it holds no kinds of software we could use")]))


class SignaturesPage(Page):
    back_clicked = Signal()
    add_clicked = Signal()
    paths_changed = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(words.SIG_TITLE, parent)
        self.setObjectName("signaturesPage")
        self.checks: list[FileCheck] = []
        self.text(words.SIG_INTRO)
        self.list = QListWidget()
        self.list.setObjectName("signatureFiles")
        self.list.setAccessibleName(_("Added signature files"))
        self.list.setWordWrap(True)
        self.list.setMinimumHeight(self.fontMetrics().height() * 5)
        self.list.setMaximumHeight(self.fontMetrics().height() * 9)
        self.add(self.list)
        self.empty = self.text(words.SIG_NONE)
        self.message = self.text("")
        self.message.setObjectName("signatureMessage")
        self.finish()
        self.back_button = QPushButton(words.BACK)
        self.back_button.setAccessibleName(_("Back"))
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.back_clicked)
        self.remove_button = QPushButton(words.SIG_REMOVE)
        self.remove_button.setAccessibleName(_("Remove the selected file"))
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_selected)
        self.add_button = QPushButton(words.SIG_ADD)
        self.add_button.setObjectName("addSignatures")
        self.add_button.setAccessibleName(_("Add a signature file"))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_clicked)
        self.buttons.addWidget(self.back_button)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.remove_button)
        self.buttons.addWidget(self.add_button)
        self._refresh()

    def paths(self) -> list[str]:
        return [c.path for c in self.checks if c.usable]

    def add_files(self, paths: list[str]) -> list[FileCheck]:
        added = []
        for path in paths:
            if any(c.path == path for c in self.checks):
                continue
            check = check_file(path)
            self.checks.append(check)
            added.append(check)
        if added:
            self.message.setText("\n\n".join(c.words() for c in added))
            self.message.setAccessibleName(self.message.text())
        self._refresh()
        self.paths_changed.emit(self.paths())
        return added

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.checks):
            del self.checks[row]
            self.message.setText("")
            self._refresh()
            self.paths_changed.emit(self.paths())

    def forget(self) -> None:
        self.checks = []
        self.message.setText("")
        self._refresh()

    def _refresh(self) -> None:
        self.list.clear()
        for c in self.checks:
            item = QListWidgetItem(c.status())
            item.setToolTip(plain_tip(c.words()))
            item.setData(0x0100, c.path)
            self.list.addItem(item)
        self.empty.setVisible(not self.checks)
        self.remove_button.setEnabled(bool(self.checks))
