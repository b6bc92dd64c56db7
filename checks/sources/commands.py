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


# Programs that only start another program: the program they start is the one to judge.
_WRAPPERS = {"env", "nohup", "setsid", "exec", "nice", "ionice", "chrt", "taskset", "stdbuf", "timeout",
             "sudo", "doas", "runuser", "flock", "caffeinate", "command", "builtin"}
_SHELLS = {"sh", "bash", "dash", "zsh", "ksh", "mksh", "busybox"}
# Options of a wrapper that take a value (so the value is not the program).
_TAKES_VALUE = {"env": {"-u", "--unset", "-C", "--chdir", "-S", "--split-string"},
                "nice": {"-n", "--adjustment"}, "ionice": {"-c", "-n", "-p", "--class", "--classdata"},
                "chrt": {"-p"}, "taskset": {"-p", "-c"}, "timeout": {"-s", "--signal", "-k", "--kill-after"},
                "sudo": {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"}, "doas": {"-u", "-C"},
                "runuser": {"-u", "-g", "-G", "--user", "--group"}, "flock": {"-w", "-E", "--timeout"},
                "stdbuf": {"-i", "-o", "-e"}}
_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# Shell steps that prepare rather than start something: "cd /opt && ./agent" runs ./agent.
_SHELL_STEPS = {"cd", "export", "sleep", "true", ":", "test", "[", "set", "umask", "ulimit", "unset", "wait",
                "echo", "printf", "trap", "source", ".", "shopt", "local", "readonly", "pkill", "killall"}


# Text shlex splits exactly as str.split() does: ASCII with no quote, no backslash and no
# whitespace but shlex's own (space, tab, CR, LF). shlex is pure Python, ~30 µs a command line,
# and most command lines are plain (issue 15: a third of a Linux scan's command parsing).
_NOT_PLAIN = frozenset("\"'\\\x0b\x0c\x1c\x1d\x1e\x1f")


def _words(command: str) -> list[str]:
    if command.isascii() and _NOT_PLAIN.isdisjoint(command):
        return command.split()
    try:
        return shlex.split(command, comments=False, posix=True)
    except ValueError:
        return command.split()


def real_command(command: str, depth: int = 0) -> list[str]:
    """The words of the command a Linux or macOS command line really runs, wrappers taken off:
    ``env A=1 nohup setsid /opt/x/agent --quiet`` → ``['/opt/x/agent', '--quiet']``;
    ``sh -c "exec /tmp/.x/run >/dev/null 2>&1"`` → ``['/tmp/.x/run']``. The first word is the program."""
    words = _words((command or "").strip())
    while words and depth < 8:
        while words and (_ASSIGN.match(words[0]) or words[0] in ("(", "{", "!")):
            words.pop(0)
        if not words:
            break
        base = words[0].rsplit("/", 1)[-1]
        if base in _WRAPPERS:
            takes = _TAKES_VALUE.get(base, set())
            words.pop(0)
            while words and (words[0].startswith("-") or _ASSIGN.match(words[0])):
                option = words.pop(0)
                if option == "--":
                    break
                if option in takes and words:
                    words.pop(0)
            if base == "timeout" and words and re.match(r"^\d", words[0]):
                words.pop(0)                              # timeout 10 prog
            if base == "flock" and words:
                words.pop(0)                              # flock FILE prog
            continue
        if base in _SHELLS:
            rest = words[1:]
            if base == "busybox" and rest and rest[0] in _SHELLS:
                rest = rest[1:]
            for i, word in enumerate(rest):
                if word == "-c" or (word.startswith("-") and not word.startswith("--") and word.endswith("c")):
                    if i + 1 < len(rest):
                        inner = re.split(r"\s*(?:&&|\|\||;|\||&(?!>))\s*", rest[i + 1].strip())
                        for part in inner:
                            got = real_command(part, depth + 1) if part.strip() else []
                            if got and got[0] not in _SHELL_STEPS:
                                return got
                        return words
                    break
                if not word.startswith("-"):
                    return words[i + 1:] if i + 1 < len(words) else words       # sh /path/script.sh
            return words
        break
    # Redirections are not words of the program.
    return [w for w in words if not re.match(r"^\d*[<>]", w)]


def real_program(command: str) -> str | None:
    """The program a Linux or macOS command line really runs (wrappers and shells taken off)."""
    words = real_command(command)
    return words[0] if words else None
