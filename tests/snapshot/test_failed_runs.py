"""Failed ``afasgov snapshot`` runs: honest report lines, no directories left behind, ``--debug``."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest

from afasgov.commands.snapshot import _env_line, _traceback_text
from afasgov.errors import RemoteError
from afasgov.secrets import register_secret
from afasgov.sim.app import create_app
from afasgov.sim.datasets import shared_dataset
from afasgov.sim.testing import running_sim
from afasgov.snapshot.crawl import EnvironmentResult, snapshot_environments

from .simconfig import config_file_for, config_for, in_process
from .test_snapshot_cli import afasgov

pytestmark = pytest.mark.e2e


def _refuse_every_credential(work: Path) -> None:
    """Replace every token and client secret with a well-formed value the simulator refuses."""
    for p in (work / "afasgov.secrets").iterdir():
        if p.name.endswith(".token"):
            p.write_text(re.sub(r"<data>[0-9A-Fa-f]{64}</data>", "<data>" + "0" * 64 + "</data>", p.read_text()))
        elif p.name.endswith(".secret"):
            p.write_text("refused-" + "x" * 40 + "\n")


def test_failed_environment_without_previous_snapshot_says_nothing_written(tmp_path: Path) -> None:
    with running_sim("demo") as sim:
        config_file_for(sim, tmp_path)
    result = afasgov(tmp_path, "snapshot", "production")  # the simulator is gone now
    assert result.returncode == 3, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("production"))
    assert "FAILED (exit 3)" in line and "nothing written" in line
    assert "previous snapshot kept" not in result.stdout


def test_failed_run_leaves_no_directories_it_created(tmp_path: Path) -> None:
    with running_sim("demo") as sim:
        config_file_for(sim, tmp_path)
        _refuse_every_credential(tmp_path)
        result = afasgov(tmp_path, "snapshot", "--all")
        nested = afasgov(tmp_path, "snapshot", "--all", "--out", "a/b/defs")
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "definitions").exists()
    assert nested.returncode == 3, nested.stderr
    assert not (tmp_path / "a").exists()


def test_failed_run_keeps_pre_existing_directories(tmp_path: Path) -> None:
    with running_sim("demo") as sim:
        config_file_for(sim, tmp_path)
        (tmp_path / "definitions").mkdir()
        (tmp_path / "a" / "b").mkdir(parents=True)
        result = afasgov(tmp_path, "snapshot", "--all")
        nested = afasgov(tmp_path, "snapshot", "production", "--out", "a/b/c/defs")
        assert afasgov(tmp_path, "snapshot", "production").returncode == 0
        _refuse_every_credential(tmp_path)
        again = afasgov(tmp_path, "snapshot", "--all")
    assert result.returncode == 0, result.stderr  # sanity: a working run keeps what it made
    assert nested.returncode == 0, nested.stderr
    assert (tmp_path / "a" / "b" / "c" / "defs" / "production").is_dir()
    assert again.returncode == 3, again.stderr
    lines = {line.split()[0]: line for line in again.stdout.splitlines() if "FAILED" in line}
    assert set(lines) == {"production", "test", "accept"}
    assert all("previous snapshot kept" in line for line in lines.values())
    assert sorted(os.listdir(tmp_path / "definitions")) == ["accept", "production", "test"]


def test_in_process_failure_removes_only_what_the_run_created(tmp_path: Path) -> None:
    app = create_app(shared_dataset("demo"), fail_rate=1.0, retry_after=0)
    config = config_for(shared_dataset("demo"), tmp_path / "cfg")
    existing = tmp_path / "kept"
    existing.mkdir()
    target = existing / "x" / "y" / "definitions"
    results = asyncio.run(snapshot_environments(config.select(["production"]), target, in_process(app)))
    assert [r.ok for r in results] == [False]
    assert results[0].had_previous is False
    assert existing.is_dir() and os.listdir(existing) == []


def test_debug_prints_a_traceback_per_failed_environment(tmp_path: Path) -> None:
    with running_sim("demo") as sim:
        config_file_for(sim, tmp_path)
    plain = afasgov(tmp_path, "snapshot", "production", "test")
    debug = afasgov(tmp_path, "--debug", "snapshot", "production", "test")
    assert plain.returncode == debug.returncode == 3
    assert "Traceback" not in plain.stderr
    assert debug.stderr.count("Traceback (most recent call last)") == 2, debug.stderr
    # the one-line report is still there, after the tracebacks
    errors = [line for line in debug.stderr.splitlines() if line.startswith("afasgov: error:")]
    assert len(errors) == 2 and any("production" in e for e in errors) and any("test" in e for e in errors)
    assert not (tmp_path / "definitions").exists()


def test_traceback_text_is_redacted() -> None:
    secret = "Zq8-not-a-real-token-but-registered-" + "k" * 20
    register_secret(secret)
    try:
        raise RemoteError(f"environment 'production': refused token {secret}")
    except RemoteError as exc:
        error = exc
    text = _traceback_text(error)
    assert "Traceback (most recent call last)" in text and "test_traceback_text_is_redacted" in text
    assert secret not in text and "RemoteError" in text


def test_env_line_wording() -> None:
    base = Path.cwd()
    err = RemoteError("refused")
    kept = EnvironmentResult(environment="production", tenant="1", type="production", error=err, had_previous=True)
    fresh = EnvironmentResult(environment="production", tenant="1", type="production", error=err)
    assert _env_line(kept, base).endswith("FAILED (exit 3), previous snapshot kept")
    assert _env_line(fresh, base).endswith("FAILED (exit 3), nothing written")
