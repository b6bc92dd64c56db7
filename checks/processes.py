"""Running programs: known monitoring software, programs disguised as system ones, and how a
program runs (from where, under which name, running which script)."""
from __future__ import annotations

from .base import Check, Context, Probe, ask, signature_findings
from .heuristics import _leaf, interpreter_script, program_heuristics, running_program_signs, watching_word


def program_probes(program: str | None, digest: str | None = None) -> list[Probe]:
    """The questions every check asks about a program file it sees run."""
    if not program:
        return [Probe("sha256", "sha256", digest or "")]
    base = program.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return [Probe("process_names", "program", base),
            Probe("executable_paths", "program", program),
            Probe("sha256", "sha256", digest or "")]


def process_probes(proc, script=None) -> list[Probe]:
    """Every question about a running program: its names, its file, and the script or module an
    interpreter runs (``python3 -m tool`` is the tool, not Python)."""
    probes = [Probe("process_names", "name", proc.name)]
    if proc.comm and proc.comm != proc.name:
        probes.append(Probe("process_names", "name", proc.comm))
    probes += program_probes(proc.exe, proc.sha256)
    if script:
        target, how = script
        if how == "module":
            probes.append(Probe("process_names", "script", target.rsplit(".", 1)[-1]))
            probes.append(Probe("process_names", "script", target))
        else:
            probes += [p for p in program_probes(target) if p.kind != "sha256"]
    return probes


class ProcessesCheck(Check):
    id = "processes"
    what = "programs that are running now"

    def run(self, ctx: Context):
        out = []
        for proc in ctx.snapshot.of("processes"):
            script = interpreter_script(proc.cmdline, proc.exe)
            hits = ask(ctx, process_probes(proc, script))
            if hits:
                out += signature_findings(self.id, "processes", proc, hits)
                continue
            signs = running_program_signs(self.id, "processes", proc, ctx.platform, script)
            # An interpreter's own name says nothing about what it runs: the script is judged instead.
            name = None if script else proc.name
            plain = program_heuristics(self.id, "processes", proc, proc.exe, name, ctx.platform,
                                       started_by_itself=False)
            if not plain and not script and proc.cmdline:
                # The name it gives in its command line (argv[0]) is a name too: `exec -a keylogger …`.
                first = _leaf(proc.cmdline[0].split(" ", 1)[0])
                if first and first != proc.name and watching_word(first):
                    plain = program_heuristics(self.id, "processes", proc, None, first, ctx.platform,
                                               started_by_itself=False)
            out += signs + plain
        return group_same(out)


def group_same(findings: list) -> list:
    """One finding per sign and program: nine copies of one program deleted after starting are
    one thing to check, with nine pieces of evidence."""
    out, by_key = [], {}
    for f in findings:
        if f.family or not f.heuristic:
            out.append(f)
            continue
        key = (f.heuristic, f.title, f.what)
        if key in by_key:
            by_key[key].evidence.extend(f.evidence)
        else:
            by_key[key] = f
            out.append(f)
    return out
