"""Shared fixtures: the public AFAS corpus (read in place, never copied), temp dirs, CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("AFASGOV_CORPUS", REPO.parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """``../shared/corpus``; tests that need it skip with a clear reason where it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"AFAS corpus not found at {CORPUS} (set AFASGOV_CORPUS); CI always has it")
    return CORPUS


@pytest.fixture(scope="session")
def openapi_dir(corpus_dir: Path) -> Path:
    return corpus_dir / "afas-openapi" / "en"


@pytest.fixture(scope="session")
def gcn_corpus_files(corpus_dir: Path) -> list[Path]:
    files = sorted((corpus_dir / "gcn").rglob("*.gcn"))
    if not files:
        pytest.skip(f"no .gcn files under {corpus_dir / 'gcn'}")
    return files


def demo_copy(tmp_path: Path) -> Path:
    """A copy of the demo organisation (afasgov.yaml and definitions/) in ``tmp_path``."""
    shutil.copy(REPO / "afasgov.yaml", tmp_path / "afasgov.yaml")
    shutil.copytree(REPO / "definitions", tmp_path / "definitions")
    return tmp_path


def run_afasgov_clean(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m afasgov ARGS`` in ``repo``, without the caller's AFAS* variables (no real secrets)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFAS")}
    return subprocess.run([sys.executable, "-m", "afasgov", *args], cwd=repo, capture_output=True, text=True,
                          check=False, env=env, timeout=300)
