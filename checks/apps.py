"""Installed programs: names, macOS bundle ids, and where they are installed."""
from __future__ import annotations

from .i18n import _
from .base import Check, Context, Probe, ask, signature_findings
from .heuristics import finding, watching_word, where_found
from .findings import Match


class AppsCheck(Check):
    id = "apps"
    what = "installed programs"

    def run(self, ctx: Context):
        out = []
        for app in ctx.snapshot.of("apps"):
            # Most installed programs are packages with a name only: ask only what the record has.
            probes = [Probe("program_names", "name", app.name)]
            if app.bundle_id:
                probes.append(Probe("bundle_ids", "bundle_id", app.bundle_id))
            if app.location:
                probes += [Probe("file_paths", "location", app.location),
                           Probe("executable_paths", "location", app.location)]
            hits = ask(ctx, probes)
            if hits:
                out += signature_findings(self.id, "apps", app, hits)
                continue
            word = watching_word(app.name)
            if word:
                out.append(finding("watching-words", self.id, "apps", app,
                                   matched=[Match("heuristic", _("the word '{word}'").format(word=word), app.name, "name")],
                                   value=app.name, word=word,
                                   place=where_found("apps", app)))
        return out
