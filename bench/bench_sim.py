"""Simulator throughput and start-up.

* requests/second for ``GET /metainfo/update/{id}`` in-process (``httpx.ASGITransport``) and over
  loopback (uvicorn, 8 concurrent clients = AFAS's parallel-call limit), for the demo and for
  ``synthetic:N``; baseline: a trivial Starlette app answering cached JSON over the same transport
  (the floor of the stack), measured in the same run;
* start-up time of ``afasgov sim`` until it prints "ready" (demo, synthetic:2000); baseline:
  ``afasgov --version`` (interpreter + CLI import).
"""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
import time
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from afasgov.sim.app import create_app, sim_state
from afasgov.sim.testing import credential_of, running_sim
from bench.common import Result

PAYLOAD = b'{"name":"KnUser","description":"Gebruiker","fields":[],"objects":[]}'


def _trivial_app() -> Starlette:
    async def endpoint(request: Any) -> Response:
        return Response(PAYLOAD, media_type="application/json")

    return Starlette(routes=[Route("/{path:path}", endpoint)])


def _targets(app: Any, env_name: str) -> tuple[str, list[str], dict[str, str]]:
    state = sim_state(app)
    env = state.dataset.environment(env_name)
    app_name = "legacy-portal" if "legacy-portal" in env.app_connectors else "admin"
    cred = credential_of(state.dataset, env_name, app_name)
    headers = {"Authorization": cred.authorization()}
    ids = list(env.update_connectors)
    return env.slug, ids, headers


async def _rate(client: httpx.AsyncClient, urls: list[str], headers: dict[str, str], total: int,
                concurrency: int) -> float:
    cycle = itertools.cycle(urls)
    done = 0

    async def worker() -> None:
        nonlocal done
        while done < total:
            done += 1
            r = await client.get(next(cycle), headers=headers)
            if r.status_code != 200:
                raise RuntimeError(f"{r.status_code} from {r.request.url}")

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - start)


def _in_process(app: Any, urls: list[str], headers: dict[str, str], total: int) -> float:
    async def run() -> float:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
            await _rate(client, urls, headers, min(200, total), 1)  # warm caches
            return await _rate(client, urls, headers, total, 1)

    return asyncio.run(run())


def _loopback(origin: str, paths: list[str], headers: dict[str, str], total: int) -> float:
    async def run() -> float:
        limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:
            urls = [origin + p for p in paths]
            await _rate(client, urls, headers, min(200, total), 8)
            return await _rate(client, urls, headers, total, 8)

    return asyncio.run(run())


def _startup(args: list[str], marker: str | None) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "afasgov", *args], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    if marker is None:
        proc.communicate(timeout=120)
        return time.perf_counter() - start
    for line in proc.stdout:
        if marker in line:
            break
    elapsed = time.perf_counter() - start
    proc.terminate()
    proc.communicate(timeout=30)
    return elapsed


def run(quick: bool) -> list[Result]:
    results: list[Result] = []
    total = 1500 if quick else 10000
    trivial = _trivial_app()
    for spec in (["demo"] if quick else ["demo", "synthetic:2000"]):
        app = create_app(spec)
        slug, ids, headers = _targets(app, "production")
        paths = [f"/{slug}/ProfitRestServices/metainfo/update/{cid}" for cid in ids]
        base = _in_process(trivial, [f"http://bench{p}" for p in paths], headers, total)
        rate = _in_process(app, [f"http://bench{p}" for p in paths], headers, total)
        results.append(Result(f"sim in-process /metainfo/update/{{id}} [{spec}]", rate, "req/s",
                              "trivial Starlette app, same transport", base,
                              details={"connectors": len(ids), "requests": total}))
        with running_sim(app=app) as sim, running_sim_trivial(trivial) as triv:
            lb_base = _loopback(triv, paths, headers, total)
            lb = _loopback(sim.origin, paths, headers, total)
        results.append(Result(f"sim loopback /metainfo/update/{{id}} [{spec}]", lb, "req/s",
                              "trivial Starlette app on uvicorn", lb_base,
                              details={"concurrency": 8, "requests": total}))
    baseline = min(_startup(["--version"], None) for _ in range(2 if quick else 3))
    for spec in (["demo"] if quick else ["demo", "synthetic:2000"]):
        startup = min(_startup(["sim", "--dataset", spec], "ready") for _ in range(2 if quick else 3))
        results.append(Result(f"afasgov sim start-up [{spec}]", startup * 1000, "ms", "afasgov --version",
                              baseline * 1000))
    return results


class running_sim_trivial:
    """The trivial baseline app served by uvicorn on loopback; yields its origin."""

    def __init__(self, app: Any) -> None:
        from afasgov.sim.serve import SimServer

        self._server = SimServer(app)

    def __enter__(self) -> str:
        self._server.start()
        return self._server.origin

    def __exit__(self, *exc: object) -> None:
        self._server.stop()
