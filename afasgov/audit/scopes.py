"""Checks on App Connector scopes, from ``/metainfo`` (and, for escalation, update metainfo)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from afasgov.audit.context import AuditContext
from afasgov.audit.registry import Check, Where, register
from afasgov.findings import Finding, Severity
from afasgov.model import AppConnectorScope, EnvironmentSnapshot, UpdateConnector
from afasgov.policy import Policy


def _matching(scope: AppConnectorScope, names: Iterable[str], prefixes: Iterable[str] = ()) -> list[str]:
    names = set(names)
    prefixes = tuple(prefixes)
    return sorted(c for c in scope.update_ids if c in names or (prefixes and c.startswith(prefixes)))


def _fields_present(conn: UpdateConnector | None, wanted: set[tuple[str, str]]) -> list[str]:
    """``Object/Field`` paths of ``conn`` whose (last object, field id) is in ``wanted`` (``*`` = any)."""
    if conn is None:
        return []
    found = []
    for path, f in conn.walk():
        obj = path[-1]
        if (obj, f.field_id) in wanted or ("*", f.field_id) in wanted:
            found.append(f"{'/'.join(path)}/{f.field_id}")
    return found


class _WriteScopeCheck(Check):
    """Shared logic: a sensitive UpdateConnector in the scope, unless the policy approves it."""

    connectors: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()

    def describe(
        self, ctx: AuditContext, snap: EnvironmentSnapshot, cid: str
    ) -> tuple[str, str, Severity | None] | None:
        """(message, evidence, severity override) for one matching connector, or None to skip."""
        return f"{cid} write access", f"/metainfo updateConnectors contains {cid}", None

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        policy = ctx.get_policy()
        for snap, scope in ctx.scopes():
            for cid in _matching(scope, self.connectors, self.prefixes):
                if policy.is_approved(cid, snap.name, scope.name, scope.app_name):
                    continue
                described = self.describe(ctx, snap, cid)
                if described is None:
                    continue
                message, evidence, severity = described
                yield self.finding(
                    message,
                    severity=severity,
                    environment=snap.name,
                    app_connector=scope.name,
                    connector=cid,
                    connector_type="update",
                    path=cid,
                    evidence=evidence,
                )


@register
class OverBroad(Check):
    """An App Connector with too many connectors.

    More GetConnectors than the policy maximum (default 10) or more UpdateConnectors than the
    maximum (default 3): every connector widens what a leaked credential can reach. AFAS advises a
    separate App Connector per integration.
    """

    id = "AC001"
    title = "Over-broad App Connector"
    severity = Severity.MEDIUM
    sources = ("a", "e")
    auditor_note = "Auditor lists the connectors, without a limit"
    remediation = "Split the App Connector per integration; drop connectors it does not need."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        policy = ctx.get_policy()
        for snap, scope in ctx.scopes():
            n_get, n_upd = len(scope.get_connectors), len(scope.update_connectors)
            over = []
            if n_get > policy.max_get_connectors:
                over.append(f"{n_get} GetConnectors (max {policy.max_get_connectors})")
            if n_upd > policy.max_update_connectors:
                over.append(f"{n_upd} UpdateConnectors (max {policy.max_update_connectors})")
            if over:
                yield self.finding(
                    "over-broad scope: " + ", ".join(over),
                    environment=snap.name,
                    app_connector=scope.name,
                    connector_type="app-connector",
                    evidence=f"/metainfo lists {n_get} get and {n_upd} update connectors",
                )


@register
class KnUserWrite(_WriteScopeCheck):
    """``KnUser`` write access: privilege escalation.

    With ``KnUser`` an integration can create and unblock users (``MtCd`` 1/6), change passwords
    (5), set the group (``GrId``), grant Profit Windows (``Awin``) or Portal Administrator
    (``PoMa``). Only an approved IAM integration may have it (policy ``approved_write.KnUser``).
    """

    id = "AC005"
    title = "KnUser write access"
    severity = Severity.CRITICAL
    sources = ("a", "b")
    auditor_note = "Auditor lists UpdateConnectors without risk rating"
    auditor_coverage = "partial"
    remediation = "Remove KnUser unless this is the approved IAM integration (record it in the policy)."
    connectors = ("KnUser",)

    def describe(
        self, ctx: AuditContext, snap: EnvironmentSnapshot, cid: str
    ) -> tuple[str, str, Severity | None]:
        rights = _fields_present(
            snap.update_connectors.get(cid), {("*", "Awin"), ("*", "PoMa"), ("*", "GrId"), ("*", "MtCd")}
        )
        evidence = "/metainfo updateConnectors contains KnUser"
        if rights:
            evidence += "; exposes " + ", ".join(rights)
        return "KnUser write access: can create users, reset passwords and grant rights", evidence, None


@register
class PayrollWrite(_WriteScopeCheck):
    """Payroll or salary-account write access: salary diversion.

    ``KnEmployee``, ``KnEmployeeGuid``, ``HrEmpBinMutInSite``, ``HrOnboarding``, ``HrCompMut(GUID)``,
    ``HrEmployeeDeposit``, ``HrVarValue``, ``HrSalTable``. The evidence names the bank/salary
    fields (``AfasBankInfo.Iban/SaAc``, ``AfasSalary.EmSa``) when the update metainfo exposes them.
    """

    id = "AC006"
    title = "Payroll / salary-account write access"
    severity = Severity.CRITICAL
    sources = ("a", "b")
    auditor_note = "Auditor lists UpdateConnectors without risk rating"
    auditor_coverage = "partial"
    remediation = "Drop bank/salary objects; prefer the *InSite connectors (dossier route)."
    connectors = (
        "KnEmployee",
        "KnEmployeeGuid",
        "HrEmpBinMutInSite",
        "HrOnboarding",
        "HrCompMut",
        "HrCompMutGUID",
        "HrCompMutGuid",
        "HrEmployeeDeposit",
        "HrVarValue",
        "HrSalTable",
    )

    def describe(
        self, ctx: AuditContext, snap: EnvironmentSnapshot, cid: str
    ) -> tuple[str, str, Severity | None]:
        money = _fields_present(
            snap.update_connectors.get(cid),
            {("AfasBankInfo", "Iban"), ("AfasBankInfo", "SaAc"), ("AfasSalary", "EmSa"), ("*", "Iban")},
        )
        evidence = f"/metainfo updateConnectors contains {cid}"
        if money:
            evidence += "; exposes " + ", ".join(money)
        return (
            f"{cid} write access (payroll data{', incl. bank/salary fields' if money else ''})",
            evidence,
            None,
        )


@register
class RelationIbanWrite(_WriteScopeCheck):
    """Person/relation write access that includes an IBAN: creditor-IBAN swap (invoice fraud).

    ``KnPerson``, ``KnOrganisation``, ``KnSalesRelationPer/Org``, ``KnPurchaseRelationPer/Org``,
    ``KnDayContract`` — reported only when the update metainfo shows ``KnBankAccount.Iban`` or an
    ``Iban`` field (without update metainfo the report says it could not decide).
    """

    id = "AC007"
    title = "Person/relation write access including IBAN"
    severity = Severity.HIGH
    sources = ("a", "b")
    auditor_note = "Auditor lists UpdateConnectors without risk rating"
    auditor_coverage = "partial"
    remediation = "Restrict the objects; review every IBAN change (four-eyes)."
    connectors = (
        "KnPerson",
        "KnOrganisation",
        "KnSalesRelationPer",
        "KnSalesRelationOrg",
        "KnPurchaseRelationPer",
        "KnPurchaseRelationOrg",
        "KnDayContract",
    )

    def describe(
        self, ctx: AuditContext, snap: EnvironmentSnapshot, cid: str
    ) -> tuple[str, str, Severity | None] | None:
        conn = snap.update_connectors.get(cid)
        if conn is None:
            ctx.not_seen(f"{snap.name}: no update metainfo for {cid}; IBAN exposure (AC007) undecided")
            return None
        iban = _fields_present(conn, {("KnBankAccount", "Iban"), ("*", "Iban")})
        if not iban:
            return None
        return f"{cid} write access can change bank accounts", "exposes " + ", ".join(iban), None


@register
class FinanceWrite(_WriteScopeCheck):
    """Finance write access, and DELETE: ledger integrity; a DELETE is final.

    Finance: ``FiEntries``, ``FiSepaDirectDebit``, ``KnBankTransaction``, ``FiInvoice`` (high). DELETE:
    any other authorised UpdateConnector on which AFAS offers DELETE (medium: a delete cannot be
    undone; allow it only with a waiver). Which connectors offer DELETE comes from AFAS's connector
    catalogue (AFAS's published OpenAPI specs, shipped with afasgov: ``docs/catalogue.md``); for a
    connector the catalogue does not know (custom, or newer than the specs) the report says DELETE
    could not be decided.
    """

    id = "AC008"
    title = "Finance write access / DELETE"
    severity = Severity.HIGH
    sources = ("a", "b")
    auditor_note = "Auditor lists UpdateConnectors without risk rating"
    auditor_coverage = "partial"
    remediation = "Restrict to the finance integration; DELETE only with a waiver."
    connectors = ("FiEntries", "FiSepaDirectDebit", "KnBankTransaction", "FiInvoice")

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        from afasgov import catalogue

        cat = catalogue.load()
        policy = ctx.get_policy()
        for snap, scope in ctx.scopes():
            for cid in sorted(scope.update_ids):
                info = cat.update_connector(cid)
                finance = cid in self.connectors
                deletes = info is not None and info.offers("DELETE")
                if info is None:
                    ctx.not_seen(f"{snap.name}: {cid} is not in AFAS's connector catalogue; whether it offers "
                                 "DELETE (AC008) is undecided")
                if not (finance or deletes) or policy.is_approved(cid, snap.name, scope.name, scope.app_name):
                    continue
                ops = f"AFAS offers {', '.join(info.operations)} on {cid}" if info is not None else ""
                if finance:
                    message = f"{cid} write access" + (" including DELETE (a delete is final)" if deletes else "")
                    severity = None
                else:
                    message = f"{cid} write access includes DELETE (a delete is final)"
                    severity = Severity.MEDIUM
                evidence = f"/metainfo updateConnectors contains {cid}" + (f"; {ops}" if ops else "")
                yield self.finding(
                    message,
                    severity=severity,
                    environment=snap.name,
                    app_connector=scope.name,
                    connector=cid,
                    connector_type="update",
                    path=cid,
                    evidence=evidence,
                )


@register
class HealthWrite(_WriteScopeCheck):
    """Health or absence write access: special-category personal data.

    ``HrIllness`` (and ``…GUID``/``…InSite``), ``HrAbsence*``, ``HrRelative``.
    """

    id = "AC009"
    title = "Health / absence write access"
    severity = Severity.HIGH
    sources = ("a",)
    auditor_note = "Auditor lists UpdateConnectors without risk rating"
    auditor_coverage = "partial"
    remediation = "Only for the absence-management integration (record it in the policy)."
    connectors = ("HrRelative",)
    prefixes = ("HrIllness", "HrAbsence")


_NO_EXPIRY = {"", "0", "none", "null", "never"}


def parse_token_expiry(value: str | None) -> date | str | None:
    """``None`` for "never expires"; a date; or the string ``"?"`` when unreadable."""
    if value is None or str(value).strip().lower() in _NO_EXPIRY:
        return None
    text = str(value).strip()
    for candidate in (text, text.replace("Z", "+00:00")):
        try:
            return datetime.fromisoformat(candidate).date()
        except ValueError:
            continue
    m = re.match(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)  # Dutch d-m-yyyy
    if m:
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            return "?"
    return "?"


def _is_oauth(scope: AppConnectorScope, ctx: AuditContext, env: str) -> bool:
    auth = scope.auth_type
    if not auth:
        cfg = ctx.env_config(env)
        if cfg:
            auth = next((a.auth_type for a in cfg.app_connectors if a.name == scope.name), "")
    return auth == "oauth"


@register
class TokenNeverExpires(Check):
    """The App Connector's token never expires (``info.tokenExpiry`` is ``"0"``/empty).

    A static credential without expiry stays valid after a leak. ``"0"`` meaning "no expiry" is
    inferred from AFAS's spec example. Also reported: an expiry further away than the policy's
    ``limits.max_token_validity_days``. Applies to classic tokens; OAuth access tokens are short-lived
    by design (their client secret's age is AC029).
    """

    id = "AC022"
    title = "Token never expires"
    severity = Severity.HIGH
    sources = ("a",)
    auditor_note = "Auditor shows token age and validity but does not flag a missing expiry"
    auditor_coverage = "partial"
    remediation = "Set a validity on the App Connector's token and reissue it."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        limit = ctx.get_policy().max_token_validity_days
        for snap, scope in ctx.scopes():
            if _is_oauth(scope, ctx, snap.name):
                continue
            expiry = parse_token_expiry(scope.token_expiry)
            where: Where = {"environment": snap.name, "app_connector": scope.name, "connector_type": "app-connector"}
            if expiry is None:
                yield self.finding(
                    "token never expires", evidence=f"info.tokenExpiry = {scope.token_expiry!r}", **where
                )
            elif expiry == "?":
                ctx.not_seen(
                    f"{snap.name}/{scope.name}: info.tokenExpiry {scope.token_expiry!r} not understood"
                )
            elif (
                isinstance(expiry, date) and limit is not None and expiry > ctx.today + timedelta(days=limit)
            ):
                yield self.finding(
                    f"token valid until {expiry.isoformat()}, beyond the policy maximum of {limit} days",
                    evidence=f"info.tokenExpiry = {scope.token_expiry!r}",
                    key="too-long",
                    **where,
                )


@register
class TokenExpiring(Check):
    """The token expires within the warning window (default 30 days) or has expired.

    An expired token is an outage; rotate in time with AFAS's 4-step procedure.
    """

    id = "AC023"
    title = "Token expiring"
    severity = Severity.MEDIUM
    sources = ("a",)
    auditor_note = "Auditor shows token validity but does not warn before expiry"
    auditor_coverage = "partial"
    remediation = "Rotate the token (4-step procedure) before it expires."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        days = ctx.get_policy().token_expiry_warning_days
        for snap, scope in ctx.scopes():
            expiry = parse_token_expiry(scope.token_expiry)
            if not isinstance(expiry, date):
                continue
            if expiry < ctx.today:
                msg = f"token expired on {expiry.isoformat()}"
            elif expiry < ctx.today + timedelta(days=days):
                msg = f"token expires on {expiry.isoformat()} ({(expiry - ctx.today).days} days)"
            else:
                continue
            yield self.finding(
                msg,
                environment=snap.name,
                app_connector=scope.name,
                connector_type="app-connector",
                evidence=f"info.tokenExpiry = {scope.token_expiry!r}",
            )


@register
class SameNameAcrossEnvironments(Check):
    """The same App Connector name (``info.appName``) in production and a test/accept environment.

    Identical names invite mis-routing and revoking the wrong token.
    """

    id = "AC033"
    title = "Same App Connector name across environments"
    severity = Severity.LOW
    sources = ("a",)
    remediation = "Suffix App Connector names per environment (-PRD / -TST / -ACC)."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        seen: dict[str, list[tuple[str, str, str]]] = {}
        for snap, scope in ctx.scopes():
            if scope.app_name:
                kind = snap.type or (ctx.env_config(snap.name).type if ctx.env_config(snap.name) else "")  # type: ignore[union-attr]
                seen.setdefault(scope.app_name, []).append((snap.name, kind or "", scope.name))
        for app_name, uses in sorted(seen.items()):
            envs = {u[0] for u in uses}
            kinds = {u[1] for u in uses}
            if len(envs) > 1 and "production" in kinds and kinds - {"production"}:
                for env, _, name in uses:
                    yield self.finding(
                        f"appName {app_name!r} is used in {', '.join(sorted(envs))}",
                        environment=env,
                        app_connector=name,
                        connector_type="app-connector",
                        evidence=f"info.appName {app_name!r}",
                    )


__all__ = ["Policy", "parse_token_expiry"]
