"""Policy checks (AC002–AC004, AC027, AC031–AC033, AC035, AC036): allow-lists and what the API cannot show.

The organisation policy itself (``definitions/policy.yaml``: limits, allow-lists, IP rules, the token
list, …) is parsed by :mod:`afasgov.policy`; integration manifests add what each integration uses.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from datetime import timedelta

from afasgov.audit.context import AuditContext, Manifest
from afasgov.audit.registry import Check, Where, register
from afasgov.findings import Finding, Severity
from afasgov.model import AppConnectorScope, EnvironmentSnapshot
from afasgov.policy import AFAS_CONNECT_IPS, Policy


# ------------------------------------------------------------------------------ allow-list sets
def _allowed(
    ctx: AuditContext, snap: EnvironmentSnapshot, scope: AppConnectorScope
) -> tuple[set[str] | None, set[str], set[str], set[str], list[Manifest]]:
    """(allowed ids or None when nothing is declared, wildcard kinds, policy ids, manifest ids, manifests)."""
    policy = ctx.get_policy()
    declared = Policy.lookup(policy.allow, snap.name, scope.name, scope.app_name)
    manifests = ctx.manifests_for(snap.name, scope.name, scope.app_name)
    if declared is None and not manifests:
        return None, set(), set(), set(), []
    policy_ids: set[str] = set()
    wild: set[str] = set()
    if declared:
        policy_ids = set(declared.get("get", ())) | set(declared.get("update", ()))
        if "*" in declared.get("get", ()):
            wild.add("get")
            policy_ids.discard("*")
    used: set[str] = set()
    for m in manifests:
        used |= set(m.connector_ids)
    return policy_ids | used, wild, policy_ids, used, manifests


@register
class AuthorisedNotDeclared(Check):
    """Connector authorised on the App Connector but declared nowhere.

    The allow-list of an App Connector is the union of its ``allow`` entry in the policy and the
    ``uses`` of every integration manifest bound to it. A connector in ``/metainfo`` outside that
    list is undeclared access: *high* for an UpdateConnector, *medium* for a GetConnector. App
    Connectors with neither a policy entry nor a manifest are not judged (the report says so).
    """

    id = "AC002"
    title = "Connector not on the allow-list"
    severity = Severity.HIGH
    sources = ("a", "e")
    remediation = (
        "Remove the connector from the App Connector, or declare it (policy allow-list or manifest) "
        "with its purpose."
    )
    decidable = "policy"
    limits = "Needs a policy `allow` entry or an integration manifest bound to the App Connector."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for snap, scope in ctx.scopes():
            allowed, wild, _, _, _ = _allowed(ctx, snap, scope)
            if allowed is None:
                ctx.not_seen(
                    f"{snap.name}/{scope.name}: no policy allow-list or integration manifest; "
                    "allow-list checks (AC002–AC004) skipped"
                )
                continue
            for kind, ids in (("update", scope.update_ids), ("get", scope.get_ids)):
                if kind in wild:
                    continue
                for cid in sorted(ids - allowed):
                    yield self.finding(
                        f"{kind} connector {cid} is authorised but not declared by policy or any manifest",
                        severity=Severity.HIGH if kind == "update" else Severity.MEDIUM,
                        environment=snap.name,
                        app_connector=scope.name,
                        connector=cid,
                        connector_type=kind,
                        path=cid,
                        evidence=f"/metainfo {kind}Connectors contains {cid}",
                    )


@register
class DeclaredNotAuthorised(Check):
    """Connector declared (policy or manifest) but not authorised: stale declaration.

    An integration that declares a connector the App Connector cannot use will fail at run time,
    or the declaration is out of date.
    """

    id = "AC003"
    title = "Policy drift: declared but not authorised"
    severity = Severity.INFO
    sources = ("a", "e")
    remediation = "Update the policy or manifest, or authorise the connector if the integration needs it."
    decidable = "policy"
    limits = "Needs a policy `allow` entry or an integration manifest bound to the App Connector."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for snap, scope in ctx.scopes():
            allowed, _, _, _, _ = _allowed(ctx, snap, scope)
            if allowed is None:
                continue
            for cid in sorted(allowed - scope.get_ids - scope.update_ids):
                yield self.finding(
                    f"{cid} is declared but not authorised on the App Connector",
                    environment=snap.name,
                    app_connector=scope.name,
                    connector=cid,
                    connector_type="policy",
                    path=cid,
                    evidence=f"declared for {scope.name}; absent from /metainfo",
                )


@register
class AuthorisedUnused(Check):
    """Connector authorised (and allowed by policy) but used by no integration manifest.

    Dormant access widens what a leaked credential can reach. Applies to App Connectors bound to
    at least one manifest; connectors the policy allows but no manifest uses are reported.
    """

    id = "AC004"
    title = "Authorised but unused connector"
    severity = Severity.MEDIUM
    sources = ("a", "d", "e")
    auditor_note = "Auditor flags only tokens unused for more than 3 months"
    remediation = "Remove the connector from the App Connector."
    decidable = "policy"
    limits = "Needs integration manifests; use outside declared integrations cannot be seen."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for snap, scope in ctx.scopes():
            allowed, _, policy_ids, used, manifests = _allowed(ctx, snap, scope)
            if allowed is None or not manifests:
                continue
            for cid in sorted((scope.get_ids | scope.update_ids) & policy_ids - used):
                kind = "update" if cid in scope.update_ids else "get"
                yield self.finding(
                    f"{cid} is authorised and allowed, but no integration manifest uses it",
                    environment=snap.name,
                    app_connector=scope.name,
                    connector=cid,
                    connector_type=kind,
                    path=cid,
                    evidence=f"manifests bound: {', '.join(m.name for m in manifests)}",
                )


@register
class SharedAppConnector(Check):
    """One App Connector shared by several integrations.

    Several manifests bound to the same App Connector, or two configured App Connectors of one
    environment reporting the same ``info.appName``, mean no separation and no per-integration
    revocation.
    """

    id = "AC028"
    title = "App Connector shared by integrations"
    severity = Severity.HIGH
    sources = ("a", "d", "e")
    auditor_note = "Auditor flags more than one user in a group, not a shared App Connector"
    auditor_coverage = "partial"
    remediation = "One App Connector and one system user per integration."
    decidable = "partly"
    limits = (
        "Token hashes are not compared (afasgov never reads secrets for an audit); "
        "uses manifests and appName."
    )

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for snap in (ctx.snapshots[k] for k in sorted(ctx.snapshots)):
            by_app: dict[str, list[str]] = {}
            for name in sorted(snap.app_connectors):
                scope = snap.app_connectors[name]
                if scope.app_name:
                    by_app.setdefault(scope.app_name, []).append(name)
                users = [m.name for m in ctx.manifests_for(snap.name, name, scope.app_name)]
                if len(users) > 1:
                    yield self.finding(
                        f"{len(users)} integrations share this App Connector: {', '.join(users)}",
                        environment=snap.name,
                        app_connector=name,
                        connector_type="app-connector",
                        evidence=f"manifests {', '.join(users)} name {name}",
                    )
            for app_name, names in sorted(by_app.items()):
                if len(names) > 1:
                    yield self.finding(
                        f"configured App Connectors {', '.join(names)} are the same App "
                        f"Connector {app_name!r}",
                        environment=snap.name,
                        app_connector=names[0],
                        connector_type="app-connector",
                        key=app_name,
                        evidence=f"info.appName {app_name!r} for {', '.join(names)}",
                    )


@register
class TokenList(Check):
    """Several, stale or old tokens on one App Connector.

    The token list is not visible through the API; declare it in the policy (``tokens``). More than
    one token, a token unused for more than 3 months or issued more than 12 months ago is reported.
    """

    id = "AC027"
    title = "Multiple, stale or old tokens"
    severity = Severity.MEDIUM
    sources = ("e",)
    auditor_note = "Auditor reports multiple, unused and old tokens of the App Connector"
    auditor_coverage = "full"
    remediation = "Delete extra tokens; rotate yearly (4-step procedure)."
    decidable = "policy"
    limits = (
        "The token list is not exposed by the REST API: only the policy's `tokens` declaration is checked."
    )

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        policy = ctx.get_policy()
        if policy.tokens is None:
            ctx.not_seen("token lists (AC027): not visible through the API and not declared in the policy")
            return
        for snap, scope in ctx.scopes():
            tokens = Policy.lookup(policy.tokens, snap.name, scope.name, scope.app_name)
            if tokens is None:
                ctx.not_seen(f"{snap.name}/{scope.name}: token list not declared (AC027)")
                continue
            where: Where = {"environment": snap.name, "app_connector": scope.name, "connector_type": "app-connector"}
            if len(tokens) > 1:
                yield self.finding(
                    f"{len(tokens)} tokens on one App Connector",
                    key="count",
                    evidence=f"policy tokens: {len(tokens)}",
                    **where,
                )
            for i, t in enumerate(tokens):
                if t.last_used and ctx.today - t.last_used > timedelta(days=92):
                    yield self.finding(
                        f"token {i + 1} unused since {t.last_used.isoformat()}",
                        key=f"stale{i}",
                        evidence=f"last_used {t.last_used.isoformat()}",
                        **where,
                    )
                if t.issued and ctx.today - t.issued > timedelta(days=365):
                    yield self.finding(
                        f"token {i + 1} issued {t.issued.isoformat()} (more than 12 months ago)",
                        key=f"old{i}",
                        evidence=f"issued {t.issued.isoformat()}",
                        **where,
                    )


def _ip_rules_for(
    ctx: AuditContext, snap: EnvironmentSnapshot, scope: AppConnectorScope
) -> tuple[str, ...] | None:
    rules: tuple[str, ...] | None = Policy.lookup(
        ctx.get_policy().ip_rules, snap.name, scope.name, scope.app_name
    )
    return rules


@register
class NoIpRestriction(Check):
    """App Connector without a declared IP restriction.

    IP rules are not visible through the API. With an ``ip_rules`` section in the policy, an App
    Connector without rules is reported; without the section nothing can be decided (the report
    says so). A live probe from a non-listed host (403 expected) is not part of the audit.
    """

    id = "AC034"
    title = "No IP restriction"
    severity = Severity.MEDIUM
    sources = ("e",)
    auditor_note = "Auditor reports an App Connector without IP restriction"
    auditor_coverage = "full"
    remediation = "Allow-list the integration supplier's egress IPs on the App Connector (AFAS Online only)."
    decidable = "policy"
    limits = "IP rules are not exposed by the REST API: only the policy's `ip_rules` declaration is checked."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        if ctx.get_policy().ip_rules is None:
            ctx.not_seen("IP rules (AC034/AC035): not visible through the API and not declared in the policy")
            return
        for snap, scope in ctx.scopes():
            if not _ip_rules_for(ctx, snap, scope):
                yield self.finding(
                    "no IP restriction declared for this App Connector",
                    environment=snap.name,
                    app_connector=scope.name,
                    connector_type="app-connector",
                    evidence="policy ip_rules has no entry",
                )


@register
class AfasConnectIps(Check):
    """AFAS Connect test IPs still allowed after go-live.

    ``52.174.142.76`` and ``52.174.142.140`` are needed only while testing with AFAS Connect; after
    go-live (policy ``go_live`` date passed, or a production environment) they must be removed.
    """

    id = "AC035"
    title = "AFAS Connect IPs allowed after test"
    severity = Severity.MEDIUM
    sources = ("e",)
    auditor_note = "Auditor reports the AFAS Connect IPs still allowed after testing"
    auditor_coverage = "full"
    remediation = "Remove the AFAS Connect IP rules."
    decidable = "policy"
    limits = "IP rules come from the policy only."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        policy = ctx.get_policy()
        if policy.ip_rules is None:
            return
        for snap, scope in ctx.scopes():
            rules = _ip_rules_for(ctx, snap, scope) or ()
            connect = [
                r
                for r in rules
                if any(
                    ipaddress.ip_address(ip) in ipaddress.ip_network(r, strict=False)
                    for ip in AFAS_CONNECT_IPS
                )
            ]
            if not connect:
                continue
            live = Policy.lookup(policy.go_live, snap.name, scope.name, scope.app_name)
            is_live = (live is not None and live <= ctx.today) or (live is None and snap.type == "production")
            if is_live:
                yield self.finding(
                    f"AFAS Connect IP rule(s) {', '.join(connect)} still allowed after go-live",
                    environment=snap.name,
                    app_connector=scope.name,
                    connector_type="app-connector",
                    evidence=f"go_live {live.isoformat() if live else '(production)'}",
                )


GROUP_USER_RE = re.compile(r"\(([^()\s]+)\)\s*$")


@register
class NotSystemUser(Check):
    """The App Connector's user is not a dedicated system user.

    ``info.group`` looks like ``AuthorizationGroup 101 (12345.USER)``; the part in brackets is taken
    as the user (format inferred from AFAS's example). It must be in the policy's
    ``system_users``.
    """

    id = "AC036"
    title = "Connector user not a dedicated system user"
    severity = Severity.MEDIUM
    sources = ("a", "e")
    auditor_note = "Auditor reports connector users that are not dedicated system users"
    auditor_coverage = "full"
    remediation = "Use a dedicated system user without Profit Windows access."
    decidable = "policy"
    limits = "Needs the policy's `system_users`; the group string format is inferred."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        users = ctx.get_policy().system_users
        if users is None:
            ctx.not_seen("system users (AC036): not declared in the policy")
            return
        for snap, scope in ctx.scopes():
            m = GROUP_USER_RE.search(scope.group or "")
            if not m:
                if scope.group:
                    ctx.not_seen(f"{snap.name}/{scope.name}: user not recognisable in info.group")
                continue
            if m.group(1) not in users:
                yield self.finding(
                    f"user {m.group(1)} is not a declared system user",
                    environment=snap.name,
                    app_connector=scope.name,
                    connector_type="app-connector",
                    evidence=f"info.group {scope.group!r}",
                )


