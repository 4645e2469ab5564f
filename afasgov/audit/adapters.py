"""Adapters from the other packages' objects to the audit's views (:mod:`afasgov.audit.context`).

Each function takes what its owner package returns — :class:`afasgov.config.Config`,
:class:`afasgov.gcn.model.GcnDefinition`, an integration manifest of :mod:`afasgov.integrations` —
and returns the small frozen view the checks read. Connector ids from hand-written inputs
(manifests) are validated here like policy ids (NFKC, ASCII ``[A-Za-z0-9_]``, no wildcard
UpdateConnectors).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from afasgov.audit.context import (
    AppConnectorConfig,
    EnvConfig,
    GcnCriterion,
    GcnField,
    GcnView,
    Manifest,
)
from afasgov.policy import Justification

if TYPE_CHECKING:
    from afasgov.config import Config
    from afasgov.gcn.model import GcnDefinition


def _date_or_none(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


# ------------------------------------------------------------------------------------ config
def env_configs(config: Config, names: list[str] | None = None) -> list[EnvConfig]:
    """Views of the configured environments (all, or ``names``)."""
    out: list[EnvConfig] = []
    for env in config.select(names) if names else list(config.environments.values()):
        acs = []
        for ac in env.app_connectors.values():
            auth = ac.auth
            src = auth.secret_source
            ref = f"{src.kind}:{src.path if src.kind == 'file' and src.path else src.ref}"
            acs.append(
                AppConnectorConfig(
                    name=ac.name,
                    auth_type=str(auth.type),
                    method=str(auth.method or ""),
                    secret_ref=ref,
                    secret_issued=_date_or_none(
                        getattr(auth, "secret_issued", None) or getattr(ac, "secret_issued", None)
                    ),
                    secret_validity_days=getattr(auth, "secret_validity_days", None),
                )
            )
        verify = getattr(env, "verify_tls", None)
        out.append(
            EnvConfig(
                name=env.name,
                tenant=str(env.tenant or ""),
                type=str(env.type),
                base_url=env.base_url or "",
                base_url_overridden=bool(env.base_url_overridden),
                integration_id=str(env.integration_id or ""),
                verify_tls=verify if isinstance(verify, bool) else None,
                tls_min_version=str(getattr(env, "tls_min_version", "") or ""),
                app_connectors=tuple(acs),
                source=str(env.config_file or config.path or "afasgov.yaml"),
            )
        )
    return out


# -------------------------------------------------------------------------------------- .gcn
def gcn_view(defn: GcnDefinition, *, path: str = "", sha256: str = "") -> GcnView:
    """The audit's view of a parsed ``.gcn`` definition."""
    fields = []
    for f in defn.fields:
        parts = (f.source or "").split(".")
        system, table, source_field = (
            (parts[0], parts[1], parts[2]) if len(parts) == 3 else ("", "", f.source or "")
        )
        fields.append(
            GcnField(
                field_id=f.field_id,
                output_name=f.output_name or "",
                display=f.display,
                system=system,
                table=table,
                source_field=source_field,
                join_path=f.join_path or "",
                label=f.label or f.column_header or "",
                aggregation=f.aggregation or 0,
            )
        )
    main_parts = (defn.main_table or "").split(".", 1)
    main_system, main_table = (main_parts[0], main_parts[1]) if len(main_parts) == 2 else ("", main_parts[0])
    groups = tuple(
        tuple(GcnCriterion(c.field_id, c.operator, c.value or "") for c in g.criteria) for g in defn.filters
    )
    return GcnView(
        name=defn.name,
        path=path,
        guid=defn.guid,
        blocked=bool(defn.blocked),
        apply_authorisation=bool(defn.apply_authorisation),
        main_system=main_system,
        main_table=main_table,
        fields=tuple(fields),
        filter_groups=tuple(g for g in groups if g),
        grouping=bool(defn.grouping),
        changed_by=defn.changed_by or "",
        changed_at=defn.changed_at.isoformat() if defn.changed_at else "",
        sha256=sha256,
    )


# --------------------------------------------------------------------------------- manifests
#: a manifest justification (free text) counts as citing a legal basis when it names a law.
LEGAL_BASIS_RE = re.compile(
    r"(?i)\b(?:wet|law|act|art(?:\.|ikel|icle)|avg|gdpr|uavg|regulation|besluit|verordening|legal basis"
    r"|wettelijk|statutory)\b"
)


def _uses(value: Any) -> dict[str, tuple[str, ...] | str]:
    out: dict[str, tuple[str, ...] | str] = {}
    for conn, fields in (value or {}).items():
        if fields is None or fields == "*":
            out[str(conn)] = "*"
        else:
            out[str(conn)] = tuple(
                sorted(str(f if isinstance(f, str) else f[1] or "/".join(f[0])) for f in fields)
            )
    return out


def manifest_view(m: Any) -> Manifest:
    """The audit's view of an :class:`afasgov.integrations.Manifest` (validated by its loader).

    ``justifications`` map a field (``Connector/Fields/Id``, ``Connector/Id`` or ``Id``) to a reason;
    a reason that names a law (``Wet …``, ``art. …``, ``AVG``/``GDPR`` …) also counts as the legal
    basis AC011 asks for.
    """
    app = getattr(m, "app_connector", None)
    if isinstance(app, str):
        apps = {"*": app}
    elif isinstance(app, Mapping):
        apps = {str(k): str(v) for k, v in app.items() if v}
    else:
        apps = {}
    justifications = []
    for key, reason in (getattr(m, "justifications", None) or {}).items():
        text = str(reason)
        connector, _, field_id = str(key).rpartition("/")
        connector = connector.split("/", 1)[0] if connector else ""
        justifications.append(
            Justification(
                target=str(key),
                purpose=text,
                legal_basis=text if LEGAL_BASIS_RE.search(text) else "",
                connector=connector if field_id else "",
            )
        )
        if connector and field_id and str(key) != field_id:
            justifications.append(
                Justification(
                    target=field_id,
                    purpose=text,
                    legal_basis=text if LEGAL_BASIS_RE.search(text) else "",
                    connector=connector,
                )
            )
    return Manifest(
        name=str(m.name),
        owner=str(getattr(m, "owner", "") or ""),
        app_connectors=apps,
        uses_get=_uses(getattr(m, "uses_get", None)),
        uses_update=_uses(getattr(m, "uses_update", None)),
        justifications=tuple(justifications),
        source=str(getattr(m, "source", "") or ""),
    )
