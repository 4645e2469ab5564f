""".pre-commit-hooks.yaml: valid for pre-commit itself, and each hook's entry, run as pre-commit runs it
(the console command with the files its ``files:`` pattern selects), accepts the demo repository and
refuses what it is there to refuse."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from afasgov.gcn.codec import MANGLED
from tests.gcn.fixtures import employees_gcn

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def hooks() -> dict[str, dict[str, Any]]:
    from pre_commit.clientlib import load_manifest

    return {hook["id"]: hook for hook in load_manifest(str(MANIFEST))}


def run_hook(hook_id: str, files: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the hook's entry as pre-commit does: entry + args (+ the selected files when pass_filenames)."""
    hook = hooks()[hook_id]
    argv = [*shlex.split(hook["entry"]), *hook["args"]]
    assert argv[0] == "afasgov", "every hook runs an afasgov command"
    pattern = re.compile(hook["files"])
    chosen = [f for f in files if pattern.search(f)] if hook["pass_filenames"] else []
    cmd = [sys.executable, "-m", "afasgov", *argv[1:], *chosen]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, timeout=120)


def test_manifest_is_valid_for_pre_commit_and_names_three_afasgov_hooks() -> None:
    found = hooks()
    assert set(found) == {"afasgov-gcn-check", "afasgov-snapshot-check", "afasgov-secret-scan"}
    for hook in found.values():
        assert hook["language"] == "python"  # pre-commit installs this repository at the pinned rev
        assert shlex.split(hook["entry"])[0] == "afasgov"


@pytest.mark.parametrize(("path", "hook", "selected"), [
    ("definitions/getconnectors/T4E_HelloID_Users.gcn", "afasgov-gcn-check", True),
    ("definitions/getconnectors/T4E_HelloID_Users.yaml", "afasgov-gcn-check", True),
    ("exports/Some_Export.gcn", "afasgov-gcn-check", True),
    ("definitions/accept/update/KnUser.yaml", "afasgov-gcn-check", False),
    ("definitions/integrations/helloid.yaml", "afasgov-gcn-check", False),
    ("definitions/accept/update/KnUser.yaml", "afasgov-snapshot-check", True),
    ("README.md", "afasgov-snapshot-check", False),
])
def test_files_patterns_select_what_each_hook_checks(path: str, hook: str, selected: bool) -> None:
    assert bool(re.search(hooks()[hook]["files"], path)) is selected


# ------------------------------------------------------------------------------------------- gcn
@pytest.fixture
def gcn_repo(tmp_path: Path) -> Path:
    target = tmp_path / "definitions" / "getconnectors"
    shutil.copytree(ROOT / "definitions" / "getconnectors", target)
    return tmp_path


def _gcn_files(repo: Path) -> list[str]:
    return sorted(p.relative_to(repo).as_posix() for p in (repo / "definitions" / "getconnectors").iterdir())


def test_gcn_hook_accepts_the_demo_definitions(gcn_repo: Path) -> None:
    proc = run_hook("afasgov-gcn-check", _gcn_files(gcn_repo), gcn_repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == f"{len(_gcn_files(gcn_repo))} GetConnector file(s) ok\n"


def test_gcn_hook_refuses_an_export_git_converted_as_text(gcn_repo: Path) -> None:
    gcn = gcn_repo / "definitions" / "getconnectors" / "T4E_HelloID_Users.gcn"
    data = gcn.read_bytes()
    gcn.write_bytes(data.decode("utf-8", errors="replace").encode("utf-8"))
    assert MANGLED in gcn.read_bytes()
    proc = run_hook("afasgov-gcn-check", _gcn_files(gcn_repo), gcn_repo)
    assert proc.returncode == 1
    bad = [line for line in proc.stdout.splitlines() if line.startswith("definitions/")]
    assert bad and all("T4E_HelloID_Users" in line for line in bad)
    assert "'*.gcn binary' to .gitattributes" in bad[0]


@pytest.mark.parametrize(("damage", "needle"), [
    (lambda d: d[: len(d) // 2], ""),
    (lambda d: b"", "empty file"),
    (lambda d: b"PK\x03\x04" + d[4:], "ZIP archive"),
])
def test_gcn_hook_refuses_a_truncated_or_foreign_file(tmp_path: Path, damage: Any, needle: str) -> None:
    (tmp_path / "x.gcn").write_bytes(damage(employees_gcn()))
    proc = run_hook("afasgov-gcn-check", ["x.gcn"], tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.startswith("x.gcn: ") and needle in proc.stdout
    assert proc.stderr == ""


def test_gcn_hook_checks_a_stored_yaml_against_its_export(gcn_repo: Path) -> None:
    folder = gcn_repo / "definitions" / "getconnectors"
    yaml_path = folder / "T4E_HelloID_Users.yaml"
    original = yaml_path.read_text(encoding="utf-8")
    files = ["definitions/getconnectors/T4E_HelloID_Users.yaml"]
    # an edit the exporter can apply (a flag) passes
    assert "  blocked: false" in original
    yaml_path.write_text(original.replace("  blocked: false", "  blocked: true"), encoding="utf-8")
    assert run_hook("afasgov-gcn-check", files, gcn_repo).returncode == 0
    # a GUID that is not its export's, and a merge conflict left in the file, fail
    guid = re.search(r"^guid: ([0-9A-F]{32})$", original, re.M)
    assert guid is not None
    yaml_path.write_text(original.replace(guid.group(1), "0" * 32), encoding="utf-8")
    proc = run_hook("afasgov-gcn-check", files, gcn_repo)
    assert proc.returncode == 1 and "differs from its .gcn" in proc.stdout
    yaml_path.write_text("<<<<<<< HEAD\n" + original, encoding="utf-8")
    assert run_hook("afasgov-gcn-check", files, gcn_repo).returncode == 1
    # a definition without its export cannot be exported
    yaml_path.write_text(original, encoding="utf-8")
    (folder / "T4E_HelloID_Users.gcn").unlink()
    proc = run_hook("afasgov-gcn-check", files, gcn_repo)
    assert proc.returncode == 1 and "T4E_HelloID_Users.gcn is missing" in proc.stdout


# -------------------------------------------------------------------------------------- snapshot
@pytest.fixture
def snapshot_repo(tmp_path: Path) -> Path:
    for env in ("accept", "production"):
        shutil.copytree(ROOT / "definitions" / env, tmp_path / "definitions" / env)
    (tmp_path / "afasgov.yaml").write_text("definitions_dir: definitions\nenvironments: {}\n", encoding="utf-8")
    return tmp_path


def test_snapshot_hook_accepts_the_demo_snapshots(snapshot_repo: Path) -> None:
    proc = run_hook("afasgov-snapshot-check", ["definitions/accept/update/KnUser.yaml"], snapshot_repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok    definitions/accept" in proc.stdout and "ok    definitions/production" in proc.stdout


def test_snapshot_hook_points_at_the_first_edited_line(snapshot_repo: Path) -> None:
    path = snapshot_repo / "definitions" / "accept" / "update" / "KnUser.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines, 1) if "mandatory:" in line)
    lines[number - 1] = lines[number - 1].replace("mandatory: false", "mandatory: no").replace(
        "mandatory: true", "mandatory: yes")
    path.write_text("\n".join(lines), encoding="utf-8")
    proc = run_hook("afasgov-snapshot-check", [], snapshot_repo)
    assert proc.returncode == 1
    assert f"definitions/accept/update/KnUser.yaml:{number}: not as afasgov snapshot writes it" in proc.stdout
    assert "ok    definitions/production" in proc.stdout


def test_snapshot_hook_refuses_missing_and_stray_files(snapshot_repo: Path) -> None:
    tree = snapshot_repo / "definitions" / "accept"
    listed = next((tree / "update").iterdir())
    listed.unlink()
    (tree / "get" / "Stray.txt").write_text("x", encoding="utf-8")
    proc = run_hook("afasgov-snapshot-check", [], snapshot_repo)
    assert proc.returncode == 1
    assert "definitions/accept" in proc.stdout
    assert proc.stderr == ""


# ---------------------------------------------------------------------------------------- secrets
def _token() -> str:
    import secrets

    return f"<token><version>1</version><data>{secrets.token_hex(32).upper()}</data></token>"


def test_secret_hook_finds_a_token_in_a_staged_file_and_never_prints_it(tmp_path: Path) -> None:
    token = _token()
    (tmp_path / "notes.md").write_text(f"# notes\n\nAFAS token for hr-sync:\n{token}\n", encoding="utf-8")
    (tmp_path / "clean.md").write_text("nothing here\n", encoding="utf-8")
    proc = run_hook("afasgov-secret-scan", ["notes.md", "clean.md"], tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.startswith("notes.md:4: classic token (XML) (fingerprint sha256:")
    assert token[30:60] not in proc.stdout + proc.stderr
    assert run_hook("afasgov-secret-scan", ["clean.md"], tmp_path).returncode == 0


def test_secret_scan_staged_reads_the_index_not_the_working_tree(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    note = tmp_path / "config" / "notes.txt"
    note.parent.mkdir()
    note.write_text(f"line one\n{_token()}\n", encoding="utf-8")
    git("add", "config/notes.txt")
    note.write_text("line one\n", encoding="utf-8")  # cleaned in the working tree, still staged
    cmd = [sys.executable, "-m", "afasgov", "secret-scan", "--staged"]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and proc.stdout.startswith("config/notes.txt:2: classic token")
    git("add", "config/notes.txt")
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_secret_scan_usage_errors(tmp_path: Path) -> None:
    base = [sys.executable, "-m", "afasgov", "secret-scan"]
    for extra in ([], ["--staged", "x.md"]):
        proc = subprocess.run([*base, *extra], cwd=tmp_path, capture_output=True, text=True, check=False)
        assert proc.returncode == 2 and proc.stderr.startswith("afasgov: error: ")
