"""``afasgov diff`` and ``afasgov changelog``: resolve operands, diff, apply integration impact and
waivers, render (the CLI only parses options and calls :func:`run_diff` / :func:`run_changelog`)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from afasgov.diff.change import change_json
from afasgov.diff.changelog import render_json, render_markdown
from afasgov.diff.engine import diff_snapshots
from afasgov.diff.impact import ImpactResult, apply_impact, unknown_references
from afasgov.diff.registry import all_rules
from afasgov.diff.rules.gcn import gcn_changes
from afasgov.diff.sources import Operand, resolve_operand, snapshot_files
from afasgov.errors import UsageError
from afasgov.findings import Finding
from afasgov.integrations import load_manifests
from afasgov.report import InputRef, ReportMeta, RuleInfo, Section, atomic_write_text, emit
from afasgov.waivers import WaiverNote, WaiverSet, load_waivers

if TYPE_CHECKING:
    from afasgov.app import AppContext


@dataclass
class Settings:
    """Where diff finds definitions, manifests and waivers (from ``afasgov.yaml`` or defaults)."""

    definitions_dir: Path
    integrations_dir: Path | None
    waivers: Path | None
    root: Path
    #: the paths were given on the command line (``--waivers``/``--integrations``): they must exist
    waivers_required: bool = False
    integrations_required: bool = False
    #: the configured environment names (an unknown operand's error lists them)
    environments: tuple[str, ...] = ()


def settings_from(
    app: AppContext | None, *, waivers: Path | None = None, integrations: Path | None = None
) -> Settings:
    """Use the configuration when there is one; without ``afasgov.yaml`` (and no ``--config``) fall back
    to ``./definitions`` so that plain directories and ``.gcn`` files can be compared anywhere.
    ``waivers``/``integrations`` (from the command line) must exist; the configured defaults may not."""
    config = None
    if app is not None:
        from afasgov.config.loader import find_config

        if app.config_path is not None or find_config() is not None:
            config = app.config()
    if config is not None:
        return Settings(
            config.definitions_dir,
            integrations or config.integrations_dir,
            waivers or config.waivers,
            config.root,
            waivers_required=waivers is not None,
            integrations_required=integrations is not None,
            environments=tuple(config.environments),
        )
    cwd = Path.cwd()
    return Settings(
        cwd / "definitions",
        integrations or cwd / "definitions" / "integrations",
        waivers or cwd / "definitions" / "waivers.yaml",
        cwd,
        waivers_required=waivers is not None,
        integrations_required=integrations is not None,
    )


@dataclass
class DiffRun:
    """Everything one diff produced, before rendering."""

    base: Operand
    revision: Operand
    changes: list[Finding]
    notes: list[str]
    impact: ImpactResult | None
    unknown: list[str]
    waiver_notes: list[WaiverNote]


def compute(
    base_spec: str,
    revision_spec: str,
    settings: Settings,
    *,
    downgrade: bool = True,
    today: dt.date | None = None,
    waiver_set: WaiverSet | None = None,
) -> DiffRun:
    """Diff two operands; apply integration impact and waivers."""
    base = resolve_operand(base_spec, settings.definitions_dir, environments=settings.environments)
    revision = resolve_operand(revision_spec, settings.definitions_dir, environments=settings.environments)
    if base.kind != revision.kind:
        raise UsageError(
            f"cannot compare a {base.kind} ({base_spec}) with a {revision.kind} ({revision_spec})"
        )
    notes: list[str] = []
    if base.kind == "gcn":
        changes = gcn_changes(base.definition, revision.definition, file=revision.location)
        snapshots = []
    else:
        assert base.snapshot is not None and revision.snapshot is not None
        files = {**snapshot_files(base, settings.root), **snapshot_files(revision, settings.root)}
        result = diff_snapshots(
            base.snapshot, revision.snapshot, base_name=base.label, revision_name=revision.label, files=files
        )
        changes, notes = result.changes, list(result.notes)
        snapshots = [base.snapshot, revision.snapshot]
    manifests = load_manifests(settings.integrations_dir, required=settings.integrations_required)
    impact = None
    unknown: list[str] = []
    if manifests:
        impact = apply_impact(
            changes, manifests, base_name=base.label, revision_name=revision.label, downgrade=downgrade
        )
        changes = impact.changes
        notes += impact.notes
        if snapshots:
            unknown = unknown_references(manifests, snapshots)
    else:
        notes.append(
            "no integration manifests: levels are the rules' own (impact per integration not assessed)"
        )
    waivers = waiver_set if waiver_set is not None else load_waivers(
        settings.waivers, required=settings.waivers_required
    )
    changes, waiver_notes = waivers.waive(changes, today, rule_ids=all_rules())
    return DiffRun(base, revision, changes, notes, impact, unknown, waiver_notes)


def document(run: DiffRun, *, fail_on: str = "ERR") -> ReportMeta:
    """The report of a diff (its findings are ``run.changes``; JSON: DESIGN §6)."""
    rules = all_rules()
    infos = {
        c.id: RuleInfo(c.id, rules[c.id].level, rules[c.id].title, rules[c.id].doc())
        for c in run.changes
        if c.id in rules
    }
    doc = ReportMeta(
        kind="diff",
        title=f"afasgov diff {run.base.label} → {run.revision.label}",
        items_key="changes",
        item_json=change_json,
        header={"base": run.base.label, "revision": run.revision.label},
        inputs=[
            InputRef("base", run.base.location, run.base.sha256),
            InputRef("revision", run.revision.location, run.revision.sha256),
        ],
        rules=infos,
        notes=list(run.notes),
        waiver_notes=list(run.waiver_notes),
        fail_on=fail_on,
    )
    integrations: dict[str, Any] = {}
    if run.impact is not None:
        for name, lines in run.impact.impacts.items():
            integrations[name] = {"impact": lines}
            if lines:
                doc.sections.append(Section(f"Integration {name}", tuple(lines)))
        if not any(run.impact.impacts.values()):
            doc.sections.append(Section("Integrations", ("no ERR or WARN change touches a declared field",)))
    if run.unknown:
        doc.sections.append(Section("Manifests naming things that exist nowhere", tuple(run.unknown)))
    doc.extra_json = {"integrations": integrations, "unknown_references": list(run.unknown)}
    return doc


def run_diff(
    app: AppContext,
    base: str,
    revision: str,
    *,
    fmt: str = "text",
    output: Path | None = None,
    fail_on: str = "ERR",
    waivers: Path | None = None,
    integrations: Path | None = None,
    downgrade: bool = True,
    today: dt.date | None = None,
) -> int:
    """``afasgov diff``: print/write the report; return 0, or 1 when unwaived changes ≥ ``fail_on``."""
    settings = settings_from(app, waivers=waivers, integrations=integrations)
    run = compute(base, revision, settings, downgrade=downgrade, today=today)
    doc = document(run, fail_on=fail_on)
    echo: Callable[[str], None] = app.emit  # the report (or its verdict line) prints even with --quiet
    return emit(run.changes, doc, fmt, output, echo, color=app.color and sys.stdout.isatty(), quiet=app.quiet)


def run_changelog(
    app: AppContext, base: str, revision: str, *, fmt: str = "markdown", output: Path | None = None
) -> int:
    """``afasgov changelog``: AFAS's release-notes table for the changes from BASE to REVISION."""
    if fmt not in ("markdown", "json"):
        raise UsageError(f"changelog formats are markdown and json, not {fmt!r}")
    settings = settings_from(app)
    base_op = resolve_operand(base, settings.definitions_dir, environments=settings.environments)
    rev_op = resolve_operand(revision, settings.definitions_dir, environments=settings.environments)
    if base_op.kind != rev_op.kind:
        raise UsageError(f"cannot compare a {base_op.kind} ({base}) with a {rev_op.kind} ({revision})")
    connectors: set[str] = set()
    if base_op.kind == "gcn":
        changes = gcn_changes(base_op.definition, rev_op.definition)
    else:
        assert base_op.snapshot is not None and rev_op.snapshot is not None
        changes = diff_snapshots(
            base_op.snapshot, rev_op.snapshot, base_name=base_op.label, revision_name=rev_op.label
        ).changes
        for snap in (base_op.snapshot, rev_op.snapshot):
            connectors |= snap.update_connectors.keys() | snap.get_connectors.keys()
    render = render_markdown if fmt == "markdown" else render_json
    text = render(changes, base_op.label, rev_op.label, connectors=connectors)
    if output is not None:
        atomic_write_text(output, text)
        app.echo(f"{len(changes)} change(s) written to {output}")
    else:
        app.emit(text.rstrip("\n"))
    return 0


__all__ = [
    "DiffRun",
    "Settings",
    "compute",
    "document",
    "run_changelog",
    "run_diff",
    "settings_from",
]
