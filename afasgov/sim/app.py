"""The simulator as an ASGI application (Starlette), serving every environment of a dataset.

The base URL of an environment is ``{origin}/{tenant}-{type}/ProfitRestServices`` (e.g.
``http://127.0.0.1:8123/12345-accept/ProfitRestServices``). Under it, in any letter case:

==========================================  ===================================================
``GET /metainfo``                           connectors the calling App Connector may use + info
``GET /metainfo/get/{id}``                  GetConnector fields
``GET /metainfo/update/{id}``               UpdateConnector fields and nested objects
``GET /profitversion``                      ``{"version": …}``
``GET /connectors/{id}``                    rows, with skip/take/orderbyfieldids/filters
``POST /oauth/token``                       OAuth client credentials
==========================================  ===================================================

Order of checks per request (as AFAS's proxy and Profit do): latency, query string over 2,049
characters (404), body too large (413), injected fault, unknown URL (404), maintenance (503),
authentication (401; plain-text classic token 500), IP restriction (403), then the endpoint
(500 for blocked or unauthorised connectors and bad queries). Every response carries AFAS's
headers (``X-AFAS-Proxy-Version``, ``X-AFAS-Proxy-Stats``, HSTS, CORS, ``Cache-Control``).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import anyio
import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from afasgov.sim.auth import Caller, IpRestricted, OAuthError, PlainTextToken, TokenService, classic_caller
from afasgov.sim.datasets import load_dataset
from afasgov.sim.datasets.builder import PROFIT_GET_CONNECTOREN, profit_get_connectoren
from afasgov.sim.faults import FaultInjector
from afasgov.sim.model import JSON, LANGUAGES, Dataset, EnvironmentDef, GetConnectorDef, localise
from afasgov.sim.rows import QueryError, generate_rows, query_rows

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PROXY_VERSION = "4.3.0.0"
MAX_QUERY = 2049
ERROR_NUMBER = -2147180999
COMMON_HEADERS: list[tuple[bytes, bytes]] = [
    (b"cache-control", b"no-store, no-cache"),
    (b"strict-transport-security", b"max-age=31536000"),
    (b"x-afas-proxy-version", PROXY_VERSION.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"deny"),
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-headers", b"Content-Type, Accept, Authorization, OnlineSessionId, Accept-Language"),
    (b"access-control-allow-methods", b"GET, POST, PUT, DELETE, OPTIONS"),
    (b"access-control-max-age", b"1728000"),
]
JSON_TYPE = b"application/json; charset=utf-8"

MESSAGES = {
    "unauthorised": ("U bent niet geautoriseerd voor de connector '{id}'.",
                     "You are not authorised for the connector '{id}'."),
    "unknown": ("De connector '{id}' bestaat niet of u bent er niet voor geautoriseerd.",
                "The connector '{id}' does not exist or you are not authorised for it."),
    "blocked": ("De GetConnector '{id}' is geblokkeerd.", "The GetConnector '{id}' is blocked."),
    "plaintext": ("Het token is niet in Base64 aangeleverd. Tokens in platte tekst worden niet meer "
                  "geaccepteerd.", "The token was not sent as Base64. Plain-text tokens are no longer accepted."),
    "injected": ("Er is een onverwachte fout opgetreden (gesimuleerd).",
                 "An unexpected error occurred (simulated)."),
    "update": ("De simulator voert geen UpdateConnectors uit ('{id}').",
               "The simulator does not execute UpdateConnectors ('{id}')."),
}
MAINTENANCE = "Service temporarily unavailable due to scheduled maintenance. Please check afasstatus.nl for details."


class SimulatedDrop(httpx.RemoteProtocolError):
    """Raised after the response head to drop the connection (uvicorn closes it; in-process the
    client sees this transport error)."""



def language(header: str | None, default: str) -> str:
    """The label language for an ``Accept-Language`` header: nl or en, else the environment's own."""
    if header:
        for part in header.split(","):
            tag = part.split(";")[0].strip().lower()
            primary = tag.split("-")[0]
            if primary in LANGUAGES:
                return primary
    return default


class SimState:
    """The live state of one simulator app: dataset, tokens, faults, caches, switches for tests.

    Reach it as ``app.state.sim``. Tests may flip maintenance or blocked connectors at runtime.
    """

    def __init__(self, dataset: Dataset, *, latency_ms: float = 0.0, fail_rate: float = 0.0, seed: int = 0,
                 retry_after: int = 1, maintenance_retry_after: int = 7200, token_lifetime: int = 3600,
                 max_body_bytes: int = 4 * 1024 * 1024, fault_kinds: tuple[str, ...] | None = None,
                 as_of: str | None = None) -> None:
        self.dataset = dataset
        #: "today" for credential expiry (``create_app(as_of=…)``, else the dataset's, else the real date)
        self.as_of = as_of or dataset.as_of
        self.envs = dataset.by_slug()
        self.latency = max(0.0, latency_ms) / 1000.0
        self.faults = FaultInjector(fail_rate, seed, fault_kinds) if fault_kinds else FaultInjector(fail_rate, seed)
        self.seed = seed
        self.retry_after = retry_after
        self.maintenance_retry_after = maintenance_retry_after
        self.max_body_bytes = max_body_bytes
        self.tokens = TokenService(token_lifetime, today=self.as_of)
        self._cache: dict[tuple[str, ...], bytes] = {}
        self._rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._errors = 0
        self.requests = 0
        self._index: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
        for env in self.envs.values():
            self._ensure_builtin(env)

    # --------------------------------------------------------------------------- test switches
    def environment(self, name: str) -> EnvironmentDef:
        return self.dataset.environment(name)

    def set_maintenance(self, env_name: str, on: bool = True) -> None:
        self.environment(env_name).maintenance = on

    def set_blocked(self, env_name: str, get_id: str, blocked: bool = True) -> None:
        self.environment(env_name).get_connectors[get_id].blocked = blocked
        self.invalidate()

    def invalidate(self) -> None:
        with self._lock:
            self._cache.clear()
            self._rows.clear()
            self._index.clear()

    def register_public_key(self, env_name: str, app_name: str, public_key_pem: bytes, *, kid: str | None = None
                            ) -> str:
        """Register (or replace) a ``private_key_jwt`` key for an App Connector; returns its client_id."""
        from afasgov.sim.model import OAuthClient

        app = self.environment(env_name).app_connectors[app_name]
        client_id = app.oauth.client_id if app.oauth else f"{app_name}-{env_name}"
        app.oauth = OAuthClient(client_id=client_id, methods=("private_key_jwt",), public_key_pem=public_key_pem,
                                kid=kid)
        return client_id

    # --------------------------------------------------------------------------------- helpers
    @staticmethod
    def _ensure_builtin(env: EnvironmentDef) -> None:
        if PROFIT_GET_CONNECTOREN not in env.get_connectors and isinstance(env.get_connectors, dict):
            env.get_connectors[PROFIT_GET_CONNECTOREN] = profit_get_connectoren()

    def index(self, env: EnvironmentDef) -> tuple[dict[str, str], dict[str, str]]:
        """Lower-case id -> id, for update and get connectors (AFAS ids are case-insensitive)."""
        idx = self._index.get(env.slug)
        if idx is None:
            idx = ({k.lower(): k for k in env.update_connectors}, {k.lower(): k for k in env.get_connectors})
            self._index[env.slug] = idx
        return idx

    def cached(self, key: tuple[str, ...], build: Callable[[], Any]) -> bytes:
        body = self._cache.get(key)
        if body is None:
            body = json.dumps(build(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            with self._lock:
                if len(self._cache) > 50_000:
                    self._cache.clear()
                self._cache[key] = body
        return body

    def rows(self, env: EnvironmentDef, gc: GetConnectorDef) -> list[dict[str, Any]]:
        key = (env.slug, gc.id)
        rows = self._rows.get(key)
        if rows is None:
            if gc.id == PROFIT_GET_CONNECTOREN:
                rows = [{"Naam": c.id, "Omschrijving": c.description.get(env.base_language),
                         "Geblokkeerd": bool(c.blocked)} for c in env.get_connectors.values()]
            else:
                rows = generate_rows(self.seed, gc.id, gc.fields, gc.rows)
            with self._lock:
                self._rows[key] = rows
        return rows

    def log_reference(self) -> str:
        with self._lock:
            self._errors += 1
            n = self._errors
        return hashlib.sha256(f"{self.seed}/error/{n}".encode()).hexdigest()[:32].upper()


class _Response:
    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, body: bytes = b"", headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = headers or []


def _json(status: int, data: Any, extra: list[tuple[bytes, bytes]] | None = None) -> _Response:
    body = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return _Response(status, body, [(b"content-type", JSON_TYPE), *(extra or [])])


class SimApp:
    """The raw ASGI handler behind the Starlette app."""

    def __init__(self, state: SimState) -> None:
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        start = time.perf_counter()
        state = self.state
        state.requests += 1
        if state.latency:
            await anyio.sleep(state.latency)
        method = scope["method"].upper()
        path: str = scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        response, drop = await self._handle(scope, receive, method, path, query, headers)
        ms = int((time.perf_counter() - start) * 1000)
        out = [*COMMON_HEADERS, (b"x-afas-proxy-stats",
                                 f"init(0ms), before response({ms}ms), complete({ms}ms)".encode()),
               *response.headers]
        if drop:
            out.append((b"content-length", b"4096"))
            await send({"type": "http.response.start", "status": 200, "headers": out})
            raise SimulatedDrop("connection dropped by the simulator (fault injection)")
        out.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": out})
        await send({"type": "http.response.body", "body": response.body if method != "HEAD" else b""})

    def _error500(self, lang: str, key: str, **kw: str) -> _Response:
        nl, en = MESSAGES[key]
        text = (en if lang == "en" else nl).format(**kw)
        return _json(500, {"externalMessage": text, "errorNumber": ERROR_NUMBER,
                           "profitLogReference": self.state.log_reference()})

    def _unavailable(self, retry_after: int) -> _Response:
        return _json(503, {"error": {"code": "503", "message": MAINTENANCE}, "retry_after": retry_after},
                     [(b"retry-after", str(retry_after).encode())])

    async def _read_body(self, receive: Receive, headers: dict[str, str]) -> bytes | None:
        limit = self.state.max_body_bytes
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _handle(self, scope: Scope, receive: Receive, method: str, path: str, query: str,
                      headers: dict[str, str]) -> tuple[_Response, bool]:
        state = self.state
        if len(query) > MAX_QUERY:
            return _Response(404), False
        body = b""
        if method in ("POST", "PUT") or headers.get("content-length", "0") not in ("", "0"):
            read = await self._read_body(receive, headers)
            if read is None:
                return _Response(413), False
            body = read
        fault = state.faults.decide(method, path, query)
        if fault == "drop":
            return _Response(200), True
        if fault == "503":
            return self._unavailable(state.retry_after), False
        parts = [p for p in path.split("/") if p]
        env = state.envs.get(parts[0].lower()) if parts else None
        if env is None or len(parts) < 2 or parts[1].lower() != "profitrestservices":
            return _Response(404), False
        lang = language(headers.get("accept-language"), env.base_language)
        if fault == "500":
            return self._error500(lang, "injected"), False
        if method == "OPTIONS":
            return _Response(200), False
        rest = [p.lower() for p in parts[2:]]
        route = self._route(method, rest)
        if route is None:
            return _Response(404), False
        if env.maintenance:
            return self._unavailable(state.maintenance_retry_after), False
        client = scope.get("client")
        host = client[0] if client else None
        if route == "token":
            return self._token(env, scope, body, headers, host), False
        try:
            caller = self._authenticate(env, headers.get("authorization"))
        except PlainTextToken:
            return self._error500(lang, "plaintext"), False
        if caller is None:
            return _Response(401), False
        if not caller.app.ip_allowed(host):
            return _Response(403), False
        ident = parts[-1] if len(parts) > 3 else ""
        if route == "metainfo":
            return _json(200, self._metainfo(env, caller, lang)), False
        if route == "version":
            return _json(200, {"version": env.profit_version}), False
        if route in ("meta-get", "meta-update"):
            return self._connector_meta(env, caller, route, ident, lang), False
        if route == "rows":
            params = {k.lower(): v for k, v in parse_qsl(query, keep_blank_values=True)}
            return self._rows(env, caller, ident, params, lang), False
        return self._error500(lang, "update", id=ident), False

    @staticmethod
    def _route(method: str, rest: list[str]) -> str | None:
        if method in ("GET", "HEAD"):
            if rest == ["metainfo"]:
                return "metainfo"
            if len(rest) == 3 and rest[0] == "metainfo" and rest[1] in ("get", "update"):
                return "meta-" + rest[1]
            if rest == ["profitversion"]:
                return "version"
            if len(rest) == 2 and rest[0] == "connectors":
                return "rows"
        if method == "POST" and rest == ["oauth", "token"]:
            return "token"
        if method in ("POST", "PUT", "DELETE") and len(rest) >= 2 and rest[0] == "connectors":
            return "execute"
        return None

    def _authenticate(self, env: EnvironmentDef, authorization: str | None) -> Caller | None:
        if not authorization:
            return None
        scheme, _, value = authorization.strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "afastoken":
            return classic_caller(env, value, today=self.state.as_of)
        if scheme == "bearer":
            return self.state.tokens.bearer_caller(env, value)
        return None

    def _token(self, env: EnvironmentDef, scope: Scope, body: bytes, headers: dict[str, str], host: str | None
               ) -> _Response:
        scheme = scope.get("scheme", "http")
        origin = f"{scheme}://{headers.get('host', 'localhost')}"
        endpoint = "/".join(p for p in scope["path"].split("/") if p)
        audiences = [f"{origin}/{endpoint}", f"{env.public_base_url}/oauth/token"]
        audiences += [a + "/" for a in audiences]
        try:
            data = self.state.tokens.token_request(env, body, headers.get("content-type", ""),
                                                   headers.get("authorization"), audiences, host)
        except IpRestricted:
            return _Response(403)
        except OAuthError as exc:
            extra = [(b"pragma", b"no-cache")]
            if exc.basic_challenge:
                extra.append((b"www-authenticate", b'Basic realm="oauth"'))
            return _json(exc.status, exc.body(), extra)
        return _json(200, data, [(b"pragma", b"no-cache")])

    def _metainfo(self, env: EnvironmentDef, caller: Caller, lang: str) -> bytes:
        app = caller.app

        def build() -> JSON:
            upd = [(c, env.update_connectors[c]["description"]) for c in app.update_ids if c in env.update_connectors]
            get = [(c, env.get_connectors[c].description) for c in app.get_ids if c in env.get_connectors]

            def listing(items: list[tuple[str, Any]]) -> list[JSON]:
                rows = [{"id": cid, "description": localise(desc, lang)} for cid, desc in items]
                return sorted(rows, key=lambda r: (r["description"].lower(), r["id"].lower()))

            return {"updateConnectors": listing(upd), "getConnectors": listing(get),
                    "info": {"envid": env.envid, "appName": app.app_name, "group": app.group,
                             "tokenExpiry": app.token_expiry}}

        return self.state.cached(("metainfo", env.slug, app.name, lang), build)

    def _connector_meta(self, env: EnvironmentDef, caller: Caller, route: str, ident: str, lang: str) -> _Response:
        upd_idx, get_idx = self.state.index(env)
        if route == "meta-update":
            cid = upd_idx.get(ident.lower())
            if cid is None:
                return self._error500(lang, "unknown", id=ident)
            if cid not in caller.app.update_set:
                return self._error500(lang, "unauthorised", id=cid)
            conn = env.update_connectors[cid]
            return _json(200, self.state.cached(("update", env.slug, cid, lang), lambda: localise(conn, lang)))
        cid = get_idx.get(ident.lower())
        if cid is None:
            return self._error500(lang, "unknown", id=ident)
        if cid not in caller.app.get_set:
            return self._error500(lang, "unauthorised", id=cid)
        gc = env.get_connectors[cid]
        return _json(200, self.state.cached(("get", env.slug, cid, lang), lambda: localise(gc.metainfo(), lang)))

    def _rows(self, env: EnvironmentDef, caller: Caller, ident: str, params: dict[str, str], lang: str
              ) -> _Response:
        _, get_idx = self.state.index(env)
        cid = get_idx.get(ident.lower())
        if cid is None:
            return self._error500(lang, "unknown", id=ident)
        if cid not in caller.app.get_set:
            return self._error500(lang, "unauthorised", id=cid)
        gc = env.get_connectors[cid]
        if gc.blocked:
            return self._error500(lang, "blocked", id=cid)
        try:
            result = query_rows(self.state.rows(env, gc), gc.fields, params)
        except QueryError as exc:
            return _json(500, {"externalMessage": exc.message(lang), "errorNumber": ERROR_NUMBER,
                               "profitLogReference": self.state.log_reference()})
        return _json(200, result)


def create_app(dataset: str | Dataset = "demo", *, latency_ms: float = 0, fail_rate: float = 0, seed: int = 0,
               tenants: int = 1, retry_after: int = 1, maintenance_retry_after: int = 7200,
               token_lifetime: int = 3600, max_body_bytes: int = 4 * 1024 * 1024,
               fault_kinds: tuple[str, ...] | None = None, as_of: str | None = None) -> Starlette:
    """The simulator app for ``dataset`` (``demo``, ``synthetic:N`` or a :class:`Dataset`).

    ``latency_ms`` is added to every request; ``fail_rate`` (0–1) of requests get a seeded fault
    (``fault_kinds`` among ``503``, ``500``, ``drop``); injected 503s say ``retry_after`` seconds,
    maintenance (``app.state.sim.set_maintenance``) says ``maintenance_retry_after``. ``tenants``
    multiplies synthetic datasets into a fleet. ``as_of`` (``YYYY-MM-DD[THH:MM:SS]``) is the date
    classic tokens and client secrets expire against (default: the dataset's ``as_of`` — the demo's
    is 2026-11-21 — else the real date). The live :class:`SimState` is ``app.state.sim``.
    """
    data = dataset if isinstance(dataset, Dataset) else load_dataset(dataset, seed=seed, tenants=tenants)
    state = SimState(data, latency_ms=latency_ms, fail_rate=fail_rate, seed=seed, retry_after=retry_after,
                     maintenance_retry_after=maintenance_retry_after, token_lifetime=token_lifetime,
                     max_body_bytes=max_body_bytes, fault_kinds=fault_kinds, as_of=as_of)
    handler = SimApp(state)
    app = Starlette(routes=[Route("/{path:path}", endpoint=handler)])
    app.state.sim = state
    return app


def sim_state(app: Any) -> SimState:
    """The :class:`SimState` of an app made by :func:`create_app`."""
    state = app.state.sim
    assert isinstance(state, SimState)
    return state
