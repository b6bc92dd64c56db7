"""Scheduled tasks (Task Scheduler, cron, systemd timers)."""
from __future__ import annotations

from .base import Check, Context, Probe, ask, hosts_in, signature_findings
from .heuristics import program_heuristics
from .processes import program_probes


class TasksCheck(Check):
    id = "tasks"
    what = "scheduled tasks"

    def run(self, ctx: Context):
        out = []
        for task in ctx.snapshot.of("tasks"):
            short = task.name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
            probes = [Probe("task_names", "name", short), Probe("task_names", "name", task.name)]
            probes += program_probes(task.executable)
            probes += [Probe("domains", "command", h) for h in hosts_in(task.command)]
            hits = ask(ctx, probes)
            if hits:
                out += signature_findings(self.id, "tasks", task, hits)
                continue
            out += program_heuristics(self.id, "tasks", task, task.executable, short, ctx.platform,
                                      started_by_itself=task.enabled is not False)
        return out
