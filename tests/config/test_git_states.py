"""git_states: the state of many secret files from one `git ls-files` per directory, the same answers
as asking per file; outside the block every call asks git again."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from afasgov.config import sources
from afasgov.config.sources import git_state, git_states


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_prepared_states_equal_per_file_states(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    (repo / "secrets").mkdir(parents=True)
    try:
        git(repo, "init", "-q")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git not available")
    (repo / ".gitignore").write_text("secrets/ignored-*\n")
    files = {name: repo / "secrets" / name for name in ("tracked.token", "untracked.token", "ignored-1.token",
                                                         "tok*")}
    for path in files.values():
        path.write_text("x\n")
    git(repo, "add", "secrets/tracked.token")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for name in ("a.token", "b.token"):
        (outside / name).write_text("x\n")
    every = [*files.values(), outside / "a.token", outside / "b.token", repo / "secrets" / "missing.token"]
    expected = {p: git_state(p) for p in every}
    assert expected[files["tracked.token"]] == "tracked"
    assert expected[files["untracked.token"]] == "untracked"
    assert expected[files["ignored-1.token"]] == "ignored"
    assert expected[outside / "a.token"] == "outside"
    calls: list[list[str]] = []
    real = subprocess.run

    def counting(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[bytes]:
        calls.append(cmd)
        return real(cmd, **kw)  # type: ignore[call-overload,no-any-return]

    monkeypatch.setattr(sources.subprocess, "run", counting)
    with git_states(every):
        assert len(calls) == 1  # one for the repository's directory; the other is in no work tree at all
        assert {p: git_state(p) for p in every} == expected
        assert len(calls) == 1
    git(repo, "add", "secrets/untracked.token")
    assert git_state(files["untracked.token"]) == "tracked"  # outside the block: asked again


def test_no_git_is_started_outside_every_work_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secrets" / "a.token"
    secret.parent.mkdir()
    secret.write_text("x\n")
    started: list[object] = []
    monkeypatch.setattr(sources.subprocess, "run", lambda *a, **k: started.append(a) or pytest.fail("git started"))
    if any((d / ".git").exists() for d in (tmp_path, *tmp_path.parents)):
        pytest.skip("the temporary directory is inside a git work tree")
    assert git_state(secret) == "outside" and not started
    # GIT_DIR may point a directory anywhere at a repository: then git is asked
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere.git"))
    monkeypatch.setattr(sources.subprocess, "run", lambda *a, **k: started.append(a) or
                        subprocess.CompletedProcess(a, 128, b"", b""))
    assert git_state(secret) == "outside" and len(started) == 1
