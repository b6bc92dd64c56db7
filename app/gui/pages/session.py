"""An advocate's appointment, before the check: the reference, the device and the questions.

Nothing here is stored anywhere but the Session object in memory."""
from __future__ import annotations

from device_checkup.checks.i18n import _

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QPushButton, QWidget

from device_checkup.app.session import Session, questions

from .. import words
from ..widgets import Page, para


class SessionPage(Page):
    start_clicked = Signal()
    back_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(words.SESSION_TITLE, parent)
        self.setObjectName("sessionPage")
        self.text(words.SESSION_INTRO)
        self.reference = para("", selectable=True, style="headline")
        self.reference.setObjectName("sessionReference")
        self.add(self.reference)

        self.initials = QLineEdit()
        self.initials.setMaxLength(8)
        self.initials.setAccessibleName(_("Your initials (optional)"))
        self._labelled(words.SESSION_INITIALS, self.initials)
        self.device = QLineEdit()
        self.device.setMaxLength(80)
        self.device.setAccessibleName(_("A nickname for this laptop (optional)"))
        self._labelled(words.SESSION_DEVICE, self.device)

        self.section(words.SESSION_QUESTIONS)
        self.text(words.SESSION_QUESTIONS_NOTE, style="subtle")
        self.answers: dict[str, QPlainTextEdit] = {}
        for q in questions():
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setAccessibleName(q["ask"])
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 3 + 16)
            self._labelled(q["ask"], edit)
            self.answers[q["id"]] = edit
        self.finish()

        self.back_button = QPushButton(words.SESSION_BACK)
        self.back_button.setAccessibleName(_("Back"))
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.back_clicked)
        self.start_button = QPushButton(words.SESSION_START)
        self.start_button.setObjectName("sessionStartButton")
        self.start_button.setAccessibleName(_("Start the check"))
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start_clicked)
        self.buttons.addWidget(self.back_button)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.start_button)

    def _labelled(self, text: str, field: QWidget) -> None:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setBuddy(field)
        self.add(label)
        self.add(field)

    def show_session(self, session: Session) -> None:
        self.reference.setText(words.SESSION_REFERENCE.format(reference=session.reference))
        self.reference.setAccessibleName(self.reference.text())
        self.initials.setText(session.advocate_initials)
        self.device.setText(session.device_nickname)
        for qid, edit in self.answers.items():
            edit.setPlainText(session.answers.get(qid, ""))

    def store(self, session: Session) -> None:
        session.advocate_initials = self.initials.text().strip()
        session.device_nickname = self.device.text().strip()
        session.answers = {qid: edit.toPlainText().strip() for qid, edit in self.answers.items()
                           if edit.toPlainText().strip()}

    def clear(self) -> None:
        self.reference.setText("")
        self.initials.clear()
        self.device.clear()
        for edit in self.answers.values():
            edit.clear()
