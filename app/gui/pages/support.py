"""Get help: helplines and services by region, from app/data/support.yaml. Numbers are shown
as selectable text so no browser is needed; opening a website is asked about first."""
from __future__ import annotations

from device_checkup.checks.i18n import _

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from device_checkup.app.support import Service, SupportData

from .. import words
from ..widgets import Page, heading, para


class ServiceBox(QFrame):
    open_website = Signal(str)

    def __init__(self, service: Service, parent: QWidget | None = None):
        super().__init__(parent)
        self.service = service
        self.setProperty("style", "panel")
        self.setObjectName("serviceBox")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(heading(service.name, 3))
        layout.addWidget(para(service.what))
        self.numbers: list[QLabel] = []
        for label, numbers in ((words.SUPPORT_PHONE, service.phones), (words.SUPPORT_TEXT, service.texts)):
            for n in numbers:
                row = QHBoxLayout()
                cap = QLabel(_("{label}:").format(label=label))
                row.addWidget(cap)
                num = para(n.number, selectable=True)
                num.setObjectName("number")
                num.setProperty("style", "headline")
                num.setAccessibleName((_("{label} {number}, {note}") if n.note else _("{label} {number}")).format(
                    label=label, number=n.number, note=n.note))
                cap.setBuddy(num)
                row.addWidget(num)
                if n.note:
                    row.addWidget(para(_("({note})").format(note=n.note)), 1)
                else:
                    row.addStretch(1)
                layout.addLayout(row)
                self.numbers.append(num)
        if service.email:
            row = QHBoxLayout()
            row.addWidget(QLabel(_("{label}:").format(label=words.SUPPORT_EMAIL)))
            em = para(service.email, selectable=True)
            em.setAccessibleName(_("{label} {number}").format(label=words.SUPPORT_EMAIL, number=service.email))
            row.addWidget(em, 1)
            layout.addLayout(row)
        if service.note:
            layout.addWidget(para(service.note))
        self.website_button = None
        if service.website:
            row = QHBoxLayout()
            row.addWidget(QLabel(_("{label}:").format(label=words.SUPPORT_WEBSITE)))
            site = para(service.website, selectable=True)
            site.setAccessibleName(_("{label} {number}").format(label=words.SUPPORT_WEBSITE, number=service.website))
            row.addWidget(site, 1)
            self.website_button = QPushButton(words.SUPPORT_OPEN)
            self.website_button.setAccessibleName(_("Open the website of {name}").format(name=service.name))
            self.website_button.setAutoDefault(False)
            self.website_button.clicked.connect(lambda: self.open_website.emit(service.website))
            row.addWidget(self.website_button)
            layout.addLayout(row)


class SupportPage(Page):
    back_clicked = Signal()
    open_website = Signal(str)

    def __init__(self, data: SupportData, parent: QWidget | None = None):
        super().__init__(words.SUPPORT_TITLE, parent)
        self.setObjectName("supportPage")
        self.data = data
        if data.before:
            self.text(data.before)
        if data.emergency_note:
            self.text(data.emergency_note, style="headline")
        row = QHBoxLayout()
        label = QLabel(words.SUPPORT_REGION)
        self.region = QComboBox()
        self.region.setObjectName("regionChoice")
        self.region.setAccessibleName(_("Where do you live?"))
        label.setBuddy(self.region)
        for r in data.regions:
            self.region.addItem(r.name, r.id)
        row.addWidget(label)
        row.addWidget(self.region, 1)
        self.body.addLayout(row)
        self.intro = self.text("")
        self.services = QVBoxLayout()
        self.services.setSpacing(10)
        self.body.addLayout(self.services)
        self.boxes: list[ServiceBox] = []
        self._extras: list[QWidget] = []
        self.finish()
        self.back_button = QPushButton(words.BACK)
        self.back_button.setObjectName("backButton")
        self.back_button.setAccessibleName(_("Back"))
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.back_clicked)
        self.buttons.addWidget(self.back_button)
        self.buttons.addStretch(1)
        self.region.currentIndexChanged.connect(self._show_region)
        self._show_region(0)

    def choose_region(self, region_id: str) -> None:
        i = self.region.findData(region_id)
        if i >= 0:
            self.region.setCurrentIndex(i)

    def _show_region(self, index: int) -> None:
        for box in self.boxes + self._extras:
            box.hide()
            box.setParent(None)
            box.deleteLater()
        self.boxes, self._extras = [], []
        if index < 0 or index >= len(self.data.regions):
            return
        region = self.data.regions[index]
        self.intro.setText(region.intro)
        self.intro.setVisible(bool(region.intro))
        parts = self.data.shown_for(region.id)
        for n, (part, services) in enumerate(parts):
            if len(parts) > 1:     # national first, then the chosen area, each under its own heading
                title = heading(part.name, 2)
                title.setProperty("role", "region-heading")
                self.services.addWidget(title)
                self._extras.append(title)
                if n == len(parts) - 1 and region.intro:
                    self.intro.setVisible(False)
                    note = para(region.intro)
                    self.services.addWidget(note)
                    self._extras.append(note)
            for s in services:
                box = ServiceBox(s)
                box.open_website.connect(self.open_website)
                self.services.addWidget(box)
                self.boxes.append(box)
