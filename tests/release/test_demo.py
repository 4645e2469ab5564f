"""``afasgov demo`` end to end: simulator in-process, scaffold, snapshot, release check, report path."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def _project_with_a_leaked_token(root: Path) -> None:
    """A project checkout (like afasgov's own) whose history once held a token, ignoring the demo dir."""
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null",
           "PATH": "/usr/bin:/bin"}

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)

    git("init", "-q")
    (root / ".gitignore").write_text("/demo/\n")
    (root / "fixture.xml").write_text("<token><version>1</version><data>" + "AB12" * 16 + "</data></token>\n")
    git("add", ".")
    git("commit", "-q", "-m", "fixture")
    (root / "fixture.xml").unlink()
    git("commit", "-q", "-am", "drop fixture")


def test_demo_runs_end_to_end_and_prints_the_report(tmp_path: Path) -> None:
    _project_with_a_leaked_token(tmp_path)
    work = tmp_path / "demo"
    result = subprocess.run([sys.executable, "-m", "afasgov", "demo", "--dir", str(work)],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    match = re.search(r"Open the report: (\S+\.html)", result.stdout)
    assert match, result.stdout
    html = Path(match.group(1))
    assert html.is_file() and html.parent == (work / "reports").resolve()
    text = html.read_text()
    # accept's breaking changes and the risky App Connectors are in the report
    assert "KnUser/Element/Fields/XOEA" in text
    assert "AC005" in text and "legacy-portal" in text
    assert "helloid" in text
    assert "FAIL:" in result.stdout
    assert (work / "reports" / "index.html").is_file()
    assert (work / "afasgov.yaml").is_file() and (work / ".gitattributes").is_file()
    assert (work / "definitions" / "integrations" / "helloid.yaml").is_file()
    # a second run keeps the working directory and shows a trend
    again = subprocess.run([sys.executable, "-m", "afasgov", "demo", "--dir", str(work)], capture_output=True,
                           text=True, timeout=300, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    reports = sorted((work / "reports").glob("*-release-check-*.json"))
    assert len(reports) == 2
    data = json.loads(reports[-1].read_text())
    assert data["trend"]["previous_run"] == reports[0].name[:18]
    # the secret scan covers the demo's governance directory, never the enclosing project or its history
    assert not [f["path"] for f in data["findings"] if "fixture.xml" in (f["path"] or "")]
    assert any("history not scanned" in note for note in data["not_seen"] + data["checked"])


def test_demo_does_not_overwrite_edited_manifests(tmp_path: Path) -> None:
    from afasgov.demo.run import install_demo_integrations

    target = tmp_path / "integrations"
    created = install_demo_integrations(target)
    assert any(c.endswith("helloid.yaml") for c in created)
    assert any("payloads" in c for c in created)
    (target / "helloid.yaml").write_text("# edited\n")
    assert install_demo_integrations(target) == []
    assert (target / "helloid.yaml").read_text() == "# edited\n"


def test_demo_dir_that_cannot_be_created_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from afasgov.cli import main

    (tmp_path / "file").write_text("x", encoding="utf-8")
    target = tmp_path / "file" / "demo"
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--dir", str(target)])
    out, err = capsys.readouterr()
    assert exc.value.code == 2 and out == ""
    assert err == f"afasgov: error: {target}: cannot create directory: Not a directory\n"


def test_demo_never_replaces_a_projects_own_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`demo --dir` pointed at a real project refuses instead of overwriting its afasgov.yaml."""
    from afasgov.cli import main

    own = tmp_path / "afasgov.yaml"
    own.write_text("# my organisation's configuration\nenvironments: {}\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--dir", str(tmp_path)])
    out, err = capsys.readouterr()
    assert out == ""
    assert exc.value.code == 2
    assert err == f"afasgov: error: {own}: exists and was not written by afasgov demo; choose another --dir\n"
    assert own.read_text(encoding="utf-8").startswith("# my organisation's configuration")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afasgov.yaml"]  # nothing scaffolded
