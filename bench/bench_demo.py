"""``afasgov demo`` wall time (target ≤ 15 s), as a user runs it: a fresh interpreter, a fresh directory.

Baseline in the same run: ``python -m afasgov --version`` (interpreter start and CLI import), so the
ratio shows how much of the demo is real work. Also: the in-process phases of one demo run, and the
release check alone on the committed snapshots (``--offline``).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Result


def _time(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "afasgov", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"afasgov {' '.join(args)} failed ({proc.returncode}): {proc.stderr[-500:]}")
    return elapsed


def run(quick: bool) -> list[Result]:
    repeat = 1 if quick else 3
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="afasgov-bench-demo-") as tmp:
        root = Path(tmp)
        baseline = statistics.median(_time(["--version"], root) for _ in range(repeat))
        demo_times = [_time(["demo", "--dir", str(root / f"demo-{n}")], root) for n in range(repeat)]
        demo = statistics.median(demo_times)
        results.append(Result("demo wall time (fresh directory, CLI)", demo, "s", "afasgov --version",
                              baseline, target="≤ 15 s",
                              details={"runs": ", ".join(f"{t:.2f}" for t in demo_times)}))
        offline = statistics.median(
            _time(["--config", str(root / "demo-0" / "afasgov.yaml"), "release-check", "--offline"], root)
            for _ in range(repeat))
        results.append(Result("release-check --offline on the demo snapshots (CLI)", offline, "s",
                              "afasgov --version", baseline))
        # the phases, in-process
        from afasgov.demo.run import run as demo_run

        outcome = demo_run(root / "demo-phases", echo=lambda _line: None)
        results.append(Result("demo in-process", outcome.seconds, "s",
                              details={k: f"{v:.2f}s" for k, v in outcome.timings.items()}))
    return results
