"""What an audit check reports: a :class:`Finding` with a :class:`Severity`.

Severities follow the security checklist (critical, high, medium, low, info); for ``--fail-on``
they map to the levels of DESIGN §7: critical and high are ``ERR``, medium is ``WARN``, low and
info are ``INFO``. Evidence is redacted when the finding is built, so no code path can put a
secret into a report by accident.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from afasgov.secrets import redact


class Severity(StrEnum):
    """The checklist's severities, most severe first."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def level(self) -> str:
        """``ERR`` | ``WARN`` | ``INFO`` (DESIGN §7)."""
        return LEVEL_OF[self]

    @property
    def rank(self) -> int:
        """0 for critical … 4 for info (sort key)."""
        return _ORDER.index(self)


_ORDER = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]

LEVEL_OF: dict[Severity, str] = {
    Severity.CRITICAL: "ERR",
    Severity.HIGH: "ERR",
    Severity.MEDIUM: "WARN",
    Severity.LOW: "INFO",
    Severity.INFO: "INFO",
}

LEVELS = ("ERR", "WARN", "INFO")


def level_at_or_above(level: str, threshold: str) -> bool:
    """``True`` when ``level`` is as severe as ``threshold`` or more (ERR > WARN > INFO)."""
    return LEVELS.index(level) <= LEVELS.index(threshold)


def parse_fail_on(value: str) -> str:
    """Accept a level (ERR/WARN/INFO) or a severity (critical … info) and return the level."""
    text = value.strip()
    if text.upper() in LEVELS:
        return text.upper()
    try:
        return Severity(text.lower()).level
    except ValueError:
        from afasgov.errors import UsageError

        raise UsageError(
            f"--fail-on: {value!r} is not one of ERR, WARN, INFO, critical, high, medium, low, info"
        ) from None


@dataclass(frozen=True)
class Finding:
    """One result of one check.

    ``connector_type`` is ``get`` | ``update`` | ``gcn`` | ``app-connector`` | ``environment`` |
    ``config`` | ``file`` | ``policy``; ``path`` is the canonical path (DESIGN §5) or, for files,
    ``file:line``. ``key`` distinguishes findings of one check on the same subject and feeds the
    stable ``fingerprint``.
    """

    check_id: str
    title: str
    severity: Severity
    message: str
    environment: str = ""
    app_connector: str = ""
    connector: str = ""
    connector_type: str = ""
    field: str = ""
    path: str = ""
    evidence: str = ""
    remediation: str = ""
    auditor_ref: str = ""
    key: str = ""
    waived: bool = False
    waiver: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        # evidence and message are scrubbed here, once, for every finding of every check.
        object.__setattr__(self, "evidence", redact(self.evidence))
        object.__setattr__(self, "message", redact(self.message))

    @property
    def level(self) -> str:
        return self.severity.level

    @property
    def id(self) -> str:
        return self.check_id

    @property
    def fingerprint(self) -> str:
        """Stable across runs: check id + where + ``key`` (never the evidence text)."""
        basis = "|".join(
            [
                self.check_id,
                self.environment,
                self.app_connector,
                self.connector_type,
                self.connector,
                self.field,
                self.path,
                self.key,
            ]
        )
        return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]

    @property
    def location(self) -> str:
        """Where, as one path: ``<environment>/<App Connector>/<canonical path>`` (empty parts left out;
        several App Connectors are not spelled out). Waiver ``path`` patterns match this."""
        if self.connector_type == "file":
            return self.path
        app = self.app_connector if "," not in self.app_connector else ""
        parts = [self.environment, app, self.path or self.connector]
        return "/".join(p for p in parts if p)

    def with_waiver(self, waiver: dict[str, Any] | None) -> Finding:
        return replace(self, waived=waiver is not None, waiver=waiver)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (DESIGN §6 keys where they apply, plus the audit's own)."""
        return {
            "id": self.check_id,
            "title": self.title,
            "severity": self.severity.value,
            "level": self.level,
            "environment": self.environment or None,
            "app_connector": self.app_connector or None,
            "connector_type": self.connector_type or None,
            "connector": self.connector or None,
            "field": self.field or None,
            "path": self.location or None,
            "canonical_path": self.path or None,
            "text": self.message,
            "evidence": self.evidence or None,
            "remediation": self.remediation,
            "auditor_ref": self.auditor_ref or None,
            "fingerprint": self.fingerprint,
            "waived": self.waived,
            "waiver": self.waiver,
        }


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then by check id, environment and location (deterministic output)."""
    return sorted(
        findings,
        key=lambda f: (
            f.severity.rank,
            f.check_id,
            f.environment,
            f.app_connector,
            f.path,
            f.connector,
            f.field,
            f.key,
        ),
    )
