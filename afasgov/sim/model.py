"""The simulator's own data model: a dataset is environments, connectors and App Connectors.

Connector metainfo is kept in AFAS's JSON shape (the dicts ``/metainfo/update/{id}`` and
``/metainfo/get/{id}`` return), with :class:`Label` objects where AFAS answers in the language of
``Accept-Language``; :func:`localise` turns them into strings. Large datasets build connectors
lazily through :class:`LazyMapping`, so ``synthetic:2000`` starts at once.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

#: the languages the datasets carry labels for; other ``Accept-Language`` values get the base language.
LANGUAGES = ("nl", "en")
ENV_TYPES = ("production", "test", "accept")
OAUTH_METHODS = ("client_secret_post", "client_secret_basic", "private_key_jwt")


@dataclass(frozen=True, slots=True)
class Label:
    """A label in Dutch and English (AFAS answers in the language of ``Accept-Language``)."""

    nl: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl

    @classmethod
    def parse(cls, text: str) -> Label:
        """``"Naam | Name"`` -> both; ``"Naam"`` -> the same text in both languages."""
        if " | " in text:
            nl, en = text.split(" | ", 1)
            return cls(nl.strip(), en.strip())
        return cls(text.strip(), text.strip())


def localise(value: Any, lang: str) -> Any:
    """Resolve every :class:`Label` inside JSON-like ``value`` for ``lang``; keys starting ``_`` are dropped."""
    if isinstance(value, Label):
        return value.get(lang)
    if isinstance(value, dict):
        return {k: localise(v, lang) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [localise(v, lang) for v in value]
    return value


class LazyMapping(Mapping[str, Any]):
    """An ordered mapping whose values are built on first access by ``factory(key)`` and kept."""

    def __init__(self, keys: list[str], factory: Callable[[str], Any]) -> None:
        self._keys = list(keys)
        self._known = set(self._keys)
        self._factory = factory
        self._cache: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._known:
            raise KeyError(key)
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = self._factory(key)
            return value

    def __contains__(self, key: object) -> bool:
        return key in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


@dataclass
class GetConnectorDef:
    """A GetConnector: its metainfo fields (AFAS shape, labels as :class:`Label`) and row settings.

    Each field dict may carry a private ``_gen`` key: the row generator hint (``name``, ``iban``, …).
    """

    id: str
    description: Label
    fields: list[JSON]
    rows: int = 120
    blocked: bool = False

    def metainfo(self) -> JSON:
        return {"name": self.id, "description": self.description, "fields": self.fields}


@dataclass
class OAuthClient:
    """The OAuth client of an App Connector (client credentials flow).

    ``secret`` is the demo client secret (derived at runtime, never stored); ``public_key_pem`` the
    registered public key for ``private_key_jwt``.
    """

    client_id: str
    methods: tuple[str, ...]
    secret: str | None = field(default=None, repr=False)
    public_key_pem: bytes | None = None
    alg: str | None = None
    kid: str | None = None
    secret_expires: str | None = None


@dataclass
class AppConnectorDef:
    """One App Connector of an environment: identity, credentials, IP restriction and scope."""

    name: str
    app_name: str
    group: str
    token_expiry: str = "0"  # noqa: S105 (an expiry date, "0" = never; not a secret)
    classic_token: str | None = field(default=None, repr=False)  # the 64-hex ``data`` of the classic token
    oauth: OAuthClient | None = None
    allowed_ips: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    get_ids: tuple[str, ...] = ()
    update_ids: tuple[str, ...] = ()
    story: str = ""
    #: the OAuth client authentication ``--write-config`` uses (``None`` for classic-only).
    preferred_method: str | None = None

    _set_cache: dict[str, tuple[tuple[str, ...], frozenset[str]]] = field(
        default_factory=dict, repr=False, compare=False)

    def _as_set(self, name: str, ids: tuple[str, ...]) -> frozenset[str]:
        cached = self._set_cache.get(name)
        if cached is None or cached[0] is not ids:  # recomputed when the scope tuple is replaced
            cached = self._set_cache[name] = (ids, frozenset(ids))
        return cached[1]

    @property
    def get_set(self) -> frozenset[str]:
        """``get_ids`` as a set (scope checks on every request); follows changes to ``get_ids``."""
        return self._as_set("get", self.get_ids)

    @property
    def update_set(self) -> frozenset[str]:
        return self._as_set("update", self.update_ids)

    @property
    def auth_types(self) -> tuple[str, ...]:
        kinds = []
        if self.classic_token:
            kinds.append("classic")
        if self.oauth:
            kinds.append("oauth")
        return tuple(kinds)

    def ip_allowed(self, host: str | None) -> bool:
        if not self.allowed_ips:
            return True
        if host is None:
            return False
        try:
            addr = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(addr in net for net in self.allowed_ips)


@dataclass
class EnvironmentDef:
    """One environment (tenant + type) with everything it serves."""

    name: str
    tenant: str
    type: str
    envid: str
    profit_version: str
    release: str
    update_connectors: Mapping[str, JSON]
    get_connectors: Mapping[str, GetConnectorDef]
    app_connectors: dict[str, AppConnectorDef] = field(default_factory=dict)
    base_language: str = "nl"
    oauth_methods: tuple[str, ...] = OAUTH_METHODS
    maintenance: bool = False

    @property
    def slug(self) -> str:
        """The first path segment this environment is served under: ``{tenant}-{type}``."""
        return f"{self.tenant}-{self.type}"

    @property
    def public_base_url(self) -> str:
        """The base URL the real environment would have (used as an accepted JWT audience too)."""
        host = {"production": "rest", "test": "resttest", "accept": "restaccept"}[self.type]
        return f"https://{self.tenant}.{host}.afas.online/ProfitRestServices"


@dataclass
class Dataset:
    """A named set of environments served by one simulator."""

    name: str
    seed: int
    environments: dict[str, EnvironmentDef]  # by name (production, test, accept, t001-production…)
    story: str = ""
    #: the dataset's "today" (``YYYY-MM-DD[THH:MM:SS]``) for classic-token and client-secret expiry;
    #: ``None`` = the real date. The demo organisation lives on a fixed date, so its credentials
    #: do not expire under a test suite as the calendar moves on.
    as_of: str | None = None

    def by_slug(self) -> dict[str, EnvironmentDef]:
        return {env.slug.lower(): env for env in self.environments.values()}

    def environment(self, name: str) -> EnvironmentDef:
        try:
            return self.environments[name]
        except KeyError:
            raise KeyError(f"dataset {self.name!r} has no environment {name!r}; it has "
                           + ", ".join(self.environments)) from None
