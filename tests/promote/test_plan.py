"""``plan_promotion`` on hand-built snapshots and definitions: what is imported, exported, skipped, and in
which order; App Connectors and integrations affected."""

from __future__ import annotations

from pathlib import Path

import pytest

from afasgov.errors import UsageError
from afasgov.integrations import load_manifests
from afasgov.promote.definitions import load_definitions
from afasgov.promote.plan import plan_promotion

from .helpers import snapshot, store_definitions

A1 = [("Id", "U001"), ("Name", "U002")]
A2 = [*A1, ("Mail", "U003")]  # additive
B1 = [("Code", "U001"), ("Desc", "U002")]
B2 = [("Code", "U001")]  # Desc removed: breaking
C = [("Nr", "U001")]


@pytest.fixture
def source():  # type: ignore[no-untyped-def]
    return snapshot(
        "test",
        {"Demo_A": A2, "Demo_B": B2, "Demo_New": C, "Demo_Same": C, "Demo_Wip": A2, "Profit_Functions": A2},
        scopes={"iam": ["Demo_A", "Demo_New"], "bi": ["Demo_B", "Demo_New"]},
    )


@pytest.fixture
def target():  # type: ignore[no-untyped-def]
    return snapshot(
        "production",
        {"Demo_A": A1, "Demo_B": B1, "Demo_Same": C, "Demo_Old": C, "Demo_Wip": A1, "Profit_Functions": A1},
        scopes={"iam": ["Demo_A", "Demo_B"], "portal": ["Demo_A", "Demo_Old"]},
    )


def defs_for(tmp_path: Path, defs: dict[str, list[tuple[str, str]]]):  # type: ignore[no-untyped-def]
    store_definitions(tmp_path / "gc", defs, scratch=tmp_path / "s")
    return load_definitions(tmp_path / "gc")


def test_plan_actions_and_order(tmp_path: Path, source, target) -> None:  # type: ignore[no-untyped-def]
    # Demo_Wip has only production's version reviewed; Demo_Same matches neither (stale definition)
    defs = defs_for(
        tmp_path, {"Demo_A": A2, "Demo_B": B2, "Demo_New": C, "Demo_Wip": A1, "Demo_Same": [("Other", "U007")]}
    )
    plan = plan_promotion(source, target, defs)
    assert [(i.order, i.connector, i.status, i.level) for i in plan.imports] == [
        (1, "Demo_New", "new", "INFO"),
        (2, "Demo_A", "changed", "INFO"),
        (3, "Demo_B", "changed", "ERR"),
    ]
    assert [(i.connector, i.status) for i in plan.exports] == [("Demo_Wip", "changed")]
    wip = plan.exports[0]
    assert "production's version" in wip.reason and [d.kind for d in wip.deltas] == ["added"]
    assert [(i.connector, i.status) for i in plan.skipped] == [
        ("Demo_Old", "only-in-target"),
        ("Profit_Functions", "changed"),
    ]
    assert "supplied by AFAS" in plan.skipped[1].reason
    assert plan.stale == ["Demo_Same"] and not plan.complete
    by = {i.connector: i for i in plan.items}
    assert by["Demo_New"].authorise == ["bi", "iam"] and by["Demo_New"].app_connectors == []
    assert by["Demo_B"].app_connectors == ["iam"] and by["Demo_B"].authorise == ["bi"]
    assert [(c.id, c.level, c.location.field) for c in by["Demo_B"].changes] == [
        ("response-optional-property-removed", "ERR", "Desc")
    ]
    assert by["Demo_A"].guid == defs.for_connector("Demo_A").guid  # type: ignore[union-attr]


def test_missing_definition_needs_export(tmp_path: Path, source, target) -> None:  # type: ignore[no-untyped-def]
    plan = plan_promotion(source, target, defs_for(tmp_path, {"Demo_A": A2}))
    assert [i.connector for i in plan.imports] == ["Demo_A"]
    assert {i.connector for i in plan.exports} == {"Demo_B", "Demo_New", "Demo_Wip"}
    assert all("no reviewed definition" in i.reason for i in plan.exports)


def test_identical_environments_give_an_empty_plan(tmp_path: Path, source) -> None:  # type: ignore[no-untyped-def]
    plan = plan_promotion(
        source,
        snapshot("production", {k: [(f.id, f.field_id) for f in v.fields] for k, v in source.get_connectors.items()}),
        defs_for(tmp_path, {"Demo_A": A2}),
    )
    assert plan.empty and plan.complete and plan.imports == []


def test_difference_outside_output_names_is_still_imported(tmp_path: Path) -> None:
    src = snapshot("test", {"Demo_A": A1}, lengths={("Demo_A", "Name"): 200})
    tgt = snapshot("production", {"Demo_A": A1})
    plan = plan_promotion(src, tgt, defs_for(tmp_path, {"Demo_A": A1}))
    [item] = plan.imports
    assert item.level == "WARN" and "types, lengths" in item.notes[0]


def test_only(tmp_path: Path, source, target) -> None:  # type: ignore[no-untyped-def]
    plan = plan_promotion(source, target, defs_for(tmp_path, {"Demo_A": A2}), only=["demo_a"])
    assert [i.connector for i in plan.items] == ["Demo_A"] and plan.complete
    with pytest.raises(UsageError, match="'Nope'"):
        plan_promotion(source, target, defs_for(tmp_path / "x", {}), only=["Nope"])


def test_integrations_affected(tmp_path: Path, source, target) -> None:  # type: ignore[no-untyped-def]
    integ = tmp_path / "integrations"
    integ.mkdir()
    (integ / "bi-dashboard.yaml").write_text(
        "name: bi-dashboard\nowner: bi@example.org\napp_connector: {production: iam}\n"
        "uses:\n  get:\n    Demo_B: [Code, Desc]\n",
        encoding="utf-8",
    )
    (integ / "crm.yaml").write_text(
        "name: crm\nowner: crm@example.org\napp_connector: portal\nuses:\n  get:\n    Demo_A: '*'\n", encoding="utf-8"
    )
    plan = plan_promotion(source, target, defs_for(tmp_path, {"Demo_A": A2, "Demo_B": B2}), load_manifests(integ))
    by = {i.connector: i for i in plan.items}
    [bi] = by["Demo_B"].integrations
    assert (bi.name, bi.owner, bi.app_connector, bi.uses) == ("bi-dashboard", "bi@example.org", "iam", ("Code", "Desc"))
    assert bi.hits and any("Desc" in h for h in bi.hits)
    [crm] = by["Demo_A"].integrations
    assert crm.uses is None and crm.app_connector == "portal"
    assert by["Demo_New"].integrations == []
