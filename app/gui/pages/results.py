"""Results: the headline, findings by tier (most serious first), what couldn't be checked and
what a scan can't see. Everything shown is the engine's; nothing is re-decided here."""
from __future__ import annotations

from device_checkup.checks.i18n import _, say

import json
from typing import Any

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFrame, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPushButton, QSizePolicy, QTableView, QVBoxLayout, QWidget)

from device_checkup.checks import texts
from device_checkup.checks.base import shown_value
from device_checkup.checks.engine import group_not_checked
from device_checkup.checks.inert import shown
from device_checkup.checks.records import to_dict
from device_checkup.signatures import kinds
from device_checkup.signatures.loader import file_words

from .. import words
from ..models import FindingsModel
from ..widgets import Foldable, Page, bullets, heading, para, scaled_font


def _kind_words(kind: str) -> str:
    try:
        return texts.text("kinds", kind)
    except KeyError:
        return kind


def _tier_words(tier: str) -> str:
    try:
        return texts.text("tiers", tier, "label")
    except KeyError:
        return tier


def _place_words(record_kind: str) -> str:
    return texts.text(*kinds.RECORD[record_kind].place_name)


def technical_details(finding) -> str:
    """Everything an advocate may need to check a finding: records, paths, process ids, the
    matched indicator, its kind and the signature file and sources it came from."""
    lines: list[str] = []
    if finding.family:
        lines.append(_("Family: {name} (id {id})").format(name=finding.family_name or finding.family, id=finding.family))
    if finding.heuristic:
        lines.append(_("Sign (no signature named it): {sign}").format(sign=finding.heuristic))
    lines.append(_("Group: {tier}; severity: {severity}; finding id {id}").format(
        tier=_tier_words(finding.tier), severity=words.severity(finding.severity), id=finding.id))
    for ev in finding.evidence:
        lines.append("")
        try:
            shown = shown_value(ev.record_kind, ev.record)
        except Exception:  # noqa: BLE001
            shown = str(ev.record)
        lines.append(_("Found in {place}: {value}").format(place=_place_words(ev.record_kind), value=shown))
        lines.append("  " + _("Looked at by: {check}").format(check=ev.check))
        try:
            fields = to_dict(ev.record)
        except Exception:  # noqa: BLE001
            fields = {}
        for key, value in fields.items():
            if value in (None, "", [], ()):
                continue
            if isinstance(value, list):
                value = " ".join(str(v) for v in value) if all(not isinstance(v, (list, tuple)) for v in value) \
                    else json.dumps(value, default=str)
            lines.append(f"  {key}: {value}")
        for m in ev.matches:
            lines.append("  " + _("Matched: {indicator}  ({kind_words}: {kind})").format(
                indicator=m.indicator, kind_words=_kind_words(m.kind), kind=m.kind))
            lines.append("    " + _("its {field} was: {value}").format(field=m.field, value=m.value))
            if m.file:
                lines.append("    " + (_("signature file: {file}  (added, not built in)") if m.user_file
                                      else _("signature file: {file}")).format(file=say(file_words(m.file))))
            for src in m.sources:
                lines.append("    " + _("source: {source}").format(source=src))
    if finding.extra:
        lines.append("")
        lines.append(_("More detail: {json}").format(json=json.dumps(finding.extra, default=str, indent=1, ensure_ascii=False)))
    return "\n".join(lines).strip()


class FitTable(QTableView):
    """A table as tall as its rows (the page scrolls, not the table); text wraps in the cells."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setWordWrap(True)
        self.setTabKeyNavigation(False)     # one Tab stop; the arrows move inside
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(lambda *a: self.fit())

    def setModel(self, model) -> None:  # noqa: N802 (Qt name)
        super().setModel(model)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        model.modelReset.connect(self.fit)

    # Sizing rows to their wrapped text asks the model for every cell (Python, per row) at each
    # resize: seconds for 2,000 findings. Past this many rows, rows are one line high (the full
    # text is in each cell's tooltip and the accessible text) and the height is counted.
    WRAP_ROWS = 150

    def fit(self) -> None:
        n = self.model().rowCount() if self.model() else 0
        header = self.verticalHeader()
        if n > self.WRAP_ROWS:
            if header.sectionResizeMode(0) != QHeaderView.ResizeMode.Fixed:
                header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            self.horizontalHeader().setResizeContentsPrecision(self.WRAP_ROWS)
            rows = header.length()        # every row's height, summed in C++
        else:
            if n and header.sectionResizeMode(0) != QHeaderView.ResizeMode.Interactive:
                header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            self.resizeRowsToContents()
            rows = sum(self.rowHeight(r) for r in range(n))
        self.setFixedHeight(self.horizontalHeader().height() + rows + 2 * self.frameWidth() + 2)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        # Ctrl+Tab leaves the table too (as in text boxes), so nobody is trapped in it.
        if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            back = event.key() == Qt.Key.Key_Backtab or bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.focusNextPrevChild(not back)
            return
        super().keyPressEvent(event)


class NotesBox(QFrame):
    """An advocate's notes on one finding: what the client says, not a concern, a note.
    Written straight into the session (in memory) as they are typed."""

    def __init__(self, finding_id: str, session, on_change, parent: QWidget | None = None):
        super().__init__(parent)
        from device_checkup.app.session import CLIENT_SAYS
        self.setObjectName("notesBox")
        self.note = session.note_for(finding_id)
        self.on_change = on_change
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(heading(words.NOTE_TITLE, 3))
        says = QLabel(words.NOTE_CLIENT_SAYS)
        self.says = QComboBox()
        self.says.setAccessibleName(_("What does the client say about it?"))
        for key, text in ((k, _(v) if v else v) for k, v in CLIENT_SAYS.items()):
            self.says.addItem(text or words.NOTE_NOTHING, key)
        self.says.setCurrentIndex(max(0, self.says.findData(self.note.client_says)))
        says.setBuddy(self.says)
        layout.addWidget(says)
        layout.addWidget(self.says)
        self.not_a_concern = QCheckBox(words.NOTE_NOT_A_CONCERN)
        self.not_a_concern.setAccessibleName(_("Not a concern"))
        self.not_a_concern.setChecked(self.note.not_a_concern)
        layout.addWidget(self.not_a_concern)
        text_label = QLabel(words.NOTE_TEXT)
        self.text = QLineEdit(self.note.note)
        self.text.setAccessibleName(_("Your note"))
        self.text.setMaxLength(2000)
        text_label.setBuddy(self.text)
        layout.addWidget(text_label)
        layout.addWidget(self.text)
        self.says.currentIndexChanged.connect(self._changed)
        self.not_a_concern.toggled.connect(self._changed)
        self.text.textChanged.connect(self._changed)

    def _changed(self, *_args) -> None:
        self.note.client_says = self.says.currentData() or ""
        self.note.not_a_concern = self.not_a_concern.isChecked()
        self.note.note = self.text.text()
        self.on_change()


def note_summary(note) -> str:
    """A few words for a finding's notes, shown under its title ("" when there are none)."""
    from device_checkup.app.session import CLIENT_SAYS
    if note is None or note.empty:
        return ""
    parts = []
    if note.client_says:
        parts.append(_("“{says}”").format(says=_(CLIENT_SAYS.get(note.client_says, note.client_says))))
    if note.not_a_concern:
        parts.append(words.NOTE_SHOWN_NOT_A_CONCERN)
    if note.note.strip():
        parts.append(note.note.strip()[:80])
    return words.NOTE_SHOWN.format(what="; ".join(parts))


class FindingCard(QFrame):
    """One finding: its title opens what it is, why it matters, what you could do, what to be
    careful of; the technical details are folded again inside, for an advocate. In an
    advocate's session it also holds the notes for this finding."""

    def __init__(self, finding, parent: QWidget | None = None, session=None):
        super().__init__(parent)
        self.finding = finding
        self.setObjectName("findingCard")
        self.setProperty("style", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        body = QWidget()
        bl = QVBoxLayout(body)
        bl.setContentsMargins(8, 0, 8, 8)
        badge = QLabel(f"{words.SEVERITY_MARK[finding.severity]}  {words.severity(finding.severity)}")
        badge.setProperty("style", f"badge-{finding.severity}")
        badge.setAccessibleName(_("How serious: {severity}").format(severity=words.severity(finding.severity)))
        row = QHBoxLayout()
        row.addWidget(badge)
        row.addStretch(1)
        bl.addLayout(row)
        for title, text in ((words.FINDING_WHAT, finding.what), (words.FINDING_WHY, finding.why),
                            (words.FINDING_DO, finding.do), (words.FINDING_CAREFUL, finding.careful)):
            if not text:
                continue
            bl.addWidget(heading(title, 3))
            bl.addWidget(para(text))
        if finding.user_signatures:
            bl.addWidget(para(words.FINDING_USER_FILE, style="subtle"))
        self.details_text = technical_details(finding)
        details_label = para(self.details_text, selectable=True, style="problem")
        details_label.setObjectName("findingDetails")
        details_label.setAccessibleName(words.FINDING_DETAILS)
        details_label.setAccessibleDescription(self.details_text)
        self.details = Foldable(words.FINDING_DETAILS, details_label, style="details")
        self.details.setObjectName("detailsFold")
        bl.addWidget(self.details)
        self.notes = None
        self.noted = para("", style="subtle")
        self.noted.setObjectName("notedLabel")
        self.noted.hide()
        if session is not None:
            self.notes = NotesBox(finding.id, session, self._show_noted)
            bl.addWidget(self.notes)
        self.fold = Foldable(finding.title, body)
        self.fold.setObjectName("findingFold")
        self.fold.button.setAccessibleDescription(
            _("{severity}. Press Space to show what it is and what you could do.").format(
                severity=words.severity(finding.severity)))
        layout.addWidget(self.fold)
        layout.addWidget(self.noted)
        if self.notes is not None:
            self._show_noted()

    def _show_noted(self) -> None:
        text = note_summary(self.notes.note if self.notes else None)
        self.noted.setText(text)
        self.noted.setAccessibleName(text)
        self.noted.setVisible(bool(text))


class ResultsPage(Page):
    again_clicked = Signal()
    save_clicked = Signal()
    about_clicked = Signal()
    compare_clicked = Signal()
    end_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(words.RESULTS_TITLE, parent)
        self.setObjectName("resultsPage")
        self.model = FindingsModel(parent=self)
        self.cards: list[FindingCard] = []
        self._dynamic: list[QWidget] = []
        self.headline = para("")
        self.headline.setObjectName("headline")
        self.headline.setProperty("style", "headline")
        self.headline.setFont(scaled_font(self.headline.font(), 1.25, bold=True))
        self.add(self.headline)
        self.when = self.text("")
        self.table = FitTable()
        self.table.setObjectName("findingsTable")
        self.table.setAccessibleName(words.RESULTS_ADVOCATE_TABLE)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table_heading = heading(words.RESULTS_ADVOCATE_TABLE, 2)
        self.add(self.table_heading)
        self.add(self.table)
        self.groups = QVBoxLayout()
        self.groups.setSpacing(12)
        self.body.addLayout(self.groups)
        self.after = QVBoxLayout()
        self.after.setSpacing(10)
        self.body.addLayout(self.after)
        self.finish()

        self.about_button = QPushButton(words.ABOUT)
        self.about_button.setAccessibleName(_("About Device Checkup"))
        self.about_button.setAutoDefault(False)
        self.about_button.clicked.connect(self.about_clicked)
        self.save_button = QPushButton(words.RESULTS_SAVE)
        self.save_button.setObjectName("saveButton")
        self.save_button.setAccessibleName(_("Save a report"))
        self.save_button.setAccessibleDescription(words.RESULTS_SAVE_NOTE)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save_clicked)
        self.again_button = QPushButton(words.RESULTS_AGAIN)
        self.again_button.setAccessibleName(_("Check again"))
        self.again_button.setAutoDefault(False)
        self.again_button.clicked.connect(self.again_clicked)
        self.compare_button = QPushButton(words.COMPARE)
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setAccessibleName(_("Compare with an earlier check"))
        self.compare_button.setAutoDefault(False)
        self.compare_button.clicked.connect(self.compare_clicked)
        self.end_button = QPushButton(words.SESSION_END)
        self.end_button.setObjectName("endSessionButton")
        self.end_button.setAccessibleName(_("End this session"))
        self.end_button.setAutoDefault(False)
        self.end_button.clicked.connect(self.end_clicked)
        # Two rows: on a small screen with large text, five buttons in one row made the window
        # wider than the screen. The main ones (end, save, check again) share the bottom row.
        more = QHBoxLayout()
        more.setContentsMargins(24, 6, 24, 0)
        more.addWidget(self.about_button)
        more.addWidget(self.compare_button)
        more.addStretch(1)
        self.layout().insertLayout(1, more)     # below the scrolling content, above the main buttons
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.end_button)
        self.buttons.addWidget(self.save_button)
        self.buttons.addWidget(self.again_button)
        # Findings cards are made a batch at a time from this timer, so 2,000 findings never
        # hold the event loop (and quick exit) for longer than one batch (issue 14 item 6).
        self._pending: list[tuple[Any, Any, Any]] = []     # (finding, group layout, session)
        self._fill_timer = QTimer(self)
        self._fill_timer.setInterval(0)
        self._fill_timer.timeout.connect(self._fill_some)
        self._trash: list[QWidget] = []
        self._drop_timer = QTimer(self)
        self._drop_timer.setInterval(0)
        self._drop_timer.timeout.connect(self._drop_some)
        self.show_result(None)

    # -- filling in, a batch at a time ---------------------------------------------------------
    FIRST_BATCH = 12            # cards made at once: the first screenful
    BATCH_SECONDS = 0.02        # after that, at most this long per turn of the event loop
    # Each card added to the visible page costs a relayout of every card already there (about
    # 0.45 ms per card on the bench machine), so cards stop here; past it, every finding is
    # in the table (a model/view list that shows 2,000 rows at once) and said in words.
    MAX_CARDS = 100

    def filling(self) -> bool:
        return bool(self._pending)

    def fill_all(self) -> None:
        """Make every card still waiting (tests, and anything that needs the whole list now)."""
        self._fill_some(deadline=None)

    def _fill_some(self, deadline: float | None = -1.0) -> None:
        if deadline == -1.0:
            deadline = time.perf_counter() + self.BATCH_SECONDS
        pending = self._pending
        done = 0
        # A batch's cards go into one hidden box first, and the box into the page at the end:
        # the page is laid out once per batch, not once per card.
        boxes: dict[int, tuple[Any, QWidget, QVBoxLayout]] = {}
        while done < len(pending):
            finding, layout, session = pending[done]
            entry = boxes.get(id(layout))
            if entry is None:
                box = QWidget()
                box_layout = QVBoxLayout(box)
                box_layout.setContentsMargins(0, 0, 0, 0)
                box_layout.setSpacing(layout.spacing())
                entry = boxes[id(layout)] = (layout, box, box_layout)
            card = FindingCard(finding, session=session)
            self.cards.append(card)
            entry[2].addWidget(card)
            done += 1
            if deadline is not None and time.perf_counter() >= deadline:
                break
        for layout, box, _count in boxes.values():
            layout.addWidget(box)
        del pending[:done]
        if not pending:
            self._fill_timer.stop()
            self.order_tabs()           # the Tab order takes in the cards made after the first batch

    def _drop_some(self) -> None:
        """Destroy the widgets of an earlier result a slice at a time (hidden already), so
        "Check again" after 2,000 findings doesn't hold the event loop either."""
        from shiboken6 import Shiboken
        deadline = time.perf_counter() + self.BATCH_SECONDS
        trash = self._trash
        while trash and time.perf_counter() < deadline:
            widget = trash.pop()
            if Shiboken.isValid(widget):
                Shiboken.delete(widget)
        if not trash:
            self._drop_timer.stop()

    # -- filling in -------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget everything shown (quick exit, a new check)."""
        self._fill_timer.stop()
        self._pending = []
        self.model.clear()
        for w in self._dynamic:
            w.hide()            # (no setParent(None): re-parenting 2,000 cards to the top costs seconds)
        # Cards first (deleted one by one, from the last), then what held them.
        self._trash = self._dynamic + self._trash + self.cards
        self._dynamic = []
        if self._trash:
            self._drop_timer.start()
        self.cards = []
        self.headline.setText("")
        self.headline.setAccessibleName("")
        self.when.setText("")

    def show_result(self, result, *, advocate: bool = False, session=None) -> None:
        self.clear()
        many = result is not None and len(result.findings) > self.MAX_CARDS
        show_table = bool(result is not None and (advocate or many) and result.findings)
        self.table_heading.setVisible(show_table)
        self.table.setVisible(show_table)
        self.save_button.setVisible(result is not None)
        self.compare_button.setVisible(result is not None)
        self.end_button.setVisible(result is not None and session is not None)
        if result is None:
            return
        self.headline.setText(result.headline)
        self.headline.setAccessibleName(result.headline)
        from device_checkup.app.report import when
        device = getattr(result, "device_words", None)       # a phone check names the phone (or backup)
        self.when.setText(words.RESULTS_CHECKED_DEVICE.format(
            when=when(result.snapshot.started_at), device=shown(device, limit=300),
            system=shown(result.snapshot.os_version, limit=300) or "—")
            if device else words.RESULTS_CHECKED_AT.format(when=when(result.snapshot.started_at)))
        self.model.set_findings(result.findings)
        if show_table:
            self.table.fit()

        for tier, findings in result.by_tier():
            group = QFrame()
            severity = findings[0].severity if findings else "low"
            group.setProperty("style", f"tier-{severity}")
            group.setObjectName(f"tier-{tier}")
            gl = QVBoxLayout(group)
            gl.setContentsMargins(10, 4, 0, 4)
            label = texts.text("tiers", tier, "label")
            count = len(findings)
            h = heading(f"{label} ({count})", 2)
            h.setAccessibleName(_("{label}: {count} found, {severity}").format(
                label=label, count=count, severity=words.severity(severity)))
            gl.addWidget(h)
            room = self.MAX_CARDS - len(self._pending)
            self._pending.extend((f, gl, session) for f in findings[:max(0, room)])
            self.groups.addWidget(group)
            self._dynamic.append(group)

        if many:
            more = para(words.RESULTS_MORE.format(count=len(result.findings) - self.MAX_CARDS))
            more.setObjectName("moreFindings")
            self._add_after(more)
        self._add_after(heading(words.RESULTS_NOT_CHECKED, 2))
        groups = group_not_checked(result.not_checked)
        if not groups:
            self._add_after(para(words.RESULTS_NOT_CHECKED_NONE))
        details: list[str] = []
        for g in groups:
            line = words.NOT_CHECKED_LINE.format(what=g["what"], reason=g["reason"])
            if g["count"] > 1:
                line = line[:-1] + words.NOT_CHECKED_TIMES.format(count=g["count"]) + "."
            if g["how"]:
                line += " " + g["how"]
            lab = para(line)
            lab.setObjectName("notChecked")
            self._add_after(lab)
            details.extend(g["details"])
        if details:
            det = para("\n".join(details), selectable=True, style="problem")
            fold = Foldable(words.FINDING_DETAILS, det, style="details")
            fold.setObjectName("notCheckedDetails")
            self._add_after(fold)

        self._add_after(heading(words.RESULTS_CANNOT_SEE, 2))
        self._add_after(bullets(result.cannot_see_words() if hasattr(result, "cannot_see_words")   # a phone's
                                else texts.cannot_see()))
        if result.checked:
            fold = Foldable(words.RESULTS_CHECKED, bullets([c[:1].upper() + c[1:] for c in result.checked]),
                            style="details")
            fold.setObjectName("checkedFold")
            self._add_after(fold)
        self._add_after(para(words.RESULTS_SAVE_NOTE, style="subtle"))
        first = self._pending[:self.FIRST_BATCH]
        if first:
            rest = self._pending[self.FIRST_BATCH:]
            self._pending = first
            self.fill_all()             # orders the Tab chain once the batch is made
            self._pending = rest
        else:
            self.order_tabs()
        if self._pending:
            self._fill_timer.start()

    def _add_after(self, widget: QWidget) -> None:
        self.after.addWidget(widget)
        self._dynamic.append(widget)
