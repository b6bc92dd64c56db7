"""The scan in progress: what is being looked at, in words, a progress bar and Stop."""
from __future__ import annotations

from device_checkup.checks.i18n import _

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QProgressBar, QPushButton, QWidget

from .. import words
from ..widgets import Page


class ScanPage(Page):
    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(words.SCAN_TITLE, parent)
        self.setObjectName("scanPage")
        self.status = self.text(words.SCAN_STARTING)
        self.status.setObjectName("scanStatus")
        self.bar = QProgressBar()
        self.bar.setObjectName("scanProgress")
        self.bar.setAccessibleName(_("How much of the check is done"))
        self.bar.setRange(0, 0)          # busy until the first step is known
        self.bar.setTextVisible(True)
        self.add(self.bar)
        self.step = self.text("")
        self.step.setObjectName("scanStep")
        self.note = self.text(words.SCAN_NOTE)
        self.finish()
        self.cancel_button = QPushButton(words.SCAN_CANCEL)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAccessibleName(_("Stop the check"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self._cancel)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.cancel_button)

    def reset(self) -> None:
        self.for_device(words.SCAN_TITLE, words.SCAN_NOTE)
        self.status.setText(words.SCAN_STARTING)
        self.status.setAccessibleName(words.SCAN_STARTING)
        self.step.setText("")
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)

    def for_device(self, title: str, note: str) -> None:
        """Say which device is being checked (a phone check sets its own words after reset)."""
        self.title_label.setText(title)
        self.title_label.setAccessibleName(title)
        self.note.setText(note)

    @Slot(object)
    def show_progress(self, progress) -> None:
        self.status.setText(progress.words)
        self.status.setAccessibleName(progress.words)
        total = max(1, int(progress.total))
        self.bar.setRange(0, total)
        self.bar.setValue(min(int(progress.step), total))
        step = words.SCAN_STEP.format(step=min(int(progress.step), total), total=total)
        self.step.setText(step)
        self.bar.setAccessibleDescription(step)

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.status.setText(words.SCAN_CANCELLING)
        self.cancel_clicked.emit()
