"""Things that start by themselves: Run keys, Startup folders, launch agents, .desktop files…"""
from __future__ import annotations

from .base import Check, Context, Probe, ask, hosts_in, signature_findings
from .heuristics import program_heuristics
from .processes import program_probes


class AutostartCheck(Check):
    id = "autostart"
    what = "programs that start by themselves"

    def run(self, ctx: Context):
        out = []
        for entry in ctx.snapshot.of("autostart"):
            probes = [Probe("autostart_names", "name", entry.name),
                      Probe("launchd_labels", "label", entry.label or ""),
                      Probe("autostart_names", "label", entry.label or ""),
                      Probe("bundle_ids", "bundle_id", entry.bundle_id or "")]
            probes += program_probes(entry.executable, entry.sha256)
            probes += [Probe("domains", "command", h) for h in hosts_in(entry.command)]
            hits = ask(ctx, probes)
            if hits:
                out += signature_findings(self.id, "autostart", entry, hits)
                continue
            out += program_heuristics(self.id, "autostart", entry, entry.executable, entry.label or entry.name,
                                      ctx.platform, started_by_itself=True)
        return out
