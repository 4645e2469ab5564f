"""``afasgov validate``: check UpdateConnector payloads (JSON or XML) against a snapshot.

Public API: :func:`validate_file` (one payload file → problems as
:class:`~afasgov.findings.Finding`), :func:`validate_bytes`, :func:`validate_path`; the command is
:mod:`afasgov.commands.validate`. :func:`afasgov.validate.baseline.validate_payloads`: payload files
against a revision and a baseline, graded by what changed (what ``validate --baseline`` and
release-check use).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from afasgov._files import read_input
from afasgov.findings import Finding
from afasgov.model import EnvironmentSnapshot
from afasgov.validate.baseline import PayloadResult, validate_payload_bytes
from afasgov.validate.checks import CHECKS, check_payload, type_problem
from afasgov.validate.payload import MAX_BYTES, Payload, parse_payload


def validate_bytes(
    data: bytes,
    snapshot: EnvironmentSnapshot,
    *,
    source: str = "<payload>",
    connector: str | None = None,
    action: str | None = None,
    baseline: EnvironmentSnapshot | None = None,
) -> list[Finding]:
    """Problems of one payload against ``snapshot`` (graded against ``baseline`` when given)."""
    return validate_payload_bytes(data, snapshot, baseline, file=source, connector=connector, action=action).items


def read_payload_file(path: Path, source: str, read: Callable[[Path], bytes] | None = None) -> bytes:
    """A payload file's bytes (:class:`InputError` naming ``source`` when it cannot be read: regular files
    only, capped); ``read``: a workspace's reader."""
    return read_input(path, max_bytes=MAX_BYTES, source=source, read=read)


def validate_path(
    path: Path,
    snapshot: EnvironmentSnapshot,
    *,
    connector: str | None = None,
    action: str | None = None,
    display: str | None = None,
    baseline: EnvironmentSnapshot | None = None,
    read: Callable[[Path], bytes] | None = None,
) -> PayloadResult:
    """One payload file against ``snapshot`` (and ``baseline``): items, connector, catalogue coverage
    (:class:`InputError` for unreadable/unparseable files)."""
    path = Path(path)
    source = display or str(path)
    return validate_payload_bytes(
        read_payload_file(path, source, read), snapshot, baseline, file=source, connector=connector, action=action
    )


def validate_file(
    path: Path,
    snapshot: EnvironmentSnapshot,
    *,
    connector: str | None = None,
    action: str | None = None,
    display: str | None = None,
    baseline: EnvironmentSnapshot | None = None,
) -> list[Finding]:
    """Problems of one payload file (:class:`InputError` for unreadable/unparseable files)."""
    return validate_path(path, snapshot, connector=connector, action=action, display=display,
                         baseline=baseline).items


__all__ = [
    "CHECKS",
    "Payload",
    "PayloadResult",
    "check_payload",
    "parse_payload",
    "read_payload_file",
    "type_problem",
    "validate_bytes",
    "validate_file",
    "validate_path",
]
