"""``afasgov audit``: run the security checks, apply waivers, render, write; return the exit code."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from afasgov import __version__
from afasgov.audit.findings import audit_json
from afasgov.audit.registry import all_checks
from afasgov.audit.runner import AuditResult, default_scan_excludes, rules_hash, run_audit
from afasgov.errors import UsageError
from afasgov.findings import Finding, parse_fail_on
from afasgov.report import InputRef, ReportMeta, RuleInfo, emit
from afasgov.report.paths import portable_paths
from afasgov.waivers import WaiverNote, WaiverSet, load_waivers


def auditor_note(ref: str) -> str:
    """``auditor_ref`` as a line of a report: "AFAS Auditor: AUT-19", or "AFAS Auditor lists …" where the
    reference describes what the Auditor does."""
    if not ref:
        return ""
    return f"AFAS {ref}" if ref.startswith("Auditor ") else f"AFAS Auditor: {ref}"


def details(f: Finding) -> tuple[str, ...]:
    """The line under an audit finding's text: its check's title and the AFAS Auditor reference."""
    return (f.title + (f"; {auditor_note(f.reference)}" if f.reference else ""),)


def to_document(
    result: AuditResult, *, fail_on: str = "ERR", waivers: WaiverSet | None = None
) -> tuple[list[Finding], ReportMeta]:
    """The findings (waivers from ``result.waivers_path`` unless ``waivers`` is given) and the report of one
    audit. A finding's ``path`` is ``<environment>/<App Connector>/<canonical path>`` (or ``file:line``):
    what every format shows and what waiver path patterns match, exactly as in ``afasgov release-check``."""
    checks = result.checks or all_checks()
    rules = {
        c.id: RuleInfo(
            id=c.id, level=c.severity.level, title=c.title, help=c.doc().split("\n\n")[0].replace("\n", " ")
        )
        for c in checks
    }
    policy = result.policy
    meta = ReportMeta(
        kind="audit",
        title="afasgov security audit",
        items_key="findings",
        item_json=audit_json,
        details=details,
        header={
            "as_of": result.today.isoformat(),
            "environments": ", ".join(result.environments) or "-",
            "checks": len(checks),
            "rules_hash": rules_hash(checks),
        },
        inputs=[InputRef(name=n, location=loc, sha256=sha) for n, loc, sha in result.inputs],
        rules=rules,
        notes=[f"not seen: {n}" for n in result.not_seen],
        fail_on=fail_on,
        extra_json={
            "checked": result.checked,
            "not_seen": result.not_seen,
            "policy_sha256": ("sha256:" + policy.sha256) if policy is not None and policy.sha256 else None,
            "tool_version": __version__,
        },
    )
    if waivers is None:
        waivers = load_waivers(result.waivers_path)
    findings, notes = waivers.waive(result.findings, result.today, rule_ids={c.id for c in all_checks()})
    if result.root is not None:
        portable = portable_paths(result.root)
        notes = [WaiverNote(n.status, n.waiver, n.matched, portable(n.source)) for n in notes]
    meta.waiver_notes = notes
    return findings, meta


def audit_command(
    app: Any,
    envs: Sequence[str],
    *,
    fmt: str,
    output: Path | None,
    fail_on: str,
    as_of: str | None,
    secret_scan: bool,
    history: bool,
    scan_timeout: float,
    policy: Path | None,
    gcn: Sequence[Path],
    only: Sequence[str],
    skip: Sequence[str],
    waivers: Path | None = None,
    scan_exclude: Sequence[str] = (),
    default_excludes: bool = True,
) -> int:
    """``afasgov audit``: run, render, write; return the exit code (0 / 1).

    ``waivers`` replaces the configured waivers file (as for ``diff`` and ``validate``);
    ``scan_exclude`` adds paths the secret scan leaves out, to the defaults unless
    ``default_excludes`` is false."""
    level = parse_fail_on(fail_on)
    today = None
    if as_of:
        try:
            today = date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
    if scan_timeout <= 0:
        raise UsageError("--scan-timeout must be positive")
    config = app.config()
    excludes = [*(default_scan_excludes(config) if default_excludes else []), *scan_exclude]
    waiver_set = load_waivers(waivers, required=True) if waivers is not None else None
    result = run_audit(
        config,
        list(envs),
        today=today,
        scan=secret_scan,
        history=history,
        scan_budget=scan_timeout,
        policy_path=policy,
        gcn_paths=list(gcn),
        only=list(only),
        skip=list(skip),
        scan_exclude=excludes,
    )
    findings, meta = to_document(result, fail_on=level, waivers=waiver_set)
    return emit(findings, meta, fmt, output, app.emit, color=bool(getattr(app, "color", False)) and sys.stdout.isatty(),
                quiet=app.quiet)


__all__ = ["audit_command", "auditor_note", "details", "to_document"]
