"""Background services (Windows services, launchd daemons, systemd units)."""
from __future__ import annotations

from .base import Check, Context, Probe, ask, hosts_in, signature_findings
from .heuristics import program_heuristics, windows_own_service
from .processes import program_probes


class ServicesCheck(Check):
    id = "services"
    what = "background services"

    def run(self, ctx: Context):
        out = []
        for svc in ctx.snapshot.of("services"):
            probes = [Probe("service_names", "name", svc.name),
                      Probe("service_names", "display_name", svc.display_name or ""),
                      Probe("launchd_labels", "name", svc.name if ctx.platform == "macos" else "")]
            probes += program_probes(svc.executable)
            probes += [Probe("domains", "command", h) for h in hosts_in(svc.command)]
            hits = ask(ctx, probes)
            if hits:
                out += signature_findings(self.id, "services", svc, hits)
                continue
            if ctx.platform == "windows" and windows_own_service(svc.name, svc.display_name, svc.command):
                continue                      # DiagTrack, Distributed Link Tracking: Windows' own
            starts = (svc.start or "").lower() in ("automatic", "boot", "system", "enabled", "at boot", "auto")
            out += program_heuristics(self.id, "services", svc, svc.executable, svc.display_name or svc.name,
                                      ctx.platform, started_by_itself=starts)
        return out
