"""The crawl against the simulator: completeness, determinism, faults, limits, atomicity, fleets."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from afasgov.config import Config
from afasgov.errors import EXIT_REMOTE, EXIT_USAGE
from afasgov.model.normalise import MetainfoError
from afasgov.sim.app import create_app
from afasgov.snapshot.crawl import (
    CrawlError,
    CrawlSettings,
    crawl_environment,
    overall_exit_code,
    snapshot_environments,
)
from afasgov.snapshot.tree import read_tree, render_files, write_tree

from .simconfig import FAST_RETRY, config_for, in_process


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def stable(files: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if k != "_snapshot.yaml"}


def crawl(app: Any, config: Config, env: str, **kwargs: Any) -> Any:
    return asyncio.run(crawl_environment(config.environment(env), in_process(app, **kwargs)))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Config]:
    app = create_app("demo")
    return app, config_for(app.state.sim.dataset, tmp_path_factory.mktemp("demo"))


def test_demo_crawl_is_complete(demo: tuple[Any, Config]) -> None:
    app, config = demo
    dataset = app.state.sim.dataset
    for env_name in config.environments:
        snap = crawl(app, config, env_name)
        sim_env = dataset.environment(env_name)
        assert snap.profit_version == sim_env.profit_version
        assert snap.envid == sim_env.envid
        assert set(snap.app_connectors) == set(sim_env.app_connectors)
        union_get = set().union(*(a.get_ids for a in sim_env.app_connectors.values())) & set(
            sim_env.get_connectors
        )
        union_upd = set().union(*(a.update_ids for a in sim_env.app_connectors.values())) & set(
            sim_env.update_connectors
        )
        assert set(snap.get_connectors) == union_get
        assert set(snap.update_connectors) == union_upd
        for name, scope in snap.app_connectors.items():
            app_def = sim_env.app_connectors[name]
            assert scope.update_ids == set(app_def.update_ids) & set(sim_env.update_connectors)
            assert scope.app_name == app_def.app_name
        assert snap.language == config.environment(env_name).language == snap.meta.language
        assert snap.meta.base_url.endswith("/ProfitRestServices")


def test_crawl_matches_the_raw_metainfo(demo: tuple[Any, Config]) -> None:
    """Every field the simulator serves is in the model, in AFAS's order, with its code list."""
    app, config = demo
    snap = crawl(app, config, "production")
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    env = config.environment("production")

    async def raw(path: str, app_connector: str) -> Any:
        from afasgov.profit.client import ProfitClient

        async with ProfitClient(env, env.app_connectors[app_connector], transport=transport) as c:
            return await c.get_json(path)

    for cid, conn in snap.update_connectors.items():
        via = next(n for n in sorted(snap.app_connectors) if cid in snap.app_connectors[n].update_ids)
        doc = asyncio.run(raw(f"/metainfo/update/{cid}", via))
        assert [f.field_id for f in conn.fields] == [f["fieldId"] for f in doc["fields"]]
        assert [o.name for o in conn.objects] == [o["name"] for o in doc.get("objects") or []]
        for f, rf in zip(conn.fields, doc["fields"], strict=True):
            assert f.length == rf["length"] and f.mandatory == rf["mandatory"]
            assert (f.values is None) == (not rf.get("values"))


def test_same_remote_state_gives_byte_identical_trees(demo: tuple[Any, Config], tmp_path: Path) -> None:
    app, config = demo
    a = files_of(write_tree(crawl(app, config, "accept"), tmp_path / "a"))
    b = files_of(write_tree(crawl(app, config, "accept"), tmp_path / "b"))
    c = files_of(write_tree(crawl(app, config, "accept", sequential=True), tmp_path / "c"))
    d = files_of(write_tree(crawl(app, config, "accept", max_in_flight_total=2), tmp_path / "d"))
    assert stable(a) == stable(b) == stable(c) == stable(d)
    assert len(stable(a)) > 3


def test_concurrency_stays_within_eight_per_environment(tmp_path: Path) -> None:
    app = create_app("synthetic:30", latency_ms=5)
    config = config_for(app.state.sim.dataset, tmp_path)
    settings = in_process(app)
    asyncio.run(crawl_environment(config.environment("production"), settings))
    assert settings.registry is not None
    (limiter,) = settings.registry.limiters().values()
    assert limiter.peak == 8  # the crawl fills the window and never exceeds it
    sequential = in_process(app, sequential=True)
    asyncio.run(crawl_environment(config.environment("production"), sequential))


def test_global_cap_holds_across_environments(tmp_path: Path) -> None:
    app = create_app("synthetic:12", latency_ms=5, tenants=3)
    config = config_for(app.state.sim.dataset, tmp_path)
    settings = in_process(app, max_in_flight_total=5)
    results = asyncio.run(snapshot_environments(config.select(), tmp_path / "defs", settings))
    assert all(r.ok for r in results) and len(results) == 9
    assert settings.registry is not None and settings.registry.global_limiter is not None
    assert settings.registry.global_limiter.peak == 5
    assert all(lim.peak <= 8 for lim in settings.registry.limiters().values())


@pytest.mark.parametrize("seed", [1, 2])
def test_twenty_percent_faults_give_the_fault_free_tree(tmp_path: Path, seed: int) -> None:
    clean = create_app("synthetic:25", seed=seed)
    faulty = create_app("synthetic:25", seed=seed, fail_rate=0.2, retry_after=0)
    config = config_for(clean.state.sim.dataset, tmp_path)
    a = dict(render_files(crawl(clean, config, "production")))
    b = dict(render_files(crawl(faulty, config, "production")))
    assert stable(a) == stable(b)
    injected = faulty.state.sim.faults.injected
    assert injected["500"] > 0 and injected["503"] > 0 and injected["drop"] > 0


def test_total_failure_is_exit_3_and_keeps_the_previous_tree(
    demo: tuple[Any, Config], tmp_path: Path
) -> None:
    app, config = demo
    defs = tmp_path / "defs"
    results = asyncio.run(snapshot_environments(config.select(["production"]), defs, in_process(app)))
    assert results[0].ok
    before = files_of(defs / "production")
    broken = create_app("demo", fail_rate=1.0, retry_after=0)
    results = asyncio.run(snapshot_environments(config.select(["production"]), defs, in_process(broken)))
    (r,) = results
    assert not r.ok and r.exit_code == EXIT_REMOTE and overall_exit_code(results) == EXIT_REMOTE
    assert isinstance(r.error, CrawlError)
    assert "environment 'production'" in str(r.error) and "failed" in str(r.error)
    assert files_of(defs / "production") == before
    assert os.listdir(defs) == ["production"]


def test_a_connector_that_keeps_failing_is_named(demo: tuple[Any, Config]) -> None:
    app, config = demo
    snap = crawl(app, config, "production")
    victim = sorted(snap.update_connectors)[0]

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.lower().endswith(f"/metainfo/update/{victim.lower()}"):
            return httpx.Response(
                500, json={"externalMessage": "Out of memory", "errorNumber": -1, "profitLogReference": "ABC"}
            )
        inner = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        return await inner.handle_async_request(request)

    settings = CrawlSettings(retry=FAST_RETRY, transport_factory=lambda e, a: httpx.MockTransport(handler))
    with pytest.raises(CrawlError) as info:
        asyncio.run(crawl_environment(config.environment("production"), settings))
    message = str(info.value)
    assert f"update connector {victim}" in message and "after 4 attempts" in message
    assert "Out of memory" in message and info.value.exit_code == EXIT_REMOTE


def test_authentication_failure_is_not_retried(demo: tuple[Any, Config]) -> None:
    _, config = demo
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return (
            httpx.Response(401)
            if "/oauth/token" not in request.url.path
            else httpx.Response(400, json={"error": "invalid_client"})
        )

    settings = CrawlSettings(retry=FAST_RETRY, transport_factory=lambda e, a: httpx.MockTransport(handler))
    with pytest.raises(CrawlError) as info:
        asyncio.run(crawl_environment(config.environment("production"), settings))
    assert info.value.exit_code == EXIT_REMOTE
    assert len(calls) <= 2 * len(config.environment("production").app_connectors) + 2


@pytest.mark.parametrize(
    ("patch", "needle"),
    [
        (lambda d: d["fields"].append(d["fields"][0]), "duplicate field id"),
        (lambda d: d["fields"][0].update(length="long"), "'length' must be an integer"),
        (lambda d: d.pop("fields"), "'fields' is missing"),
    ],
)
def test_malformed_metainfo_is_a_clear_input_error(demo: tuple[Any, Config], patch: Any, needle: str) -> None:
    app, config = demo

    async def handler(request: httpx.Request) -> httpx.Response:
        inner = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        response = await inner.handle_async_request(request)
        if "/metainfo/update/" in request.url.path.lower():
            body = json.loads(await response.aread())
            patch(body)
            return httpx.Response(200, json=body)
        return response

    settings = CrawlSettings(retry=FAST_RETRY, transport_factory=lambda e, a: httpx.MockTransport(handler))
    with pytest.raises(MetainfoError) as info:
        asyncio.run(crawl_environment(config.environment("production"), settings))
    assert needle in str(info.value) and info.value.exit_code == EXIT_USAGE
    assert "environment 'production'" in str(info.value) and "connector 'update " in str(info.value)


def test_cancelled_crawl_leaves_no_partial_tree(tmp_path: Path) -> None:
    app = create_app("synthetic:40", latency_ms=20)
    config = config_for(app.state.sim.dataset, tmp_path)
    defs = tmp_path / "defs"
    asyncio.run(
        snapshot_environments(config.select(["production"]), defs, in_process(create_app("synthetic:5")))
    )
    before = files_of(defs / "production")

    async def interrupted() -> None:
        task = asyncio.ensure_future(
            snapshot_environments(config.select(["production"]), defs, in_process(app))
        )
        await asyncio.sleep(0.15)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(interrupted())
    assert app.state.sim.requests > 0
    assert files_of(defs / "production") == before
    assert os.listdir(defs) == ["production"]


def test_fleet_one_tenant_failing_keeps_the_others(tmp_path: Path) -> None:
    app = create_app("synthetic:6", tenants=4)
    config = config_for(app.state.sim.dataset, tmp_path)
    victim = sorted({e.tenant for e in config.environments.values()})[1]
    for env in config.environments.values():
        if env.tenant == victim:
            app.state.sim.set_maintenance(env.name)
    results = asyncio.run(snapshot_environments(config.select(), tmp_path / "defs", in_process(app)))
    failed = {r.environment for r in results if not r.ok}
    assert failed == {e.name for e in config.environments.values() if e.tenant == victim}
    assert overall_exit_code(results) == EXIT_REMOTE
    for r in results:
        if r.ok:
            assert read_tree(tmp_path / "defs" / r.environment).tenant == r.tenant
        else:
            assert "503" in str(r.error)
            assert not (tmp_path / "defs" / r.environment).exists()


@pytest.mark.slow
def test_fleet_of_100_tenants_with_summary_table(tmp_path: Path) -> None:
    from afasgov.snapshot.command import _tenant_table

    app = create_app("synthetic:1", tenants=100)
    config = config_for(app.state.sim.dataset, tmp_path)
    tenants = sorted({e.tenant for e in config.environments.values()})
    assert len(tenants) == 100
    victim = tenants[42]
    app.state.sim.set_maintenance(f"{victim}-accept")
    results = asyncio.run(snapshot_environments(config.select(), tmp_path / "defs", in_process(app)))
    assert len(results) == 300
    assert {r.environment for r in results if not r.ok} == {f"{victim}-accept"}
    assert overall_exit_code(results) == EXIT_REMOTE
    written = sorted(p.name for p in (tmp_path / "defs").iterdir())
    assert len(written) == 299 and f"{victim}-accept" not in written
    table = _tenant_table(results)
    assert table[-1] == "99/100 tenants and 299/300 environments snapshotted"
    row = next(line for line in table if line.startswith(victim))
    assert "2/3" in row and f"FAILED: {victim}-accept" in row
