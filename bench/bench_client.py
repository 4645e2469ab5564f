"""ProfitClient benchmarks.

1. Per-request overhead of the client (auth header, limiter, capped streaming read, JSON, error
   mapping) against a bare ``httpx.AsyncClient`` doing GET + ``json()`` over the same in-process
   transport, measured in the same run.
2. Fetching N GetConnector metainfo documents from a server with 20 ms latency: the client with its
   8-in-flight limit against one-at-a-time requests (baseline), and the peak in flight observed.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

from afasgov.config import parse_config
from afasgov.profit.client import ProfitClient
from afasgov.profit.credentials import ClassicCredentials
from afasgov.profit.limits import Limiter
from afasgov.profit.tokens import ClassicToken
from bench.common import Result

TOKEN = ClassicToken.from_parts(1, "AB" * 32)
BODY = json.dumps({"name": "X", "description": "d", "fields": [
    {"id": f"F{i}", "fieldId": f"U{i:03d}", "dataType": "string", "label": f"Field {i}", "length": 80,
     "controlType": 1, "decimals": 0, "decimalsFieldId": ""} for i in range(60)]}).encode()


def _env(max_in_flight: int = 8) -> Any:
    data = {"environments": {"bench": {
        "tenant": "12345", "type": "production", "base_url": "http://127.0.0.1:9/ProfitRestServices",
        "allow_non_afas_host": True, "max_in_flight": max_in_flight,
        "app_connectors": {"a": {"auth": {"type": "classic", "token_env": "UNUSED"}}}}}}
    return parse_config(data, path=None).environment("bench")


def _transport(latency: float, peak: list[int]) -> httpx.AsyncBaseTransport:
    active = [0]

    async def handler(request: httpx.Request) -> httpx.Response:
        active[0] += 1
        peak[0] = max(peak[0], active[0])
        try:
            if latency:
                await asyncio.sleep(latency)
            return httpx.Response(200, content=BODY, headers={"Content-Type": "application/json"})
        finally:
            active[0] -= 1

    return httpx.MockTransport(handler)


async def _client_requests(n: int, latency: float, max_in_flight: int, concurrent: bool) -> tuple[float, int]:
    env = _env(max_in_flight)
    peak = [0]
    client = ProfitClient(env, env.app_connectors["a"], transport=_transport(latency, peak),
                          limiter=Limiter("bench", max_in_flight), credentials=ClassicCredentials(TOKEN))
    async with client:
        start = time.perf_counter()
        if concurrent:
            await asyncio.gather(*(client.get_metainfo(f"C{i}") for i in range(n)))
        else:
            for i in range(n):
                await client.get_metainfo(f"C{i}")
        return time.perf_counter() - start, peak[0]


async def _bare_requests(n: int) -> float:
    peak = [0]
    async with httpx.AsyncClient(transport=_transport(0, peak)) as client:
        start = time.perf_counter()
        for i in range(n):
            r = await client.get(f"http://127.0.0.1:9/ProfitRestServices/metainfo/get/C{i}")
            r.json()
        return time.perf_counter() - start


def run(quick: bool) -> list[Result]:
    n = 300 if quick else 2000
    bare = min(asyncio.run(_bare_requests(n)) for _ in range(3))
    ours = min(asyncio.run(_client_requests(n, 0, 8, False))[0] for _ in range(3))
    results = [Result("client per-request time (in-process)", ours / n * 1e6, "µs/request",
                      baseline_name="bare httpx GET + json()", baseline_value=bare / n * 1e6,
                      target="overhead small next to network latency (ms)")]
    m = 40 if quick else 160
    latency = 0.02
    sequential, _ = asyncio.run(_client_requests(m, latency, 8, False))
    parallel, peak = asyncio.run(_client_requests(m, latency, 8, True))
    results.append(Result(f"{m} metainfo/get at 20 ms latency, 8 in flight", parallel, "s",
                          baseline_name="one at a time", baseline_value=sequential,
                          target="~8x faster; peak in flight never above 8",
                          details={"peak_in_flight": peak}))
    return results
