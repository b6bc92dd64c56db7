"""Writing a file the person chose, on a machine that may be hostile.

Someone with access to the computer can plant a link at the name a report or a snapshot will be
saved under (``report.html`` -> ``/home/alex/.bashrc``, or a link to nowhere that a plain
``open(path, "w")`` would create at its target). So:

* a new file is created with ``O_CREAT | O_EXCL | O_NOFOLLOW``: if anything — a file, a link,
  even a dangling link — is already at that name, nothing is written and the caller is told;
* an existing file is replaced only when the person was asked and said yes (``replace=True``),
  and then only a regular file: the new content is written to a fresh file beside it (also
  ``O_EXCL``) and renamed over the name, which replaces the name itself and never follows a link.
"""
from __future__ import annotations

import errno
import os
import stat

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0) \
    | getattr(os, "O_CLOEXEC", 0)


class NotReplaced(OSError):
    """Something is already at the name (or a link is), and it was not replaced."""


def _write_fd(fd: int, data: bytes) -> None:
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new(path: str, data: bytes, *, replace: bool = False) -> None:
    """Write ``data`` to ``path`` without ever following a link there. Raises OSError.

    ``replace=False``: only a new file (FileExistsError, strerror "it already exists", if
    anything is at that name). ``replace=True`` (the person agreed to replace it): a regular
    file at that name is replaced; a link, a folder or anything else is refused.
    """
    try:
        fd = os.open(path, _FLAGS, 0o600)
    except FileExistsError:
        if not replace:
            raise FileExistsError(errno.EEXIST, "it already exists", path) from None
        fd = None
    except OSError as exc:
        if exc.errno == errno.ELOOP:          # O_NOFOLLOW met a link at the name
            raise NotReplaced(errno.ELOOP, "a link is at that name", path) from None
        raise
    if fd is not None:
        try:
            _write_fd(fd, data)
        except BaseException:
            os.unlink(path)
            raise
        return
    st = os.lstat(path)
    if not stat.S_ISREG(st.st_mode):
        what = "a link" if stat.S_ISLNK(st.st_mode) else "not a file"
        raise NotReplaced(errno.EEXIST, f"{what} is at that name", path)
    folder, name = os.path.split(os.path.abspath(path))
    for i in range(100):
        temp = os.path.join(folder, f".{name}.{os.getpid()}.{i}.part")
        try:
            fd = os.open(temp, _FLAGS, 0o600)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(errno.EEXIST, "could not make a new file beside it", path)
    try:
        _write_fd(fd, data)
        os.replace(temp, path)                # replaces the name; never follows a link there
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
