"""The ``gcn`` rules in the one diff registry: one golden case per rule, the shared ids, the laws of the
diff (identity, inverses, stable fingerprints) and ``afasgov gcn diff`` rendering like ``afasgov diff``."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov.cli import main
from afasgov.diff.change import change_json, sort_key
from afasgov.diff.registry import all_rules
from afasgov.diff.rulesdoc import render
from afasgov.gcn import read_gcn
from afasgov.gcn.diff import RULES, SHARED, diff_definitions
from afasgov.gcn.model import GcnCriterion, GcnDefinition, GcnField, GcnFilterGroup

from .fixtures import EMPLOYEES, employees_gcn

R = dataclasses.replace
BASE = read_gcn(employees_gcn()).definition
Mut = Callable[[GcnDefinition], GcnDefinition]


def _field(fid: str, **changes: Any) -> Mut:
    def m(d: GcnDefinition) -> GcnDefinition:
        return R(d, fields=tuple(R(f, **changes) if f.field_id == fid else f for f in d.fields))

    return m


def _drop(fid: str) -> Mut:
    return lambda d: R(d, fields=tuple(f for f in d.fields if f.field_id != fid))


def _add(f: GcnField) -> Mut:
    return lambda d: d if d.get_field(f.field_id) else R(d, fields=(*d.fields, f))


def _swap_first_two(d: GcnDefinition) -> GcnDefinition:
    return R(d, fields=(d.fields[1], d.fields[0], *d.fields[2:]))


def _set(**changes: Any) -> Mut:
    return lambda d: R(d, **changes)


MOBILE = GcnField("U006", order=6, display=1, output_name="Mobile", source="Kn.Bcn.MbNr")
SYSTEM = GcnField("U007", order=7, display=2, source="Kn.Bcn.AuId")
OTHER_FILTER = (GcnFilterGroup((GcnCriterion("U004", 1, "1"),)),)

#: (rule id, mutation of BASE, swap BASE/REVISION, what the one change has)
CASES: list[tuple[str, Mut, bool, dict[str, Any]]] = [
    ("afas-gcn-connector-replaced", _set(guid="0" * 32), False, {"before": BASE.guid, "after": "0" * 32}),
    ("afas-gcn-name-changed", _set(name="Demo_Staff"), False, {"path": "Demo_Staff", "after": "Demo_Staff"}),
    ("afas-gcn-data-collection-changed", _set(data_collection="B_Emp00"), False, {"after": "B_Emp00"}),
    ("afas-connector-blocked", _set(blocked=True), False, {"text": "the GetConnector 'Demo_Employees' was blocked"}),
    ("afas-connector-unblocked", _set(blocked=True), True, {"before": True, "after": False}),
    (
        "response-optional-property-removed",
        _drop("U001"),
        False,
        {
            "path": "Demo_Employees/Fields/PersonId",
            "field": "PersonId",
            "before": "PersonId",
            "after": None,
            "text": "removed the optional property 'Demo_Employees/Fields/PersonId' from the response with the "
            "'200' status",
        },
    ),
    ("response-optional-property-removed", _field("U001", display=0), False, {"after": "filter-only"}),
    (
        "response-optional-property-added",
        _add(MOBILE),
        False,
        {"path": "Demo_Employees/Fields/Mobile", "after": "Mobile"},
    ),
    (
        "afas-response-property-renamed",
        _field("U003", output_name="Mail"),
        False,
        {
            "path": "Demo_Employees/Fields/Email",
            "before": "Email",
            "after": "Mail",
            "text": "the response property 'Demo_Employees/Fields/Email' was renamed to 'Mail' (field id 'U003')",
        },
    ),
    (
        "afas-response-property-label-changed",
        _field("U001", label="Nummer"),
        False,
        {"before": "Persoonsnummer", "after": "Nummer", "path": "Demo_Employees/Fields/PersonId"},
    ),
    (
        "afas-connector-description-changed",
        _set(description="Staff"),
        False,
        {"text": "the description of the GetConnector 'Demo_Employees' changed from 'Demo - employees' to 'Staff'"},
    ),
    (
        "afas-gcn-field-source-changed",
        _field("U002", source="Kn.Emp.SeNm"),
        False,
        {"before": "Kn.Emp.Nm via Bcn.KnEmp2", "after": "Kn.Emp.SeNm via Bcn.KnEmp2"},
    ),
    ("afas-gcn-main-table-changed", _set(main_table="Kn.Emp"), False, {"before": "Kn.Bcn", "after": "Kn.Emp"}),
    ("afas-gcn-aggregation-changed", _field("U001", aggregation=1), False, {"after": 1, "value": None}),
    ("afas-gcn-aggregation-changed", _set(grouping=True), False, {"value": "grouping", "after": True}),
    ("afas-gcn-filter-added", _set(filters=()), True, {"after": [["U004 = '0'"]]}),
    ("afas-gcn-filter-removed", _set(filters=()), False, {"before": [["U004 = '0'"]], "after": None}),
    ("afas-gcn-filter-changed", _set(filters=OTHER_FILTER), False, {"after": [["U004 = '1'"]]}),
    (
        "afas-gcn-authorisation-changed",
        _set(apply_authorisation=False),
        False,
        {"text": "apply authorisation of 'Demo_Employees' was switched off"},
    ),
    (
        "afas-gcn-visibility-changed",
        _set(visible=False),
        False,
        {"text": "the connector 'Demo_Employees' is now hidden"},
    ),
    ("afas-gcn-field-added", _add(SYSTEM), False, {"value": "system", "path": "Demo_Employees/Fields/U007"}),
    ("afas-gcn-field-removed", _drop("U004"), False, {"value": "filter-only", "before": "Kn.Bcn.Bl"}),
    ("afas-gcn-field-order-changed", _swap_first_two, False, {"after": ["U002", "U001", "U003", "U005"]}),
    ("afas-gcn-field-text-changed", _field("U003", column_header="Mail"), False, {"value": "column_header"}),
    ("afas-gcn-field-text-changed", _field("U004", label="Geblokkeerd"), False, {"value": "label"}),
    ("afas-gcn-authorisation-group-changed", _set(authorisation_group="HR"), False, {"after": "HR"}),
    ("afas-gcn-flag-changed", _set(template=True), False, {"value": "template", "after": True}),
    ("afas-gcn-condition-changed", _set(negative_condition=4), False, {"value": "negative_condition"}),
    ("afas-gcn-info-changed", _set(info="Other"), False, {"after": "Other"}),
]


@pytest.mark.parametrize(("rule_id", "mutate", "swap", "expected"), CASES, ids=[c[0] for c in CASES])
def test_golden(rule_id: str, mutate: Mut, swap: bool, expected: dict[str, Any]) -> None:
    base, revision = BASE, mutate(BASE)
    if swap:
        base, revision = revision, base
    changes = diff_definitions(base, revision)
    assert [c.id for c in changes] == [rule_id], [c.text for c in changes]
    change = change_json(changes[0])
    rule = all_rules()[rule_id]
    assert change["level"] == rule.level and change["connector_type"] == "gcn"
    for key, value in expected.items():
        assert change[key] == value, key
    assert change["fingerprint"].startswith("sha256:") and len(change["fingerprint"]) == 23


def test_every_gcn_rule_has_a_golden_case() -> None:
    assert {c[0] for c in CASES} == {r.id for r in RULES}


def test_one_registry_shared_ids_and_documentation() -> None:
    registered = all_rules()
    doc = render()
    for rule in RULES:
        assert rule.id in registered, rule.id
        reg = registered[rule.id]
        if rule.id.startswith("afas-gcn-"):
            assert reg is rule and reg.subjects == ("gcn",) and reg.family == "gcn"
            assert rule.id not in SHARED
        else:  # the snapshot rule of the same concept: same id, level, wording, inverses
            assert SHARED[rule.id] is rule and reg is not rule and issubclass(rule, reg)
            assert (rule.level, rule.template, rule.inverse) == (reg.level, reg.template, reg.inverse)
            assert f"*On `.gcn` definitions* (`afasgov gcn diff`, `afasgov diff a.gcn b.gcn`): {rule.doc()}" in doc
        assert f"### {rule.id}" in doc and reg.doc() in doc
        for inv in rule.inverse:
            assert inv in {r.id for r in RULES}, (rule.id, inv)
    # gcn-only ids exist nowhere else; old ids are gone
    for old in ("response-property-removed", "response-property-added", "afas-gcn-output-name-changed",
                "afas-gcn-blocked", "afas-gcn-unblocked", "afas-gcn-label-changed", "afas-gcn-description-changed"):
        assert old not in registered and old not in {r.id for r in RULES}


# ------------------------------------------------------------------------------------------- laws
MUTATIONS: list[Mut] = [m for _, m, _, _ in CASES]


@settings(max_examples=80, deadline=None)
@given(picks=st.lists(st.integers(0, len(MUTATIONS) - 1), max_size=6), swap=st.booleans())
def test_laws(picks: list[int], swap: bool) -> None:
    a = BASE
    b = BASE
    for i in picks:
        b = MUTATIONS[i](b)
    if swap:
        a, b = b, a
    assert diff_definitions(a, a) == [] and diff_definitions(b, b) == []
    forward, backward = diff_definitions(a, b), diff_definitions(b, a)
    assert (forward == []) == (a == b)  # every difference these mutations make is one a rule reports
    rules = all_rules()
    for c in forward:
        assert c.level == rules[c.id].level
        assert any(
            o.id in rules[c.id].inverse and o.extra["field_id"] == c.extra["field_id"] for o in backward
        ), (c.id, c.path)
    assert len({c.fingerprint for c in forward}) == len(forward)
    assert forward == sorted(forward, key=sort_key)
    assert [c.fingerprint for c in diff_definitions(a, b)] == [c.fingerprint for c in forward]


_SCRIPT = """
import json, sys
sys.path.insert(0, {root!r})
from tests.gcn.test_gcn_rules import BASE, MUTATIONS
from afasgov.gcn.diff import diff_definitions
from afasgov.diff.change import change_json
b = BASE
for m in MUTATIONS[:12]:
    b = m(b)
print(json.dumps([c.fingerprint for c in diff_definitions(BASE, b)]))
"""


def test_fingerprints_are_stable_across_runs() -> None:
    root = str(Path(__file__).resolve().parents[2])
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _SCRIPT.format(root=root)], env=env, capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout))
    b = BASE
    for m in MUTATIONS[:12]:
        b = m(b)
    here = [c.fingerprint for c in diff_definitions(BASE, b)]
    assert runs[0] == runs[1] == here and len(here) >= 8


# ------------------------------------------------------------------------------------------ CLI
def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    fields = [*EMPLOYEES["fields"][:2], {**EMPLOYEES["fields"][2], "output_name": "WorkEmail"}]
    (tmp_path / "a.gcn").write_bytes(employees_gcn())
    (tmp_path / "b.gcn").write_bytes(employees_gcn(fields=fields, filters=[], description="Staff"))
    return tmp_path


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html", "junit", "sarif", "github"])
def test_gcn_diff_renders_exactly_like_diff(workdir: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, err = _cli(["gcn", "diff", "a.gcn", "b.gcn", "--format", fmt, "--output", f"g.{fmt}"], capsys)
    assert code == 1, err
    assert "written to g." in out
    code2, _, _ = _cli(["diff", "a.gcn", "b.gcn", "--format", fmt, "--output", f"d.{fmt}"], capsys)
    assert code2 == code
    gcn_text, diff_text = (workdir / f"g.{fmt}").read_text(), (workdir / f"d.{fmt}").read_text()
    if fmt == "json":
        assert json.loads(gcn_text) == json.loads(diff_text)
        ids = {c["id"] for c in json.loads(gcn_text)["changes"]}
        assert {"afas-response-property-renamed", "response-optional-property-removed"} <= ids
    elif fmt not in ("html", "junit", "sarif"):  # those carry a generation time
        assert gcn_text == diff_text


def test_gcn_diff_fail_on_and_waivers(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(["gcn", "diff", "a.gcn", "b.gcn", "--format", "json"], capsys)
    doc = json.loads(out)
    errors = [c for c in doc["changes"] if c["level"] == "ERR"]
    assert code == 1 and len(errors) == 2
    waivers = workdir / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        + "".join(
            f"  - fingerprint: {c['fingerprint']}\n    reason: accepted\n    owner: hr\n    expires: 2999-12-31\n"
            for c in errors
        ),
        encoding="utf-8",
    )
    code, out, _ = _cli(["gcn", "diff", "a.gcn", "b.gcn", "--format", "json", "--waivers", str(waivers)], capsys)
    doc = json.loads(out)
    assert code == 0 and sum(c["waived"] for c in doc["changes"]) == 2
    code, _, _ = _cli(["gcn", "diff", "a.gcn", "b.gcn", "--waivers", str(waivers), "--fail-on", "INFO"], capsys)
    assert code == 1  # the unwaived WARN/INFO changes


def test_gcn_diff_refuses_snapshots_and_bad_operands(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "snap").mkdir()
    code, _, err = _cli(["gcn", "diff", "a.gcn", "snap"], capsys)
    assert code == 2 and "afasgov diff" in err
    (workdir / "x.txt").write_text("hello")
    code, _, err = _cli(["gcn", "diff", "a.gcn", "x.txt"], capsys)
    assert code == 2 and err.count("\n") == 1
    code, _, err = _cli(["gcn", "diff", "a.gcn", "Nope"], capsys)
    assert code == 2 and "Nope" in err


def test_stored_definitions_by_name_and_guid(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(["gcn", "import", "a.gcn"], capsys)[0] == 0
    for spec in ("Demo_Employees", BASE.guid):
        code, out, _ = _cli(["gcn", "diff", spec, "b.gcn", "--format", "json"], capsys)
        assert code == 1 and json.loads(out)["summary"]["ERR"] == 2
        code, out, _ = _cli(["diff", spec, "b.gcn", "--format", "json"], capsys)
        assert code == 1 and json.loads(out)["summary"]["ERR"] == 2


def test_changelog_of_definitions_says_get(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(["changelog", "a.gcn", "b.gcn", "--format", "json"], capsys)
    rows = json.loads(out)["changelog"]
    assert code == 0 and rows and {r["operation"] for r in rows} == {"GET"}
    assert any(r["breaking"] and "renamed to 'WorkEmail'" in r["description"] for r in rows)
