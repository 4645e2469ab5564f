"""Builders for audit tests: canonical-model scopes and snapshots, .gcn definitions, configured environments
(parsed from real afasgov.yaml content), integration manifests, contexts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from afasgov.audit.context import AuditContext
from afasgov.audit.registry import get_check
from afasgov.config import EnvironmentConfig
from afasgov.config.loader import parse_config
from afasgov.findings import Finding
from afasgov.gcn.model import GcnCriterion, GcnDefinition, GcnField, GcnFilterGroup
from afasgov.integrations import Manifest
from afasgov.model import (
    AppConnectorScope,
    ConnectorRef,
    EnvironmentSnapshot,
    GetConnector,
    GetField,
    UpdateConnector,
    UpdateField,
    UpdateObject,
)
from afasgov.workspace import StoredDefinition

TODAY = date(2026, 11, 21)


def scope(
    name: str,
    *,
    get: Iterable[str] = (),
    update: Iterable[str] = (),
    app_name: str = "",
    group: str = "",
    token_expiry: str | None = "2027-01-31",
    envid: str = "",
    auth_type: str = "",
) -> AppConnectorScope:
    return AppConnectorScope(
        name=name,
        app_name=app_name or name,
        group=group,
        token_expiry=token_expiry,
        envid=envid,
        auth_type=auth_type,
        get_connectors=tuple(ConnectorRef(c) for c in get),
        update_connectors=tuple(ConnectorRef(c) for c in update),
    )


def snapshot(
    name: str = "production",
    *,
    type: str = "production",
    tenant: str = "12345",
    envid: str = "",
    scopes: Iterable[AppConnectorScope] = (),
    get: Iterable[GetConnector] = (),
    update: Iterable[UpdateConnector] = (),
) -> EnvironmentSnapshot:
    return EnvironmentSnapshot(
        name=name,
        type=type,
        tenant=tenant,
        envid=envid,
        app_connectors={s.name: s for s in scopes},
        get_connectors={g.id: g for g in get},
        update_connectors={u.id: u for u in update},
    )


def get_conn(cid: str, *fields: tuple[str, str], blocked: bool | None = None) -> GetConnector:
    """``fields`` = (id, label) pairs."""
    return GetConnector(
        id=cid,
        fields=tuple(GetField(id=i, field_id=f"U{n:03d}", label=lbl) for n, (i, lbl) in enumerate(fields, 1)),
        blocked=blocked,
    )


def upd_conn(cid: str, *fields: str, objects: Iterable[UpdateObject] = ()) -> UpdateConnector:
    return UpdateConnector(
        id=cid, fields=tuple(UpdateField(field_id=f, label=f) for f in fields), objects=tuple(objects)
    )


def upd_obj(name: str, *fields: str, objects: Iterable[UpdateObject] = ()) -> UpdateObject:
    return UpdateObject(
        name=name, fields=tuple(UpdateField(field_id=f, label=f) for f in fields), objects=tuple(objects)
    )


def gcn_field(
    field_id: str,
    output: str = "",
    *,
    source: str = "",
    join: str = "",
    label: str = "",
    display: int = 1,
    agg: int = 0,
) -> GcnField:
    return GcnField(
        field_id=field_id,
        order=0,
        display=display,
        output_name=output or field_id,
        source=source or None,
        join_path=join or None,
        label=label or None,
        aggregation=agg,
    )


def gcn(
    name: str,
    *fields: GcnField,
    main: str = "Kn.Emp",
    filters: Iterable[Iterable[GcnCriterion]] = (),
    blocked: bool = False,
    changed_by: str = "",
    grouping: bool = False,
) -> StoredDefinition:
    """A GetConnector definition of the repository, as the workspace loads it."""
    definition = GcnDefinition(
        guid=f"{{{name}}}",
        name=name,
        main_table=main,
        fields=tuple(fields),
        filters=tuple(GcnFilterGroup(tuple(g)) for g in filters),
        blocked=blocked,
        changed_by=changed_by or None,
        grouping=grouping,
    )
    rel = f"definitions/getconnectors/{name}.yaml"
    return StoredDefinition(definition, Path(rel), "", rel)


def app(name: str, auth: str = "classic", *, secret: str = "", method: str = "client_secret_post",
        **extra: object) -> tuple[str, dict[str, object]]:
    """An App Connector of ``afasgov.yaml``: ``(name, its mapping)``; ``secret`` names the variable."""
    var = secret or f"AFAS_{name.upper().replace('-', '_')}"
    if auth == "classic":
        return name, {"auth": {"type": "classic", "token_env": var}}
    if method == "private_key_jwt":
        return name, {"auth": {"type": "oauth", "client_id": name, "method": method, "private_key_env": var}}
    return name, {"auth": {"type": "oauth", "client_id": name, "method": method, "client_secret_env": var, **extra}}


def env(
    name: str = "production",
    *,
    type: str = "production",
    tenant: str = "12345",
    base_url: str = "",
    apps: Iterable[tuple[str, dict[str, object]]] = (),
    **kw: object,
) -> EnvironmentConfig:
    """One environment, parsed from ``afasgov.yaml`` content by the real configuration loader."""
    data: dict[str, object] = {"tenant": tenant, "type": type, **kw}
    if base_url:
        data["base_url"] = base_url
        if "afas.online" not in base_url:
            data["allow_non_afas_host"] = True
    data["app_connectors"] = dict(apps)
    config = parse_config({"environments": {name: data}}, path=None, root=Path("/nonexistent-root"))
    return config.environments[name]


def manifest(
    name: str,
    app_connector: str | dict[str, str],
    *,
    get: dict[str, tuple[str, ...] | str] | None = None,
    update: dict[str, tuple[str, ...] | str] | None = None,
    justifications: dict[str, str] | None = None,
) -> Manifest:
    """An integration manifest (update uses are field ids of the connector itself)."""
    return Manifest(
        name=name,
        owner="owner@example.org",
        app_connector=app_connector,
        uses_get={k: None if v == "*" else frozenset(v) for k, v in (get or {}).items()},
        uses_update={k: None if v == "*" else frozenset(((k,), f) for f in v) for k, v in (update or {}).items()},
        justifications=dict(justifications or {}),
    )


def context(*snaps: EnvironmentSnapshot, **kwargs: Any) -> AuditContext:
    kwargs.setdefault("today", TODAY)
    return AuditContext(snapshots={s.name: s for s in snaps}, **kwargs)


def run(check_id: str, ctx: AuditContext) -> list[Finding]:
    """Findings of one check (also asserts every finding carries the check's metadata)."""
    cls = get_check(check_id)
    findings = list(cls().run(ctx))
    for f in findings:
        assert f.id == check_id and f.kind == "audit"
        assert f.title == cls.title
        assert f.remediation
    return findings


@pytest.fixture
def today() -> date:
    return TODAY
