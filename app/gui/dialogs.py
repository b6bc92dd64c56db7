"""The app's dialogs behind one small object, so tests replace it (a real modal dialog hangs a
test). Every dialog carries the red Exit button, and Shift×3 works in them through the
application-wide filter. Files are chosen with Qt's own dialog, never the system's, so nothing
lands in the system's recent-files lists."""
from __future__ import annotations

from device_checkup.checks.i18n import _

import os
from typing import Callable

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QMessageBox, QWidget

from . import words
from .widgets import ExitButton, ShiftStatus


class Dialogs:
    def __init__(self, on_exit: Callable[[], None], shift_progress=None):
        self.on_exit = on_exit
        self.shift_progress = shift_progress     # a Qt signal(int), or None

    def _exit_bar(self) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 6, 0, 0)
        status = ShiftStatus()
        row.addWidget(status, 1)
        button = ExitButton()
        button.clicked.connect(self.on_exit)
        row.addWidget(button)
        if self.shift_progress is not None:
            self.shift_progress.connect(status.show_remaining)
        bar.exit_button = button  # type: ignore[attr-defined]
        return bar

    def ask(self, parent: QWidget | None, title: str, text: str, yes: str, no: str) -> bool:
        box = QMessageBox(parent)
        box.setWindowTitle(_("Device Checkup"))
        box.setIcon(QMessageBox.Icon.Question)
        box.setTextFormat(Qt.TextFormat.PlainText)      # never rich text, whatever a name holds
        box.setText(title)
        box.setInformativeText(text)
        box.setTextInteractionFlags(box.textInteractionFlags())
        yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(no_button)
        box.setEscapeButton(no_button)
        grid = box.layout()
        grid.addWidget(self._exit_bar(), grid.rowCount(), 0, 1, grid.columnCount())
        box.exec()
        answer = box.clickedButton() is yes_button
        box.deleteLater()
        return answer

    def _file_dialog(self, parent: QWidget | None, caption: str) -> QFileDialog:
        dlg = QFileDialog(parent, caption)
        dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dlg.setWindowTitle(_("Device Checkup"))
        grid = dlg.layout()
        grid.addWidget(self._exit_bar(), grid.rowCount(), 0, 1, grid.columnCount())
        return dlg

    def open_files(self, parent: QWidget | None) -> list[str]:
        dlg = self._file_dialog(parent, _("Choose a signature file"))
        dlg.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dlg.setNameFilters([_("Signature files (*.yaml *.yml)"), _("All files (*)")])
        chosen = dlg.selectedFiles() if dlg.exec() else []
        dlg.deleteLater()
        return list(chosen)

    def save_file(self, parent: QWidget | None, suggested: str) -> str | None:
        dlg = self._file_dialog(parent, _("Save a report"))
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setNameFilters([_("Web page (*.html)"), _("PDF document (*.pdf)")])
        dlg.selectFile(suggested)
        chosen = dlg.selectedFiles() if dlg.exec() else []
        name_filter = dlg.selectedNameFilter()
        dlg.deleteLater()
        if not chosen:
            return None
        path = chosen[0]
        if not path.lower().endswith((".html", ".htm", ".pdf")):
            path += ".pdf" if "pdf" in name_filter.lower() else ".html"
            # The dialog asked about the name without its ending; ask about the real one.
            if os.path.lexists(path) and not self.ask(
                    parent, words.REPORT_REPLACE_TITLE, words.REPORT_REPLACE_TEXT.format(name=os.path.basename(path)),
                    words.REPORT_REPLACE_YES, words.REPORT_REPLACE_NO):
                return None
        return path

    def open_earlier(self, parent: QWidget | None) -> str | None:
        dlg = self._file_dialog(parent, _("Choose an earlier check"))
        dlg.setFileMode(QFileDialog.FileMode.ExistingFile)
        dlg.setNameFilters([_("Reports and saved checks (*.html *.htm *.json)"), _("All files (*)")])
        chosen = dlg.selectedFiles() if dlg.exec() else []
        dlg.deleteLater()
        return chosen[0] if chosen else None

    def report_saved(self, parent: QWidget | None, path: str, sha256: str) -> None:
        """Say where the report is and show its SHA-256, with a button that copies it."""
        from PySide6.QtGui import QGuiApplication

        from . import words
        box = QMessageBox(parent)
        box.setWindowTitle(_("Device Checkup"))
        box.setIcon(QMessageBox.Icon.Information)
        box.setTextFormat(Qt.TextFormat.PlainText)      # the path may hold anything
        box.setText(words.REPORT_SAVED_TITLE)
        box.setInformativeText(words.REPORT_SAVED_TEXT.format(path=path, sha256=sha256))
        box.setTextInteractionFlags(box.textInteractionFlags())
        copy = box.addButton(words.REPORT_COPY, QMessageBox.ButtonRole.ActionRole)
        copy.clicked.disconnect()                 # copying leaves the box open
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(sha256))
        close = box.addButton(words.REPORT_CLOSE, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(close)
        box.setEscapeButton(close)
        grid = box.layout()
        grid.addWidget(self._exit_bar(), grid.rowCount(), 0, 1, grid.columnCount())
        box.exec()
        box.deleteLater()

    def open_url(self, url: str) -> bool:
        return QDesktopServices.openUrl(QUrl(url))
