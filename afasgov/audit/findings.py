"""What an audit check reports: a :class:`~afasgov.findings.Finding` of kind ``audit``.

Severities follow the security checklist (critical, high, medium, low, info) and map to levels as
DESIGN §7 says (:data:`afasgov.findings.SEVERITY_LEVEL`). Evidence and message are redacted when the
finding is built (:meth:`afasgov.audit.registry.Check.finding`), so no code path can put a secret into
a report by accident. This module holds the audit's stable fingerprint, its DESIGN §7 JSON shape and
its report order.
"""

from __future__ import annotations

import hashlib
from typing import Any

from afasgov.findings import Finding, Location


def fingerprint_of(check_id: str, location: Location, key: str = "") -> str:
    """Stable across runs: check id + where + ``key`` (never the evidence text); 16 hex digits."""
    basis = "|".join(
        [
            check_id,
            location.environment,
            location.app_connector,
            location.connector_type,
            location.connector,
            location.field or "",
            location.path,
            key,
        ]
    )
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def audit_json(f: Finding) -> dict[str, Any]:
    """A finding as ``afasgov audit --format json`` writes it (DESIGN §6 keys where they apply, plus the
    audit's own)."""
    loc = f.location
    return {
        "id": f.id,
        "title": f.title,
        "severity": f.severity.value if f.severity is not None else None,
        "level": f.level,
        "environment": loc.environment or None,
        "app_connector": loc.app_connector or None,
        "connector_type": loc.connector_type or None,
        "connector": loc.connector or None,
        "field": loc.field or None,
        "path": f.path or None,
        "canonical_path": loc.path or None,
        "text": f.text,
        "evidence": f.evidence or None,
        "remediation": f.remediation,
        "auditor_ref": f.reference or None,
        "fingerprint": f.fingerprint,
        "waived": f.waived,
        "waiver": f.waiver.to_json() if f.waiver is not None else None,
    }


def _severity_rank(f: Finding) -> int:
    return f.severity.rank if f.severity is not None else 9


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then by check id, environment and location (deterministic output)."""
    return sorted(
        findings,
        key=lambda f: (
            _severity_rank(f),
            f.id,
            f.location.environment,
            f.location.app_connector,
            f.location.path,
            f.location.connector,
            f.location.field or "",
            str(f.extra.get("key", "")),
        ),
    )


__all__ = ["audit_json", "fingerprint_of", "sort_findings"]
