"""Secret-scan checks (AC024–AC026): what :mod:`afasgov.secretscan` found in the repository."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from afasgov.audit.context import AuditContext
from afasgov.audit.registry import Check, register
from afasgov.findings import Finding, Severity
from afasgov.secretscan import KIND_TEXT, SECRET_KINDS, ScanHit


def _hit_findings(check: Check, hits: Iterable[ScanHit], message: str) -> Iterator[Finding]:
    for h in hits:
        yield check.finding(
            f"{message}: {KIND_TEXT.get(h.kind, h.kind)}" + (" (git history)" if h.commit else ""),
            connector_type="file",
            path=h.location,
            file=h.file,
            line=h.line,
            evidence=h.describe(),
            key=h.key,
        )


def _require_scan(ctx: AuditContext) -> bool:
    if ctx.scan is None:
        ctx.not_seen("repository secret scan not run (AC024–AC026, AC029 files, AC030 files)")
        return False
    return True


@register
class TokenInFiles(Check):
    """A classic token in plain text in the repository (working tree or git history).

    Token XML, its base64 form, or a 64-hex value next to the word "token". History counts: a token
    removed from the tree is still in every clone. Reported by fingerprint and location only.
    """

    id = "AC024"
    title = "Token in plain text in files"
    severity = Severity.CRITICAL
    sources = ("d",)
    remediation = "Revoke and reissue the token, move it to a secret store; purge it from history."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        if not _require_scan(ctx):
            return
        assert ctx.scan is not None
        hits = [
            h for h in ctx.scan.hits_of("classic-token", "classic-token-b64", "token-hex") if not h.in_log
        ]
        yield from _hit_findings(self, hits, "secret in a repository file")


@register
class TokenNotBase64(Check):
    """A classic token sent as plain text in the header, or in a SOAP body.

    AFAS rejects an ``AfasToken`` header that carries the raw token XML with HTTP 500 from end 2025;
    the token in the SOAP body is being phased out. Base64 of the UTF-8 token XML in
    ``Authorization`` is right.
    """

    id = "AC025"
    title = "Token not base64 / in SOAP body"
    severity = Severity.HIGH
    sources = ("d",)
    remediation = "Send base64(UTF-8 token XML) in the Authorization header (or move to OAuth)."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        if not _require_scan(ctx):
            return
        assert ctx.scan is not None
        yield from _hit_findings(self, ctx.scan.hits_of("plain-header", "soap-token"), "deprecated token use")


@register
class SecretInLogs(Check):
    """A credential in logs, dumps, HAR files or reports (or an ``Authorization`` header anywhere).

    Files under ``log(s)/``, ``reports/``, ``dumps/`` or named ``*.log``, ``*.har``, ``*.out``,
    ``*.dump`` count as logs.
    """

    id = "AC026"
    title = "Token in logs, errors or reports"
    severity = Severity.CRITICAL
    sources = ("d",)
    remediation = "Redact the output, delete the file (and its history), rotate the credential."

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        if not _require_scan(ctx):
            return
        assert ctx.scan is not None
        hits = [h for h in ctx.scan.hits if h.kind in SECRET_KINDS and (h.in_log or h.kind == "auth-header")]
        yield from _hit_findings(self, hits, "credential in output")
