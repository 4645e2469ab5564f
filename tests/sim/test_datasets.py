"""The datasets: the demo organisation's promises, the release differences, synthetic:N, the notation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov.sim.datasets import DatasetError, load_dataset, parse_spec
from afasgov.sim.datasets.builder import build_from_directory
from afasgov.sim.datasets.fieldspec import SpecError, parse_get_field, parse_update_field
from afasgov.sim.model import Dataset

CUSTOM = re.compile(r"^U[0-9A-F]{32}$")


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return load_dataset("demo")


def _walk(element: dict[str, Any], path: tuple[str, ...]) -> dict[tuple[str, ...], dict[str, Any]]:
    out = {(*path, f["fieldId"]): f for f in element["fields"]}
    for obj in element["objects"]:
        out |= _walk(obj, (*path, obj["name"]))
    return out


def _objects(element: dict[str, Any], path: tuple[str, ...]) -> set[tuple[str, ...]]:
    out = set()
    for obj in element["objects"]:
        out |= {(*path, obj["name"])} | _objects(obj, (*path, obj["name"]))
    return out


def test_demo_size_and_app_connectors(demo: Dataset) -> None:
    prod = demo.environment("production")
    assert len(prod.update_connectors) >= 40
    assert len(prod.get_connectors) >= 20
    apps = prod.app_connectors
    assert len(apps) >= 4
    assert "KnUser" in apps["iam"].update_ids
    export_fields = {f["id"] for cid in apps["hr-export"].get_ids for f in prod.get_connectors[cid].fields}
    assert {"BSN", "Geboortedatum", "IBAN"} <= export_fields
    legacy = apps["legacy-portal"]
    assert legacy.auth_types == ("classic",) and legacy.token_expiry == "0" and not legacy.allowed_ips
    assert set(legacy.update_ids) == set(prod.update_connectors)
    tidy = apps["finance-bi"]
    assert tidy.auth_types == ("oauth",) and not tidy.update_ids and len(tidy.get_ids) <= 3 and tidy.allowed_ips
    assert demo.environment("accept").app_connectors["finance-bi"].preferred_method == "private_key_jwt"


def test_demo_has_custom_fields_nested_objects_and_code_lists(demo: Dataset) -> None:
    fields = {k: v for c in demo.environment("production").update_connectors.values()
              for k, v in _walk(c, (c["name"],)).items()}
    assert sum(1 for k in fields if CUSTOM.match(k[-1])) >= 5
    assert sum(1 for f in fields.values() if f["values"]) >= 30
    assert any(len(k) >= 4 for k in fields)  # fields two objects deep


def test_accept_differs_in_every_kind_of_release_change(demo: Dataset) -> None:
    prod, acc = demo.environment("production"), demo.environment("accept")
    kinds: set[str] = set()
    if set(acc.update_connectors) - set(prod.update_connectors):
        kinds.add("endpoint-added")
    if set(prod.update_connectors) - set(acc.update_connectors):
        kinds.add("api-path-removed")
    for cid in set(prod.update_connectors) & set(acc.update_connectors):
        before, after = _walk(prod.update_connectors[cid], (cid,)), _walk(acc.update_connectors[cid], (cid,))
        new_objects = _objects(acc.update_connectors[cid], (cid,)) - _objects(prod.update_connectors[cid], (cid,))
        if new_objects:
            kinds.add("nested-object-added")
        for key in after.keys() - before.keys():
            if key[:-1] in new_objects:
                continue
            kinds.add("new-required" if after[key]["mandatory"] else "new-optional")
        for key in before.keys() - after.keys():
            kinds.add("custom-field-removed" if CUSTOM.match(key[-1]) else "removed")
        for key in before.keys() & after.keys():
            b, a = before[key], after[key]
            if b["mandatory"] != a["mandatory"]:
                kinds.add("became-required" if a["mandatory"] else "became-optional")
            bv, av = {v["id"] for v in b["values"] or []}, {v["id"] for v in a["values"] or []}
            if av - bv:
                kinds.add("enum-added")
            if bv - av:
                kinds.add("enum-removed")
            if a["length"] > b["length"]:
                kinds.add("max-length-increased")
            if a["length"] < b["length"] and a["dataType"] == b["dataType"]:
                kinds.add("max-length-decreased")
            if a["dataType"] != b["dataType"]:
                kinds.add("type-changed")
    renamed = False
    for cid in set(prod.get_connectors) & set(acc.get_connectors):
        b = {f["fieldId"]: f["id"] for f in prod.get_connectors[cid].fields}
        a = {f["fieldId"]: f["id"] for f in acc.get_connectors[cid].fields}
        renamed |= any(b[k] != a[k] for k in b.keys() & a.keys())
    assert renamed, "a GetConnector whose output field was renamed"
    assert kinds == {"endpoint-added", "api-path-removed", "nested-object-added", "new-required", "new-optional",
                     "removed", "custom-field-removed", "became-required", "became-optional", "enum-added",
                     "enum-removed", "max-length-increased", "max-length-decreased", "type-changed"}
    assert prod.profit_version != acc.profit_version


def test_test_is_production_plus_work_in_progress(demo: Dataset) -> None:
    prod, test = demo.environment("production"), demo.environment("test")
    ahead = [cid for cid in prod.get_connectors if prod.get_connectors[cid].fields != test.get_connectors[cid].fields]
    assert len(ahead) >= 2
    for cid in ahead:  # work in progress only adds or widens
        assert {f["id"] for f in prod.get_connectors[cid].fields} <= {f["id"] for f in test.get_connectors[cid].fields}
    assert set(test.get_connectors) > set(prod.get_connectors)
    assert prod.profit_version == test.profit_version


def test_demo_is_fresh_per_load(demo: Dataset) -> None:
    other = load_dataset("demo")
    other.environment("production").get_connectors["Profit_Functions"].blocked = True
    assert load_dataset("demo").environment("production").get_connectors["Profit_Functions"].blocked is False


# ---------------------------------------------------------------------------------------- synthetic
def test_synthetic_size_and_shape() -> None:
    data = load_dataset("synthetic:40", seed=3)
    prod = data.environment("production")
    assert len(prod.update_connectors) == 40 and len(prod.get_connectors) == 20
    sizes = [len(_walk(c, (c["name"],))) for c in prod.update_connectors.values()]
    assert 40 <= sum(sizes) / len(sizes) <= 65
    assert all(c["objects"] for c in prod.update_connectors.values())
    assert any(f["values"] for c in prod.update_connectors.values() for f in _walk(c, ("x",)).values())


def test_synthetic_is_deterministic_by_seed() -> None:
    def dump(seed: int) -> str:
        env = load_dataset("synthetic:10", seed=seed).environment("accept")
        return repr([env.update_connectors[c] for c in env.update_connectors])

    assert dump(1) == dump(1)
    assert dump(1) != dump(2)


def test_synthetic_accept_is_a_release_of_production() -> None:
    data = load_dataset("synthetic:300", seed=0)
    prod, acc = data.environment("production"), data.environment("accept")
    assert set(acc.update_connectors) - set(prod.update_connectors)
    assert set(prod.update_connectors) - set(acc.update_connectors)
    changed = sum(1 for c in set(prod.update_connectors) & set(acc.update_connectors)
                  if prod.update_connectors[c] != acc.update_connectors[c])
    assert 20 < changed < 120


def test_synthetic_fleet() -> None:
    data = load_dataset("synthetic:20,tenants=5")
    assert len(data.environments) == 15
    assert {e.slug for e in data.environments.values()} >= {"20001-production", "20005-accept"}
    assert len(load_dataset("synthetic:20", tenants=3).environments) == 9


@pytest.mark.parametrize("spec", ["", "demo2", "synthetic", "synthetic:", "synthetic:0", "synthetic:-5",
                                  "synthetic:abc", "synthetic:10,tenants=0", "synthetic:10,tenant=2",
                                  "synthetic:999999999", "../etc/passwd"])
def test_bad_dataset_specs(spec: str) -> None:
    with pytest.raises(DatasetError):
        parse_spec(spec)


def test_demo_has_no_tenants_option() -> None:
    with pytest.raises(DatasetError, match="tenants"):
        load_dataset("demo", tenants=2)


# ----------------------------------------------------------------------------------------- notation
def test_update_field_line() -> None:
    f = parse_update_field("Amnt decimal(12,2) ! nz Bedrag | Amount @YesNo", {"YesNo": {"0": "Nee", "1": "Ja"}})
    assert (f["fieldId"], f["dataType"], f["length"], f["decimals"], f["mandatory"], f["notzero"]) == \
        ("Amnt", "decimal", 12, 2, True, True)
    assert f["label"].nl == "Bedrag" and f["label"].en == "Amount"
    assert f["values"] == [{"id": "0", "description": "Nee"}, {"id": "1", "description": "Ja"}]


@pytest.mark.parametrize(("line", "message"), [
    ("Id", "at least"), ("Id strnig Label", "unknown data type"), ("1d string Label", "bad field id"),
    ("Id string(x) Label", "unknown data type"), ("Id string !", "no label"), ("Id string Label @Nope", "code list"),
    ("U123 string Label", None),
])
def test_bad_update_field_lines(line: str, message: str | None) -> None:
    if message is None:
        assert parse_update_field(line, {})["fieldId"] == "U123"
        return
    with pytest.raises(SpecError, match=message):
        parse_update_field(line, {})


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_field_parsers_never_crash_on_hostile_lines(line: str) -> None:
    for parse in (lambda: parse_update_field(line, {"X": {"1": "a"}}), lambda: parse_get_field(line, 1)):
        try:
            parse()
        except SpecError as exc:
            assert str(exc)


def test_a_broken_dataset_directory_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "update").mkdir()
    (tmp_path / "organisation.yaml").write_text(yaml.safe_dump({"tenant": "1", "environments": {
        "production": {"envid": "O1", "profit_version": "1"}}}))
    (tmp_path / "update" / "bad.yaml").write_text("KnX:\n  fields: ['Id wrongtype Label']\n")
    with pytest.raises(SpecError, match=r"bad\.yaml.*unknown data type"):
        build_from_directory(tmp_path, family="t")
    (tmp_path / "update" / "bad.yaml").write_text("KnX: [unclosed\n")
    with pytest.raises(SpecError, match="invalid YAML"):
        build_from_directory(tmp_path, family="t")


@pytest.mark.parametrize(("as_of", "expected"), [("2026-11-21", "2026-11-21"), ("2027-01-02T03:04:05", None),
                                                 ("next tuesday", SpecError), ("2026-11-21T25", SpecError)])
def test_dataset_as_of(tmp_path: Path, as_of: str, expected: object) -> None:
    (tmp_path / "organisation.yaml").write_text(yaml.safe_dump({"tenant": "1", "as_of": as_of, "environments": {
        "production": {"envid": "O1", "profit_version": "1"}}}))
    if expected is SpecError:
        with pytest.raises(SpecError, match=r"organisation\.yaml: as_of must be"):
            build_from_directory(tmp_path, family="t")
    else:
        assert build_from_directory(tmp_path, family="t").as_of == (expected or as_of)
    assert load_dataset("synthetic:2").as_of is None  # synthetic datasets use the real date
