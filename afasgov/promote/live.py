"""Read what ``verify`` needs from a live environment, and nothing more.

1. ``/metainfo`` of every configured App Connector (in parallel): which GetConnectors exist for
   the App Connectors afasgov holds credentials for;
2. ``/metainfo/get/{id}`` for each GetConnector that has a definition and is listed, through the
   first App Connector (by name) authorised for it;
3. the rows of ``ProfitGetConnectoren`` (blocked flags) when an App Connector may read it.

Requests go through the client (its limiter keeps at most 8 in flight per environment; it retries
503 and transport failures); a 500 or a malformed answer is tried again a few times, as the
snapshot crawl does. A request that keeps failing raises a
:class:`~afasgov.snapshot.crawl.CrawlError` naming environment, App Connector and connector (exit
3, or 2 when the cause is a configuration problem such as a missing secret). One exception: a
connector whose definition says *blocked* may answer 500 (AFAS answers 500 for blocked connectors);
its fields are then reported as not checked instead of failing the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from afasgov.errors import AfasgovError, ConfigError, RemoteError
from afasgov.model import AppConnectorScope, GetConnector
from afasgov.model.normalise import Tolerances, blocked_flags, normalise_get, normalise_metainfo
from afasgov.profit import errors as E
from afasgov.profit.client import ProfitClient
from afasgov.profit.credentials import load_all_credentials
from afasgov.profit.retry import RetryPolicy
from afasgov.snapshot.crawl import PROFIT_GET_CONNECTOREN, CrawlError

if TYPE_CHECKING:
    from afasgov.config import AppConnectorConfig, EnvironmentConfig

T = TypeVar("T")
TransportFactory = Callable[["EnvironmentConfig", "AppConnectorConfig"], httpx.AsyncBaseTransport | None]

ATTEMPTS = 3
_TRANSIENT: tuple[type[AfasgovError], ...] = (E.ProfitServerError, E.BadResponseError)


@dataclass
class LiveView:
    """What verify learnt from the environment."""

    environment: str
    profit_version: str = ""
    envid: str = ""
    scopes: dict[str, AppConnectorScope] = field(default_factory=dict)
    #: connector id (as the environment spells it) -> metainfo, for the requested connectors
    get_connectors: dict[str, GetConnector] = field(default_factory=dict)
    #: connectors listed but whose metainfo answered 500 (blocked); id -> reason
    unreadable: dict[str, str] = field(default_factory=dict)
    blocked: dict[str, bool] | None = None
    requests: int = 0
    warnings: tuple[str, ...] = ()

    @property
    def listed(self) -> dict[str, str]:
        """lower-case id -> id of every GetConnector some App Connector is authorised for."""
        out: dict[str, str] = {}
        for name in sorted(self.scopes):
            for ref in self.scopes[name].get_connectors:
                out.setdefault(ref.id.lower(), ref.id)
        return out


class _Live:
    def __init__(
        self, env: EnvironmentConfig, transport_factory: TransportFactory | None, retry: RetryPolicy | None
    ) -> None:
        self.env = env
        self.factory = transport_factory
        self.retry = retry or RetryPolicy()
        self.clients: dict[str, ProfitClient] = {}
        self.requests = 0
        self.tolerances = Tolerances()

    def client(self, name: str) -> ProfitClient:
        if name not in self.clients:
            app = self.env.app_connectors[name]
            transport = self.factory(self.env, app) if self.factory else None
            self.clients[name] = ProfitClient(self.env, app, transport=transport, retry=self.retry)
        return self.clients[name]

    async def fetch(self, what: str, app: str, call: Callable[[], Awaitable[T]]) -> T:
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                return await call()
            except _TRANSIENT as exc:
                if attempt >= ATTEMPTS:
                    raise self.failure(what, app, exc, attempt) from None
                await self.retry.sleep(self.retry.backoff(attempt))
            except (RemoteError, ConfigError) as exc:
                raise self.failure(what, app, exc, attempt) from None

    def failure(self, what: str, app: str, exc: AfasgovError, attempts: int) -> CrawlError:
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        return CrawlError(
            f"environment {self.env.name!r}: {what} (via App Connector {app!r}) failed{tries}: {exc}",
            environment=self.env.name,
            connector=what,
            cause=exc,
        )

    async def run(self, wanted: Collection[str], blocked_ok: Collection[str]) -> LiveView:
        env = self.env
        names = sorted(env.app_connectors)
        if not names:
            raise ConfigError(
                f"environment {env.name!r} has no App Connectors configured",
                file=env.config_file,
                key_path=f"{env.key_path or 'environments.' + env.name}.app_connectors",
            )
        try:
            for name in names:  # read every secret before the first request
                self.client(name)
            return await self._run(names, wanted, blocked_ok)
        finally:
            await asyncio.gather(*(c.aclose() for c in self.clients.values()), return_exceptions=True)

    async def _run(self, names: list[str], wanted: Collection[str], blocked_ok: Collection[str]) -> LiveView:
        env = self.env
        version_task = self.fetch("/profitversion", names[0], self.client(names[0]).profit_version)
        metas = [self.fetch("/metainfo", n, self.client(n).metainfo) for n in names]
        version, *raws = await _gather(version_task, *metas)
        view = LiveView(environment=env.name, profit_version=str(version))
        for name, raw in zip(names, raws, strict=True):
            view.scopes[name] = normalise_metainfo(
                raw,
                environment=env.name,
                app_connector=name,
                auth_type=env.app_connectors[name].auth.label,
                tolerances=self.tolerances,
            )
        view.envid = next((view.scopes[n].envid for n in names if view.scopes[n].envid), "")
        via: dict[str, tuple[str, str]] = {}  # lower id -> (id, app connector)
        for name in names:
            for ref in view.scopes[name].get_connectors:
                via.setdefault(ref.id.lower(), (ref.id, name))
        lenient = {c.lower() for c in blocked_ok}
        jobs = [
            self._get(cid, app, cid.lower() in lenient, view)
            for key, (cid, app) in sorted(via.items())
            if key in {w.lower() for w in wanted}
        ]
        blocked_job = via.get(PROFIT_GET_CONNECTOREN.lower())
        if blocked_job is not None:
            jobs.append(self._blocked(blocked_job[1], view))
        await _gather(*jobs)
        view.requests = self.requests
        view.warnings = tuple(self.tolerances.lines())
        return view

    async def _get(self, cid: str, app: str, lenient: bool, view: LiveView) -> None:
        try:
            raw = await self.fetch(f"get connector {cid}", app, lambda: self.client(app).get_metainfo(cid))
        except CrawlError as exc:
            if lenient and isinstance(exc.cause, E.ProfitServerError):
                view.unreadable[cid] = f"/metainfo/get answered {exc.cause} (blocked connectors answer 500)"
                return
            raise
        view.get_connectors[cid] = normalise_get(
            raw, environment=self.env.name, connector=cid, tolerances=self.tolerances
        )

    async def _blocked(self, app: str, view: LiveView) -> None:
        client = self.client(app)

        async def rows() -> list[Any]:
            return [row async for row in client.iter_rows(PROFIT_GET_CONNECTOREN, order_by=["Naam"], page_size=1000)]

        view.blocked = blocked_flags(
            await self.fetch(f"rows of {PROFIT_GET_CONNECTOREN}", app, rows), environment=self.env.name
        )


async def _gather(*aws: Awaitable[Any]) -> list[Any]:
    """Run all; on the first failure cancel the rest and raise it."""
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def read_live(
    env: EnvironmentConfig,
    wanted: Collection[str],
    *,
    blocked_ok: Collection[str] = (),
    transport_factory: TransportFactory | None = None,
    retry: RetryPolicy | None = None,
) -> LiveView:
    """Read ``env`` for the connectors in ``wanted`` (see the module docstring)."""
    load_all_credentials([env])  # every missing secret in one error, before the first request
    return await _Live(env, transport_factory, retry).run(wanted, blocked_ok)


__all__ = ["LiveView", "TransportFactory", "read_live"]
