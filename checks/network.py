"""Network connections to addresses known to belong to monitoring services."""
from __future__ import annotations

from .base import Check, Context, Probe, ask, signature_findings


class ConnectionsCheck(Check):
    id = "connections"
    what = "network connections"

    def run(self, ctx: Context):
        out = []
        for conn in ctx.snapshot.of("connections"):
            if not conn.remote_address:
                continue
            hits = ask(ctx, [Probe("ips", "remote_address", conn.remote_address)])
            out += signature_findings(self.id, "connections", conn, hits)
        return out
