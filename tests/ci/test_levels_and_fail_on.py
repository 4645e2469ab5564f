"""``levels:`` in afasgov.yaml (per-rule overrides, validated with file + key path, applied in one place
for every command) and ``--fail-on none`` (report, never fail) in every command that has ``--fail-on``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from afasgov.catalogues import known_rule_ids
from afasgov.config.loader import parse_config
from afasgov.errors import ConfigError
from afasgov.findings import Finding, Location
from afasgov.levels import LevelOverrides, settle
from afasgov.waivers import WaiverSet

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS = sorted(str(p) for p in (ROOT / "definitions" / "integrations").glob("*/payloads/*"))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "afasgov.yaml", tmp_path / "afasgov.yaml")
    shutil.copytree(ROOT / "definitions", tmp_path / "definitions")
    return tmp_path


def set_levels(repo: Path, text: str) -> None:
    config = repo / "afasgov.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\nlevels:\n" + text, encoding="utf-8")


def afasgov(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFAS")}
    return subprocess.run([sys.executable, "-m", "afasgov", *args], cwd=repo, capture_output=True, text=True,
                          check=False, env=env, timeout=300)


def as_json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


# ------------------------------------------------------------------------------------ configuration
def _config(levels: object) -> Any:
    return parse_config({"levels": levels}, path=Path("/repo/afasgov.yaml"))


def test_levels_accept_any_case_and_yaml_off() -> None:
    config = _config({"AC010": "warn", "payload-unknown-field": "Info", "afas-request-property-label-changed": False,
                      "request-property-removed": "OFF", "AC001": "ERR"})
    assert dict(config.levels) == {"AC010": "WARN", "payload-unknown-field": "INFO",
                                   "afas-request-property-label-changed": "off",
                                   "request-property-removed": "off", "AC001": "ERR"}


@pytest.mark.parametrize(("levels", "key_path", "needle"), [
    ({"AC010": "high"}, "levels.AC010", "must be ERR, WARN, INFO or off"),
    ({"AC010": True}, "levels.AC010", "must be ERR, WARN, INFO or off"),
    ({"AC010": 3}, "levels.AC010", "must be ERR, WARN, INFO or off"),
    (["AC010"], "levels", "must be a mapping"),
])
def test_bad_levels_name_the_file_and_key_path(levels: object, key_path: str, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        _config(levels)
    assert info.value.file == "/repo/afasgov.yaml" and info.value.key_path == key_path
    assert needle in str(info.value)


@pytest.mark.parametrize(("rule_id", "hint"), [
    ("ac010", "did you mean 'AC010'?"),
    ("request-property-remove", "did you mean 'request-property-removed'?"),
    ("no-such-thing-at-all", "docs/rules.md, docs/checks.md"),
])
def test_unknown_rule_ids_are_refused_with_a_hint(rule_id: str, hint: str) -> None:
    overrides = LevelOverrides.from_config(_config({rule_id: "INFO"}))
    with pytest.raises(ConfigError) as info:
        overrides.check(known_rule_ids())
    assert info.value.key_path == f"levels.{rule_id}" and info.value.file == "/repo/afasgov.yaml"
    assert hint in str(info.value)


def test_every_catalogue_contributes_rule_ids() -> None:
    kinds = known_rule_ids()
    assert {"diff rule", "payload check", "audit check"} == set(kinds.values())
    assert kinds["AC010"] == "audit check" and kinds["payload-unknown-field"] == "payload check"
    assert kinds["request-property-removed"] == "diff rule"


def test_settle_overrides_then_waives() -> None:
    def finding(rule: str, level: str, path: str) -> Finding:
        return Finding(id=rule, level=level, text="t", kind="diff", location=Location(path=path),
                       fingerprint=f"sha256:{rule}{path}")

    findings = [finding("request-property-removed", "ERR", "A/Element/Fields/X"),
                finding("request-property-removed", "ERR", "A/Element/Fields/Y"),
                finding("afas-request-property-label-changed", "INFO", "A/Element/Fields/Z"),
                finding("new-optional-request-property", "INFO", "A/Element/Fields/W")]
    levels = LevelOverrides({"request-property-removed": "WARN", "afas-request-property-label-changed": "off"},
                            "afasgov.yaml")
    out, waiver_notes, notes = settle(findings, levels, WaiverSet())
    assert [(f.id, f.level) for f in out] == [("request-property-removed", "WARN")] * 2 + [
        ("new-optional-request-property", "INFO")]
    assert out[0].notes[-1] == "level WARN set by levels: in afasgov.yaml (the rule gives ERR)"
    assert out[0].fingerprint == findings[0].fingerprint  # the identity waivers match stays
    assert notes == ["1 finding(s) of afas-request-property-label-changed not reported: "
                     "levels: in afasgov.yaml turns the rule off"]
    assert waiver_notes == []


def test_findings_are_settled_in_one_place() -> None:
    """Every command gives findings their final level and waiver through afasgov.levels.settle."""
    callers = []
    for path in (ROOT / "afasgov").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"^(?!\s*(#|findings, notes = waiver_set)).*\.waive\(", text, re.M) and path.name not in (
                "levels.py", "waivers.py"):
            callers.append(path.relative_to(ROOT).as_posix())
        if "settle(" in text and path.name != "levels.py":
            callers.append("settle:" + path.relative_to(ROOT).as_posix())
    assert sorted(callers) == ["settle:afasgov/commands/audit.py", "settle:afasgov/commands/validate.py",
                               "settle:afasgov/diff/compare.py", "settle:afasgov/release/check.py",
                               "settle:afasgov/releasenotes/impact.py"]


# --------------------------------------------------------------------------------- every command
@pytest.mark.slow
def test_levels_apply_in_diff_validate_audit_and_release_check(repo: Path) -> None:
    before = as_json(afasgov(repo, "diff", "production", "accept", "--format", "json"))
    assert ("response-optional-property-removed", "ERR") in {(c["id"], c["level"]) for c in before["changes"]}
    set_levels(repo, "  response-optional-property-removed: info\n  new-optional-request-property: off\n"
                     "  payload-unknown-field: WARN\n  AC010: off\n")
    diff = as_json(afasgov(repo, "diff", "production", "accept", "--format", "json"))
    ids = {(c["id"], c["level"]) for c in diff["changes"]}
    assert ("response-optional-property-removed", "INFO") in ids
    assert not any(c["id"] == "new-optional-request-property" for c in diff["changes"])
    assert diff["summary"]["ERR"] == before["summary"]["ERR"] - 1

    validate = as_json(afasgov(repo, "validate", *PAYLOADS, "--env", "accept", "--format", "json"))
    assert {(p["id"], p["level"]) for p in validate["problems"]} >= {("payload-unknown-field", "WARN")}

    audit = as_json(afasgov(repo, "audit", "accept", "--no-history", "--format", "json"))
    assert not any(f["id"] == "AC010" for f in audit["findings"])
    assert any("AC010 not reported" in n for n in json.dumps(audit["notes"]).split('"'))

    proc = afasgov(repo, "release-check", "--offline", "--summary-json", "s.json")
    assert proc.returncode == 1
    report = json.loads((repo / json.loads((repo / "s.json").read_text())["reports"]["json"]).read_text())
    items = report["changes"] + report["validation"] + report["findings"]
    assert not any(i["id"] in ("AC010", "new-optional-request-property") for i in items)
    assert {i["level"] for i in items if i["id"] == "response-optional-property-removed"} == {"INFO"}


@pytest.mark.slow
def test_an_unknown_rule_id_stops_every_command_with_exit_2(repo: Path) -> None:
    set_levels(repo, "  request-property-remove: INFO\n")
    for args in (["diff", "production", "accept"], ["validate", *PAYLOADS, "--env", "accept"],
                 ["audit", "accept", "--no-history"], ["release-check", "--offline"]):
        proc = afasgov(repo, *args)
        assert proc.returncode == 2, args
        assert proc.stderr.startswith("afasgov: error: ") and "afasgov.yaml: levels.request-property-remove: " \
            "no rule or check has the id 'request-property-remove'; did you mean 'request-property-removed'?" \
            in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ["diff", "production", "accept"],
    ["gcn", "diff", "definitions/getconnectors/T4E_HelloID_Users.gcn",
     "definitions/getconnectors/T4E_HelloID_Groups.gcn"],
    ["validate", *PAYLOADS, "--env", "accept"],
    ["audit", "accept", "--no-history"],
    ["release-check", "--offline"],
    ["release-notes", "notes.md"],
], ids=lambda a: a[0] if a[0] != "gcn" else "gcn-diff")
def test_fail_on_none_reports_and_never_fails(repo: Path, args: list[str]) -> None:
    if args[0] == "release-notes":  # AFAS-style notes of the demo release, as changelog writes them
        assert afasgov(repo, "changelog", "production", "accept", "--output", "notes.md").returncode == 0
    failing = afasgov(repo, *args, "--fail-on", "INFO")
    assert failing.returncode == 1, failing.stderr
    for spelling in ("none", "NONE"):
        proc = afasgov(repo, *args, "--fail-on", spelling)
        assert proc.returncode == 0, proc.stderr
        assert "report only" in proc.stdout
        assert len(proc.stdout) > 0.5 * len(failing.stdout)  # the findings are still reported
