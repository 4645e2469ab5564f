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

from afasgov.audit import adapters
from afasgov.audit.context import AuditContext, GcnView, Manifest
from afasgov.audit.findings import sort_findings
from afasgov.audit.registry import Check, all_checks, select_checks
from afasgov.errors import InputError, UsageError
from afasgov.findings import Finding
from afasgov.policy import Policy, load_policy, parse_policy
from afasgov.report.paths import portable_paths
from afasgov.secretscan import DEFAULT_TIME_BUDGET, ScanResult, scan_repository
from afasgov.workspace import hash_path

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
def _sha_file(path: Path) -> str:
    try:
        return hash_path(path)
    except OSError:
        return ""


def _snapshot_dirs(definitions: Path) -> list[str]:
    if not definitions.is_dir():
        return []
    return sorted(p.name for p in definitions.iterdir() if p.is_dir() and (p / "_snapshot.yaml").is_file())


def load_snapshots(
    config: Config, names: Sequence[str], ctx: AuditContext, inputs: list[tuple[str, str, str]]
) -> None:
    from afasgov.snapshot import read_tree

    for name in names:
        path = config.definitions_dir / name
        if not (path / "_snapshot.yaml").is_file():
            ctx.not_seen(
                f"{name}: no snapshot under {path} (run `afasgov snapshot {name}`): scope and field "
                "checks skipped for it"
            )
            continue
        ctx.snapshots[name] = read_tree(path)
        inputs.append((f"snapshot {name}", str(path), _tree_sha(path)))


def _tree_sha(path: Path) -> str:
    try:
        return hash_path(path)
    except OSError:
        return ""


def load_definitions(
    paths: Iterable[Path], ctx: AuditContext, inputs: list[tuple[str, str, str]], root: Path | None = None
) -> None:
    """``.gcn`` files, definition ``.yaml`` files, or directories of them (``definitions/getconnectors``)."""
    from afasgov.gcn.store import load_definition

    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            yamls = sorted(p.glob("*.yaml"))
            stems = {y.stem for y in yamls}
            files += yamls + [g for g in sorted(p.glob("*.gcn")) if g.stem not in stems]
        elif p.exists():
            files.append(p)
        else:
            raise InputError("no such file or directory", source=str(p))
    for f in files:
        defn = load_definition(f)
        gcn = f.with_suffix(".gcn")
        sha = _sha_file(gcn if gcn.is_file() else f)
        rel = _rel(f, root)
        ctx.definitions.append(adapters.gcn_view(defn, path=rel, sha256=sha))
        inputs.append((f"definition {defn.name}", rel, sha))


def _rel(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def load_manifests(directory: Path, ctx: AuditContext, inputs: list[tuple[str, str, str]]) -> list[Manifest]:
    if not directory.is_dir() or not any(directory.glob("*.yaml")):
        ctx.not_seen(f"no integration manifests in {directory}: allow-list checks limited to the policy")
        return []
    from afasgov.integrations import load_manifests as load_integration_manifests

    views = [adapters.manifest_view(m) for m in load_integration_manifests(directory)]
    for y in sorted(directory.glob("*.yaml")):
        inputs.append((f"manifest {y.stem}", str(y), _sha_file(y)))
    return views


def load_policy_for(
    config: Config | None, explicit: Path | None, inputs: list[tuple[str, str, str]], ctx: AuditContext
) -> Policy:
    path = explicit
    if path is None and config is not None:
        if config.policy is not None:
            policy = parse_policy(dict(config.policy or {}), source=f"{config.path}: policy")
            inputs.append(("policy (inline)", str(config.path), ""))
            return policy
        path = config.policy_file or (config.definitions_dir / POLICY_FILE)
        if not path.is_file():
            ctx.not_seen(
                f"no policy file ({path}): defaults used (max 10 GetConnectors, 3 UpdateConnectors; "
                "no allow-lists, IP rules, token list or system users declared)"
            )
            return Policy()
    assert path is not None
    if not path.is_file():
        raise InputError("policy file not found", source=str(path))
    policy = load_policy(path)
    inputs.append(("policy", str(path), "sha256:" + policy.sha256))
    return policy


def run_audit(
    config: Config,
    environments: Sequence[str] | None = None,
    *,
    today: date | None = None,
    scan: bool = True,
    history: bool = True,
    scan_budget: float = DEFAULT_TIME_BUDGET,
    policy_path: Path | None = None,
    gcn_paths: Sequence[Path] = (),
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
    scan_exclude: Sequence[str] | None = None,
) -> AuditResult:
    """Audit the named environments (default: all configured ones with a snapshot) of ``config``.

    ``scan_exclude``: repository-relative paths the secret scan leaves out; ``None`` means
    :func:`default_scan_excludes` (the reports directory and ``dist/``). Paths in ``checked``,
    ``not_seen``, the inputs and the findings' texts are written relative to the configuration's
    directory (the home directory as ``~``), as in every afasgov report.
    """
    today = today or datetime.now(UTC).date()
    checks = select_checks(only, skip)
    ctx = AuditContext(today=today, repo_root=config.root)
    inputs: list[tuple[str, str, str]] = []
    checked: list[str] = []
    names = list(environments or [])
    if names:
        unknown = [
            n
            for n in names
            if n not in config.environments and not (config.definitions_dir / n / "_snapshot.yaml").is_file()
        ]
        if unknown:
            known = ", ".join(sorted(set(config.environments) | set(_snapshot_dirs(config.definitions_dir))))
            raise UsageError(f"unknown environment {unknown[0]!r} (known: {known or 'none'})")
    else:
        names = list(dict.fromkeys([*config.environments, *_snapshot_dirs(config.definitions_dir)]))
    ctx.environments = adapters.env_configs(config, [n for n in names if n in config.environments])
    checked.append(f"configuration {config.path or '(defaults)'}: {len(ctx.environments)} environment(s)")
    load_snapshots(config, names, ctx, inputs)
    if ctx.snapshots:
        n_apps = sum(len(s.app_connectors) for s in ctx.snapshots.values())
        checked.append(f"snapshots of {', '.join(sorted(ctx.snapshots))}: {n_apps} App Connector scope(s)")
    getconnectors = config.definitions_dir / "getconnectors"
    sources = [*gcn_paths] or ([getconnectors] if getconnectors.is_dir() else [])
    load_definitions(sources, ctx, inputs, config.root)
    checked.append(f"{len(ctx.definitions)} GetConnector definition(s) (.gcn)")
    ctx.manifests = load_manifests(config.integrations_dir, ctx, inputs)
    checked.append(f"{len(ctx.manifests)} integration manifest(s)")
    ctx.policy = load_policy_for(config, policy_path, inputs, ctx)
    if scan:
        excludes = default_scan_excludes(config) if scan_exclude is None else list(scan_exclude)
        ctx.scan = scan_repository(
            config.root,
            history=history,
            time_budget=scan_budget,
            exclude=excludes,
            secret_files=configured_secret_files(config),
        )
        checked.append(f"secret scan of {config.root}: {ctx.scan.summary()}")
        if not ctx.scan.complete:
            ctx.not_seen("secret scan incomplete (time budget reached): raise --scan-timeout")
    else:
        ctx.not_seen("repository secret scan skipped (--no-secret-scan)")
    findings = run_checks(ctx, checks)
    portable = portable_paths(config.root)
    return AuditResult(
        findings=[_portable_finding(f, portable) for f in findings],
        not_seen=[portable(n) for n in ctx.notes],
        checked=[portable(c) for c in checked],
        today=today,
        inputs=[(name, portable(loc), sha) for name, loc, sha in inputs],
        scan=ctx.scan,
        policy=ctx.policy,
        checks=checks,
        waivers_path=config.waivers,
        environments=names,
        root=config.root,
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
    "GcnView",
    "auditor_note",
    "configured_secret_files",
    "default_scan_excludes",
    "load_definitions",
    "rules_hash",
    "run_audit",
    "run_checks",
]
