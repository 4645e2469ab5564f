"""``release-check --openapi`` (issue 16): production's and accept's OpenAPI 3.1 documents next to the reports.

The documents are :mod:`afasgov.openapi`'s export of the snapshots the run holds (``afasgov openapi ENV
--split none``, byte for byte), written to ``reports/<stem>.openapi/<environment>.json``, listed in the JSON
report (``artifacts``), in ``reports/index.html`` and in ``--summary-json``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate as validate_openapi

from afasgov.openapi import export_files
from afasgov.release.check import ReleaseCheckOptions, release_check
from afasgov.report.publish import publish, rebuild_index
from afasgov.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "afasgov.yaml", tmp_path / "afasgov.yaml")
    shutil.copytree(ROOT / "definitions", tmp_path / "definitions")
    return tmp_path


def test_openapi_documents_are_written_next_to_the_reports_and_listed(demo: Path) -> None:
    ws = Workspace.open(demo / "afasgov.yaml")
    outcome = publish(release_check(ws, ReleaseCheckOptions(offline=True, openapi=True)), ws)
    stem = outcome.paths["json"].name.removesuffix(".json")
    reports = demo / "reports"
    expected = {env: reports / f"{stem}.openapi" / f"{env}.json" for env in ("production", "accept")}
    assert {k: v for k, v in outcome.paths.items() if k.startswith("openapi-")} == {
        f"openapi-{env}": path for env, path in expected.items()}
    fresh = Workspace.open(demo / "afasgov.yaml")
    for env, path in expected.items():
        # the same bytes as `afasgov openapi ENV --split none`, and a valid OpenAPI document
        [(name, data)] = export_files(fresh.snapshot(env), split="none")
        assert name == "openapi.json" and path.read_bytes() == data
        document = json.loads(data)
        validate_openapi(document)
        assert document["openapi"].startswith("3.1")
    # production and accept differ (accept carries the next release)
    assert expected["production"].read_bytes() != expected["accept"].read_bytes()

    report = json.loads(outcome.paths["json"].read_text(encoding="utf-8"))
    assert report["artifacts"] == [
        {"kind": "openapi", "environment": env, "title": f"OpenAPI {env}", "path": f"{stem}.openapi/{env}.json"}
        for env in ("production", "accept")]
    assert any(line.startswith("OpenAPI 3.1 documents of production and accept") for line in report["checked"])
    index = (reports / "index.html").read_text(encoding="utf-8")
    for env in ("production", "accept"):
        assert f'<a href="{stem}.openapi/{env}.json">OpenAPI {env}</a>' in index
    # the openapi directory is no run of its own: one run, one row
    assert index.count('<tr><td class="mono nowrap">') == 1


def test_without_openapi_nothing_is_exported(demo: Path) -> None:
    ws = Workspace.open(demo / "afasgov.yaml")
    outcome = publish(release_check(ws, ReleaseCheckOptions(offline=True)), ws)
    assert not [k for k in outcome.paths if k.startswith("openapi")]
    assert not list((demo / "reports").glob("*.openapi"))
    assert "artifacts" not in json.loads(outcome.paths["json"].read_text(encoding="utf-8"))


def test_index_links_only_the_runs_own_artifacts_that_exist(demo: Path) -> None:
    ws = Workspace.open(demo / "afasgov.yaml")
    outcome = publish(release_check(ws, ReleaseCheckOptions(offline=True, openapi=True)), ws)
    path = outcome.paths["json"]
    stem = path.name.removesuffix(".json")
    data = json.loads(path.read_text(encoding="utf-8"))
    (demo / "elsewhere.json").write_text("{}", encoding="utf-8")
    data["artifacts"] += [
        {"title": "up", "path": "../elsewhere.json"},
        {"title": "script", "path": "javascript:alert(1)"},
        {"title": "other run", "path": "2020-01-01T000000Z-release-check-x.openapi/production.json"},
        {"title": "gone", "path": f"{stem}.openapi/gone.json"},
    ]
    path.write_text(json.dumps(data), encoding="utf-8")
    index = rebuild_index(demo / "reports").read_text(encoding="utf-8")
    assert "OpenAPI accept</a>" in index
    for title in ("up", "script", "other run", "gone"):
        assert f">{title}</a>" not in index


def test_cli_summary_json_lists_the_openapi_documents(demo: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFAS")}
    proc = subprocess.run([sys.executable, "-m", "afasgov", "release-check", "--offline", "--openapi",
                           "--summary-json", "summary.json"], cwd=demo, capture_output=True, text=True, env=env,
                          timeout=300, check=False)
    assert proc.returncode == 1, proc.stderr
    reports = json.loads((demo / "summary.json").read_text(encoding="utf-8"))["reports"]
    assert list(reports) == ["html", "markdown", "json", "junit", "sarif", "index", "openapi-accept",
                             "openapi-production"]
    for fmt in ("openapi-accept", "openapi-production"):
        assert reports[fmt].endswith(f".openapi/{fmt.removeprefix('openapi-')}.json")
        assert (demo / reports[fmt]).is_file()
        assert reports[fmt] in proc.stdout.replace(str(demo) + "/", "")  # printed too
