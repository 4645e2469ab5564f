"""Run an audit: load the inputs, run the registered checks → :class:`AuditResult` (findings unwaived).

Library API::

    from afasgov.audit.runner import run_audit
    result = run_audit(config, ["production"], today=date(2026, 11, 1))
    findings, notes = waiver_set.waive(result.findings, result.today)

(``afasgov audit`` renders them with :mod:`afasgov.report`: :mod:`afasgov.commands.audit`).

``run_checks(ctx)`` runs checks on an :class:`~afasgov.audit.context.AuditContext` built by hand
(tests, other tools).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov.audit.context import AuditContext
from afasgov.audit.findings import sort_findings
from afasgov.audit.registry import Check, all_checks, select_checks
from afasgov.errors import UsageError
from afasgov.findings import Finding
from afasgov.integrations import Manifest
from afasgov.paths import portable_paths
from afasgov.policy import Policy
from afasgov.secretscan import DEFAULT_TIME_BUDGET, ScanResult
from afasgov.workspace import Workspace

if TYPE_CHECKING:
    from afasgov.config import Config

POLICY_FILE = "policy.yaml"


@dataclass
class AuditResult:
    """What one audit produced (findings unwaived; :func:`to_document` applies waivers)."""

    findings: list[Finding]
    not_seen: list[str]
    checked: list[str]
    today: date
    inputs: list[tuple[str, str, str]] = field(default_factory=list)  # (name, location, sha256)
    scan: ScanResult | None = None
    policy: Policy | None = None
    checks: list[type[Check]] = field(default_factory=list)
    waivers_path: Path | None = None
    environments: list[str] = field(default_factory=list)
    #: the configuration's directory: paths in the report are written relative to it.
    root: Path | None = None


def run_checks(ctx: AuditContext, checks: Iterable[type[Check]] | None = None) -> list[Finding]:
    """Run ``checks`` (default: all registered) on ``ctx``; findings sorted, most severe first."""
    findings: list[Finding] = []
    for cls in checks if checks is not None else all_checks():
        findings.extend(cls().run(ctx))
    if ctx.scan is not None:
        for note in ctx.scan.notes:
            ctx.not_seen(f"secret scan: {note}")
    return sort_findings(findings)


# ------------------------------------------------------------------------------------- loading
def load_snapshots(
    ws: Workspace, names: Sequence[str], ctx: AuditContext, inputs: list[tuple[str, str, str]]
) -> None:
    for name in names:
        path = ws.definitions_dir / name
        if not (path / "_snapshot.yaml").is_file():
            ctx.not_seen(
                f"{name}: no snapshot under {path} (run `afasgov snapshot {name}`): scope and field "
                "checks skipped for it"
            )
            continue
        entry = ws.snapshot_entry(name)
        ctx.snapshots[name] = entry.snapshot
        inputs.append((f"snapshot {name}", str(path), entry.sha256))


def load_definitions(
    ws: Workspace, paths: Sequence[Path], ctx: AuditContext, inputs: list[tuple[str, str, str]]
) -> None:
    """``.gcn`` files, definition ``.yaml`` files, or directories of them (default ``definitions/getconnectors``)."""
    for stored in ws.definitions(paths):
        ctx.definitions.append(stored)
        inputs.append((f"definition {stored.definition.name}", stored.rel, stored.sha256))


def load_manifests(ws: Workspace, ctx: AuditContext, inputs: list[tuple[str, str, str]]) -> list[Manifest]:
    directory = ws.integrations_dir
    if directory is None or not directory.is_dir() or not any(directory.glob("*.yaml")):
        ctx.not_seen(f"no integration manifests in {directory}: allow-list checks limited to the policy")
        return []
    manifests = list(ws.manifests())
    for y in sorted(directory.glob("*.yaml")):
        inputs.append((f"manifest {y.stem}", str(y), ws.content_hash(y)))
    return manifests


def load_policy_for(ws: Workspace, inputs: list[tuple[str, str, str]], ctx: AuditContext) -> Policy:
    policy: Policy
    policy, missing = ws.policy()
    if missing is not None:
        ctx.not_seen(missing)
    elif policy.sha256:
        inputs.append(("policy", policy.source, "sha256:" + policy.sha256))
    else:
        inputs.append(("policy (inline)", str(ws.config.path), ""))
    return policy


def run_audit(
    ws: Workspace,
    environments: Sequence[str] | None = None,
    *,
    today: date | None = None,
    scan: bool = True,
    history: bool = True,
    scan_budget: float = DEFAULT_TIME_BUDGET,
    gcn_paths: Sequence[Path] = (),
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
    scan_exclude: Sequence[str] | None = None,
) -> AuditResult:
    """Audit the named environments (default: all configured ones with a snapshot) of the workspace.

    ``scan_exclude``: repository-relative paths the secret scan leaves out; ``None`` means
    :func:`default_scan_excludes` (the reports directory and ``dist/``). Paths in ``checked``,
    ``not_seen``, the inputs and the findings' texts are written relative to the configuration's
    directory (the home directory as ``~``), as in every afasgov report.
    """
    config = ws.config
    today = today or datetime.now(UTC).date()
    checks = select_checks(only, skip)
    ctx = AuditContext(today=today, repo_root=ws.root)
    inputs: list[tuple[str, str, str]] = []
    checked: list[str] = []
    names = list(environments or [])
    if names:
        # the definitions directory is listed only for a name the configuration does not know (a fleet's
        # holds every tenant's trees: listing it for each tenant's audit made a run quadratic)
        if any(n not in config.environments for n in names):
            snapshot_dirs = ws.snapshot_names()
            unknown = [n for n in names if n not in config.environments and n not in snapshot_dirs]
            if unknown:
                known = ", ".join(sorted(set(config.environments) | set(snapshot_dirs)))
                raise UsageError(f"unknown environment {unknown[0]!r} (known: {known or 'none'})")
    else:
        names = list(dict.fromkeys([*config.environments, *ws.snapshot_names()]))
    configured = [n for n in names if n in config.environments]
    ctx.environments = config.select(configured) if configured else list(config.environments.values())
    checked.append(f"configuration {config.path or '(defaults)'}: {len(ctx.environments)} environment(s)")
    load_snapshots(ws, names, ctx, inputs)
    if ctx.snapshots:
        n_apps = sum(len(s.app_connectors) for s in ctx.snapshots.values())
        checked.append(f"snapshots of {', '.join(sorted(ctx.snapshots))}: {n_apps} App Connector scope(s)")
    load_definitions(ws, gcn_paths, ctx, inputs)
    checked.append(f"{len(ctx.definitions)} GetConnector definition(s) (.gcn)")
    ctx.manifests = load_manifests(ws, ctx, inputs)
    checked.append(f"{len(ctx.manifests)} integration manifest(s)")
    ctx.policy = load_policy_for(ws, inputs, ctx)
    if scan:
        excludes = default_scan_excludes(config) if scan_exclude is None else list(scan_exclude)
        ctx.scan = ws.secret_scan(
            history=history,
            time_budget=scan_budget,
            exclude=excludes,
            secret_files=configured_secret_files(config),
        )
        checked.append(f"secret scan of {ws.root}: {ctx.scan.summary()}")
        if not ctx.scan.complete:
            ctx.not_seen("secret scan incomplete (time budget reached): raise --scan-timeout")
    else:
        ctx.not_seen("repository secret scan skipped (--no-secret-scan)")
    findings = run_checks(ctx, checks)
    portable = portable_paths(ws.root)
    return AuditResult(
        findings=[_portable_finding(f, portable) for f in findings],
        not_seen=[portable(n) for n in ctx.notes],
        checked=[portable(c) for c in checked],
        today=today,
        inputs=[(name, portable(loc), sha) for name, loc, sha in inputs],
        scan=ctx.scan,
        policy=ctx.policy,
        checks=checks,
        waivers_path=ws.waivers_path,
        environments=names,
        root=ws.root,
    )


def default_scan_excludes(config: Config) -> list[str]:
    """What the secret scan leaves out unless told otherwise: afasgov's own reports directory (reports
    quote the evidence of client-side findings, such as the switched-off TLS verification of a test
    fixture, so scanning them finds the scan's own output again) and ``dist/`` (built packages: copies
    of the tracked sources). A reports directory outside the repository drops out."""
    out = ["dist"]
    try:
        reports = config.reports_dir.resolve().relative_to(config.root.resolve()).as_posix()
    except (ValueError, OSError):
        reports = ""
    if reports and reports != ".":
        out.insert(0, reports)
    return out


def configured_secret_files(config: Config) -> list[Path]:
    """Every secret file the configuration names (``token_file``, ``client_secret_file``,
    ``private_key_file``) in any environment."""
    files: list[Path] = []
    for env in config.environments.values():
        for ac in env.app_connectors.values():
            for source in (ac.auth.token, ac.auth.client_secret, ac.auth.private_key):
                if source is not None and source.kind == "file":
                    files.append(source.path if source.path is not None else Path(source.ref).expanduser())
    return files


def _portable_finding(f: Finding, portable: Callable[[str], str]) -> Finding:
    text, evidence = portable(f.text), portable(f.evidence)
    if text == f.text and evidence == f.evidence:
        return f
    return replace(f, text=text, evidence=evidence)


# ------------------------------------------------------------------------------------ reporting
def auditor_note(ref: str) -> str:
    """``auditor_ref`` as a line of a report: "AFAS Auditor: AUT-19", or "AFAS Auditor lists …" where the
    reference describes what the Auditor does."""
    if not ref:
        return ""
    return f"AFAS {ref}" if ref.startswith("Auditor ") else f"AFAS Auditor: {ref}"


def rules_hash(checks: Iterable[type[Check]]) -> str:
    """A hash of the check set (ids, severities, docs): reports record which rules ran."""
    digest = hashlib.sha256()
    for c in sorted(checks, key=lambda c: c.id):
        digest.update(f"{c.id}|{c.severity.value}|{c.doc()}".encode())
    return "sha256:" + digest.hexdigest()[:16]


__all__ = [
    "AuditResult",
    "auditor_note",
    "configured_secret_files",
    "default_scan_excludes",
    "load_definitions",
    "rules_hash",
    "run_audit",
    "run_checks",
]
