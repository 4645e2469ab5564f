"""Answers alike are normalised once per process (``afasgov.snapshot.crawl._NORMALISED``): a fleet's
tenants mostly answer alike. What the cache gives must be what normalising gives, and an answer with other
bytes (another environment's connector of the same name) must never be served from it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import afasgov.snapshot.crawl as crawl_module
from afasgov.model.normalise import Tolerances, normalise_update
from afasgov.sim.app import create_app
from afasgov.snapshot.crawl import _Answer, _EnvironmentCrawl, snapshot_environments

from .simconfig import config_for, in_process


def _crawl(app: Any, tmp_path: Path, env: str, out: str) -> tuple[dict[str, bytes], Any]:
    config = config_for(app.state.sim.dataset, tmp_path / "cfg")
    (r,) = asyncio.run(snapshot_environments([config.environment(env)], tmp_path / out, in_process(app),
                                             keep=True))
    assert r.ok and r.path is not None, r.error
    tree = {p.relative_to(r.path).as_posix(): p.read_bytes() for p in sorted(r.path.rglob("*.yaml"))
            if p.name != "_snapshot.yaml"}
    return tree, r.snapshot


def test_a_second_crawl_of_the_same_answers_shares_the_connectors_and_writes_the_same_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app("synthetic:24", latency_ms=0)
    monkeypatch.setattr(crawl_module, "_NORMALISED", {})
    first, snap1 = _crawl(app, tmp_path, "production", "one")
    assert crawl_module._NORMALISED, "answers normalised without a note are kept"
    second, snap2 = _crawl(app, tmp_path, "production", "two")
    assert second == first and len(first) > 30
    assert all(snap2.update_connectors[c] is snap1.update_connectors[c] for c in snap1.update_connectors)
    monkeypatch.setattr(crawl_module, "_NORMALISED", {})  # the same crawl with nothing kept: the same tree
    fresh, snap3 = _crawl(app, tmp_path, "production", "three")
    assert fresh == first
    assert snap3.update_connectors == snap1.update_connectors
    assert all(snap3.update_connectors[c] is not snap1.update_connectors[c] for c in snap1.update_connectors)


def test_other_bytes_under_the_same_connector_id_are_normalised_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """accept differs from production in some connectors (the synthetic release): after production's
    crawl filled the cache, accept's tree is exactly what a crawl with an empty cache writes."""
    app = create_app("synthetic:24", latency_ms=0)
    monkeypatch.setattr(crawl_module, "_NORMALISED", {})
    production, _ = _crawl(app, tmp_path, "production", "p")
    accept, _ = _crawl(app, tmp_path, "accept", "a")
    monkeypatch.setattr(crawl_module, "_NORMALISED", {})
    alone, _ = _crawl(app, tmp_path, "accept", "alone")
    assert accept == alone
    differ = [rel for rel in production if rel in accept and production[rel] != accept[rel]
              and rel.startswith(("update/", "get/"))]
    assert differ, "the synthetic accept changes some connectors: the case is exercised"


def test_an_answer_with_a_tolerance_note_is_not_kept_and_every_environment_gets_its_note(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crawl_module, "_NORMALISED", {})
    # a field without 'notZero' (an optional key: the default is used, and noted per environment)
    raw = {"name": "KnX", "fields": [{"fieldId": "A", "primaryKey": False, "dataType": "string", "label": "A",
                                      "mandatory": False, "length": 10, "controlType": 1, "decimals": 0,
                                      "decimalsFieldId": ""}]}
    body = b"the same bytes"
    notes = []
    for env in ("t1-accept", "t2-accept"):
        crawl = SimpleNamespace(env=SimpleNamespace(name=env), tolerances=Tolerances())
        answer = _Answer("update", "KnX")
        assert answer(body) is None  # never kept: normalised every time
        conn = _EnvironmentCrawl._normalised(crawl, "update", "KnX", raw, answer)  # type: ignore[arg-type]
        assert conn == normalise_update(raw, environment=env, connector="KnX")
        notes.append(crawl.tolerances.lines())
    assert all(len(n) == 1 and env in n[0] for n, env in zip(notes, ("t1-accept", "t2-accept"), strict=True))
    assert crawl_module._NORMALISED == {}
