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
from .servers import self_signed_cert, serve_asgi


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


class _LaxSSL:
    """The ``ssl`` module as the client sees it, with platform defaults that accept unverified peers,
    skip the host name and allow any TLS version (an old OpenSSL/Python, an ``OPENSSL_CONF`` with
    ``MinProtocol = TLSv1``). ``CERT_OPTIONAL``, not ``CERT_NONE``: turning ``check_hostname`` on
    silently upgrades ``CERT_NONE`` (only) to ``CERT_REQUIRED``, which would hide a missing
    ``verify_mode`` line."""

    def __getattr__(self, name: str) -> Any:
        return getattr(ssl, name)

    @staticmethod
    def _weaken(ctx: ssl.SSLContext) -> ssl.SSLContext:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        return ctx

    def create_default_context(self, *args: Any, **kwargs: Any) -> ssl.SSLContext:
        return self._weaken(ssl.create_default_context(*args, **kwargs))

    def SSLContext(self, *args: Any, **kwargs: Any) -> ssl.SSLContext:
        return self._weaken(ssl.SSLContext(*args, **kwargs))


@pytest.fixture
def lax_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client must not rely on the platform's defaults: give it lax ones (and a fresh cache)."""
    lax = _LaxSSL()
    assert lax.SSLContext(ssl.PROTOCOL_TLS_CLIENT).minimum_version < ssl.TLSVersion.TLSv1_2
    assert lax.create_default_context().verify_mode == ssl.CERT_OPTIONAL
    monkeypatch.setattr(client_mod, "ssl", lax)
    monkeypatch.setattr(client_mod, "_SSL_CONTEXTS", {})


def test_make_ssl_context_enforces_tls12_and_verification_over_lax_defaults(
    lax_platform: None, tmp_path: Path
) -> None:
    certfile, _ = self_signed_cert(tmp_path)
    for ctx in (client_mod.make_ssl_context(), client_mod.make_ssl_context(certfile)):
        assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
        assert ctx.verify_mode == ssl.CERT_REQUIRED
        assert ctx.check_hostname is True


def test_shared_and_per_url_contexts_enforce_tls12_and_verification_over_lax_defaults(
    lax_platform: None, tmp_path: Path
) -> None:
    certfile, _ = self_signed_cert(tmp_path)
    contexts = [
        shared_ssl_context(),
        shared_ssl_context(certfile),
        ssl_context_for("https://12345.rest.afas.online/ProfitRestServices"),
        ssl_context_for("http://127.0.0.1:9/ProfitRestServices"),
    ]
    for ctx in contexts:
        assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
        assert ctx.verify_mode == ssl.CERT_REQUIRED
        assert ctx.check_hostname is True


def _handshake(ctx: ssl.SSLContext, origin: str, server_hostname: str) -> str:
    import socket

    host, port = origin.removeprefix("https://").split(":")
    with (
        socket.create_connection((host, int(port)), timeout=10) as raw,
        ctx.wrap_socket(raw, server_hostname=server_hostname) as tls,
    ):
        return str(tls.version())


def test_a_certificate_for_another_host_is_refused_over_real_tls(
    lax_platform: None, tmp_path: Path
) -> None:
    """The certificate is trusted (``ca_file``) and valid for 127.0.0.1: connecting under that name
    works (TLS ≥ 1.2); under any other name the handshake fails on the host name."""

    async def app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover - never reached
        raise AssertionError("no HTTP request is made")

    certfile, keyfile = self_signed_cert(tmp_path)
    ctx = shared_ssl_context(certfile)
    with serve_asgi(app, certfile=certfile, keyfile=keyfile) as origin:
        assert _handshake(ctx, origin, "127.0.0.1") in ("TLSv1.2", "TLSv1.3")
        with pytest.raises(ssl.SSLCertVerificationError, match=r"match|mismatch"):
            _handshake(ctx, origin, "12345.rest.afas.online")
