"""``afasgov diff`` and ``afasgov changelog``: resolve operands, diff, apply integration impact and
waivers, render (the CLI only parses options and calls :func:`run_diff` / :func:`run_changelog`)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from afasgov.diff.change import change_json
from afasgov.diff.changelog import render_json, render_markdown
from afasgov.diff.compare import DiffRun, compare
from afasgov.diff.engine import diff_snapshots
from afasgov.diff.registry import all_rules
from afasgov.diff.rules.gcn import gcn_changes
from afasgov.diff.sources import resolve_operand
from afasgov.errors import UsageError
from afasgov.report import InputRef, ReportMeta, RuleInfo, Section, atomic_write_text, emit
from afasgov.report.ruledocs import documented

if TYPE_CHECKING:
    from afasgov.app import AppContext


def document(run: DiffRun, *, fail_on: str = "ERR") -> ReportMeta:
    """The report of a diff (its findings are ``run.changes``; JSON: DESIGN §6)."""
    rules = all_rules()
    infos = documented({
        c.id: RuleInfo(c.id, rules[c.id].level, rules[c.id].title, rules[c.id].doc())
        for c in run.changes
        if c.id in rules
    })
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
    ws = app.workspace(require_config=False, waivers=waivers, integrations=integrations)
    run = compare(ws, base, revision, downgrade=downgrade, today=today)
    doc = document(run, fail_on=fail_on)
    echo: Callable[[str], None] = app.emit  # the report (or its verdict line) prints even with --quiet
    return emit(run.changes, doc, fmt, output, echo, color=app.color and sys.stdout.isatty(), quiet=app.quiet)


def run_changelog(
    app: AppContext, base: str, revision: str, *, fmt: str = "markdown", output: Path | None = None
) -> int:
    """``afasgov changelog``: AFAS's release-notes table for the changes from BASE to REVISION."""
    if fmt not in ("markdown", "json"):
        raise UsageError(f"changelog formats are markdown and json, not {fmt!r}")
    ws = app.workspace(require_config=False)
    base_op = resolve_operand(base, ws)
    rev_op = resolve_operand(revision, ws)
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


__all__ = ["document", "run_changelog", "run_diff"]
