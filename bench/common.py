"""Shared helpers for benchmarks: timing, peak RSS of a child process, result printing."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Result:
    """One benchmark figure: ``value`` in ``unit``, optionally against a same-run ``baseline``."""

    name: str
    value: float
    unit: str
    baseline_name: str | None = None
    baseline_value: float | None = None
    target: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline_value in (None, 0) or self.baseline_value is None:
            return None
        return self.baseline_value / self.value if self.value else None

    def line(self) -> str:
        text = f"{self.name}: {self.value:.4g} {self.unit}"
        if self.baseline_name is not None and self.baseline_value is not None:
            text += f" | baseline {self.baseline_name}: {self.baseline_value:.4g} {self.unit}"
            if self.ratio is not None:
                text += f" | speed-up x{self.ratio:.2f}"
        if self.target:
            text += f" | target: {self.target}"
        if self.details:
            text += " | " + ", ".join(f"{k}={v}" for k, v in self.details.items())
        return text


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Best wall time (seconds) of ``repeat`` calls; the minimum is the least noisy estimate."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def median_of(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


#: prepended to every child's code: ``_peak_kb()`` is the child's own peak RSS in KiB.
#: ``ru_maxrss`` is not usable for that: Linux carries the parent's high-water mark into a child
#: across fork/vfork + exec, so a child of a large benchmark process would report the parent's peak.
#: ``VmHWM`` in /proc/self/status belongs to the current address space only.
CHILD_PRELUDE = """
def _peak_kb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""


def peak_rss_mb_of_child(code: str) -> tuple[float, dict[str, Any]]:
    """Run ``code`` in a fresh interpreter; return its own peak RSS (MB) and the JSON it printed last.

    The child must print, as its last line, a JSON object with ``"_peak_rss_kb": _peak_kb()``
    (``_peak_kb`` is defined by :data:`CHILD_PRELUDE`, which is prepended to ``code``).
    """
    proc = subprocess.run([sys.executable, "-c", CHILD_PRELUDE + code], capture_output=True, text=True,
                          check=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    payload = json.loads(lines[-1]) if lines else {}
    own = payload.pop("_peak_rss_kb", None)
    if own is None:
        raise RuntimeError("benchmark child did not report _peak_rss_kb")
    return float(own) / 1024.0, payload


def to_json(results: list[Result]) -> str:
    return json.dumps([asdict(r) | {"ratio": r.ratio} for r in results], indent=2)
