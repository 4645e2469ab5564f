"""Differential: ``afasgov validate`` and a JSON Schema validator (``jsonschema``) on the exported
payload schema (``afasgov openapi --schemas-only``) give the same structural verdicts — unknown field,
unknown object, missing mandatory field, value too long, code not allowed — on AFAS's own request
examples and on generated payloads.

Where they must differ by design, the difference is named here, and only it is set aside:

* ``FIELD_CASE`` — a field name in another case (``VaAd`` for ``VaAD``): ``afasgov validate`` WARNs
  (``payload-field-case``) and checks the value against that field, since AFAS's own examples do this
  and whether AFAS matches names regardless of case is not documented; the schema gives AFAS's names
  exactly, so any tool reports an unknown field;
* ``CODE_CASE`` — a code in another case (``art`` for ``Art``): INFO in ``afasgov validate`` (AFAS's
  examples write codes in any case); the schema's ``enum`` holds the codes exactly;
* ``INT_CODE_FORM`` — an integer code written with leading zeros or a sign (``"007"`` for ``7``):
  ``afasgov validate`` compares integer codes as integers (and then checks the length of the text);
  ``enum`` compares values;
* ``UNDOCUMENTED_FORM`` — the forms ``afasgov validate`` reads but WARNs about because AFAS does not
  document them (``payload-shape-variant``, ``payload-duplicate-field``, ``payload-misplaced-key``,
  ``payload-action-field``, ``payload-stray-key``): the schema accepts documented forms only, so in
  the elements concerned the two see different things;
* ``ROOT_ELEMENT`` — a payload whose root element is not the connector's (an example documented under
  the wrong connector): ``afasgov validate --connector`` says so (``payload-root-element``) and checks
  the elements against the connector all the same; the schema's root property is fixed, so a JSON
  Schema validator stops there;
* ``TEXT_FLOAT`` — a JSON number with a fraction in a text field: ``afasgov validate`` reads its text,
  the schema takes integers only (the length of a fraction's text is no JSON Schema keyword).

Everything else must agree; the tests also check that each named difference is needed (it happens)
and that the comparison sees a difference it should.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afasgov.model import EnvironmentSnapshot, UpdateField, UpdateObject
from afasgov.openapi import payload_schemas
from tests.openapi.verdicts import Verdict, dumps, schema_verdicts, structural, validate_verdicts

UNDOCUMENTED = {"payload-shape-variant", "payload-duplicate-field", "payload-misplaced-key",
                "payload-action-field", "payload-stray-key"}


def _fields_at(snapshot: EnvironmentSnapshot, object_path: tuple[str, ...]) -> dict[str, UpdateField]:
    conn = snapshot.update_connectors.get(object_path[0])
    if conn is None:
        return {}
    fields, objects = conn.fields, conn.objects
    for name in object_path[1:]:
        obj = next((o for o in objects if o.name == name), None)
        if obj is None:
            return {}
        fields, objects = obj.fields, obj.objects
    return {f.field_id: f for f in fields}


def _values(payload: Any, connector: str) -> list[tuple[tuple[str, ...], str, Any]]:
    """Every (object path, field name as written, value) of a JSON payload."""
    out: list[tuple[tuple[str, ...], str, Any]] = []

    def elements(body: Any, path: tuple[str, ...]) -> None:
        if not isinstance(body, dict):
            return
        els = body.get("Element")
        for el in els if isinstance(els, list) else [els]:
            if not isinstance(el, dict):
                continue
            for k, v in el.items():
                if k.startswith("@"):
                    out.append((path, k[1:], v))
            fields = el.get("Fields")
            if isinstance(fields, dict):
                out.extend((path, k, v) for k, v in fields.items())
            objs = el.get("Objects")
            for item in objs if isinstance(objs, list) else [objs]:
                if isinstance(item, dict):
                    for name, sub in item.items():
                        elements(sub, (*path, name))

    if isinstance(payload, dict) and len(payload) == 1:
        elements(next(iter(payload.values())), (connector,))
    return out


def explain(
    only_schema: set[Verdict], only_validate: set[Verdict], payload: Any, connector: str,
    snapshot: EnvironmentSnapshot, items: list[Any],
) -> tuple[set[Verdict], set[Verdict], Counter[str]]:
    """Set aside the named differences; what is left must be empty on both sides."""
    reasons: Counter[str] = Counter()
    undocumented = [tuple(i.location.object_path or (connector,)) for i in items if i.id in UNDOCUMENTED]
    values = _values(payload, connector)

    def under_undocumented(v: Verdict) -> bool:
        return any(v[1][: len(p)] == p for p in undocumented)

    wrong_root = any(i.id in ("payload-root-element", "payload-unknown-connector") for i in items)

    def reason(v: Verdict, side: str) -> str | None:
        kind, path, field = v
        fields = _fields_at(snapshot, path)
        if wrong_root and side == "validate":
            return "ROOT_ELEMENT"
        if under_undocumented(v):
            return "UNDOCUMENTED_FORM"
        if field is None:
            return None
        folded = {k.casefold(): f for k, f in fields.items()}
        if field not in fields and field.casefold() in folded:
            return "FIELD_CASE"
        if kind == "missing-mandatory" and any(
            p == path and name != field and name.casefold() == field.casefold() for p, name, _ in values
        ):
            return "FIELD_CASE"  # given, under another case
        f = fields.get(field)
        written = [val for p, name, val in values if p == path and name == field]
        if f is not None and f.values:
            codes = [c.id for c in f.values]
            texts = [str(w) for w in written if isinstance(w, str | int) and not isinstance(w, bool)]
            int_form = f.data_type == "int" and any(
                t not in codes and t.lstrip("+-").isdigit()
                and any(c.lstrip("+-").isdigit() and int(c) == int(t) for c in codes)
                for t in texts
            )
            if kind == "code-not-allowed" and side == "schema":
                if any(t.casefold() in {c.casefold() for c in codes} for t in texts):
                    return "CODE_CASE"
                if int_form:
                    return "INT_CODE_FORM"
            if kind == "too-long" and side == "validate" and int_form:
                return "INT_CODE_FORM"  # a code for afasgov validate, so its length is checked next
        if side == "validate" and f is not None and f.data_type == "string" and any(
            isinstance(w, float) and not w.is_integer() for w in written
        ):
            return "TEXT_FLOAT"
        return None

    left_s, left_v = set(), set()
    for side, verdicts, left in (("schema", only_schema, left_s), ("validate", only_validate, left_v)):
        for v in verdicts:
            why = reason(v, side)
            if why is None:
                left.add(v)
            else:
                reasons[why] += 1
    return left_s, left_v, reasons


def compare(schema: dict[str, Any], payload: Any, snapshot: EnvironmentSnapshot, connector: str, action: str
            ) -> tuple[set[Verdict], set[Verdict], Counter[str], set[Verdict]]:
    s = structural(schema_verdicts(schema, payload, connector))
    v_all, items = validate_verdicts(dumps(payload), snapshot, connector, action)
    v = structural(v_all)
    left_s, left_v, reasons = explain(s - v, v - s, payload, connector, snapshot, items)
    return left_s, left_v, reasons, s & v


# ------------------------------------------------------------------------------------ corpus examples
@pytest.mark.corpus
def test_afas_request_examples(openapi_dir: Path) -> None:
    """All of AFAS's request examples, as sent (to the URL's connector, POST as insert, PUT as update),
    against a snapshot of the metainfo they are documented with."""
    from tests.afas_openapi import request_examples, snapshot_from_specs, with_environment_fields

    examples = request_examples(openapi_dir)
    snapshot = with_environment_fields(snapshot_from_specs(openapi_dir), examples)
    schemas = payload_schemas(snapshot)
    disagreements: list[str] = []
    reasons: Counter[str] = Counter()
    agreed: Counter[str] = Counter()
    compared = 0
    for ex in examples:
        schema = schemas.get(f"{ex.connector}_{ex.method}")
        if schema is None or ex.connector not in snapshot.update_connectors:
            continue
        compared += 1
        only_s, only_v, why, both = compare(schema, ex.value, snapshot, ex.connector, ex.action)
        reasons.update(why)
        agreed.update(k for k, _, _ in both)
        for verdict in sorted(only_s):
            disagreements.append(f"{ex.key}: only the schema says {verdict}")
        for verdict in sorted(only_v):
            disagreements.append(f"{ex.key}: only afasgov validate says {verdict}")
    assert compared >= 850
    assert not disagreements, f"{len(disagreements)} disagreements:\n" + "\n".join(disagreements[:60])
    # both found real problems in AFAS's examples, of every kind the examples have
    assert {"unknown-field", "code-not-allowed", "missing-mandatory"} <= set(agreed), agreed
    assert reasons, "no named difference was needed: the list above is stale"
    print(f"agreed: {dict(agreed)}; set aside: {dict(reasons)}")


def test_the_comparison_sees_a_difference() -> None:
    """A schema that lost a field's maxLength disagrees with afasgov validate, at that field."""
    snapshot = _snapshot()
    schema = json.loads(json.dumps(payload_schemas(snapshot)["XxOrder_POST"]))
    del schema["$defs"]["XxOrder:Element"]["properties"]["Fields"]["properties"]["Ds"]["maxLength"]
    payload = {"XxOrder": {"Element": {"Fields": {"OrId": 1, "Ds": "x" * 41, "Tp": "A"}}}}
    only_s, only_v, _, _ = compare(schema, payload, snapshot, "XxOrder", "insert")
    assert only_s == set()
    assert only_v == {("too-long", ("XxOrder",), "Ds")}


# ---------------------------------------------------------------------------------- generated payloads
def _snapshot() -> EnvironmentSnapshot:
    """A small environment with every dataType, codes, mandatory fields and two levels of objects."""
    from afasgov.model import CodeValue, UpdateConnector

    codes = (CodeValue("A", "a"), CodeValue("B", "b"), CodeValue("07", "seven"), CodeValue("12", "twelve"))
    int_codes = (CodeValue("1", "one"), CodeValue("2", "two"), CodeValue("10", "ten"))
    line_fields = (
        UpdateField("LnId", "Line", "int", length=4, mandatory=True),
        UpdateField("Qu", "Quantity", "decimal", decimals=2),
        UpdateField("Da", "Date", "date", length=10),
        UpdateField("Rm", "Remark", "blob"),
        UpdateField("St", "Status", "int", length=2, values=int_codes),
    )
    serial = UpdateObject("XxSerial", (UpdateField("SeNo", "Serial", "string", length=6, mandatory=True),))
    order_fields = (
        UpdateField("OrId", "Order", "int", length=6, mandatory=True, primary_key=True),
        UpdateField("Ds", "Description", "string", length=40),
        UpdateField("Tp", "Type", "string", length=2, mandatory=True, values=codes),
        UpdateField("Bl", "Blocked", "boolean"),
        UpdateField("U" + "A1" * 16, "Custom field", "string", length=8),
    )
    conn = UpdateConnector("XxOrder", "Order", order_fields, (UpdateObject("XxLine", line_fields, (serial,)),))
    return EnvironmentSnapshot(name="gen", update_connectors={"XxOrder": conn})


_SNAPSHOT = _snapshot()
_SCHEMAS = payload_schemas(_SNAPSHOT)


def _value(f: UpdateField) -> st.SearchStrategy[Any]:
    text = st.text(alphabet=st.sampled_from("AaBb0127 -+.:T"), max_size=12)
    common: list[st.SearchStrategy[Any]] = [st.none(), st.just(""), text, st.integers(-10**7, 10**7)]
    if f.values:  # the codes, and the forms the named differences are about
        codes = [c.id for c in f.values]
        common.append(st.sampled_from(codes + [c.lower() for c in codes] + ["0" + c for c in codes]))
        if f.data_type == "int":
            common.append(st.sampled_from([int(c) for c in codes]))
    if f.data_type in ("decimal", "string"):
        common.append(st.floats(-1e6, 1e6, allow_nan=False))
    if f.data_type == "boolean":
        common += [st.booleans(), st.sampled_from(["true", "False", "1", "0", "yes"])]
    if f.data_type == "date":
        common.append(st.sampled_from(["2024-02-29", "2023-02-29", "2024-13-01", "2024-04-31", "13:00",
                                       "2024-01-31T10:00:00Z", "24:00"]))
    if f.length:
        common.append(st.text(alphabet="xyz", min_size=f.length - 1, max_size=f.length + 2))
    return st.one_of(common)


def _fields(fields: tuple[UpdateField, ...]) -> st.SearchStrategy[dict[str, Any]]:
    names = [f.field_id for f in fields] + ["Bogus", "@Action"]
    by_id = {f.field_id: f for f in fields}

    def value(name: str) -> st.SearchStrategy[Any]:
        if name == "@Action":
            return st.sampled_from(["insert", "update", "Delete", "bogus"])
        f = by_id.get(name)
        return _value(f) if f else st.text(max_size=3)

    return st.lists(st.sampled_from(names), unique=True, max_size=len(names)).flatmap(
        lambda chosen: st.fixed_dictionaries({n: value(n) for n in chosen}))


def _element(fields: tuple[UpdateField, ...], objects: tuple[UpdateObject, ...], depth: int
             ) -> st.SearchStrategy[dict[str, Any]]:
    keys = [f for f in fields if f.primary_key] + [UpdateField("Nope")]
    parts: dict[str, st.SearchStrategy[Any]] = {"Fields": _fields(fields)}
    optional: dict[str, st.SearchStrategy[Any]] = {f"@{k.field_id}": _value(k) for k in keys}
    if objects and depth < 3:
        one = st.sampled_from([*objects, UpdateObject("XxGhost")]).flatmap(
            lambda o: st.fixed_dictionaries({o.name: _wrapper(o.fields, o.objects, depth + 1)}))
        optional["Objects"] = st.one_of(one, st.lists(one, max_size=2), st.just(""))
    return st.fixed_dictionaries(parts, optional=optional)


def _wrapper(fields: tuple[UpdateField, ...], objects: tuple[UpdateObject, ...], depth: int
             ) -> st.SearchStrategy[dict[str, Any]]:
    el = _element(fields, objects, depth)
    return st.fixed_dictionaries({"Element": st.one_of(el, st.lists(el, min_size=1, max_size=2))})


_ORDER = _SNAPSHOT.update_connectors["XxOrder"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_wrapper(_ORDER.fields, _ORDER.objects, 0), method=st.sampled_from(["POST", "PUT"]))
def test_generated_payloads(body: dict[str, Any], method: str) -> None:
    """Payloads of every accepted shape (Element one or a list, Objects a mapping or a list, keys as
    ``@Key``, ``"@Action"`` at any depth, ``""``/``null``), with unknown fields and objects, missing
    mandatory fields, values too long, codes not allowed, wrong types."""
    payload = {"XxOrder": body}
    schema = _SCHEMAS[f"XxOrder_{method}"]
    only_s, only_v, _, _ = compare(schema, payload, _SNAPSHOT, "XxOrder", "insert" if method == "POST" else "update")
    assert not only_s and not only_v, (only_s, only_v, payload)


@pytest.mark.parametrize(("fields", "reasons", "side", "verdict"), [
    # the unknown name, and the mandatory field it stands for
    ({"OrId": 1, "tp": "A"}, {"FIELD_CASE": 2}, "schema", ("unknown-field", ("XxOrder",), "tp")),
    ({"OrId": 1, "Tp": "a"}, {"CODE_CASE": 1}, "schema", ("code-not-allowed", ("XxOrder",), "Tp")),
    ({"OrId": 1, "Tp": "A", "Ds": 1.5}, {}, None, None),
])
def test_named_differences(fields: dict[str, Any], reasons: dict[str, int], side: str | None,
                           verdict: Verdict | None) -> None:
    """Each named difference happens where its description says, and is set aside for that reason only."""
    payload = {"XxOrder": {"Element": {"Fields": fields}}}
    s = structural(schema_verdicts(_SCHEMAS["XxOrder_POST"], payload, "XxOrder"))
    v_all, items = validate_verdicts(dumps(payload), _SNAPSHOT, "XxOrder", "insert")
    v = structural(v_all)
    if verdict is None:
        assert s == v
        return
    assert verdict in (s - v if side == "schema" else v - s)
    _, _, why = explain(s - v, v - s, payload, "XxOrder", _SNAPSHOT, items)
    assert why == Counter(reasons)


def test_int_code_and_text_float_differences() -> None:
    """``"01"`` is the integer code 1 for afasgov validate, not for ``enum``; a number with a fraction in
    a text field is its text for afasgov validate (here too long), a type error for the schema."""
    payload = {"XxOrder": {"Element": {"Fields": {"OrId": 1, "Tp": "A", "Ds": 1.25},
                                       "Objects": {"XxLine": {"Element": {"Fields": {"LnId": 1, "St": "01"}}}}}}}
    snapshot = _snapshot()
    short = {k: v for k, v in snapshot.update_connectors.items()}
    conn = short["XxOrder"]
    fields = tuple(f if f.field_id != "Ds" else UpdateField("Ds", "Description", "string", length=3)
                   for f in conn.fields)
    from afasgov.model import UpdateConnector

    snapshot = EnvironmentSnapshot(name="gen", update_connectors={
        "XxOrder": UpdateConnector("XxOrder", "Order", fields, conn.objects)})
    schema = payload_schemas(snapshot)["XxOrder_POST"]
    s = structural(schema_verdicts(schema, payload, "XxOrder"))
    v_all, items = validate_verdicts(dumps(payload), snapshot, "XxOrder", "insert")
    v = structural(v_all)
    assert s - v == {("code-not-allowed", ("XxOrder", "XxLine"), "St")}
    assert v - s == {("too-long", ("XxOrder",), "Ds")}
    left_s, left_v, why = explain(s - v, v - s, payload, "XxOrder", snapshot, items)
    assert (left_s, left_v) == (set(), set())
    assert why == Counter({"INT_CODE_FORM": 1, "TEXT_FLOAT": 1})
