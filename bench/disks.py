"""Offline scans of generated Linux and macOS disks as they grow, side by side with a bare
enumeration of the same reads (issue 15, item 6).

    python bench/disks.py linux 1 10                  # a realistic laptop's disk, and ten times that
    python bench/disks.py macos 1 2 5 10
    python bench/disks.py linux 5 10 --grow packages  # only the packages grow; the rest a laptop's

Scale 1 is a realistic laptop (the counts are in DISK below, with where they come from); scale
N has N times as many of everything: users, packages, apps, units (each user keeps a user's
usual share, so the disk grows N times, not N² times). For each scale the disk is written to a temporary folder, one
in-process scan of it runs under an audit hook that records every folder listed and file opened,
and then, alternately, ``repeat`` times each, in fresh processes of this tree installed from its
wheel (bench/scan_vs_baseline.py installed_copy):

- the real ``checkup scan --json --root DISK --platform P``;
- a bare Python process that lists those folders and reads those files, and nothing else.

CPU time (user + system) and peak memory (the child's own ``ru_maxrss``) of each process, their
medians, and the median of the pairs' CPU ratios. The records the scan made of each kind are
counted too, and the bench stops unless they are exactly what the disk holds (a scan that
skipped part of the disk would be fast). Prints one JSON line with a cell per scale.
"""
from __future__ import annotations

import datetime
import json
import os
import plistlib
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scan_vs_baseline  # noqa: E402  (the same installed form and the same bare reader)

# A realistic laptop, per platform (scale 1).
DISK = {
    # Ubuntu/Debian desktops list 2,000–3,000 installed packages (`dpkg -l | wc -l` on a desktop
    # install), ~200 .desktop files in /usr/share/applications and ~400 systemd units in
    # /lib/systemd/system.
    "linux": {"users": 3, "packages": 2500, "desktop_files": 200, "user_desktop_files": 10,
              "xdg_autostart": 15, "user_autostart": 3, "units": 400, "enabled_units": 25, "user_units": 4},
    # A Mac in use: ~120 apps in /Applications, a few per user, ~20 launch agents and ~30 daemons
    # in /Library, a few per user, and several hundred installer receipts.
    "macos": {"users": 3, "apps": 120, "user_apps": 5, "agents": 20, "daemons": 30, "user_agents": 6,
              "receipts": 400},
}
TRANSLATIONS = ["af", "ar", "bg", "ca", "cs", "da", "de", "el", "en_GB", "es", "et", "eu", "fi", "fr", "gl",
                "he", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "nb", "nl", "pl", "pt", "pt_BR", "ro",
                "ru", "sk", "sl", "sr", "sv", "th", "tr", "uk", "vi", "zh_CN", "zh_TW"]


def put(root: Path, path: str, data: bytes | str) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data if isinstance(data, bytes) else data.encode())


def desktop_file(name: str, command: str) -> str:
    """A .desktop file shaped like a real one: translations, then action groups."""
    lines = ["[Desktop Entry]", "Version=1.0", f"Name={name}", "GenericName=Application", f"Exec={command} %U",
             f"Icon={name.lower()}", "Terminal=false", "Type=Application", "Categories=Utility;",
             "StartupNotify=true"]
    lines += [f"Name[{t}]={name} ({t})" for t in TRANSLATIONS]
    lines += [f"Comment[{t}]=Does things in {t}" for t in TRANSLATIONS]
    for action in ("new-window", "new-private-window"):
        lines += ["", f"[Desktop Action {action}]", f"Name={action}", f"Exec={command} --{action}"]
        lines += [f"Name[{t}]={action} {t}" for t in TRANSLATIONS]
    return "\n".join(lines) + "\n"


def unit_file(n: int) -> str:
    return (f"[Unit]\nDescription=Generated service {n}\nDocumentation=man:service{n}(8)\n"
            "After=network.target\n\n[Service]\nType=simple\n"
            f"ExecStart=/usr/sbin/service{n} --foreground --config /etc/service{n}.conf\n"
            "Restart=on-failure\nProtectSystem=full\n\n[Install]\nWantedBy=multi-user.target\n")


def dpkg_stanza(n: int) -> str:
    description = "\n".join(f" line {k} of a long description of package {n}, as Debian writes them." for k in range(12))
    return (f"Package: package-{n}\nStatus: install ok installed\nPriority: optional\nSection: libs\n"
            f"Installed-Size: {100 + n}\nMaintainer: Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>\n"
            f"Architecture: amd64\nSource: source-{n}\nVersion: 1.{n}.0-1ubuntu1\n"
            f"Depends: libc6 (>= 2.34), libpackage-{n + 1}\nDescription: package number {n}\n{description}\n\n")


def linux_disk(root: Path, c: dict) -> dict[str, int]:
    put(root, "/etc/os-release", 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nID=ubuntu\n')
    users = [f"user{u}" for u in range(c["users"])]
    put(root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n" + "".join(
        f"{u}:x:{1000 + i}:{1000 + i}:{u}:/home/{u}:/bin/bash\n" for i, u in enumerate(users)))
    put(root, "/var/lib/dpkg/status", "".join(dpkg_stanza(n) for n in range(c["packages"])))
    for n in range(c["desktop_files"]):
        put(root, f"/usr/share/applications/app{n}.desktop", desktop_file(f"App{n}", f"/usr/bin/app{n}"))
    for n in range(c["xdg_autostart"]):
        put(root, f"/etc/xdg/autostart/helper{n}.desktop", desktop_file(f"Helper{n}", f"/usr/libexec/helper{n}"))
    for n in range(c["units"]):
        put(root, f"/lib/systemd/system/service{n}.service", unit_file(n))
    for n in range(c["enabled_units"]):
        link = root / f"etc/systemd/system/multi-user.target.wants/service{n}.service"
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(f"/lib/systemd/system/service{n}.service", link)
    for u in users:
        home = f"/home/{u}"
        put(root, f"{home}/.bashrc", "# ~/.bashrc\nexport PATH=$HOME/bin:$PATH\nalias ll='ls -l'\n")
        put(root, f"{home}/.profile", "# ~/.profile\n[ -f ~/.bashrc ] && . ~/.bashrc\n")
        for n in range(c["user_desktop_files"]):
            put(root, f"{home}/.local/share/applications/own{n}.desktop", desktop_file(f"Own{n}", f"{home}/bin/own{n}"))
        for n in range(c["user_autostart"]):
            put(root, f"{home}/.config/autostart/start{n}.desktop", desktop_file(f"Start{n}", f"/usr/bin/start{n}"))
        for n in range(c["user_units"]):
            put(root, f"{home}/.config/systemd/user/user{n}.service", unit_file(10_000 + n))
    return {"apps": c["packages"] + c["desktop_files"] + c["users"] * c["user_desktop_files"],
            "services": c["units"],
            "autostart": c["xdg_autostart"] + c["users"] * (c["user_autostart"] + c["user_units"])}


def macos_disk(root: Path, c: dict) -> dict[str, int]:
    def plist(path: str, value) -> None:
        put(root, path, plistlib.dumps(value))

    def app(path: str, n: int) -> None:
        plist(f"{path}/Contents/Info.plist", {
            "CFBundleName": f"App{n}", "CFBundleIdentifier": f"com.example.app{n}",
            "CFBundleShortVersionString": f"{n}.0", "CFBundleExecutable": f"App{n}",
            "LSMinimumSystemVersion": "12.0", "NSHumanReadableCopyright": f"Copyright {n}",
            "CFBundleURLTypes": [{"CFBundleURLName": f"app{n}", "CFBundleURLSchemes": [f"app{n}"]}]})

    def job(path: str, label: str, program: str) -> None:
        plist(path, {"Label": label, "ProgramArguments": [program, "--background"], "RunAtLoad": True,
                     "KeepAlive": {"SuccessfulExit": False}, "StandardErrorPath": "/dev/null"})

    plist("/System/Library/CoreServices/SystemVersion.plist",
          {"ProductName": "macOS", "ProductVersion": "14.6.1", "ProductBuildVersion": "23G93"})
    for n in range(c["apps"]):
        app(f"/Applications/App{n}.app", n)
    for n in range(c["agents"]):
        job(f"/Library/LaunchAgents/com.example.agent{n}.plist", f"com.example.agent{n}",
            f"/Applications/App{n % max(1, c['apps'])}.app/Contents/MacOS/Helper")
    for n in range(c["daemons"]):
        job(f"/Library/LaunchDaemons/com.example.daemon{n}.plist", f"com.example.daemon{n}",
            f"/Library/PrivilegedHelperTools/com.example.daemon{n}")
    for n in range(c["receipts"]):
        plist(f"/private/var/db/receipts/com.example.pkg{n}.plist", {
            "PackageIdentifier": f"com.example.pkg{n}", "PackageVersion": f"{n}.0",
            "InstallDate": datetime.datetime(2024, 1, 1), "InstallPrefixPath": "/"})
        put(root, f"/private/var/db/receipts/com.example.pkg{n}.bom", b"BOMStore" + bytes(200))
    for u in range(c["users"]):
        home = f"/Users/user{u}"
        for n in range(c["user_apps"]):
            app(f"{home}/Applications/Own{n}.app", 1000 + n)
        for n in range(c["user_agents"]):
            job(f"{home}/Library/LaunchAgents/com.example.user{n}.plist", f"com.example.user{n}",
                f"{home}/Library/Application Support/Own{n}/helper")
    return {"apps": c["apps"] + c["users"] * c["user_apps"] + c["receipts"],
            "autostart": c["agents"] + c["daemons"] + c["users"] * c["user_agents"]}


# A child's peak memory (ru_maxrss) starts from the memory of the process that started it: a
# process forked or spawned from this one, which holds the signature set and the disk's listing,
# would report this process's size. So a small Python starts each measured program and reports
# the program's own CPU time and peak (any Python program outgrows that small starter at once).
_STARTER = ("import json, os, sys\n"
            "pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ)\n"
            "_, status, use = os.wait4(pid, 0)\n"
            "print(json.dumps([os.waitstatus_to_exitcode(status), use.ru_utime + use.ru_stime, use.ru_maxrss]))\n")


def _measure(argv: list[str], env: dict) -> tuple[float, float]:
    """CPU seconds (user + system) and peak memory (MB) of one run of ``argv``."""
    out = subprocess.run([sys.executable, "-S", "-c", _STARTER, *argv], env=env, capture_output=True,
                         text=True, timeout=900, check=True).stdout
    code, cpu, peak_kb = json.loads(out.strip().splitlines()[-1])
    if code not in (0, 1):              # 1: `checkup` ran but something could not be checked
        raise RuntimeError(f"{argv} exited {code}")
    return cpu, peak_kb / 1024


# Each of these alone grows in the tables of one dimension at a time (make bench).
GROWN = {"linux": ["users", "packages", "desktop_files", "units"],
         "macos": ["users", "apps", "agents", "receipts"]}


def write_disk(platform: str, scale: int, root: Path, grow: str | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """The disk of ``platform`` at ``scale`` (only the count ``grow`` at that scale, when one
    is named), written at ``root``: (its counts, the records of each kind a scan of it makes)."""
    counts = {k: v if k.startswith("user_") or (grow and k != grow) else v * scale
              for k, v in DISK[platform].items()}
    return counts, (linux_disk if platform == "linux" else macos_disk)(root, counts)


def cell(platform: str, scale: int, python: str, checkup: str, env: dict, repeat: int,
         grow: str | None = None) -> dict:
    from device_checkup.checks.engine import run_scan
    from device_checkup.checks.sources.base import Machine
    from device_checkup.signatures.loader import load_set
    work = Path(tempfile.mkdtemp(prefix=f"checkup-disk-{platform}-"))
    try:
        root = work / "disk"
        counts, expected = write_disk(platform, scale, root, grow)
        disk_bytes = sum(f.stat().st_size for f in root.rglob("*") if f.is_file() and not f.is_symlink())
        sigset = load_set()
        made: dict = {}
        folders, files = scan_vs_baseline.record_reads(
            lambda: made.update(result=run_scan(signatures=sigset, machine=Machine.offline(str(root), platform))))
        records = {k: len(v) for k, v in made["result"].snapshot.records.items()}
        for kind, holds in expected.items():
            if records.get(kind, 0) != holds:
                raise RuntimeError(f"{platform} x{scale}: {records.get(kind, 0)} {kind} records, the disk holds {holds}")
        reads = work / "reads.json"
        reads.write_text(json.dumps({"folders": folders, "files": files, "live": False}))
        scan_argv = [python, checkup, "scan", "--json", "--root", str(root), "--platform", platform]
        bare_argv = [python, "-S", scan_vs_baseline.__file__, "--bare", str(reads)]
        scan, bare = [], []
        for i in range(repeat):
            for argv, out in ([(scan_argv, scan), (bare_argv, bare)] if i % 2 == 0 else
                              [(bare_argv, bare), (scan_argv, scan)]):
                out.append(_measure(argv, env))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"platform": platform, "scale": scale, "grow": grow, "counts": counts, "disk_mb": disk_bytes / 2**20,
            "folders": len(folders), "files": len(files), "records": records,
            "scan_cpu_s": statistics.median(c for c, _ in scan), "scan_peak_mb": statistics.median(m for _, m in scan),
            "bare_cpu_s": statistics.median(c for c, _ in bare), "bare_peak_mb": statistics.median(m for _, m in bare),
            "ratio": statistics.median(s[0] / b[0] for s, b in zip(scan, bare)), "repeat": repeat}


def main(argv: list[str]) -> int:
    import argparse
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("platform", choices=sorted(DISK))
    p.add_argument("scales", nargs="+", type=int)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--grow", choices=sorted({g for gs in GROWN.values() for g in gs}),
                   help="grow only this count (the others stay a laptop's)")
    args = p.parse_args(argv)
    work = tempfile.mkdtemp(prefix="checkup-disks-")
    try:
        python, checkup = scan_vs_baseline.installed_copy(work)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        cells = [cell(args.platform, s, python, checkup, env, args.repeat, args.grow) for s in args.scales]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"platform": args.platform, "cells": cells}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


# -- make bench (bench/run.py) ------------------------------------------------------------------
def run(child, quick: bool) -> dict:
    """The growth of both platforms' disks, each platform in one fresh process."""
    scales = ["1", "10"] if quick else ["1", "2", "5", "10"]
    out = {plat: child("disks.py", plat, *scales, timeout=1800) for plat in ("linux", "macos")}
    out["grown"] = {plat: {g: child("disks.py", plat, *(["10"] if quick else ["5", "10"]), "--grow", g, timeout=1800)
                           for g in GROWN[plat]} for plat in ("linux", "macos")}
    return out


def render(r: dict) -> list[str]:
    counts = {plat: ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in DISK[plat].items()) for plat in DISK}
    lines = ["`bench/disks.py` writes a Linux and a macOS disk of a realistic laptop (scale 1) and of two, five and "
             "ten times its size, and measures in fresh processes, three times each, alternating, the CPU time and "
             "peak memory of the real `checkup scan --json --root DISK --platform P` (installed from the wheel) and "
             "of a bare Python process that lists and reads exactly the folders and files the scan read (recorded "
             "by an audit hook), and nothing else. Scale 1 has:", "",
             f"- Linux: {counts['linux']} (the `user …` counts are each user's);",
             f"- macOS: {counts['macos']} (apps with an XML Info.plist, XML launchd jobs and receipts).", "",
             "| disk | files read | records | scan CPU | bare CPU | × bare | scan memory (peak) | bare memory |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for plat in ("linux", "macos"):
        for c in r.get(plat, {}).get("cells", []):
            lines.append(f"| {'Linux' if plat == 'linux' else 'macOS'} ×{c['scale']} ({c['disk_mb']:.1f} MB) | "
                         f"{c['files']:,} | {sum(c['records'].values()):,} | {c['scan_cpu_s']:.2f} s | "
                         f"{c['bare_cpu_s']:.2f} s | {c['ratio']:.1f}× | {c['scan_peak_mb']:.0f} MB | "
                         f"{c['bare_peak_mb']:.0f} MB |")
    grown = r.get("grown")
    if grown:
        lines += ["", "One count at a time, the others a laptop's (×1 is the laptop's disk above): the whole scan's "
                      "CPU and peak memory, and what each added item cost.", "",
                  "| disk | grown | ×1 | ×5 | ×10 | CPU per added item | memory per added item |",
                  "|---|---|---:|---:|---:|---:|---:|"]
        for plat in ("linux", "macos"):
            base = next((c for c in r.get(plat, {}).get("cells", []) if c["scale"] == 1), None)
            for g, res in grown.get(plat, {}).items():
                cells = {c["scale"]: c for c in res["cells"]}
                if base is None or 10 not in cells:
                    continue
                ten, added = cells[10], cells[10]["counts"][g] - base["counts"][g]
                shown = lambda c: f"{c['scan_cpu_s']:.2f} s, {c['scan_peak_mb']:.0f} MB" if c else "–"
                lines.append(f"| {'Linux' if plat == 'linux' else 'macOS'} | {g.replace('_', ' ')} "
                             f"({base['counts'][g]:,} → {ten['counts'][g]:,}) | {shown(base)} | {shown(cells.get(5))} | "
                             f"{shown(ten)} | {(ten['scan_cpu_s'] - base['scan_cpu_s']) / added * 1e6:.0f} µs | "
                             f"{(ten['scan_peak_mb'] - base['scan_peak_mb']) / added * 1024:.1f} kB |")
    lines.append("")
    for plat in ("linux", "macos"):
        cells = {c["scale"]: c for c in r.get(plat, {}).get("cells", [])}
        if 1 in cells and 10 in cells:
            one, ten = cells[1], cells[10]
            per_record = lambda c: c["scan_cpu_s"] / max(1, sum(c["records"].values())) * 1e6
            lines.append(f"{'Linux' if plat == 'linux' else 'macOS'}: ten times the disk costs "
                         f"{ten['scan_cpu_s'] / one['scan_cpu_s']:.1f}× the CPU and {ten['scan_peak_mb'] / one['scan_peak_mb']:.1f}× "
                         f"the memory ({per_record(one):.0f} µs a record at ×1, {per_record(ten):.0f} µs at ×10, "
                         f"the fixed start-up spread over fewer records at ×1).")
    return lines
