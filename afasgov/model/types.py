"""Dataclasses of the canonical model (see :mod:`afasgov.model`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

#: custom fields ("vrije velden") have ids ``U`` + 32 hex digits and exist per environment.
CUSTOM_FIELD_RE = re.compile(r"^U[0-9A-Fa-f]{32}$")

DATA_TYPES = frozenset({"string", "int", "decimal", "boolean", "date", "blob"})


@dataclass(frozen=True, slots=True)
class CodeValue:
    """One allowed code of an UpdateConnector field (``values`` in metainfo)."""

    id: str
    description: str


@dataclass(frozen=True, slots=True)
class UpdateField:
    """A field of an UpdateConnector or of one of its nested objects (``/metainfo/update/{id}``)."""

    field_id: str
    label: str = ""
    data_type: str = "string"
    length: int = 0
    decimals: int = 0
    decimals_field_id: str = ""
    mandatory: bool = False
    primary_key: bool = False
    not_zero: bool = False
    control_type: int = 0
    values: tuple[CodeValue, ...] | None = None

    @property
    def is_custom(self) -> bool:
        return bool(CUSTOM_FIELD_RE.match(self.field_id))


@dataclass(frozen=True, slots=True)
class UpdateObject:
    """A nested object of an UpdateConnector (``objects`` in metainfo), at any depth."""

    name: str
    fields: tuple[UpdateField, ...] = ()
    objects: tuple[UpdateObject, ...] = ()


@dataclass(frozen=True, slots=True)
class UpdateConnector:
    """``/metainfo/update/{id}``: fields of the connector's element and its nested objects."""

    id: str
    description: str = ""
    fields: tuple[UpdateField, ...] = ()
    objects: tuple[UpdateObject, ...] = ()

    def walk(self) -> Iterator[tuple[tuple[str, ...], UpdateField]]:
        """Yield ``(object_path, field)`` for every field; ``object_path[0]`` is the connector id."""

        def rec(path: tuple[str, ...], fields: tuple[UpdateField, ...], objects: tuple[UpdateObject, ...]
                ) -> Iterator[tuple[tuple[str, ...], UpdateField]]:
            for f in fields:
                yield path, f
            for o in objects:
                yield from rec((*path, o.name), o.fields, o.objects)

        yield from rec((self.id,), self.fields, self.objects)


@dataclass(frozen=True, slots=True)
class GetField:
    """A field of a GetConnector (``/metainfo/get/{id}``): ``id`` is the output name clients see,
    ``field_id`` the id inside the definition (``U001`` …)."""

    id: str
    field_id: str = ""
    label: str = ""
    data_type: str = "string"
    length: int = 0
    decimals: int = 0
    decimals_field_id: str = ""
    control_type: int = 0

    @property
    def is_custom(self) -> bool:
        return bool(CUSTOM_FIELD_RE.match(self.field_id))


@dataclass(frozen=True, slots=True)
class GetConnector:
    """``/metainfo/get/{id}``."""

    id: str
    description: str = ""
    fields: tuple[GetField, ...] = ()
    #: from ``ProfitGetConnectoren.Geblokkeerd`` where the crawl could read it; ``None`` = unknown.
    blocked: bool | None = None


@dataclass(frozen=True, slots=True)
class ConnectorRef:
    """A connector an App Connector is authorised for (an entry of ``/metainfo``)."""

    id: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class AppConnectorScope:
    """What one App Connector (one configured credential) may use: ``/metainfo`` ``info`` + lists."""

    name: str
    app_name: str = ""
    group: str = ""
    token_expiry: str | None = None
    envid: str = ""
    auth_type: str = ""
    get_connectors: tuple[ConnectorRef, ...] = ()
    update_connectors: tuple[ConnectorRef, ...] = ()

    @property
    def get_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.get_connectors)

    @property
    def update_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.update_connectors)


@dataclass(frozen=True, slots=True)
class SnapshotMeta:
    """Volatile facts of a snapshot run (only these go into ``_snapshot.yaml``)."""

    taken_at: str = ""
    afasgov_version: str = ""
    base_url: str = ""
    language: str = ""
    #: tolerances applied while normalising (see ``docs/model.md``), one line each, sorted.
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class EnvironmentSnapshot:
    """Everything afasgov knows about one environment at one moment."""

    name: str
    type: str = ""
    tenant: str = ""
    profit_version: str = ""
    envid: str = ""
    language: str = ""
    app_connectors: dict[str, AppConnectorScope] = field(default_factory=dict)
    get_connectors: dict[str, GetConnector] = field(default_factory=dict)
    update_connectors: dict[str, UpdateConnector] = field(default_factory=dict)
    meta: SnapshotMeta = field(default_factory=SnapshotMeta)
