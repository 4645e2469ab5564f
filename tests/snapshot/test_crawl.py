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
from afasgov.profit.errors import ProfitServerError
from afasgov.profit.retry import RetryPolicy
from afasgov.sim.app import create_app
from afasgov.sim.datasets import shared_dataset
from afasgov.sim.model import Dataset
from afasgov.snapshot.crawl import (
    DEFAULT_ATTEMPTS,
    CrawlError,
    CrawlSettings,
    crawl_environment,
    overall_exit_code,
    snapshot_environments,
)
from afasgov.snapshot.tree import read_tree, render_files, write_tree

from .simconfig import FAST_RETRY, NO_WAIT_RETRY, config_for, in_process


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


#: fault seeds for the 20 % test: before crawl-level retries of 503/transport failures about one
#: synthetic:170 crawl in four failed, so twelve seeds cannot all pass by luck (0.75^12 ≈ 3 %)
FAULT_SEEDS = range(12)


@pytest.fixture(scope="module")
def synthetic170(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, Config, dict[str, bytes]]:
    """synthetic:170 (read-only, shared), its config, and the tree of a fault-free crawl."""
    dataset = shared_dataset("synthetic:170")
    config = config_for(dataset, tmp_path_factory.mktemp("s170"))
    reference = stable(dict(render_files(crawl(create_app(dataset), config, "production"))))
    return dataset, config, reference


@pytest.mark.parametrize("seed", FAULT_SEEDS)
def test_twenty_percent_faults_give_the_fault_free_tree(
    synthetic170: tuple[Dataset, Config, dict[str, bytes]], seed: int
) -> None:
    dataset, config, reference = synthetic170
    faulty = create_app(dataset, seed=seed, fail_rate=0.2, retry_after=0)
    retried: list[BaseException] = []
    snap = crawl(
        faulty,
        config,
        "production",
        retry=NO_WAIT_RETRY,
        on_retry=lambda env, what, exc, attempt: retried.append(exc),
    )
    assert stable(dict(render_files(snap))) == reference
    injected = faulty.state.sim.faults.injected
    assert injected["500"] > 0 and injected["503"] > 0 and injected["drop"] > 0
    assert any(isinstance(e, ProfitServerError) for e in retried)  # 500s are retried by the crawl


class Flaky:
    """A transport over ``app`` that fails the first ``times`` requests for ``victim`` with ``fault``."""

    def __init__(self, app: Any, victim: str, fault: str, times: int, retry_after: int | None = None) -> None:
        self.inner = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        self.victim, self.fault, self.times, self.retry_after = victim.lower(), fault, times, retry_after
        self.calls = 0

    async def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.lower().endswith(self.victim):
            self.calls += 1
            if self.calls <= self.times:
                if self.fault == "drop":
                    raise httpx.RemoteProtocolError("peer closed connection", request=request)
                if self.fault == "tls":
                    raise httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
                body: dict[str, Any] = {"error": {"code": "503", "message": "maintenance"}}
                if self.retry_after is not None:
                    body["retry_after"] = self.retry_after
                return httpx.Response(503, json=body)
        return await self.inner.handle_async_request(request)

    def settings(self, retry: RetryPolicy = FAST_RETRY, **kwargs: Any) -> CrawlSettings:
        transport = httpx.MockTransport(self.handler)
        return CrawlSettings(retry=retry, transport_factory=lambda e, a: transport, **kwargs)


class Sleeps:
    """An injectable sleep that records the delays and never waits."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.mark.parametrize("fault", ["503", "drop"])
def test_503_and_transport_failures_are_retried_by_the_crawl_after_the_client_gives_up(
    demo: tuple[Any, Config], fault: str
) -> None:
    """A connector failing more often than the client's 4 tries still ends in the fault-free tree."""
    app, config = demo
    reference = stable(dict(render_files(crawl(app, config, "production"))))
    victim = sorted(crawl(app, config, "production").update_connectors)[0]
    flaky = Flaky(app, f"/metainfo/update/{victim}", fault, times=6)
    sleeps = Sleeps()
    retried: list[tuple[str, int]] = []
    settings = flaky.settings(
        retry=RetryPolicy(max_attempts=4, base_delay=0.5, sleep=sleeps),
        on_retry=lambda env, what, exc, attempt: retried.append((what, attempt)),
    )
    snap = asyncio.run(crawl_environment(config.environment("production"), settings))
    assert stable(dict(render_files(snap))) == reference
    assert flaky.calls == 7  # 4 client tries, a crawl-level retry with 2 more failures, then success
    assert retried == [(f"update connector {victim}", 1)]
    # backoff between all the failed tries (3 by the client, 1 by the crawl, 2 by the client again)
    assert len(sleeps.delays) == 6 and all(d > 0 for d in sleeps.delays)


@pytest.mark.parametrize("fault", ["503", "drop"])
def test_a_connector_that_keeps_failing_with_503_or_drops_is_bounded_and_named(
    demo: tuple[Any, Config], fault: str
) -> None:
    app, config = demo
    victim = sorted(crawl(app, config, "production").update_connectors)[0]
    flaky = Flaky(app, f"/metainfo/update/{victim}", fault, times=10**6)
    with pytest.raises(CrawlError) as info:
        asyncio.run(crawl_environment(config.environment("production"), flaky.settings()))
    assert flaky.calls == DEFAULT_ATTEMPTS * FAST_RETRY.max_attempts  # per-request bound: 4 × 4 tries
    assert f"update connector {victim}" in str(info.value) and "after 4 attempts" in str(info.value)
    assert info.value.exit_code == EXIT_REMOTE


def test_maintenance_and_tls_failures_are_not_retried_by_the_crawl(demo: tuple[Any, Config]) -> None:
    """A 503 whose retry_after is over the client's give-up limit, and a TLS failure, fail at once."""
    app, config = demo
    victim = sorted(crawl(app, config, "production").update_connectors)[0]
    over = int(FAST_RETRY.give_up_after) + 1
    maintenance = Flaky(app, f"/metainfo/update/{victim}", "503", times=10**6, retry_after=over)
    with pytest.raises(CrawlError) as info:
        asyncio.run(crawl_environment(config.environment("production"), maintenance.settings()))
    assert maintenance.calls == 1 and "retry after" in str(info.value)
    tls = Flaky(app, f"/metainfo/update/{victim}", "tls", times=10**6)
    with pytest.raises(CrawlError) as info:
        asyncio.run(crawl_environment(config.environment("production"), tls.settings()))
    assert tls.calls == 1 and "TLS" in str(info.value)


def test_nothing_answering_fails_after_the_clients_retries_only(demo: tuple[Any, Config]) -> None:
    """While no request of the environment has succeeded, a 503/transport failure is not retried by
    the crawl: a dead or fully failing environment ends promptly (exit 3)."""
    _, config = demo
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        raise httpx.ConnectError("connection refused")

    settings = CrawlSettings(retry=FAST_RETRY, transport_factory=lambda e, a: httpx.MockTransport(handler))
    with pytest.raises(CrawlError) as info:
        asyncio.run(crawl_environment(config.environment("production"), settings))
    assert info.value.exit_code == EXIT_REMOTE and "cannot reach" in str(info.value)
    first_wave = len(config.environment("production").app_connectors) + 1  # /metainfo each + version
    assert len(calls) <= first_wave * FAST_RETRY.max_attempts


def test_the_run_retry_budget_bounds_crawl_level_retries(demo: tuple[Any, Config]) -> None:
    """Four update connectors need one crawl-level retry each; a budget of 2 for the run is spent."""
    app, config = demo
    everything = sorted(crawl(app, config, "production").update_connectors)
    victims = {f"/metainfo/update/{cid}".lower() for cid in everything[:4]}
    assert len(everything) > 4
    failures: dict[str, int] = {}
    inner = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))

    async def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.lower()
        if any(path.endswith(v) for v in victims):
            failures[path] = failures.get(path, 0) + 1
            if failures[path] <= FAST_RETRY.max_attempts:
                return httpx.Response(503, json={"error": {"code": "503", "message": "busy"}})
        return await inner.handle_async_request(request)

    def settings(**kwargs: Any) -> CrawlSettings:
        return CrawlSettings(
            retry=FAST_RETRY, transport_factory=lambda e, a: httpx.MockTransport(handler), **kwargs
        )

    with pytest.raises(CrawlError) as info:
        asyncio.run(
            crawl_environment(
                config.environment("production"), settings(run_retries=2, run_retries_per_request=0)
            )
        )
    assert "retry budget" in str(info.value) and info.value.exit_code == EXIT_REMOTE
    failures.clear()
    snap = asyncio.run(crawl_environment(config.environment("production"), settings()))  # the default
    assert sorted(snap.update_connectors) == everything and sum(failures.values()) == 4 * 5


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
    from afasgov.commands.snapshot import _tenant_table

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
