"""Checks on GetConnector definitions (``.gcn``): filters, joins, aggregation, blocking, drift.

These run on the definitions in the repository, so problems are caught before an import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from afasgov.audit.context import AuditContext, GcnCriterion
from afasgov.audit.registry import Check, register
from afasgov.findings import Finding, Severity

#: AFAS operator types: 6 contains, 10 starts with, 11 not contains, 12 not starts with,
#: 13 ends with, 14 not ends with (15 = quick filter, judged by its value).
SLOW_OPERATORS = {
    6: "contains",
    10: "starts with",
    11: "does not contain",
    12: "does not start with",
    13: "ends with",
    14: "does not end with",
}
#: relative-date variables (``~*NOW*~DDm3@``) contain ``*`` but are not wildcards.
_DATE_VAR = re.compile(r"~?\*NOW\*~?[^@;\]]*@?", re.I)
MAX_TABLES = 5
MAX_JOIN_DEPTH = 5


def slow_criterion(c: GcnCriterion) -> str | None:
    """Why a stored criterion is slow, or None."""
    if c.operator in SLOW_OPERATORS:
        return SLOW_OPERATORS[c.operator]
    if c.operator == 15 and "*" in _DATE_VAR.sub("", c.value):
        return "quick filter with a wildcard"
    return None


@register
class DefinitionDrift(Check):
    """The environment's GetConnector differs from the reviewed ``.gcn`` in the repository.

    The field set of ``/metainfo/get/{id}`` is compared with the output names of the ``.gcn``
    definition of the same name; with the policy's ``maintainers``, a definition last changed by
    someone else is reported too.
    """

    id = "AC015"
    title = "Definition drift"
    severity = Severity.MEDIUM
    sources = ("b", "c")
    remediation = "Review the change, re-export the .gcn and commit it (or revert the change in Profit)."
    decidable = "partly"
    limits = "Review dates are not recorded anywhere afasgov can read; only field sets and ChUs are compared."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for d in ctx.definitions:
            repo = [f.output_name or f.field_id for f in d.output_fields]
            for env in sorted(ctx.snapshots):
                conn = ctx.snapshots[env].get_connectors.get(d.name)
                if conn is None:
                    continue
                live = [f.id for f in conn.fields]
                added, removed = sorted(set(live) - set(repo)), sorted(set(repo) - set(live))
                if added or removed:
                    parts = []
                    if added:
                        parts.append("only in the environment: " + ", ".join(added[:10]))
                    if removed:
                        parts.append("only in the .gcn: " + ", ".join(removed[:10]))
                    yield self.finding(
                        f"{d.name} in {env} differs from the reviewed .gcn",
                        environment=env,
                        connector=d.name,
                        connector_type="get",
                        path=d.name,
                        evidence="; ".join(parts),
                    )
            maintainers = ctx.get_policy().maintainers
            if maintainers and d.changed_by and d.changed_by not in maintainers:
                yield self.finding(
                    f"{d.name} last changed by {d.changed_by}, not a maintainer",
                    connector=d.name,
                    connector_type="gcn",
                    path=d.path or d.name,
                    key="changed-by",
                    evidence=f"ChUs {d.changed_by}, ChDt {d.changed_at}",
                )


@register
class NoFilterOnLargeTable(Check):
    """No stored filter on a large or sensitive table.

    A definition on a table in the policy's ``large_tables`` (default: ``Hr.RCo``, ``Kn.Emp``,
    ``Kn.Bcn``, ``Hr.Ess``, ``Hr.Etc``, ``Fi.Mut``, ``Fi.Fmu``, ``Kn.Usr``) without a stored filter
    returns the whole table, leavers included.
    """

    id = "AC017"
    title = "No stored filter on a large or sensitive table"
    severity = Severity.MEDIUM
    sources = ("c", "e")
    auditor = "PERF-35"
    auditor_coverage = "partial"
    remediation = "Add a fixed filter (period, active employees)."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        large = {t.lower() for t in ctx.get_policy().large_tables}
        for d in ctx.definitions:
            if d.main and d.main.lower() in large and not d.has_filter:
                yield self.finding(
                    f"{d.name} reads {d.main} without a stored filter",
                    connector=d.name,
                    connector_type="gcn",
                    path=d.path or d.name,
                    evidence=f"main table {d.main}; AfasMdFilterData has 0 criteria",
                )


@register
class SlowFilter(Check):
    """Slow filter operators (contains, starts with, ends with; quick filters with wildcards).

    They are more than 100× slower than ``=``/``<``/``>`` on indexed fields and can get a connector
    blocked under AFAS's fair use. Stored filters come from ``.gcn``; URL ``operatortypes`` from the
    repository scan. Quick filters (15) are reported only when their value holds a ``*`` wildcard,
    because AFAS exports use quick filters for plain ``=``/``!=`` too.
    """

    id = "AC018"
    title = "Slow filter operator"
    severity = Severity.LOW
    sources = ("c", "d")
    auditor = "FILT-47"
    auditor_coverage = "partial"
    remediation = "Filter with =, <, > on indexed fields."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for d in ctx.definitions:
            for gi, group in enumerate(d.filter_groups):
                for c in group:
                    why = slow_criterion(c)
                    if why:
                        yield self.finding(
                            f"{d.name}: stored filter on {c.field} uses {why}",
                            connector=d.name,
                            connector_type="gcn",
                            field=c.field,
                            path=d.path or d.name,
                            key=f"{gi}:{c.field}:{c.operator}",
                            evidence=f"operator {c.operator} on {c.field}",
                        )
        if ctx.scan is not None:
            for hit in ctx.scan.hits_of("slow-operator"):
                yield self.finding(
                    "request URL uses a slow filter operator",
                    connector_type="file",
                    path=hit.location,
                    file=hit.file,
                    line=hit.line,
                    evidence=hit.describe(),
                    key=hit.key,
                )


@register
class Aggregation(Check):
    """The definition aggregates (groups) rows.

    Aggregation hides duplicates, and small groups still reveal individual pay. Listed in the
    policy's ``justified_aggregations`` = accepted.
    """

    id = "AC020"
    title = "Aggregation"
    severity = Severity.INFO
    sources = ("c",)
    auditor = "DATA-25"
    auditor_coverage = "full"
    remediation = "Justify the aggregation in the policy, or return rows."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        accepted = set(ctx.get_policy().justified_aggregations)
        for d in ctx.definitions:
            agg = [f for f in d.fields if f.aggregation]
            if (agg or d.grouping) and d.name not in accepted:
                yield self.finding(
                    f"{d.name} aggregates rows",
                    connector=d.name,
                    connector_type="gcn",
                    path=d.path or d.name,
                    evidence=", ".join(f"{f.field_id} ({f.source}) agg {f.aggregation}" for f in agg)
                    or "grouping on",
                )


@register
class BlockedButAuthorised(Check):
    """A blocked GetConnector is still authorised on an App Connector.

    Blocked (``.gcn`` ``Bl``, or ``ProfitGetConnectoren.Geblokkeerd`` in the snapshot) but still in
    ``getConnectors``: the scope revives the moment someone unblocks it.
    """

    id = "AC021"
    title = "Blocked GetConnector still authorised"
    severity = Severity.LOW
    sources = ("a", "c")
    remediation = "Remove the connector from the App Connector."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        blocked_defs = {d.name for d in ctx.definitions if d.blocked}
        for snap, scope in ctx.scopes():
            for cid in sorted(scope.get_ids):
                conn = snap.get_connectors.get(cid)
                how = ""
                if conn is not None and conn.blocked:
                    how = "Geblokkeerd in the environment"
                elif cid in blocked_defs:
                    how = "Bl = true in the repository's .gcn"
                if how:
                    yield self.finding(
                        f"{cid} is blocked but still authorised",
                        environment=snap.name,
                        app_connector=scope.name,
                        connector=cid,
                        connector_type="get",
                        path=cid,
                        evidence=how,
                    )


@register
class TooManyTables(Check):
    """The definition reads more than 5 tables.

    Counted as distinct join paths (the main table plus every joined alias used by a field). AFAS's
    Auditor flags this as a performance risk.
    """

    id = "AC038"
    title = "More than 5 tables"
    severity = Severity.LOW
    sources = ("c",)
    auditor = "PERF-34"
    auditor_coverage = "full"
    remediation = "Split the GetConnector or drop joins it does not need."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for d in ctx.definitions:
            paths = {f.join_path for f in d.fields}
            paths.add("")
            if len(paths) > MAX_TABLES:
                yield self.finding(
                    f"{d.name} reads {len(paths)} tables (max {MAX_TABLES})",
                    connector=d.name,
                    connector_type="gcn",
                    path=d.path or d.name,
                    evidence="join paths: " + ", ".join(sorted(p or "(main)" for p in paths)),
                )


@register
class JoinTooDeep(Check):
    """A field is joined more than 5 levels deep.

    Depth = number of steps in the field's join path (``Bcn.KnEmp2.KnBcn`` = 3).
    """

    id = "AC039"
    title = "Join path deeper than 5 levels"
    severity = Severity.LOW
    sources = ("c",)
    auditor = "PERF-52"
    auditor_coverage = "full"
    remediation = "Use a data collection closer to the data, or drop the deep field."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for d in ctx.definitions:
            deep = [f for f in d.fields if f.join_depth > MAX_JOIN_DEPTH]
            if deep:
                worst = max(deep, key=lambda f: f.join_depth)
                yield self.finding(
                    f"{d.name} joins {worst.join_depth} levels deep (max {MAX_JOIN_DEPTH})",
                    connector=d.name,
                    connector_type="gcn",
                    path=d.path or d.name,
                    evidence=", ".join(f"{f.field_id} via {f.join_path}" for f in deep[:5]),
                )
