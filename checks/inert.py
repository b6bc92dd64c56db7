"""Names from the machine, made inert for every presenter.

Everything a scanned machine supplies — program names and paths, ``Exec=`` lines, add-on,
account and host names, key comments, file contents — is data. A planted name may hold
terminal escape sequences (which can clear the screen and draw a fake result), other control
characters, or bidirectional controls (U+202E reverses the words around it). :func:`shown`
is the one function every presenter (command line, app, reports) passes such text through:

* C0 and C1 control characters and DEL become visible escapes (``\\x1b``), except that tab and
  newline may be kept where a presenter shows several lines (``keep_lines=True``);
* bidirectional controls and other invisible format characters become visible escapes
  (``\\u202e``), so no name can reorder the words around it;
* a backslash that would make an existing text look like one of these escapes is left alone:
  the escapes are for reading, not for round-tripping.

Rich text is never interpreted: the app sets plain-text format on every widget that shows a
machine-supplied name, and the HTML report escapes it (``html.escape`` after ``shown``).
"""
from __future__ import annotations

import re
import unicodedata

# Bidirectional controls and marks (UAX #9), and other zero-width format characters a name
# could use to hide or reorder text.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f" + _BIDI + _INVISIBLE + "\u2028\u2029\ufff9-\ufffb]")
_UNSAFE_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + _INVISIBLE + "\u2028\u2029\ufff9-\ufffb]")


def _escape(match: re.Match) -> str:
    c = match.group(0)
    n = ord(c)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def shown(text: object, *, keep_lines: bool = False, limit: int | None = None) -> str:
    """``text`` as a presenter may show it: no control, bidi or invisible format character.

    ``limit`` cuts very long text (after escaping) with an ellipsis.
    """
    if text is None:
        return ""
    s = text if isinstance(text, str) else str(text)
    # Lone surrogates (from undecodable file names) cannot be printed or encoded: escape them.
    if any(0xD800 <= ord(c) <= 0xDFFF for c in s):
        s = "".join(f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF else c for c in s)
    s = (_UNSAFE_KEEP_LINES if keep_lines else _UNSAFE).sub(_escape, s)
    if limit is not None and len(s) > limit:
        s = s[: max(0, limit - 1)] + "…"
    return s


def is_inert(text: str, *, keep_lines: bool = False) -> bool:
    """True if ``text`` holds nothing :func:`shown` would change (used by tests and asserts)."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return False
    pattern = _UNSAFE_KEEP_LINES if keep_lines else _UNSAFE
    return pattern.search(text) is None


def confusable(text: str) -> bool:
    """True if ``text`` mixes scripts the way a disguised name does (a Cyrillic ``ѕ`` in ``sshd``).

    A name written wholly in one script is not confusable; Latin letters mixed with Cyrillic or
    Greek letters are.
    """
    scripts = set()
    for c in text:
        if c.isalpha():
            name = unicodedata.name(c, "")
            scripts.add(name.split(" ", 1)[0] if name else "?")
    return "LATIN" in scripts and bool(scripts & {"CYRILLIC", "GREEK"})
