"""Hostile and broken inputs (docs/security.md): helpers shared by the tests in this folder.

Every test here carries the ``hostile`` marker (``pytest -m hostile`` runs them all). The demo
governance repository (``afasgov.yaml`` + ``definitions/`` of this checkout) is copied into a temporary
directory: the commands run as a user would run them from a checkout.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from afasgov.cli import main

REPO = Path(__file__).resolve().parents[2]

#: the longest error line a hostile input may produce (the issue's bound)
MAX_LINE = 500


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.hostile)


def copy_demo(target: Path) -> Path:
    """The demo governance repository (configuration and definitions) in ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "afasgov.yaml", target / "afasgov.yaml")
    shutil.copytree(REPO / "definitions", target / "definitions")
    return target


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return copy_demo(tmp_path / "demo")


@contextlib.contextmanager
def _captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield out, err


def run_cli(cwd: Path, *args: str) -> tuple[int, str, str]:
    """``afasgov ARGS`` in-process in ``cwd``: (exit code, stdout, stderr)."""
    with contextlib.chdir(cwd), _captured() as (out, err):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, out.getvalue(), err.getvalue()


def run_afasgov(cwd: Path, *args: str, timeout: float = 120, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """``python -m afasgov ARGS`` as a subprocess in ``cwd``."""
    env = dict(os.environ, AFASGOV_NO_PROGRESS="1")
    env.update(kwargs.pop("env", {}) or {})  # type: ignore[call-overload]
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "afasgov", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env=env, check=False, **kwargs,
    )


def one_error_line(err: str, *, naming: str | None = None) -> str:
    """The one ``afasgov: error:`` line of ``err`` (asserting there is exactly one line, bounded, no
    traceback and no internal error), optionally naming ``naming``."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err[:2000]
    line = lines[0]
    assert line.startswith("afasgov: error: "), line[:1000]
    assert "internal error" not in line and "Traceback" not in err
    assert len(line) <= MAX_LINE, f"{len(line)} characters: {line[:300]}…"
    if naming is not None:
        assert naming in line, line
    return line
