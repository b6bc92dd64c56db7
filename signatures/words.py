"""Words to say later, in the person's language: a catalogue message and the values that fill it.

Code that finds something to say but does not say it (a signature file's problem, what a
source could not read) keeps a ``Words``: the message as written in English (the key of the
gettext catalogue, collected by tools/translations.py from ``N_()`` marks) and its values,
which may be ``Words`` themselves ("{who}: unknown key '{key}'", who = "family '{id}'"). Nothing
is glued together in English; the presenter says it with the catalogue
(``checks.i18n.say``). ``signatures`` never imports ``checks``, so this lives here and needs
nothing from either.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Union


def N_(message: str) -> str:
    """Marks English for the catalogue; it is translated where it is shown."""
    return message


class WordsError(ValueError):
    """A ValueError that says why in ``Words`` (its ``str`` is the English)."""

    def __init__(self, words: "Words"):
        super().__init__(words.said())
        self.words = words


@dataclass(frozen=True)
class Words:
    message: str
    values: tuple[tuple[str, Union[str, "Words"]], ...] = ()

    @classmethod
    def of(cls, message: str, **values: Any) -> "Words":
        return cls(message, tuple((k, v if isinstance(v, Words) else str(v)) for k, v in values.items()))

    def said(self, translate: Callable[[str], str] | None = None) -> str:
        """The words, through ``translate`` (a gettext function); in English without one."""
        text = translate(self.message) if translate and self.message else self.message
        if not self.values:
            return text
        return text.format(**{k: v.said(translate) if isinstance(v, Words) else v for k, v in self.values})

    def __str__(self) -> str:
        return self.said()

    def to_json(self) -> Any:
        """A plain string when there is nothing to fill; else [message, {name: value}]."""
        if not self.values:
            return self.message
        return [self.message, {k: v.to_json() if isinstance(v, Words) else v for k, v in self.values}]

    @classmethod
    def from_json(cls, data: Any) -> "Words":
        if isinstance(data, str):
            return cls(data)
        if (isinstance(data, list) and len(data) == 2 and isinstance(data[0], str)
                and isinstance(data[1], dict)):
            return cls(data[0], tuple((str(k), v if isinstance(v, str) else cls.from_json(v))
                                      for k, v in data[1].items()))
        raise ValueError("not words: expected a string or [message, {values}]")
