"""The check (confirmed / not visible / unannounced) and the impact, on small snapshots built in code."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from afasgov.diff.engine import diff_snapshots
from afasgov.integrations import load_manifest
from afasgov.model import UpdateConnector, UpdateField, UpdateObject
from afasgov.releasenotes import parse_notes
from afasgov.releasenotes.check import check
from afasgov.releasenotes.impact import assess, release_name
from afasgov.waivers import load_waivers
from tests.diff.builders import add_update_field, base_snapshot, copy, map_update_field

HEAD = "---\ntitle: New in Profit 9\n---\n\n## Organisaties en personen Specification\n\n### Changelog\n\n"
TABLE = "| Description | Connector | Operation |\n| --- | --- | --- |\n"


def notes(*rows: str) -> str:
    return HEAD + TABLE + "\n".join(rows) + "\n"


def test_fields_of_a_new_object_or_connector_are_confirmed_by_it() -> None:
    prod = base_snapshot()
    acc = copy(prod)
    emp = acc.update_connectors["KnEmployee"]
    role = UpdateObject("KnUserRole", (UpdateField("RoId", "Rol", "string", 20, mandatory=True),))
    acc.update_connectors["KnEmployee"] = dataclasses.replace(emp, objects=(*emp.objects, role))
    acc.update_connectors["PtTariff"] = UpdateConnector("PtTariff", "Tarief", (UpdateField("Id", "Id", "int", 9),))
    changes = diff_snapshots(prod, acc).changes
    assert {c.id for c in changes} == {"afas-request-object-added", "endpoint-added"}
    parsed = parse_notes(notes(
        # AFAS lists the fields of a new object one by one …
        "| added the new required request property 'KnEmployee/Element/Objects/items/KnUserRole/Element/items/"
        "Fields/RoId' | KnEmployee | POST |",
        # … and a new connector's fields too, with its endpoint
        "| added the new optional request property 'PtTariff/Element/Fields/Id' | PtTariff | POST, PUT |",
        "| endpoint added | /connectors/PtTariff | POST |",
        "| endpoint added | /connectors/PtTariff/PtTariff/@Id/{Id} | DELETE |",
    ), "n.md")
    result = check(parsed, changes, base=prod, revision=acc)
    assert result.unannounced == [] and result.not_visible == []
    how = {c.announced.path: c.how for c in result.confirmed}
    assert how["KnEmployee/Element/Objects/KnUserRole/Element/Fields/RoId"] == (
        "part of the new object KnEmployee/Element/Objects/KnUserRole")
    assert how["PtTariff/Element/Fields/Id"] == "part of the new connector PtTariff"
    assert how["PtTariff"] == ""  # the DELETE endpoint folded into it


def test_a_nested_objects_endpoint_is_shown_by_the_object() -> None:
    prod = base_snapshot()
    acc = copy(prod)
    subject = acc.update_connectors["KnSubject"]
    acc.update_connectors["KnSubject"] = dataclasses.replace(subject, objects=(UpdateObject("KnSubjectLink"),))
    changes = diff_snapshots(prod, acc).changes
    parsed = parse_notes(notes("| endpoint added | /connectors/KnSubject/KnSubjectLink | POST |",
                               "| endpoint added | /connectors/KnEmployee/KnPerson | POST |"), "n.md")
    result = check(parsed, changes, base=prod, revision=acc)
    (confirmed,) = result.confirmed
    assert confirmed.how == "shown by the object KnSubject/Element/Objects/KnSubjectLink"
    (hidden,) = result.not_visible
    assert hidden.reason == "sub-endpoint" and hidden.announced.path == "KnEmployee/KnPerson"
    assert result.unannounced == []


def test_reasons_in_order_and_unannounced_hints() -> None:
    prod = base_snapshot()
    acc = copy(prod)
    map_update_field(acc, "KnEmployee", (), "EmAd", lambda f: None)
    del acc.update_connectors["KnSubject"]
    hr = acc.app_connectors["hr-sync"]
    acc.app_connectors["hr-sync"] = dataclasses.replace(hr, update_connectors=hr.update_connectors[:1])
    acc.profit_version = "9.0.1"
    changes = diff_snapshots(prod, acc).changes
    parsed = parse_notes(notes(
        "| removed the request property 'KnEmployee/Element/Fields/Nope' | KnEmployee | POST |",
        "| added the new optional request property 'KnEmployee/Element/Fields/Note' | KnEmployee | POST |",
        "| the request property 'KnEmployee/Element/Fields/Note' became required | KnEmployee | POST |",
        "| added the new optional request property 'KnSubject/Element/Fields/X' | KnSubject | POST |",
        "| endpoint added | /connectors/KnEmployee/KnEmployee/@EmId/{EmId} | DELETE |",
        "| endpoint added | /connectors/FbX/FbX/@Id/{Id} | DELETE |",
        "| added the new optional request property 'FbX/Element/Fields/X' | FbX | POST |",
    ), "n.md")
    result = check(parsed, changes, base=prod, revision=acc, base_name="production", revision_name="accept")
    reasons = {(n.announced.id, n.announced.path): n.reason for n in result.not_visible}
    assert reasons == {
        ("request-property-removed", "KnEmployee/Element/Fields/Nope"): "already-so",  # neither has it
        ("new-optional-request-property", "KnEmployee/Element/Fields/Note"): "already-so",  # both have it
        ("request-property-became-required", "KnEmployee/Element/Fields/Note"): "absent",
        ("new-optional-request-property", "KnSubject/Element/Fields/X"): "missing-in-revision",
        ("endpoint-added", "KnEmployee/KnEmployee/@EmId/{EmId}"): "delete-only",
        ("endpoint-added", "FbX/FbX/@Id/{Id}"): "not-authorised",  # wins over DELETE-only: counted, not listed
        ("new-optional-request-property", "FbX/Element/Fields/X"): "not-authorised",
    }
    why = {(n.announced.id, n.announced.path): n.why for n in result.not_visible}
    assert why[("request-property-removed", "KnEmployee/Element/Fields/Nope")] == (
        "neither production nor accept has KnEmployee/Element/Fields/Nope")
    hints = {u.change.id: u.hint for u in result.unannounced}
    assert set(hints) == {"request-property-removed", "api-path-removed-without-deprecation",
                          "afas-app-connector-scope-shrank", "afas-profit-version-changed"}
    assert hints["afas-profit-version-changed"] == "the Profit version itself"
    assert hints["afas-app-connector-scope-shrank"].startswith("App Connector configuration")
    assert "omission in the notes" in hints["request-property-removed"]
    assert result.counts()["not_visible.not-authorised"] == 2


def test_impact_regrades_by_use_notes_the_state_of_production_and_applies_waivers(tmp_path: Path) -> None:
    prod = base_snapshot()
    add_update_field(prod, "KnEmployee", UpdateField("MfaR", "MFA", "boolean"))
    manifest = tmp_path / "hr-sync.yaml"
    manifest.write_text("name: hr-sync\nowner: hr@example.org\napp_connector: hr-sync\n"
                        "uses:\n  update:\n    KnEmployee: [EmId, EmAd]\n", encoding="utf-8")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - id: request-property-removed\n    path: KnEmployee/Element/Fields/Note\n"
                       "    reason: nobody\n    owner: me\n    expires: 2999-01-01\n", encoding="utf-8")
    parsed = parse_notes(notes(
        "| removed the request property 'KnEmployee/Element/Fields/EmAd' | KnEmployee | POST, PUT |",
        "| removed the request property 'KnEmployee/Element/Fields/Note' | KnEmployee | POST, PUT |",
        "| removed the request property 'KnEmployee/Element/Fields/Gone' | KnEmployee | POST, PUT |",
        "| added the new optional request property 'KnEmployee/Element/Fields/MfaR' | KnEmployee | POST, PUT |",
        "| the 'KnEmployee/Element/Fields/EmAd' request property's maxLength was decreased to '50' | KnEmployee "
        "| POST |",
        "| added the new optional request property 'FbX/Element/Fields/X' | FbX | POST |",
    ), "n.md")
    assert release_name(parsed) == "Profit 9"
    impact = assess(parsed, prod, [load_manifest(manifest)], base_name="production",
                    waivers=load_waivers(waivers), today=dt.date(2026, 1, 1))
    by_path = {(c.id, c.path): c for c in impact.changes}
    emad = by_path[("request-property-removed", "KnEmployee/Element/Fields/EmAd")]
    assert emad.level == "ERR" and "used by hr-sync" in emad.notes
    note = by_path[("request-property-removed", "KnEmployee/Element/Fields/Note")]
    assert note.level == "WARN" and note.waived  # downgraded (unused) and waived
    gone = by_path[("request-property-removed", "KnEmployee/Element/Fields/Gone")]
    assert "production does not have KnEmployee/Element/Fields/Gone" in gone.notes
    mfar = by_path[("new-optional-request-property", "KnEmployee/Element/Fields/MfaR")]
    assert "production already has KnEmployee/Element/Fields/MfaR" in mfar.notes
    shorter = by_path[("request-property-max-length-decreased", "KnEmployee/Element/Fields/EmAd")]
    assert (shorter.before, shorter.after) == ("80", "50")
    assert [c.connector for c in impact.unauthorised] == ["FbX"]
    lines = impact.integration_lines([load_manifest(manifest)])["hr-sync"]
    assert "hr-sync sends KnEmployee/Element/Fields/EmAd, which Profit 9 removed" in lines
    assert "hr-sync sends KnEmployee/Element/Fields/EmAd, which Profit 9 shortened from 80 to 50 characters" in lines
