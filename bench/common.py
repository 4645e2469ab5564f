"""Shared helpers for benchmarks: timing, peak RSS of a child process, result printing."""

from __future__ import annotations

import json
import resource
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


def peak_rss_mb_of_child(code: str) -> tuple[float, dict[str, Any]]:
    """Run ``code`` in a fresh interpreter; return its peak RSS (MB) and the JSON it printed last."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    payload = json.loads(lines[-1]) if lines else {}
    # ru_maxrss of children is the max over all children so far: the child reports its own too.
    own = payload.pop("_peak_rss_kb", None)
    peak_kb = own if own is not None else max(before, after)
    return peak_kb / 1024.0, payload


def to_json(results: list[Result]) -> str:
    return json.dumps([asdict(r) | {"ratio": r.ratio} for r in results], indent=2)
