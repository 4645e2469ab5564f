"""synthetic:N code lists: AFAS-sized shared lists (country, nationality, currency, …) beside small
enumerations, deterministic from the seed, shared read-only, and never changed through a mutation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from afasgov.sim.datasets import load_dataset
from afasgov.sim.datasets.synthetic import LARGE_CODE_LISTS, large_code_lists, update_connector
from afasgov.sim.model import Label, localise

STYLE = {"AA": r"[A-Z]{2}", "AAA": r"[A-Z]{3}", "aa": r"[a-z]{2}", "0000": r"[0-9]{4}"}


def fields_of(element: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from element["fields"]
    for o in element["objects"]:
        yield from fields_of(o)


def all_fields(env: Any) -> Iterator[dict[str, Any]]:
    for cid in env.update_connectors:
        yield from fields_of(env.update_connectors[cid])


def test_large_lists_have_afas_sizes_and_well_formed_unique_codes() -> None:
    lists = large_code_lists(0)
    assert [(nl, en) for nl, en, *_ in lists] == [(spec[0], spec[1]) for spec in LARGE_CODE_LISTS]
    for (nl, _en, length, values), spec in zip(lists, LARGE_CODE_LISTS, strict=True):
        count, style = spec[2], spec[3]
        ids = [v["id"] for v in values]
        assert len(ids) == count == len(set(ids)), nl
        assert ids == sorted(ids), nl
        assert all(re.fullmatch(STYLE[style], i) for i in ids), nl
        assert all(len(i) <= length for i in ids), nl
        names = [v["description"] for v in values]
        assert all(isinstance(d, Label) and d.nl and d.en for d in names)
        assert len({d.nl for d in names}) == count  # no two countries with the same name


def test_lists_are_deterministic_by_seed_and_built_once() -> None:
    assert large_code_lists(5) is large_code_lists(5)
    large_code_lists.cache_clear()
    again = large_code_lists(5)
    assert again == large_code_lists(5)
    assert [v for *_, v in large_code_lists(5)] != [v for *_, v in large_code_lists(6)]


def test_synthetic_170_has_about_8500_fields_and_20000_code_values() -> None:
    env = load_dataset("synthetic:170").environment("production")
    fields = list(all_fields(env))
    codes = sum(len(f["values"] or ()) for f in fields)
    coded = [f for f in fields if f["values"]]
    large = [f for f in coded if len(f["values"]) > 100]
    assert 8_000 <= len(fields) <= 9_000
    assert 17_000 <= codes <= 23_000
    assert 0.05 <= len(large) / len(coded) <= 0.12  # most code lists are still small enumerations
    assert {f["controlType"] for f in coded} == {2}
    assert {f["label"].en.rsplit(" ", 1)[0] for f in large} == {spec[1] for spec in LARGE_CODE_LISTS}


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_every_code_fits_its_field_and_is_unique_within_it(seed: int) -> None:
    data = load_dataset("synthetic:60", seed=seed)
    for name in ("production", "accept"):
        for f in all_fields(data.environment(name)):
            if f["values"]:
                ids = [v["id"] for v in f["values"]]
                assert len(ids) == len(set(ids)), f["fieldId"]
                assert max(len(i) for i in ids) <= f["length"], f["fieldId"]


def test_large_lists_are_shared_not_copied() -> None:
    """One list object per code list and seed, whichever connector or environment uses it (memory:
    synthetic:2000 holds about 200,000 code values)."""
    data = load_dataset("synthetic:120", seed=2)
    shared = {id(values) for *_, values in large_code_lists(2)}
    for name in ("production", "test", "accept"):
        large = [f["values"] for f in all_fields(data.environment(name)) if f["values"] and len(f["values"]) > 100]
        assert large
        changed = [v for v in large if id(v) not in shared]
        # only a mutation in accept (a value added or removed) makes a field's list its own
        assert len(changed) <= (3 if name == "accept" else 0) * len(data.environment(name).update_connectors)
        assert len(changed) < len(large)


def test_accept_mutations_do_not_leak_into_production_or_the_shared_lists() -> None:
    data = load_dataset("synthetic:300", seed=0)
    prod, acc = data.environment("production"), data.environment("accept")
    before = [[dict(v) for v in values] for *_, values in large_code_lists(0)]
    for cid in acc.update_connectors:
        acc.update_connectors[cid]
    assert [[dict(v) for v in values] for *_, values in large_code_lists(0)] == before
    for cid in prod.update_connectors:
        assert prod.update_connectors[cid] == update_connector(0, cid)
    differs = [
        cid
        for cid in set(prod.update_connectors) & set(acc.update_connectors)
        if any(
            len(a["values"] or ()) > 100 and a["values"] != b["values"]
            for a, b in zip(fields_of(prod.update_connectors[cid]), fields_of(acc.update_connectors[cid]), strict=False)
            if a["fieldId"] == b["fieldId"]
        )
    ]
    assert differs, "a release that adds or removes a value of a large list (a country code) is part of the data"


def test_large_list_descriptions_follow_the_language() -> None:
    env = load_dataset("synthetic:40").environment("production")
    field = next(f for f in all_fields(env) if f["values"] and len(f["values"]) == 249)  # countries
    nl, en = localise(field, "nl"), localise(field, "en")
    assert nl["label"].startswith("Land ") and en["label"].startswith("Country ")
    assert [v["id"] for v in nl["values"]] == [v["id"] for v in en["values"]]
    assert all(a["description"].endswith("ië") and b["description"].endswith("ia")
               for a, b in zip(nl["values"], en["values"], strict=True))
