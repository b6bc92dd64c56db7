"""Which language the product speaks, and the one message catalogue per language.

Every word the product shows lives in a gettext catalogue, one per language:
``checks/locale/<code>/LC_MESSAGES/checkup.po`` (edited by translators with any PO tool) and
its compiled ``checkup.mo`` (shipped in the package, read here with the standard library's
``gettext``). English is the source language: the English words stay where they are written
(``checks/texts/en.yaml``, ``app/gui/words.py``, ``_()`` calls) and ``pybabel extract`` collects
them into ``checkup.pot`` (docs/translating.md).

Why gettext and not Qt's .ts/.qm: ``checks/`` must never import Qt and the command line runs
without it, yet the engine, the command line, the report and the app must share one catalogue.
gettext is in Python's standard library, so nothing here needs Qt or Babel at run time.

The language chosen lives only in this process's memory (no setting is saved).
``xx`` and ``yy`` are pseudo-locales made by ``tools/pseudo_locales.py`` for tests: ``xx``
wraps every message in ⟦…⟧ with accented letters, ``yy`` is right-to-left.
"""
from __future__ import annotations

import functools
import io
import os

DOMAIN = "checkup"
SOURCE = "en"
# The languages a person can choose, each named in its own language.
LANGUAGES = {"en": "English", "pl": "Polski"}
PSEUDO = {"xx": "⟦Pseudo⟧", "yy": "Pseudo RTL"}
RTL = {"yy"}

_current = SOURCE


def available() -> dict[str, str]:
    return {**LANGUAGES, **PSEUDO}


def set_language(code: str) -> None:
    """Speak ``code`` from now on (in memory only). Unknown codes raise ValueError."""
    global _current
    if code not in available():
        raise ValueError(f"unknown language: {code}")
    _current = code


def language() -> str:
    return _current


def is_rtl(code: str | None = None) -> bool:
    return (code or _current) in RTL


# The package's own folder. Every shipped form installs the packages as plain folders (the wheel;
# the portable app keeps them out of its zip: packaging/freeze.py), so this is what
# importlib.resources would give, without importing it (and pathlib, tempfile…): ~12 ms of
# every start (issue 15).
CHECKS_FOLDER = os.path.dirname(os.path.abspath(__file__))


def mo_path(code: str) -> str:
    return os.path.join(CHECKS_FOLDER, "locale", code, "LC_MESSAGES", f"{DOMAIN}.mo")


class _Source:
    """The source language's catalogue: every message is its own translation, as with gettext's
    NullTranslations (the same three calls), without importing gettext (and the regular
    expression it compiles at import) in an English process."""

    def gettext(self, message: str) -> str:
        return message

    def pgettext(self, context: str, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


@functools.lru_cache(maxsize=8)
def catalogue(code: str):
    """The catalogue of ``code``: gettext's GNUTranslations of its .mo (English: _Source)."""
    if code == SOURCE:
        return _Source()
    import gettext
    with open(mo_path(code), "rb") as fh:
        data = fh.read()
    return gettext.GNUTranslations(io.BytesIO(data))


def _(message: str) -> str:
    """The message in the current language (the English when it has no translation)."""
    return catalogue(_current).gettext(message) if message else message


def and_list(items: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C`` in the current language (one message, never " and "
    glued in code)."""
    if len(items) <= 1:
        return "".join(items)
    return _("{first} and {last}").format(first=", ".join(items[:-1]), last=items[-1])


def pgettext(context: str, message: str) -> str:
    return catalogue(_current).pgettext(context, message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalogue(_current).ngettext(singular, plural, n)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return catalogue(_current).npgettext(context, singular, plural, n)


def say(words) -> str:
    """``signatures.words.Words`` (a message and its values, which may be Words too) in the
    current language; a plain string is one message."""
    return words.said(_, ngettext) if hasattr(words, "said") else _(words)


def N_(message: str) -> str:
    """Marks English for the catalogue without translating it yet (translated when shown)."""
    return message


def NP_(context: str, message: str) -> str:
    """``N_`` with a context: marked for the catalogue, translated with ``pgettext`` when shown."""
    return message


def NN_(singular: str, plural: str) -> tuple[str, str]:
    """``N_`` for a message with plural forms (said later with ``ngettext``)."""
    return singular, plural


def NNP_(context: str, singular: str, plural: str) -> tuple[str, str]:
    """``N_`` for a message with plural forms and a context (shown with ``npgettext``)."""
    return singular, plural


# Months as a date says them ("2 November"): Polish and others inflect them there (listopada).
MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"), N_("July"),
          N_("August"), N_("September"), N_("October"), N_("November"), N_("December"))


def month_in_date(month: int) -> str:
    """The month's name as a date says it (1 = January), in the current language."""
    return _(MONTHS[month - 1])


def date_words(moment) -> str:
    """``2 November 2022`` in the current language (``moment``: a date or datetime)."""
    return pgettext("date", "{day} {month} {year}").format(day=moment.day, month=month_in_date(moment.month),
                                                            year=moment.year)
