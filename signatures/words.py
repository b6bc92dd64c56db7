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

from typing import Any, Callable, Union

from msgspec import Struct


def N_(message: str) -> str:
    """Marks English for the catalogue; it is translated where it is shown."""
    return message


class WordsError(ValueError):
    """A ValueError that says why in ``Words`` (its ``str`` is the English)."""

    def __init__(self, words: "Words"):
        super().__init__(words.said())
        self.words = words


class Words(Struct, frozen=True):
    """A message of the catalogue and its values, said in the chosen language when shown."""
    message: str
    values: tuple[tuple[str, Union[str, "Words"]], ...] = ()
    plural: str = ""                # a message that counts: its plural form, and the count
    count: int = 0

    @classmethod
    def of(cls, message: str, **values: Any) -> "Words":
        return cls(message, tuple((k, v if isinstance(v, Words) else str(v)) for k, v in values.items()))

    @classmethod
    def counting(cls, singular: str, plural: str, count: int, **values: Any) -> "Words":
        """A message whose form depends on ``count`` (filled in as {count}), said with ngettext."""
        words = cls.of(singular, count=count, **values)
        return cls(words.message, words.values, plural, int(count))

    def said(self, translate: Callable[[str], str] | None = None,
             ntranslate: Callable[[str, str, int], str] | None = None) -> str:
        """The words, through ``translate`` and ``ntranslate`` (gettext and ngettext); in English
        without them."""
        if self.plural:
            text = (ntranslate(self.message, self.plural, self.count) if ntranslate
                    else self.message if self.count == 1 else self.plural)
        else:
            text = translate(self.message) if translate and self.message else self.message
        if not self.values:
            return text
        return text.format(**{k: v.said(translate, ntranslate) if isinstance(v, Words) else v
                              for k, v in self.values})

    def __str__(self) -> str:
        return self.said()

    def to_json(self) -> Any:
        """A plain string when there is nothing to fill; else [message, {name: value}], or
        [singular, {name: value}, plural, count] for a message that counts."""
        if not self.values and not self.plural:
            return self.message
        values = {k: v.to_json() if isinstance(v, Words) else v for k, v in self.values}
        return [self.message, values, self.plural, self.count] if self.plural else [self.message, values]

    @classmethod
    def from_json(cls, data: Any) -> "Words":
        if isinstance(data, str):
            return cls(data)
        if (isinstance(data, list) and len(data) in (2, 4) and isinstance(data[0], str)
                and isinstance(data[1], dict)):
            values = tuple((str(k), v if isinstance(v, str) else cls.from_json(v)) for k, v in data[1].items())
            if len(data) == 4:
                if not isinstance(data[2], str) or not isinstance(data[3], int) or isinstance(data[3], bool):
                    raise ValueError("not words: a plural form needs its text and a count")
                return cls(data[0], values, data[2], data[3])
            return cls(data[0], values)
        raise ValueError("not words: expected a string or [message, {values}]")
