"""Browser extensions named by signatures (by their store id)."""
from __future__ import annotations

from .base import Check, Context, Probe, ask, signature_findings


class ExtensionsCheck(Check):
    id = "extensions"
    what = "browser extensions"
    needs = ("extensions",)

    def run(self, ctx: Context):
        out = []
        for ext in ctx.snapshot.of("extensions"):
            hits = ask(ctx, [Probe("extension_ids", "id", ext.id)])
            out += signature_findings(self.id, "extensions", ext, hits)
        return out
