"""PDF report: time and memory per finding, and that the read-back holds every finding.

    PYTHONPATH=. python bench/pdf_report.py [50 500 2000]

Each size runs in a fresh process: a real scan (the real engine on the app's fixture sources)
whose findings are copied until there are N, each its own family and title; then
``app.report.build_pdf`` (lay out with fpdf2, read back, check every finding and closing
section). Prints a Markdown table for docs/performance.md.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def one(n: int) -> dict:
    sys.path.insert(0, ROOT)
    import copy
    import tempfile

    from device_checkup.app import report
    from tests.gui_fixtures import every_tier_sources, make_scan
    result = make_scan(every_tier_sources(), root=tempfile.mkdtemp())(progress=lambda p: None, cancel=None,
                                                                     user_paths=[])
    first = result.findings[0]
    made = list(result.findings)
    for i in range(n - len(made)):
        f = copy.copy(first)
        f.family, f.family_name, f.title = f"family-{i}", f"Product {i}", f"Product {i}, a program sold to watch another person's computer"
        made.append(f)
    result.findings = made[:n]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    blocks = report.report_blocks(result)
    data = report._make_pdf(blocks, "bench", json.dumps(result.to_json_data()).encode())
    t1 = time.perf_counter()
    missing = report.missing_from_pdf(data, blocks)
    t2 = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pages = data.count(b"/Type /Page\n") or data.count(b"/Type /Page ") or data.count(b"/Type /Page")
    return {"n": n, "layout_s": t1 - t0, "readback_s": t2 - t1, "rss_before": before, "rss_peak": after,
            "bytes": len(data), "missing": len(missing), "pages": pages - data.count(b"/Type /Pages")}


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--one":
        print(json.dumps(one(int(argv[1]))))
        return 0
    sizes = [int(a) for a in argv] or [50, 500, 2000]
    rows = []
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True,
                             check=True, env={**os.environ, "PYTHONPATH": ROOT})
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print("| findings | pages | PDF size | lay out (per finding) | read back and check | peak memory (process) "
          "| grew by (per finding) | missing on read-back |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        grew = r["rss_peak"] - r["rss_before"]
        print(f"| {r['n']:,} | {r['pages']:,} | {r['bytes'] / 1e6:.1f} MB | {r['layout_s']:.1f} s "
              f"({r['layout_s'] / r['n'] * 1000:.1f} ms) | {r['readback_s']:.1f} s | {r['rss_peak']:.0f} MB "
              f"| {grew:.0f} MB ({grew / r['n'] * 1000:.0f} kB) | {r['missing']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
