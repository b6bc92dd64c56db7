"""An advocate's appointment: an anonymous reference, the device, the conversation, per-finding notes.

Everything stays in memory until the advocate saves a report; :meth:`Session.end` forgets it.
No names: the reference is made by the app from the date and a number.
"""
from __future__ import annotations

import datetime as _dt
import random
from importlib import resources
from typing import Any

from msgspec import Struct, field

from device_checkup.checks import i18n, yamlsafe
from device_checkup.checks.i18n import N_

# What the client says about a finding (ISDi's per-app notes, in plain words).
CLIENT_SAYS = {
    "": "",
    "installed": N_("I installed this"),
    "dont-recognise": N_("I don't recognise it"),
    "someone-else": N_("Someone else set this up"),
    "work": N_("My work or school set this up"),
}


class FindingNote(Struct):
    client_says: str = ""            # a key of CLIENT_SAYS
    not_a_concern: bool = False
    note: str = ""

    @property
    def empty(self) -> bool:
        return not (self.client_says or self.not_a_concern or self.note.strip())


def questions() -> list[dict[str, str]]:
    """The questions that guide the conversation (app/data/session_questions.yaml)."""
    text = resources.files("device_checkup.app").joinpath("data", "session_questions.yaml").read_text("utf-8")
    # Context: questions.<id> (tools/translations.py collects the questions from the YAML).
    return [{**q, "ask": i18n.pgettext("questions." + str(q["id"]), q["ask"])}
            for q in yamlsafe.load(text)["questions"]]


def client_says(key: str) -> str:
    """What the client says, in the current language (``key`` is a key of CLIENT_SAYS)."""
    return i18n._(CLIENT_SAYS.get(key, key))


def new_reference(today: _dt.date | None = None, rng: random.Random | None = None) -> str:
    """``YYYYMMDD-NNN``: the date and a number, never a name (ISDi's client id)."""
    today = today or _dt.date.today()
    number = (rng or random.SystemRandom()).randint(1, 999)
    return f"{today:%Y%m%d}-{number:03d}"


def device_of(result) -> str:
    """"android", "ios" or "computer": the kind of device a check was of."""
    platform = result.snapshot.platform
    return platform if platform in ("android", "ios") else "computer"


class Session(Struct):
    reference: str = field(default_factory=new_reference)
    advocate_initials: str = ""
    device_nickname: str = ""
    answers: dict[str, str] = field(default_factory=dict)        # question id → answer
    notes: dict[str, FindingNote] = field(default_factory=dict)  # finding id → note
    result: Any = None                                           # the ScanResult of this appointment
    # Every device checked in this appointment (the laptop, a phone, an iPhone backup): its
    # latest result, so the report of one also has a section for each of the others.
    checks: dict[tuple, Any] = field(default_factory=dict)

    def checked(self, result) -> None:
        """Keep ``result`` as this appointment's check of its device (a check again replaces it)."""
        self.result = result
        snap = result.snapshot
        self.checks[(device_of(result), snap.os_version, snap.root)] = result

    def others(self, result) -> list:
        """The other devices checked in this appointment, in the order they were checked."""
        snap = result.snapshot
        mine = (device_of(result), snap.os_version, snap.root)
        return [r for key, r in self.checks.items() if key != mine and r is not result]

    def note_for(self, finding_id: str) -> FindingNote:
        return self.notes.setdefault(finding_id, FindingNote())

    def end(self) -> None:
        """Forget everything the session held."""
        self.advocate_initials = self.device_nickname = ""
        self.answers.clear()
        self.notes.clear()
        self.result = None
        self.checks.clear()
        self.reference = ""
