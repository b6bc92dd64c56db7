"""Checking a phone with the advocate: how to turn USB debugging on (and the risk of doing it),
how to turn it off afterwards, then an Android phone over USB or an iPhone backup. The results
go to the ordinary results page. Words are in checks/texts/en.yaml (``phone.guide``)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget

from device_checkup.checks import texts

from ..widgets import Page, numbered, para


class PhoneNotReady(Exception):
    """No phone to check yet: the message is plain words for the advocate."""


def guide(*path: str):
    return texts.text("phone", "guide", *path)


def android_scan(*, progress, cancel, user_paths, adb: str | None = None):
    """The Android phone plugged in, read-only (runs on the scan worker)."""
    from device_checkup.checks.phone.adb import AdbError, AdbProgram, Phone
    from device_checkup.checks.phone.scan import scan_android
    from device_checkup.signatures.loader import shared_set
    try:
        program = AdbProgram(adb=adb)
    except AdbError:
        raise PhoneNotReady(guide("no_adb")) from None
    try:
        try:
            ready = program.devices()
        except AdbError as exc:
            raise PhoneNotReady(guide("no_adb") if exc.reason == "unsupported" else guide("no_phone")) from None
        if not ready:
            raise PhoneNotReady(guide("no_phone"))
        if len(ready) > 1:
            raise PhoneNotReady(guide("several"))
        serial, state = ready[0]
        if state != "device":
            raise PhoneNotReady(guide("not_allowed") if state == "unauthorized" else guide("no_phone"))
        program.serial = serial
        return scan_android(Phone(program), shared_set(user_paths), progress=progress, cancel=cancel)
    finally:
        program.close()                 # stops the adb server only if this check started it


def backup_scan(folder: str, password: str | None = None):
    """An iPhone backup folder, read-only (runs on the scan worker). An encrypted backup's
    password is used once and let go: "Check again" asks for it again."""
    held = [password]

    def scan(*, progress, cancel, user_paths):
        from device_checkup.checks.phone.ios_backup import BackupError, PasswordNeeded, WrongPassword, scan_backup
        from device_checkup.signatures.loader import shared_set
        secret, held[0] = held[0], None
        try:
            return scan_backup(folder, shared_set(user_paths), secret)
        except WrongPassword:
            raise PhoneNotReady(guide("wrong_password")) from None
        except PasswordNeeded:
            raise PhoneNotReady(guide("password_needed")) from None
        except (BackupError, OSError) as exc:
            raise PhoneNotReady(guide("bad_backup", reason=str(exc))) from None
        finally:
            del secret
    return scan


class PhonePage(Page):
    android_clicked = Signal()
    backup_clicked = Signal()
    password_entered = Signal()
    back_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(guide("title"), parent)
        self.setObjectName("phonePage")
        self.problem = self.text("", style="headline")
        self.problem.setObjectName("phoneProblem")
        self.problem.hide()
        # With the reason a check could not start, the way to try again, on the screen with it.
        self.retry_button = QPushButton(guide("retry_button"))
        self.retry_button.setObjectName("phoneRetry")
        self.retry_button.setAutoDefault(False)
        self.retry_button.clicked.connect(lambda: (self.backup_clicked if self.last == "backup"
                                                   else self.android_clicked).emit())
        self.add(self.retry_button, left=True)
        self.retry_button.hide()
        self.last = "android"
        self.text(guide("intro"))
        self.section(guide("risk_title"))
        self.text(guide("risk"))
        self.section(guide("android_title"))
        self.add(numbered(guide("android_steps")))
        self.android_button = QPushButton(guide("android_button"))
        self.android_button.setObjectName("androidButton")
        self.android_button.setAccessibleName(guide("android_button").replace("&", ""))
        self.android_button.setAutoDefault(False)
        self.android_button.clicked.connect(lambda: (setattr(self, "last", "android"), self.android_clicked.emit()))
        self.add(self.android_button, left=True)
        self.section(guide("after_title"))
        self.add(numbered(guide("after_steps")))
        self.section(guide("backup_title"))
        self.text(guide("backup"))
        self.backup_button = QPushButton(guide("backup_button"))
        self.backup_button.setObjectName("backupButton")
        self.backup_button.setAccessibleName(guide("backup_button").replace("&", "").rstrip("…"))
        self.backup_button.setAutoDefault(False)
        self.backup_button.clicked.connect(lambda: (setattr(self, "last", "backup"), self.backup_clicked.emit()))
        self.add(self.backup_button, left=True)
        self.add(self._password_part())
        self.finish()
        self.back_button = QPushButton(guide("back_button"))
        self.back_button.setAccessibleName(guide("back_button").replace("&", ""))
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.back_clicked)
        self.buttons.addWidget(self.back_button)
        self.buttons.addStretch(1)

    def show_problem(self, words: str) -> None:
        """Why the phone could not be checked, at the top of the page, in plain words."""
        if words:
            self.problem.setText(words)
            self.problem.setAccessibleName(words)
            self.problem.show()
            self.retry_button.show()
        else:
            self.problem.hide()
            self.retry_button.hide()

    # -- an encrypted backup's password: shown only when the chosen backup is encrypted ---------
    def _password_part(self) -> QWidget:
        box = QWidget()
        box.setObjectName("backupPasswordBox")
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 6, 0, 0)
        lay.addWidget(para(guide("password_needed")))
        self.password = QLineEdit()
        self.password.setObjectName("backupPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(guide("password_label"))
        self.password.setPlaceholderText(guide("password_label"))
        # Password mode already refuses copy and cut; no context menu or drag either.
        self.password.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.password.setDragEnabled(False)
        self.password.returnPressed.connect(self.password_entered)
        lay.addWidget(self.password)
        self.open_button = QPushButton(guide("password_button"))
        self.open_button.setObjectName("openBackupButton")
        self.open_button.setAccessibleName(guide("password_button").replace("&", ""))
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.password_entered)
        lay.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignLeft)
        box.hide()
        self.password_box = box
        self.encrypted_folder: str | None = None
        return box

    def ask_password(self, folder: str) -> None:
        """The chosen backup is encrypted: show the password field (empty) and put the cursor in it."""
        self.encrypted_folder = folder
        self.password.clear()
        self.password_box.show()
        self.password.setFocus()

    def take_password(self) -> str:
        """What was typed, once: the field is emptied as it is read."""
        typed = self.password.text()
        self.password.clear()
        return typed

    def forget_backup(self) -> None:
        self.encrypted_folder = None
        self.password.clear()
        self.password_box.hide()


def choose_backup(dialogs, parent) -> str | None:
    """A folder chooser (Qt's own dialog, as every file chooser in the app: no recent-files trace)."""
    from PySide6.QtWidgets import QFileDialog
    dlg = dialogs._file_dialog(parent, "Choose an iPhone backup folder")
    dlg.setFileMode(QFileDialog.FileMode.Directory)
    dlg.setOption(QFileDialog.Option.ShowDirsOnly, True)
    from device_checkup.checks.phone.ios_backup import backup_folders
    from device_checkup.checks.sources.base import this_platform
    usual = backup_folders(this_platform())
    if usual:                                   # open where iTunes or Finder keeps them
        dlg.setDirectory(usual[0])
    chosen = dlg.selectedFiles() if dlg.exec() else []
    dlg.deleteLater()
    return chosen[0] if chosen else None


def install(window) -> PhonePage:
    """The phone page's hooks in the main window: a button on the welcome page, the page in the
    stack, and its two checks run through the window's own scan runner (so progress, Stop, quick
    exit and the results page are the laptop's)."""
    from .welcome import ADVOCATE
    page = PhonePage()
    window.stack.addWidget(page)
    button = QPushButton(guide("open_button"))
    button.setObjectName("phoneButton")
    button.setAccessibleName(guide("title"))
    button.setAutoDefault(False)
    button.clicked.connect(lambda: (page.show_problem(""), page.forget_backup(), window.show_page(page)))
    window.welcome.buttons.insertWidget(2, button)
    window.phone_button = button

    def start(scan) -> None:
        if window.runner.running():
            return
        page.show_problem("")
        window._pending_scan = scan
        window.start_scan(ADVOCATE if window.session is not None else "own")

    def choose() -> None:
        folder = choose_backup(window.dialogs, window)
        if folder and not window.quick_exit.triggered:
            from device_checkup.checks.phone.ios_backup import is_encrypted
            if is_encrypted(folder):
                page.show_problem("")
                page.ask_password(folder)           # the scan starts when the password is typed
                return
            page.forget_backup()
            start(backup_scan(folder))

    def open_encrypted() -> None:
        if page.encrypted_folder and page.password.text() and not window.runner.running():
            start(backup_scan(page.encrypted_folder, page.take_password()))

    page.android_clicked.connect(lambda: (page.forget_backup(), start(android_scan)))
    page.backup_clicked.connect(choose)
    page.password_entered.connect(open_encrypted)
    page.back_clicked.connect(lambda: window.show_page(window.welcome))
    return page


def failed(window, detail: str) -> bool:
    """A phone check that could not start: back to the phone page with the reason in words."""
    if getattr(window, "_pending_scan", None) is None:
        return False
    prefix = f"{PhoneNotReady.__name__}: "
    words = detail[len(prefix):] if detail.startswith(prefix) else texts.text("phone", "guide", "no_phone")
    page = window.phone_page
    # "Check again" on an encrypted backup: the password was let go, so the field asks again
    # (its own words say why; the same words are not repeated above it).
    page.show_problem("" if page.encrypted_folder and words == guide("password_needed") else words)
    window._pending_scan = None
    if window.current_page() is window.scan_page:
        window.show_page(page)
    if page.encrypted_folder:                   # a wrong password, or "Check again": ask again
        page.ask_password(page.encrypted_folder)
    return True


def scan_words() -> tuple[str, str]:
    """The scan page's title and note while a phone is checked."""
    return guide("checking_title"), guide("checking_note")


def cancelled(window) -> bool:
    """A phone check stopped with Stop: back to the phone page, saying nothing was changed."""
    if getattr(window, "_pending_scan", None) is None or window.quick_exit.triggered:
        return False
    window._pending_scan = None
    window.phone_page.show_problem(guide("stopped"))
    if window.current_page() is window.scan_page:
        window.show_page(window.phone_page)
    return True
