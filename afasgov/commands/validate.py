"""``afasgov validate``: check UpdateConnector payloads (JSON or XML) against an environment's snapshot."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov.errors import InputError
from afasgov.report.document import ReportItem
from afasgov.validate import validate_path
from afasgov.validate.baseline import catalogue_notes
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
    baseline: str | None = None,
) -> int:
    """``afasgov validate``: render the problems of every payload; 0, or 1 when any is ≥ ``fail_on``.
    With ``baseline`` (an environment, e.g. production), each payload is also validated against it and
    problems are graded by what changed (:mod:`afasgov.validate.baseline`)."""
    from afasgov.commands.diff import settings_from
    from afasgov.report import InputRef, ReportDocument, emit, sha256_file
    from afasgov.snapshot.tree import read_any
    from afasgov.waivers import load_waivers, waive_document

    if action is not None and action not in ("insert", "update", "delete"):
        raise InputError(f"--action must be insert, update or delete, not {action!r}")
    settings = settings_from(app, waivers=waivers)
    snapshot = read_any(env, definitions_dir=settings.definitions_dir, environments=settings.environments)
    base = (read_any(baseline, definitions_dir=settings.definitions_dir, environments=settings.environments)
            if baseline else None)
    items: list[ReportItem] = []
    inputs = [InputRef("snapshot", env)] + ([InputRef("baseline", baseline)] if baseline else [])
    results = []
    for p in payloads:
        result = validate_path(p, snapshot, connector=connector, action=action, baseline=base)
        results.append(result)
        items.extend(result.items)
        inputs.append(InputRef("payload", str(p), sha256_file(p)))
    header: dict[str, object] = {"environment": env, "payloads": len(payloads)}
    if baseline:
        header["baseline"] = baseline
    doc = ReportDocument(
        kind="validate",
        title=f"afasgov validate against {env}" + (f" (baseline {baseline})" if baseline else ""),
        items=items,
        items_key="problems",
        header=header,
        inputs=inputs,
        rules=rule_infos(),
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
    waive_document(doc, load_waivers(settings.waivers, required=waivers is not None), rule_ids=CHECKS)
    return emit(doc, fmt, output, app.emit, color=app.color and sys.stdout.isatty(), quiet=app.quiet)


__all__ = ["run_validate"]
