"""App Connectors: what each configured credential may call (``/metainfo`` lists), per connector."""

from __future__ import annotations

from collections.abc import Iterator

from afasgov.diff.change import Change
from afasgov.diff.engine import DiffContext, Loc
from afasgov.diff.registry import Rule, register
from afasgov.model import AppConnectorScope

AC = AppConnectorScope | None
_KIND = {"get": "GetConnector", "update": "UpdateConnector"}


def _scope_path(name: str, kind: str, cid: str) -> str:
    return f"app-connectors/{name}/{kind}/{cid}"


def _ids(scope: AppConnectorScope, kind: str) -> frozenset[str]:
    return scope.get_ids if kind == "get" else scope.update_ids


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

    def check(self, ctx: DiffContext, loc: Loc, before: AC, after: AC) -> Iterator[Change]:
        if before is None or after is None:
            return
        for kind in ("get", "update"):
            for cid in sorted(_ids(before, kind) - _ids(after, kind)):
                yield ctx.change(
                    self,
                    Loc(loc.connector_type, loc.connector, (loc.connector, kind)),
                    path=_scope_path(loc.connector, kind, cid),
                    value=cid,
                    before=True,
                    after=False,
                    kind=_KIND[kind],
                )


@register
class AppConnectorScopeGrew(Rule):
    """An App Connector may call a connector it could not call in BASE. Nothing breaks: INFO — but a
    wider scope widens what a leaked credential reaches; ``afasgov audit`` grades that."""

    id = "afas-app-connector-scope-grew"
    level = "INFO"
    subjects = ("app-connector",)
    template = "App Connector '{connector}' may now use the {kind} '{value}'"
    inverse = ("afas-app-connector-scope-shrank",)

    def check(self, ctx: DiffContext, loc: Loc, before: AC, after: AC) -> Iterator[Change]:
        if before is None or after is None:
            return
        for kind in ("get", "update"):
            for cid in sorted(_ids(after, kind) - _ids(before, kind)):
                yield ctx.change(
                    self,
                    Loc(loc.connector_type, loc.connector, (loc.connector, kind)),
                    path=_scope_path(loc.connector, kind, cid),
                    value=cid,
                    before=False,
                    after=True,
                    kind=_KIND[kind],
                )


@register
class AppConnectorAdded(Rule):
    """An App Connector that only the revision's snapshot has (configured or readable there only).
    INFO."""

    id = "afas-app-connector-added"
    level = "INFO"
    subjects = ("app-connector",)
    template = "App Connector '{connector}' was added"
    inverse = ("afas-app-connector-removed",)

    def check(self, ctx: DiffContext, loc: Loc, before: AC, after: AC) -> Iterator[Change]:
        if before is None and after is not None:
            yield ctx.change(
                self,
                loc,
                path=f"app-connectors/{loc.connector}",
                after={"get": len(after.get_connectors), "update": len(after.update_connectors)},
            )


@register
class AppConnectorRemoved(Rule):
    """An App Connector of BASE is missing from the revision's snapshot (not configured there, or
    its credential was refused while crawling). WARN: its integrations cannot be checked."""

    id = "afas-app-connector-removed"
    level = "WARN"
    subjects = ("app-connector",)
    template = "App Connector '{connector}' was removed"
    inverse = ("afas-app-connector-added",)
    impact = "{integration} uses App Connector '{connector}', which {revision} does not have"

    def check(self, ctx: DiffContext, loc: Loc, before: AC, after: AC) -> Iterator[Change]:
        if before is not None and after is None:
            yield ctx.change(
                self,
                loc,
                path=f"app-connectors/{loc.connector}",
                before={"get": len(before.get_connectors), "update": len(before.update_connectors)},
            )


@register
class AppConnectorGroupChanged(Rule):
    """The user group behind an App Connector (``info.group``) changed: the connector user and its
    rights differ. WARN."""

    id = "afas-app-connector-group-changed"
    level = "WARN"
    subjects = ("app-connector",)
    template = "the user group of App Connector '{connector}' changed from '{before}' to '{after}'"
    inverse = ("afas-app-connector-group-changed",)
    impact = "{integration} uses App Connector '{connector}', whose user group {revision} changed"

    def check(self, ctx: DiffContext, loc: Loc, before: AC, after: AC) -> Iterator[Change]:
        if (
            before is not None
            and after is not None
            and before.group
            and after.group
            and before.group != after.group
        ):
            yield ctx.change(
                self,
                loc,
                path=f"app-connectors/{loc.connector}/group",
                before=before.group,
                after=after.group,
            )
