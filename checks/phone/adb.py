"""The one way Device Checkup talks to an Android phone: a fixed list of read-only commands.

Every command goes through :meth:`Phone.run`, which refuses anything that is not on
:data:`READ_ONLY` (exact words, or a package id in the one place a command takes one). The
list holds only commands that read: package lists and ``dumpsys`` reports, ``settings get`` /
``settings list``, ``getprop``, ``cmd role get-role-holders`` and one ``cmd package
query-activities``. Nothing installs, removes, clears, grants, stops or changes anything
(ISDi's ``pm clear com.android.settings`` is the counter-example this list exists to rule out).

Why the ``adb`` program and not a Python library (adb-shell, adbutils)?

* ``adb`` is Google's own client (Android platform-tools, Debian package ``adb``), the one
  every phone vendor's USB driver is made for, and what androidqf and ISDi run. The portable
  build bundles it; a library would need libusb and, on Windows, a WinUSB driver swap.
* adbutils talks to the same ``adb`` server, so it adds a dependency and saves nothing.
* adb-shell 0.4.4 (2023) is what MVT dropped when it stopped collecting over live adb, its
  USB path needs libusb1 and its own RSA key handling.
* A separate program is also easy to audit: every command line we pass it is logged here.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Protocol

from msgspec import Struct, field

from ..i18n import N_

# Exactly what may be sent, word for word. "{package}" stands for one package id.
READ_ONLY: tuple[tuple[str, ...], ...] = (
    ("getprop",),
    ("pm", "list", "packages", "-f", "-i", "-U"),
    ("pm", "list", "packages", "-s"),
    ("dumpsys", "package", "packages"),
    ("dumpsys", "package", "{package}"),
    ("dumpsys", "device_policy"),
    ("dumpsys", "accessibility"),
    ("dumpsys", "appops"),
    ("settings", "list", "global"),
    ("settings", "list", "secure"),
    ("settings", "get", "secure", "enabled_accessibility_services"),
    ("settings", "get", "secure", "enabled_notification_listeners"),
    ("settings", "get", "secure", "sms_default_application"),
    ("cmd", "role", "get-role-holders", "android.app.role.SMS"),
    ("cmd", "role", "get-role-holders", "android.app.role.DIALER"),
    ("cmd", "package", "query-activities", "--brief", "-a", "android.intent.action.MAIN",
     "-c", "android.intent.category.LAUNCHER"),
    ("which", "su"),
    # Reads one app's own file (its path from the package list) to take its signing certificate.
    ("cat", "{apk}"),
)

# Words that change a phone. No allowed command contains one; a test checks that too.
CHANGING_WORDS = frozenset({"install", "uninstall", "clear", "grant", "revoke", "put", "delete", "reset",
                            "disable", "enable", "disable-user", "hide", "unhide", "suspend", "force-stop",
                            "kill", "rm", "set", "setprop", "reboot", "push", "remove-active-admin",
                            "set-device-owner", "add-role-holder", "remove-role-holder", "pull", "sh", "su"})

PACKAGE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+")
SERIAL = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
# An installed app's file: under /data/app, plain characters only (no space, quote, $, ;, …).
APK_PATH = re.compile(r"/data/app/[A-Za-z0-9._~=+/-]{1,400}\.apk")
COMMAND_TIME_LIMIT = 60.0
MAX_OUTPUT = 64 * 1024 * 1024


class NotAllowed(ValueError):
    """A command that is not on the read-only list was about to be sent."""


class AdbError(RuntimeError):
    """adb could not run the command (no phone, not authorised, not found, timed out)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason        # "absent", "permission", "timeout", "error", "unsupported"
        self.detail = detail


def allowed(argv: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The command if it is on the read-only list, else NotAllowed."""
    argv = tuple(argv)
    for pattern in READ_ONLY:
        if len(pattern) != len(argv):
            continue
        if all(p == a or (p == "{package}" and PACKAGE_ID.fullmatch(a))
               or (p == "{apk}" and APK_PATH.fullmatch(a) and "/../" not in a and "/./" not in a)
               for p, a in zip(pattern, argv)):
            return argv
    raise NotAllowed(f"not a read-only command Device Checkup may send: {' '.join(argv)[:200]!r}")


class Transport(Protocol):
    def shell(self, argv: tuple[str, ...]) -> str: ...

    def read(self, argv: tuple[str, ...]) -> bytes: ...


class Phone(Struct):
    """A phone reached through a transport; keeps the log of every command sent."""
    transport: Transport
    sent: list[tuple[str, ...]] = field(default_factory=list)

    def run(self, *argv: str) -> str:
        command = allowed(argv)           # refuses before anything is sent
        self.sent.append(command)
        return self.transport.shell(command).replace("\r\n", "\n")

    def read(self, *argv: str) -> bytes:
        """The same, for bytes (an app's file), unchanged."""
        command = allowed(argv)
        self.sent.append(command)
        return self.transport.read(command)


def find_adb() -> str | None:
    """The bundled adb beside the program (portable build), else the one on PATH."""
    import sys
    here = os.path.dirname(os.path.abspath(getattr(sys, "executable", "") or ""))
    name = "adb.exe" if os.name == "nt" else "adb"
    for folder in (os.path.join(here, "platform-tools"), here):
        candidate = os.path.join(folder, name)
        if getattr(sys, "frozen", False) and os.path.isfile(candidate):
            return candidate
    return shutil.which("adb")


class AdbProgram(Struct):
    """The adb program, talking to one phone (``-s serial``)."""
    serial: str | None = None
    adb: str | None = None
    time_limit: float = COMMAND_TIME_LIMIT
    started_server: bool = False

    def __post_init__(self) -> None:
        self.adb = self.adb or find_adb()
        if not self.adb:
            raise AdbError("unsupported", N_("the adb program (Android platform-tools) was not found"))
        if self.serial is not None and not SERIAL.fullmatch(self.serial):
            raise AdbError("error", N_("that is not a phone's serial number"))

    def _call(self, args: list[str]) -> str:
        return self._run(args).decode("utf-8", "replace")

    def _run(self, args: list[str]) -> bytes:
        try:
            done = subprocess.run([self.adb, *args], capture_output=True, timeout=self.time_limit,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise AdbError("timeout", f"adb {' '.join(args)}: no answer after {self.time_limit:.0f} s") from None
        except OSError as exc:
            raise AdbError("unsupported", f"adb could not start: {exc}") from None
        out = done.stdout[:MAX_OUTPUT]
        err = done.stderr[:4096].decode("utf-8", "replace").strip()
        if "daemon started successfully" in err:
            self.started_server = True    # ours to stop afterwards (close)
        # adb's own notes about its server ("* daemon not running; starting now…") are not answers.
        err = "\n".join(line for line in err.splitlines() if not line.startswith("* ")).strip()
        if done.returncode != 0 and not out and not err:
            return b""                     # the command ran and found nothing (which su)
        if done.returncode != 0 and not out:
            if not err.startswith(("error:", "adb:")):     # the phone's shell answered: it lacks this
                raise AdbError("unsupported", err[:500])
            if "unauthorized" in err:
                raise AdbError("permission", N_("the phone has not allowed this computer yet (tap Allow on the phone)"))
            if "no devices" in err or "not found" in err or "offline" in err:
                raise AdbError("absent", err)
            raise AdbError("error", err or f"adb stopped with code {done.returncode}")
        return out

    def close(self) -> None:
        """Stop the adb server if this check started it, so nothing keeps running afterwards.
        (A server the person already had running is theirs, and left alone.) Nothing is sent to
        the phone."""
        if self.started_server:
            self.started_server = False
            try:
                subprocess.run([self.adb, "kill-server"], capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
            except (OSError, subprocess.TimeoutExpired):
                pass

    def devices(self) -> list[tuple[str, str]]:
        """(serial, state) of every phone adb sees ("device", "unauthorized", "offline")."""
        out = self._call(["devices"])
        found = []
        for line in out.splitlines()[1:]:
            parts = line.split()
            if len(parts) >= 2 and SERIAL.fullmatch(parts[0]):
                found.append((parts[0], parts[1]))
        return found

    def shell(self, argv: tuple[str, ...]) -> str:
        allowed(argv)                    # a second guard, right where the command leaves
        target = ["-s", self.serial] if self.serial else []
        return self._call([*target, "shell", *argv])

    def read(self, argv: tuple[str, ...]) -> bytes:
        allowed(argv)
        target = ["-s", self.serial] if self.serial else []
        return self._run([*target, "exec-out", *argv])      # exec-out: bytes exactly as sent


class Recorded:
    """A phone replayed from recorded outputs (tests, and reading a saved collection):
    command (words joined by spaces) → output. A command with no recording fails as adb would."""

    def __init__(self, outputs: dict[str, str | bytes]) -> None:
        self.outputs = outputs

    def _recorded(self, argv: tuple[str, ...]) -> str | bytes:
        allowed(argv)
        key = " ".join(argv)
        if key not in self.outputs:
            raise AdbError("unsupported", f"{key}: not available on this phone")
        return self.outputs[key]

    def shell(self, argv: tuple[str, ...]) -> str:
        value = self._recorded(argv)
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else value

    def read(self, argv: tuple[str, ...]) -> bytes:
        value = self._recorded(argv)
        return value if isinstance(value, bytes) else value.encode()
