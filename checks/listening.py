"""Programs that other computers can connect to: known remote-access software by its signature,
and any program that opens a well-known remote-login or remote-control door (VNC, RDP, SSH…)."""
from __future__ import annotations

from .base import Check, Context, Probe, ask, signature_findings
from .heuristics import listening_finding, remote_door
from .processes import program_probes


class ListenersCheck(Check):
    id = "listeners"
    what = "programs that other computers can connect to"
    needs = ("listeners",)

    def run(self, ctx: Context):
        out = []
        seen: set[tuple] = set()
        # An SSH server the settings check already reports (its service is on) is one thing, not two.
        ssh_said = any(s.kind == "remote-login" and "ssh" in s.name.lower() for s in ctx.snapshot.of("settings"))
        for listener in ctx.snapshot.of("listeners"):
            probes = [Probe("process_names", "name", listener.process_name or "")] + program_probes(listener.exe)
            if listener.cmdline:
                probes.append(Probe("process_names", "name", listener.cmdline[0].replace("\\", "/").rsplit("/", 1)[-1]))
            hits = ask(ctx, probes)
            if hits:
                out += signature_findings(self.id, "listeners", listener, hits)
                continue
            # One finding per program and kind of door (a server on 0.0.0.0 and :: is one door).
            f = listening_finding(self.id, listener)
            if f and ssh_said and remote_door(listener) == "ssh":
                continue
            if f:
                key = (listener.pid, listener.exe, listener.port)
                if key not in seen:
                    seen.add(key)
                    out.append(f)
        return out
