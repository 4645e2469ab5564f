"""``afasgov audit``: run the security checks, apply waivers, render, write; return the exit code."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov import __version__
from afasgov.audit.findings import audit_json
from afasgov.audit.registry import all_checks
from afasgov.audit.runner import AuditResult, default_scan_excludes, rules_hash, run_audit
from afasgov.commands.summary import RunSummary
from afasgov.errors import UsageError
from afasgov.findings import Finding, parse_fail_on
from afasgov.levels import LevelOverrides, settle
from afasgov.locate import Locator
from afasgov.paths import portable_paths
from afasgov.report import InputRef, ReportMeta, RuleInfo, emit
from afasgov.report.ruledocs import documented
from afasgov.waivers import WaiverNote, WaiverSet, load_waivers

if TYPE_CHECKING:
    from afasgov.app import AppContext


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
    result: AuditResult, *, fail_on: str = "ERR", waivers: WaiverSet | None = None,
    levels: LevelOverrides | None = None, locator: Locator | None = None,
) -> tuple[list[Finding], ReportMeta]:
    """The findings (waivers from ``result.waivers_path`` unless ``waivers`` is given) and the report of one
    audit. A finding's ``path`` is ``<environment>/<App Connector>/<canonical path>`` (or ``file:line``):
    what every format shows and what waiver path patterns match, exactly as in ``afasgov release-check``."""
    checks = result.checks or all_checks()
    rules = documented({
        c.id: RuleInfo(
            id=c.id, level=c.severity.level, title=c.title, help=c.doc().split("\n\n")[0].replace("\n", " ")
        )
        for c in checks
    })
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
    findings, notes, level_notes = settle(result.findings, levels or LevelOverrides(), waivers, result.today,
                                          locator=locator, rule_ids={c.id for c in all_checks()})
    meta.notes.extend(level_notes)
    if result.root is not None:
        portable = portable_paths(result.root)
        notes = [WaiverNote(n.status, n.waiver, n.matched, portable(n.source)) for n in notes]
    meta.waiver_notes = notes
    return findings, meta


def audit_command(
    app: AppContext,
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
    summary_json: Path | None = None,
) -> int:
    """``afasgov audit``: run, render, write; return the exit code (0 / 1).

    ``waivers`` replaces the configured waivers file (as for ``diff`` and ``validate``);
    ``scan_exclude`` adds paths the secret scan leaves out, to the defaults unless
    ``default_excludes`` is false. ``summary_json``: where to write which report this run wrote
    (:mod:`afasgov.commands.summary`)."""
    from afasgov.commands.summary import summary_json as summary_file

    with summary_file(summary_json, "audit") as run:
        code = _audit(app, envs, fmt=fmt, output=output, fail_on=fail_on, as_of=as_of, secret_scan=secret_scan,
                      history=history, scan_timeout=scan_timeout, policy=policy, gcn=gcn, only=only, skip=skip,
                      waivers=waivers, scan_exclude=scan_exclude, default_excludes=default_excludes, run=run)
        run.exit_code = code
        return code


def _audit(
    app: AppContext,
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
    waivers: Path | None,
    scan_exclude: Sequence[str],
    default_excludes: bool,
    run: RunSummary,
) -> int:
    level = parse_fail_on(fail_on)
    today = None
    if as_of:
        try:
            today = date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
    if scan_timeout <= 0:
        raise UsageError("--scan-timeout must be positive")
    ws = app.workspace(waivers=waivers, policy=policy)
    excludes = [*(default_scan_excludes(ws.config) if default_excludes else []), *scan_exclude]
    result = run_audit(
        ws,
        list(envs),
        today=today,
        scan=secret_scan,
        history=history,
        scan_budget=scan_timeout,
        gcn_paths=list(gcn),
        only=list(only),
        skip=list(skip),
        scan_exclude=excludes,
    )
    findings, meta = to_document(result, fail_on=level, waivers=ws.waivers(), levels=LevelOverrides.for_workspace(ws),
                                 locator=Locator.for_workspace(ws))
    code = emit(findings, meta, fmt, output, app.emit, color=app.color and sys.stdout.isatty(),
                quiet=app.quiet)
    run.verdict = "FAIL" if code else "PASS"
    run.summary = {lvl: sum(1 for f in findings if f.level == lvl and not f.waived) for lvl in ("ERR", "WARN", "INFO")}
    if output is not None:
        run.add_report(fmt, output)
    return code


__all__ = ["audit_command", "auditor_note", "details", "to_document"]
