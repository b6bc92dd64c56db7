"""Working out which program a command line starts, on the scanned machine's own terms."""
from __future__ import annotations

import re
import shlex

# Windows environment variables as they expand for the machine (per-user ones keep the user).
_WIN_VARS = {
    "programfiles": "C:\\Program Files",
    "programfiles(x86)": "C:\\Program Files (x86)",
    "programw6432": "C:\\Program Files",
    "commonprogramfiles": "C:\\Program Files\\Common Files",
    "commonprogramfiles(x86)": "C:\\Program Files (x86)\\Common Files",
    "programdata": "C:\\ProgramData",
    "allusersprofile": "C:\\ProgramData",
    "systemroot": "C:\\Windows",
    "windir": "C:\\Windows",
    "systemdrive": "C:",
    "public": "C:\\Users\\Public",
}
_WIN_USER_VARS = {
    "userprofile": "",
    "appdata": "\\AppData\\Roaming",
    "localappdata": "\\AppData\\Local",
    "temp": "\\AppData\\Local\\Temp",
    "tmp": "\\AppData\\Local\\Temp",
}
_VAR = re.compile(r"%([A-Za-z0-9_()]+)%")


def expand_windows(text: str, user: str | None = None) -> str:
    """Expand %VARS% the way Windows would for ``user`` (unknown user: left as written)."""
    def sub(m: re.Match) -> str:
        name = m.group(1).casefold()
        if name in _WIN_VARS:
            return _WIN_VARS[name]
        if name in _WIN_USER_VARS and user:
            return f"C:\\Users\\{user}{_WIN_USER_VARS[name]}"
        if name == "username" and user:
            return user
        return m.group(0)
    text = _VAR.sub(sub, text)
    if text.casefold().startswith("\\systemroot\\"):
        text = "C:\\Windows" + text[len("\\SystemRoot"):]
    elif text.casefold().startswith("system32\\"):
        text = "C:\\Windows\\" + text
    elif text.startswith("\\??\\"):
        text = text[4:]
    return text


_WIN_EXE = re.compile(r"^(.+?\.(?:exe|com|bat|cmd|scr|dll|ps1|vbs|js|lnk|msi|pif|hta|cpl))(?=$|[\s,\"])", re.IGNORECASE)


def program_of(command: str, platform: str, user: str | None = None) -> str | None:
    """The program a command line starts, or None if it can't be told.

    ``"C:\\Program Files\\X\\x.exe" --flag`` → ``C:\\Program Files\\X\\x.exe``;
    ``rundll32.exe C:\\x\\y.dll,Entry`` → ``rundll32.exe`` (the program; the DLL is in the command);
    ``/usr/bin/env python3 /opt/x.py`` → ``/usr/bin/env``.
    """
    command = (command or "").strip()
    if not command:
        return None
    if platform == "windows":
        command = expand_windows(command, user)
        if command.startswith('"'):
            end = command.find('"', 1)
            return command[1:end] if end > 1 else command[1:] or None
        m = _WIN_EXE.match(command)
        if m:
            return m.group(1)
        return command.split()[0]
    if not any(c in command for c in "\"'\\"):
        words = command.split()              # no quoting: what shlex would give, much faster
    else:
        try:
            words = shlex.split(command, comments=False, posix=True)
        except ValueError:
            words = command.split()
    # Skip leading VAR=value assignments (env-style commands).
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        words.pop(0)
    return words[0] if words else None
