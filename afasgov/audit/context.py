"""The inputs of an audit, in the small neutral shapes the checks read.

The checks never parse files themselves: :mod:`afasgov.audit.runner` loads snapshots (canonical
model), ``.gcn`` definitions, configuration, integration manifests, policy and the secret scan, and
adapts each into the views below (:mod:`afasgov.audit.adapters`). Tests build these views directly.

Anything an audit could not see (no snapshot for an environment, no policy section for IP rules,
a scan that ran out of time) is recorded with :meth:`AuditContext.not_seen`; every report lists it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from afasgov.model import AppConnectorScope, EnvironmentSnapshot
from afasgov.policy import Justification

if TYPE_CHECKING:
    from afasgov.policy import Policy
    from afasgov.secretscan import ScanResult


# ------------------------------------------------------------------------------------------ .gcn
@dataclass(frozen=True)
class GcnField:
    """One field row of a GetConnector definition (``AfasMdViewField``)."""

    field_id: str
    output_name: str = ""
    display: int = 1
    system: str = ""
    table: str = ""
    source_field: str = ""
    join_path: str = ""
    label: str = ""
    aggregation: int = 0

    @property
    def source(self) -> str:
        """``System.Table.Field`` (empty parts left out)."""
        return ".".join(p for p in (self.system, self.table, self.source_field) if p)

    @property
    def join_depth(self) -> int:
        return len([p for p in self.join_path.split(".") if p]) if self.join_path else 0


@dataclass(frozen=True)
class GcnCriterion:
    """One criterion of a stored filter: field id, AFAS operator type (1–15), value."""

    field: str
    operator: int
    value: str = ""


@dataclass(frozen=True)
class GcnView:
    """What the checks need from one ``.gcn`` GetConnector definition."""

    name: str
    path: str = ""
    guid: str = ""
    blocked: bool = False
    apply_authorisation: bool = False
    main_system: str = ""
    main_table: str = ""
    fields: tuple[GcnField, ...] = ()
    #: OR-groups of AND-criteria; empty = no stored filter.
    filter_groups: tuple[tuple[GcnCriterion, ...], ...] = ()
    grouping: bool = False
    changed_by: str = ""
    changed_at: str = ""
    sha256: str = ""

    @property
    def main(self) -> str:
        return ".".join(p for p in (self.main_system, self.main_table) if p)

    @property
    def output_fields(self) -> tuple[GcnField, ...]:
        return tuple(f for f in self.fields if f.display == 1)

    @property
    def has_filter(self) -> bool:
        return any(self.filter_groups)


# --------------------------------------------------------------------------------------- config
@dataclass(frozen=True)
class AppConnectorConfig:
    """One configured App Connector credential (``environments.<env>.app_connectors.<name>``)."""

    name: str
    auth_type: str = ""  # classic | oauth | hybrid
    method: str = ""  # client_secret_post | client_secret_basic | private_key_jwt
    secret_ref: str = ""  # "env:VAR" | "file:/path" | "keyring:…" — never the value
    secret_issued: date | None = None
    secret_validity_days: int | None = None


@dataclass(frozen=True)
class EnvConfig:
    """One configured environment."""

    name: str
    tenant: str = ""
    type: str = ""  # production | test | accept
    base_url: str = ""
    base_url_overridden: bool = False
    integration_id: str = ""
    verify_tls: bool | None = None
    tls_min_version: str = ""
    app_connectors: tuple[AppConnectorConfig, ...] = ()
    source: str = "afasgov.yaml"


# ------------------------------------------------------------------------------------ manifests
@dataclass(frozen=True)
class Manifest:
    """An integration manifest (``definitions/integrations/<name>.yaml``)."""

    name: str
    owner: str = ""
    #: environment -> App Connector name; key ``"*"`` = every environment.
    app_connectors: dict[str, str] = field(default_factory=dict)
    uses_get: dict[str, tuple[str, ...] | str] = field(default_factory=dict)
    uses_update: dict[str, tuple[str, ...] | str] = field(default_factory=dict)
    justifications: tuple[Justification, ...] = ()
    source: str = ""

    def app_connector_for(self, env: str) -> str:
        return self.app_connectors.get(env) or self.app_connectors.get("*", "")

    @property
    def connector_ids(self) -> frozenset[str]:
        return frozenset(self.uses_get) | frozenset(self.uses_update)


# -------------------------------------------------------------------------------------- context
@dataclass
class AuditContext:
    """Everything one audit run looks at."""

    today: date
    snapshots: dict[str, EnvironmentSnapshot] = field(default_factory=dict)
    definitions: list[GcnView] = field(default_factory=list)
    environments: list[EnvConfig] = field(default_factory=list)
    manifests: list[Manifest] = field(default_factory=list)
    policy: Policy | None = None
    scan: ScanResult | None = None
    repo_root: Path | None = None
    notes: list[str] = field(default_factory=list)
    #: per-run memo of derived data shared by several checks (e.g. the exposed-field list).
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def not_seen(self, text: str) -> None:
        """Record something the audit could not see or decide (listed in every report)."""
        if text not in self.notes:
            self.notes.append(text)

    def get_policy(self) -> Policy:
        from afasgov.policy import Policy

        if self.policy is None:
            self.policy = Policy()
        return self.policy

    def scopes(self) -> Iterator[tuple[EnvironmentSnapshot, AppConnectorScope]]:
        """Every App Connector of every snapshot, in a stable order."""
        for env in sorted(self.snapshots):
            snap = self.snapshots[env]
            for name in sorted(snap.app_connectors):
                yield snap, snap.app_connectors[name]

    def definition(self, name: str) -> GcnView | None:
        for d in self.definitions:
            if d.name == name:
                return d
        return None

    def env_config(self, name: str) -> EnvConfig | None:
        for e in self.environments:
            if e.name == name:
                return e
        return None

    def manifests_for(self, env: str, app_connector: str, app_name: str = "") -> list[Manifest]:
        """Manifests bound to this App Connector (by configured name or ``info.appName``)."""
        names = {n for n in (app_connector, app_name) if n}
        return [m for m in self.manifests if m.app_connector_for(env) in names]
