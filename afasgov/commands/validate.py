"""``afasgov validate``: check UpdateConnector payloads (JSON or XML) against an environment's snapshot."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov.errors import InputError
from afasgov.findings import Finding
from afasgov.levels import LevelOverrides, settle
from afasgov.locate import Locator
from afasgov.report import InputRef, ReportMeta, RuleInfo, emit
from afasgov.report.ruledocs import documented
from afasgov.validate import validate_path
from afasgov.validate.baseline import catalogue_notes
from afasgov.validate.checks import CHECKS, entries, payload_json

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
    baseline: str | None = None,
) -> int:
    """``afasgov validate``: render the problems of every payload; 0, or 1 when any is ≥ ``fail_on``.
    With ``baseline`` (an environment, e.g. production), each payload is also validated against it and
    problems are graded by what changed (:mod:`afasgov.validate.baseline`)."""
    if action is not None and action not in ("insert", "update", "delete"):
        raise InputError(f"--action must be insert, update or delete, not {action!r}")
    ws = app.workspace(require_config=False, waivers=waivers)
    snapshot = ws.snapshot(env)
    base = ws.snapshot(baseline) if baseline else None
    items: list[Finding] = []
    inputs = [InputRef("snapshot", env)] + ([InputRef("baseline", baseline)] if baseline else [])
    results = []
    for p in payloads:
        result = validate_path(p, snapshot, connector=connector, action=action, baseline=base, read=ws.read)
        results.append(result)
        items.extend(result.items)
        inputs.append(InputRef("payload", str(p), ws.content_hash(p)))
    header: dict[str, object] = {"environment": env, "payloads": len(payloads)}
    if baseline:
        header["baseline"] = baseline
    doc = ReportMeta(
        kind="validate",
        title=f"afasgov validate against {env}" + (f" (baseline {baseline})" if baseline else ""),
        items_key="problems",
        item_json=payload_json,
        header=header,
        inputs=inputs,
        rules=documented({c.id: RuleInfo(c.id, c.level, c.title, c.doc()) for c in entries().values()}),
        fail_on=fail_on,
    )
    if action is None:
        doc.notes.append(
            "JSON payloads were checked as inserts (POST) unless the connector offers PUT only; XML payloads "
            "by their Fields Action (default insert). Use --action update to check a payload as an update."
        )
    if baseline:
        doc.notes.append(
            f"graded against {baseline}: a problem a payload also has against {baseline} is INFO (it is "
            f"accepted there today); only what is new against {env} keeps its level, with the change that "
            "caused it"
        )
    doc.notes.extend(catalogue_notes(results))
    items, doc.waiver_notes, level_notes = settle(items, LevelOverrides.for_workspace(ws), ws.waivers(),
                                                  locator=Locator.for_workspace(ws), rule_ids=CHECKS)
    doc.notes.extend(level_notes)
    return emit(items, doc, fmt, output, app.emit, color=app.color and sys.stdout.isatty(), quiet=app.quiet)


__all__ = ["run_validate"]
