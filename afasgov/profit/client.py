"""The AFAS Profit REST client (async core on httpx, plus a small sync wrapper).

::

    async with ProfitClient(env, app_connector) as client:
        meta = await client.metainfo()                       # GET /metainfo
        get = await client.get_metainfo("Profit_Functions")  # GET /metainfo/get/{id}
        upd = await client.update_metainfo("KnSubject")      # GET /metainfo/update/{id}
        version = await client.profit_version()              # GET /profitversion -> "22.22.5"
        page = await client.get_rows("Profit_Functions", order_by=["Id"], take=100)
        async for row in client.iter_rows("Profit_Functions", order_by=["Id"]):
            ...

Responses are returned as parsed JSON, unchanged. Everything else (authentication, retries,
limits, error mapping) is described in docs/client.md.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import os
import ssl
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import certifi
import httpx

from afasgov import __version__
from afasgov._files import read_input
from afasgov.config.hosts import is_loopback_host
from afasgov.errors import ConfigError, UsageError
from afasgov.profit import errors as E
from afasgov.profit.credentials import (
    ClassicCredentials,
    ClientSecretCredentials,
    Credentials,
    PrivateKeyCredentials,
    load_credentials,
)
from afasgov.profit.limits import Limiter, limiter_for
from afasgov.profit.oauth import (
    AccessToken,
    TokenResponseError,
    parse_token_response,
    token_request,
    token_url,
)
from afasgov.profit.retry import RetryPolicy, parse_retry_after
from afasgov.profit.tokencache import TokenCache, TokenKey, credential_digest, token_cache_for
from afasgov.profit.urls import (
    MAX_QUERY_CHARS,
    FilterSpec,
    check_connector_id,
    endpoint_path,
    query_string,
    rows_params,
)
from afasgov.secrets import Secret, echo_forms, redact_any

if TYPE_CHECKING:
    from afasgov.config import AppConnectorConfig, EnvironmentConfig

log = logging.getLogger("afasgov.profit")

T = TypeVar("T")

class _SetCookies(httpx.Cookies):
    """httpx's cookie jar, which the client hands every response: one that sets no cookie is not parsed for
    cookies (httpx builds urllib request and response objects for that: 6 % of a fleet crawl's CPU)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers or "set-cookie2" in response.headers:
            super().extract_cookies(response)


def _sniffio_known_absent() -> None:
    """httpcore runs ``import sniffio`` several times per request to learn the async library, and takes
    asyncio when that fails (anyio and httpx no longer need sniffio). Where it is not installed, every
    failing import searched ``sys.path`` again (≈60 µs each: 5 % of a fleet crawl's CPU). Marked absent
    once, the import fails at once: the same answer, asyncio."""
    import importlib.util
    import sys

    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


_sniffio_known_absent()

#: cap on one response body (metainfo is ~10-500 KB; a page of rows can be a few MB).
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
#: cap on an error body or token response.
MAX_ERROR_BODY_BYTES = 256 * 1024
#: maximum ``take`` the client allows (AFAS: keep columns x rows per page under 150,000).
MAX_TAKE = 150_000


#: a CA bundle larger than this is refused (certifi's is about 300 KiB)
MAX_CA_FILE_BYTES = 8 * 1024 * 1024


def _ca_error(message: str, source: str) -> Exception:
    return ConfigError(f"CA file {message}", file=source)


def _trust_context(path: str) -> ssl.SSLContext:
    """A default context trusting the PEM bundle at ``path``, read with the bounded reader (a FIFO,
    a device, a missing or non-PEM file is a :class:`ConfigError` naming it, never a crash)."""
    data = read_input(path, max_bytes=MAX_CA_FILE_BYTES, error=_ca_error)
    text = data.decode("ascii", errors="replace")
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise ConfigError("CA file is not a PEM certificate bundle (no 'BEGIN CERTIFICATE' block)", file=path)
    try:
        return ssl.create_default_context(cadata=text)
    except (ssl.SSLError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"CA file is not a valid PEM certificate bundle ({reason})", file=path) from None


def make_ssl_context(ca_file: str | os.PathLike[str] | None = None) -> ssl.SSLContext:
    """Certificate verification on, host name checking on, TLS 1.2 or newer only (a new context)."""
    ctx = _trust_context(_trust_store(ca_file))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def _trust_store(ca_file: str | os.PathLike[str] | None) -> str:
    return os.fspath(ca_file) if ca_file else (os.environ.get("SSL_CERT_FILE") or certifi.where())


_SSL_LOCK = threading.Lock()
_SSL_CONTEXTS: dict[tuple[str, int, int], ssl.SSLContext] = {}
_NO_TLS_KEY = ("", -2, -2)  # no trust store: the context of http:// clients


def shared_ssl_context(ca_file: str | os.PathLike[str] | None = None) -> ssl.SSLContext:
    """One verified context (as :func:`make_ssl_context`) per trust store, shared by every client.

    Loading a CA bundle costs tens of milliseconds; a fleet of hundreds of clients pays it once per
    trust store. The key includes the file's size and modification time, so a replaced CA file is
    loaded again. ``ssl.SSLContext`` is safe to share between threads and event loops.
    """
    path = _trust_store(ca_file)
    try:
        st = os.stat(path)
        key = (path, st.st_size, st.st_mtime_ns)
    except OSError:
        key = (path, -1, -1)  # make_ssl_context reports the missing file
    with _SSL_LOCK:
        ctx = _SSL_CONTEXTS.get(key)
        if ctx is None:
            ctx = _SSL_CONTEXTS[key] = make_ssl_context(path)
        return ctx


def _no_tls_context() -> ssl.SSLContext:
    """For ``http://`` base URLs (loopback only): no CA bundle is loaded, but verification stays
    required, so any TLS connection made through it would fail closed. Costs well under 1 ms, once."""
    with _SSL_LOCK:
        ctx = _SSL_CONTEXTS.get(_NO_TLS_KEY)
        if ctx is None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.check_hostname = True  # PROTOCOL_TLS_CLIENT's defaults, stated rather than assumed
            ctx.verify_mode = ssl.CERT_REQUIRED
            _SSL_CONTEXTS[_NO_TLS_KEY] = ctx
        return ctx


def ssl_context_for(base_url: str, ca_file: str | os.PathLike[str] | None = None) -> ssl.SSLContext:
    """The context a client for ``base_url`` uses: shared and verified for ``https``; for ``http``
    (loopback only, validated by the configuration) a shared one without trust store."""
    if httpx.URL(base_url).scheme == "https":
        return shared_ssl_context(ca_file)
    return _no_tls_context()


class _OnTheWire(httpx.AsyncBaseTransport):
    """A transport given by the caller (tests: ASGI, mock) reports no httpcore trace events: the
    request counts as on the wire (:meth:`~afasgov.profit.limits.Slot.sent`) once it is handed over."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        trace = request.extensions.get("trace")
        if trace is not None and not isinstance(self.inner, httpx.AsyncHTTPTransport):
            await trace("transport.send_request_body.complete", {})
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass(frozen=True)
class _Raw:
    status: int
    headers: httpx.Headers
    body: bytes
    path: str
    method: str


@dataclass(frozen=True)
class AuthInfo:
    """What :meth:`ProfitClient.authenticate` learned (for ``afasgov check``)."""

    method: str
    access_token_lifetime: float | None = None


class ProfitClient:
    """An async client for one App Connector of one environment.

    ``transport`` replaces the network (tests: ``httpx.MockTransport``, ``httpx.ASGITransport``).
    ``limiter`` defaults to the environment's shared limiter (:func:`afasgov.profit.limits.limiter_for`).
    ``credentials`` defaults to reading the App Connector's secret now (a :class:`ConfigError`,
    exit 2, if it is missing or malformed). ``clock`` is monotonic seconds (token expiry).
    ``token_cache`` holds OAuth access tokens; by default clients without ``transport`` share the
    process-wide cache and clients with one share a cache per transport
    (:mod:`afasgov.profit.tokencache`), so clients of the same App Connector reuse one token.
    """

    def __init__(
        self,
        env: EnvironmentConfig,
        app_connector: AppConnectorConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        limiter: Limiter | None = None,
        retry: RetryPolicy | None = None,
        credentials: Credentials | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        clock: Callable[[], float] = time.monotonic,
        token_cache: TokenCache | None = None,
    ) -> None:
        self.env = env
        self.app_connector = app_connector
        self._credentials = credentials if credentials is not None else load_credentials(app_connector)
        self._limiter = limiter or limiter_for(env.name, env.max_in_flight, base_url=env.base_url)
        self._retry = retry or RetryPolicy()
        self._max_bytes = max_response_bytes
        self._clock = clock
        self._classic_header: Secret | None = None
        #: Authorization headers sent, and their credentials as a server could echo them (bytes)
        self._sent: set[str] = set()
        self._echo_raw: list[bytes] = []
        self._echo_escaped: list[bytes] = []
        self._token_requests = 0
        self._base = env.base_url.rstrip("/")
        self._token_cache = token_cache if token_cache is not None else token_cache_for(transport)
        self._token_key = self._make_token_key()
        base_url = httpx.URL(self._base)
        self._base_path = base_url.path.rstrip("/")
        #: ``host:port`` named by transport errors (which server could not be reached)
        self._host_port = f"{base_url.host}:{base_url.port or (443 if base_url.scheme == 'https' else 80)}"
        headers = {
            "Accept": "application/json",
            "Accept-Language": env.language,
            "User-Agent": f"afasgov/{__version__}",
        }
        if env.integration_id:
            headers["IntegrationId"] = env.integration_id
        t = env.timeout_seconds
        timeout = httpx.Timeout(connect=min(15.0, t), read=t, write=min(60.0, t), pool=None)
        local = is_loopback_host(env.host)
        try:
            verify = ssl_context_for(self._base, env.ca_file)
        except ConfigError as exc:
            key = f"environments.{env.name}.ca_file" if env.ca_file else "SSL_CERT_FILE (the default trust store)"
            raise ConfigError(exc.reason, file=exc.file, key_path=key) from None
        self._http = httpx.AsyncClient(
            transport=_OnTheWire(transport) if transport is not None else None,
            verify=verify,
            timeout=timeout,
            follow_redirects=False,
            trust_env=not local,
            headers=headers,
            limits=httpx.Limits(
                max_connections=env.max_in_flight, max_keepalive_connections=env.max_in_flight
            ),
        )
        if type(getattr(self._http, "_cookies", None)) is httpx.Cookies:  # (the client's own jar, empty)
            self._http._cookies = _SetCookies()

    def __repr__(self) -> str:
        return f"ProfitClient({self.env.name}/{self.app_connector.name}, {self._base})"

    # ------------------------------------------------------------------------------ lifecycle
    async def __aenter__(self) -> ProfitClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def limiter(self) -> Limiter:
        return self._limiter

    @property
    def access_token(self) -> AccessToken | None:
        """The cached OAuth access token (value redacted in ``repr``), or ``None``.

        Shared with the other clients of the same App Connector (see ``token_cache``)."""
        return self._token_cache.peek(self._token_key) if self._token_key is not None else None

    @property
    def token_requests(self) -> int:
        """How many token requests this client has sent (tests, benchmarks)."""
        return self._token_requests

    @property
    def token_cache(self) -> TokenCache:
        return self._token_cache

    def forget_access_token(self) -> None:
        """Drop the cached access token of this App Connector (for every client sharing it)."""
        if self._token_key is not None:
            self._token_cache.invalidate(self._token_key)

    @property
    def auth_label(self) -> str:
        return self.app_connector.auth.label

    # ------------------------------------------------------------------------------ endpoints
    async def metainfo(self) -> dict[str, Any]:
        """``GET /metainfo``: the connectors this App Connector may use, and ``info``."""
        return await self._get_object(endpoint_path("metainfo"))

    async def get_metainfo(self, connector_id: str) -> dict[str, Any]:
        """``GET /metainfo/get/{id}``: a GetConnector's fields."""
        return await self._get_object(endpoint_path("metainfo", "get", self._id(connector_id)))

    async def update_metainfo(self, connector_id: str) -> dict[str, Any]:
        """``GET /metainfo/update/{id}``: an UpdateConnector's fields and nested objects."""
        return await self._get_object(endpoint_path("metainfo", "update", self._id(connector_id)))

    async def metainfo_answer(
        self, kind: str, connector_id: str, known: Callable[[bytes], T | None]
    ) -> T | dict[str, Any]:
        """``GET /metainfo/{kind}/{id}`` (``get`` or ``update``): ``known(body)`` when that gives something
        (what the caller made of the same bytes before: a fleet's tenants answer alike), else the JSON
        object, as :meth:`get_metainfo` / :meth:`update_metainfo`. A body that echoes a credential of
        this run, or comes as HTML, is never ``known``: it goes the checked way."""
        path = endpoint_path("metainfo", kind, self._id(connector_id))
        raw = await self._call("GET", path)
        if not self._echoes_credential(raw.body) and not self._html(raw):
            hit = known(raw.body)
            if hit is not None:
                return hit
        data = self._data(raw)
        if not isinstance(data, dict):
            raise self._err(
                E.InvalidJSONError, "GET", path, f"expected a JSON object, got {type(data).__name__}"
            )
        return data

    async def profit_version(self) -> str:
        """``GET /profitversion`` → the version string, e.g. ``"22.22.5"``."""
        path = endpoint_path("profitversion")
        data = await self._get_object(path)
        version = data.get("version")
        if not isinstance(version, str) or not version.strip():
            raise self._err(E.InvalidJSONError, "GET", path, "no 'version' string in the response")
        return version

    async def get_rows(
        self,
        connector_id: str,
        *,
        skip: int = 0,
        take: int = 100,
        order_by: Sequence[str],
        filters: FilterSpec | None = None,
    ) -> dict[str, Any]:
        """``GET /connectors/{id}?skip&take&orderbyfieldids[&filter…]`` → ``{"skip", "take", "rows"}``.

        ``order_by`` is required (stable paging; ``-Field`` sorts descending); ``take=-1`` is refused.
        """
        if isinstance(take, int) and not isinstance(take, bool) and take > MAX_TAKE:
            raise UsageError(
                f"take={take} is too large (at most {MAX_TAKE}; AFAS advises columns x rows "
                "per page under 150,000)"
            )
        try:
            params = rows_params(skip=skip, take=take, order_by=order_by, filters=filters)
        except ValueError as exc:
            raise UsageError(f"GetConnector {connector_id}: {exc}") from None
        data = await self._get_object(endpoint_path("connectors", self._id(connector_id)), params)
        return data

    async def iter_rows(
        self,
        connector_id: str,
        *,
        order_by: Sequence[str],
        filters: FilterSpec | None = None,
        page_size: int = 100,
        skip: int = 0,
        max_rows: int | None = None,
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Every row of a GetConnector, page by page (stops at a short page or ``max_rows``)."""
        yielded = 0
        while True:
            take = page_size if max_rows is None else min(page_size, max_rows - yielded)
            if take <= 0:
                return
            page = await self.get_rows(connector_id, skip=skip, take=take, order_by=order_by, filters=filters)
            rows = page.get("rows")
            if not isinstance(rows, list):
                raise self._err(
                    E.InvalidJSONError,
                    "GET",
                    endpoint_path("connectors", connector_id),
                    "no 'rows' list in the response",
                )
            for row in rows:
                yield row
            yielded += len(rows)
            if len(rows) < take:
                return
            skip += len(rows)

    async def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """GET any path below the base URL (``/metainfo``…) and return the parsed JSON."""
        if not path.startswith("/") or ".." in path or "?" in path or "#" in path:
            raise UsageError(f"not an API path: {path!r}")
        raw = await self._call("GET", path, params=params)
        return self._data(raw)

    async def authenticate(self) -> AuthInfo:
        """Obtain an access token now (OAuth) so that failures show up here; classic: nothing to do."""
        if isinstance(self._credentials, ClassicCredentials):
            return AuthInfo(method="classic")
        token = await self._ensure_token()
        return AuthInfo(method=self.auth_label, access_token_lifetime=token.expires_in)

    # ------------------------------------------------------------------------------ internals
    def _id(self, connector_id: str) -> str:
        try:
            return check_connector_id(connector_id)
        except ValueError as exc:
            raise UsageError(str(exc)) from None

    def _err(
        self, cls: type[E.ProfitError], method: str, path: str, detail: str = "", **kw: Any
    ) -> E.ProfitError:
        return cls(
            detail,
            environment=self.env.name,
            app_connector=self.app_connector.name,
            method=method,
            path=self._base_path + path,
            **kw,
        )

    async def _get_object(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        raw = await self._call("GET", path, params=params)
        data = self._data(raw)
        if not isinstance(data, dict):
            raise self._err(
                E.InvalidJSONError, "GET", path, f"expected a JSON object, got {type(data).__name__}"
            )
        return data

    def _url(self, path: str, params: Mapping[str, str] | None) -> str:
        url = self._base + path
        if params:
            query = query_string(params)
            if len(query) > MAX_QUERY_CHARS:
                raise UsageError(
                    f"{self.env.name}: query string of {len(query)} characters for {path}; AFAS "
                    f"answers 404 above {MAX_QUERY_CHARS} (use fewer filter values)"
                )
            url += "?" + query
        return url

    async def _auth_header(self) -> tuple[str, AccessToken | None]:
        creds = self._credentials
        if isinstance(creds, ClassicCredentials):
            if self._classic_header is None:
                self._classic_header = creds.token.header_value()
            return self._classic_header.reveal(), None
        token = await self._ensure_token()
        return "Bearer " + token.value.reveal(), token

    def _make_token_key(self) -> TokenKey | None:
        creds = self._credentials
        method: str
        if isinstance(creds, ClientSecretCredentials):
            method, digest = creds.method, credential_digest(creds.method, creds.secret.reveal())
        elif isinstance(creds, PrivateKeyCredentials):
            method = "private_key_jwt"
            digest = credential_digest(method, creds.key.alg, creds.kid or "", creds.key.pem.reveal())
        else:
            return None
        return TokenKey(
            environment=self.env.name,
            app_connector=self.app_connector.name,
            base_url=self._base,
            client_id=creds.client_id,
            method=method,
            credential=digest,
            clock=self._clock,
        )

    async def _ensure_token(self, *, stale: AccessToken | None = None) -> AccessToken:
        """The cached access token, or a new one if there is none, it is about to expire, or it is
        ``stale`` (was refused with a 401). Concurrent callers (of every client sharing the token
        cache) share one token request."""
        assert self._token_key is not None
        return await self._token_cache.get(self._token_key, self._clock, self._request_token, stale=stale)

    async def _request_token(self) -> AccessToken:
        creds = self._credentials
        assert isinstance(creds, ClientSecretCredentials | PrivateKeyCredentials)
        url = token_url(self._base)
        path = url[len(self._base) :]

        async def prepare() -> tuple[dict[str, str], dict[str, str] | None]:
            self._token_requests += 1
            request = token_request(creds, url, now=time.time())  # a new JWT for every request
            return {"Content-Type": "application/x-www-form-urlencoded", **request.headers}, dict(
                request.form
            )

        raw = await self._send_with_retries("POST", path, url, prepare)
        if raw.status == 200:
            try:
                return parse_token_response(
                    self._json(raw),
                    obtained_at=self._clock(),
                    name=f"{self.env.name}/{self.app_connector.name} access token",
                )
            except TokenResponseError as exc:
                raise self._err(E.InvalidJSONError, "POST", path, str(exc), status=200) from None
        self._raise_token_error(raw)
        raise AssertionError("unreachable")  # pragma: no cover

    def _raise_token_error(self, raw: _Raw) -> None:
        if raw.status in (400, 401):
            body = self._maybe_json(raw)
            error = body.get("error") if isinstance(body, dict) else None
            description = body.get("error_description") if isinstance(body, dict) else None
            error = error if isinstance(error, str) else None
            description = description if isinstance(description, str) else None
            cls: type[E.OAuthError] = E.OAuthError
            if error == "invalid_client" or (error is None and raw.status == 401):
                cls = E.InvalidClientError
            elif error == "invalid_request":
                cls = E.InvalidRequestError
            elif error is None:
                error = f"HTTP {raw.status}"
            raise cls(
                "",
                error=error if cls is E.OAuthError else None,
                description=description,
                environment=self.env.name,
                app_connector=self.app_connector.name,
                method=raw.method,
                path=self._base_path + raw.path,
                status=raw.status,
            )
        if 200 <= raw.status < 300:
            raise self._err(
                E.BadResponseError,
                raw.method,
                raw.path,
                f"HTTP {raw.status} from the token endpoint",
                status=raw.status,
            )
        self._raise_for_status(raw)

    async def _call(self, method: str, path: str, *, params: Mapping[str, str] | None = None) -> _Raw:
        """Send an authenticated request; re-authenticate once on a 401 (OAuth); map errors."""
        url = self._url(path, params)
        used: list[AccessToken | None] = [None]

        async def prepare() -> tuple[dict[str, str], dict[str, str] | None]:
            header, used[0] = await self._auth_header()
            if header not in self._sent:
                self._remember_sent(header)
            return {"Authorization": header}, None

        reauthenticated = False
        while True:
            raw = await self._send_with_retries(method, path, url, prepare)
            if (
                raw.status == 401
                and not reauthenticated
                and not isinstance(self._credentials, ClassicCredentials)
            ):
                reauthenticated = True
                log.debug(
                    "%s/%s: 401 on %s, requesting a new access token",
                    self.env.name,
                    self.app_connector.name,
                    path,
                )
                await self._ensure_token(stale=used[0])
                continue
            if 200 <= raw.status < 300:
                return raw
            self._raise_for_status(raw)

    async def _send_with_retries(
        self,
        method: str,
        path: str,
        url: str,
        prepare: Callable[[], Coroutine[Any, Any, tuple[dict[str, str], dict[str, str] | None]]],
    ) -> _Raw:
        """Retries transport failures and 503 (returns the last 503 if AFAS stays unavailable).
        ``prepare`` builds headers and form for each attempt (fresh token / fresh JWT).

        The whole request — every attempt, the waits between them and each response body — must be
        complete within ``request_deadline_seconds`` (a server that drips one byte at a time never
        trips the read time-out, which restarts with every byte): else a :class:`TimeoutError_`."""
        deadline = self.env.request_deadline_seconds
        try:
            async with asyncio.timeout(deadline):
                return await self._attempts(method, path, url, prepare)
        except TimeoutError:
            raise self._err(
                E.TimeoutError_, method, path,
                f"no complete answer within {deadline:g} s (request_deadline_seconds)",
            ) from None

    async def _attempts(
        self,
        method: str,
        path: str,
        url: str,
        prepare: Callable[[], Coroutine[Any, Any, tuple[dict[str, str], dict[str, str] | None]]],
    ) -> _Raw:
        attempt = 0
        while True:
            attempt += 1
            headers, form = await prepare()
            try:
                raw = await self._send_once(method, path, url, headers=headers, form=form)
            except E.TLSError:
                raise
            except E.TransportError as exc:
                if attempt >= self._retry.max_attempts:
                    raise
                delay = self._retry.backoff(attempt)
                log.debug("%s (attempt %d), retrying in %.2f s", exc, attempt, delay)
                await self._retry.sleep(delay)
                continue
            if raw.status == 503:
                retry_after = parse_retry_after(self._maybe_json(raw), raw.headers)
                wait = self._retry.delay_after_503(attempt, retry_after)
                if wait is None:
                    return raw
                log.debug(
                    "%s/%s: 503 on %s (attempt %d), retrying in %.2f s",
                    self.env.name,
                    self.app_connector.name,
                    path,
                    attempt,
                    wait,
                )
                await self._retry.sleep(wait)
                continue
            return raw

    async def _send_once(
        self, method: str, path: str, url: str, *, headers: Mapping[str, str], form: Mapping[str, str] | None
    ) -> _Raw:
        start = time.perf_counter()
        async with self._limiter.slot() as slot:
            try:
                async with self._http.stream(
                    method, url, headers=dict(headers), data=form, extensions={"trace": slot.trace}
                ) as resp:
                    slot.sent()  # transports without httpcore's trace events (tests)
                    body = await self._read_capped(resp, method, path)
                    raw = _Raw(resp.status_code, resp.headers, body, path, method)
            except httpx.TimeoutException as exc:
                raise self._err(E.TimeoutError_, method, path, _transport_detail(exc), host=self._host_port) from None
            except httpx.TransportError as exc:
                if _is_tls_failure(exc):
                    raise self._err(E.TLSError, method, path, _transport_detail(exc), host=self._host_port) from None
                raise self._err(E.TransportError, method, path, _transport_detail(exc), host=self._host_port) from None
        # The slot just freed went to the next request: let it reach the wire before this response
        # is parsed (and, in the crawl, normalised and written), so CPU work never delays it.
        await self._limiter.wire_idle()
        log.debug(
            "%s/%s: %s %s -> %d (%d bytes, %.0f ms)",
            self.env.name,
            self.app_connector.name,
            method,
            self._base_path + path,
            raw.status,
            len(raw.body),
            (time.perf_counter() - start) * 1000,
        )
        return raw

    async def _read_capped(self, resp: httpx.Response, method: str, path: str) -> bytes:
        ok = 200 <= resp.status_code < 300
        cap = self._max_bytes if ok else MAX_ERROR_BODY_BYTES
        declared = resp.headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > cap:
            if ok:
                raise self._err(
                    E.ResponseTooLargeError,
                    method,
                    path,
                    f"Content-Length {int(declared)} bytes exceeds the cap of {cap} bytes",
                    status=resp.status_code,
                )
            return b""
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.aiter_bytes():
            size += len(chunk)
            if size > cap:
                if ok:
                    raise self._err(
                        E.ResponseTooLargeError,
                        method,
                        path,
                        f"body exceeds the cap of {cap} bytes",
                        status=resp.status_code,
                    )
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def _remember_sent(self, header: str) -> None:
        """Note the credential in an ``Authorization`` header this client sent: what a server could
        echo back (the header's value, and for a classic token the token XML it encodes)."""
        self._sent.add(header)
        value = header.partition(" ")[2]
        values = [value]
        if header.lower().startswith("afastoken "):
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                values.append(base64.b64decode(value, validate=True).decode("utf-8"))
        raw, escaped = echo_forms(values)
        self._echo_raw = sorted(set(self._echo_raw) | raw)
        self._echo_escaped = sorted(set(self._echo_escaped) | escaped)

    def _echoes_credential(self, body: bytes) -> bool:
        """True if ``body`` holds a credential this client sent (raw, or JSON-escaped when the body
        has escapes at all): two or three substring searches per response, whatever the fleet size."""
        if any(form in body for form in self._echo_raw):
            return True
        return b"\\" in body and any(form in body for form in self._echo_escaped)

    def _data(self, raw: _Raw) -> Any:
        """:meth:`_json` of a data response, with every registered secret (the credential, its
        base64 form, the access token) redacted if the server echoed back one this client sent: it
        never reaches a snapshot, a report or the terminal."""
        data = self._json(raw)
        if self._echoes_credential(raw.body):
            log.warning("%s/%s: the response to %s holds a credential of this run; it is redacted",
                        self.env.name, self.app_connector.name, raw.path)
            data = redact_any(data)
        return data

    def _maybe_json(self, raw: _Raw) -> Any:
        try:
            return json.loads(raw.body) if raw.body.strip() else None
        except (ValueError, RecursionError):
            return None

    @staticmethod
    def _html(raw: _Raw) -> bool:
        ctype = raw.headers.get("content-type", "").lower()
        head = raw.body.lstrip()[:64].lower()
        return "html" in ctype or head.startswith((b"<!doctype", b"<html")) or (
            head.startswith(b"<") and "json" not in ctype)

    def _json(self, raw: _Raw) -> Any:
        if self._html(raw):
            raise self._err(E.HTMLResponseError, raw.method, raw.path, status=raw.status)
        if not raw.body.strip():
            raise self._err(E.InvalidJSONError, raw.method, raw.path, "empty body", status=raw.status)
        try:
            text = raw.body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise self._err(
                E.InvalidJSONError, raw.method, raw.path, f"not UTF-8 at byte {exc.start}", status=raw.status
            ) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            truncated = exc.pos >= len(text.rstrip()) or _looks_truncated(text)
            why = f"truncated after {len(raw.body)} bytes" if truncated else f"{exc.msg} at byte {exc.pos}"
            raise self._err(E.InvalidJSONError, raw.method, raw.path, why, status=raw.status) from None
        except (RecursionError, ValueError):
            raise self._err(
                E.InvalidJSONError,
                raw.method,
                raw.path,
                "nested too deeply or numbers too long",
                status=raw.status,
            ) from None

    def _raise_for_status(self, raw: _Raw) -> None:
        status, method, path = raw.status, raw.method, raw.path
        if 300 <= status < 400:
            location = raw.headers.get("location", "")
            target = ""
            if location:
                try:
                    loc = httpx.URL(location)
                    target = f"to {loc.scheme + '://' if loc.scheme else ''}{loc.host}{loc.path}"
                except (httpx.InvalidURL, ValueError):
                    target = "to an invalid Location"
            raise self._err(E.RedirectError, method, path, f"{status} {target}".strip(), status=status)
        simple: dict[int, type[E.ProfitError]] = {
            401: E.AuthenticationError,
            403: E.IPRestrictedError,
            404: E.NotFoundError,
            413: E.RequestTooLargeError,
        }
        if status in simple:
            detail = ""
            if status == 401 and isinstance(self._credentials, ClassicCredentials):
                detail = "check the classic token (expired, revoked, or for another environment?)"
            elif status == 401:
                detail = "the access token was refused even after re-authenticating"
            raise self._err(simple[status], method, path, detail, status=status)
        body = self._maybe_json(raw)
        if status == 500:
            kw: dict[str, Any] = {}
            detail = ""
            if isinstance(body, dict):
                msg = body.get("externalMessage")
                num = body.get("errorNumber")
                ref = body.get("profitLogReference")
                kw["external_message"] = msg if isinstance(msg, str) else None
                kw["error_number"] = num if isinstance(num, int) and not isinstance(num, bool) else None
                kw["profit_log_reference"] = ref if isinstance(ref, str) else None
            else:
                detail = "(no AFAS error body)"
            raise self._err(E.ProfitServerError, method, path, detail, status=status, **kw)
        if status == 503:
            message = ""
            if isinstance(body, dict) and isinstance(body.get("error"), dict):
                m = body["error"].get("message")
                message = m if isinstance(m, str) else ""
            raise self._err(
                E.ServiceUnavailableError,
                method,
                path,
                message,
                status=status,
                retry_after=parse_retry_after(body, raw.headers),
            )
        kind = "HTML page" if b"<html" in raw.body[:512].lower() else ""
        raise self._err(E.HTTPStatusError, method, path, f"HTTP {status} {kind}".strip(), status=status)


def _looks_truncated(text: str) -> bool:
    """True if ``text`` ends inside a string or with unclosed brackets (a cut-off document)."""
    depth = 0
    in_string = escape = False
    for ch in text:
        if in_string:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth < 0:
                return False
    return in_string or depth > 0


def _transport_detail(exc: BaseException) -> str:
    name = type(exc).__name__
    text = str(exc).strip()
    if not text:
        cause = exc.__cause__ or exc.__context__
        text = str(cause).strip() if cause else ""
    return f"{name}: {text}" if text else name


def _is_tls_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError | ssl.CertificateError):
            return True
        text = str(current)
        if "CERTIFICATE_VERIFY_FAILED" in text or "[SSL" in text or "WRONG_VERSION_NUMBER" in text:
            return True
        current = current.__cause__ or current.__context__
    return False


class SyncProfitClient:
    """Blocking wrapper around :class:`ProfitClient` (its own event loop; not inside a running loop)."""

    def __init__(self, env: EnvironmentConfig, app_connector: AppConnectorConfig, **kwargs: Any) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError(
                "SyncProfitClient cannot be used inside a running event loop; use ProfitClient"
            )
        self._loop = asyncio.new_event_loop()
        self._client = ProfitClient(env, app_connector, **kwargs)

    def _run(self, aw: Awaitable[T]) -> T:
        return self._loop.run_until_complete(aw)

    def __enter__(self) -> SyncProfitClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if not self._loop.is_closed():
            self._run(self._client.aclose())
            self._loop.close()

    @property
    def client(self) -> ProfitClient:
        return self._client

    def metainfo(self) -> dict[str, Any]:
        return self._run(self._client.metainfo())

    def get_metainfo(self, connector_id: str) -> dict[str, Any]:
        return self._run(self._client.get_metainfo(connector_id))

    def update_metainfo(self, connector_id: str) -> dict[str, Any]:
        return self._run(self._client.update_metainfo(connector_id))

    def profit_version(self) -> str:
        return self._run(self._client.profit_version())

    def get_rows(
        self,
        connector_id: str,
        *,
        skip: int = 0,
        take: int = 100,
        order_by: Sequence[str],
        filters: FilterSpec | None = None,
    ) -> dict[str, Any]:
        return self._run(
            self._client.get_rows(connector_id, skip=skip, take=take, order_by=order_by, filters=filters)
        )

    def iter_rows(
        self,
        connector_id: str,
        *,
        order_by: Sequence[str],
        filters: FilterSpec | None = None,
        page_size: int = 100,
        max_rows: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        agen = self._client.iter_rows(
            connector_id, order_by=order_by, filters=filters, page_size=page_size, max_rows=max_rows
        )
        try:
            while True:
                try:
                    yield self._run(agen.__anext__())
                except StopAsyncIteration:
                    return
        finally:
            self._run(agen.aclose())

    def authenticate(self) -> AuthInfo:
        return self._run(self._client.authenticate())
