"""Checks on fields: privacy-sensitive data, supplied GetConnectors, names, custom fields, take.

Fields come from the snapshot's connector metainfo (``/metainfo/get|update/{id}``) and from the
``.gcn`` definitions in the repository (which are audited *before* they are imported).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from afasgov.audit.context import AuditContext
from afasgov.audit.privacy import Match, classify_gcn_field, classify_get_field, classify_update_field
from afasgov.audit.registry import Check, Where, register
from afasgov.findings import Finding, Severity
from afasgov.integrations import Manifest
from afasgov.model.types import CUSTOM_FIELD_RE
from afasgov.policy import Justification, manifest_justifications

#: AFAS: keep columns × rows per page under 150,000 ("Optimal take = 150,000 / number of fields").
OPTIMAL_TAKE_CELLS = 150_000


@dataclass(frozen=True)
class ExposedField:
    """A field some App Connector (or, for ``.gcn``, a definition about to be imported) exposes."""

    environment: str
    app_connectors: tuple[str, ...]
    connector: str
    connector_type: str  # get | update | gcn
    field: str
    path: str
    label: str = ""
    source: str = ""
    field_id: str = ""
    match: Match | None = None


def exposed_fields(ctx: AuditContext) -> list[ExposedField]:
    """Every field of every connector in the snapshots, plus every output field of every ``.gcn``
    (computed once per audit run and shared by the field checks)."""
    cached = ctx.cache.get("exposed_fields")
    if cached is None:
        cached = ctx.cache["exposed_fields"] = list(_exposed_fields(ctx))
    result: list[ExposedField] = cached
    return result


def _exposed_fields(ctx: AuditContext) -> Iterator[ExposedField]:
    for env in sorted(ctx.snapshots):
        snap = ctx.snapshots[env]
        for cid in sorted(snap.get_connectors):
            conn = snap.get_connectors[cid]
            apps = tuple(sorted(n for n, s in snap.app_connectors.items() if cid in s.get_ids))
            for f in conn.fields:
                yield ExposedField(
                    env,
                    apps,
                    cid,
                    "get",
                    f.id,
                    f"{cid}/Fields/{f.id}",
                    f.label,
                    field_id=f.field_id,
                    match=classify_get_field(cid, f),
                )
        for cid in sorted(snap.update_connectors):
            uconn = snap.update_connectors[cid]
            apps = tuple(sorted(n for n, s in snap.app_connectors.items() if cid in s.update_ids))
            for path, uf in uconn.walk():
                canonical = (
                    path[0]
                    + "".join(f"/Element/Objects/{o}" for o in path[1:])
                    + f"/Element/Fields/{uf.field_id}"
                )
                yield ExposedField(
                    env,
                    apps,
                    cid,
                    "update",
                    uf.field_id,
                    canonical,
                    uf.label,
                    field_id=uf.field_id,
                    match=classify_update_field(path, uf),
                )
    for s in ctx.definitions:
        d = s.definition
        for gf in d.output_fields:
            name = gf.output_name or gf.field_id
            yield ExposedField(
                "",
                (),
                d.name,
                "gcn",
                name,
                f"{d.name}/Fields/{name}",
                gf.label or gf.column_header or "",
                gf.source or "",
                field_id=gf.field_id,
                match=classify_gcn_field(gf),
            )


def _relevant_manifests(ctx: AuditContext, ef: ExposedField) -> list[Manifest]:
    out = [m for m in ctx.manifests if ef.connector in m.connector_ids]
    for app in ef.app_connectors:
        out += [m for m in ctx.manifests_for(ef.environment, app) if m not in out]
    return out


def justification_for(ctx: AuditContext, ef: ExposedField) -> Justification | None:
    """The recorded justification that covers this field, if any (policy or a relevant manifest)."""
    keys = {
        k.lower()
        for k in (
            ef.field,
            ef.path,
            f"{ef.connector}/{ef.field}",
            f"{ef.connector}.{ef.field}",
            ef.source,
            ef.field_id,
        )
        if k
    }
    candidates = list(ctx.get_policy().justified_fields)
    for m in _relevant_manifests(ctx, ef):
        candidates += manifest_justifications(m.justifications)
    for j in candidates:
        if j.target.lower() in keys and (not j.connector or j.connector == ef.connector):
            return j
    return None


def _where(ef: ExposedField) -> Where:
    return {
        "environment": ef.environment,
        "app_connector": ", ".join(ef.app_connectors),
        "connector": ef.connector,
        "connector_type": ef.connector_type,
        "field": ef.field,
        "path": ef.path,
    }


def _evidence(ef: ExposedField, match: Match) -> str:
    parts = [f"{match.tier.value}: {match.reason}"]
    if ef.label and f"label {ef.label!r}" not in match.reason:
        parts.append(f"label {ef.label!r}")
    if ef.source:
        parts.append(f"source {ef.source}")
    if ef.connector_type == "gcn":
        parts.append("in a .gcn definition (not yet imported)")
    elif ef.app_connectors:
        parts.append(f"authorised for {', '.join(ef.app_connectors)}")
    return "; ".join(parts)


@register
class PrivacySensitiveFields(Check):
    """Privacy-sensitive fields exposed without a recorded justification.

    Tiers bank, salary, birth, nationality/gender/civil status and private contact data (the
    privacy dictionary of ``afasgov/audit/privacy.py``), recognised by field id, ``.gcn`` source
    ``System.Table.Field`` and Dutch/English labels. A justification (purpose) in the policy's
    ``justified_fields`` or in an integration manifest's ``justifications`` that names the field
    (id, output name, canonical path or source) clears it. BSN, ID-document and health fields are AC011.
    """

    id = "AC010"
    title = "Privacy-sensitive field without justification"
    severity = Severity.HIGH
    sources = ("b", "c", "e")
    auditor = "AUT-19"
    auditor_coverage = "full"
    remediation = "Remove the field, or record its purpose in the integration manifest's justifications."
    decidable = "partly"
    limits = (
        "Profit's own privacy marking is not in metainfo; recognition uses the §1b dictionary "
        "(field ids, sources, labels), so unusual custom labels can be missed."
    )

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for ef in exposed_fields(ctx):
            if ef.match is None or ef.match.critical:
                continue
            if justification_for(ctx, ef) is not None:
                continue
            yield self.finding(
                f"{ef.match.tier.value} field {ef.field} exposed without a recorded justification",
                evidence=_evidence(ef, ef.match),
                **_where(ef),
            )


@register
class CriticalPersonalData(Check):
    """BSN, ID-document or health fields exposed without a legal basis.

    The BSN may be processed only where a law allows it (consent is not enough); health data is a
    special category. A justification clears these only when it cites a ``legal_basis``.
    """

    id = "AC011"
    title = "BSN / ID-document / health field"
    severity = Severity.CRITICAL
    sources = ("b", "c", "e")
    auditor = "AUT-19 (generic)"
    auditor_coverage = "partial"
    remediation = "Remove the field and key on the employee number; keep it only with a recorded legal basis."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for ef in exposed_fields(ctx):
            if ef.match is None or not ef.match.critical:
                continue
            j = justification_for(ctx, ef)
            if j is not None and j.legal_basis.strip():
                continue
            note = " (justified, but no legal basis recorded)" if j is not None else ""
            yield self.finding(
                f"{ef.match.tier.value} field {ef.field} exposed{note}",
                evidence=_evidence(ef, ef.match),
                **_where(ef),
            )


RIGHTS_FIELDS = frozenset({"awin", "acon", "insi", "upn", "bl"})


@register
class UserTablesReadable(Check):
    """User and authorisation tables readable through a GetConnector.

    ``.gcn`` fields on ``Kn.Usr`` / ``Kn.Grp`` such as ``Awin`` (Profit Windows), ``Acon``, ``InSi``,
    ``Upn`` and ``Bl`` reveal accounts and rights: reconnaissance material.
    """

    id = "AC012"
    title = "User / authorisation tables readable"
    severity = Severity.MEDIUM
    sources = ("b", "c")
    remediation = "Only for IAM integrations; drop the rights flags."
    decidable = "partly"
    limits = "Only `.gcn` definitions show source tables; metainfo of a GetConnector does not."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for s in ctx.definitions:
            d = s.definition
            hits = [
                f
                for f in d.output_fields
                if (f.source_table or "").lower() in ("kn.usr", "kn.grp")
                and (f.source_field or "").lower() in RIGHTS_FIELDS
            ]
            if hits:
                yield self.finding(
                    f"{d.name} exposes user/authorisation fields: "
                    f"{', '.join(f.output_name or f.field_id for f in hits)}",
                    connector=d.name,
                    connector_type="gcn",
                    path=s.rel or d.name,
                    evidence=", ".join(f.source or "" for f in hits),
                )


@register
class SuppliedGetConnector(Check):
    """Supplied ``Profit_`` GetConnector in use.

    Supplied GetConnectors cannot be filtered or trimmed by the administrator and usually carry
    unused fields (Auditor STRUCT-27/28): an authorised ``Profit_…`` id without an own ``.gcn`` in the
    repository. (An own ``.gcn`` named ``Profit_…`` is AC013-name.)
    """

    id = "AC013"
    title = "Supplied Profit_ GetConnector"
    severity = Severity.MEDIUM
    sources = ("a", "c")
    auditor = "STRUCT-27/28"
    auditor_coverage = "full"
    remediation = "Copy it to an own GetConnector named <App>_<Function>, trim fields and add a filter."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        own = {s.definition.name for s in ctx.definitions}
        for snap, scope in ctx.scopes():
            for cid in sorted(scope.get_ids):
                if cid.startswith("Profit_") and cid not in own:
                    yield self.finding(
                        f"supplied GetConnector {cid} is authorised",
                        environment=snap.name,
                        app_connector=scope.name,
                        connector=cid,
                        connector_type="get",
                        path=cid,
                        evidence=f"/metainfo getConnectors contains {cid}",
                    )


@register
class OwnDefinitionNamedProfit(Check):
    """An own ``.gcn`` definition named ``Profit_…``: confusable with AFAS's supplied GetConnectors.

    ``Profit_`` is the prefix of the GetConnectors AFAS supplies (AC013); an own definition with it
    is easily taken for one, in reviews and in the Auditor's report.
    """

    id = "AC013-name"
    title = "Own GetConnector named Profit_"
    severity = Severity.LOW
    sources = ("c",)
    auditor = "STRUCT-27/28"
    auditor_coverage = "full"
    remediation = "Rename it <App>_<Function> (export, rename, import; authorise the new name)."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for s in ctx.definitions:
            d = s.definition
            if d.name.startswith("Profit_"):
                yield self.finding(
                    f"own definition {d.name} uses the Profit_ prefix of supplied connectors",
                    connector=d.name,
                    connector_type="gcn",
                    path=s.rel or d.name,
                    evidence=f".gcn name {d.name}",
                )


@register
class DotInFieldName(Check):
    """A GetConnector field id (output name) contains a dot.

    Dots break URL filters and sorting (``filterfieldids``, ``orderbyfieldids``).
    """

    id = "AC014"
    title = "Field name contains a dot"
    severity = Severity.LOW
    sources = ("b", "c")
    auditor = "STRUCT-29"
    auditor_coverage = "full"
    remediation = "Rename the field's output name without dots."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for ef in exposed_fields(ctx):
            if ef.connector_type in ("get", "gcn") and "." in ef.field:
                yield self.finding(
                    f"field {ef.field!r} contains a dot", evidence=f"field id {ef.field!r}", **_where(ef)
                )


@register
class CustomFields(Check):
    """Custom ("free") fields in use.

    Custom fields (``U`` + 32 hex) exist per environment and carry no documented meaning; they may
    hold privacy-sensitive data the dictionary cannot recognise. One finding per connector.
    """

    id = "AC016"
    title = "Custom / unknown fields"
    severity = Severity.INFO
    sources = ("b", "c")
    auditor = "DATA-23/24"
    auditor_coverage = "full"
    remediation = "Document each custom field; mark privacy-sensitive ones (and justify them)."
    decidable = "partly"
    limits = (
        "'Unknown' fields in AFAS's sense (DATA-23) need Profit's data dictionary; only custom ids are seen."
    )

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        groups: dict[tuple[str, str, str], list[ExposedField]] = {}
        for ef in exposed_fields(ctx):
            fid = ef.field_id or ef.field
            src_field = ef.source.rsplit(".", 1)[-1] if ef.source else ""
            if CUSTOM_FIELD_RE.match(fid) or (src_field and CUSTOM_FIELD_RE.match(src_field)):
                groups.setdefault((ef.environment, ef.connector_type, ef.connector), []).append(ef)
        for (env, kind, cid), efs in sorted(groups.items()):
            yield self.finding(
                f"{len(efs)} custom field(s) in {cid}",
                environment=env,
                app_connector=", ".join(efs[0].app_connectors),
                connector=cid,
                connector_type=kind,
                path=cid,
                evidence=", ".join(f"{e.field} ({e.label})" if e.label else e.field for e in efs[:10])
                + (" …" if len(efs) > 10 else ""),
            )


@register
class OversizedTake(Check):
    """Get-all or oversized ``take``.

    ``skip=-1`` with ``take=-1`` (everything) risks "Out of memory" and Fair-Use blocking; a page should
    stay under 150,000 cells, so the optimal take is 150,000 / number of fields. Declared takes come
    from the policy (``takes``); URLs with ``take=-1`` come from the repository scan.
    """

    id = "AC019"
    title = "Get-all or oversized take"
    severity = Severity.MEDIUM
    sources = ("b", "d")
    auditor_note = "Auditor shows the Optimal take per GetConnector without flagging larger takes"
    auditor_coverage = "partial"
    remediation = "Page with take ≤ 150,000 / fields and a stable orderbyfieldids."
    decidable = "partly"
    limits = "The take an integration really uses is only seen when declared or written in repository files."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        takes = ctx.get_policy().takes
        counts: dict[str, int] = {}
        for snap in ctx.snapshots.values():
            for cid, conn in snap.get_connectors.items():
                counts[cid] = max(counts.get(cid, 0), len(conn.fields))
        for s in ctx.definitions:
            d = s.definition
            counts.setdefault(d.name, len(d.output_fields))
        for cid, take in sorted(takes.items()):
            n = counts.get(cid)
            if take == -1:
                yield self.finding(
                    f"{cid} is read with take=-1 (everything)",
                    connector=cid,
                    connector_type="get",
                    path=cid,
                    evidence=f"policy takes.{cid} = -1",
                    key="all",
                )
            elif n and take > OPTIMAL_TAKE_CELLS // n:
                yield self.finding(
                    f"{cid}: take {take} exceeds the optimal take {OPTIMAL_TAKE_CELLS // n} ({n} fields)",
                    connector=cid,
                    connector_type="get",
                    path=cid,
                    evidence=f"policy takes.{cid} = {take}; {n} fields",
                    key="take",
                )
        if ctx.scan is not None:
            for hit in ctx.scan.hits_of("take-all"):
                yield self.finding(
                    "get-all request (take=-1) in a repository file",
                    connector_type="file",
                    path=hit.location,
                    file=hit.file,
                    line=hit.line,
                    evidence=hit.describe(),
                    key=hit.key,
                )
