"""Latency and seeded fault injection: 503 with retry_after, 500, dropped connections."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from afasgov.sim.faults import FaultInjector
from afasgov.sim.testing import asgi_transport

from .conftest import PROD, auth

PATHS = ["/metainfo", "/profitversion", "/metainfo/update/KnUser", "/metainfo/get/Profit_Functions",
         "/connectors/Profit_Functions?take=5"]


def _statuses(c: httpx.Client, rounds: int = 8) -> list[object]:
    out: list[object] = []
    for _ in range(rounds):
        for path in PATHS:
            try:
                out.append(c.get(PROD + path, headers=auth()).status_code)
            except httpx.RemoteProtocolError:
                out.append("dropped")
    return out


def test_no_faults_by_default(make_client: Any) -> None:
    assert set(_statuses(make_client())) == {200}


def test_faults_are_deterministic_for_a_seed(make_client: Any) -> None:
    a = _statuses(make_client(fail_rate=0.4, seed=7))
    b = _statuses(make_client(fail_rate=0.4, seed=7))
    c = _statuses(make_client(fail_rate=0.4, seed=8))
    assert a == b
    assert a != c
    assert {200, 503, 500, "dropped"} <= set(a) | set(c)


def test_fault_rate_is_roughly_the_fail_rate() -> None:
    injector = FaultInjector(0.25, seed=3)
    decisions = [injector.decide("GET", f"/p{i}", "") for i in range(4000)]
    share = sum(d is not None for d in decisions) / len(decisions)
    assert 0.2 < share < 0.3
    kinds = {k: decisions.count(k) for k in ("503", "500", "drop")}
    assert kinds["503"] > kinds["500"] > 0 and kinds["drop"] > 0


def test_a_retried_request_gets_a_fresh_chance() -> None:
    injector = FaultInjector(0.5, seed=1)
    outcomes = [injector.decide("GET", "/same", "q=1") for _ in range(40)]
    assert None in outcomes and any(o is not None for o in outcomes)
    again = FaultInjector(0.5, seed=1)
    assert [again.decide("GET", "/same", "q=1") for _ in range(40)] == outcomes


def test_injected_503_carries_retry_after(make_client: Any) -> None:
    c = make_client(fail_rate=1.0, fault_kinds=("503",), retry_after=2)
    r = c.get(PROD + "/metainfo", headers=auth())
    assert r.status_code == 503
    assert r.headers["retry-after"] == "2"
    assert r.json()["retry_after"] == 2


def test_injected_500_has_afas_body(make_client: Any) -> None:
    r = make_client(fail_rate=1.0, fault_kinds=("500",)).get(PROD + "/metainfo", headers=auth())
    assert r.status_code == 500
    assert set(r.json()) == {"externalMessage", "errorNumber", "profitLogReference"}


def test_dropped_connection_is_a_transport_error_in_process(make_client: Any) -> None:
    c = make_client(fail_rate=1.0, fault_kinds=("drop",))
    with pytest.raises(httpx.RemoteProtocolError):
        c.get(PROD + "/metainfo", headers=auth())


def test_bad_fault_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="fail_rate"):
        FaultInjector(1.5)
    with pytest.raises(ValueError, match="kinds"):
        FaultInjector(0.1, kinds=("timeout",))


def test_latency_is_applied_without_blocking_other_requests() -> None:
    transport = asgi_transport(latency_ms=50)

    async def run() -> list[int]:
        async with httpx.AsyncClient(transport=transport) as c:
            rs = await asyncio.gather(*(c.get(PROD + "/profitversion", headers=auth()) for _ in range(10)))
        return [r.status_code for r in rs]

    assert asyncio.run(run()) == [200] * 10
    state = transport.app.state.sim  # type: ignore[attr-defined]
    assert state.latency == pytest.approx(0.05)
