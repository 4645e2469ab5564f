"""One golden test per rule: a precise mutation of a small snapshot gives exactly that one change, with
its level, path, value, before/after and AFAS/oasdiff wording."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from afasgov.diff.change import change_json
from afasgov.diff.engine import diff_snapshots
from afasgov.diff.registry import all_rules
from afasgov.model import (
    AppConnectorScope,
    CodeValue,
    ConnectorRef,
    EnvironmentSnapshot,
    GetConnector,
    GetField,
    UpdateConnector,
    UpdateField,
    UpdateObject,
)
from tests.diff.builders import CUSTOM, add_update_field, base_snapshot, copy, map_get_field, map_update_field

Mut = Callable[[EnvironmentSnapshot], None]
R = dataclasses.replace
E = "KnEmployee/Element/Fields"


def _uf(fid: str, fn: Callable[[UpdateField], UpdateField | None], path: tuple[str, ...] = ()) -> Mut:
    return lambda s: map_update_field(s, "KnEmployee", path, fid, fn)


def _gf(out: str, fn: Callable[[GetField], GetField | None]) -> Mut:
    return lambda s: map_get_field(s, "Profit_Employees", out, fn)


def _scope(**kw: Any) -> Mut:
    def m(s: EnvironmentSnapshot) -> None:
        s.app_connectors["hr-sync"] = R(s.app_connectors["hr-sync"], **kw)

    return m


def _get(**kw: Any) -> Mut:
    def m(s: EnvironmentSnapshot) -> None:
        s.get_connectors["Profit_Employees"] = R(s.get_connectors["Profit_Employees"], **kw)

    return m


def _drop_object(s: EnvironmentSnapshot) -> None:
    c = s.update_connectors["KnEmployee"]
    person = c.objects[0]
    s.update_connectors["KnEmployee"] = R(c, objects=(R(person, objects=()),))


def _add_object(s: EnvironmentSnapshot) -> None:
    c = s.update_connectors["KnEmployee"]
    s.update_connectors["KnEmployee"] = R(
        c,
        objects=(
            *c.objects,
            UpdateObject("AfasContract", fields=(UpdateField("DaBe", "Begin", "date", mandatory=True),)),
        ),
    )


def _drop_update_connector(s: EnvironmentSnapshot) -> None:
    del s.update_connectors["KnSubject"]


def _add_get_connector(s: EnvironmentSnapshot) -> None:
    s.get_connectors["Profit_Debtor"] = GetConnector(
        "Profit_Debtor", "Debiteuren", (GetField("DebtorId", "U001"),)
    )


CASES: list[tuple[str, Mut, dict[str, Any]]] = [
    (
        "endpoint-added",
        _add_get_connector,
        {"level": "INFO", "path": "Profit_Debtor", "connector_type": "get", "text": "endpoint added"},
    ),
    (
        "api-path-removed-without-deprecation",
        _drop_update_connector,
        {
            "level": "ERR",
            "path": "KnSubject",
            "connector_type": "update",
            "text": "api path removed without deprecation",
        },
    ),
    (
        "afas-connector-description-changed",
        _get(description="Werknemers"),
        {
            "level": "INFO",
            "before": "Medewerkers",
            "after": "Werknemers",
            "text": "the description of the GetConnector 'Profit_Employees' changed from 'Medewerkers' to 'Werknemers'",
        },
    ),
    (
        "afas-connector-blocked",
        _get(blocked=True),
        {
            "level": "ERR",
            "text": "the GetConnector 'Profit_Employees' was blocked",
            "before": False,
            "after": True,
        },
    ),
    (
        "new-optional-request-property",
        lambda s: add_update_field(s, "KnEmployee", UpdateField("EmA2", "E-mail privé", "string", 80)),
        {
            "level": "INFO",
            "path": f"{E}/EmA2",
            "field": "EmA2",
            "text": f"added the new optional request property '{E}/EmA2'",
        },
    ),
    (
        "new-required-request-property",
        lambda s: add_update_field(s, "KnEmployee", UpdateField("DaIn", "Datum", "date", mandatory=True)),
        {"level": "ERR", "path": f"{E}/DaIn", "text": f"added the new required request property '{E}/DaIn'"},
    ),
    (
        "request-property-removed",
        _uf("EmAd", lambda f: None),
        {
            "level": "ERR",
            "path": f"{E}/EmAd",
            "before": {"dataType": "string", "length": 80, "mandatory": False},
            "after": None,
            "text": f"removed the request property '{E}/EmAd'",
        },
    ),
    (
        "request-property-became-required",
        _uf("EmAd", lambda f: R(f, mandatory=True)),
        {"level": "ERR", "text": f"the request property '{E}/EmAd' became required"},
    ),
    (
        "request-property-became-optional",
        _uf("EmId", lambda f: R(f, mandatory=False)),
        {"level": "INFO", "text": f"the request property '{E}/EmId' became optional"},
    ),
    (
        "request-property-max-length-increased",
        _uf("EmAd", lambda f: R(f, length=120)),
        {
            "level": "INFO",
            "before": 80,
            "after": 120,
            "text": f"the '{E}/EmAd' request property's maxLength was increased from '80' to '120'",
        },
    ),
    (
        "request-property-max-length-decreased",
        _uf("EmAd", lambda f: R(f, length=40)),
        {
            "level": "ERR",
            "before": 80,
            "after": 40,
            "text": f"the '{E}/EmAd' request property's maxLength was decreased to '40'",
        },
    ),
    (
        "request-property-max-length-set",
        _uf("Note", lambda f: R(f, length=255)),
        {
            "level": "WARN",
            "after": 255,
            "text": f"the '{E}/Note' request property's maxLength was set to '255'",
        },
    ),
    (
        "afas-request-property-max-length-unset",
        _uf("EmAd", lambda f: R(f, length=0)),
        {"level": "INFO", "before": 80, "after": 0},
    ),
    (
        "request-property-type-changed",
        _uf("NoZe", lambda f: R(f, data_type="decimal")),
        {
            "level": "ERR",
            "before": "int",
            "after": "decimal",
            "text": f"the '{E}/NoZe' request property type/format changed from 'int' to 'decimal'",
        },
    ),
    (
        "afas-request-property-decimals-decreased",
        _uf("Amnt", lambda f: R(f, decimals=0)),
        {"level": "WARN", "before": 2, "after": 0},
    ),
    (
        "afas-request-property-decimals-increased",
        _uf("Amnt", lambda f: R(f, decimals=4)),
        {"level": "INFO", "before": 2, "after": 4},
    ),
    (
        "afas-request-property-decimals-field-changed",
        _uf("Amnt", lambda f: R(f, decimals_field_id="DeFi")),
        {"level": "INFO", "before": "", "after": "DeFi"},
    ),
    (
        "afas-request-property-primary-key-changed",
        _uf("EmAd", lambda f: R(f, primary_key=True)),
        {"level": "WARN", "before": False, "after": True},
    ),
    (
        "afas-request-property-became-not-zero",
        _uf("NoZe", lambda f: R(f, not_zero=True)),
        {"level": "WARN", "text": f"the request property '{E}/NoZe' no longer accepts zero"},
    ),
    (
        "afas-request-property-zero-allowed",
        _uf("NoZe", lambda f: R(f, not_zero=True)),
        {"level": "INFO", "swap": True},
    ),
    (
        "afas-request-property-label-changed",
        _uf("EmAd", lambda f: R(f, label="E-mail (werk)")),
        {"level": "INFO", "before": "E-mail werk", "after": "E-mail (werk)"},
    ),
    (
        "afas-request-property-control-type-changed",
        _uf("EmAd", lambda f: R(f, control_type=7)),
        {"level": "INFO", "before": 0, "after": 7},
    ),
    (
        "request-property-enum-value-added",
        _uf("ViGe", lambda f: R(f, values=(*(f.values or ()), CodeValue("X", "Anders")))),
        {
            "level": "INFO",
            "value": "X",
            "after": "Anders",
            "text": f"added the new 'X' enum value to the request property '{E}/ViGe'",
        },
    ),
    (
        "request-property-enum-value-removed",
        _uf("ViGe", lambda f: R(f, values=(CodeValue("M", "Man"),))),
        {
            "level": "ERR",
            "value": "V",
            "before": "Vrouw",
            "text": f"removed the enum value 'V' of the request property '{E}/ViGe'",
        },
    ),
    (
        "afas-request-property-enum-value-description-changed",
        _uf("ViGe", lambda f: R(f, values=(CodeValue("M", "Mannelijk"), CodeValue("V", "Vrouw")))),
        {"level": "INFO", "value": "M", "before": "Man", "after": "Mannelijk"},
    ),
    (
        "request-property-became-enum",
        _uf("CtTp", lambda f: R(f, values=(CodeValue("01", "Vast"),))),
        {
            "level": "ERR",
            "after": ["01"],
            "text": f"request property '{E}/CtTp' was restricted to a list of enum values",
        },
    ),
    (
        "afas-request-property-enum-dropped",
        _uf("ViGe", lambda f: R(f, values=None)),
        {"level": "INFO", "before": ["M", "V"]},
    ),
    (
        "afas-custom-field-missing",
        _uf(CUSTOM, lambda f: None),
        {"level": "ERR", "path": f"{E}/{CUSTOM}", "text": f"the custom field '{E}/{CUSTOM}' is missing"},
    ),
    ("afas-custom-field-appeared", _uf(CUSTOM, lambda f: None), {"level": "INFO", "swap": True}),
    (
        "afas-request-object-added",
        _add_object,
        {
            "level": "INFO",
            "path": "KnEmployee/Element/Objects/AfasContract",
            "field": None,
            "object_path": ["KnEmployee", "AfasContract"],
            "text": "added the new request object 'KnEmployee/Element/Objects/AfasContract'",
        },
    ),
    (
        "afas-request-object-removed",
        _drop_object,
        {
            "level": "ERR",
            "path": "KnEmployee/Element/Objects/KnPerson/Element/Objects/KnBankAccount",
            "object_path": ["KnEmployee", "KnPerson", "KnBankAccount"],
            "text": "removed the request object 'KnEmployee/Element/Objects/KnPerson/Element/Objects/KnBankAccount'",
        },
    ),
    (
        "response-optional-property-added",
        lambda s: s.get_connectors.__setitem__(
            "Profit_Employees",
            R(
                s.get_connectors["Profit_Employees"],
                fields=(*s.get_connectors["Profit_Employees"].fields, GetField("Email", "U005", "E-mail")),
            ),
        ),
        {
            "level": "INFO",
            "path": "Profit_Employees/Fields/Email",
            "text": "added the optional property 'Profit_Employees/Fields/Email' to the response with the '200' status",
        },
    ),
    (
        "response-optional-property-removed",
        _gf("Salary", lambda f: None),
        {
            "level": "ERR",
            "path": "Profit_Employees/Fields/Salary",
            "field": "Salary",
            "text": "removed the optional property 'Profit_Employees/Fields/Salary' from the response with the '200' "
            "status",
        },
    ),
    (
        "afas-response-property-renamed",
        _gf("Name", lambda f: R(f, id="FullName")),
        {
            "level": "ERR",
            "path": "Profit_Employees/Fields/Name",
            "before": "Name",
            "after": "FullName",
            "text": "the response property 'Profit_Employees/Fields/Name' was renamed to 'FullName' (field id 'U002')",
        },
    ),
    (
        "response-property-type-changed",
        _gf("EmId", lambda f: R(f, data_type="int")),
        {"level": "ERR", "before": "string", "after": "int"},
    ),
    (
        "response-property-max-length-increased",
        _gf("Name", lambda f: R(f, length=120)),
        {"level": "WARN", "before": 80, "after": 120},
    ),
    (
        "afas-response-property-max-length-decreased",
        _gf("Name", lambda f: R(f, length=40)),
        {"level": "INFO", "before": 80, "after": 40},
    ),
    (
        "afas-response-property-decimals-changed",
        _gf("Salary", lambda f: R(f, decimals=10)),
        {"level": "WARN", "before": 2, "after": 10},
    ),
    (
        "afas-response-property-label-changed",
        _gf("Name", lambda f: R(f, label="Volledige naam")),
        {"level": "INFO", "before": "Naam", "after": "Volledige naam"},
    ),
    (
        "afas-response-property-control-type-changed",
        _gf("Kind", lambda f: R(f, control_type=4)),
        {"level": "INFO", "before": 1, "after": 4},
    ),
    (
        "afas-app-connector-scope-shrank",
        _scope(update_connectors=(ConnectorRef("KnSubject"),)),
        {
            "level": "ERR",
            "connector_type": "app-connector",
            "connector": "hr-sync",
            "value": "KnEmployee",
            "path": "app-connectors/hr-sync/update/KnEmployee",
            "text": "App Connector 'hr-sync' may no longer use the UpdateConnector 'KnEmployee'",
        },
    ),
    (
        "afas-app-connector-scope-grew",
        _scope(get_connectors=(ConnectorRef("Profit_Employees"), ConnectorRef("Profit_Debtor"))),
        {"level": "INFO", "value": "Profit_Debtor", "path": "app-connectors/hr-sync/get/Profit_Debtor"},
    ),
    (
        "afas-app-connector-added",
        lambda s: s.app_connectors.__setitem__("finance", AppConnectorScope("finance")),
        {"level": "INFO", "connector": "finance", "path": "app-connectors/finance"},
    ),
    (
        "afas-app-connector-removed",
        lambda s: s.app_connectors.pop("hr-sync"),
        {"level": "WARN", "connector": "hr-sync"},
    ),
    (
        "afas-app-connector-group-changed",
        _scope(group="AuthorizationGroup 7 (12345.ADMIN)"),
        {"level": "WARN", "after": "AuthorizationGroup 7 (12345.ADMIN)"},
    ),
    (
        "afas-profit-version-changed",
        lambda s: setattr(s, "profit_version", "9.0.0"),
        {
            "level": "INFO",
            "connector_type": "environment",
            "path": "environment/profit_version",
            "before": "8.1.2",
            "after": "9.0.0",
            "text": "the Profit version changed from '8.1.2' to '9.0.0'",
        },
    ),
    ("afas-connector-unblocked", _get(blocked=True), {"level": "INFO", "swap": True}),
]


@pytest.mark.parametrize(("rule_id", "mutate", "expected"), CASES, ids=[c[0] for c in CASES])
def test_golden(rule_id: str, mutate: Mut, expected: dict[str, Any]) -> None:
    base = base_snapshot()
    revision = copy(base)
    mutate(revision)
    if expected.get("swap"):
        base, revision = revision, base
    changes = diff_snapshots(base, revision).changes
    assert [c.id for c in changes] == [rule_id], [c.text for c in changes]
    change = change_json(changes[0])
    rule = all_rules()[rule_id]
    assert change["level"] == rule.level == expected["level"]
    for key, value in expected.items():
        if key not in ("swap", "level"):
            assert change[key] == value, key
    assert change["fingerprint"].startswith("sha256:") and len(change["fingerprint"]) == 23


def test_every_rule_has_a_golden_case() -> None:
    # the rules that inspect only .gcn definitions have theirs in tests/gcn/test_gcn_rules.py
    assert {c[0] for c in CASES} == {rid for rid, r in all_rules().items() if r.subjects != ("gcn",)}


def test_rules_are_documented_and_inverses_exist() -> None:
    rules = all_rules()
    for rule in rules.values():
        assert rule.doc() and rule.title, rule.id
        assert rule.inverse, rule.id
        for inv in rule.inverse:
            assert inv in rules, (rule.id, inv)
            assert rule.id in rules[inv].inverse, (rule.id, inv)
        assert rule.id.startswith("afas-") or rule.id in OASDIFF_IDS, rule.id


#: ids that oasdiff itself uses (checker/localizations_src/en/messages.yaml).
OASDIFF_IDS = {
    "endpoint-added",
    "api-path-removed-without-deprecation",
    "new-optional-request-property",
    "new-required-request-property",
    "request-property-removed",
    "request-property-became-required",
    "request-property-became-optional",
    "request-property-enum-value-added",
    "request-property-enum-value-removed",
    "request-property-max-length-increased",
    "request-property-max-length-decreased",
    "request-property-max-length-set",
    "request-property-type-changed",
    "request-property-became-enum",
    "response-optional-property-added",
    "response-optional-property-removed",
    "response-property-type-changed",
    "response-property-max-length-increased",
}


def test_nested_object_added_is_one_change_even_with_many_fields() -> None:
    base = base_snapshot()
    rev = copy(base)
    c = rev.update_connectors["KnEmployee"]
    big = UpdateObject(
        "AfasContract",
        fields=tuple(UpdateField(f"F{i}", mandatory=i % 2 == 0) for i in range(30)),
        objects=(UpdateObject("AfasSalary", fields=(UpdateField("EmSa"),)),),
    )
    rev.update_connectors["KnEmployee"] = R(c, objects=(*c.objects, big))
    changes = diff_snapshots(base, rev).changes
    assert [(ch.id, ch.path) for ch in changes] == [
        ("afas-request-object-added", "KnEmployee/Element/Objects/AfasContract")
    ]
    assert changes[0].after == {
        "fields": 30,
        "objects": 1,
        "mandatory": sorted(f"F{i}" for i in range(0, 30, 2)),
    }


def test_new_connector_is_one_change_not_one_per_field() -> None:
    base = base_snapshot()
    rev = copy(base)
    rev.update_connectors["KnUser"] = UpdateConnector(
        "KnUser", "Gebruiker", tuple(UpdateField(f"F{i}") for i in range(10))
    )
    assert [c.id for c in diff_snapshots(base, rev).changes] == ["endpoint-added"]


def test_mandatory_custom_field_is_a_new_required_property() -> None:
    base = base_snapshot()
    rev = copy(base)
    map_update_field(rev, "KnEmployee", (), CUSTOM, lambda f: None)
    base2 = copy(rev, "production")
    add_update_field(rev, "KnEmployee", UpdateField(CUSTOM, "Vrij", "string", 40, mandatory=True))
    assert [c.id for c in diff_snapshots(base2, rev).changes] == ["new-required-request-property"]
