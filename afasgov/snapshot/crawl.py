"""Crawl AFAS Profit environments into the canonical model, concurrently and within AFAS's limits.

Per environment (:func:`crawl_environment`):

1. ``/metainfo`` for every configured App Connector and ``/profitversion`` (in parallel);
2. ``/metainfo/get/{id}`` and ``/metainfo/update/{id}`` once for the union of the authorised
   connectors (each through the first App Connector, by name, that is authorised for it), and the
   rows of ``ProfitGetConnectoren`` (blocked flags) where an App Connector is authorised for it.

Every request goes through the client's limiter: at most 8 in flight per environment, and, for
fleets, under a global cap shared by all environments of the run (:class:`CrawlSettings`).

The window of 8 stays full from the first request to the last (issue 15 §5): a connector is
requested as soon as the first App Connector listing it has answered (no barrier between phases),
and CPU work on a response (parsing, normalising, rendering YAML, writing the file) waits until
the request that took over its slot is on the wire (:meth:`~afasgov.profit.limits.Limiter.
wire_idle`), one response at a time. What processing needs (the model, the normaliser, the tree
writer) is imported once the first requests are out, not before: the first request leaves as soon
as the configuration is read. When the environment has a snapshot already (a refresh, the usual
case), the slots ``/metainfo`` leaves free go to its connectors at once, through the App Connector
that listed them then (:meth:`_EnvironmentCrawl._prefetch`): a connector the new
``/metainfo`` does not list is dropped (its request cancelled, or its answer or failure ignored), one
listed through another App Connector is kept (metainfo of a connector is the environment's), one
whose speculative request failed is requested again through an App Connector that lists it now.
The tree is the same as without the head start. The
client retries 503 and transport failures; the crawl gives each read-only metainfo request up to
``attempts`` attempts for transient failures: a 500, an HTML error page or truncated JSON, and —
once the environment has answered a request — a 503 (``retry_after`` within the client's give-up
limit) or a transport failure that outlasted the client's tries. Crawl-level retries are bounded
per request and per run (a budget per environment, see :class:`CrawlSettings`), with backoff. A
request that keeps failing fails its environment with a :class:`CrawlError` naming the
environment, the App Connector and the connector (exit 3): nothing is silently skipped.

:func:`snapshot_environments` crawls many environments (a fleet: many tenants, each with its own
environments and credentials) in parallel and writes each tree as soon as it is complete; one
environment failing never loses the others' snapshots.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import Awaitable, Callable, Collection, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx

from afasgov import __version__
from afasgov.config.sources import git_states
from afasgov.errors import AfasgovError, InputError, RemoteError
from afasgov.profit import errors as E
from afasgov.profit.client import ProfitClient
from afasgov.profit.credentials import load_all_credentials
from afasgov.profit.limits import Limiter, LimiterRegistry
from afasgov.profit.retry import RetryPolicy

if TYPE_CHECKING:
    from afasgov.config import AppConnectorConfig, EnvironmentConfig
    from afasgov.model.normalise import Tolerances
    from afasgov.model.types import AppConnectorScope, EnvironmentSnapshot, GetConnector, UpdateConnector
    from afasgov.snapshot.tree import TreeChanges, TreeWriter

T = TypeVar("T")

PROFIT_GET_CONNECTOREN = "ProfitGetConnectoren"
#: attempts per request at the crawl level (each attempt includes the client's own retries).
DEFAULT_ATTEMPTS = 4
#: the crawl-level retry budget per environment and run: this many + this share of the requests
DEFAULT_RUN_RETRIES = 16
DEFAULT_RUN_RETRIES_PER_REQUEST = 0.25
#: default cap on requests in flight over all environments of one run.
DEFAULT_MAX_IN_FLIGHT_TOTAL = 64
#: environments crawled at the same time (bounds memory in fleets; requests are capped anyway).
DEFAULT_PARALLEL_ENVIRONMENTS = 16

#: event-loop turns the crawl waits, at most, for its first requests to reach the wire before it
#: imports what processing their answers needs (see :meth:`_EnvironmentCrawl._import_processing`)
TURNS_BEFORE_IMPORTS = 64

TransportFactory = Callable[["EnvironmentConfig", "AppConnectorConfig"], httpx.AsyncBaseTransport | None]


class ShrinkError(RemoteError):
    """The new snapshot would lose more than ``max_connector_loss`` of the environment's connectors
    at once (exit 3, the previous tree kept; ``snapshot --allow-shrink`` accepts it)."""


class DeadlineError(RemoteError):
    """The environment's snapshot did not finish within ``environment_deadline_seconds`` (exit 3)."""


def previous_connector_count(tree: Path) -> int:
    """How many get and update connector files the existing tree ``tree`` has (0 if none)."""
    count = 0
    for sub in ("get", "update"):
        with suppress(OSError):
            count += sum(1 for name in os.listdir(tree / sub) if name.endswith(".yaml") and not name.startswith("."))
    return count


def check_shrink(env: str, before: int, after: int, share: float | None, allow: bool) -> None:
    """:class:`ShrinkError` when ``after`` connectors lose more than ``share`` of ``before``."""
    if share is None or allow or before == 0:
        return
    lost = before - after
    if lost > 0 and lost / before > share:
        raise ShrinkError(
            f"environment {env!r}: the new snapshot has {after} connectors where the previous one has "
            f"{before} ({lost / before:.0%} lost, more than max_connector_loss {share:.0%}): refused, previous "
            "snapshot kept (if the connectors really went away, run 'afasgov snapshot --allow-shrink')"
        )


class CrawlError(RemoteError):
    """A request kept failing: names environment, App Connector and connector; exit code of the cause."""

    def __init__(self, message: str, *, environment: str, connector: str | None, cause: AfasgovError) -> None:
        self.environment = environment
        self.connector = connector
        self.cause = cause
        self.exit_code = cause.exit_code
        super().__init__(message)


@dataclass
class CrawlSettings:
    """How to crawl: limits, retries, transports (tests), progress callbacks."""

    #: attempts per request at the crawl level (each includes the client's own tries)
    attempts: int = DEFAULT_ATTEMPTS
    #: the client's retry policy (503 / transport failures; None = the client's default); its
    #: backoff, sleep (injectable: tests never wait) and give-up limit serve the crawl level too
    retry: RetryPolicy | None = None
    #: a transport per (environment, App Connector): tests use ``httpx.ASGITransport``
    transport_factory: TransportFactory | None = None
    #: one request at a time per environment (the baseline of the benchmark)
    sequential: bool = False
    #: requests in flight over all environments of the run
    max_in_flight_total: int | None = DEFAULT_MAX_IN_FLIGHT_TOTAL
    #: environments crawled at once
    parallel_environments: int = DEFAULT_PARALLEL_ENVIRONMENTS
    #: crawl-level retries per environment and run: ``run_retries`` + ``run_retries_per_request`` ×
    #: the requests planned so far
    run_retries: int = DEFAULT_RUN_RETRIES
    run_retries_per_request: float = DEFAULT_RUN_RETRIES_PER_REQUEST
    #: called with (environment, what, error, attempt) before each crawl-level retry
    on_retry: Callable[[str, str, AfasgovError, int], None] | None = None
    #: called with (environment, number of requests planned so far) / (environment) per finished request
    on_planned: Callable[[str, int], None] | None = None
    on_done: Callable[[str], None] | None = None
    #: called with each environment's result as soon as it is complete (its tree written or its failure
    #: known), in the crawl's event loop; it may take the snapshot and files (``keep``) out of the result
    on_result: Callable[[EnvironmentResult], None] | None = None
    #: the limiter registry of this run (created from ``max_in_flight_total`` when None)
    registry: LimiterRegistry | None = None
    #: the base URL recorded in ``_snapshot.yaml`` (default: the environment's, without user info,
    #: query or fragment); the demo generator records the simulator's logical URL instead
    public_base_url: Callable[[EnvironmentConfig], str] | None = None
    #: read the metainfo of only these GetConnectors (ids, case-insensitive; None: all); ``afasgov
    #: verify`` reads the connectors it has definitions for
    only_get: Collection[str] | None = None
    #: read UpdateConnectors' metainfo (``afasgov verify`` needs none)
    update_metainfo: bool = True
    #: GetConnectors whose metainfo may answer 500 (AFAS does for blocked connectors): recorded as
    #: unreadable instead of failing the crawl
    lenient_get: Collection[str] = ()
    #: the clock for ``taken_at`` (tests)
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    #: refuse a snapshot that loses more than this share of an environment's connectors at once
    #: (``max_connector_loss`` of afasgov.yaml; ``None``: no check)
    max_connector_loss: float | None = None
    #: ``snapshot --allow-shrink``: accept such a loss
    allow_shrink: bool = False
    #: read every environment's secrets before the first request, all problems in one error (a fleet
    #: sets False: a tenant whose secret is missing fails alone, the others are crawled)
    all_secrets_first: bool = True

    def limiter_for(self, env: EnvironmentConfig) -> Limiter:
        if self.registry is None:
            self.registry = LimiterRegistry(self.max_in_flight_total)
        if self.sequential:
            return Limiter(f"{env.name} (sequential)", 1, parent=self.registry.global_limiter)
        return self.registry.for_env(env.name, env.max_in_flight, base_url=env.base_url)


#: retried by the crawl: a 500 (out of memory, timeout, a hiccup) and answers that are not the JSON
#: promised (an HTML error page of a proxy, truncated JSON).
_TRANSIENT: tuple[type[BaseException], ...] = (E.ProfitServerError, E.BadResponseError)
#: retried by the crawl once the environment has answered a request (it is up, the failures are
#: intermittent): a 503 and a transport failure that outlasted the client's own retries.
_INTERMITTENT: tuple[type[BaseException], ...] = (E.ServiceUnavailableError, E.TransportError)
#: never retried by the crawl: a body over the cap, a TLS failure (certificate or handshake: it will
#: not change), a time-out (the client already waited the full time-out on each of its tries)
_FATAL: tuple[type[BaseException], ...] = (E.ResponseTooLargeError, E.TLSError, E.TimeoutError_)


#: (kind, connector id, SHA-256 of a ``/metainfo/{kind}/{id}`` answer's bytes) → the connector normalised
#: from it, for every environment the process crawls: a fleet's tenants mostly answer alike (one Profit
#: release), so each distinct answer is decoded and normalised once, and the (frozen) connector shared.
#: Only answers normalised without a tolerance note are kept (a note names its environment).
_NORMALISED: dict[tuple[str, str, bytes], Any] = {}
_NORMALISED_MAX = 1024


class _Answer:
    """The look-up of one answer in :data:`_NORMALISED`: the connector made of the same bytes before, or
    None (then the key to keep the new one under)."""

    def __init__(self, kind: str, cid: str) -> None:
        self.kind, self.cid = kind, cid
        self.key: tuple[str, str, bytes] | None = None

    def __call__(self, body: bytes) -> Any:
        self.key = (self.kind, self.cid, hashlib.sha256(body).digest())
        return _NORMALISED.get(self.key)

    def keep(self, conn: Any) -> None:
        if self.key is not None:
            if len(_NORMALISED) >= _NORMALISED_MAX:
                _NORMALISED.clear()
            _NORMALISED[self.key] = conn


def _processing_modules() -> None:
    """Import what turning responses into a tree needs (~50 ms; see ``_import_processing``)."""
    import afasgov.model.normalise
    import afasgov.snapshot.tree  # noqa: F401


def public_url(url: str) -> str:
    """The base URL without user info, query or fragment (never a secret in ``_snapshot.yaml``)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


class _EnvironmentCrawl:
    def __init__(
        self,
        env: EnvironmentConfig,
        settings: CrawlSettings,
        make_writer: Callable[[], TreeWriter] | None = None,
        previous: Path | None = None,
    ) -> None:
        self.env = env
        self.settings = settings
        #: the environment's existing tree: its App Connectors' scopes start the crawl (``_prefetch``)
        self.previous = previous
        #: (kind, id) → task of a speculative request not confirmed by ``/metainfo`` yet
        self._speculative: dict[tuple[str, str], asyncio.Future[Any]] = {}
        #: (kind, id) → a confirmed speculative answer waiting to be stored; or the failure of one
        self._early: dict[tuple[str, str], Any] = {}
        self._early_failed: dict[tuple[str, str], AfasgovError] = {}
        self._metainfo_left = 0
        self._blocked_started = False
        self._tolerances: Tolerances | None = None
        #: the tree writer, made when the first file is to be written (``make_writer``)
        self.make_writer = make_writer
        self.writer: TreeWriter | None = None
        self.clients: dict[str, ProfitClient] = {}
        self.requests = 0
        #: requests that succeeded / crawl-level retries taken (from the run's budget)
        self.succeeded = 0
        self.retries = 0
        #: blocked flags from ProfitGetConnectoren (set by a task during the crawl)
        self.flags: dict[str, bool] | None = None
        #: GetConnectors of ``lenient_get`` whose metainfo answered 500: id -> why
        self.unreadable: dict[str, str] = {}
        only = settings.only_get
        self._only_get = None if only is None else {c.lower() for c in only}
        self._lenient = {c.lower() for c in settings.lenient_get}

    def _planned(self, n: int) -> None:
        self.requests += n
        if self.settings.on_planned is not None:
            self.settings.on_planned(self.env.name, n)

    def _done(self) -> None:
        if self.settings.on_done is not None:
            self.settings.on_done(self.env.name)

    async def _fetch(self, what: str, app: str, call: Callable[[], Awaitable[T]], *, attempts: int = 0) -> T:
        """One request with crawl-level attempts; a :class:`CrawlError` when it keeps failing.

        Bounded per request (``attempts``, each including the client's own retries) and per run
        (the retry budget of :meth:`_may_retry`); backoff between attempts with the retry policy's
        (injectable) sleep."""
        attempts = max(1, attempts or self.settings.attempts)
        retry = self.settings.retry or RetryPolicy()
        attempt = 0
        while True:
            attempt += 1
            try:
                result = await call()
            except _FATAL as exc:
                raise self._failure(what, app, exc, attempt) from None  # type: ignore[arg-type]
            except RemoteError as exc:  # 401, 403, 404, OAuth refusals are never retried
                if not self._retryable(exc, retry) or attempt >= attempts:
                    raise self._failure(what, app, exc, attempt) from None
                if not self._may_retry():
                    raise self._failure(what, app, exc, attempt, budget=True) from None
                if self.settings.on_retry is not None:
                    self.settings.on_retry(self.env.name, what, exc, attempt)
                await retry.sleep(self._delay(exc, retry, attempt))
                continue
            self.succeeded += 1
            self._done()
            return result

    @property
    def tolerances(self) -> Tolerances:
        if self._tolerances is None:
            from afasgov.model.normalise import Tolerances

            self._tolerances = Tolerances()
        return self._tolerances

    async def _turn(self) -> None:
        """Before CPU work on a response: one turn of the event loop (responses that have arrived
        get read), then wait until every request holding a slot is on the wire. The client did the
        same before parsing; this spaces out the processing of responses that came in together,
        so the requests their answers free go out between them, not after all of them."""
        await asyncio.sleep(0)
        await self.limiter.wire_idle()

    async def _import_processing(self) -> None:
        """Import the normaliser and tree writer once the first requests are on the wire (they are
        not needed before the first answer): the first request leaves ~50 ms sooner. Then start the
        connectors of the previous snapshot (:meth:`_prefetch`)."""
        root = self.limiter.root
        for _ in range(TURNS_BEFORE_IMPORTS):
            await asyncio.sleep(0)
            if root.in_flight and not root.unsent:
                break
        _processing_modules()
        if self.previous is not None and self._metainfo_left:
            self._prefetch(self.previous)

    def _prefetch(self, tree: Path) -> None:
        """Request, speculatively, the connectors the previous snapshot's App Connectors listed
        (through the first of them still configured: classic tokens first, then by name), while
        ``/metainfo`` is on its way."""
        from afasgov.snapshot.tree import previous_scopes

        try:
            scopes = previous_scopes(tree)
        except (AfasgovError, OSError, ValueError):
            return  # only a head start: without it the crawl is the same
        before = len(self._pending)
        # only the slots /metainfo leaves free (an environment that answers nothing costs a handful of
        # requests, not one per connector): /metainfo schedules the rest as soon as it answers
        head = max(0, self.limiter.max_in_flight - self.limiter.in_flight)
        # App Connectors with a classic token first: an OAuth one needs an access token (a round) first
        auth = {name: ac.auth.type for name, ac in self.env.app_connectors.items()}
        for app in sorted(scopes, key=lambda name: (auth.get(name) != "classic", name)):
            if app not in self.env.app_connectors:
                continue
            for kind, ids in scopes[app].items():
                table = self.get_via if kind == "get" else self.update_via
                if kind == "update" and not self.settings.update_metainfo:
                    continue
                for cid in ids:
                    if head <= 0:
                        break
                    if kind == "get" and self._only_get is not None and cid.lower() not in self._only_get:
                        continue
                    if cid in table or self._lower[kind].setdefault(cid.lower(), cid) != cid:
                        continue
                    table[cid] = app
                    task = asyncio.ensure_future(self._speculate(kind, cid, app))
                    head -= 1
                    self._pending.add(task)
                    self._speculative[(kind, cid)] = task
        self._planned(len(self._pending) - before)

    async def _speculate(self, kind: str, cid: str, app: str) -> None:
        """A speculative request: its answer is kept for when ``/metainfo`` confirms the connector;
        a failure is kept too, not raised (the connector may be gone)."""
        try:
            # one attempt: a connector that went away answers 500, which is not worth retrying
            await (self._get(cid, app, 1) if kind == "get" else self._update(cid, app, 1))
        except AfasgovError as exc:
            if (kind, cid) in self._speculative:
                self._early_failed[(kind, cid)] = exc
            else:  # confirmed meanwhile: request it again through the App Connector that lists it now
                self._retry_confirmed(kind, cid)

    def _confirm(self, kind: str, cid: str, via: str) -> None:
        """``/metainfo`` lists a connector that was requested speculatively."""
        task = self._speculative.pop((kind, cid), None)
        if task is None:
            return
        table = self.get_via if kind == "get" else self.update_via
        table[cid] = via
        if kind == "get" and cid == PROFIT_GET_CONNECTOREN:
            self._start_blocked(via)
        if (kind, cid) in self._early_failed:
            del self._early_failed[(kind, cid)]
            self._retry_confirmed(kind, cid)
        elif (kind, cid) in self._early:
            self._store(kind, cid, self._early.pop((kind, cid)))

    def _retry_confirmed(self, kind: str, cid: str) -> None:
        via = (self.get_via if kind == "get" else self.update_via)[cid]
        self._planned(1)
        self._spawn(self._get(cid, via) if kind == "get" else self._update(cid, via))

    def _metainfo_complete(self) -> None:
        """Every ``/metainfo`` is in: what none lists is not in the environment (any more)."""
        for (kind, cid), task in list(self._speculative.items()):
            task.cancel()
            table = self.get_via if kind == "get" else self.update_via
            table.pop(cid, None)
            if self._lower[kind].get(cid.lower()) == cid:
                del self._lower[kind][cid.lower()]
            self._planned(-1)
        self._speculative.clear()
        self._early.clear()
        self._early_failed.clear()

    def _start_blocked(self, via: str) -> None:
        if not self._blocked_started:
            self._blocked_started = True
            self._planned(1)
            self._spawn(self._blocked(via))

    def _store(self, kind: str, cid: str, conn: Any) -> None:
        if kind == "get":
            self.gets[cid] = conn
            return
        self.updates[cid] = conn
        writer = self._writer()
        if writer is not None:
            writer.add_update(conn)

    def _writer(self) -> TreeWriter | None:
        if self.writer is None and self.make_writer is not None:
            self.writer = self.make_writer()
        return self.writer

    def _retryable(self, exc: RemoteError, retry: RetryPolicy) -> bool:
        if isinstance(exc, _TRANSIENT):
            return True
        if not isinstance(exc, _INTERMITTENT) or not self.succeeded:
            return False  # nothing has answered yet: unreachable or down, fail promptly
        if isinstance(exc, E.ServiceUnavailableError) and exc.retry_after is not None:
            return exc.retry_after <= retry.give_up_after  # else a maintenance window
        return True

    def _may_retry(self) -> bool:
        """Take one retry from the run's budget; False when it is spent."""
        s = self.settings
        budget = max(0, s.run_retries) + int(max(0.0, s.run_retries_per_request) * self.requests)
        if self.retries >= budget:
            return False
        self.retries += 1
        return True

    @staticmethod
    def _delay(exc: RemoteError, retry: RetryPolicy, attempt: int) -> float:
        delay = retry.backoff(attempt)
        if isinstance(exc, E.ServiceUnavailableError) and exc.retry_after is not None:
            delay = max(delay, min(exc.retry_after, retry.retry_after_cap))
        return delay

    def _failure(
        self, what: str, app: str, exc: AfasgovError, attempts: int, *, budget: bool = False
    ) -> CrawlError:
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        if budget:
            tries += f" (the run's retry budget of {self.retries} crawl-level retries is spent)"
        return CrawlError(
            f"environment {self.env.name!r}: {what} (via App Connector {app!r}) failed{tries}: {exc}",
            environment=self.env.name,
            connector=what,
            cause=exc,
        )

    def _client(self, name: str) -> ProfitClient:
        client = self.clients.get(name)
        if client is None:
            app = self.env.app_connectors[name]
            factory = self.settings.transport_factory
            client = ProfitClient(
                self.env,
                app,
                transport=factory(self.env, app) if factory else None,
                limiter=self.limiter,
                retry=self.settings.retry,
            )
            self.clients[name] = client
        return client

    async def run(self) -> EnvironmentSnapshot:
        env = self.env
        if not env.app_connectors:
            raise AfasgovError(f"environment {env.name!r} has no App Connectors configured")
        self.limiter = self.settings.limiter_for(env)
        names = sorted(env.app_connectors)
        try:
            for name in names:  # credentials are read here: a missing secret fails before any request
                self._client(name)
            return await self._crawl(names)
        finally:
            await asyncio.gather(*(c.aclose() for c in self.clients.values()), return_exceptions=True)

    # A connector is read as soon as the first App Connector listing it has answered /metainfo
    # (no barrier between the phases: the window of 8 requests stays full). Which App Connector
    # reads it does not change the result: metainfo of a connector is the environment's.
    def _spawn(self, coro: Awaitable[Any]) -> None:
        self._pending.add(asyncio.ensure_future(coro))

    async def _drain(self) -> None:
        """Wait for every task (tasks may add tasks); on the first failure cancel the rest, re-raise."""
        try:
            while self._pending:
                done, _ = await asyncio.wait(self._pending, return_when=asyncio.FIRST_EXCEPTION)
                for task in done:
                    self._pending.discard(task)
                    if not task.cancelled() and task.exception() is not None:
                        raise task.exception()  # type: ignore[misc]
        except BaseException:
            for task in self._pending:
                task.cancel()
            await asyncio.gather(*self._pending, return_exceptions=True)
            self._pending.clear()
            raise

    def _schedule(self, kind: str, cid: str, via: str) -> None:
        table = self.get_via if kind == "get" else self.update_via
        if cid in table:
            self._confirm(kind, cid, via)
            return
        other = self._lower[kind].setdefault(cid.lower(), cid)
        if other != cid and (kind, other) in self._speculative:
            self._lower[kind][cid.lower()] = other = cid  # the previous snapshot's spelling: dropped at the end
        if other != cid:
            raise AfasgovError(
                f"environment {self.env.name!r}: {kind} connectors {other!r} and {cid!r} differ "
                "only in case (AFAS ids are case-insensitive)"
            )
        table[cid] = via
        if kind == "get":
            if self._only_get is None or cid.lower() in self._only_get:
                self._planned(1)
                self._spawn(self._get(cid, via))
            if cid == PROFIT_GET_CONNECTOREN:
                self._start_blocked(via)
        elif self.settings.update_metainfo:
            self._planned(1)
            self._spawn(self._update(cid, via))

    async def _app(self, name: str) -> None:
        raw = await self._fetch("/metainfo", name, self._client(name).metainfo)
        from afasgov.model.normalise import normalise_metainfo

        auth = self.env.app_connectors[name].auth
        scope = normalise_metainfo(
            raw,
            environment=self.env.name,
            app_connector=name,
            auth_type=auth.label,
            tolerances=self.tolerances,
        )
        self.scopes[name] = scope
        for ref in scope.get_connectors:
            self._schedule("get", ref.id, name)
        for ref in scope.update_connectors:
            self._schedule("update", ref.id, name)
        self._metainfo_left -= 1
        if not self._metainfo_left:
            self._metainfo_complete()

    async def _version(self, name: str) -> None:
        self.version = await self._fetch("/profitversion", name, self._client(name).profit_version)

    async def _crawl(self, names: list[str]) -> EnvironmentSnapshot:
        env = self.env
        self._pending: set[asyncio.Future[Any]] = set()
        self.scopes: dict[str, AppConnectorScope] = {}
        self.get_via: dict[str, str] = {}
        self.update_via: dict[str, str] = {}
        self._lower: dict[str, dict[str, str]] = {"get": {}, "update": {}}
        self.gets: dict[str, GetConnector] = {}
        self.updates: dict[str, UpdateConnector] = {}
        self.version = ""
        self._planned(len(names) + 1)
        self._metainfo_left = len(names)
        self._spawn(self._version(names[0]))
        for name in names:
            self._spawn(self._app(name))
        self._spawn(self._import_processing())
        await self._drain()
        from afasgov.model.types import EnvironmentSnapshot, GetConnector, SnapshotMeta

        tol = self.tolerances

        gets = self.gets
        flags = self._flags()
        if flags is not None:
            for cid, conn in gets.items():
                if cid in flags:
                    gets[cid] = GetConnector(conn.id, conn.description, conn.fields, blocked=flags[cid])
                else:
                    tol.note(
                        f"environment {env.name!r}: get connector {cid!r} is not listed in "
                        f"{PROFIT_GET_CONNECTOREN} (blocked unknown)"
                    )
        else:
            tol.note(
                f"environment {env.name!r}: no App Connector is authorised for {PROFIT_GET_CONNECTOREN}; "
                "blocked flags are unknown"
            )
        scopes = {n: self.scopes[n] for n in names}
        envids = sorted({s.envid for s in scopes.values() if s.envid})
        if len(envids) > 1:
            tol.note(f"environment {env.name!r}: App Connectors report different envids: {', '.join(envids)}")
        envid = next((scopes[n].envid for n in names if scopes[n].envid), "")
        return EnvironmentSnapshot(
            name=env.name,
            type=env.type,
            tenant=env.tenant,
            profit_version=str(self.version),
            envid=envid,
            language=env.language,
            app_connectors=scopes,
            get_connectors={k: gets[k] for k in sorted(gets)},
            update_connectors={k: self.updates[k] for k in sorted(self.updates)},
            meta=SnapshotMeta(
                taken_at=self.settings.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
                afasgov_version=__version__,
                base_url=(
                    self.settings.public_base_url(env)
                    if self.settings.public_base_url is not None
                    else public_url(env.base_url)
                ),
                language=env.language,
                warnings=tol.lines(),
            ),
        )

    def _flags(self) -> dict[str, bool] | None:
        return self.flags

    def _normalised(self, kind: str, cid: str, raw: Any, answer: _Answer) -> Any:
        """The connector of a ``/metainfo/{kind}/{cid}`` answer: the one :data:`_NORMALISED` holds for the
        same bytes, else normalised (and kept there when that noted no tolerance)."""
        if not isinstance(raw, dict):
            return raw
        from afasgov.model.normalise import Tolerances, normalise_get, normalise_update

        normalise = normalise_get if kind == "get" else normalise_update
        noted = Tolerances()
        conn = normalise(raw, environment=self.env.name, connector=cid, tolerances=noted)
        if len(noted):
            self.tolerances.absorb(noted)
        else:
            answer.keep(conn)
        return conn

    async def _get(self, cid: str, via: str, attempts: int = 0) -> None:
        answer = _Answer("get", cid)
        try:
            raw = await self._fetch(
                f"get connector {cid}", via, lambda: self._client(via).metainfo_answer("get", cid, answer),
                attempts=attempts,
            )
        except CrawlError as exc:
            if cid.lower() in self._lenient and isinstance(exc.cause, E.ProfitServerError):
                self.unreadable[cid] = f"/metainfo/get answered {exc.cause} (blocked connectors answer 500)"
                return
            raise
        await self._turn()
        conn = self._normalised("get", cid, raw, answer)
        self._done_connector("get", cid, conn)

    async def _update(self, cid: str, via: str, attempts: int = 0) -> None:
        answer = _Answer("update", cid)
        raw = await self._fetch(
            f"update connector {cid}", via, lambda: self._client(via).metainfo_answer("update", cid, answer),
            attempts=attempts,
        )
        await self._turn()
        conn = self._normalised("update", cid, raw, answer)
        if (("update", cid) not in self._speculative) and self._writer() is not None:
            await self._turn()  # render while other requests are in flight
        self._done_connector("update", cid, conn)

    def _done_connector(self, kind: str, cid: str, conn: Any) -> None:
        if (kind, cid) in self._speculative:
            self._early[(kind, cid)] = conn  # stored when /metainfo confirms it
        else:
            self._store(kind, cid, conn)

    async def _blocked(self, via: str) -> None:
        client = self._client(via)

        async def rows() -> list[Any]:
            return [
                row
                async for row in client.iter_rows(PROFIT_GET_CONNECTOREN, order_by=["Naam"], page_size=1000)
            ]

        data = await self._fetch(f"rows of {PROFIT_GET_CONNECTOREN}", via, rows)
        await self._turn()
        from afasgov.model.normalise import blocked_flags

        self.flags = blocked_flags(data, environment=self.env.name)


@dataclass
class Crawled:
    """One environment as the crawl read it (nothing written): the snapshot, the requests it planned, the
    GetConnectors of ``lenient_get`` whose metainfo could not be read, and the blocked flags of every
    GetConnector (``ProfitGetConnectoren``; None when no App Connector may read it)."""

    snapshot: EnvironmentSnapshot
    requests: int
    unreadable: dict[str, str]
    blocked: dict[str, bool] | None
    #: crawl-level retries taken (each one more request)
    retries: int = 0


async def crawl(env: EnvironmentConfig, settings: CrawlSettings | None = None) -> Crawled:
    """Crawl one environment (see :class:`CrawlSettings` for reading a part of it)."""
    run = _EnvironmentCrawl(env, settings or CrawlSettings())
    snapshot = await run.run()
    return Crawled(snapshot, run.requests, dict(run.unreadable), run.flags, run.retries)


async def crawl_environment(
    env: EnvironmentConfig, settings: CrawlSettings | None = None
) -> EnvironmentSnapshot:
    """Crawl one environment into an :class:`EnvironmentSnapshot` (nothing is written)."""
    return (await crawl(env, settings)).snapshot


@dataclass
class EnvironmentResult:
    """The outcome of one environment in :func:`snapshot_environments`."""

    environment: str
    tenant: str
    type: str
    ok: bool = False
    error: AfasgovError | None = None
    path: Path | None = None
    app_connectors: int = 0
    get_connectors: int = 0
    update_connectors: int = 0
    fields: int = 0
    requests: int = 0
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    #: ``<definitions_dir>/<environment>/`` existed before the run (a failure keeps it as it was)
    had_previous: bool = False
    #: with ``keep``: the snapshot and its tree's files (relative path → bytes), for the caller's workspace
    snapshot: EnvironmentSnapshot | None = None
    files: dict[str, bytes] | None = None
    #: crawl-level retries taken (from the run's budget)
    retries: int = 0
    #: what the written tree changed in the previous one (``None`` when nothing was written)
    changes: TreeChanges | None = None

    @property
    def exit_code(self) -> int:
        return 0 if self.ok or self.error is None else self.error.exit_code


async def snapshot_environments(
    envs: Iterable[EnvironmentConfig],
    definitions_dir: Path,
    settings: CrawlSettings | None = None,
    *,
    keep: bool = False,
) -> list[EnvironmentResult]:
    """Crawl and write each environment's tree; every environment gets a result, failed or not. With
    ``keep`` each result also holds the snapshot and the files written (release-check hands them to its
    workspace instead of reading them back); without, they are dropped at once (fleets)."""
    settings = settings or CrawlSettings()
    env_list = list(envs)
    gate = asyncio.Semaphore(max(1, settings.parallel_environments))
    created = _missing_dirs(Path(definitions_dir))

    async def one(env: EnvironmentConfig) -> EnvironmentResult:
        result = EnvironmentResult(environment=env.name, tenant=env.tenant, type=env.type)
        with suppress(OSError, ValueError):
            result.had_previous = (Path(definitions_dir) / env.name).is_dir()
        async with gate:
            start = time.perf_counter()

            def make_writer() -> TreeWriter:
                from afasgov.snapshot.tree import TreeWriter

                return TreeWriter(definitions_dir, env.name, keep=keep)

            previous = Path(definitions_dir) / env.name if result.had_previous else None
            crawl = _EnvironmentCrawl(env, settings, make_writer, previous=previous)
            target = Path(definitions_dir) / env.name
            before = previous_connector_count(target) if result.had_previous else 0
            deadline = env.environment_deadline_seconds
            try:
                try:
                    try:
                        async with asyncio.timeout(deadline):
                            snapshot = await crawl.run()
                    except TimeoutError:
                        raise DeadlineError(
                            f"environment {env.name!r}: the snapshot did not finish within {deadline:g} s "
                            "(environment_deadline_seconds)"
                        ) from None
                    check_shrink(env.name, before, len(snapshot.get_connectors) + len(snapshot.update_connectors),
                                 settings.max_connector_loss, settings.allow_shrink)
                    writer = crawl._writer()
                    assert writer is not None
                    # synchronously: the update files are written already; a first Ctrl-C only
                    # cancels the task at its next await, so the swap is never cut in half
                    result.path = writer.finish(snapshot)
                    result.changes = writer.changes
                    if keep:
                        result.snapshot, result.files = snapshot, writer.files
                except BaseException:
                    if crawl.writer is not None:
                        crawl.writer.abort()
                    raise
            except AfasgovError as exc:
                result.error = exc
            except OSError as exc:  # disk full, a read-only file system: one line naming the path
                where = exc.filename if isinstance(exc.filename, str) else str(target)
                result.error = InputError(f"cannot write the snapshot: {exc.strerror or exc}", source=where)
            else:
                result.ok = True
                result.app_connectors = len(snapshot.app_connectors)
                result.get_connectors = len(snapshot.get_connectors)
                result.update_connectors = len(snapshot.update_connectors)
                result.fields = sum(len(g.fields) for g in snapshot.get_connectors.values()) + sum(
                    1 for u in snapshot.update_connectors.values() for _ in u.walk()
                )
                result.warnings = snapshot.meta.warnings
                del snapshot
            result.requests = crawl.requests
            result.retries = crawl.retries
            result.seconds = time.perf_counter() - start
        if settings.on_result is not None:
            settings.on_result(result)
        return result

    try:
        # whether git tracks the secret files: one `git ls-files` per directory for the whole run
        with git_states(_secret_files(env_list)):
            if settings.all_secrets_first:  # every missing or unusable secret in one error, before any request
                load_all_credentials(env_list)
            return list(await asyncio.gather(*(one(env) for env in env_list)))
    finally:
        _remove_if_empty(created)


def _secret_files(envs: Iterable[EnvironmentConfig]) -> list[Path]:
    out: list[Path] = []
    for env in envs:
        for ac in env.app_connectors.values():
            source = ac.auth.secret_source
            if source.kind == "file" and source.path is not None:
                out.append(source.path)
    return out


def _missing_dirs(path: Path) -> list[Path]:
    """``path`` and those of its ancestors that do not exist yet, deepest first."""
    missing: list[Path] = []
    current = path.absolute()
    while not current.exists() and current.parent != current:
        missing.append(current)
        current = current.parent
    return missing


def _remove_if_empty(dirs: list[Path]) -> None:
    """Remove the directories this run created (deepest first) that are still empty.

    Only empty directories are removed (``rmdir``), so whatever was swapped in, or anything another
    process put there meanwhile, stays; a failed run leaves the file system as it found it.
    """
    for d in dirs:
        try:
            d.rmdir()
        except OSError:
            return


def overall_exit_code(results: Iterable[EnvironmentResult]) -> int:
    """0 when all succeeded; 3 if any failed remotely; else the first failure's code (2)."""
    codes = [r.exit_code for r in results if not r.ok]
    if not codes:
        return 0
    return 3 if 3 in codes else max(codes)


__all__ = [
    "DEFAULT_ATTEMPTS",
    "DEFAULT_MAX_IN_FLIGHT_TOTAL",
    "DEFAULT_RUN_RETRIES",
    "DEFAULT_RUN_RETRIES_PER_REQUEST",
    "CrawlError",
    "CrawlSettings",
    "Crawled",
    "DeadlineError",
    "EnvironmentResult",
    "ShrinkError",
    "crawl",
    "crawl_environment",
    "overall_exit_code",
    "public_url",
    "snapshot_environments",
]
