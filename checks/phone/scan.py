"""A phone check as a ScanResult, so the command line, the report and compare need nothing new."""
from __future__ import annotations

from device_checkup.signatures.loader import SignatureSet

from .. import texts
from ..engine import NotChecked, ScanResult, detail_words, what_words
from ..i18n import _, and_list
from ..findings import SEVERITY_ORDER
from ..snapshot import Snapshot, now_iso
from .adb import Phone
from .android import AndroidPhone, collect
from .judge import judge


class PhoneResult(ScanResult):
    """A ScanResult that speaks of a phone: its headline and what a phone check cannot see."""

    @property
    def headline(self) -> str:
        if self.findings:
            worst = min(SEVERITY_ORDER[f.severity] for f in self.findings)
            return texts.text("phone", "headlines", ("found_high", "found_medium", "found_low")[worst])
        return texts.text("phone", "headlines", "nothing")

    @property
    def device_words(self) -> str:
        return _("this phone")

    def cannot_see_words(self) -> list[str]:
        return cannot_see()

    def to_json_data(self):
        data = super().to_json_data()
        data["cannot_see"] = self.cannot_see_words()
        return data


def not_checked(item, backup: bool = False) -> NotChecked:
    words = texts.load()["phone"]
    if backup:
        reason_words, how = words["backup_reasons"].get(item.reason) or words["backup_reasons"]["error"], words["backup_how"]
    else:
        reason_words = words["reasons"].get(item.reason) or words["reasons"]["error"]
        how = words["how"].get(item.reason) or words["how"]["any"]
    return NotChecked(source=item.source, what=what_words(item), reason=item.reason,
                      reason_words=reason_words, how=how, detail=detail_words(item))


def grouped(items, backup: bool = False) -> list[NotChecked]:
    """What could not be read, one entry per reason: an older phone that lacks four commands
    is told once ("the list of installed apps, … and the default phone app, because this phone
    doesn't answer…"), not in four paragraphs that say the same. Every detail is kept."""
    by_reason: dict[str, list] = {}
    for item in items:
        by_reason.setdefault(item.reason, []).append(item)
    out = []
    for reason, group in by_reason.items():
        first = not_checked(group[0], backup)
        whats = list(dict.fromkeys(what_words(n) for n in group))
        what = and_list(whats)
        details = "; ".join(f"{n.source}: {detail_words(n)}" if n.detail else n.source for n in group) if len(group) > 1 \
            else first.detail
        out.append(NotChecked(source=first.source, what=what, reason=reason, reason_words=first.reason_words,
                              how=first.how, detail=details))
    return out


def android_result(phone: AndroidPhone, signatures: SignatureSet, started_at: str = "",
                   snapshot: Snapshot | None = None) -> ScanResult:
    """The phone judged. Its snapshot keeps what the judge read (checks/phone/saved.py), so it
    can be saved and matched again; a saved one (``snapshot``) is used as it is."""
    snap = snapshot
    if snap is None:
        from .saved import put_android
        snap = Snapshot(platform="android", mode="live", root=None, os_version=phone.description,
                        started_at=started_at or now_iso(), finished_at=now_iso())
        put_android(snap, phone)
        snap.not_read.extend(phone.not_read)
    findings = judge(phone, signatures)
    return PhoneResult(snapshot=snap, findings=findings, not_checked=grouped(snap.not_read),
                       signatures=signatures, checked=[_(w) for w in phone.checked])


def scan_android(phone: Phone, signatures: SignatureSet, progress=None, cancel=None) -> ScanResult:
    """Read the phone (read-only, through the allow-list) and judge what it said. Raises only
    ScanCancelled (a phone that does not answer is said in "could not check")."""
    started = now_iso()
    return android_result(collect(phone, progress, cancel), signatures, started)


def cannot_see() -> list[str]:
    return list(texts.load()["phone"]["cannot_see"])
