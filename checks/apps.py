"""Installed programs: names, macOS bundle ids, and where they are installed."""
from __future__ import annotations

from .base import Check, Context, Probe, ask, signature_findings
from .heuristics import finding, watching_word, where_found
from .findings import Match


class AppsCheck(Check):
    id = "apps"
    what = "installed programs"
    needs = ("apps",)

    def run(self, ctx: Context):
        out = []
        for app in ctx.snapshot.of("apps"):
            probes = [Probe("program_names", "name", app.name),
                      Probe("bundle_ids", "bundle_id", app.bundle_id or ""),
                      Probe("file_paths", "location", app.location or ""),
                      Probe("executable_paths", "location", app.location or "")]
            hits = ask(ctx, probes)
            if hits:
                out += signature_findings(self.id, "apps", app, hits)
                continue
            word = watching_word(app.name)
            if word:
                out.append(finding("watching-words", self.id, "apps", app,
                                   matched=[Match("heuristic", f"the word '{word}'", app.name, "name")],
                                   value=app.name, word=word,
                                   place=where_found("apps", app)))
        return out
