"""``afasgov release-notes`` end to end on the demo dataset: production and accept crawled from the
simulator over a loopback socket, release notes written by ``afasgov changelog`` for their difference,
read back, checked; then with a row removed and a row added."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.releasenotes.conftest import run

pytestmark = pytest.mark.e2e

XOEA = "removed the request property 'KnUser/Element/Fields/XOEA'"


def _changelog(workdir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    notes = workdir / "notes.md"
    code, out, _ = run(capsys, "changelog", "production", "accept", "--format", "markdown", "--output", str(notes))
    assert code == 0 and "change(s) written" in out
    return notes


def _check(capsys: pytest.CaptureFixture[str], notes: Path, *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code, out, err = run(capsys, "release-notes", str(notes), "--base", "production", "--revision", "accept",
                         "--format", "json", *extra)
    assert err == ""
    return code, json.loads(out)


def test_notes_written_by_changelog_are_all_confirmed(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = _changelog(workdir, capsys)
    code, data = _check(capsys, notes)
    _, diff_out, _ = run(capsys, "diff", "production", "accept", "--format", "json")
    diff = json.loads(diff_out)["changes"]
    assert code == 0
    assert data["mode"] == "check" and data["base"] == "production" and data["revision"] == "accept"
    assert data["unannounced"] == [] and data["summary"] == {"ERR": 0, "WARN": 0, "INFO": 0}
    assert data["counts"]["confirmed"] == len(diff) and data["counts"]["not_visible"] == 0
    assert {a["status"] for a in data["announced"]} == {"confirmed"}
    assert {(a["id"], a["path"], a["value"]) for a in data["announced"]} == {
        (c["id"], c["path"], c["value"]) for c in diff
    }
    assert data["files"][0]["reported"] == 0 and data["files"][0]["parsed"] == data["files"][0]["rows"]
    # changelog writes AFAS's page: per module, the payload root in property paths, objects as properties
    modules = {m for a in data["announced"] for m in a["modules"]}
    assert {"Organisaties en personen", "Dossiers en bijlagen en workflows"} <= modules
    assert any(a["id"] == "afas-request-object-added" and a["text"].startswith("added the new optional request")
               for a in data["announced"])
    # the impact of the same announcement on production, per integration
    assert any("helloid sends KnUser/Element/Fields/XOEA" in line
               for line in data["integrations"]["helloid"]["impact"])


def test_a_removed_row_is_unannounced_and_an_added_row_not_visible(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = _changelog(workdir, capsys)
    text = notes.read_text(encoding="utf-8")
    assert text.count(XOEA) == 2  # under Breaking Changes and under Changelog
    lines = [ln for ln in text.splitlines() if XOEA not in ln]
    at = lines.index("### Changelog") + 4  # the first module's Changelog table
    lines[at:at] = [
        "| removed the request property 'KnUser/Element/Fields/NoSuchField' | KnUser | POST, PUT |",
        "| the request property 'KnUser/Element/Fields/Upn' became required | KnUser | POST |",
        "| endpoint added | KnUser/KnUser/@UsId/{UsId} | DELETE |",
        "| added the new optional request property 'PtTariff/Element/Fields/X' | PtTariff | POST |",
        "| endpoint added | Profit_Rooster_Ouderverlof | GET |",
    ]
    notes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, data = _check(capsys, notes)
    assert code == 1  # an unannounced ERR (helloid sends XOEA: no downgrade)
    (u,) = data["unannounced"]
    assert (u["id"], u["path"], u["level"], u["status"]) == (
        "request-property-removed", "KnUser/Element/Fields/XOEA", "ERR", "unannounced")
    assert "omission in the notes" in u["hint"]
    status = {(a["id"], a["path"]): (a["status"], a.get("why", "")) for a in data["announced"]}
    assert status[("request-property-removed", "KnUser/Element/Fields/NoSuchField")][0] == "not-visible:already-so"
    assert status[("request-property-became-required", "KnUser/Element/Fields/Upn")][0] == "not-visible:absent"
    assert status[("endpoint-added", "KnUser/KnUser/@UsId/{UsId}")][0] == "not-visible:delete-only"
    assert status[("new-optional-request-property", "PtTariff/Element/Fields/X")][0] == "not-visible:not-authorised"
    assert status[("endpoint-added", "Profit_Rooster_Ouderverlof")][0] == "not-visible:getconnector-only"
    assert data["counts"]["not_visible"] == 5 and data["counts"]["not_visible.not-authorised"] == 1
    # the impact on production counts what production may not use (HrEmpWorkplace is new in accept)
    assert data["not_authorised"] == {
        "changes": 3, "connectors": ["HrEmpWorkplace", "Profit_Rooster_Ouderverlof", "PtTariff"]}
    # the text report lists what is listable and counts what is not
    code, out, _ = run(capsys, "release-notes", str(notes), "--base", "production", "--revision", "accept")
    assert code == 1
    assert "error [request-property-removed] at KnUser/Element/Fields/XOEA" in out
    assert "unannounced: not in the notes" in out
    assert "KnUser/Element/Fields/NoSuchField: neither production nor accept has" in out
    assert "KnUser/Element/Fields/Upn: not between production and accept" in out
    assert "DELETE-only: metainfo describes what POST and PUT accept" in out
    assert "1 change(s) to 1 connector(s): not authorised" in out
    assert "PtTariff/Element/Fields/X" not in out  # counted, not listed
    # the exit code follows --fail-on on the unannounced changes
    assert _check(capsys, notes, "--waivers", str(_waiver(workdir)))[0] == 0


def _waiver(workdir: Path) -> Path:
    path = workdir / "waivers.yaml"
    path.write_text(
        "waivers:\n  - id: request-property-removed\n    path: KnUser/Element/Fields/XOEA\n"
        "    reason: helloid stops sending XOEA in sprint 12\n    owner: iam-team@lindeboom.example\n"
        "    expires: 2999-12-31\n",
        encoding="utf-8",
    )
    return path


def test_impact_before_accept_has_the_release(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = _changelog(workdir, capsys)
    code, out, err = run(capsys, "release-notes", str(notes), "--format", "json")
    assert err == "" and code == 1
    data = json.loads(out)
    assert data["mode"] == "impact" and data["base"] == "production" and "revision" not in data
    digest = "sha256:" + hashlib.sha256(notes.read_bytes()).hexdigest()
    assert data["inputs"][0] == {"name": "notes", "location": str(notes), "sha256": digest}
    assert data["files"][0]["sha256"] == digest
    by_path = {(c["id"], c["path"]): c for c in data["announced"]}
    xoea = by_path[("request-property-removed", "KnUser/Element/Fields/XOEA")]
    assert xoea["level"] == "ERR" and xoea["integrations"] == ["helloid"] and xoea["sections"] == [
        "Breaking Changes", "Changelog"]
    # an ERR that no integration uses is downgraded, as in diff
    profile = by_path[("api-path-removed-without-deprecation", "KnProfile")]
    assert profile["level"] == "WARN" and profile["integrations"] == []
    # AFAS's wording leaves the old length out; production's snapshot has it
    ds = by_path[("request-property-max-length-decreased", "KnSubject/Element/Fields/Ds")]
    assert ds["before"] == "255" and ds["after"] == "200"
    assert any("intranet sends KnSubject/Element/Fields/Ds, which the announced release shortened from 255 to 200"
               in line for line in data["integrations"]["intranet"]["impact"])
    assert data["integrations"]["finance-dashboard"]["impact"] == [
        "finance-dashboard reads nothing that the announced release changes (ERR or WARN)"]
    # HrEmpWorkplace is new: no App Connector of production may use it → counted, not listed
    assert data["not_authorised"] == {"changes": 1, "connectors": ["HrEmpWorkplace"]}
    assert ("endpoint-added", "HrEmpWorkplace") not in by_path
    # every announced item is located in the notes (SARIF/GitHub annotations point at the row)
    code, out, _ = run(capsys, "release-notes", str(notes), "--format", "sarif")
    sarif = json.loads(out)
    locations = [r["locations"][0]["physicalLocation"] for r in sarif["runs"][0]["results"]]
    assert all(loc["artifactLocation"]["uri"].endswith("notes.md") and loc["region"]["startLine"] > 1
               for loc in locations)


def test_read_by_hand_items_name_the_integrations_they_concern(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = workdir / "profit9.md"
    notes.write_text(
        "---\ntitle: New in Profit 9\n---\n\n## Important breaking changes\n\n### GetConnectors\n\n"
        "From Profit 9 `T4E_HelloID_Employments` returns one row per period.\n\n"
        "## Organisaties en personen Specification\n\nNo changes for this release.\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "release-notes", str(notes), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["release"] == "Profit 9" and data["announced"] == []
    (item,) = data["read_by_hand"]
    assert item["title"] == "Important breaking changes › GetConnectors" and item["breaking"]
    assert item["source"].endswith("profit9.md:7")
    assert item["relevant"] == {"connectors": ["T4E_HelloID_Employments"], "integrations": ["helloid"]}
    assert any("mentions T4E_HelloID_Employments, used by helloid" in line
               for line in data["integrations"]["helloid"]["impact"])


def test_usage_errors(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = _changelog(workdir, capsys)
    code, _, err = run(capsys, "release-notes", str(notes), "--base", "nowhere")
    assert code == 2 and "nowhere" in err and "Traceback" not in err
    code, _, err = run(capsys, "release-notes", "missing.md")
    assert code == 2 and "missing.md" in err
    code, _, err = run(capsys, "release-notes", str(notes), "--integrations", "no-such-dir")
    assert code == 2 and "integrations directory not found" in err
