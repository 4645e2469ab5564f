"""Raw AFAS metainfo JSON → canonical model: the documented rules, tolerances and errors."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afasgov.errors import EXIT_USAGE, InputError
from afasgov.model import CodeValue, ConnectorRef, GetField, UpdateField
from afasgov.model import normalise as nm
from afasgov.model.normalise import (
    MetainfoError,
    Tolerances,
    blocked_flags,
    normalise_get,
    normalise_metainfo,
    normalise_profit_version,
    normalise_update,
)

# the examples of afas-api.md
GET_EXAMPLE: dict[str, Any] = {
    "name": "Profit_Administrations",
    "description": "Administraties (Profit)",
    "fields": [
        {
            "id": "AdminId",
            "fieldId": "U002",
            "dataType": "int",
            "label": "Administratie",
            "length": 3,
            "controlType": 5,
            "decimals": 0,
            "decimalsFieldId": "",
        }
    ],
}
UPDATE_FIELD: dict[str, Any] = {
    "fieldId": "SbId",
    "primaryKey": True,
    "dataType": "int",
    "label": "Dossieritem",
    "mandatory": False,
    "length": 9,
    "decimals": 0,
    "decimalFieldId": "",
    "notzero": False,
    "controlType": 5,
    "values": None,
}


def update_example() -> dict[str, Any]:
    link = dict(
        UPDATE_FIELD,
        fieldId="RlId",
        primaryKey=False,
        mandatory=True,
        values=[{"id": "1", "description": "Medewerker"}, {"id": "2", "description": "Relatie"}],
    )
    deep = dict(
        UPDATE_FIELD, fieldId="Amount", dataType="decimal", decimals=2, decimalFieldId="CuId", values=[]
    )
    return {
        "name": "KnSubject",
        "description": "Dossieritem",
        "fields": [UPDATE_FIELD, dict(UPDATE_FIELD, fieldId="StId", primaryKey=False, dataType="string")],
        "objects": [
            {
                "name": "KnSubjectLink",
                "fields": [link],
                "objects": [{"name": "Deep", "fields": [deep], "objects": []}],
            }
        ],
    }


def test_get_example() -> None:
    c = normalise_get(GET_EXAMPLE, environment="production", connector="Profit_Administrations")
    assert c.id == "Profit_Administrations"
    assert c.description == "Administraties (Profit)"
    assert c.blocked is None
    assert c.fields == (
        GetField(
            id="AdminId",
            field_id="U002",
            label="Administratie",
            data_type="int",
            length=3,
            decimals=0,
            decimals_field_id="",
            control_type=5,
        ),
    )


def test_update_example_nested_and_values() -> None:
    tol = Tolerances()
    c = normalise_update(update_example(), environment="accept", connector="KnSubject", tolerances=tol)
    assert [f.field_id for f in c.fields] == ["SbId", "StId"]
    sbid = c.fields[0]
    assert sbid.primary_key and not sbid.mandatory and sbid.values is None and sbid.length == 9
    (link,) = c.objects
    assert link.name == "KnSubjectLink"
    assert link.fields[0].values == (CodeValue("1", "Medewerker"), CodeValue("2", "Relatie"))
    deep = link.objects[0].fields[0]
    assert deep.values is None  # [] and null both mean "no code list"
    assert deep.decimals == 2 and deep.decimals_field_id == "CuId"
    paths = [(p, f.field_id) for p, f in c.walk()]
    assert paths == [
        (("KnSubject",), "SbId"),
        (("KnSubject",), "StId"),
        (("KnSubject", "KnSubjectLink"), "RlId"),
        (("KnSubject", "KnSubjectLink", "Deep"), "Amount"),
    ]
    assert len(tol) == 0  # a complete document needs no tolerance


def test_key_spellings_of_get_and_update_are_one() -> None:
    # update documents spell decimalFieldId / notzero; the get spelling and notZero are accepted too
    a = dict(UPDATE_FIELD, decimalFieldId="X", notzero=True)
    b = {k: v for k, v in UPDATE_FIELD.items() if k not in ("decimalFieldId", "notzero")}
    b.update(decimalsFieldId="X", notZero=True)
    fa = normalise_update({"fields": [a]}, environment="e", connector="KnX").fields[0]
    fb = normalise_update({"fields": [b]}, environment="e", connector="KnX").fields[0]
    assert fa == fb
    assert fa.decimals_field_id == "X" and fa.not_zero is True
    g = dict(GET_EXAMPLE["fields"][0])
    g["decimalFieldId"] = g.pop("decimalsFieldId")
    g["decimalFieldId"] = "Y"
    assert normalise_get({"fields": [g]}, environment="e", connector="G").fields[0].decimals_field_id == "Y"


def test_values_null_empty_missing_are_none() -> None:
    for values in (None, []):
        f = normalise_update(
            {"fields": [dict(UPDATE_FIELD, values=values)]}, environment="e", connector="KnX"
        ).fields[0]
        assert f.values is None
    raw = {k: v for k, v in UPDATE_FIELD.items() if k != "values"}
    assert normalise_update({"fields": [raw]}, environment="e", connector="KnX").fields[0].values is None


def test_missing_optional_keys_are_defaulted_and_reported_once_per_connector() -> None:
    minimal = [{"fieldId": f"F{i}", "dataType": "string"} for i in range(5)]
    tol = Tolerances()
    c = normalise_update({"fields": minimal}, environment="test", connector="KnX", tolerances=tol)
    assert c.fields[0] == UpdateField(field_id="F0")
    lines = tol.lines()
    assert any(
        "5 field(s) without 'notzero'" in line and "'test'" in line and "KnX" in line for line in lines
    )
    assert len([line for line in lines if "notzero" in line]) == 1


def test_null_strings_become_empty() -> None:
    f = normalise_update(
        {"description": None, "fields": [dict(UPDATE_FIELD, label=None, decimalFieldId=None)]},
        environment="e",
        connector="KnX",
    )
    assert f.description == "" and f.fields[0].label == "" and f.fields[0].decimals_field_id == ""


def test_code_ids_as_numbers_and_duplicate_codes() -> None:
    tol = Tolerances()
    f = normalise_update(
        {
            "fields": [
                dict(UPDATE_FIELD, values=[{"id": 1, "description": "a"}, {"id": "1", "description": "b"}])
            ]
        },
        environment="e",
        connector="KnX",
        tolerances=tol,
    ).fields[0]
    assert f.values == (CodeValue("1", "a"),)
    assert any("duplicate code '1'" in line for line in tol.lines())


def test_unknown_and_oddly_cased_data_type_are_reported_tolerances() -> None:
    tol = Tolerances()
    c = normalise_update(
        {"fields": [dict(UPDATE_FIELD, dataType="guid"), dict(UPDATE_FIELD, fieldId="B", dataType="String")]},
        environment="prod",
        connector="KnX",
        tolerances=tol,
    )
    assert [f.data_type for f in c.fields] == ["guid", "string"]
    text = "\n".join(tol.lines())
    assert "unknown dataType 'guid'" in text and "KnX/Element/Fields/SbId" in text
    assert "'String' read as 'string'" in text


def test_name_mismatch_is_reported_and_id_kept() -> None:
    tol = Tolerances()
    c = normalise_get(
        dict(GET_EXAMPLE, name="profit_administrations"),
        environment="e",
        connector="Profit_Administrations",
        tolerances=tol,
    )
    assert c.id == "Profit_Administrations"
    assert any("names itself" in line for line in tol.lines())


def test_unpaired_surrogates_are_replaced_and_reported() -> None:
    raw = json.loads('{"fields": [{"fieldId": "A", "dataType": "string", "label": "bad \\ud800 label"}]}')
    tol = Tolerances()
    f = normalise_update(raw, environment="e", connector="KnX", tolerances=tol).fields[0]
    assert f.label == "bad \ufffd label"
    assert any("surrogates" in line for line in tol.lines())


def error_of(fn: Any, *args: Any, **kwargs: Any) -> MetainfoError:
    with pytest.raises(MetainfoError) as info:
        fn(*args, **kwargs)
    err = info.value
    assert isinstance(err, InputError) and err.exit_code == EXIT_USAGE
    assert "\n" not in str(err)
    return err


@pytest.mark.parametrize(
    ("mutate", "needle", "field"),
    [
        (lambda d: d.update(fields="nope"), "'fields' must be a list", None),
        (lambda d: d.pop("fields"), "'fields' is missing", None),
        (lambda d: d["fields"].append(7), "must be an object, got int", None),
        (
            lambda d: d["fields"][0].pop("fieldId"),
            "'fieldId' must be a non-empty string",
            "KnSubject/Element/Fields/#1",
        ),
        (
            lambda d: d["fields"][1].update(fieldId="SbId"),
            "duplicate field id",
            "KnSubject/Element/Fields/SbId",
        ),
        (
            lambda d: d["fields"][0].update(length="9"),
            "'length' must be an integer",
            "KnSubject/Element/Fields/SbId",
        ),
        (
            lambda d: d["fields"][0].update(length=True),
            "'length' must be an integer",
            "KnSubject/Element/Fields/SbId",
        ),
        (lambda d: d["fields"][0].update(mandatory="yes"), "'mandatory' must be true or false", None),
        (lambda d: d["fields"][0].update(label=["x"]), "'label' must be a string", None),
        (lambda d: d["fields"][0].pop("dataType"), "'dataType' is missing", None),
        (lambda d: d["fields"][0].update(dataType=3), "'dataType' must be a non-empty string", None),
        (lambda d: d["fields"][0].update(values={"id": "1"}), "'values' must be a list or null", None),
        (lambda d: d["fields"][0].update(values=[{"id": None}]), "'id' must be a string", None),
        (
            lambda d: d["objects"][0]["objects"][0]["fields"][0].update(decimals=1.5),
            "'decimals' must be an integer",
            "KnSubject/Element/Objects/KnSubjectLink/Element/Objects/Deep/Element/Fields/Amount",
        ),
        (
            lambda d: d["objects"].append({"name": "KnSubjectLink", "fields": []}),
            "duplicate object name",
            "KnSubject/Element/Objects/KnSubjectLink",
        ),
        (lambda d: d["objects"].append({"fields": []}), "'name' must be a non-empty string", None),
        (lambda d: d["objects"].append("x"), "must be an object, got str", None),
        (lambda d: d["fields"][0].update(fieldId="a\x00b"), "control characters", None),
    ],
)
def test_update_shape_errors_name_environment_connector_and_field(
    mutate: Any, needle: str, field: str | None
) -> None:
    doc = update_example()
    doc = copy.deepcopy(doc)
    mutate(doc)
    err = error_of(normalise_update, doc, environment="accept", connector="KnSubject")
    assert needle in str(err)
    assert "environment 'accept'" in str(err) and "update KnSubject" in str(err)
    if field is not None:
        assert err.field == field


@pytest.mark.parametrize("raw", [None, [], "text", 3])
def test_document_not_an_object(raw: object) -> None:
    assert "must be a JSON object" in str(error_of(normalise_get, raw, environment="e", connector="G"))


@pytest.mark.parametrize("cid", ["../etc/passwd", "a/b", ".hidden", "", "x" * 201, "a b", "é"])
def test_connector_ids_that_cannot_be_file_names_are_refused(cid: str) -> None:
    assert "not a valid connector id" in str(
        error_of(normalise_get, GET_EXAMPLE, environment="e", connector=cid)
    )


def test_huge_documents_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nm, "MAX_FIELDS_PER_CONNECTOR", 10)
    many = {
        "fields": [dict(UPDATE_FIELD, fieldId=f"F{i}") for i in range(6)],
        "objects": [{"name": "O", "fields": [dict(UPDATE_FIELD, fieldId=f"G{i}") for i in range(6)]}],
    }
    assert "more than 10 fields" in str(error_of(normalise_update, many, environment="e", connector="KnX"))
    assert "limit 10" in str(
        error_of(normalise_get, {"fields": [GET_EXAMPLE["fields"][0]] * 11}, environment="e", connector="G")
    )
    monkeypatch.setattr(nm, "MAX_STRING_LENGTH", 5)
    long_label = {"fields": [dict(UPDATE_FIELD, label="x" * 6)]}
    assert "characters long" in str(error_of(normalise_update, long_label, environment="e", connector="KnX"))


def test_deep_nesting_is_refused() -> None:
    node: dict[str, Any] = {"name": "O40", "fields": []}
    for depth in range(39, 0, -1):
        node = {"name": f"O{depth}", "fields": [], "objects": [node]}
    err = error_of(normalise_update, {"fields": [], "objects": [node]}, environment="e", connector="KnX")
    assert "nested deeper than" in str(err)


def test_metainfo_scope() -> None:
    raw = {
        "updateConnectors": [
            {"id": "KnSubject", "description": "Dossieritem"},
            {"id": "KnAddress", "description": "Adres"},
        ],
        "getConnectors": [{"id": "Profit_Functions", "description": "Profit_Functions"}],
        "info": {
            "envid": "A123456AC",
            "appName": "OpenAPI Spec Example",
            "group": "AuthorizationGroup 101 (12345.USER)",
            "tokenExpiry": "0",
        },
    }
    scope = normalise_metainfo(raw, environment="accept", app_connector="hr-sync", auth_type="classic")
    assert scope.update_connectors == (
        ConnectorRef("KnAddress", "Adres"),
        ConnectorRef("KnSubject", "Dossieritem"),
    )
    assert scope.get_ids == frozenset({"Profit_Functions"})
    assert (scope.app_name, scope.group, scope.token_expiry, scope.envid, scope.auth_type) == (
        "OpenAPI Spec Example",
        "AuthorizationGroup 101 (12345.USER)",
        "0",
        "A123456AC",
        "classic",
    )


def test_metainfo_tolerances_and_errors() -> None:
    tol = Tolerances()
    scope = normalise_metainfo(
        {"getConnectors": [{"id": "A"}, {"id": "A"}], "updateConnectors": [], "info": {"tokenExpiry": 0}},
        environment="e",
        app_connector="x",
        tolerances=tol,
    )
    assert scope.get_ids == {"A"} and scope.token_expiry == "0"
    assert any("listed twice" in line for line in tol.lines())
    tol = Tolerances()
    scope = normalise_metainfo(
        {"getConnectors": [], "updateConnectors": []}, environment="e", app_connector="x", tolerances=tol
    )
    assert scope.token_expiry is None and any("no 'info'" in line for line in tol.lines())
    assert "not a valid connector id" in str(
        error_of(
            normalise_metainfo,
            {"getConnectors": [{"id": "../x"}], "updateConnectors": []},
            environment="e",
            app_connector="x",
        )
    )
    assert "'getConnectors' is missing" in str(
        error_of(normalise_metainfo, {"updateConnectors": []}, environment="e", app_connector="x")
    )
    assert "'info' must be an object" in str(
        error_of(
            normalise_metainfo,
            {"getConnectors": [], "updateConnectors": [], "info": []},
            environment="e",
            app_connector="x",
        )
    )
    assert "file name" in str(error_of(normalise_metainfo, {}, environment="e", app_connector="a/b"))


def test_profit_version_and_blocked_flags() -> None:
    assert normalise_profit_version({"version": "22.22.5"}, environment="e") == "22.22.5"
    for bad in ({}, {"version": 3}, [], {"version": ""}):
        error_of(normalise_profit_version, bad, environment="e")
    rows = [{"Naam": "A", "Omschrijving": "a", "Geblokkeerd": False}, {"Naam": "B", "Geblokkeerd": True}]
    assert blocked_flags(rows, environment="e") == {"A": False, "B": True}
    assert "'Geblokkeerd' must be true or false" in str(
        error_of(blocked_flags, [{"Naam": "A", "Geblokkeerd": "nee"}], environment="e")
    )
    error_of(blocked_flags, ["x"], environment="e")


# hostile input: arbitrary JSON never produces anything but a model or a MetainfoError
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "fieldId",
                    "id",
                    "dataType",
                    "label",
                    "length",
                    "values",
                    "fields",
                    "objects",
                    "name",
                    "mandatory",
                    "notzero",
                    "decimalFieldId",
                    "description",
                    "x",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(json_values)
def test_arbitrary_json_gives_model_or_clear_error(raw: Any) -> None:
    for fn in (normalise_get, normalise_update):
        try:
            fn(raw, environment="e", connector="KnX")
        except MetainfoError as exc:
            assert str(exc).startswith("environment 'e'")
    with contextlib.suppress(MetainfoError):
        normalise_metainfo(raw, environment="e", app_connector="a")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "fieldId": st.text(min_size=1, max_size=10).filter(lambda s: s.strip() != ""),
                "dataType": st.sampled_from(sorted(nm.DATA_TYPES)),
                "label": st.text(max_size=20),
                "length": st.integers(0, 10_000),
                "mandatory": st.booleans(),
            }
        ),
        max_size=8,
        unique_by=lambda f: f["fieldId"],
    )
)
def test_field_order_is_afas_order(fields: list[dict[str, Any]]) -> None:
    try:
        c = normalise_update({"fields": fields}, environment="e", connector="KnX")
    except MetainfoError as exc:  # control characters in generated ids
        assert "control characters" in str(exc)
        return
    assert [f.field_id for f in c.fields] == [f["fieldId"] for f in fields]
