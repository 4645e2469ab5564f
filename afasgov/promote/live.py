"""Read what ``verify`` needs from a live environment, and nothing more, with the snapshot crawler.

The crawl (:mod:`afasgov.snapshot.crawl`, the one that ``afasgov snapshot`` runs) reads

1. ``/metainfo`` of every configured App Connector: which GetConnectors exist for the App Connectors
   afasgov holds credentials for;
2. ``/metainfo/get/{id}`` only for the GetConnectors that have a definition and are listed, through the
   first App Connector (by name) authorised for each (no UpdateConnector metainfo);
3. the rows of ``ProfitGetConnectoren`` (blocked flags) when an App Connector may read it.

So verify has the crawl's limits (at most 8 requests in flight per environment), retries and errors
(a :class:`~afasgov.snapshot.crawl.CrawlError` naming environment, App Connector and connector: exit 3,
or 2 when the cause is a configuration problem such as a missing secret). One exception: a connector
whose definition says *blocked* may answer 500 (AFAS answers 500 for blocked connectors); its fields
are then reported as not checked instead of failing the run.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from afasgov.errors import ConfigError
from afasgov.model import AppConnectorScope, GetConnector
from afasgov.profit.credentials import load_all_credentials
from afasgov.profit.retry import RetryPolicy
from afasgov.snapshot.crawl import CrawlSettings, TransportFactory, crawl

if TYPE_CHECKING:
    from afasgov.config import EnvironmentConfig


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


async def read_live(
    env: EnvironmentConfig,
    wanted: Collection[str],
    *,
    blocked_ok: Collection[str] = (),
    transport_factory: TransportFactory | None = None,
    retry: RetryPolicy | None = None,
    attempts: int | None = None,
) -> LiveView:
    """Read ``env`` for the connectors in ``wanted`` (see the module docstring)."""
    if not env.app_connectors:
        raise ConfigError(
            f"environment {env.name!r} has no App Connectors configured",
            file=env.config_file,
            key_path=f"{env.key_path or 'environments.' + env.name}.app_connectors",
        )
    load_all_credentials([env])  # every missing secret in one error, before the first request
    settings = CrawlSettings(transport_factory=transport_factory, retry=retry, only_get=wanted,
                             update_metainfo=False, lenient_get=blocked_ok)
    if attempts is not None:
        settings.attempts = attempts
    crawled = await crawl(env, settings)
    snap = crawled.snapshot
    return LiveView(
        environment=env.name,
        profit_version=snap.profit_version,
        envid=snap.envid,
        scopes=dict(snap.app_connectors),
        get_connectors=dict(snap.get_connectors),
        unreadable=crawled.unreadable,
        blocked=crawled.blocked,
        requests=crawled.requests + crawled.retries,
        warnings=snap.meta.warnings,
    )


__all__ = ["LiveView", "TransportFactory", "read_live"]
