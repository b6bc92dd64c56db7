"""Ways of recording what is typed or shown (Linux): keyboard readers, X key recorders, session
recorders as login shells, pam_tty_audit with passwords, sudo I/O logs, preloaded libraries.

Each is a finding that says what it can record. None is proof of watching, so each is "worth
checking" — except sudo's output log, a record of what administrator commands showed, which is
a setting worth knowing about. A signature that names the program or library says more."""
from __future__ import annotations

from . import texts
from .base import Check, Context, Probe, ask, signature_findings
from .findings import Match
from .heuristics import finding
from .processes import program_probes

_LOW = {("sudo-io-log", "log_output")}


def _text_key(rec) -> str:
    return f"sudo-io-log-{rec.value.split('_', 1)[-1]}" if rec.kind == "sudo-io-log" else rec.kind


class CaptureCheck(Check):
    id = "capture"
    what = "ways of recording what is typed or shown"

    def run(self, ctx: Context):
        out = []
        for rec in ctx.snapshot.of("capture"):
            if rec.kind in ("input-reader", "x-input-recorder", "preload", "preload-env") and rec.value.startswith("/"):
                hits = ask(ctx, [p for p in program_probes(rec.value) if p.kind != "sha256"] +
                           [Probe("file_paths", "value", rec.value)])
                if hits:
                    out += signature_findings(self.id, "capture", rec, hits)
                    continue
            key = _text_key(rec)
            values = dict(value=rec.value, detail=rec.detail, location=rec.location, user=rec.user or "")
            t = lambda part: texts.text("heuristics", "capture", key, part, **values)
            tier = "settings" if (rec.kind, rec.value) in _LOW else "suspicious"
            out.append(finding("capture", self.id, "capture", rec, tier=tier,
                               matched=[Match("heuristic", f"{rec.kind}: {rec.detail or rec.value}"[:300],
                                              rec.value, "value")],
                               title_words=t("title"), what_words=t("what"), why_words=t("why"), **values))
        return out
