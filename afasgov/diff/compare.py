"""Compare two operands of a workspace (snapshots or GetConnector definitions): the diff, the integration
impact and regrading (DESIGN §6) and the waivers, as ``afasgov diff``, ``afasgov gcn diff`` and
release-check run it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from afasgov.diff.engine import diff_snapshots
from afasgov.diff.impact import ImpactResult, apply_impact, unknown_references
from afasgov.diff.registry import entries as diff_entries
from afasgov.diff.rules.gcn import gcn_changes
from afasgov.diff.sources import Operand, resolve_operand
from afasgov.errors import UsageError
from afasgov.findings import Finding
from afasgov.levels import LevelOverrides, settle
from afasgov.locate import Locator
from afasgov.waivers import WaiverNote
from afasgov.workspace import Workspace


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


def compare(
    ws: Workspace,
    base_spec: str,
    revision_spec: str,
    *,
    downgrade: bool = True,
    today: dt.date | None = None,
    waivers: bool = True,
) -> DiffRun:
    """Diff two operands of ``ws``; apply integration impact and (unless ``waivers`` is false: the caller
    applies them, as release-check does over every section) the workspace's waivers."""
    base = resolve_operand(base_spec, ws)
    revision = resolve_operand(revision_spec, ws)
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
        files = {**ws.snapshot_files(base_spec), **ws.snapshot_files(revision_spec)}
        result = diff_snapshots(
            base.snapshot, revision.snapshot, base_name=base.label, revision_name=revision.label, files=files
        )
        changes, notes = result.changes, list(result.notes)
        snapshots = [base.snapshot, revision.snapshot]
    manifests = ws.manifests()
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
    waiver_notes: list[WaiverNote] = []
    if waivers:  # else the caller settles them, as release-check does over every section
        trees = [op.directory for op in (revision, base) if op.directory is not None]
        changes, waiver_notes, level_notes = settle(changes, LevelOverrides.for_workspace(ws), ws.waivers(), today,
                                                    locator=Locator.for_workspace(ws, default_trees=trees),
                                                    rule_ids=diff_entries().keys())
        notes += level_notes
    return DiffRun(base, revision, changes, notes, impact, unknown, waiver_notes)


__all__ = ["DiffRun", "compare"]
