"""The builder (demo material, fixtures) and the gcn diff rules."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov.diff.change import change_json
from afasgov.diff.registry import all_rules
from afasgov.findings import Finding
from afasgov.gcn.build import build_gcn, definition_from_spec, guid_for
from afasgov.gcn.codec import read_gcn, write_gcn
from afasgov.gcn.diff import RULES, RULES_BY_ID, diff_definitions, rules_markdown
from afasgov.gcn.errors import GcnError
from afasgov.gcn.model import GcnCriterion, GcnFilterGroup

from .fixtures import EMPLOYEES, employees_gcn, spec

DOCS = Path(__file__).resolve().parents[2] / "docs" / "gcn.md"


def test_built_file_is_format8_and_reads_back() -> None:
    data = employees_gcn()
    doc = read_gcn(data)
    d = doc.definition
    assert doc.format_version == 8 and len(doc.header) == 17
    assert d.guid == guid_for("Demo_Employees") and d.name == "Demo_Employees"
    assert d.output_names == ("PersonId", "Name", "Email", "BirthDate")
    assert d.get_field("U004").display_kind == "filter-only"  # type: ignore[union-attr]
    assert d.get_field("U002").join_path == "Bcn.KnEmp2"  # type: ignore[union-attr]
    assert d.filter_text() == "(U004 = '0')"
    assert d.apply_authorisation and d.authorisation_group == "VTR"
    assert d.export.exported_at is not None and d.export.exported_at.isoformat() == "2025-01-21T16:52:12"
    assert d.export.exported_at_utc is not None and d.export.exported_at_utc.hour == 15  # CET
    assert write_gcn(doc) == data
    assert len(doc.header[15]) == 192


def test_build_is_deterministic_and_input_sensitive() -> None:
    assert employees_gcn() == employees_gcn()
    assert employees_gcn(blocked=True) != employees_gcn()
    assert read_gcn(employees_gcn(blocked=True)).definition.blocked


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"fields": []}, "at least one field"),
        ({"fields": [{"id": "U1", "source": "Kn.Bcn"}]}, "3 dot-separated parts"),
        (
            {
                "fields": [
                    {"id": "U1", "source": "Kn.Bcn.A", "output_name": "X"},
                    {"id": "U2", "source": "Kn.Bcn.B", "output_name": "X"},
                ]
            },
            "unique output_name",
        ),
        ({"filters": [[{"field": "U9", "operator": "=", "value": "1"}]]}, "U9"),
        ({"filters": [[{"field": "U001", "operator": "~~", "value": "1"}]]}, "unknown operator"),
        ({"guid": "xyz"}, "32 upper-case hex"),
        ({"fields": [{"id": "U1", "source": "Kn.Bcn.A", "display": "sometimes"}]}, "display"),
    ],
)
def test_build_rejects_bad_specs(change: dict, needle: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(GcnError) as info:
        build_gcn(spec(**({"filters": []} | change)))
    assert needle in str(info.value)


field_ids = st.from_regex(r"U0[0-9]{2}", fullmatch=True)
out_names = st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True)


@settings(max_examples=30, deadline=None)
@given(ids=st.lists(field_ids, min_size=1, max_size=8, unique=True), data=st.data())
def test_built_definitions_read_back(ids: list[str], data: st.DataObject) -> None:
    names = data.draw(st.lists(out_names, min_size=len(ids), max_size=len(ids), unique=True))
    displays = data.draw(
        st.lists(st.sampled_from(["output", "filter-only", "system"]), min_size=len(ids), max_size=len(ids))
    )
    fields = [
        {"id": i, "source": f"Kn.Bcn.F{n}", "output_name": n, "display": disp}
        for i, n, disp in zip(ids, names, displays, strict=True)
    ]
    crit = data.draw(
        st.lists(st.tuples(st.sampled_from(ids), st.integers(1, 15), st.text(max_size=8)), max_size=3)
    )
    filters = [[{"field": f, "operator": op, "value": v} for f, op, v in crit]] if crit else []
    s = spec(fields=fields, filters=filters, blocked=data.draw(st.booleans()))
    expected = definition_from_spec(s)
    d = read_gcn(build_gcn(s)).definition
    assert d.fields == expected.fields and d.filters == expected.filters and d.blocked == expected.blocked
    assert d.output_names == tuple(n for n, disp in zip(names, displays, strict=True) if disp == "output")


# ------------------------------------------------------------------------------------------- diff
def fid(change: Finding) -> str | None:
    return change.extra["field_id"]  # type: ignore[no-any-return]


def test_rule_ids_are_unique_kebab_case_and_documented() -> None:
    assert len(RULES_BY_ID) == len(RULES)
    registered = all_rules()
    for rule in RULES:
        prefixes = r"(afas-gcn|afas-response-property|response-optional-property|afas-connector)"
        assert re.fullmatch(prefixes + r"(-[a-z]+)+", rule.id), rule.id
        assert rule.level in ("ERR", "WARN", "INFO")
        assert rule.__doc__ and len(rule.__doc__) > 20
        assert rule.id in registered, rule.id  # one registry for snapshots and .gcn definitions


def test_docs_rule_table_is_current() -> None:
    if not DOCS.is_file():
        pytest.skip("docs/gcn.md not written")
    assert rules_markdown() in DOCS.read_text(encoding="utf-8"), "regenerate the table: see docs/gcn.md"


def test_diff_of_identical_is_empty_and_swapping_mirrors() -> None:
    a = read_gcn(employees_gcn()).definition
    assert diff_definitions(a, a) == []
    fields = list(EMPLOYEES["fields"])
    fields[2] = {**fields[2], "output_name": "WorkEmail"}
    fields.append({"id": "U006", "source": "Kn.Bcn.MbNr", "output_name": "Mobile"})
    b = read_gcn(
        employees_gcn(fields=fields[1:], blocked=True, apply_authorisation=False, filters=[])
    ).definition
    forward = {(c.id, fid(c)) for c in diff_definitions(a, b)}
    assert forward == {
        ("response-optional-property-removed", "U001"),
        ("afas-response-property-renamed", "U003"),
        ("response-optional-property-added", "U006"),
        ("afas-connector-blocked", None),
        ("afas-gcn-authorisation-changed", None),
        ("afas-gcn-filter-removed", None),
    }
    backward = {(c.id, fid(c)) for c in diff_definitions(b, a)}
    assert ("response-optional-property-added", "U001") in backward and (
        "response-optional-property-removed",
        "U006",
    ) in backward
    assert ("afas-connector-unblocked", None) in backward and ("afas-gcn-filter-added", None) in backward


def test_change_paths_and_fingerprints() -> None:
    a = read_gcn(employees_gcn()).definition
    fields = tuple(
        dataclasses.replace(f, output_name="Mail") if f.field_id == "U003" else f for f in a.fields
    )
    b = dataclasses.replace(a, fields=fields, filters=(GcnFilterGroup((GcnCriterion("U004", 1, "1"),)),))
    changes = diff_definitions(a, b)
    renamed = next(c for c in changes if c.id == "afas-response-property-renamed")
    # at BASE's name, as a snapshot diff puts a renamed response property
    assert renamed.path == "Demo_Employees/Fields/Email" and renamed.level == "ERR"
    assert (renamed.before, renamed.after, fid(renamed)) == ("Email", "Mail", "U003")
    doc = change_json(renamed)
    assert doc["connector_type"] == "gcn" and doc["object_path"] == ["Demo_Employees"]
    assert doc["fingerprint"] == diff_definitions(a, b)[changes.index(renamed)].fingerprint
    assert len({c.fingerprint for c in changes}) == len(changes)
    assert any(c.id == "afas-gcn-filter-changed" for c in changes)
