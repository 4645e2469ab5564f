"""Comparing a definition's output fields with metainfo: each delta kind, and laws (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov.gcn import read_gcn
from afasgov.promote.compare import FieldDelta, behind, compare_fields, definition_fields, order_differs

from .helpers import gcn_bytes, get_connector

BASE = [("Id", "U001"), ("Name", "U002"), ("Mail", "U003")]


def definition(fields: list[tuple[str, str]], **kw: object):  # type: ignore[no-untyped-def]
    return read_gcn(gcn_bytes("Demo", fields, **kw)).definition  # type: ignore[arg-type]


def kinds(deltas: list[FieldDelta]) -> list[tuple[str, str | None, str | None]]:
    return [(d.kind, d.output_name, d.field_id) for d in deltas]


def test_identical_fields_match_and_filter_only_fields_are_ignored() -> None:
    d = read_gcn(gcn_bytes("Demo", BASE, filter_only=["U101"])).definition
    assert len(d.fields) == 4 and len(d.output_fields) == 3
    assert [(f.id, f.field_id) for f in definition_fields(d)] == BASE
    assert compare_fields(d, get_connector("Demo", BASE)) == []
    assert not order_differs(d, get_connector("Demo", BASE))


def test_each_kind_of_difference() -> None:
    d = definition(BASE)
    env = [("Id", "U001"), ("FullName", "U002"), ("Mail", "U009"), ("Phone", "U004")]
    deltas = compare_fields(d, get_connector("Demo", env))
    assert kinds(deltas) == [("added", "Phone", "U004"), ("renamed", "FullName", "U002"), ("renumbered", "Mail", None)]
    renumbered = deltas[2]
    assert (renumbered.definition, renumbered.environment) == ("U003", "U009")
    assert "U009" in renumbered.text("production") and "production" in renumbered.text("production")
    assert deltas[1].to_json() == {
        "kind": "renamed",
        "field_id": "U002",
        "output_name": "FullName",
        "definition": "Name",
        "environment": "FullName",
    }
    assert not behind(deltas)


def test_removed_fields_only_is_behind() -> None:
    deltas = compare_fields(definition(BASE), get_connector("Demo", BASE[:2]))
    assert kinds(deltas) == [("removed", "Mail", "U003")]
    assert behind(deltas) and not behind([])


def test_blocked_flag_compared_only_when_known() -> None:
    d = definition(BASE)
    assert compare_fields(d, get_connector("Demo", BASE, blocked=None)) == []
    assert kinds(compare_fields(d, get_connector("Demo", BASE, blocked=True))) == [("blocked", None, None)]
    assert compare_fields(d, get_connector("Demo", BASE, blocked=True), check_blocked=False) == []
    blocked_def = definition(BASE, blocked=True)
    assert kinds(compare_fields(blocked_def, get_connector("Demo", BASE, blocked=False))) == [("unblocked", None, None)]


def test_order_only() -> None:
    d = definition(BASE)
    swapped = get_connector("Demo", [BASE[1], BASE[0], BASE[2]])
    assert compare_fields(d, swapped) == [] and order_differs(d, swapped)


_names = st.lists(st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True), min_size=1, max_size=8, unique=True)


@settings(max_examples=60, deadline=None)
@given(names=_names, data=st.data())
def test_mutations_are_reported_exactly(names: list[str], data: st.DataObject) -> None:
    """Removing, adding and renaming fields in the environment gives exactly those deltas."""
    fields = [(n, f"U{i + 1:03d}") for i, n in enumerate(names)]
    d = definition(fields)
    assert compare_fields(d, get_connector("Demo", fields)) == []
    removed = set(data.draw(st.sets(st.sampled_from(range(len(fields))), max_size=len(fields))))
    kept = [f for i, f in enumerate(fields) if i not in removed]
    renamed = set(data.draw(st.sets(st.sampled_from(range(len(kept))), max_size=len(kept)))) if kept else set()
    env = [(f"{n}X" if i in renamed else n, fid) for i, (n, fid) in enumerate(kept)]
    added = data.draw(st.integers(0, 3))
    env += [(f"New{j}", f"U{900 + j}") for j in range(added)]
    deltas = compare_fields(d, get_connector("Demo", env))
    assert {x.output_name for x in deltas if x.kind == "removed"} == {fields[i][0] for i in removed}
    assert {x.output_name for x in deltas if x.kind == "added"} == {f"New{j}" for j in range(added)}
    assert {(x.definition, x.environment) for x in deltas if x.kind == "renamed"} == {
        (kept[i][0], f"{kept[i][0]}X") for i in renamed
    }
    assert behind(deltas) == (bool(removed) and not renamed and not added)
