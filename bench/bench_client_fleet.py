"""A partner's fleet of clients: TLS contexts and shared OAuth access tokens.

The fleet is the simulator's ``synthetic:1,tenants=100`` (``--quick``: 20 tenants): 300 environments
× 2 App Connectors (``admin`` classic, ``sync`` OAuth) = 600 clients, over a real loopback socket
(``http://``), the simulator in its own process. Baseline, measured in the same run: the round-1
client, emulated by patching two functions — a freshly loaded, verified SSL context for every client
(also for ``http://``) and a token cache of its own per client.

1. Constructing the 600 clients (CPU seconds), http:// and https:// base URLs.
2. ``check`` then ``snapshot`` of the whole fleet in one process (what ``release-check`` does per
   environment): CPU seconds of the crawling process and OAuth token requests sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.bench_snapshot import _SimProcess, _tcp_nodelay_workaround
from bench.common import Result


@contextlib.contextmanager
def _round1_client() -> Iterator[None]:
    """The round-1 behaviour: a verified context loaded per client, a token cache per client."""
    from afasgov.profit import client as mod
    from afasgov.profit.tokencache import TokenCache

    saved = mod.ssl_context_for, mod.token_cache_for
    mod.ssl_context_for = lambda base, ca_file=None: mod.make_ssl_context(ca_file)  # type: ignore[assignment]
    mod.token_cache_for = lambda transport: TokenCache()  # type: ignore[assignment]
    try:
        yield
    finally:
        mod.ssl_context_for, mod.token_cache_for = saved


@contextlib.contextmanager
def _counting_token_requests(counter: list[int]) -> Iterator[None]:
    from afasgov.profit.client import ProfitClient

    original = ProfitClient._request_token

    async def counted(self: ProfitClient) -> Any:
        counter[0] += 1
        return await original(self)

    ProfitClient._request_token = counted  # type: ignore[method-assign]
    try:
        yield
    finally:
        ProfitClient._request_token = original  # type: ignore[method-assign]


def _fresh_caches() -> None:
    from afasgov.profit import client as mod
    from afasgov.profit.tokencache import shared_token_cache

    mod._SSL_CONTEXTS.clear()
    shared_token_cache().clear()


def _construct(config: Any, *, https: bool) -> float:
    from afasgov.profit.client import ProfitClient

    envs = list(config.select())
    if https:
        envs = [dataclasses.replace(e, base_url="https" + e.base_url.removeprefix("http")) for e in envs]
    _fresh_caches()
    start = time.process_time()
    clients = [ProfitClient(e, ac) for e in envs for ac in e.app_connectors.values()]
    cpu = time.process_time() - start

    async def close() -> None:
        await asyncio.gather(*(c.aclose() for c in clients))

    asyncio.run(close())
    return cpu


def _check_and_snapshot(config: Any, out: Path) -> tuple[float, float, int, int]:
    from afasgov.profit.check import check_environments
    from afasgov.snapshot.crawl import snapshot_environments

    envs = list(config.select())
    counter = [0]
    _fresh_caches()
    with _counting_token_requests(counter):
        wall, cpu = time.perf_counter(), time.process_time()
        checks = asyncio.run(check_environments(envs))
        results = asyncio.run(snapshot_environments(envs, out))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if not all(r.ok for r in checks) or not all(r.ok for r in results):
        raise RuntimeError("fleet check/snapshot failed")
    clients = sum(len(e.app_connectors) for e in envs) * 2
    return cpu, wall, counter[0], clients


def run(quick: bool) -> list[Result]:
    from afasgov.config import load_config

    _tcp_nodelay_workaround()
    tenants = 20 if quick else 100
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="afasgov-bench-fleet-") as tmp:
        work = Path(tmp)
        with _SimProcess(f"synthetic:1,tenants={tenants}", 0, work / "sim") as sim:
            config = load_config(sim.config)
            n = sum(len(e.app_connectors) for e in config.select())
            for https in (False, True):
                scheme = "https" if https else "http"
                with _round1_client():
                    old = min(_construct(config, https=https) for _ in range(2))
                new = min(_construct(config, https=https) for _ in range(2))
                results.append(
                    Result(
                        f"construct {n} clients, {scheme}:// (CPU)",
                        new,
                        "s",
                        baseline_name="a verified SSL context per client (round 1)",
                        baseline_value=old,
                        details={"per_client_ms": round(new / n * 1000, 3),
                                 "baseline_per_client_ms": round(old / n * 1000, 3)},
                    )
                )
            with _round1_client():
                old_cpu, old_wall, old_tokens, clients = _check_and_snapshot(config, work / "old")
            new_cpu, new_wall, new_tokens, _ = _check_and_snapshot(config, work / "new")
            results.append(
                Result(
                    f"check + snapshot of {tenants} tenants ({clients} clients, CPU of the crawler)",
                    new_cpu,
                    "s",
                    baseline_name="round-1 client",
                    baseline_value=old_cpu,
                    details={"wall_s": round(new_wall, 2), "baseline_wall_s": round(old_wall, 2),
                             "token_requests": new_tokens, "baseline_token_requests": old_tokens},
                )
            )
    return results


if __name__ == "__main__":
    for r in run(quick=True):
        print(r.line())
