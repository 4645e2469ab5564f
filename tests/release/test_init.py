"""``afasgov init``: scaffold, never overwrite, say what exists, atomic writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from afasgov.config.scaffold import scaffold
from afasgov.errors import InputError

EXPECTED = {"afasgov.yaml", "definitions/waivers.yaml", "definitions/integrations/example.yaml",
            "reports/README.md", ".gitattributes"}


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "afasgov", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, env={**os.environ, **(env or {})})


def test_scaffold_creates_the_layout(tmp_path: Path) -> None:
    result = scaffold(tmp_path / "repo")
    root = tmp_path / "repo"
    assert set(result.created) == EXPECTED
    for rel in EXPECTED:
        assert (root / rel).is_file(), rel
    assert (root / "definitions" / "integrations").is_dir()
    assert "*.gcn binary" in (root / ".gitattributes").read_text().splitlines()
    # every YAML file is valid YAML; the config parses with the real configuration loader
    for rel in ("afasgov.yaml", "definitions/waivers.yaml", "definitions/integrations/example.yaml"):
        yaml.safe_load((root / rel).read_text())
    from afasgov.config import parse_config

    config = parse_config(yaml.safe_load((root / "afasgov.yaml").read_text()), path=root / "afasgov.yaml")
    assert set(config.environments) == {"production", "accept"}
    assert config.reports_dir == root / "reports"
    assert config.waivers == root / "definitions" / "waivers.yaml"
    # the waivers template loads with the shared waiver loader and is empty
    from afasgov.waivers import load_waivers

    assert len(load_waivers(root / "definitions" / "waivers.yaml")) == 0
    # no temp files left behind
    assert not [p for p in root.rglob(".*.tmp")]


def test_scaffold_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "definitions").mkdir()
    (tmp_path / "afasgov.yaml").write_text("mine: true\n")
    (tmp_path / "definitions" / "waivers.yaml").write_text("waivers: [mine]\n")
    result = scaffold(tmp_path)
    assert (tmp_path / "afasgov.yaml").read_text() == "mine: true\n"
    assert (tmp_path / "definitions" / "waivers.yaml").read_text() == "waivers: [mine]\n"
    assert "afasgov.yaml" in result.kept and "definitions/waivers.yaml" in result.kept
    assert "exists, kept afasgov.yaml" in result.lines()
    again = scaffold(tmp_path)
    assert again.created == [] and again.updated == []
    assert set(again.kept) == EXPECTED


def test_gitattributes_gets_the_gcn_line_appended(tmp_path: Path) -> None:
    (tmp_path / ".gitattributes").write_text("*.png binary")  # no final newline
    result = scaffold(tmp_path)
    assert (tmp_path / ".gitattributes").read_text() == "*.png binary\n*.gcn binary\n"
    assert any(u.startswith(".gitattributes") for u in result.updated)
    assert scaffold(tmp_path).updated == []


def test_symlink_is_not_followed_or_replaced(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.yaml"
    target.write_text("outside: 1\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "afasgov.yaml").symlink_to(target)
    result = scaffold(repo)
    assert "afasgov.yaml" in result.kept
    assert target.read_text() == "outside: 1\n"
    assert (repo / "afasgov.yaml").is_symlink()


@pytest.mark.parametrize("blocker", ["reports", "definitions", "definitions/integrations"])
def test_a_file_where_a_directory_belongs_is_an_input_error(tmp_path: Path, blocker: str) -> None:
    (tmp_path / blocker).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / blocker).write_text("x")
    with pytest.raises(InputError, match="not a directory"):
        scaffold(tmp_path)


def test_cli_init_exit_codes_and_messages(tmp_path: Path) -> None:
    first = run_cli("init", "repo", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "created afasgov.yaml" in first.stdout
    second = run_cli("init", "repo", cwd=tmp_path)
    assert second.returncode == 0
    assert "exists, kept afasgov.yaml" in second.stdout and "nothing to do" in second.stdout
    (tmp_path / "file").write_text("x")
    bad = run_cli("init", "file", cwd=tmp_path)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr and "is a file" in bad.stderr
    (tmp_path / "repo2").mkdir()
    (tmp_path / "repo2" / "reports").write_text("x")
    blocked = run_cli("init", "repo2", cwd=tmp_path)
    assert blocked.returncode == 2
    assert blocked.stderr.count("\n") == 1
    assert "reports" in blocked.stderr and "not a directory" in blocked.stderr


def test_cli_report_index_with_and_without_a_configuration(tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    missing = run_cli("report", "index", cwd=bare)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    (bare / "reports").mkdir()
    ok = run_cli("report", "index", cwd=bare)
    assert ok.returncode == 0, ok.stderr
    assert (bare / "reports" / "index.html").is_file()
    scaffolded = tmp_path / "repo"
    scaffold(scaffolded)
    via_config = run_cli("--config", str(scaffolded / "afasgov.yaml"), "report", "index", cwd=tmp_path,
                         env={"AFAS_PRODUCTION_TOKEN": "x" * 8, "AFAS_ACCEPT_TOKEN": "y" * 8})
    assert via_config.returncode == 0, via_config.stderr
    assert "No reports yet" in (scaffolded / "reports" / "index.html").read_text()
