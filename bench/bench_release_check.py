"""``afasgov release-check --offline`` on ``synthetic:170`` trees, against the code before the workspace.

The repository (:mod:`bench.synthetic_repo`): production and accept trees of ``synthetic:170``, 20 ``.gcn``
definitions, 4 integration manifests with 12 recorded payloads, waivers and a policy, in git. Each run
is a child process (``python -m afasgov``) on a fresh copy of the reports directory; the baseline is the
same command of the commit before issue 12's redesign (``AFASGOV_BENCH_BASELINE``, default ``75b68e8``),
checked out beside this one with ``git worktree`` and run with the same interpreter and dependencies —
a same-run baseline. Also reported: how many times the run opened files of the repository for reading
(audit hook), against the number of input files.

Targets: faster than the baseline; every input file opened once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import synthetic_repo
from bench.common import Result

BASELINE = os.environ.get("AFASGOV_BENCH_BASELINE", "75b68e8")
HERE = Path(__file__).resolve().parents[1]

def _run(code_dir: Path, repo: Path, *, count: bool = False) -> tuple[float, dict[str, int]]:
    shutil.rmtree(repo / "reports", ignore_errors=True)
    (repo / "reports").mkdir()
    env = {**os.environ, "PYTHONPATH": str(code_dir)}
    args = [sys.executable, "-c", synthetic_repo.COUNT_OPENS, str(repo)] if count else [
        sys.executable, "-m", "afasgov", "--config", str(repo / "afasgov.yaml"), "release-check", "--offline"]
    start = time.perf_counter()
    proc = subprocess.run(args, check=False, capture_output=True, text=True, cwd=repo, env=env, timeout=1200)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"release-check failed ({code_dir}): {proc.stderr.strip()[-500:]}")
    return seconds, (json.loads(proc.stdout.strip().splitlines()[-1])["counts"] if count else {})


def run(quick: bool = False) -> list[Result]:
    n = 40 if quick else 170
    repeat = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="afasgov-bench-release-") as tmp:
        base_dir = Path(tmp) / "baseline"
        subprocess.run(["git", "-C", str(HERE), "worktree", "add", "--detach", str(base_dir), BASELINE],
                       check=True, capture_output=True)
        try:
            repo = Path(tmp) / "repo"
            synthetic_repo.build(repo, n)
            inputs = [p for p in repo.rglob("*") if p.is_file() and ".git" not in p.relative_to(repo).parts]
            # (the opens also count the index reading this run's own JSON report once)
            new_times, base_times = [], []
            for _ in range(repeat):  # alternate, so both see the same machine load
                new_times.append(_run(HERE, repo)[0])
                base_times.append(_run(base_dir, repo)[0])
            _, new_opens = _run(HERE, repo, count=True)
            _, base_opens = _run(base_dir, repo, count=True)
        finally:
            subprocess.run(["git", "-C", str(HERE), "worktree", "remove", "--force", str(base_dir)],
                           check=False, capture_output=True)
    return [
        Result(f"release-check --offline synthetic:{n} (workspace)", min(new_times), "s",
               baseline_name=f"the same command at {BASELINE}", baseline_value=min(base_times),
               target="faster than the baseline",
               details={"runs": repeat}),
        Result(f"files opened for reading, synthetic:{n}", sum(new_opens.values()), "opens",
               baseline_name=f"at {BASELINE}", baseline_value=sum(base_opens.values()),
               target=f"each of the {len(inputs)} input files once",
               details={"most opens of one file": max(new_opens.values(), default=0),
                        "baseline most": max(base_opens.values(), default=0)}),
    ]
