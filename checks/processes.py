"""Running programs: known monitoring software, and programs disguised as system ones."""
from __future__ import annotations

from .base import Check, Context, Probe, ask, signature_findings
from .heuristics import program_heuristics


def program_probes(program: str | None, digest: str | None = None) -> list[Probe]:
    """The questions every check asks about a program file it sees run."""
    if not program:
        return [Probe("sha256", "sha256", digest or "")]
    base = program.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return [Probe("process_names", "program", base),
            Probe("executable_paths", "program", program),
            Probe("sha256", "sha256", digest or "")]


class ProcessesCheck(Check):
    id = "processes"
    what = "programs that are running now"
    needs = ("processes",)

    def run(self, ctx: Context):
        out = []
        for proc in ctx.snapshot.of("processes"):
            probes = [Probe("process_names", "name", proc.name)] + program_probes(proc.exe, proc.sha256)
            hits = ask(ctx, probes)
            if hits:
                out += signature_findings(self.id, "processes", proc, hits)
                continue
            out += program_heuristics(self.id, "processes", proc, proc.exe, proc.name, ctx.platform,
                                      started_by_itself=False)
        return out
