"""``afasgov demo`` end to end: simulator in-process, scaffold, snapshot, release check, report path."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def test_demo_runs_end_to_end_and_prints_the_report(tmp_path: Path) -> None:
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


def test_demo_does_not_overwrite_edited_manifests(tmp_path: Path) -> None:
    from afasgov.release.demo import install_demo_integrations

    target = tmp_path / "integrations"
    created = install_demo_integrations(target)
    assert any(c.endswith("helloid.yaml") for c in created)
    assert any("payloads" in c for c in created)
    (target / "helloid.yaml").write_text("# edited\n")
    assert install_demo_integrations(target) == []
    assert (target / "helloid.yaml").read_text() == "# edited\n"
