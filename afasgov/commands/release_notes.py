"""``afasgov release-notes NOTES… [--base ENV] [--revision ENV]``: read AFAS's release notes, assess their
impact on BASE, and with REVISION check it against them.

The orchestration only: parsing is :mod:`afasgov.releasenotes.parser`, the impact
:mod:`afasgov.releasenotes.impact`, the check :mod:`afasgov.releasenotes.check`, the report
:mod:`afasgov.report.releasenotes`; the diff, the manifests, the waivers and the renderers are the
diff's own (:mod:`afasgov.commands.diff`).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov.diff.compare import compare
from afasgov.diff.sources import Operand, resolve_operand
from afasgov.errors import UsageError
from afasgov.levels import LevelOverrides
from afasgov.releasenotes.check import check
from afasgov.releasenotes.impact import assess
from afasgov.releasenotes.parser import parse_files
from afasgov.report import emit
from afasgov.report.releasenotes import ReleaseNotesRun, document
from afasgov.workspace import Workspace

if TYPE_CHECKING:
    from afasgov.app import AppContext


def default_base(app: AppContext | None) -> str:
    """The environment of type ``production`` in ``afasgov.yaml`` (the first), else ``production``."""
    if app is not None:
        from afasgov.config.loader import find_config

        if app.config_path is not None or find_config() is not None:
            for env in app.config().environments.values():
                if env.type == "production":
                    return env.name
    return "production"


def _snapshot_operand(spec: str, ws: Workspace) -> Operand:
    op = resolve_operand(spec, ws)
    if op.kind != "snapshot" or op.snapshot is None:
        raise UsageError(f"release notes are held against environment snapshots, not a {op.kind} ({spec})")
    return op


def compute_run(
    notes_files: Sequence[Path],
    ws: Workspace,
    *,
    base: str,
    revision: str | None = None,
    downgrade: bool = True,
    today: dt.date | None = None,
) -> ReleaseNotesRun:
    """Parse the notes; assess their impact on ``base``; with ``revision``, check it against them."""
    notes = parse_files(list(notes_files))
    manifests = list(ws.manifests())
    waivers = ws.waivers()
    if revision is None:
        base_op = _snapshot_operand(base, ws)
        diff_run = None
    else:
        diff_run = compare(ws, base, revision, downgrade=downgrade, today=today)
        if diff_run.base.kind != "snapshot":
            raise UsageError(
                f"release notes are held against environment snapshots, not a {diff_run.base.kind} ({base})"
            )
        base_op = diff_run.base
    assert base_op.snapshot is not None
    impact = assess(
        notes, base_op.snapshot, manifests, base_name=base_op.label, downgrade=downgrade, waivers=waivers,
        today=today, levels=LevelOverrides.for_workspace(ws),
    )
    run = ReleaseNotesRun(notes, base_op, impact, manifests)
    if diff_run is not None:
        rev_op = diff_run.revision
        run.revision = rev_op
        run.check = check(
            notes,
            diff_run.changes,
            base=base_op.snapshot,
            revision=rev_op.snapshot,
            base_name=base_op.label,
            revision_name=rev_op.label,
        )
        run.diff_notes = list(diff_run.notes)
        run.unknown = list(diff_run.unknown)
        impact.waiver_notes = list(diff_run.waiver_notes)
    return run


def run_release_notes(
    app: AppContext,
    notes_files: Sequence[Path],
    *,
    base: str | None = None,
    revision: str | None = None,
    fmt: str = "text",
    output: Path | None = None,
    fail_on: str = "ERR",
    waivers: Path | None = None,
    integrations: Path | None = None,
    downgrade: bool = True,
    today: dt.date | None = None,
) -> int:
    """``afasgov release-notes``: print/write the report; 0, or 1 when an unwaived item ≥ ``fail_on``."""
    ws = app.workspace(require_config=False, waivers=waivers, integrations=integrations)
    run = compute_run(
        notes_files, ws, base=base or default_base(app), revision=revision, downgrade=downgrade,
        today=today,
    )
    findings, meta = document(run, fail_on=fail_on)
    return emit(findings, meta, fmt, output, app.emit, color=app.color and sys.stdout.isatty())


__all__ = ["compute_run", "default_base", "run_release_notes"]
