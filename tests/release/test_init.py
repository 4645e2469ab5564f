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

EXPECTED = {"afasgov.yaml", "definitions/waivers.yaml", "definitions/integrations/example.yaml.sample",
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
    for rel in ("afasgov.yaml", "definitions/waivers.yaml", "definitions/integrations/example.yaml.sample"):
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
                         env={"AFAS_PRODUCTION_CLIENT_SECRET": "x" * 8, "AFAS_ACCEPT_CLIENT_SECRET": "y" * 8})
    assert via_config.returncode == 0, via_config.stderr
    assert "No reports yet" in (scaffolded / "reports" / "index.html").read_text()


REPO = Path(__file__).resolve().parents[2]


def _scaffold_with_snapshots(root: Path) -> Path:
    """``afasgov init`` plus the example repository's committed production and accept snapshots."""
    import shutil

    scaffold(root)
    for env in ("production", "accept"):
        shutil.copytree(REPO / "definitions" / env, root / "definitions" / env)
    return root


def test_the_scaffold_never_changes_a_verdict(tmp_path: Path) -> None:
    """A fresh scaffold holds no integration manifest: no ERR is regraded to WARN because "no integration
    uses it", and no made-up integration is reported (issue 14 §4)."""
    import json

    root = _scaffold_with_snapshots(tmp_path / "repo")
    (tmp_path / "none").mkdir()
    scaffolded = run_cli("diff", "production", "accept", "--format", "json", cwd=root)
    bare = run_cli("diff", "production", "accept", "--format", "json", "--integrations", str(tmp_path / "none"),
                   cwd=root)
    assert scaffolded.returncode == bare.returncode == 1, scaffolded.stderr + bare.stderr
    levels = [(c["id"], c["path"], c["level"]) for c in json.loads(scaffolded.stdout)["changes"]]
    assert levels == [(c["id"], c["path"], c["level"]) for c in json.loads(bare.stdout)["changes"]]
    assert "no integration manifest uses it" not in run_cli("diff", "production", "accept", cwd=root).stdout
    assert not list((root / "definitions" / "integrations").glob("*.yaml"))


def test_the_disabled_example_manifest_is_a_valid_manifest_once_copied(tmp_path: Path) -> None:
    from afasgov.integrations import load_manifests

    root = tmp_path / "repo"
    scaffold(root)
    integrations = root / "definitions" / "integrations"
    (sample,) = [p for p in integrations.iterdir() if p.is_file()]
    assert sample.suffix != ".yaml" and "copy" in sample.read_text().lower()
    (tmp_path / "enabled").mkdir()
    (tmp_path / "enabled" / "example.yaml").write_text(sample.read_text())
    manifests = load_manifests(tmp_path / "enabled", required=True)
    assert len(manifests) == 1


def test_init_says_what_to_fill_in(tmp_path: Path) -> None:
    result = run_cli("init", "repo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for what in ("tenant", "client_id", "AFAS_PRODUCTION_CLIENT_SECRET", "definitions/integrations/",
                 "afasgov check", "afasgov snapshot --all", "afasgov release-check"):
        assert what in out, what


def test_the_scaffold_passes_its_own_configuration_audit(tmp_path: Path) -> None:
    """The template's App Connectors use OAuth: afasgov's own audit (AC029, classic tokens) has nothing to
    say about a fresh scaffold (issue 14 §5); classic tokens are shown as the legacy option only."""
    import json

    root = tmp_path / "repo"
    scaffold(root)
    result = run_cli("audit", "--no-secret-scan", "--format", "json", "--only", "AC029", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["findings"] == []
    config = yaml.safe_load((root / "afasgov.yaml").read_text())
    auths = [app["auth"] for env in config["environments"].values() for app in env["app_connectors"].values()]
    assert auths and all(a["type"] == "oauth" for a in auths)
    assert "type: classic" in (root / "afasgov.yaml").read_text()  # still shown, commented, as legacy
