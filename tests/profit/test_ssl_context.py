"""TLS contexts of the client: verified TLS >= 1.2 for https, shared per trust store; none loaded
for http:// (loopback) base URLs. The handshake itself is tested end to end in test_e2e.py."""

from __future__ import annotations

import asyncio
import os
import ssl
from pathlib import Path
from typing import Any

import pytest

from afasgov.profit import client as client_mod
from afasgov.profit.client import ProfitClient, shared_ssl_context, ssl_context_for

from .conftest import make_setup
from .servers import self_signed_cert


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """A fresh context cache, and the trust stores ``make_ssl_context`` loads (one entry per load)."""
    loads: list[str | None] = []
    original = client_mod.make_ssl_context

    def counting(ca_file: Any = None) -> ssl.SSLContext:
        loads.append(os.fspath(ca_file) if ca_file else None)
        return original(ca_file)

    monkeypatch.setattr(client_mod, "make_ssl_context", counting)
    monkeypatch.setattr(client_mod, "_SSL_CONTEXTS", {})
    return loads


def assert_verified(ctx: ssl.SSLContext) -> None:
    assert ctx.verify_mode == ssl.CERT_REQUIRED
    assert ctx.check_hostname is True
    assert ctx.minimum_version >= ssl.TLSVersion.TLSv1_2


def test_https_context_is_verified_tls12_and_loads_the_trust_store(counted: list[str | None]) -> None:
    ctx = ssl_context_for("https://12345.rest.afas.online/ProfitRestServices")
    assert_verified(ctx)
    assert ctx.cert_store_stats()["x509_ca"] > 0
    assert len(counted) == 1


def test_http_context_loads_nothing_and_fails_closed(counted: list[str | None]) -> None:
    ctx = ssl_context_for("http://127.0.0.1:9/ProfitRestServices")
    assert counted == []  # no CA bundle read for a plain-http (loopback) client
    assert_verified(ctx)  # were it ever used for TLS, verification would still be required …
    assert ctx.cert_store_stats()["x509_ca"] == 0  # … against an empty trust store: it fails
    assert ssl_context_for("HTTP://localhost/ProfitRestServices") is ctx


def test_one_context_per_trust_store(counted: list[str | None], tmp_path: Path) -> None:
    certfile, _ = self_signed_cert(tmp_path)
    a = shared_ssl_context()
    assert shared_ssl_context(None) is a
    b = shared_ssl_context(certfile)
    assert b is not a and shared_ssl_context(str(certfile)) is b
    assert b.cert_store_stats()["x509_ca"] == 1
    assert_verified(b)
    assert counted == [counted[0], str(certfile)]
    # a replaced CA file (new size / modification time) is loaded again
    os.utime(certfile, ns=(1_000_000_000, 1_000_000_000))
    c = shared_ssl_context(certfile)
    assert c is not b and len(counted) == 3


def test_a_fleet_of_clients_loads_the_trust_store_once(
    counted: list[str | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ec_key: Any
) -> None:
    https = make_setup(tmp_path, monkeypatch, ec_key, base_url="https://12345.rest.afas.online/ProfitRestServices")
    http = make_setup(tmp_path, monkeypatch, ec_key, base_url="http://127.0.0.1:9/ProfitRestServices")
    clients = [ProfitClient(s.env(), s.ac("post")) for s in (https, http) for _ in range(25)]
    assert len(counted) == 1  # 25 https clients share one verified context, 25 http clients need none
    assert len({id(c._http._transport._pool._ssl_context) for c in clients[:25]}) == 1
    async def close() -> None:
        await asyncio.gather(*(c.aclose() for c in clients))

    asyncio.run(close())
