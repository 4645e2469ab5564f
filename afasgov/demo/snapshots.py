"""Regenerate (or check) the demo organisation's snapshots under ``definitions/``.

``python -m afasgov.demo.snapshots`` starts the simulator's ``demo`` dataset on a loopback
socket, crawls every environment with the real client (exactly what ``afasgov snapshot --all``
does) and writes ``definitions/{production,test,accept}/``. ``_snapshot.yaml`` records the
simulator's logical base URL (``http://sim.test/12345-production/ProfitRestServices``), not the
random loopback port it listened on, so regenerating an unchanged dataset changes only
``taken_at``. ``--check`` crawls into a temporary directory instead and exits 1 if the committed
trees differ (``_snapshot.yaml`` is volatile and ignored), so CI notices when the demo dataset
changed and the example trees were not refreshed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov.config import load_config
from afasgov.snapshot.crawl import CrawlSettings, overall_exit_code, public_url, snapshot_environments
from afasgov.snapshot.tree import SNAPSHOT_FILE

if TYPE_CHECKING:
    from afasgov.config import EnvironmentConfig

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "definitions"


def snapshot_demo(out: Path) -> tuple[int, list[str]]:
    """Snapshot every demo environment into ``out``; returns (exit code, environment names)."""
    from afasgov.sim.serve import IN_PROCESS_ORIGIN, running_sim

    with running_sim("demo") as sim, tempfile.TemporaryDirectory(prefix="afasgov-demo-") as tmp:
        config = load_config(sim.write_config(Path(tmp) / "afasgov.yaml"))
        origin = sim.origin

        def logical_url(env: EnvironmentConfig) -> str:
            """The simulator's logical URL (``http://sim.test/…``), not its random loopback port."""
            if not env.base_url.startswith(origin + "/"):
                raise RuntimeError(f"{env.name}: {env.base_url} is not served by the demo simulator")
            return public_url(IN_PROCESS_ORIGIN + env.base_url[len(origin) :])

        settings = CrawlSettings(public_base_url=logical_url)
        results = asyncio.run(snapshot_environments(config.select(), out, settings))
    for r in results:
        if r.error is not None:
            print(f"demo_tree: {r.environment}: {r.error}", file=sys.stderr)
    return overall_exit_code(results), [r.environment for r in results]


def tree_files(root: Path) -> dict[str, bytes]:
    """The files of a tree except the volatile ``_snapshot.yaml``."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != SNAPSHOT_FILE
    }


def compare(committed: Path, fresh: Path, envs: list[str]) -> list[str]:
    """Differences between the committed trees and fresh ones, one line each."""
    problems: list[str] = []
    for env in envs:
        a, b = tree_files(committed / env), tree_files(fresh / env)
        for rel in sorted(set(a) | set(b)):
            if rel not in a:
                problems.append(f"{env}/{rel}: missing from {committed}")
            elif rel not in b:
                problems.append(f"{env}/{rel}: no longer produced by the demo dataset")
            elif a[rel] != b[rel]:
                problems.append(f"{env}/{rel}: differs")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m afasgov.demo.snapshots", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"definitions directory (default {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--check", action="store_true", help="compare with the committed trees instead of writing"
    )
    args = parser.parse_args(argv)
    if not args.check:
        code, envs = snapshot_demo(args.out)
        if code == 0:
            print(f"demo_tree: wrote {', '.join(envs)} under {args.out}")
        return code
    with tempfile.TemporaryDirectory(prefix="afasgov-demo-check-") as tmp:
        code, envs = snapshot_demo(Path(tmp))
        if code:
            return code
        problems = compare(args.out, Path(tmp), envs)
    for line in problems:
        print(f"demo_tree: {line}", file=sys.stderr)
    if problems:
        print(
            "demo_tree: the committed demo snapshots are stale; run: python -m afasgov.demo.snapshots",
            file=sys.stderr,
        )
        return 1
    print(f"demo_tree: {', '.join(envs)} under {args.out} are current")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
