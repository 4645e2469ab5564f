"""Builders for audit tests: canonical-model scopes and snapshots, .gcn views, contexts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import pytest

from afasgov.audit.context import AuditContext, GcnCriterion, GcnField, GcnView
from afasgov.audit.registry import get_check
from afasgov.findings import Finding
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
    parts = source.split(".") if source else ["", "", ""]
    return GcnField(
        field_id=field_id,
        output_name=output or field_id,
        display=display,
        system=parts[0],
        table=parts[1],
        source_field=parts[2],
        join_path=join,
        label=label,
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
) -> GcnView:
    system, table = main.split(".")
    return GcnView(
        name=name,
        path=f"definitions/getconnectors/{name}.yaml",
        blocked=blocked,
        main_system=system,
        main_table=table,
        fields=tuple(fields),
        filter_groups=tuple(tuple(g) for g in filters),
        changed_by=changed_by,
        grouping=grouping,
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
