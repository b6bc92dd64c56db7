"""Before the scan: what the check does and can't see, the risk of being seen, quick exit."""
from __future__ import annotations

from checks.i18n import _

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QPushButton, QRadioButton, QVBoxLayout, QWidget

from checks import texts

from .. import words
from ..widgets import Page, bullets

OWN, ADVOCATE = "own", "advocate"


class WelcomePage(Page):
    start_clicked = Signal(str)          # "own" or "advocate"
    help_clicked = Signal()
    signatures_clicked = Signal()
    about_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(words.WELCOME_TITLE, parent)
        self.setObjectName("welcomePage")
        self.text(words.WELCOME_INTRO)

        self.section(words.WELCOME_WATCHED_TITLE)
        self.text(words.WELCOME_WATCHED)
        self.help_button = QPushButton(_("Where to get &help"))
        self.help_button.setAccessibleName(_("Where to get help"))
        self.help_button.setAutoDefault(False)
        self.help_button.clicked.connect(self.help_clicked)
        self.add(self.help_button, left=True)

        self.section(words.WELCOME_EXIT_TITLE)
        self.text(words.WELCOME_EXIT)
        self.text(words.WELCOME_EXIT_LIMITS)

        self.section(words.WELCOME_CANNOT_SEE_TITLE)
        self.add(bullets(texts.cannot_see()))

        self.section(words.WELCOME_WHO)
        choice = QWidget()
        cl = QVBoxLayout(choice)
        cl.setContentsMargins(0, 0, 0, 0)
        self.own = QRadioButton(words.WELCOME_OWN)
        self.own.setAccessibleName(_("I'm checking my own laptop"))
        self.advocate = QRadioButton(words.WELCOME_ADVOCATE)
        self.advocate.setAccessibleName(_("I'm an advocate checking with someone"))
        self.own.setChecked(True)
        self.group = QButtonGroup(self)
        self.group.addButton(self.own)
        self.group.addButton(self.advocate)
        cl.addWidget(self.own)
        cl.addWidget(self.advocate)
        self.add(choice)
        self.text(words.WELCOME_TIME)
        self.finish()

        self.signatures_button = QPushButton(words.SIGNATURE_OPTIONS)
        self.signatures_button.setAccessibleName(_("Signature options"))
        self.signatures_button.setAutoDefault(False)
        self.signatures_button.clicked.connect(self.signatures_clicked)
        self.about_button = QPushButton(words.ABOUT)
        self.about_button.setAccessibleName(_("About Device Checkup"))
        self.about_button.setAutoDefault(False)
        self.about_button.clicked.connect(self.about_clicked)
        self.start_button = QPushButton(words.WELCOME_START)
        self.start_button.setObjectName("startButton")
        self.start_button.setAccessibleName(_("Start the check"))
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self._start)
        self.buttons.addWidget(self.signatures_button)
        self.buttons.addWidget(self.about_button)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.start_button)

    def mode(self) -> str:
        return ADVOCATE if self.advocate.isChecked() else OWN

    def _start(self) -> None:
        self.start_clicked.emit(self.mode())
