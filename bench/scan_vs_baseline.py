"""The full live scan against a baseline that only reads the same data.

The baseline is made from the scan itself: one scan runs under an audit hook that records every
folder listed and file opened; the baseline then lists those folders and reads those files
(plus the same psutil and netifaces calls), with no records, no matching and no words.

    python bench/scan_vs_baseline.py                    # both in one process, interleaved
    python bench/scan_vs_baseline.py --whole-process    # whole processes: the real `checkup scan
                                                        # --json` against a bare Python process
                                                        # that reads the same list, CPU compared
    python bench/scan_vs_baseline.py --whole-process --form source   # the same, from this tree

--whole-process measures the form a person runs: this tree installed from its wheel into a
temporary folder (pip compiles every module to bytecode when it installs a wheel; the portable
app ships them compiled too). `--form source` runs the development tree instead, where Python
compiles every module again in every process, because Device Checkup never writes .pyc files.

The in-process figure leaves start-up, imports, loading the signature set and shutdown out of
both sides; the whole-process figure counts them (issue 15), as a person waiting sees it.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.environ.get("PYTHONPATH", "."))
_HASH_LIMIT = 64 * 1024 * 1024


def record_reads(run) -> tuple[list[str], list[str]]:
    folders, files = [], []
    active = [True]

    def hook(event, args):
        if not active[0] or not args:
            return
        if event in ("os.listdir", "os.scandir"):
            folders.append(os.fsdecode(args[0]) if args[0] is not None else ".")
        elif event == "open" and isinstance(args[0], (str, bytes)):
            mode = args[1] if len(args) > 1 else "r"
            if not (isinstance(mode, str) and any(c in mode for c in "wax+")):
                files.append(os.fsdecode(args[0]))
    sys.addaudithook(hook)
    run()
    active[0] = False
    site = os.path.dirname(os.__file__)
    # Python's own files (modules imported during the first scan) are not data the scan reads.
    keep = lambda p: not p.startswith((site, sys.prefix)) and "/site-packages/" not in p \
        and not p.endswith((".py", ".pyc"))
    return sorted(set(filter(keep, folders))), sorted(set(filter(keep, files)))


def baseline(folders: list[str], files: list[str], live: bool = True) -> None:
    """List the folders and read the files; for a live scan, also ask psutil and netifaces what
    the scan asks them (an offline scan of a disk asks neither)."""
    if live:
        import netifaces
        import psutil
        fields = ["pid", "name", "exe", "cmdline", "username", "ppid", "create_time"]
        list(psutil.process_iter(fields, ad_value=None))
        try:
            psutil.net_connections(kind="inet")
        except psutil.AccessDenied:
            pass
        for name in netifaces.interfaces():
            netifaces.ifaddresses(name)
        netifaces.gateways()
    for folder in folders:
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    entry.is_dir(follow_symlinks=False)
        except OSError:
            pass
    for path in files:
        try:
            with open(path, "rb") as f:
                left = _HASH_LIMIT
                while left > 0:
                    chunk = f.read(min(1 << 20, left))
                    if not chunk:
                        break
                    left -= len(chunk)
        except OSError:
            pass


def _cpu_of(argv: list[str], env: dict[str, str] | None = None) -> float:
    """CPU seconds (user + system) of one child process run to its end."""
    import resource
    import subprocess
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600,
                   env={**(env or os.environ), "PYTHONDONTWRITEBYTECODE": "1"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def installed_copy(into: str, tree: str = REPO, deps: str = "runtime") -> tuple[str, str]:
    """This tree installed the way a person gets it from the wheel, in a fresh virtual
    environment: not editable, every module compiled to bytecode by pip at install time (as any
    wheel install does; the portable app ships them compiled too). The environment sees the
    tree's own run-time dependencies, as installed here, and nothing else: a plain path line
    (a ``.pth`` holding a folder name, so no other ``.pth`` file runs and no editable-install
    finder is loaded at start-up, as none is for a person) names a folder of links to exactly
    the distributions its wheel requires, followed to the end (:func:`runtime_view`). Packages
    only the tests or the build need (pytest-qt brings typing_extensions, which msgspec then
    imports, and with it inspect and ast) are not there, as they are not on a person's machine.
    Built from a copy of the tree, so no build/ or .egg-info lands in it; without network when
    this environment's setuptools is recent enough for pyproject.toml (no build isolation, no
    index), else pip fetches the build backend as `pip install .` does.
    ``deps="all"``: every package of this environment instead (a developer's, tests included).
    Returns (python, checkup script)."""
    import shutil
    import subprocess
    import sysconfig
    src = os.path.join(into, "src")
    os.makedirs(src)
    for name in ("app", "checks", "signatures"):
        shutil.copytree(os.path.join(tree, name), os.path.join(src, name), symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(os.path.join(tree, name), src)
    venv = os.path.join(into, "venv")
    base = getattr(sys, "_base_executable", None) or sys.executable
    subprocess.run([base, "-m", "venv", "--without-pip", venv], check=True)
    python = os.path.join(venv, "bin", "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    target = os.path.join(into, "installed")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", target, src]
    try:                    # offline, with this environment's setuptools, when it is recent enough
        subprocess.run(pip[:4] + ["--no-build-isolation", "--no-index"] + pip[4:], check=True, cwd=into,
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except subprocess.CalledProcessError:           # else pip fetches the build backend pyproject asks for
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(pip, check=True, cwd=into, env=env, stdout=subprocess.DEVNULL)
    for name in os.listdir(target):
        if name != "bin":
            os.rename(os.path.join(target, name), os.path.join(site, name))
    shutil.rmtree(src)
    [own] = [n for n in os.listdir(site) if n.startswith("device_checkup-") and n.endswith(".dist-info")]
    view = (runtime_view(os.path.join(site, own), os.path.join(into, "dependencies")) if deps == "runtime"
            else sysconfig.get_paths()["purelib"])
    with open(os.path.join(site, "dependencies.pth"), "w") as fh:
        fh.write(view + "\n")
    return python, os.path.join(target, "bin", "checkup")


def runtime_view(dist_info: str, into: str) -> str:
    """A folder of links to the distributions installed here that the wheel at ``dist_info``
    requires at run time (no extras), and theirs, to the end. Returns the folder."""
    import importlib.metadata as md
    import pathlib
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    os.makedirs(into)
    seen: set[str] = set()
    todo = list(md.PathDistribution(pathlib.Path(dist_info)).requires or [])
    while todo:
        req = Requirement(todo.pop())
        name = canonicalize_name(req.name)
        if name in seen or (req.marker and not req.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        dist = md.distribution(req.name)        # raises if a run-time dependency is missing here
        todo.extend(dist.requires or [])
        base = pathlib.Path(dist.locate_file(""))
        for top in {f.parts[0] for f in dist.files or () if f.parts and f.parts[0] not in ("..", "bin")}:
            link = os.path.join(into, top)
            if not os.path.lexists(link):
                os.symlink(base / top, link)
    return into


def whole_process(repeat: int, form: str = "installed", trees: list[str] | None = None,
                  deps: str = "runtime") -> dict:
    """``form``: "installed" (the default: a non-editable install of this tree, compiled to
    bytecode at install time, as a person runs it) or "source" (this tree as it is, which in a
    development checkout means Python compiles every module again in every process: Device
    Checkup writes no .pyc files). ``trees``: other source trees (e.g. ``git archive`` of older
    commits), each installed the same way and timed in the same rounds, for before/after ratios
    measured side by side."""
    import shutil
    import tempfile
    from device_checkup.checks.engine import run_scan
    from device_checkup.signatures.loader import load_set
    sigset = load_set()
    folders, files = record_reads(lambda: run_scan(signatures=sigset))
    work = tempfile.mkdtemp(prefix="checkup-bench-")
    try:
        reads = os.path.join(work, "reads.json")
        with open(reads, "w") as fh:
            json.dump({"folders": folders, "files": files}, fh)
        if form == "installed":
            python, checkup = installed_copy(work, deps=deps)
            env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            scan_argv = [python, checkup, "scan", "--json"]
        else:
            python, env = sys.executable, dict(os.environ)
            scan_argv = [python, "-m", "device_checkup.app.cli", "scan", "--json"]
        import subprocess
        done = subprocess.run(scan_argv, env=env, capture_output=True, timeout=600)
        json.loads(done.stdout)         # the measured command really scans (a broken install would be fast)
        # The bare process starts the same Python the same way (its site-packages, its .pth files).
        bare_argv = [python, "-S", os.path.abspath(__file__), "--bare", reads]
        scan_t, base_t = [], []
        runs = [(scan_argv, env, scan_t), (bare_argv, env, base_t)]
        others: dict[str, list[float]] = {}
        for n, tree in enumerate(trees or []):
            other_py, other_checkup = installed_copy(os.path.join(work, f"tree{n}"), tree, deps)
            others[tree] = []
            runs.append(([other_py, other_checkup, "scan", "--json"], env, others[tree]))
        for i in range(repeat):
            k = i % len(runs)                           # each starts a round in turn
            for argv, e, times in runs[k:] + runs[:k]:
                times.append(_cpu_of(argv, e) * 1000)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratios = [x / y for x, y in zip(scan_t, base_t)]
    out = {"form": form, "deps": deps if form == "installed" else "all",
           "scan_cpu_ms": statistics.median(scan_t), "baseline_cpu_ms": statistics.median(base_t),
           "ratio": statistics.median(ratios), "repeat": repeat, "folders": len(folders),
           "files": len(files), "scan_all_ms": scan_t, "baseline_all_ms": base_t}
    if others:
        out["trees"] = {tree: {"scan_cpu_ms": statistics.median(t), "all_ms": t,
                               "ratio_to_baseline": statistics.median(x / y for x, y in zip(t, base_t)),
                               "ratio_to_this": statistics.median(x / y for x, y in zip(t, scan_t))}
                        for tree, t in others.items()}
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=9)
    p.add_argument("--whole-process", action="store_true")
    p.add_argument("--form", choices=("installed", "source"), default="installed",
                   help="--whole-process: the scan as installed from the wheel (compiled bytecode), "
                        "or this source tree as it is (compiled again in every process)")
    p.add_argument("--deps", choices=("runtime", "all"), default="runtime",
                   help="--whole-process, installed: the run-time dependencies only, as a person has them "
                        "(the default), or every package here (tests and build tools too)")
    p.add_argument("--trees", nargs="*", default=[], metavar="DIR",
                   help="--whole-process: other source trees (git archive of older commits) timed in the same rounds")
    p.add_argument("--bare", metavar="READS.json", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.bare:                       # the baseline process: the same reads, nothing else
        import site
        site.main()                     # (-S kept Python's start-up to the bare minimum until here)
        with open(args.bare) as fh:
            reads = json.load(fh)
        baseline(reads["folders"], reads["files"], reads.get("live", True))
        return
    if args.whole_process:
        print(json.dumps(whole_process(args.repeat, args.form, args.trees, args.deps)))
        return
    from device_checkup.checks.engine import run_scan
    from device_checkup.signatures.loader import load_set
    sigset = load_set()
    scan = lambda: run_scan(signatures=sigset)
    folders, files = record_reads(scan)
    base = lambda: baseline(folders, files)
    scan_t, base_t = [], []
    for i in range(args.repeat):
        order = [(base, base_t), (scan, scan_t)] if i % 2 == 0 else [(scan, scan_t), (base, base_t)]
        for fn, times in order:
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
    result = scan()
    s, b = statistics.median(scan_t), statistics.median(base_t)
    # The machine's speed drifts during a run (it is shared); each scan is compared with the
    # baseline run right beside it, and the median of those ratios is the figure.
    ratios = [x / y for x, y in zip(scan_t, base_t)]
    print(json.dumps({"scan_ms": s, "baseline_ms": b, "ratio": statistics.median(ratios),
                      "ratio_of_medians": s / b, "repeat": args.repeat,
                      "folders": len(folders), "files": len(files),
                      "records": sum(len(v) for v in result.snapshot.records.values()),
                      "scan_all_ms": scan_t, "baseline_all_ms": base_t}))


if __name__ == "__main__":
    main()
