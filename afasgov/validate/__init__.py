"""``afasgov validate``: check UpdateConnector payloads (JSON or XML) against a snapshot.

Public API: :func:`validate_file` (one payload file → problems as
:class:`~afasgov.report.ReportItem`), :func:`validate_bytes`, :func:`run_validate` (the command);
:func:`afasgov.validate.baseline.validate_payloads` (payload files against a revision and a baseline,
graded by what changed: what ``validate --baseline`` and release-check use).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov.errors import InputError
from afasgov.model import EnvironmentSnapshot
from afasgov.report.document import ReportItem
from afasgov.validate.baseline import PayloadResult, catalogue_notes, validate_payload_bytes
from afasgov.validate.checks import CHECKS, check_payload, rule_infos, type_problem
from afasgov.validate.payload import MAX_BYTES, Payload, parse_payload

if TYPE_CHECKING:
    from afasgov.app import AppContext


def validate_bytes(
    data: bytes,
    snapshot: EnvironmentSnapshot,
    *,
    source: str = "<payload>",
    connector: str | None = None,
    action: str | None = None,
    baseline: EnvironmentSnapshot | None = None,
) -> list[ReportItem]:
    """Problems of one payload against ``snapshot`` (graded against ``baseline`` when given)."""
    return validate_payload_bytes(data, snapshot, baseline, file=source, connector=connector, action=action).items


def read_payload_file(path: Path, source: str) -> bytes:
    """A payload file's bytes (:class:`InputError` naming ``source`` when it cannot be read)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"payload too large (limit {MAX_BYTES} bytes)", source=source)
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", source=source) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a payload file", source=source) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=source) from None


def validate_path(
    path: Path,
    snapshot: EnvironmentSnapshot,
    *,
    connector: str | None = None,
    action: str | None = None,
    display: str | None = None,
    baseline: EnvironmentSnapshot | None = None,
) -> PayloadResult:
    """One payload file against ``snapshot`` (and ``baseline``): items, connector, catalogue coverage
    (:class:`InputError` for unreadable/unparseable files)."""
    path = Path(path)
    source = display or str(path)
    return validate_payload_bytes(
        read_payload_file(path, source), snapshot, baseline, file=source, connector=connector, action=action
    )


def validate_file(
    path: Path,
    snapshot: EnvironmentSnapshot,
    *,
    connector: str | None = None,
    action: str | None = None,
    display: str | None = None,
    baseline: EnvironmentSnapshot | None = None,
) -> list[ReportItem]:
    """Problems of one payload file (:class:`InputError` for unreadable/unparseable files)."""
    return validate_path(path, snapshot, connector=connector, action=action, display=display,
                         baseline=baseline).items


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
    from afasgov.diff.command import settings_from
    from afasgov.report import InputRef, ReportDocument, emit, sha256_file
    from afasgov.snapshot.tree import read_any
    from afasgov.waivers import load_waivers, waive_document

    if action is not None and action not in ("insert", "update", "delete"):
        raise InputError(f"--action must be insert, update or delete, not {action!r}")
    settings = settings_from(app, waivers=waivers)
    snapshot = read_any(env, definitions_dir=settings.definitions_dir)
    base = read_any(baseline, definitions_dir=settings.definitions_dir) if baseline else None
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
            "JSON payloads were checked as inserts (POST) unless they say otherwise ('@Action') or the "
            "connector offers PUT only; XML payloads by their Fields Action (default insert). Use --action "
            "update to check a payload as an update."
        )
    if baseline:
        doc.notes.append(
            f"graded against {baseline}: a problem a payload also has against {baseline} is INFO (it is "
            f"accepted there today); only what is new against {env} keeps its level, with the change that "
            "caused it"
        )
    doc.notes.extend(catalogue_notes(results))
    waive_document(doc, load_waivers(settings.waivers, required=waivers is not None))
    return emit(doc, fmt, output, app.emit, color=app.color and sys.stdout.isatty())


__all__ = [
    "CHECKS",
    "Payload",
    "PayloadResult",
    "check_payload",
    "parse_payload",
    "read_payload_file",
    "run_validate",
    "type_problem",
    "validate_bytes",
    "validate_file",
    "validate_path",
]
