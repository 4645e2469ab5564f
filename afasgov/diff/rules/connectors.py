"""Connectors: get and update connectors that appear, disappear, are blocked or are renamed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from afasgov.diff.engine import DiffContext
from afasgov.diff.registry import register
from afasgov.diff.rules._util import GET_OPS, AttributeRule, LocatedRule, PresenceRule
from afasgov.findings import Finding, Location


def _kind(loc: Location) -> str:
    return "GetConnector" if loc.connector_type == "get" else "UpdateConnector"


class _ConnectorRule(LocatedRule):
    """At the connector's path (its name); an added/removed connector's change carries its
    description."""

    subjects: ClassVar[tuple[str, ...]] = ("get-connector", "update-connector")

    @classmethod
    def operations(cls, change: Finding) -> str:
        return GET_OPS if change.location.connector_type in ("get", "gcn") else "POST, PUT, DELETE"

    def where(self, loc: Location, before: Any, after: Any) -> tuple[str, str | None]:
        return loc.connector, None

    def summary(self, subject: Any) -> Any:
        return subject.description or None


@register
class EndpointAdded(_ConnectorRule, PresenceRule):
    """A connector that BASE does not have: a GetConnector or UpdateConnector the revision offers.

    oasdiff wording ("endpoint added"). An addition breaks nothing: INFO. It is also what a new
    GetConnector imported from a ``.gcn`` export looks like, and what widens what a credential can
    reach (see the App Connector scope rules for who may call it).
    """

    id = "endpoint-added"
    level = "INFO"
    template = "endpoint added"
    inverse = ("api-path-removed-without-deprecation",)
    impact = "{integration} {verb} {path}, which {revision} added"


@register
class ApiPathRemovedWithoutDeprecation(_ConnectorRule, PresenceRule):
    """A connector of BASE that the revision no longer has.

    oasdiff wording ("api path removed without deprecation"): AFAS has no deprecation mechanism, so
    every removal is without one. Every call to the connector fails (HTTP 404/500): ERR. When only
    an App Connector lost the authorisation, ``afas-app-connector-scope-shrank`` says so as well.
    """

    id = "api-path-removed-without-deprecation"
    level = "ERR"
    template = "api path removed without deprecation"
    inverse = ("endpoint-added",)
    impact = "{integration} {verb} {path}, which {revision} no longer has"
    added = False


@register
class ConnectorDescriptionChanged(_ConnectorRule):
    """The description of a connector changed.

    Descriptions are display text in the language of the snapshot; they are compared only when both
    snapshots were read in the same language. Nothing breaks: INFO.
    """

    id = "afas-connector-description-changed"
    level = "INFO"
    template = "the description of the {kind} '{path}' changed from '{before}' to '{after}'"
    inverse = ("afas-connector-description-changed",)

    def check(self, ctx: DiffContext, loc: Location, before: Any, after: Any) -> Iterator[Finding]:
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
class ConnectorBlocked(_ConnectorRule, AttributeRule):
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
    attribute = "blocked"

    def changed(self, old: Any, new: Any) -> bool:
        return old is False and new is True


@register
class ConnectorUnblocked(_ConnectorRule, AttributeRule):
    """A blocked GetConnector was unblocked: it answers again. INFO (review who may call it)."""

    id = "afas-connector-unblocked"
    level = "INFO"
    subjects = ("get-connector",)
    template = "the GetConnector '{path}' was unblocked"
    inverse = ("afas-connector-blocked",)
    operation = GET_OPS
    attribute = "blocked"

    def changed(self, old: Any, new: Any) -> bool:
        return old is True and new is False
