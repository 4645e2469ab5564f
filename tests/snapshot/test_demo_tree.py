"""The committed example trees under definitions/ equal a fresh snapshot of the demo simulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from afasgov.demo import snapshots as demo_tree
from afasgov.sim.datasets import shared_dataset
from afasgov.sim.testing import IN_PROCESS_ORIGIN
from afasgov.snapshot.tree import read_tree

pytestmark = pytest.mark.e2e

COMMITTED = demo_tree.DEFAULT_OUT


def test_committed_demo_trees_are_current(tmp_path: Path) -> None:
    if not all((COMMITTED / env / "_snapshot.yaml").exists() for env in ("production", "test", "accept")):
        pytest.fail(f"no demo snapshots under {COMMITTED}: run python -m afasgov.demo.snapshots")
    code, envs = demo_tree.snapshot_demo(tmp_path)
    assert code == 0
    assert sorted(envs) == ["accept", "production", "test"]
    problems = demo_tree.compare(COMMITTED, tmp_path, envs)
    assert not problems, (
        "the committed demo snapshots are stale; run: python -m afasgov.demo.snapshots\n"
        + "\n".join(problems[:20])
    )
    for env in envs:
        assert read_tree(COMMITTED / env) is not None


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The demo trees snapshotted now (a simulator on a new random port)."""
    out = tmp_path_factory.mktemp("fresh")
    code, envs = demo_tree.snapshot_demo(out)
    assert code == 0
    return out, envs


def without_taken_at(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("taken_at:"))


def test_regenerating_the_demo_trees_changes_only_taken_at(fresh: tuple[Path, list[str]]) -> None:
    """The demo records the simulator's logical URL, not the random port it happened to listen on."""
    out, envs = fresh
    dataset = shared_dataset("demo")
    for env in envs:
        new = (out / env / "_snapshot.yaml").read_text()
        assert f'base_url: "{IN_PROCESS_ORIGIN}/{dataset.environment(env).slug}/ProfitRestServices"' in new
        assert "127.0.0.1" not in new
        committed = (COMMITTED / env / "_snapshot.yaml").read_text()
        assert without_taken_at(committed) == without_taken_at(new), (
            f"{env}/_snapshot.yaml: run python -m afasgov.demo.snapshots"
        )


def test_check_mode_reports_a_stale_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _envs = demo_tree.snapshot_demo(tmp_path)
    assert code == 0
    victim = next((tmp_path / "production" / "update").iterdir())
    victim.write_text(victim.read_text().replace("mandatory: false", "mandatory: true", 1))
    assert demo_tree.main(["--check", "--out", str(tmp_path)]) == 1
    assert f"production/update/{victim.name}: differs" in capsys.readouterr().err
