"""A small, strict fake of the AFAS Profit REST API (server side), for the client's tests.

It follows ../shared/docs/afas-api.md: classic ``AfasToken`` auth (base64 of the token XML only),
OAuth client credentials (``client_secret_post``, ``client_secret_basic``, ``private_key_jwt`` with
signature, ``aud``, ``iss``/``sub``, lifetime and ``jti``-reuse checks), any-case paths, the error
bodies of 401/403/404/500/503, paging of ``/connectors/{id}``. It runs in-process through
``httpx.MockTransport`` (:meth:`FakeProfit.transport`) or as an ASGI app over a real socket
(:meth:`FakeProfit.asgi`). Faults are scripted per request (:meth:`FakeProfit.script`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, unquote_plus

import httpx
import jwt

from afasgov.profit.tokens import ClassicToken

Responder = Callable[[httpx.Request], httpx.Response | None]


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


def empty(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=b"", headers={"Content-Length": "0", **(headers or {})})


def error_500(message: str = "Validation error", number: int = -2147180999) -> httpx.Response:
    return json_response(
        500, {"externalMessage": message, "errorNumber": number, "profitLogReference": "3A4C00D1"}
    )


def error_503(retry_after: int = 5) -> httpx.Response:
    return json_response(
        503,
        {"error": {"code": "503", "message": "Maintenance"}, "retry_after": retry_after},
        {"Retry-After": str(retry_after)},
    )


@dataclass
class OAuthClient:
    client_id: str
    secret: str | None = None
    public_key: Any = None  # cryptography public key for private_key_jwt
    methods: tuple[str, ...] = ("client_secret_post", "client_secret_basic", "private_key_jwt")


@dataclass
class FakeProfit:
    """One environment served at ``prefix`` (e.g. ``/ProfitRestServices``)."""

    prefix: str = "/ProfitRestServices"
    classic_tokens: set[str] = field(default_factory=set)  # token XML
    oauth_clients: dict[str, OAuthClient] = field(default_factory=dict)
    expires_in: int = 3600
    version: str = "22.22.5"
    envid: str = "O12345AA"
    token_expiry: str = "0"
    latency: float = 0.0
    forbidden: bool = False  # IP restriction: every authenticated call gets 403
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    issued: dict[str, float] = field(default_factory=dict)  # access token -> expiry (time.time)
    seen_jti: set[str] = field(default_factory=set)
    _scripted: list[tuple[str | None, Responder]] = field(default_factory=list)
    in_flight: int = 0
    peak_in_flight: int = 0

    # ------------------------------------------------------------------------------ set-up
    def add_classic(self, token_xml: str) -> None:
        self.classic_tokens.add(ClassicToken.parse(token_xml).xml.reveal())

    def add_client(self, client: OAuthClient) -> None:
        self.oauth_clients[client.client_id] = client

    def script(
        self, responder: Responder | httpx.Response, *, path_contains: str | None = None, times: int = 1
    ) -> None:
        """Answer the next ``times`` matching requests with ``responder`` (a Response or a function)."""
        for _ in range(times):
            fn: Responder = (
                (lambda _r, resp=responder: resp) if isinstance(responder, httpx.Response) else responder
            )
            self._scripted.append((path_contains, fn))

    def revoke_access_tokens(self) -> None:
        self.issued.clear()

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    # ------------------------------------------------------------------------------ handling
    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            for i, (needle, fn) in enumerate(self._scripted):
                if needle is None or needle.lower() in request.url.path.lower():
                    del self._scripted[i]
                    resp = fn(request)
                    if resp is not None:
                        return resp
                    break
            return self._route(request)
        finally:
            self.in_flight -= 1

    def _route(self, request: httpx.Request) -> httpx.Response:
        path = unquote(request.url.path)
        if not path.lower().startswith(self.prefix.lower()):
            return empty(404)
        rest = path[len(self.prefix) :]
        low = rest.lower()
        if low == "/oauth/token":
            if request.method != "POST":
                return empty(404)
            return self._token(request)
        if request.method != "GET":
            return empty(404)
        if len(request.url.query) > 2049:
            return empty(404)
        if not self._authorised(request):
            return empty(401)
        if self.forbidden:
            return empty(403)
        parts = [p for p in rest.split("/") if p]
        lows = [p.lower() for p in parts]
        if lows == ["metainfo"]:
            return json_response(
                200,
                {
                    "updateConnectors": [{"id": "KnSubject", "description": "Dossieritem"}],
                    "getConnectors": [{"id": c, "description": c} for c in sorted(self.rows)],
                    "info": {
                        "envid": self.envid,
                        "appName": "Fake App",
                        "group": "AuthorizationGroup 101 (12345.USER)",
                        "tokenExpiry": self.token_expiry,
                    },
                },
            )
        if len(parts) == 3 and lows[:2] == ["metainfo", "get"]:
            if parts[2] not in self.rows:
                return error_500("Connector not found or not authorised")
            return json_response(
                200,
                {
                    "name": parts[2],
                    "description": parts[2],
                    "fields": [
                        {
                            "id": "Id",
                            "fieldId": "U001",
                            "dataType": "int",
                            "label": "Id",
                            "length": 9,
                            "controlType": 5,
                            "decimals": 0,
                            "decimalsFieldId": "",
                        }
                    ],
                },
            )
        if len(parts) == 3 and lows[:2] == ["metainfo", "update"]:
            return json_response(200, {"name": parts[2], "description": "x", "fields": [], "objects": []})
        if lows == ["profitversion"]:
            return json_response(200, {"version": self.version})
        if len(parts) == 2 and lows[0] == "connectors":
            return self._rows(parts[1], request)
        return empty(404)

    def _rows(self, connector: str, request: httpx.Request) -> httpx.Response:
        if connector not in self.rows:
            return error_500("Connector not found or not authorised")
        q = {k: v[0] for k, v in parse_qs(request.url.query.decode(), keep_blank_values=True).items()}
        try:
            skip = int(q.get("skip", "0"))
            take = int(q.get("take", "100"))
        except ValueError:
            return error_500("Invalid skip or take")
        rows = self.rows[connector]
        if q.get("filterfieldids"):
            fields = q["filterfieldids"].split(",")
            values = q.get("filtervalues", "").split(",")
            rows = [r for r in rows if all(str(r.get(f)) == v for f, v in zip(fields, values, strict=False))]
        if q.get("orderbyfieldids"):
            key = q["orderbyfieldids"].split(",")[0]
            desc = key.startswith("-")
            rows = sorted(rows, key=lambda r: r.get(key.lstrip("-")), reverse=desc)
        page = rows[skip:] if take == -1 else rows[skip : skip + take]
        return json_response(200, {"skip": skip, "take": take, "rows": page})

    def _authorised(self, request: httpx.Request) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme == "AfasToken":
            try:
                xml = base64.b64decode(value, validate=True).decode()
            except ValueError:
                return False
            return xml in self.classic_tokens
        if scheme == "Bearer":
            expiry = self.issued.get(value)
            return expiry is not None and expiry > time.time()
        return False

    def _token(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("content-type", "").split(";")[0] != "application/x-www-form-urlencoded":
            return json_response(400, {"error": "invalid_request", "error_description": "form body expected"})
        raw = parse_qs(request.content.decode(), keep_blank_values=True)
        if any(len(v) > 1 for v in raw.values()):
            return json_response(
                400, {"error": "invalid_request", "error_description": "duplicate parameter"}
            )
        form = {k: v[0] for k, v in raw.items()}
        if form.get("grant_type") != "client_credentials":
            return json_response(400, {"error": "unsupported_grant_type"})
        methods = []
        basic = request.headers.get("authorization", "")
        if basic.startswith("Basic "):
            methods.append("client_secret_basic")
        if "client_secret" in form:
            methods.append("client_secret_post")
        if "client_assertion" in form:
            methods.append("private_key_jwt")
        if len(methods) != 1:
            return json_response(
                400,
                {
                    "error": "invalid_request",
                    "error_description": "exactly one client authentication is required",
                },
            )
        method = methods[0]
        if method == "client_secret_basic":
            try:
                cid, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            except ValueError:
                return json_response(401, {"error": "invalid_client"}, {"WWW-Authenticate": "Basic"})
            cid, secret = unquote_plus(cid), unquote_plus(secret)
            client = self.oauth_clients.get(cid)
            if client is None or method not in client.methods or client.secret != secret:
                return json_response(401, {"error": "invalid_client"}, {"WWW-Authenticate": "Basic"})
        elif method == "client_secret_post":
            client = self.oauth_clients.get(form.get("client_id", ""))
            if client is None or method not in client.methods or client.secret != form["client_secret"]:
                return json_response(400, {"error": "invalid_client"})
        else:
            client = self.oauth_clients.get(form.get("client_id", ""))
            if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
                return json_response(
                    400, {"error": "invalid_request", "error_description": "client_assertion_type"}
                )
            if client is None or method not in client.methods or client.public_key is None:
                return json_response(400, {"error": "invalid_client"})
            audience = str(request.url.copy_with(query=None))
            try:
                claims = jwt.decode(
                    form["client_assertion"],
                    client.public_key,
                    algorithms=["RS256", "PS256", "ES256"],
                    audience=audience,
                    issuer=client.client_id,
                    options={"require": ["exp", "iat", "jti", "sub"]},
                )
            except jwt.PyJWTError as exc:
                return json_response(
                    400, {"error": "invalid_client", "error_description": type(exc).__name__}
                )
            if claims["sub"] != client.client_id or claims["exp"] - claims["iat"] > 300:
                return json_response(400, {"error": "invalid_client", "error_description": "claims"})
            if claims["jti"] in self.seen_jti:
                return json_response(400, {"error": "invalid_client", "error_description": "jti reused"})
            self.seen_jti.add(claims["jti"])
        token = secrets.token_urlsafe(32)
        self.issued[token] = time.time() + self.expires_in
        return json_response(
            200, {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in}
        )

    # ------------------------------------------------------------------------------ ASGI
    def asgi(self) -> Callable[[dict[str, Any], Any, Any], Awaitable[None]]:
        """This fake as a raw ASGI app (serve it with uvicorn for real-socket tests)."""

        async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "lifespan":
                while True:
                    message = await receive()
                    if message["type"] == "lifespan.startup":
                        await send({"type": "lifespan.startup.complete"})
                    elif message["type"] == "lifespan.shutdown":
                        await send({"type": "lifespan.shutdown.complete"})
                        return
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            host = dict(scope["headers"]).get(b"host", b"127.0.0.1").decode()
            url = f"{scope['scheme']}://{host}{scope['raw_path'].decode()}"
            if scope.get("query_string"):
                url += "?" + scope["query_string"].decode()
            request = httpx.Request(
                scope["method"],
                url,
                headers=[(k.decode(), v.decode()) for k, v in scope["headers"]],
                content=body,
            )
            response = await self.handle(request)
            headers = [
                (k.encode(), v.encode()) for k, v in response.headers.items() if k.lower() != "content-length"
            ]
            content = response.content
            headers.append((b"content-length", str(len(content)).encode()))
            await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
            await send({"type": "http.response.body", "body": content})

        return app
