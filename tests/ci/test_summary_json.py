"""``--summary-json``: release-check and audit name the reports *this* run wrote, and a run that wrote
none says so (CI publishes from it instead of guessing the newest file in reports/)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import demo_copy, run_afasgov_clean

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return demo_copy(tmp_path)


afasgov = run_afasgov_clean


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert data["tool"] == "afasgov" and set(data) == {"tool", "version", "command", "exit_code", "verdict",
                                                      "summary", "reports", "error"}
    return data


def test_release_check_names_this_runs_reports_and_an_error_run_names_none(repo: Path) -> None:
    summary = repo / "ci" / "summary.json"
    proc = afasgov(repo, "release-check", "--offline", "--summary-json", "ci/summary.json")
    assert proc.returncode == 1, proc.stderr
    first = load(summary)
    assert first["command"] == "release-check" and first["exit_code"] == 1 and first["verdict"] == "FAIL"
    assert first["error"] is None and first["summary"]["ERR"] > 0
    assert list(first["reports"]) == ["html", "markdown", "json", "junit", "sarif", "index"]
    for fmt, rel in first["reports"].items():
        assert not Path(rel).is_absolute() and (repo / rel).is_file(), fmt
        assert rel in proc.stdout.replace(str(repo) + "/", "")  # the same paths are printed
    written = sorted(p.name for p in (repo / "reports").iterdir())
    assert {Path(p).name for p in first["reports"].values()} == set(written)
    # the JSON report agrees with the summary's counts
    report = json.loads((repo / first["reports"]["json"]).read_text(encoding="utf-8"))
    assert report["verdict"] == "FAIL"

    # a run that stops with exit 2 writes no report: the summary says so, and names none of the old ones
    shutil.rmtree(repo / "definitions" / "accept")
    proc = afasgov(repo, "release-check", "--offline", "--summary-json", "ci/summary.json")
    assert proc.returncode == 2
    second = load(summary)
    assert second["exit_code"] == 2 and second["reports"] == {} and second["verdict"] is None
    assert "no snapshot of accept" in second["error"]
    assert sorted(p.name for p in (repo / "reports").iterdir()) == written  # yesterday's reports untouched


def test_audit_names_its_output_file_or_none(repo: Path) -> None:
    args = ["audit", "accept", "--no-history", "--summary-json", "s.json"]
    proc = afasgov(repo, *args, "--format", "sarif", "--output", "out/audit.sarif")
    assert proc.returncode == 1, proc.stderr
    data = load(repo / "s.json")
    assert data["command"] == "audit" and data["reports"] == {"sarif": "out/audit.sarif"}
    assert data["verdict"] == "FAIL" and data["summary"]["ERR"] > 0
    assert json.loads((repo / "out" / "audit.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    # printed to stdout: no report file, and the summary says so
    proc = afasgov(repo, *args, "--format", "json")
    assert proc.returncode == 1
    data = load(repo / "s.json")
    assert data["reports"] == {} and data["exit_code"] == 1 and data["error"] is None
    # an unknown environment: exit 2, the error, no report
    proc = afasgov(repo, "audit", "nope", "--summary-json", "s.json", "--format", "sarif", "--output", "x.sarif")
    assert proc.returncode == 2
    data = load(repo / "s.json")
    assert data["exit_code"] == 2 and data["reports"] == {} and "nope" in data["error"]
    assert not (repo / "x.sarif").exists()


def test_summary_paths_outside_the_current_directory_are_absolute(repo: Path, tmp_path_factory: Any) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    proc = afasgov(repo, "audit", "accept", "--no-history", "--no-secret-scan", "--format", "sarif",
                   "--output", str(elsewhere / "a.sarif"), "--summary-json", str(elsewhere / "s.json"))
    assert proc.returncode == 1
    assert load(elsewhere / "s.json")["reports"] == {"sarif": (elsewhere / "a.sarif").resolve().as_posix()}
