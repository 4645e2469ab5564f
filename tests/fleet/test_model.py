"""fleet.json: figures derived from tenant results, merge of shards equal to the unsharded run."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov.errors import InputError
from afasgov.fleet.model import FleetReport, TenantError, TenantResult, comparable, merge
from tests.fleet.sample import sample_fleet


def test_derived_figures() -> None:
    report = sample_fleet(300)
    s = report.summary()
    assert s["tenants"] == 300 and s["ok"] + s["findings"] + s["failed"] == 300
    assert 0 < s["failed"] < 40 and s["findings"] > 50
    wide = report.wide_changes()
    counts = [len(w.tenants) for w in wide]
    assert counts == sorted(counts, reverse=True)  # the most tenants first
    top = wide[0]
    assert len(top.tenants) == sum(1 for t in report.tenants for c in t.changes if c.key == (top.id, top.path))
    assert top.headline().endswith(f"{len(top.tenants)} tenants, integration{'s' if len(top.integrations) > 1 else ''} "
                                   + ", ".join(top.integrations))
    versions = report.profit_versions()
    assert sum(versions["production"].values()) == 300 - s["failed"]
    assert list(versions["accept"]) == sorted(versions["accept"], key=lambda v: -versions["accept"][v])
    matrix = report.matrix()
    assert all(cells == ["not checked"] * len(cells) for t, cells in matrix if t.status == "failed")


def test_exit_codes() -> None:
    ok = TenantResult(id="1", name="a", position=0)
    bad = TenantResult(id="2", name="b", position=1, status="findings", counts={"ERR": 1, "WARN": 0, "INFO": 0})
    failed = TenantResult(id="3", name="c", position=2, status="failed", error=TenantError("snapshot", "down"))
    assert FleetReport([ok]).exit_code == 0
    assert FleetReport([ok, bad]).exit_code == 1
    assert FleetReport([ok, failed]).exit_code == 1  # reported, the others checked: not a remote failure
    assert FleetReport([failed]).exit_code == 3  # every tenant failed
    assert FleetReport([failed]).verdict == "ERROR"


def test_json_round_trip() -> None:
    report = sample_fleet(60)
    doc = json.loads(report.dumps())
    again = FleetReport.from_json(doc)
    assert again.dumps() == report.dumps()


@pytest.mark.parametrize("n", [1, 2, 4, 7])
def test_merged_shards_equal_the_unsharded_report(n: int) -> None:
    whole = sample_fleet(200)
    shards = [(f"shard{k}", sample_fleet(200, shard=(k, n))) for k in range(1, n + 1)]
    assert sum(len(r.tenants) for _, r in shards) == 200
    merged = merge(list(reversed(shards)))  # any order
    assert comparable(merged.to_json()) == comparable(whole.to_json())
    assert merged.run["shards"] == sorted(f"{k}/{n}" for k in range(1, n + 1))
    # the timings really differ, and are the only difference
    assert merged.to_json()["run"]["started_at"] != whole.to_json()["run"]["started_at"] or n == 1


def test_merge_refuses_what_is_not_one_run() -> None:
    a, b = sample_fleet(40, shard=(1, 2)), sample_fleet(40, shard=(2, 2))
    with pytest.raises(InputError, match=r"shard\(s\) 2/2 missing"):
        merge([("a", a)])
    with pytest.raises(InputError, match="given twice"):
        merge([("a", a), ("a2", a)])
    other = sample_fleet(40, shard=(2, 2))
    other.run["tenants_file_sha256"] = "sha256:other"
    with pytest.raises(InputError, match="tenants_file_sha256 differs"):
        merge([("a", a), ("b", other)])
    c = sample_fleet(40, shard=(1, 3))
    with pytest.raises(InputError, match="different splits"):
        merge([("a", a), ("b", b), ("c", c)])
    with pytest.raises(InputError, match="no shard reports"):
        merge([])


def test_not_a_fleet_report_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not a fleet report"):
        FleetReport.from_json({"schema": "something/1"}, source="x.json")
    with pytest.raises(InputError, match="malformed tenant entry"):
        FleetReport.from_json({"schema": "afasgov.fleet-report/1", "tenants": [{"id": "1"}]}, source="x.json")


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=60, unique=True), st.integers(1, 6))
@settings(max_examples=40, deadline=None)
def test_any_split_merges_to_the_whole(positions: list[int], n: int) -> None:
    from afasgov.config.fleet import shard_of

    tenants = [TenantResult(id=str(10000 + p), name=f"t{p}", position=p) for p in positions]
    whole = FleetReport(tenants)
    parts = []
    for k in range(1, n + 1):
        mine = [t for t in tenants if shard_of(t.id, n) == k]
        parts.append((str(k), FleetReport(mine, run={"shard": f"{k}/{n}"})))
    assert comparable(merge(parts).to_json())["tenants"] == comparable(whole.to_json())["tenants"]
