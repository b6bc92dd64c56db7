"""Looking at the places signatures name: does anything exist there?"""
from __future__ import annotations

from ..records import FileItem
from .base import Machine, Notes, Source
from .fs import Unreadable

_HASH_LIMIT = 16 * 1024 * 1024


class KnownFilesSource(Source):
    id = "files"
    kind = "files"
    what = "folders and files that monitoring software is known to use"

    def collect(self, machine: Machine, notes: Notes):
        fs = machine.fs
        seen: set[str] = set()
        for pattern in machine.locations.paths:
            for entry in fs.glob(pattern):
                if entry.path in seen:
                    continue
                seen.add(entry.path)
                size = modified = None
                try:
                    st = fs.stat(entry.path)
                    size, modified = (None if entry.is_dir else st.st_size), st.st_mtime
                except Unreadable as exc:
                    notes.unreadable(exc, entry.path)
                digest = None if entry.is_dir else fs.sha256(entry.path, _HASH_LIMIT)
                yield FileItem(path=entry.path, is_dir=entry.is_dir, pattern=pattern,
                               size=size, modified=modified, sha256=digest)


SOURCES = [KnownFilesSource()]
