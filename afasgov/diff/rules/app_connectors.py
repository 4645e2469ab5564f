"""App Connectors: what each configured credential may call (``/metainfo`` lists), per connector."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from afasgov.diff.engine import DiffContext
from afasgov.diff.registry import Rule, register
from afasgov.diff.rules._util import AttributeRule, LocatedRule, PresenceRule
from afasgov.findings import Finding, Location
from afasgov.model import AppConnectorScope

AC = AppConnectorScope | None
_KIND = {"get": "GetConnector", "update": "UpdateConnector"}


def _ids(scope: AppConnectorScope, kind: str) -> frozenset[str]:
    return scope.get_ids if kind == "get" else scope.update_ids


def _scope_changes(
    rule: Rule, ctx: DiffContext, loc: Location, wider: AC, narrower: AC, *, now: bool
) -> Iterator[Finding]:
    """One change per connector that ``wider`` may call and ``narrower`` may not (``now``: whether the
    revision may call it)."""
    if wider is None or narrower is None:
        return
    for kind in ("get", "update"):
        for cid in sorted(_ids(wider, kind) - _ids(narrower, kind)):
            yield ctx.change(
                rule,
                Location(connector_type=loc.connector_type, connector=loc.connector, object_path=(loc.connector, kind)),
                path=f"app-connectors/{loc.connector}/{kind}/{cid}",
                value=cid,
                before=not now,
                after=now,
                kind=_KIND[kind],
            )


class _AppRule(LocatedRule):
    """At ``app-connectors/{name}``; an added/removed App Connector's change carries how many
    connectors of each kind it may call."""

    subjects = ("app-connector",)

    def where(self, loc: Location, before: Any, after: Any) -> tuple[str, str | None]:
        return f"app-connectors/{loc.connector}", None

    def summary(self, subject: Any) -> Any:
        return {"get": len(subject.get_connectors), "update": len(subject.update_connectors)}


@register
class AppConnectorScopeShrank(Rule):
    """An App Connector may no longer call a connector it could call in BASE: every call through it
    is refused. ERR."""

    id = "afas-app-connector-scope-shrank"
    level = "ERR"
    subjects = ("app-connector",)
    template = "App Connector '{connector}' may no longer use the {kind} '{value}'"
    inverse = ("afas-app-connector-scope-grew",)
    impact = (
        "{integration} calls {value} through App Connector '{connector}', which {revision} no longer "
        "authorises"
    )

    def check(self, ctx: DiffContext, loc: Location, before: AC, after: AC) -> Iterator[Finding]:
        return _scope_changes(self, ctx, loc, before, after, now=False)


@register
class AppConnectorScopeGrew(Rule):
    """An App Connector may call a connector it could not call in BASE. Nothing breaks: INFO — but a
    wider scope widens what a leaked credential reaches; ``afasgov audit`` grades that."""

    id = "afas-app-connector-scope-grew"
    level = "INFO"
    subjects = ("app-connector",)
    template = "App Connector '{connector}' may now use the {kind} '{value}'"
    inverse = ("afas-app-connector-scope-shrank",)

    def check(self, ctx: DiffContext, loc: Location, before: AC, after: AC) -> Iterator[Finding]:
        return _scope_changes(self, ctx, loc, after, before, now=True)


@register
class AppConnectorAdded(_AppRule, PresenceRule):
    """An App Connector that only the revision's snapshot has (configured or readable there only).
    INFO."""

    id = "afas-app-connector-added"
    level = "INFO"
    template = "App Connector '{connector}' was added"
    inverse = ("afas-app-connector-removed",)


@register
class AppConnectorRemoved(_AppRule, PresenceRule):
    """An App Connector of BASE is missing from the revision's snapshot (not configured there, or
    its credential was refused while crawling). WARN: its integrations cannot be checked."""

    id = "afas-app-connector-removed"
    level = "WARN"
    template = "App Connector '{connector}' was removed"
    inverse = ("afas-app-connector-added",)
    impact = "{integration} uses App Connector '{connector}', which {revision} does not have"
    added = False


@register
class AppConnectorGroupChanged(_AppRule, AttributeRule):
    """The user group behind an App Connector (``info.group``) changed: the connector user and its
    rights differ. WARN."""

    id = "afas-app-connector-group-changed"
    level = "WARN"
    template = "the user group of App Connector '{connector}' changed from '{before}' to '{after}'"
    inverse = ("afas-app-connector-group-changed",)
    impact = "{integration} uses App Connector '{connector}', whose user group {revision} changed"
    attribute = "group"

    def changed(self, old: Any, new: Any) -> bool:
        return bool(old and new and old != new)

    def where(self, loc: Location, before: Any, after: Any) -> tuple[str, str | None]:
        return f"app-connectors/{loc.connector}/group", None
