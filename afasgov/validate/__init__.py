"""``afasgov validate``: check UpdateConnector payloads (JSON or XML) against a snapshot.

Public API: :func:`validate_file` (one payload file → problems as
:class:`~afasgov.findings.Finding`), :func:`validate_bytes`, the command is :mod:`afasgov.commands.validate`.
"""

from __future__ import annotations

from pathlib import Path

from afasgov.errors import InputError
from afasgov.findings import Finding
from afasgov.model import EnvironmentSnapshot
from afasgov.validate.checks import CHECKS, check_payload, type_problem
from afasgov.validate.payload import MAX_BYTES, Payload, parse_payload


def validate_bytes(
    data: bytes,
    snapshot: EnvironmentSnapshot,
    *,
    source: str = "<payload>",
    connector: str | None = None,
    action: str | None = None,
) -> list[Finding]:
    payload = parse_payload(data, source, connector)
    return check_payload(payload, snapshot, file=source, connector=connector, action=action)


def validate_file(
    path: Path,
    snapshot: EnvironmentSnapshot,
    *,
    connector: str | None = None,
    action: str | None = None,
    display: str | None = None,
) -> list[Finding]:
    """Problems of one payload file (:class:`InputError` for unreadable/unparseable files)."""
    path = Path(path)
    source = display or str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"payload too large (limit {MAX_BYTES} bytes)", source=source)
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", source=source) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a payload file", source=source) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=source) from None
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
