"""Fixtures: AFAS's release notes from the corpus (read in place), demo snapshots, a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from afasgov.cli import main

DEMO_INTEGRATIONS = Path(__file__).resolve().parents[2] / "afasgov/demo/data/integrations"


@pytest.fixture(scope="session")
def notes_dir(corpus_dir: Path) -> Path:
    d = corpus_dir / "afas-release-notes"
    if not (d / "en").is_dir() or not (d / "nl").is_dir():
        pytest.skip(f"no release notes under {d}")
    return d


@pytest.fixture(scope="session")
def demo_definitions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """production/test/accept snapshots of the demo dataset, crawled from the simulator on a loopback
    socket (the dataset's accept has every kind of change; afasgov/sim/datasets/demo/changes/)."""
    from afasgov.demo.snapshots import snapshot_demo

    out = tmp_path_factory.mktemp("demo-definitions")
    code, envs = snapshot_demo(out)
    assert code == 0 and {"production", "accept"} <= set(envs)
    return out


@pytest.fixture
def workdir(tmp_path: Path, demo_definitions: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """cwd = a repository without afasgov.yaml: definitions/{production,accept} of the demo, the demo's
    integration manifests under definitions/integrations."""
    for env in ("production", "accept"):
        shutil.copytree(demo_definitions / env, tmp_path / "definitions" / env)
    shutil.copytree(DEMO_INTEGRATIONS, tmp_path / "definitions" / "integrations")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
