"""``afasgov validate``: check UpdateConnector payloads (JSON or XML) against an environment's snapshot."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov.errors import InputError
from afasgov.findings import Finding
from afasgov.report import InputRef, ReportMeta, RuleInfo, emit
from afasgov.validate import validate_file
from afasgov.validate.checks import catalogue, payload_json
from afasgov.waivers import load_waivers
from afasgov.workspace import hash_path

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
    from afasgov.snapshot.tree import read_any

    if action is not None and action not in ("insert", "update", "delete"):
        raise InputError(f"--action must be insert, update or delete, not {action!r}")
    settings = settings_from(app, waivers=waivers)
    snapshot = read_any(env, definitions_dir=settings.definitions_dir)
    problems: list[Finding] = []
    inputs = [InputRef("snapshot", env)]
    for p in payloads:
        problems.extend(validate_file(p, snapshot, connector=connector, action=action))
        inputs.append(InputRef("payload", str(p), hash_path(p)))
    meta = ReportMeta(
        kind="validate",
        title=f"afasgov validate against {env}",
        items_key="problems",
        item_json=payload_json,
        header={"environment": env, "payloads": len(payloads)},
        inputs=inputs,
        rules={c.id: RuleInfo(c.id, c.level, c.title, c.doc()) for c in catalogue().values()},
        fail_on=fail_on,
    )
    if action is None:
        meta.notes.append(
            "JSON payloads were checked as inserts (POST); XML payloads by their Fields Action "
            "(default insert). Use --action update to skip the mandatory-field check."
        )
    problems, meta.waiver_notes = load_waivers(settings.waivers, required=waivers is not None).waive(problems)
    return emit(problems, meta, fmt, output, app.emit, color=app.color and sys.stdout.isatty())


__all__ = ["run_validate"]
