"""Before the scan: what the check does and can't see, the risk of being seen, quick exit."""
from __future__ import annotations

from device_checkup.checks.i18n import _

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QHBoxLayout, QLabel, QPushButton, QRadioButton,
                               QVBoxLayout, QWidget)

from device_checkup.checks import i18n, texts

from .. import words
from ..widgets import Page, bullets

OWN, ADVOCATE = "own", "advocate"


class WelcomePage(Page):
    start_clicked = Signal(str)          # "own" or "advocate"
    help_clicked = Signal()
    signatures_clicked = Signal()
    about_clicked = Signal()
    language_chosen = Signal(str)        # a code of checks.i18n.available()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(words.WELCOME_TITLE, parent)
        self.setObjectName("welcomePage")
        # The language, first: each name in its own language, so anyone can find theirs.
        # The choice lives only in memory; nothing is saved.
        row = QWidget()
        rl = QHBoxLayout(row)
        rl.setContentsMargins(0, 0, 0, 0)
        self.language = QComboBox()
        self.language.setObjectName("languageChoice")
        shown_codes = dict(i18n.LANGUAGES)
        if i18n.language() not in shown_codes:      # a pseudo-locale, chosen with --lang for tests
            shown_codes[i18n.language()] = i18n.available()[i18n.language()]
        for code, name in shown_codes.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(self.language.findData(i18n.language()))
        self.language.setAccessibleName(words.WELCOME_LANGUAGE)
        label = QLabel(words.WELCOME_LANGUAGE)
        label.setBuddy(self.language)
        rl.addWidget(label)
        rl.addWidget(self.language)
        rl.addStretch(1)
        self.add(row)
        self.language.activated.connect(lambda i: self.language_chosen.emit(self.language.itemData(i)))
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
