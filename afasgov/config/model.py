"""The validated configuration: :class:`Config`, :class:`EnvironmentConfig`, :class:`AppConnectorConfig`.

Immutable dataclasses built by :func:`afasgov.config.load_config`. Secrets are not inside: an
:class:`AuthConfig` only says where they live (:class:`~afasgov.config.sources.SecretSource`) and
:meth:`AppConnectorConfig.secret` reads them on demand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from afasgov.config.hosts import (
    AFAS_REST_HOST_RE,
    base_url_for,
    host_of,
    is_afas_host,
    is_loopback_host,
)
from afasgov.config.sources import SecretSource
from afasgov.errors import ConfigError, UsageError
from afasgov.secrets import Secret
from afasgov.textsafe import shorten, summarise

if TYPE_CHECKING:
    from afasgov.config.fleet import FleetSpec

AuthType = Literal["classic", "oauth"]
OAuthMethod = Literal["client_secret_post", "client_secret_basic", "private_key_jwt"]
EnvType = Literal["production", "test", "accept", "training"]

OAUTH_METHODS: tuple[str, ...] = ("client_secret_post", "client_secret_basic", "private_key_jwt")
JWT_ALGS: tuple[str, ...] = ("RS256", "PS256", "ES256")
DEFAULT_LANGUAGE = "en-us"
MAX_IN_FLIGHT = 8
#: the default of ``max_connector_loss`` (a share of an environment's connectors)
DEFAULT_MAX_CONNECTOR_LOSS = 0.5
#: the default of ``environment_deadline_seconds``
DEFAULT_ENVIRONMENT_DEADLINE = 3600.0


@dataclass(frozen=True)
class AuthConfig:
    """``auth:`` of an App Connector.

    * ``type: classic`` — ``token`` (one of ``token_env`` / ``token_file`` / ``token_keyring``);
    * ``type: oauth`` — ``client_id``, ``method`` and either ``client_secret`` (``client_secret_post`` /
      ``client_secret_basic``; optionally when it was issued, ``secret_issued``, and its validity,
      ``secret_validity_days``) or ``private_key`` + ``alg`` (+ optional ``kid``) for ``private_key_jwt``.
    """

    type: AuthType
    key_path: str
    method: OAuthMethod | None = None
    client_id: str | None = None
    alg: str | None = None
    kid: str | None = None
    token: SecretSource | None = None
    client_secret: SecretSource | None = None
    private_key: SecretSource | None = None
    #: when the OAuth client secret was issued, and for how many days AFAS issued it (audit AC029)
    secret_issued: date | None = None
    secret_validity_days: int | None = None

    @property
    def secret_ref(self) -> str:
        """Where the secret comes from, without its value: ``env:VAR``, ``file:/path`` or ``keyring:…``."""
        src = self.secret_source
        return f"{src.kind}:{src.path if src.kind == 'file' and src.path else src.ref}"

    @property
    def secret_source(self) -> SecretSource:
        """The one source this auth reads its secret from."""
        source = self.token or self.client_secret or self.private_key
        assert source is not None  # guaranteed by validation
        return source

    @property
    def label(self) -> str:
        """``classic`` or the OAuth method, for tables."""
        return "classic" if self.type == "classic" else f"oauth/{self.method}"

    def describe(self) -> str:
        """One line without values, e.g. ``oauth client_secret_post (client id X, secret from …)``."""
        src = self.secret_source.describe()
        if self.type == "classic":
            return f"classic token from {src}"
        return f"oauth {self.method} (client id {self.client_id}, secret from {src})"


@dataclass(frozen=True)
class AppConnectorConfig:
    """One App Connector of an environment (``environments.<env>.app_connectors.<name>``)."""

    name: str
    auth: AuthConfig
    key_path: str
    environment: str
    config_file: str | None = None
    description: str | None = None

    def secret(self) -> Secret:
        """Read the secret now (token XML/base64, client secret or PEM private key).

        Raises :class:`ConfigError` naming the key path and the variable/file if it is missing.
        """
        return self.auth.secret_source.load(name=f"{self.environment}/{self.name}")


@dataclass(frozen=True)
class EnvironmentConfig:
    """One AFAS Profit environment (``environments.<name>``)."""

    name: str
    tenant: str
    type: EnvType
    base_url: str
    base_url_overridden: bool = False
    integration_id: str | None = None
    language: str = DEFAULT_LANGUAGE
    max_in_flight: int = MAX_IN_FLIGHT
    app_connectors: Mapping[str, AppConnectorConfig] = field(default_factory=dict)
    allow_non_afas_host: bool = False
    timeout_seconds: float = 120.0
    #: the most one request may take, retries and a slow (dripping) body included
    request_deadline_seconds: float = 480.0
    #: the most a snapshot of this environment may take
    environment_deadline_seconds: float = 3600.0
    ca_file: Path | None = None
    key_path: str = ""
    config_file: str | None = None

    @property
    def host(self) -> str:
        return host_of(self.base_url)

    @property
    def is_afas_host(self) -> bool:
        return is_afas_host(self.host)

    @property
    def flags(self) -> tuple[str, ...]:
        """Facts the audit reports (AC030/AC031/AC032): ``http``, ``non-afas-host``, ``host-type-mismatch``,
        ``unusual-afas-host``, ``loopback``, ``custom-ca``."""
        out: list[str] = []
        if self.base_url.lower().startswith("http://"):
            out.append("http")
        if is_loopback_host(self.host):
            out.append("loopback")
        if not self.is_afas_host:
            out.append("non-afas-host")
        elif not AFAS_REST_HOST_RE.match(self.host):
            out.append("unusual-afas-host")
        elif self.base_url_overridden and host_of(base_url_for(self.tenant, self.type)) != self.host:
            out.append("host-type-mismatch")
        if self.ca_file is not None:
            out.append("custom-ca")
        return tuple(out)

    def app_connector(self, name: str) -> AppConnectorConfig:
        try:
            return self.app_connectors[name]
        except KeyError:
            known = summarise(self.app_connectors) or "none"
            raise UsageError(
                f"environment {self.name} has no App Connector {shorten(name)!r} (known: {known})"
            ) from None


@dataclass(frozen=True)
class Config:
    """The whole ``afasgov.yaml``; all paths resolved against the file's directory."""

    path: Path | None
    root: Path
    definitions_dir: Path
    reports_dir: Path
    integrations_dir: Path
    waivers: Path
    environments: Mapping[str, EnvironmentConfig] = field(default_factory=dict)
    #: ``policy:`` — a path to an organisation policy file (resolved), or ``None``.
    policy_file: Path | None = None
    #: ``policy:`` given inline as a mapping (validated by the audit, not here).
    policy: Mapping[str, Any] | None = None
    #: ``max_in_flight_total:`` optional global cap on parallel requests over all environments (fleets).
    max_in_flight_total: int | None = None
    #: ``max_connector_loss:`` a snapshot that loses more than this share of an environment's
    #: connectors at once is refused (exit 3) unless ``snapshot --allow-shrink``
    max_connector_loss: float = 0.5
    #: ``levels:`` rule id → ``ERR`` | ``WARN`` | ``INFO`` | ``off`` (applied by :mod:`afasgov.levels`).
    levels: Mapping[str, str] = field(default_factory=dict)
    #: ``fleet:`` — a partner's fleet of tenants (:mod:`afasgov.config.fleet`), or ``None``.
    fleet: FleetSpec | None = None

    def environment(self, name: str) -> EnvironmentConfig:
        """The named environment; :class:`UsageError` (exit 2) listing the known ones otherwise."""
        try:
            return self.environments[name]
        except KeyError:
            known = summarise(self.environments) or "none configured"
            where = f" in {self.path}" if self.path else ""
            raise UsageError(f"unknown environment {shorten(name)!r}{where} (known: {known})") from None

    def select(self, names: list[str] | tuple[str, ...] | None = None) -> list[EnvironmentConfig]:
        """The named environments in the given order, or all of them (file order) if none are named."""
        if not names:
            if not self.environments:
                where = f" in {self.path}" if self.path else ""
                raise ConfigError(
                    f"no environments configured{where}",
                    file=str(self.path) if self.path else None,
                    key_path="environments",
                )
            return list(self.environments.values())
        seen: dict[str, EnvironmentConfig] = {}
        for name in names:
            seen.setdefault(name, self.environment(name))
        return list(seen.values())
