"""``afasgov validate``: check UpdateConnector payloads (JSON or XML) against an environment's snapshot."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov.errors import InputError
from afasgov.report.document import ReportItem
from afasgov.validate import validate_file
from afasgov.validate.checks import CHECKS, rule_infos

if TYPE_CHECKING:
    from afasgov.app import AppContext


def run_validate(
    app: AppContext,
    payloads: list[Path],
    *,
    env: str,
    connector: str | None = None,
    action: str | None = None,
    fmt: str = "text",
    output: Path | None = None,
    fail_on: str = "ERR",
    waivers: Path | None = None,
) -> int:
    """``afasgov validate``: render the problems of every payload; 0, or 1 when any is ≥ ``fail_on``."""
    from afasgov.commands.diff import settings_from
    from afasgov.report import InputRef, ReportDocument, emit, sha256_file
    from afasgov.snapshot.tree import read_any
    from afasgov.waivers import load_waivers, waive_document

    if action is not None and action not in ("insert", "update", "delete"):
        raise InputError(f"--action must be insert, update or delete, not {action!r}")
    settings = settings_from(app, waivers=waivers)
    snapshot = read_any(env, definitions_dir=settings.definitions_dir, environments=settings.environments)
    items: list[ReportItem] = []
    inputs = [InputRef("snapshot", env)]
    for p in payloads:
        items.extend(validate_file(p, snapshot, connector=connector, action=action))
        inputs.append(InputRef("payload", str(p), sha256_file(p)))
    doc = ReportDocument(
        kind="validate",
        title=f"afasgov validate against {env}",
        items=items,
        items_key="problems",
        header={"environment": env, "payloads": len(payloads)},
        inputs=inputs,
        rules=rule_infos(),
        fail_on=fail_on,
    )
    if action is None:
        doc.notes.append(
            "JSON payloads were checked as inserts (POST); XML payloads by their Fields Action "
            "(default insert). Use --action update to skip the mandatory-field check."
        )
    waive_document(doc, load_waivers(settings.waivers, required=waivers is not None), rule_ids=CHECKS)
    return emit(doc, fmt, output, app.emit, color=app.color and sys.stdout.isatty(), quiet=app.quiet)


__all__ = ["run_validate"]
