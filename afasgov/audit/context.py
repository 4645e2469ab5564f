"""The inputs of an audit, as the checks read them.

The checks never parse files themselves: :mod:`afasgov.audit.runner` loads them through the
:class:`~afasgov.workspace.Workspace` — snapshots (canonical model), ``.gcn`` definitions
(:class:`~afasgov.workspace.StoredDefinition`), the configured environments
(:class:`~afasgov.config.EnvironmentConfig`), integration manifests
(:class:`~afasgov.integrations.Manifest`), the policy and the secret scan — and the checks read those
objects as they are. Tests build them directly.

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

if TYPE_CHECKING:
    from afasgov.config import EnvironmentConfig
    from afasgov.integrations import Manifest
    from afasgov.policy import Policy
    from afasgov.secretscan import ScanResult
    from afasgov.workspace import StoredDefinition


@dataclass
class AuditContext:
    """Everything one audit run looks at."""

    today: date
    snapshots: dict[str, EnvironmentSnapshot] = field(default_factory=dict)
    definitions: list[StoredDefinition] = field(default_factory=list)
    environments: list[EnvironmentConfig] = field(default_factory=list)
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

    def definition(self, name: str) -> StoredDefinition | None:
        for d in self.definitions:
            if d.definition.name == name:
                return d
        return None

    def env_config(self, name: str) -> EnvironmentConfig | None:
        for e in self.environments:
            if e.name == name:
                return e
        return None

    def manifests_for(self, env: str, app_connector: str, app_name: str = "") -> list[Manifest]:
        """Manifests bound to this App Connector (by configured name or ``info.appName``)."""
        names = {n for n in (app_connector, app_name) if n}
        return [m for m in self.manifests if m.app_connector_for(env) in names]
