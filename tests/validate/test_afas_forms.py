"""Payloads as AFAS writes them (issue 11 §1): each form AFAS's own request examples use, read as
meant, at the level ``docs/validate.md`` decides, with the catalogue's root elements and operations.

Project-authored payloads against a project-authored snapshot (no corpus needed); the connector
names are real AFAS names so that the shipped catalogue applies. ``test_corpus_forms`` at the end
checks one real AFAS example per form (skipped without the corpus).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from afasgov.findings import Finding
from afasgov.model import CodeValue, EnvironmentSnapshot, UpdateConnector, UpdateField, UpdateObject
from afasgov.validate import validate_bytes

LINE = UpdateObject(
    "FiEntries",
    fields=(
        UpdateField("AcNr", "Rekening", "string", 16, mandatory=True),
        UpdateField("AmDe", "Debet", "decimal", 0),
        UpdateField("EnDa", "Datum", "date"),
        UpdateField("StTi", "Begintijd", "date"),
        UpdateField("Pay", "Betaald", "boolean"),
        UpdateField(
            "VaIt", "Itemtype", "string", 20, values=(CodeValue("Art", "Artikel"), CodeValue("Wst", "Werksoort"))
        ),
        UpdateField("ViIr", "Oorzaak", "int", 2, values=(CodeValue("0", "Onbekend"), CodeValue("1", "Griep"))),
        UpdateField("VaAD", "Artikeldimensie", "string", 10),
        UpdateField("Ds", "Omschrijving", "string", 10),
    ),
)


def snapshot() -> EnvironmentSnapshot:
    entries = UpdateConnector(
        "FiEntries",
        "Journaalpost",
        (UpdateField("Year", "Jaar", "int", 4, mandatory=True), UpdateField("UnId", "Administratie", "int", 3)),
        (LINE,),
    )
    cost = UpdateConnector("FbCostPrice", "Kostprijs", (UpdateField("ItCd", "Item", "string", 40),))
    contact = UpdateConnector("KnContact", "Contact", (UpdateField("CdId", "Contact", "int", 9),))
    custom = UpdateConnector("XyCustomThing", "Eigen", (UpdateField("Id", "Id", "int", 9),))
    return EnvironmentSnapshot(
        name="accept",
        update_connectors={c.id: c for c in (entries, cost, contact, custom)},
    )


def entry(**line: Any) -> dict[str, Any]:
    lines = [{"Fields": {"AcNr": "1000", **line}}]
    return {"FiEntryPar": {"Element": {"Fields": {"Year": "2024", "UnId": 1},
                                       "Objects": [{"FiEntries": {"Element": lines}}]}}}


def check(payload: Any, **kw: Any) -> list[Finding]:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return validate_bytes(data, snapshot(), source="p.json", **kw)


def found(items: list[Finding]) -> list[tuple[str, str, str]]:
    return sorted((i.id, i.level, i.path) for i in items)


L = "FiEntries/Element/Objects/FiEntries/Element/Fields"


# ------------------------------------------------------------------------------- root elements
def test_root_element_is_read_through_the_catalogue() -> None:
    assert check(entry()) == []
    assert check(entry(), connector="FiEntries") == []
    wrong_root = {"FiEntries": entry()["FiEntryPar"]}
    items = check(wrong_root)
    assert found(items) == [("payload-root-element", "WARN", "FiEntries")]
    assert "'FiEntryPar'" in items[0].text
    items = check(entry(), connector="FbCostPrice")
    assert found(items) == [("payload-unknown-connector", "ERR", "FiEntries")]
    assert "is for 'FiEntries', not for 'FbCostPrice'" in items[0].text


def test_documented_connector_missing_from_the_environment() -> None:
    snap = snapshot()
    del snap.update_connectors["FiEntries"]
    items = validate_bytes(json.dumps(entry()).encode(), snap, source="p.json")
    assert found(items) == [("payload-unknown-connector", "ERR", "FiEntries")]
    assert "'FiEntries' (payload root element 'FiEntryPar') is not an UpdateConnector of accept" in items[0].text


def test_connector_the_catalogue_does_not_know_falls_back() -> None:
    payload = {"XyCustomThing": {"Element": {"Fields": {"Id": 1}}}}
    assert check(payload) == [] and check(payload, action="update") == []
    other_root = {"XyThing": {"Element": {"Fields": {"Id": 1}}}}
    items = check(other_root, connector="XyCustomThing")
    assert found(items) == [("payload-root-element", "WARN", "XyCustomThing")]
    assert "does not know XyCustomThing" in items[0].text


# ---------------------------------------------------------------------------------- operations
def test_operation_the_connector_does_not_offer_is_an_error() -> None:
    cost = {"FbCostPrice": {"Element": {"Fields": {"ItCd": "A1"}}}}
    assert check(cost) == []
    items = check(cost, action="update")
    assert found(items) == [("payload-operation-not-offered", "ERR", "FbCostPrice")]
    assert "offers only POST on FbCostPrice" in items[0].text
    xml = b'<FbCostPrice><Element><Fields Action="delete"><ItCd>A1</ItCd></Fields></Element></FbCostPrice>'
    assert found(check(xml)) == [("payload-operation-not-offered", "ERR", "FbCostPrice")]
    # JSON "@Action" says what to do with an element, not which HTTP method the payload is sent with
    assert check({"FbCostPrice": {"Element": {"Fields": {"@Action": "update", "ItCd": "A1"}}}}) == []


def test_put_only_connector_is_checked_as_an_update() -> None:
    items = check({"KnContact": {"Element": {"Fields": {"CdId": 5}}}})
    assert found(items) == [("payload-root-element", "INFO", "KnContact")]
    assert "checked as an update (PUT)" in items[0].text
    assert found(check({"KnContact": {"Element": {"Fields": {"CdId": 5}}}}, action="insert")) == [
        ("payload-operation-not-offered", "ERR", "KnContact")
    ]


# ------------------------------------------------------------------------------- shapes (JSON)
def test_action_inside_fields_is_the_elements_action() -> None:
    # a nested insert inside an update: without "@Action" the line's missing AcNr would be an insert
    payload = {"FiEntryPar": {"Element": {"Fields": {"Year": "2024"},
                                          "Objects": {"FiEntries": {"Element": {"Fields": {"@Action": "update",
                                                                                           "AmDe": "1"}}}}}}}
    assert check(payload) == []
    payload["FiEntryPar"]["Element"]["Objects"]["FiEntries"]["Element"]["Fields"]["@Action"] = "upsert"
    assert found(check(payload)) == [
        ("payload-malformed", "ERR", "FiEntries/Element/Objects/FiEntries"),
        ("payload-missing-mandatory-field", "WARN", f"{L}/AcNr"),
    ]


@pytest.mark.parametrize("empty", ["", None])
def test_empty_objects_fields_and_elements(empty: Any) -> None:
    assert check({"FiEntryPar": {"Element": {"Fields": {"Year": "2024"}, "Objects": empty}}}) == []
    assert check({"FiEntryPar": {"Element": {"Fields": {"Year": "2024"}, "Objects": {"FiEntries": empty}}}}) == []
    assert check({"FiEntryPar": {"Element": {"Fields": {"Year": "2024"},
                                             "Objects": [{"FiEntries": {"Element": empty}}]}}}) == []
    assert found(check({"FiEntryPar": {"Element": {"Fields": empty}}})) == [
        ("payload-missing-mandatory-field", "WARN", "FiEntries/Element/Fields/Year")
    ]


def test_element_as_object_or_list_with_attributes_at_every_depth() -> None:
    one = {"FiEntryPar": {"Element": {"@Year": "2024", "Fields": {"UnId": 1},
                                      "Objects": {"FiEntries": {"Element": {"@AcNr": "1000", "Fields": {}}}}}}}
    many = {"FiEntryPar": {"Element": [{"@Year": "2024", "Objects": [{"FiEntries": {"Element": [
        {"@AcNr": "1000"}, {"@AcNr": "2000", "Fields": {"AmDe": 1.5}}]}}]}]}}
    assert check(one) == [] and check(many) == []


def test_shape_variants_are_read_as_meant_with_a_warning() -> None:
    fields_list = {"FiEntryPar": {"Element": {"Fields": [{"Year": "2024"}]}}}
    items = check(fields_list)
    assert found(items) == [("payload-shape-variant", "WARN", "FiEntries")]
    blocks = {"FiEntryPar": {"Element": {"Fields": {"Year": "2024"}, "Objects": {"FiEntries": [
        {"Element": {"Fields": {"AcNr": "1"}}}, {"Element": {"Fields": {"AcNr": "x" * 17}}}]}}}}
    assert found(check(blocks)) == [
        ("payload-shape-variant", "WARN", "FiEntries"),
        ("payload-value-too-long", "ERR", f"{L}/AcNr"),  # the second block's element is checked too
    ]


def test_keys_that_are_not_fields() -> None:
    items = check(entry(Action="insert", **{"#text": ">"}))
    assert found(items) == [("payload-action-field", "WARN", f"{L}/Action"),
                            ("payload-stray-key", "WARN", f"{L}/#text")]
    items = check({"FiEntryPar": {"Element": {"@action": "insert", "#text": "s", "Fields": {"Year": "1"}}}})
    assert found(items) == [("payload-action-field", "WARN", "FiEntries/Element/Fields/action"),
                            ("payload-stray-key", "WARN", "FiEntries/Element/Fields/#text")]
    items = check({"FiEntryPar": {"Element": {"Fields": {"@Year": "2024"}}}})
    assert found(items) == [("payload-misplaced-key", "WARN", "FiEntries/Element/Fields/Year")]


def test_a_list_of_values_is_the_field_given_several_times() -> None:
    items = check(entry(Pay=["1", "1"]))
    assert found(items) == [("payload-duplicate-field", "WARN", f"{L}/Pay")]
    assert "list of 2 values" in items[0].text
    assert found(check(entry(Pay=["1", "maybe"]))) == [
        ("payload-duplicate-field", "WARN", f"{L}/Pay"),
        ("payload-type-mismatch", "ERR", f"{L}/Pay"),  # each value is still checked
    ]
    dup = b'{"FiEntryPar": {"Element": {"Fields": {"Year": "2024", "Year": "2025"}}}}'
    assert found(check(dup)) == [("payload-duplicate-field", "WARN", "FiEntries/Element/Fields/Year")]


# -------------------------------------------------------------------------------------- values
@pytest.mark.parametrize(
    "line",
    [
        {"AmDe": "", "EnDa": "", "Pay": "", "ViIr": "", "VaIt": ""},  # "" = no value
        {"AmDe": None, "EnDa": None},
        {"AmDe": 12, "Pay": True, "ViIr": 1},  # JSON numbers and booleans of the right type
        {"AmDe": "-12.50", "Pay": "False", "ViIr": "00"},  # "00" is the integer code 0
        {"Pay": 0},
        {"EnDa": "2024-02-29", "StTi": "13:00:00"},  # a time of day in a date field
        {"EnDa": "2024-02-29T10:00:00.1234567+01:00", "StTi": "08:30"},
    ],
)
def test_values_afas_reads(line: dict[str, Any]) -> None:
    assert check(entry(**line)) == []


@pytest.mark.parametrize(
    ("line", "check_id", "level"),
    [
        ({"AmDe": "12,50"}, "payload-value-form", "WARN"),
        ({"AmDe": False}, "payload-value-form", "WARN"),
        ({"Ds": True}, "payload-value-form", "WARN"),
        ({"VaIt": "art"}, "payload-code-case", "INFO"),
        ({"VaIt": "Kst"}, "payload-code-not-allowed", "ERR"),
        ({"ViIr": "7"}, "payload-code-not-allowed", "ERR"),
        ({"Pay": "10"}, "payload-type-mismatch", "ERR"),
        ({"EnDa": "1974-02-30"}, "payload-type-mismatch", "ERR"),
        ({"EnDa": "2013-04-01T00:00:"}, "payload-type-mismatch", "ERR"),
        ({"EnDa": "2017-07-01:10:00"}, "payload-type-mismatch", "ERR"),
        ({"StTi": "25:00:00"}, "payload-type-mismatch", "ERR"),
        ({"EnDa": "2024-01-01T24:30"}, "payload-type-mismatch", "ERR"),
        ({"Ds": "x" * 11}, "payload-value-too-long", "ERR"),
        ({"VaAd": "1"}, "payload-field-case", "WARN"),
        ({"Xx": "1"}, "payload-unknown-field", "ERR"),
    ],
)
def test_values_graded(line: dict[str, Any], check_id: str, level: str) -> None:
    items = check(entry(**line))
    assert [(i.id, i.level) for i in items] == [(check_id, level)], [i.text for i in items]


def test_field_case_checks_the_value_against_the_field() -> None:
    assert found(check(entry(vaad="x" * 11))) == [
        ("payload-field-case", "WARN", f"{L}/vaad"),
        ("payload-value-too-long", "ERR", f"{L}/vaad"),
    ]


def test_mandatory_field_missing_is_a_warning_with_the_reason() -> None:
    payload = {"FiEntryPar": {"Element": {"Objects": {"FiEntries": {"Element": {"Fields": {"AmDe": 1}}}}}}}
    items = check(payload)
    assert found(items) == [
        ("payload-missing-mandatory-field", "WARN", "FiEntries/Element/Fields/Year"),
        ("payload-missing-mandatory-field", "WARN", f"{L}/AcNr"),
    ]
    assert "AFAS fills a default for some mandatory fields" in items[0].text
    # an update needs no mandatory field (FiEntries offers no PUT, which is said instead)
    assert found(check(payload, action="update")) == [("payload-operation-not-offered", "ERR", "FiEntries")]


# ------------------------------------------------------------------------ one item per problem
def test_repeated_problems_are_one_item_naming_the_payload() -> None:
    lines = [{"Fields": {"AcNr": "1", "VaIt": "art"}} for _ in range(3)]
    payload = {"FiEntryPar": {"Element": {"Fields": {"Year": "1"}, "Objects": {"FiEntries": {"Element": lines}}}}}
    items = check(payload)
    assert len(items) == 1 and items[0].extra["count"] == 3
    assert items[0].notes == ("payload p.json", "3 times in this payload")
    xml = (b'<FiEntryPar><Element><Fields><Year>1</Year></Fields><Objects><FiEntries>'
           + b"".join(b"<Element><Fields><AcNr>1</AcNr><Xx/></Fields></Element>" for _ in range(2))
           + b"</FiEntries></Objects></Element></FiEntryPar>")
    items = validate_bytes(xml, snapshot(), source="dir/p.xml")
    assert [(i.id, i.extra["count"], i.location.line) for i in items] == [("payload-unknown-field", 2, 1)]
    assert items[0].notes[0] == "payload dir/p.xml, line 1"


# ----------------------------------------------------------------------------- AFAS's examples
@pytest.mark.corpus
@pytest.mark.parametrize(
    ("connector", "name", "expected"),
    [
        ("FiEntries", "Sales with VAT", {"payload-missing-mandatory-field"}),  # root FiEntryPar
        ("HrOnboarding", "HrOnboarding minimum", {"payload-missing-mandatory-field"}),  # root AfasPerson
        ("KnOrgUnit", "meerdere", set()),  # root KnOrgunit, Element list with @OuId
        ("KnSubjectReaction", "External reaction", set()),  # root KnReaction
        ("FbWarTransferOut", "Create new transfer with serialno", {"payload-action-field"}),
        ("FbAssemblyPrep", "Add serialnumber to assembly", set()),  # "@Action" in Fields
        ("FbPurch", "EDA3", set()),  # "Objects": ""
        ("FiCommitment", "minimaal", {"payload-missing-mandatory-field"}),  # "" for an int field
        ("KnPurchaseRelationOrg", "EDA", {"payload-value-form", "payload-missing-mandatory-field"}),  # JSON true
        ("PtRealization", "gespecificeerde tijden", set()),  # times in date fields
        ("FbComposition", "Assemblage", {"payload-code-case", "payload-missing-mandatory-field"}),  # 'art'
        ("FiBudget", "adm1", {"payload-missing-mandatory-field"}),  # dimCode1..5 omitted
        ("FiEntries", "Journal", {"payload-shape-variant", "payload-missing-mandatory-field"}),  # "Fields": [{…}]
        ("PtItemSet", "loonschaal", {"payload-stray-key"}),  # "#text"
    ],
)
def test_corpus_forms(openapi_dir: Path, connector: str, name: str, expected: set[str]) -> None:
    from tests.afas_openapi import request_examples, snapshot_from_specs

    ex = next(e for e in request_examples(openapi_dir) if e.connector == connector and e.name == name)
    items = validate_bytes(ex.payload(), snapshot_from_specs(openapi_dir), source=ex.short)
    assert {i.id for i in items} == expected, [(i.id, i.level, i.text) for i in items]
    assert all(i.level != "ERR" for i in items)
