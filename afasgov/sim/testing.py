"""Helpers for tests that need AFAS Profit: the simulator over a socket or in-process.

Over a real loopback socket (end-to-end tests)::

    from afasgov.sim.testing import running_sim

    with running_sim("demo") as sim:
        url = sim.base_url_for("accept")       # http://127.0.0.1:PORT/12345-accept/ProfitRestServices
        cfg = sim.write_config(tmp_path / "afasgov.yaml")   # afasgov.yaml + demo secrets beside it
        cred = sim.credential("production", "legacy-portal")  # DemoCredential (classic token)

In-process (fast unit tests, no socket)::

    transport = asgi_transport("demo")                 # httpx.ASGITransport (httpx.AsyncClient)
    transport = sync_transport("demo")                 # same app for a sync httpx.Client
    base = in_process_base_url("production")          # http://sim.test/12345-production/ProfitRestServices

Demo credentials for a pytest test: :func:`demo_credential` (``environment``, ``app connector``),
:func:`classic_authorization` for the ``Authorization`` header, :func:`client_assertion` for a
``private_key_jwt`` assertion, and :func:`fetch_access_token` for a Bearer token.

The demo's App Connectors (per environment): ``iam`` (OAuth, client_secret_post; KnUser write),
``hr-export`` (classic; BSN/IBAN export), ``legacy-portal`` (classic, never expires, everything,
no IP restriction) and ``finance-bi`` (OAuth; client_secret_post on production/test,
private_key_jwt ES256 on accept).
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import Any

import httpx
import jwt

from afasgov.sim.app import create_app
from afasgov.sim.credentials import DemoCredential
from afasgov.sim.model import Dataset
from afasgov.sim.serve import IN_PROCESS_ORIGIN, RunningSim, credential_of, running_sim, start_sim

DEFAULT_CLIENT = ("127.0.0.1", 50000)


# -------------------------------------------------------------------------------------- in-process
def asgi_transport(dataset: str | Dataset = "demo", *, app: Any = None, client: tuple[str, int] = DEFAULT_CLIENT,
                   **opts: Any) -> httpx.ASGITransport:
    """An ``httpx.ASGITransport`` over a fresh simulator app (or ``app``), for ``httpx.AsyncClient``.

    ``client`` is the caller's address the simulator sees (IP restrictions apply to it). The app is
    ``transport.app``; its state ``transport.app.state.sim``.
    """
    return httpx.ASGITransport(app=app if app is not None else create_app(dataset, **opts), client=client)


class SyncASGITransport(httpx.BaseTransport):
    """A synchronous httpx transport over the simulator app.

    The app runs on an asyncio event loop in a daemon thread (so a forgotten ``close()`` never keeps
    the interpreter alive); each request is handed to that loop and awaited.
    """

    def __init__(self, app: Any, client: tuple[str, int] = DEFAULT_CLIENT) -> None:
        self.app = app
        self._inner = httpx.ASGITransport(app=app, client=client)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=loop.run_forever, name="afasgov-sim-transport", daemon=True)
                self._thread.start()
                self._loop = loop
            return self._loop

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        try:
            body = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
        finally:
            await response.aclose()
        return httpx.Response(response.status_code, headers=response.headers, content=body,
                              extensions=response.extensions)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        future = asyncio.run_coroutine_threadsafe(self._send(request), self._ensure_loop())
        return future.result()

    def close(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            loop.close()


def sync_transport(dataset: str | Dataset = "demo", *, app: Any = None, client: tuple[str, int] = DEFAULT_CLIENT,
                   **opts: Any) -> SyncASGITransport:
    """Like :func:`asgi_transport`, for a synchronous ``httpx.Client``."""
    return SyncASGITransport(app if app is not None else create_app(dataset, **opts), client=client)


def in_process_base_url(env_name: str = "production", dataset: str | Dataset = "demo") -> str:
    """The base URL of an environment for in-process requests (origin :data:`IN_PROCESS_ORIGIN`)."""
    data = dataset if isinstance(dataset, Dataset) else _dataset(dataset)
    env = data.environment(env_name)
    return f"{IN_PROCESS_ORIGIN}/{env.slug}/ProfitRestServices"


# ------------------------------------------------------------------------------------- credentials
def _dataset(spec: str) -> Dataset:
    from afasgov.sim.datasets import shared_dataset

    return shared_dataset(spec)


def demo_credential(env_name: str = "production", app_connector: str = "legacy-portal",
                    dataset: str = "demo") -> DemoCredential:
    """The demo credential of an App Connector (documented demo values, derived at runtime)."""
    return credential_of(_dataset(dataset), env_name, app_connector)


def classic_authorization(env_name: str = "production", app_connector: str = "legacy-portal",
                          dataset: str = "demo") -> str:
    """``AfasToken base64(xml)`` for a classic-token App Connector of the demo."""
    return demo_credential(env_name, app_connector, dataset).authorization()


def client_assertion(credential: DemoCredential, audience: str, *, lifetime: int = 60, jti: str | None = None,
                     iat: float | None = None, alg: str | None = None, kid: str | None = None) -> str:
    """A ``private_key_jwt`` client assertion signed with the credential's demo key."""
    if credential.private_key_pem is None or credential.client_id is None:
        raise ValueError(f"{credential.environment}/{credential.app_connector} has no private key")
    now = int(time.time() if iat is None else iat)
    claims = {"iss": credential.client_id, "sub": credential.client_id, "aud": audience, "iat": now,
              "exp": now + lifetime, "jti": jti or str(uuid.uuid4())}
    headers = {"kid": kid or credential.kid} if (kid or credential.kid) else None
    return jwt.encode(claims, credential.private_key_pem.reveal(), algorithm=alg or credential.alg or "ES256",
                      headers=headers)


def token_request_data(credential: DemoCredential, token_url: str) -> tuple[dict[str, str], dict[str, str]]:
    """(form, headers) for ``POST {base}/oauth/token`` with the credential's own method."""
    import base64
    from urllib.parse import quote

    if credential.auth_type != "oauth" or credential.client_id is None:
        raise ValueError("not an OAuth credential")
    form = {"grant_type": "client_credentials"}
    headers: dict[str, str] = {}
    if credential.method == "private_key_jwt":
        form.update(client_id=credential.client_id,
                    client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    client_assertion=client_assertion(credential, token_url))
    elif credential.method == "client_secret_basic":
        assert credential.client_secret is not None
        raw = f"{quote(credential.client_id, safe='')}:{quote(credential.client_secret.reveal(), safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(raw.encode()).decode()
    else:
        assert credential.client_secret is not None
        form.update(client_id=credential.client_id, client_secret=credential.client_secret.reveal())
    return form, headers


def fetch_access_token(client: httpx.Client, base_url: str, credential: DemoCredential) -> str:
    """Get a Bearer token from the simulator with ``credential`` (raises on failure)."""
    token_url = f"{base_url}/oauth/token"
    form, headers = token_request_data(credential, token_url)
    response = client.post(token_url, data=form, headers=headers)
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


__all__ = [
    "IN_PROCESS_ORIGIN",
    "RunningSim",
    "SyncASGITransport",
    "asgi_transport",
    "classic_authorization",
    "client_assertion",
    "credential_of",
    "demo_credential",
    "fetch_access_token",
    "in_process_base_url",
    "running_sim",
    "start_sim",
    "sync_transport",
    "token_request_data",
]
