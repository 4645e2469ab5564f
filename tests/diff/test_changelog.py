"""``afasgov changelog`` writes AFAS's release-notes tables: per module, AFAS's operations, paths from
the payload root, AFAS's words for nested objects.

The expected rows are derived from AFAS's rules (oasdiff's wording; the Operation column lists the
operations the change concerns that the connector offers; property paths start with the payload's
root element; a connector documented in two modules is listed under both), applied to project-authored
snapshot pairs that use real AFAS connector names so that the shipped catalogue applies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from afasgov.diff.changelog import render_json, render_markdown
from afasgov.diff.engine import diff_snapshots
from afasgov.model import (
    CodeValue,
    EnvironmentSnapshot,
    GetConnector,
    GetField,
    UpdateConnector,
    UpdateField,
    UpdateObject,
)
from afasgov.snapshot import write_tree


def _f(fid: str, **kw: object) -> UpdateField:
    return UpdateField(fid, fid, **kw)  # type: ignore[arg-type]


def base() -> EnvironmentSnapshot:
    return EnvironmentSnapshot(
        name="production",
        update_connectors={
            "HrOnboarding": UpdateConnector("HrOnboarding", "Onboarding", (_f("PrId"),),
                                            (UpdateObject("AfasEmployee", (_f("EmId"),)),)),
            "KnPurchaseRelationOrg": UpdateConnector(
                "KnPurchaseRelationOrg", "Crediteur",
                (_f("InPv", values=(CodeValue("A", "a"),)), _f("Nm", length=80))),
            "KnSubject": UpdateConnector("KnSubject", "Dossieritem", (_f("SbId", data_type="int"),)),
            "FbCostPrice": UpdateConnector("FbCostPrice", "Kostprijs", (_f("ItCd"),)),
            "KnContact": UpdateConnector("KnContact", "Contact", (_f("CdId"), _f("Rm"))),
            "XyCustom": UpdateConnector("XyCustom", "Eigen", (_f("Id"),)),
            "KnUser": UpdateConnector("KnUser", "Gebruiker", (_f("UsId"),)),
        },
        get_connectors={"Profit_Debtor": GetConnector("Profit_Debtor", "Debiteuren", (GetField("DebtorId"),))},
    )


def revision() -> EnvironmentSnapshot:
    b = base()
    u = dict(b.update_connectors)
    u["HrOnboarding"] = UpdateConnector("HrOnboarding", "Onboarding", (_f("PrId"),),
                                        (UpdateObject("AfasEmployee", (_f("EmId"), _f("ViSe"))),))
    u["KnPurchaseRelationOrg"] = UpdateConnector(
        "KnPurchaseRelationOrg", "Crediteur",
        (_f("InPv", values=(CodeValue("A", "a"), CodeValue("Q", "q"))), _f("Nm", length=80)))
    u["KnSubject"] = UpdateConnector("KnSubject", "Dossieritem", (_f("SbId", data_type="int"),),
                                     (UpdateObject("KnS99", (_f("U" + "A" * 32),)),))
    u["FbCostPrice"] = UpdateConnector("FbCostPrice", "Kostprijs", (_f("ItCd"), _f("CoPr", mandatory=True)))
    u["KnContact"] = UpdateConnector("KnContact", "Contact", (_f("CdId"), _f("Rm", mandatory=True)))
    u["XyCustom"] = UpdateConnector("XyCustom", "Eigen", (_f("Id"), _f("Nm")))
    u["FiEntries"] = UpdateConnector("FiEntries", "Journaalpost", (_f("Year"),))
    gets = {"Profit_Debtor": GetConnector("Profit_Debtor", "Debiteuren", (GetField("DebtorId"), GetField("Iban")))}
    return EnvironmentSnapshot(name="accept", update_connectors=u, get_connectors=gets)


#: (module, breaking, description, connector, operation): AFAS's rows for the changes above.
EXPECTED = [
    ("Flex", False, "added the optional property 'Profit_Debtor/Fields/Iban' to the response with the '200' status",
     "Profit_Debtor", "GET"),
    ("Inkoop", False,
     "added the new 'Q' enum value to the request property 'KnPurchaseRelationOrg/Element/Fields/InPv'",
     "KnPurchaseRelationOrg", "POST, PUT"),
    ("Mutaties", False, "endpoint added", "FiEntries", "POST, DELETE"),
    ("Mutaties", False, "added the optional property 'Profit_Debtor/Fields/Iban' to the response with the '200' status",
     "Profit_Debtor", "GET"),
    ("Organisaties en personen", False,
     "added the new 'Q' enum value to the request property 'KnPurchaseRelationOrg/Element/Fields/InPv'",
     "KnPurchaseRelationOrg", "POST, PUT"),
    ("Dossiers en bijlagen en workflows", False,
     "added the new optional request property 'KnSubject/Element/Objects/KnS99'", "KnSubject", "POST, PUT"),
    ("Werving en selectie", False,
     "added the new optional request property 'AfasPerson/Element/Objects/AfasEmployee/Element/Fields/ViSe'",
     "HrOnboarding", "POST"),
    ("Artikelen", True, "added the new required request property 'FbCostPrice/Element/Fields/CoPr'", "FbCostPrice",
     "POST"),
    ("Organisaties en personen", True, "the request property 'KnContact/Element/Fields/Rm' became required",
     "KnContact", "PUT"),
]


def _changes() -> list:  # type: ignore[type-arg]
    return diff_snapshots(base(), revision()).changes


def _sections(md: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = ""
    for line in md.splitlines():
        if line.startswith("## "):
            current = line[3:]
            out[current] = []
        elif current:
            out[current].append(line)
    return out


def _rows(lines: list[str], table: str) -> list[tuple[str, str, str]]:
    if f"### {table}" not in lines:
        return []
    start = lines.index(f"### {table}") + 4
    rows = []
    for line in lines[start:]:
        if not line.startswith("| "):
            break
        d, c, o = (x.strip() for x in line.strip("|").split(" | "))
        rows.append((d.replace("\\'", "'"), c, o))
    return rows


def test_rows_follow_afas_rules() -> None:
    md = render_markdown(_changes(), "production", "accept")
    sections = _sections(md)
    for module, breaking, description, connector, operation in EXPECTED:
        lines = sections[f"{module} Specification"]
        assert (description, connector, operation) in _rows(lines, "Changelog"), (module, description)
        assert ((description, connector, operation) in _rows(lines, "Breaking Changes")) == breaking


def test_modules_in_release_notes_order_and_other_connectors_last() -> None:
    md = render_markdown(_changes(), "production", "accept", connectors=base().update_connectors)
    headings = [ln[3:] for ln in md.splitlines() if ln.startswith("## ")]
    assert headings == [
        "Artikelen Specification",
        "Dossiers en bijlagen en workflows Specification",
        "Flex Specification",
        "Inkoop Specification",
        "Mutaties Specification",
        "Organisaties en personen Specification",
        "Werving en selectie Specification",
        "Other connectors",
    ]
    other = _sections(md)["Other connectors"]
    assert _rows(other, "Changelog") == [
        ("added the new optional request property 'XyCustom/Element/Fields/Nm'", "XyCustom", "POST, PUT")
    ]
    assert "XyCustom: not in AFAS's connector catalogue" in md


def test_unchanged_module_says_no_changes() -> None:
    b = base()
    r = base()
    r.name = "accept"
    r.update_connectors["FbCostPrice"] = UpdateConnector("FbCostPrice", "Kostprijs", (_f("ItCd"), _f("X")))
    md = render_markdown(diff_snapshots(b, r).changes, "production", "accept", connectors=b.update_connectors)
    sections = _sections(md)
    assert [ln for ln in sections["Werving en selectie Specification"] if ln] == ["No changes for this release."]
    assert _rows(sections["Artikelen Specification"], "Changelog") == [
        ("added the new optional request property 'FbCostPrice/Element/Fields/X'", "FbCostPrice", "POST")
    ]
    assert "### Breaking Changes" not in sections["Artikelen Specification"]
    assert render_markdown([], "a", "b").endswith("No changes for this release.\n")


def test_removed_object_and_root_alias_in_afas_words() -> None:
    r = base()
    r.name = "accept"
    r.update_connectors["HrOnboarding"] = UpdateConnector("HrOnboarding", "Onboarding", (_f("PrId"),))
    md = render_markdown(diff_snapshots(base(), r).changes, "production", "accept")
    assert ("removed the request property 'AfasPerson/Element/Objects/AfasEmployee'", "HrOnboarding", "POST") in _rows(
        _sections(md)["Werving en selectie Specification"], "Breaking Changes")


def test_json_has_modules_and_operations() -> None:
    data = json.loads(render_json(_changes(), "production", "accept"))
    by = {(r["connector"], r["description"]): r for r in data["changelog"]}
    row = by[("KnPurchaseRelationOrg",
              "added the new 'Q' enum value to the request property 'KnPurchaseRelationOrg/Element/Fields/InPv'")]
    assert row["modules"] == ["Inkoop", "Organisaties en personen"] and row["operation"] == "POST, PUT"
    assert by[("HrOnboarding", EXPECTED[6][2])]["operation"] == "POST"
    assert by[("XyCustom", "added the new optional request property 'XyCustom/Element/Fields/Nm'")]["modules"] == [
        "Other connectors"]
    assert data["notes"] and "XyCustom" in data["notes"][0]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_tree(base(), tmp_path / "definitions")
    write_tree(revision(), tmp_path / "definitions")
    return tmp_path


def test_changelog_command(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from afasgov.cli import main

    main(["changelog", "production", "accept"])  # returns: exit code 0
    out = capsys.readouterr().out
    assert "## Werving en selectie Specification" in out
    assert ("| added the new optional request property "
            "'AfasPerson/Element/Objects/AfasEmployee/Element/Fields/ViSe' | HrOnboarding | POST |") in out
    # every module of the connectors both snapshots have is listed
    assert "## Budgetten en activa Specification" not in out and "## Artikelen Specification" in out
