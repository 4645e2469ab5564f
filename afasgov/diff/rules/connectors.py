"""Connectors: get and update connectors that appear, disappear, are blocked or are renamed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from afasgov.diff.change import Change
from afasgov.diff.engine import DiffContext, Loc
from afasgov.diff.registry import Rule, register
from afasgov.diff.rules._util import GET_OPS


def _ops(change: Change) -> str:
    return GET_OPS if change.connector_type == "get" else "POST, PUT, DELETE"


def _kind(loc: Loc) -> str:
    return "GetConnector" if loc.connector_type == "get" else "UpdateConnector"


@register
class EndpointAdded(Rule):
    """A connector that BASE does not have: a GetConnector or UpdateConnector the revision offers.

    oasdiff wording ("endpoint added"). An addition breaks nothing: INFO. It is also what a new
    GetConnector imported from a ``.gcn`` export looks like, and what widens what a credential can
    reach (see the App Connector scope rules for who may call it).
    """

    id = "endpoint-added"
    level = "INFO"
    subjects = ("get-connector", "update-connector")
    template = "endpoint added"
    inverse = ("api-path-removed-without-deprecation",)
    impact = "{integration} {verb} {path}, which {revision} added"

    @classmethod
    def operations(cls, change: Change) -> str:
        return _ops(change)

    def check(self, ctx: DiffContext, loc: Loc, before: Any, after: Any) -> Iterator[Change]:
        if before is None and after is not None:
            yield ctx.change(self, loc, path=loc.connector, after=after.description or None)


@register
class ApiPathRemovedWithoutDeprecation(Rule):
    """A connector of BASE that the revision no longer has.

    oasdiff wording ("api path removed without deprecation"): AFAS has no deprecation mechanism, so
    every removal is without one. Every call to the connector fails (HTTP 404/500): ERR. When only
    an App Connector lost the authorisation, ``afas-app-connector-scope-shrank`` says so as well.
    """

    id = "api-path-removed-without-deprecation"
    level = "ERR"
    subjects = ("get-connector", "update-connector")
    template = "api path removed without deprecation"
    inverse = ("endpoint-added",)
    impact = "{integration} {verb} {path}, which {revision} no longer has"

    @classmethod
    def operations(cls, change: Change) -> str:
        return _ops(change)

    def check(self, ctx: DiffContext, loc: Loc, before: Any, after: Any) -> Iterator[Change]:
        if before is not None and after is None:
            yield ctx.change(self, loc, path=loc.connector, before=before.description or None)


@register
class ConnectorDescriptionChanged(Rule):
    """The description of a connector changed.

    Descriptions are display text in the language of the snapshot; they are compared only when both
    snapshots were read in the same language. Nothing breaks: INFO.
    """

    id = "afas-connector-description-changed"
    level = "INFO"
    subjects = ("get-connector", "update-connector")
    template = "the description of the {kind} '{path}' changed from '{before}' to '{after}'"
    inverse = ("afas-connector-description-changed",)

    @classmethod
    def operations(cls, change: Change) -> str:
        return _ops(change)

    def check(self, ctx: DiffContext, loc: Loc, before: Any, after: Any) -> Iterator[Change]:
        if (
            ctx.compare_labels
            and before is not None
            and after is not None
            and before.description != after.description
        ):
            yield ctx.change(
                self,
                loc,
                path=loc.connector,
                before=before.description,
                after=after.description,
                kind=_kind(loc),
            )


@register
class ConnectorBlocked(Rule):
    """A GetConnector became blocked (``ProfitGetConnectoren.Geblokkeerd``).

    A blocked GetConnector answers every call with HTTP 500: ERR. Compared only when both snapshots
    could read the blocked flag.
    """

    id = "afas-connector-blocked"
    level = "ERR"
    subjects = ("get-connector",)
    template = "the GetConnector '{path}' was blocked"
    inverse = ("afas-connector-unblocked",)
    operation = GET_OPS
    impact = "{integration} {verb} {path}, which {revision} blocked"

    def check(self, ctx: DiffContext, loc: Loc, before: Any, after: Any) -> Iterator[Change]:
        if before is not None and after is not None and before.blocked is False and after.blocked is True:
            yield ctx.change(self, loc, path=loc.connector, before=False, after=True)


@register
class ConnectorUnblocked(Rule):
    """A blocked GetConnector was unblocked: it answers again. INFO (review who may call it)."""

    id = "afas-connector-unblocked"
    level = "INFO"
    subjects = ("get-connector",)
    template = "the GetConnector '{path}' was unblocked"
    inverse = ("afas-connector-blocked",)
    operation = GET_OPS

    def check(self, ctx: DiffContext, loc: Loc, before: Any, after: Any) -> Iterator[Change]:
        if before is not None and after is not None and before.blocked is True and after.blocked is False:
            yield ctx.change(self, loc, path=loc.connector, before=True, after=False)
