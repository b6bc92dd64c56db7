"""Validate and compile the shipped signature set in a fresh process: time, and the memory it adds."""
from __future__ import annotations

import json
import os
import resource
import sys
import time

sys.path.insert(0, os.environ.get("PYTHONPATH", "."))

from device_checkup.signatures.index import compile_set  # noqa: E402
from device_checkup.signatures.loader import load_set  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024      # KB on Linux


before = rss_mb()
t0 = time.perf_counter()
sigset = load_set()
t1 = time.perf_counter()
compile_set(sigset)
t2 = time.perf_counter()
counts = sigset.counts()
print(json.dumps({"load_ms": (t1 - t0) * 1000, "compile_ms": (t2 - t1) * 1000, "total_ms": (t2 - t0) * 1000,
                  "peak_mb": rss_mb() - before, "families": counts["families"], "indicators": counts["indicators"]}))
