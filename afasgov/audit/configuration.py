"""Checks on afasgov's own configuration: credentials, hosts, TLS, environment separation.

"Today" is the audit's run date (injectable: ``--as-of`` / ``AuditContext.today``), so the
classic-token phase-out findings change on their own as AFAS's dates approach.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from urllib.parse import urlsplit

from afasgov.audit.context import AuditContext, EnvConfig
from afasgov.audit.registry import Check, Where, register
from afasgov.findings import Finding, Severity
from afasgov.policy import Policy
from afasgov.secretscan import KIND_TEXT

#: AFAS: existing classic tokens expire on 2027-05-01; App Connectors with classic tokens stop
#: working after 2027-08-31 ([AUTH9]).
CLASSIC_EXPIRY = date(2027, 5, 1)
CLASSIC_CUTOFF = date(2027, 8, 31)
MIGRATION_WINDOW_DAYS = 180
AFAS_HOST_RE = re.compile(r"^(\d{5})\.(rest|resttest|restaccept|restcursus|soap)\.afas\.online$")
HOST_KIND = {
    "rest": "production",
    "resttest": "test",
    "restaccept": "accept",
    "restcursus": "training",
    "soap": "production",
}
ENVID_KIND = {"O": "production", "T": "test", "A": "accept"}
INTEGRATION_ID_RE = re.compile(r"^\d+_\d+$")


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def effective_url(env: EnvConfig) -> str:
    """The base URL the client uses: the override, or the AFAS URL for tenant and type."""
    if env.base_url:
        return env.base_url
    sub = {"production": "rest", "test": "resttest", "accept": "restaccept"}.get(env.type, "rest")
    return f"https://{env.tenant}.{sub}.afas.online/ProfitRestServices" if env.tenant else ""


def _host(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower()


def _credentials(ctx: AuditContext) -> Iterator[tuple[str, str, str, str]]:
    """(environment, App Connector, auth type, method) from config, plus snapshot-only ones."""
    seen: set[tuple[str, str]] = set()
    for env in ctx.environments:
        for ac in env.app_connectors:
            seen.add((env.name, ac.name))
            yield env.name, ac.name, ac.auth_type, ac.method
    for snap, scope in ctx.scopes():
        if (snap.name, scope.name) not in seen and scope.auth_type:
            yield snap.name, scope.name, scope.auth_type, ""


@register
class CredentialHygiene(Check):
    """Classic tokens against AFAS's phase-out, OAuth client-secret age, secrets in files.

    * A classic (or hybrid) App Connector: classic tokens expire on 2027-05-01 and stop working
      after 2027-08-31. *critical* after the cut-off, *high* after expiry or within 180 days of
      it, *medium* before.
    * OAuth with a client secret: the secret's issue date (config ``secret_issued`` or policy
      ``oauth_secrets``) against its validity (default 180 days): *high* when past, *medium*
      within 30 days.
    * A client secret or private key written in a repository file (secret scan).
    """

    id = "AC029"
    title = "Classic token / OAuth secret hygiene"
    severity = Severity.HIGH
    sources = ("d", "e")
    remediation = "Migrate to OAuth (private_key_jwt preferred); rotate client secrets within their validity."
    decidable = "partly"
    limits = "A client secret's issue date is not in metainfo: it comes from the config or the policy."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        policy = ctx.get_policy()
        for env, name, auth, method in _credentials(ctx):
            where: Where = {"environment": env, "app_connector": name, "connector_type": "config"}
            if auth in ("classic", "hybrid"):
                yield self._classic(ctx.today, auth, where)
            if auth in ("oauth", "hybrid") and method != "private_key_jwt":
                yield from self._secret_age(ctx, policy, env, name, where)
        if ctx.scan is not None:
            for h in ctx.scan.hits_of("client-secret", "private-key"):
                if not h.in_log:
                    yield self.finding(
                        f"{KIND_TEXT[h.kind]} in a repository file" + (" (git history)" if h.commit else ""),
                        connector_type="file",
                        path=h.location,
                        file=h.file,
                        line=h.line,
                        evidence=h.describe(),
                        key=h.key,
                    )

    def _classic(self, today: date, auth: str, where: Where) -> Finding:
        if today > CLASSIC_CUTOFF:
            sev, msg = (
                Severity.CRITICAL,
                "classic token: App Connectors with classic tokens stopped working after 2027-08-31",
            )
        elif today >= CLASSIC_EXPIRY:
            sev, msg = (
                Severity.HIGH,
                (
                    f"classic token expired on 2027-05-01; the App Connector stops working after "
                    f"2027-08-31 ({(CLASSIC_CUTOFF - today).days} days)"
                ),
            )
        else:
            days = (CLASSIC_EXPIRY - today).days
            sev = Severity.HIGH if days <= MIGRATION_WINDOW_DAYS else Severity.MEDIUM
            msg = f"classic token expires on 2027-05-01 ({days} days); migrate to OAuth"
        return self.finding(
            msg,
            severity=sev,
            key="classic",
            evidence=f"auth type {auth}; run date {today.isoformat()}",
            **where,
        )

    def _secret_age(
        self, ctx: AuditContext, policy: Policy, env: str, name: str, where: Where
    ) -> Iterator[Finding]:
        cfg = ctx.env_config(env)
        ac = next((a for a in cfg.app_connectors if a.name == name), None) if cfg else None
        issued, validity = (ac.secret_issued, ac.secret_validity_days) if ac else (None, None)
        declared = Policy.lookup(policy.oauth_secrets, env, name)
        if issued is None and declared:
            issued, validity = declared[0], validity or declared[1]
        if issued is None:
            ctx.not_seen(
                f"{env}/{name}: OAuth client secret issue date unknown (AC029); declare it in the policy"
            )
            return
        validity = validity or policy.secret_validity_days
        ends = issued + timedelta(days=validity)
        evidence = f"secret issued {issued.isoformat()}, validity {validity} days"
        if ctx.today >= ends:
            yield self.finding(
                f"client secret expired on {ends.isoformat()}", key="secret-age", evidence=evidence, **where
            )
        elif ctx.today >= ends - timedelta(days=30):
            yield self.finding(
                f"client secret expires on {ends.isoformat()} ({(ends - ctx.today).days} days)",
                severity=Severity.MEDIUM,
                key="secret-age",
                evidence=evidence,
                **where,
            )


@register
class WeakTransport(Check):
    """Plain ``http``, TLS verification off or TLS below 1.2.

    AFAS requires TLS 1.2. Checked in the configuration (``base_url``, ``verify_tls``,
    ``tls_min_version``; ``http`` is accepted only for loopback hosts, i.e. the simulator) and in
    repository files (``verify`` disabled, a PowerShell security-protocol setting that still allows
    TLS 1.0/1.1, curl's insecure flag, plain-http AFAS URLs …).
    """

    id = "AC030"
    title = "TLS < 1.2, http, or no certificate verification"
    severity = Severity.HIGH
    sources = ("d",)
    remediation = "Use https with TLS ≥ 1.2 and certificate validation."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for env in ctx.environments:
            url = effective_url(env)
            scheme, host = _host(url)
            where: Where = {"environment": env.name, "connector_type": "config", "path": f"environments.{env.name}"}
            if scheme == "http" and not is_loopback(host):
                yield self.finding("base URL uses http", key="http", evidence=f"base_url {url}", **where)
            if env.verify_tls is False:
                yield self.finding(
                    "certificate verification is off", key="verify", evidence="verify_tls: false", **where
                )
            if env.tls_min_version and re.match(
                r"^(?:tls)?v?1(?:\.[01])?$|^ssl", env.tls_min_version.lower()
            ):
                yield self.finding(
                    f"minimum TLS version {env.tls_min_version}",
                    key="tls-min",
                    evidence=f"tls_min_version: {env.tls_min_version}",
                    **where,
                )
        if ctx.scan is not None:
            for h in ctx.scan.hits_of("tls-weak", "http-afas"):
                yield self.finding(
                    f"{KIND_TEXT[h.kind]} in a repository file",
                    connector_type="file",
                    path=h.location,
                    file=h.file,
                    line=h.line,
                    evidence=h.describe(),
                    key=h.key,
                )


@register
class NonAfasHost(Check):
    """The base URL's host is not an AFAS Online host.

    Allowed: ``<5 digits>.(rest|resttest|restaccept|restcursus|soap).afas.online`` (the SOAP
    test/accept names are unverified). A token sent elsewhere is a token given away. Loopback hosts
    (the simulator) are noted, not reported.
    """

    id = "AC031"
    title = "Non-AFAS host"
    severity = Severity.HIGH
    sources = ("d",)
    remediation = "Use the AFAS Online URL of the environment; pin it (no overrides in production)."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for env in ctx.environments:
            url = effective_url(env)
            if not url:
                continue
            _, host = _host(url)
            if is_loopback(host):
                ctx.not_seen(f"{env.name}: loopback base URL (simulator or test): host checks skipped")
                continue
            if not AFAS_HOST_RE.fullmatch(host):
                yield self.finding(
                    f"host {host!r} is not an AFAS Online host",
                    environment=env.name,
                    connector_type="config",
                    path=f"environments.{env.name}.base_url",
                    evidence=f"base_url {url}",
                )


@register
class EnvironmentMixUp(Check):
    """Configuration and environment disagree: production data or credentials in the wrong place.

    * the configured type does not match the host (``test`` on ``.rest.``) or the ``envid`` letter
      (O production, T test, A accept) of a snapshot;
    * the tenant does not match the host's or ``envid``'s number;
    * the same credential source (environment variable or file) in production and another
      environment.
    """

    id = "AC032"
    title = "Environment mix-up"
    severity = Severity.HIGH
    sources = ("a", "d")
    remediation = "Separate tokens and configurations per environment."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        for env in ctx.environments:
            where: Where = {
                "environment": env.name,
                "connector_type": "environment",
                "path": f"environments.{env.name}",
            }
            _, host = _host(effective_url(env))
            m = AFAS_HOST_RE.fullmatch(host)
            if m:
                kind = HOST_KIND[m.group(2)]
                if env.type and kind not in (env.type, "training"):
                    yield self.finding(
                        f"configured as {env.type} but the host is a {kind} host",
                        key="host-type",
                        evidence=f"host {host}",
                        **where,
                    )
                if env.tenant and m.group(1) != env.tenant:
                    yield self.finding(
                        f"tenant {env.tenant} but the host is environment {m.group(1)}",
                        key="host-tenant",
                        evidence=f"host {host}",
                        **where,
                    )
        for name in sorted(ctx.snapshots):
            snap = ctx.snapshots[name]
            cfg = ctx.env_config(name)
            declared = (cfg.type if cfg else "") or snap.type
            tenant = (cfg.tenant if cfg else "") or snap.tenant
            envids = {snap.envid} | {s.envid for s in snap.app_connectors.values()}
            for envid in sorted(e for e in envids if e):
                env_kind = ENVID_KIND.get(envid[0].upper())
                where = {"environment": name, "connector_type": "environment", "path": name}
                if env_kind and declared and env_kind != declared:
                    yield self.finding(
                        f"declared {declared} but info.envid {envid!r} is a {env_kind} environment",
                        key=f"envid-type:{envid}",
                        evidence=f"info.envid {envid!r}",
                        **where,
                    )
                digits = re.search(r"\d+", envid)
                if tenant and digits and tenant not in digits.group(0):
                    yield self.finding(
                        f"tenant {tenant} but info.envid {envid!r}",
                        key=f"envid-tenant:{envid}",
                        evidence=f"info.envid {envid!r}",
                        **where,
                    )
        refs: dict[str, list[tuple[str, str, str]]] = {}
        for env in ctx.environments:
            for ac in env.app_connectors:
                if ac.secret_ref:
                    refs.setdefault(ac.secret_ref, []).append((env.name, env.type, ac.name))
        for ref, uses in sorted(refs.items()):
            kinds = {u[1] for u in uses}
            if len({u[0] for u in uses}) > 1 and "production" in kinds and kinds - {"production"}:
                env_name, _, ac_name = next(u for u in uses if u[1] == "production")
                yield self.finding(
                    "the same credential is configured for production and "
                    + ", ".join(sorted({u[0] for u in uses if u[1] != "production"})),
                    environment=env_name,
                    app_connector=ac_name,
                    connector_type="config",
                    key=f"shared-secret:{ref}",
                    evidence=f"secret source {ref.split(':', 1)[0]} shared by "
                    + ", ".join(f"{u[0]}/{u[2]}" for u in uses),
                )


@register
class MissingIntegrationId(Check):
    """A partner's configuration lacks the ``IntegrationId`` header (or it is malformed).

    Partners send ``IntegrationId: <subscription>_<project>`` for traceability; set ``partner: true``
    in the policy to require it.
    """

    id = "AC037"
    title = "IntegrationId missing (partner)"
    severity = Severity.INFO
    sources = ("d", "e")
    remediation = "Set integration_id: <subscription>_<project> for the environment."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        partner = ctx.get_policy().partner
        for env in ctx.environments:
            where: Where = {
                "environment": env.name,
                "connector_type": "config",
                "path": f"environments.{env.name}.integration_id",
            }
            if env.integration_id and not INTEGRATION_ID_RE.fullmatch(env.integration_id):
                yield self.finding(
                    f"IntegrationId {env.integration_id!r} is not <subscription>_<project>",
                    key="malformed",
                    evidence=f"integration_id {env.integration_id!r}",
                    **where,
                )
            elif partner and not env.integration_id:
                yield self.finding(
                    "no IntegrationId configured (partner)", evidence="integration_id: null", **where
                )
