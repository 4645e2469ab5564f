"""``afasgov validate``: check UpdateConnector payloads (JSON or XML) against a snapshot.

Public API: :func:`validate_file` (one payload file → problems as
:class:`~afasgov.report.ReportItem`), :func:`validate_bytes`, the command is :mod:`afasgov.commands.validate`.
"""

from __future__ import annotations

from pathlib import Path

from afasgov._files import read_input
from afasgov.model import EnvironmentSnapshot
from afasgov.report.document import ReportItem
from afasgov.validate.checks import CHECKS, check_payload, type_problem
from afasgov.validate.payload import MAX_BYTES, Payload, parse_payload


def validate_bytes(
    data: bytes,
    snapshot: EnvironmentSnapshot,
    *,
    source: str = "<payload>",
    connector: str | None = None,
    action: str | None = None,
) -> list[ReportItem]:
    payload = parse_payload(data, source, connector)
    return check_payload(payload, snapshot, file=source, connector=connector, action=action)


def validate_file(
    path: Path,
    snapshot: EnvironmentSnapshot,
    *,
    connector: str | None = None,
    action: str | None = None,
    display: str | None = None,
) -> list[ReportItem]:
    """Problems of one payload file (:class:`InputError` for unreadable/unparseable files)."""
    path = Path(path)
    source = display or str(path)
    data = read_input(path, max_bytes=MAX_BYTES, source=source)  # regular files only, capped
    return validate_bytes(data, snapshot, source=source, connector=connector, action=action)


__all__ = [
    "CHECKS",
    "Payload",
    "check_payload",
    "parse_payload",
    "type_problem",
    "validate_bytes",
    "validate_file",
]
