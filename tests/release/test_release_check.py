"""``afasgov release-check`` end to end against the simulator over a real loopback socket."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from afasgov.config.scaffold import scaffold
from afasgov.demo.run import install_demo_integrations
from afasgov.release.check import CheckOutcome, ReleaseCheckOptions, release_check
from afasgov.release.model import item_json
from afasgov.report.publish import publish
from afasgov.workspace import Workspace

pytestmark = pytest.mark.e2e

CLOCK = datetime(2026, 10, 1, 5, 17, 3, tzinfo=UTC)


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "AFASGOV_CORPUS"}
    return subprocess.run([sys.executable, "-m", "afasgov", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, env=env)


def check(config: Path, options: ReleaseCheckOptions, *, write: bool = True) -> CheckOutcome:
    """``afasgov release-check`` as a library call: one workspace, the report, written unless ``write`` is off."""
    ws = Workspace.open(config)
    report = release_check(ws, options)
    return publish(report, ws) if write else CheckOutcome(report)


@pytest.fixture(scope="module")
def live_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A governance repository with the demo manifests, snapshotted live from a running simulator."""
    from afasgov.sim.testing import running_sim

    root = tmp_path_factory.mktemp("repo")
    scaffold(root, example_manifest=False, config=False)
    install_demo_integrations(root / "definitions" / "integrations")
    with running_sim("demo") as sim:
        sim.write_config(root / "afasgov.yaml")
        outcome = check(root / "afasgov.yaml", ReleaseCheckOptions(now=lambda: CLOCK))
    assert outcome.paths, "the live run wrote no reports"
    yield root


@pytest.fixture
def repo(live_repo: Path, tmp_path: Path) -> Path:
    """A private copy of the snapshotted repository (for --offline runs that change things)."""
    copy = tmp_path / "repo"
    shutil.copytree(live_repo, copy, symlinks=True)
    return copy


def latest_json(root: Path) -> dict[str, object]:
    files = sorted((root / "reports").glob("*-release-check-*.json"))
    assert files
    data = json.loads(files[-1].read_text())
    assert isinstance(data, dict)
    return data


def test_live_run_reports_breaking_changes_payloads_and_risky_app_connectors(live_repo: Path) -> None:
    data = latest_json(live_repo)
    assert data["verdict"] == "FAIL"
    assert data["base"]["source"] == "live" and data["base"]["profit_version"]
    assert (live_repo / "definitions" / "production" / "_snapshot.yaml").is_file()
    assert (live_repo / "definitions" / "accept" / "_snapshot.yaml").is_file()
    changes = {(c["id"], c["path"]): c for c in data["changes"]}
    removed = changes[("request-property-removed", "KnUser/Element/Fields/XOEA")]
    assert removed["level"] == "ERR" and removed["integrations"] == ["helloid"]
    # a removed field points at the snapshot file that holds it: production's, at the field's line
    assert removed["file"] == "definitions/production/update/KnUser.yaml"
    lines = (live_repo / removed["file"]).read_text(encoding="utf-8").split("\n")
    assert lines[removed["line"] - 1] == "- field_id: XOEA"
    # the payloads the integrations send: XOEA no longer exists, the announcement is too long now
    problems = {(v["id"], v["payload"]) for v in data["validation"]}
    assert ("payload-unknown-field", "definitions/integrations/helloid/payloads/new-user.json") in problems
    announcement = "definitions/integrations/intranet/payloads/announcement.json"
    assert ("payload-value-too-long", announcement) in problems
    assert not any(v["payload"].endswith("work-email.json") for v in data["validation"])
    # the risky App Connectors are in the audit
    findings = {(f["id"], f["app_connector"]) for f in data["findings"]}
    assert ("AC005", "iam") in findings  # KnUser write
    assert any(i == "AC022" and a == "legacy-portal" for i, a in findings)  # classic token, no expiry
    by_name = {i["name"]: i for i in data["integrations"]}
    assert by_name["helloid"]["status"] == "breaks"
    assert by_name["helloid"]["payloads"] == {"checked": 2, "failed": 1}
    assert by_name["finance-dashboard"]["status"] == "ok"
    assert any("helloid" in line for line in by_name["helloid"]["impacts"])
    assert data["inputs"]["definitions/accept"].startswith("sha256:")
    assert data["run_id"] == "2026-10-01T051703Z"


def test_no_secret_reaches_reports_or_definitions(live_repo: Path) -> None:
    secrets = [p.read_text().strip() for p in (live_repo / "afasgov.secrets").iterdir()
               if p.is_file() and p.name != ".gitignore"]
    assert secrets
    needles = set()
    for s in secrets:
        needles.add(s)
        if "<data>" in s:
            needles.add(s.split("<data>")[1].split("</data>")[0])
    for folder in ("reports", "definitions"):
        for path in (live_repo / folder).rglob("*"):
            if path.is_file():
                text = path.read_text(errors="replace")
                for needle in needles:
                    assert needle not in text, f"a demo secret leaked into {path}"


def test_offline_cli_run_has_a_trend_and_rebuilds_the_index(repo: Path) -> None:
    result = run_cli("--config", str(repo / "afasgov.yaml"), "release-check", "--offline", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert "FAIL:" in result.stdout and ".html" in result.stdout
    data = latest_json(repo)
    assert data["base"]["source"] == "committed"
    assert data["trend"]["previous_run"] == "2026-10-01T051703Z"
    assert set(data["trend"]["delta"]) == {"ERR", "WARN", "INFO"}
    index = (repo / "reports" / "index.html").read_text()
    assert index.count("release-check") >= 2
    quiet = run_cli("--config", str(repo / "afasgov.yaml"), "--quiet", "release-check", "--offline", cwd=repo)
    assert quiet.returncode == 1
    assert quiet.stdout.strip().startswith("FAIL:") and quiet.stdout.count("\n") == 1
    rebuilt = run_cli("--config", str(repo / "afasgov.yaml"), "report", "index", cwd=repo)
    assert rebuilt.returncode == 0 and "index.html" in rebuilt.stdout


def test_waivers_apply_once_over_every_section(repo: Path) -> None:
    data = latest_json(repo)
    change = next(c for c in data["changes"] if c["path"] == "KnUser/Element/Fields/XOEA")
    finding = next(f for f in data["findings"] if f["id"] == "AC005")
    (repo / "definitions" / "waivers.yaml").write_text(
        "waivers:\n"
        f"  - fingerprint: \"{change['fingerprint']}\"\n    reason: HelloID drops XOEA in release 4.2\n"
        "    owner: iam-team@lindeboom.example\n    expires: 2099-12-31\n"
        f"  - fingerprint: \"{finding['fingerprint']}\"\n    reason: approved IAM integration\n"
        "    owner: ciso@lindeboom.example\n    expires: 2099-12-31\n"
        "  - id: payload-value-too-long\n    path: \"KnSubject/**\"\n    reason: old\n"
        "    owner: x@lindeboom.example\n    expires: 2020-01-01\n")
    config = repo / "afasgov.yaml"
    outcome = check(config, ReleaseCheckOptions(offline=True, now=lambda: CLOCK))
    report = outcome.report
    waived = {i.fingerprint for i in report.items if i.waived}
    assert all(item_json(i, report.waivers)["waiver"]["status"] == "active" for i in report.items if i.waived)
    assert change["fingerprint"] in waived and finding["fingerprint"] in waived
    statuses = {w.reason: w.status for w in report.waivers}
    assert statuses == {"HelloID drops XOEA in release 4.2": "active", "approved IAM integration": "active",
                        "old": "expired"}
    assert any("expired" in n for n in report.notes)
    too_long = [i for i in report.items if i.id == "payload-value-too-long"]
    assert too_long and not any(i.waived for i in too_long)
    assert report.verdict == "FAIL"  # other ERRs remain


def test_fail_on_and_pass(repo: Path) -> None:
    config = repo / "afasgov.yaml"
    # nothing fails when every unwaived item is below the threshold: waive everything at ERR/WARN
    outcome = check(config, ReleaseCheckOptions(offline=True, now=lambda: CLOCK), write=False)
    serious = [i for i in outcome.report.items if i.level in ("ERR", "WARN")]
    assert outcome.exit_code == 1
    lines = ["waivers:"]
    for item in {i.fingerprint: i for i in serious}.values():
        lines += [f"  - fingerprint: \"{item.fingerprint}\"", "    reason: accepted for the test",
                  "    owner: test@lindeboom.example", "    expires: 2099-12-31"]
    (repo / "definitions" / "waivers.yaml").write_text("\n".join(lines) + "\n")
    passed = check(config, ReleaseCheckOptions(offline=True, now=lambda: CLOCK), write=False)
    assert passed.report.verdict == "PASS" and passed.exit_code == 0
    strict = check(config, ReleaseCheckOptions(offline=True, fail_on="INFO", now=lambda: CLOCK), write=False)
    assert strict.report.verdict == ("FAIL" if strict.report.counts()["INFO"] else "PASS")


def test_offline_without_snapshot_is_exit_2(repo: Path) -> None:
    shutil.rmtree(repo / "definitions" / "accept")
    before = sorted(p.name for p in (repo / "reports").iterdir())
    result = run_cli("--config", str(repo / "afasgov.yaml"), "release-check", "--offline", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "no snapshot of accept" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (repo / "reports").iterdir()) == before


def test_unknown_environment_is_exit_2(repo: Path) -> None:
    result = run_cli("--config", str(repo / "afasgov.yaml"), "release-check", "--offline", "--accept", "nope",
                     cwd=repo)
    assert result.returncode == 2 and "nope" in result.stderr
    same = run_cli("--config", str(repo / "afasgov.yaml"), "release-check", "--offline", "--accept",
                   "production", cwd=repo)
    assert same.returncode == 2 and "same environment" in same.stderr


def test_remote_failure_is_exit_3_and_keeps_the_previous_snapshots(repo: Path) -> None:
    """The simulator is gone (the config points at a closed port): exit 3, nothing overwritten."""
    before = {p: p.read_bytes() for p in (repo / "definitions").rglob("*") if p.is_file()}
    reports_before = sorted(p.name for p in (repo / "reports").iterdir())
    result = run_cli("--config", str(repo / "afasgov.yaml"), "release-check", cwd=repo)
    assert result.returncode == 3, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    after = {p: p.read_bytes() for p in (repo / "definitions").rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in (repo / "reports").iterdir()) == reports_before


def test_manifests_missing_are_reported_as_not_seen(repo: Path) -> None:
    shutil.rmtree(repo / "definitions" / "integrations")
    outcome = check(repo / "afasgov.yaml", ReleaseCheckOptions(offline=True, now=lambda: CLOCK), write=False)
    report = outcome.report
    assert report.integrations == []
    assert "validation" in report.skipped
    assert any("no integration manifests" in n for n in report.not_seen)
    assert report.section_items("diff") and report.section_items("audit")
