"""``afasgov validate``: check UpdateConnector payloads (JSON or XML) against an environment's snapshot."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov.errors import InputError
from afasgov.findings import Finding
from afasgov.report import InputRef, ReportMeta, RuleInfo, emit
from afasgov.validate import validate_path
from afasgov.validate.baseline import catalogue_notes
from afasgov.validate.checks import CHECKS, entries, payload_json
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
    baseline: str | None = None,
) -> int:
    """``afasgov validate``: render the problems of every payload; 0, or 1 when any is ≥ ``fail_on``.
    With ``baseline`` (an environment, e.g. production), each payload is also validated against it and
    problems are graded by what changed (:mod:`afasgov.validate.baseline`)."""
    from afasgov.commands.diff import settings_from
    from afasgov.snapshot.tree import read_any

    if action is not None and action not in ("insert", "update", "delete"):
        raise InputError(f"--action must be insert, update or delete, not {action!r}")
    settings = settings_from(app, waivers=waivers)
    snapshot = read_any(env, definitions_dir=settings.definitions_dir, environments=settings.environments)
    base = (read_any(baseline, definitions_dir=settings.definitions_dir, environments=settings.environments)
            if baseline else None)
    items: list[Finding] = []
    inputs = [InputRef("snapshot", env)] + ([InputRef("baseline", baseline)] if baseline else [])
    results = []
    for p in payloads:
        result = validate_path(p, snapshot, connector=connector, action=action, baseline=base)
        results.append(result)
        items.extend(result.items)
        inputs.append(InputRef("payload", str(p), hash_path(p)))
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
        rules={c.id: RuleInfo(c.id, c.level, c.title, c.doc()) for c in entries().values()},
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
    items, doc.waiver_notes = load_waivers(settings.waivers, required=waivers is not None).waive(
        items, rule_ids=CHECKS)
    return emit(items, doc, fmt, output, app.emit, color=app.color and sys.stdout.isatty(), quiet=app.quiet)


__all__ = ["run_validate"]
