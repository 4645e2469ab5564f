"""Secret files and git: tracked is refused; inside a work tree but neither tracked nor ignored is read
with one warning line (the next ``git add -A`` would commit it); ignored or outside a repository is
silent."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from afasgov.config import git_state, is_tracked_by_git, parse_config
from afasgov.config import sources as sources_mod
from afasgov.errors import ConfigError


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    try:
        git(repo, "init", "-q")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git not available")
    return repo


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources_mod, "_WARNED", set())


def secret_file(directory: Path, name: str, value: str = "s3cr3t-value-for-tests") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(value + "\n")
    path.chmod(0o600)
    return path


def app_connector(root: Path, token_file: str) -> Any:
    data = {
        "environments": {
            "production": {
                "tenant": "12345",
                "type": "production",
                "app_connectors": {"a": {"auth": {"type": "classic", "token_file": token_file}}},
            }
        }
    }
    return parse_config(data, path=root / "afasgov.yaml").environment("production").app_connectors["a"]


def warnings_in(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("afasgov: warning:")]


def test_untracked_not_ignored_secret_is_read_with_one_warning(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = secret_file(repo / "afasgov.secrets", "prod.token")
    ac = app_connector(repo, "afasgov.secrets/prod.token")
    assert ac.secret().reveal() == "s3cr3t-value-for-tests"
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = warnings_in(err)
    assert err == line + "\n"  # exactly one line
    assert str(path.resolve()) in line
    assert "git add -A" in line and ".gitignore" in line and "outside the repository" in line
    assert "s3cr3t" not in err
    # once per file and process: a fleet of clients loading the same file does not repeat it
    assert ac.secret().reveal() == "s3cr3t-value-for-tests"
    assert capsys.readouterr().err == ""
    assert git_state(path) == "untracked"


@pytest.mark.parametrize(
    "ignore",
    ["afasgov.secrets/\n", "*.token\n", "/afasgov.secrets/prod.token\n", "afasgov.secrets/*\n!nothing\n"],
)
def test_ignored_secret_is_silent(repo: Path, capsys: pytest.CaptureFixture[str], ignore: str) -> None:
    path = secret_file(repo / "afasgov.secrets", "prod.token")
    (repo / ".gitignore").write_text(ignore)
    assert app_connector(repo, "afasgov.secrets/prod.token").secret().reveal() == "s3cr3t-value-for-tests"
    assert warnings_in(capsys.readouterr().err) == []
    assert git_state(path) == "ignored"


def test_ignore_file_inside_the_secrets_directory_is_enough(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = secret_file(repo / "s", "prod.token")
    (repo / "s" / ".gitignore").write_text("*\n")
    assert git_state(path) == "ignored"
    app_connector(repo, "s/prod.token").secret()
    assert warnings_in(capsys.readouterr().err) == []


def test_secret_outside_any_repository_is_silent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = secret_file(tmp_path / "plain", "prod.token")
    assert git_state(path) == "outside"
    app_connector(tmp_path, "plain/prod.token").secret()
    assert warnings_in(capsys.readouterr().err) == []


def test_tracked_secret_is_refused_without_a_warning(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = secret_file(repo, "prod.token")
    (repo / ".gitignore").write_text("prod.token\n")  # ignored, but added anyway: still tracked
    git(repo, "add", "-f", "prod.token")
    assert git_state(path) == "tracked" and is_tracked_by_git(path)
    with pytest.raises(ConfigError, match="tracked by git") as info:
        app_connector(repo, "prod.token").secret()
    assert info.value.key_path == "environments.production.app_connectors.a.auth.token_file"
    assert warnings_in(capsys.readouterr().err) == []


def test_a_secret_named_like_a_glob_is_judged_by_its_own_name(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``tok?n`` is a literal name, not a pattern that matches the tracked ``token`` beside it."""
    secret_file(repo, "token", "tracked-one")
    git(repo, "add", "token")
    path = secret_file(repo, "tok?n", "untracked-one")
    assert git_state(path) == "untracked"
    assert app_connector(repo, "tok?n").secret().reveal() == "untracked-one"
    (line,) = warnings_in(capsys.readouterr().err)
    assert "tok?n" in line


def test_without_git_nothing_is_refused_or_warned(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = secret_file(repo, "prod.token")
    git(repo, "add", "prod.token")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # git cannot be found
    assert git_state(path) == "outside"
    assert app_connector(repo, "prod.token").secret().reveal() == "s3cr3t-value-for-tests"
    assert warnings_in(capsys.readouterr().err) == []
