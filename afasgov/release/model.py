"""The release report as data: one structure, rendered to HTML, Markdown, JSON, JUnit and SARIF.

A :class:`ReleaseReport` holds everything an auditor asks of a pre-release check (DESIGN §8,
security-checklist §3): the verdict and counts by level, the trend against earlier runs, the impact
per integration, the diff changes, the payload validation results, the audit findings with
evidence and remediation, the waivers, what could not be seen, the input hashes, the tool version
and timestamps. Every line of evidence is an :class:`Item`; items of all three sources share one
shape so that every renderer treats them alike.

Levels are ``ERR`` > ``WARN`` > ``INFO``. Audit severities map to levels as DESIGN §7 says
(critical, high → ERR; medium → WARN; low, info → INFO). Waived items never fail a run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

LEVELS: tuple[str, ...] = ("ERR", "WARN", "INFO")
LEVEL_RANK: dict[str, int] = {"ERR": 3, "WARN": 2, "INFO": 1}
SEVERITY_LEVEL: dict[str, str] = {
    "critical": "ERR", "high": "ERR", "medium": "WARN", "low": "INFO", "info": "INFO",
}
SECTIONS: tuple[str, ...] = ("diff", "validation", "audit")
SECTION_TITLES: dict[str, str] = {
    "diff": "Breaking changes (production → accept)",
    "validation": "Recorded payloads validated against accept",
    "audit": "Security audit",
}
REPORT_SCHEMA = "afasgov.release-report/1"
RUN_ID_FORMAT = "%Y-%m-%dT%H%M%SZ"


def level_of_severity(severity: str) -> str:
    """DESIGN §7: critical/high → ERR, medium → WARN, low/info → INFO (unknown → WARN)."""
    return SEVERITY_LEVEL.get(severity.strip().lower(), "WARN")


def at_or_above(level: str, threshold: str) -> bool:
    return LEVEL_RANK.get(level, 0) >= LEVEL_RANK.get(threshold, 3)


def run_id_of(moment: datetime) -> str:
    """``2026-10-01T120000Z``: the timestamp part of report file names (UTC)."""
    return moment.astimezone(UTC).strftime(RUN_ID_FORMAT)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def zero_counts() -> dict[str, int]:
    return dict.fromkeys(LEVELS, 0)


@dataclass(frozen=True)
class Waiver:
    """A waiver as applied to an item (or listed in the register)."""

    match: str
    reason: str = ""
    owner: str = ""
    expires: str = ""
    #: ``active`` | ``expired`` | ``unused`` (active but matching nothing in this run)
    status: str = "active"
    used_by: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"match": self.match, "reason": self.reason, "owner": self.owner, "expires": self.expires,
                "status": self.status, "used_by": self.used_by}


@dataclass(frozen=True)
class Item:
    """One piece of evidence: a diff change, a payload validation result or an audit finding."""

    section: str
    id: str
    level: str
    text: str
    title: str = ""
    path: str = ""
    connector: str = ""
    connector_type: str = ""
    object_path: tuple[str, ...] = ()
    field: str | None = None
    value: str | None = None
    before: Any = None
    after: Any = None
    environment: str = ""
    app_connector: str = ""
    #: validation: the integration whose payload this is; diff: the integrations a change affects
    integrations: tuple[str, ...] = ()
    payload: str = ""
    severity: str = ""
    evidence: str = ""
    remediation: str = ""
    auditor: str = ""
    #: a file the item is about (relative to the repository), for SARIF locations
    file: str = ""
    fingerprint: str = ""
    waived: bool = False
    waiver: Waiver | None = None
    note: str = ""

    def fails(self, threshold: str) -> bool:
        return not self.waived and at_or_above(self.level, threshold)

    def key(self) -> str:
        """A stable identity: the upstream fingerprint, or a hash of what identifies the item."""
        if self.fingerprint:
            return self.fingerprint
        raw = "\x1f".join([self.section, self.id, self.path, self.environment, self.app_connector,
                           self.payload, ",".join(self.integrations)])
        return "sha256:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "section": self.section, "id": self.id, "level": self.level, "title": self.title,
            "text": self.text, "path": self.path,
        }
        if self.section == "diff":
            data |= {"connector_type": self.connector_type, "connector": self.connector,
                     "object_path": list(self.object_path), "field": self.field, "value": self.value,
                     "before": self.before, "after": self.after}
        else:
            data |= {"connector": self.connector, "field": self.field}
        if self.section == "audit":
            data |= {"severity": self.severity, "evidence": self.evidence,
                     "remediation": self.remediation, "auditor": self.auditor or None}
        data |= {"environment": self.environment or None, "app_connector": self.app_connector or None,
                 "integrations": list(self.integrations)}
        if self.section == "validation":
            data["payload"] = self.payload
        data |= {"file": self.file or None, "fingerprint": self.key(), "waived": self.waived,
                 "waiver": self.waiver.to_json() if self.waiver else None, "note": self.note or None}
        return data


@dataclass(frozen=True)
class EnvInfo:
    """One side of the comparison: which environment, where its definitions came from."""

    name: str
    type: str = ""
    profit_version: str = ""
    #: ``live`` (snapshotted in this run) or ``committed`` (the definitions tree as found)
    source: str = "committed"
    taken_at: str = ""
    tree_hash: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "profit_version": self.profit_version,
                "source": self.source, "taken_at": self.taken_at, "tree_hash": self.tree_hash}


@dataclass
class IntegrationImpact:
    """What this release means for one integration (from its manifest)."""

    name: str
    owner: str = ""
    app_connector: str = ""
    counts: dict[str, int] = field(default_factory=zero_counts)
    #: connector id -> worst level and number of (unwaived) changes affecting this integration
    connectors: dict[str, tuple[str, int]] = field(default_factory=dict)
    payloads_checked: int = 0
    payloads_failed: int = 0
    notes: list[str] = field(default_factory=list)
    #: what this release changes for the integration, in sentences (from the diff's impact analysis)
    impacts: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.counts.get("ERR", 0) or self.payloads_failed:
            return "breaks"
        if self.counts.get("WARN", 0):
            return "at risk"
        return "ok"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "owner": self.owner, "app_connector": self.app_connector,
                "status": self.status, "counts": dict(self.counts),
                "connectors": {k: {"level": v[0], "count": v[1]} for k, v in sorted(self.connectors.items())},
                "payloads": {"checked": self.payloads_checked, "failed": self.payloads_failed},
                "impacts": list(self.impacts), "notes": list(self.notes)}


@dataclass(frozen=True)
class TrendPoint:
    """Counts by level (unwaived) of one earlier run of the same kind and scope."""

    run_id: str
    counts: Mapping[str, int]
    verdict: str = ""
    file: str = ""


@dataclass
class ReleaseReport:
    """Everything one ``afasgov release-check`` run found; see the module docstring."""

    scope: str
    started_at: datetime
    finished_at: datetime
    tool_version: str
    base: EnvInfo
    revision: EnvInfo
    fail_on: str = "ERR"
    kind: str = "release-check"
    items: list[Item] = field(default_factory=list)
    integrations: list[IntegrationImpact] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    not_seen: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: name (e.g. ``definitions/accept``) -> ``sha256:…``
    inputs: dict[str, str] = field(default_factory=dict)
    history: list[TrendPoint] = field(default_factory=list)
    #: sections that could not run at all (e.g. the audit engine is missing): section -> reason
    skipped: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.items = sort_items(self.items)

    # ------------------------------------------------------------------ derived figures
    @property
    def run_id(self) -> str:
        return run_id_of(self.started_at)

    def section_items(self, section: str) -> list[Item]:
        return [i for i in self.items if i.section == section]

    def counts(self, section: str | None = None) -> dict[str, int]:
        """Unwaived items by level (optionally of one section)."""
        counts = zero_counts()
        for item in self.items:
            if not item.waived and (section is None or item.section == section):
                counts[item.level] = counts.get(item.level, 0) + 1
        return counts

    def waived_count(self, section: str | None = None) -> int:
        return sum(1 for i in self.items if i.waived and (section is None or i.section == section))

    @property
    def failing(self) -> list[Item]:
        return [i for i in self.items if i.fails(self.fail_on)]

    @property
    def verdict(self) -> str:
        """``FAIL`` when an unwaived item is at or above ``fail_on``; ``PASS`` otherwise."""
        return "FAIL" if self.failing else "PASS"

    @property
    def previous(self) -> TrendPoint | None:
        return self.history[-1] if self.history else None

    def trend(self) -> dict[str, int] | None:
        """Change in unwaived counts by level against the previous run (None: first run)."""
        prev = self.previous
        if prev is None:
            return None
        now = self.counts()
        return {lvl: now.get(lvl, 0) - int(prev.counts.get(lvl, 0)) for lvl in LEVELS}

    def verdict_line(self) -> str:
        counts = self.counts()
        parts = ", ".join(f"{counts[lvl]} {lvl}" for lvl in LEVELS)
        waived = self.waived_count()
        if waived:
            parts += f", {waived} waived"
        return f"{self.verdict}: {parts} (fail on {self.fail_on} and above)"

    def points(self) -> list[TrendPoint]:
        """Earlier runs plus this one, oldest first (for the trend picture)."""
        return [*self.history, TrendPoint(self.run_id, self.counts(), self.verdict, "")]

    # ------------------------------------------------------------------ JSON
    def to_json(self) -> dict[str, Any]:
        trend = self.trend()
        prev = self.previous
        return {
            "schema": REPORT_SCHEMA,
            "tool": {"name": "afasgov", "version": self.tool_version},
            "kind": self.kind,
            "scope": self.scope,
            "run_id": self.run_id,
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
            "verdict": self.verdict,
            "fail_on": self.fail_on,
            "summary": self.counts() | {"waived": self.waived_count()},
            "sections": {s: self.counts(s) | {"waived": self.waived_count(s)} for s in SECTIONS},
            "skipped": dict(self.skipped),
            "trend": None if prev is None or trend is None else {
                "previous_run": prev.run_id, "previous_summary": dict(prev.counts), "delta": trend,
                "history": [{"run_id": p.run_id, **{k: int(v) for k, v in p.counts.items()}}
                            for p in self.history],
            },
            "base": self.base.to_json(),
            "revision": self.revision.to_json(),
            "integrations": [i.to_json() for i in self.integrations],
            "changes": [i.to_json() for i in self.section_items("diff")],
            "validation": [i.to_json() for i in self.section_items("validation")],
            "findings": [i.to_json() for i in self.section_items("audit")],
            "waivers": [w.to_json() for w in self.waivers],
            "checked": list(self.checked),
            "not_seen": list(self.not_seen),
            "notes": list(self.notes),
            "inputs": dict(sorted(self.inputs.items())),
        }

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False, default=str) + "\n"


def sort_items(items: Iterable[Item]) -> list[Item]:
    """Worst first, then by section, then path: the order every renderer shows."""
    order = {s: n for n, s in enumerate(SECTIONS)}
    return sorted(items, key=lambda i: (i.waived, -LEVEL_RANK.get(i.level, 0), order.get(i.section, 9),
                                        i.connector, i.path, i.id, i.environment, i.app_connector,
                                        i.payload))


def parse_run_id(run_id: str) -> datetime | None:
    try:
        return datetime.strptime(run_id, RUN_ID_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


__all__ = [
    "LEVELS",
    "LEVEL_RANK",
    "REPORT_SCHEMA",
    "SECTIONS",
    "SECTION_TITLES",
    "EnvInfo",
    "IntegrationImpact",
    "Item",
    "ReleaseReport",
    "TrendPoint",
    "Waiver",
    "at_or_above",
    "level_of_severity",
    "parse_run_id",
    "run_id_of",
    "sort_items",
]
