"""Programs that other computers can connect to: known remote-access software by its signature,
and any program that opens a well-known remote-login or remote-control door (VNC, RDP, SSH…)."""
from __future__ import annotations

from .base import Check, Context, Probe, ask, signature_findings
from .heuristics import listening_finding, remote_door
from .processes import program_probes


# Words in the names the settings sources give remote-login settings, by kind of door.
_SAID_AS = {"ssh": ("ssh",), "rdp": ("remote desktop", "xrdp"), "vnc": ("vnc", "screen sharing"),
            "screen": ("screen sharing", "remote desktop")}


class ListenersCheck(Check):
    id = "listeners"
    what = "programs that other computers can connect to"

    def run(self, ctx: Context):
        out = []
        seen: set[tuple] = set()
        # A server the settings check already reports (Remote Login, Screen Sharing, Remote Desktop,
        # an enabled ssh.service…) is one thing, not two: its door is not said again here.
        said = " ".join(s.name.lower() for s in ctx.snapshot.of("settings") if s.kind == "remote-login")
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
            if f and any(word in said for word in _SAID_AS.get(remote_door(listener), ())):
                continue
            if f:
                key = (listener.pid, listener.exe, listener.port)
                if key not in seen:
                    seen.add(key)
                    out.append(f)
        return out
