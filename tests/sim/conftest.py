"""Fixtures for the simulator tests: a demo app, sync clients over it, demo headers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from afasgov.sim.app import create_app
from afasgov.sim.testing import IN_PROCESS_ORIGIN, SyncASGITransport, classic_authorization

ORIGIN = IN_PROCESS_ORIGIN
PROD = f"{ORIGIN}/12345-production/ProfitRestServices"
TEST = f"{ORIGIN}/12345-test/ProfitRestServices"
ACCEPT = f"{ORIGIN}/12345-accept/ProfitRestServices"
BASES = {"production": PROD, "test": TEST, "accept": ACCEPT}


def auth(env: str = "production", app: str = "legacy-portal") -> dict[str, str]:
    return {"Authorization": classic_authorization(env, app)}


@pytest.fixture(scope="module")
def demo_app() -> Any:
    return create_app("demo")


@pytest.fixture(scope="module")
def client(demo_app: Any) -> Iterator[httpx.Client]:
    """A sync client over the shared demo app (from 127.0.0.1)."""
    with httpx.Client(transport=SyncASGITransport(demo_app)) as c:
        yield c


@pytest.fixture
def make_client() -> Iterator[Callable[..., httpx.Client]]:
    """Build clients over fresh apps: ``make_client(dataset="demo", client_ip="127.0.0.1", **opts)``."""
    made: list[httpx.Client] = []

    def factory(dataset: str = "demo", client_ip: str = "127.0.0.1", app: Any = None, **opts: Any) -> httpx.Client:
        asgi = app if app is not None else create_app(dataset, **opts)
        c = httpx.Client(transport=SyncASGITransport(asgi, client=(client_ip, 40000)))
        c.app = asgi  # type: ignore[attr-defined]
        made.append(c)
        return c

    yield factory
    for c in made:
        c.close()
