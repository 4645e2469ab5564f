"""``afasgov validate``: check UpdateConnector payloads (JSON or XML) against a snapshot.

Public API: :func:`validate_file` (one payload file → problems as
:class:`~afasgov.findings.Finding`), :func:`validate_bytes`, :func:`validate_path`; the command is
:mod:`afasgov.commands.validate`. :func:`afasgov.validate.baseline.validate_payloads`: payload files
against a revision and a baseline, graded by what changed (what ``validate --baseline`` and
release-check use).
"""

from __future__ import annotations

from pathlib import Path

from afasgov.errors import InputError
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
