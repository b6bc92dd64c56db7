"""Before and after, side by side in one run: two source trees, the same commands, interleaved.

    git archive <before-commit> | tar -x -C /tmp/before
    python bench/before_after.py /tmp/before .            # prints one JSON document

For each tree, alternately, N times:
- load: a fresh process loads the built-in signature set and compiles its index (time inside
  the process, and the live objects the collector still tracks afterwards);
- cli: the whole `checkup scan --json` of this computer as the installed command runs it
  (`from device_checkup.app.cli import main`), CPU time (user + system) and wall time of the process.
Medians are reported, and the after/before ratio of each, measured in this one run.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time

LOAD = ("import gc, json, time, sys; t = time.perf_counter();"
        "from device_checkup.signatures.loader import load_set; from device_checkup.signatures.index import compile_set;"
        "s = load_set(); t1 = time.perf_counter(); compile_set(s); t2 = time.perf_counter();"
        "print(json.dumps({'load_ms': (t1 - t) * 1000, 'compile_ms': (t2 - t1) * 1000,"
        " 'tracked': len(gc.get_objects())}))")
CLI = "import sys; from device_checkup.app.cli import main; sys.exit(main())"


def child(tree: str, code: str, *args: str) -> tuple[float, float, str]:
    env = dict(os.environ, PYTHONPATH=os.path.abspath(tree), PYTHONDONTWRITEBYTECODE="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                          cwd="/", timeout=300)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: {proc.stderr[-2000:]}")
    return cpu * 1000, wall * 1000, proc.stdout


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    before, after = argv[0], argv[1]
    n = int(argv[2]) if len(argv) > 2 else 7
    runs: dict[str, dict[str, list[float]]] = {t: {} for t in ("before", "after")}
    for _ in range(n):
        for name, tree in (("before", before), ("after", after)):
            _, _, out = child(tree, LOAD)
            got = json.loads(out)
            for k, v in got.items():
                runs[name].setdefault(k, []).append(v)
            cpu, wall, _ = child(tree, CLI, "scan", "--json")
            runs[name].setdefault("cli_cpu_ms", []).append(cpu)
            runs[name].setdefault("cli_wall_ms", []).append(wall)
    med = {name: {k: round(statistics.median(v), 1) for k, v in r.items()} for name, r in runs.items()}
    ratios = {k: round(med["after"][k] / med["before"][k], 2) for k in med["after"] if med["before"].get(k)}
    print(json.dumps({"runs": n, "median": med, "after/before": ratios}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
