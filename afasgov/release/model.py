"""The release report as data: one structure, rendered to HTML, Markdown, JSON, JUnit and SARIF.

A :class:`ReleaseReport` holds everything an auditor asks of a pre-release check (DESIGN §8,
security-checklist §3): the verdict and counts by level, the trend against earlier runs, the impact
per integration, the diff changes, the payload validation results, the audit findings with
evidence and remediation, the waivers, what could not be seen, the input hashes, the tool version
and timestamps. Every line of evidence is a :class:`~afasgov.findings.Finding` (kind ``diff``,
``validation`` or ``audit``: the report's sections), so every renderer treats them alike;
:func:`item_json` writes one as the report's JSON schema (``afasgov.release-report/1``) has it.

Levels and the severity → level map are :mod:`afasgov.findings`'. Waived findings never fail a run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from afasgov.catalogues import RuleDoc

from afasgov.findings import FAIL_ON_NONE, KINDS, LEVELS, Finding, WaiverRef, level_rank

SECTIONS: tuple[str, ...] = KINDS
SECTION_TITLES: dict[str, str] = {
    "diff": "Breaking changes (production → accept)",
    "validation": "Recorded payloads validated against accept",
    "audit": "Security audit",
}
REPORT_SCHEMA = "afasgov.release-report/1"
RUN_ID_FORMAT = "%Y-%m-%dT%H%M%SZ"


def run_id_of(moment: datetime) -> str:
    """``2026-10-01T120000Z``: the timestamp part of report file names (UTC)."""
    return moment.astimezone(UTC).strftime(RUN_ID_FORMAT)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def zero_counts() -> dict[str, int]:
    return dict.fromkeys(LEVELS, 0)


@dataclass(frozen=True)
class WaiverRow:
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


def waiver_match(ref: WaiverRef) -> str:
    """What a waiver matches, as the register shows it: its fingerprint, or ``<id> <path pattern>``."""
    return ref.fingerprint if ref.fingerprint else f"{ref.id} {ref.path}"


def item_json(item: Finding, waivers: Iterable[WaiverRow] = ()) -> dict[str, Any]:
    """One finding as the release report's JSON has it (``changes``, ``validation`` or ``findings``);
    ``waivers`` is the register, whose row of the covering waiver the item carries."""
    loc = item.location
    data: dict[str, Any] = {
        "section": item.kind, "id": item.id, "level": item.level, "title": item.title,
        "text": item.text, "path": item.path,
    }
    if item.kind == "diff":
        data |= {"connector_type": loc.connector_type, "connector": loc.connector,
                 "object_path": list(loc.object_path), "field": loc.field, "value": loc.value,
                 "before": item.before, "after": item.after}
    else:
        data |= {"connector": loc.connector, "field": loc.field}
    if item.kind == "audit":
        data |= {"severity": item.severity.value if item.severity is not None else "", "evidence": item.evidence,
                 "remediation": item.remediation, "auditor": item.reference or None}
    data |= {"environment": loc.environment or None, "app_connector": loc.app_connector or None,
             "integrations": list(item.integrations)}
    if item.kind == "validation":
        data["payload"] = loc.file
    waiver = None
    if item.waiver is not None:
        ref = item.waiver
        row = next((w for w in waivers if (w.match, w.reason, w.owner, w.expires)
                    == (waiver_match(ref), ref.reason, ref.owner, ref.expires)), None)
        waiver = (row or WaiverRow(match=waiver_match(ref), reason=ref.reason, owner=ref.owner,
                                expires=ref.expires)).to_json()
    data |= {"file": loc.file or None, "line": loc.line or None, "fingerprint": item.fingerprint, "waived": item.waived,
             "waiver": waiver, "note": "; ".join(item.notes) or None}
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
class AnnouncedChangeRow:
    """A change AFAS's release notes announce for a connector the integrations use, and its status on accept."""

    id: str
    level: str
    connector: str
    path: str
    value: str | None
    #: the description as AFAS wrote it
    text: str
    #: ``confirmed`` (the diff between production and accept shows it) or ``not visible``
    status: str
    #: how it is confirmed (part of a new object …) or why it is not visible
    why: str
    #: ``file:line`` of the row in the notes
    source: str
    anchor: str
    integrations: tuple[str, ...] = ()
    #: the fingerprint of the diff finding that shows it ("" when not visible)
    finding: str = ""
    breaking: bool = False
    modules: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "level": self.level, "connector": self.connector, "path": self.path,
                "value": self.value, "text": self.text, "status": self.status, "why": self.why or None,
                "source": self.source, "integrations": list(self.integrations), "finding": self.finding or None,
                "breaking": self.breaking, "modules": list(self.modules), "operations": list(self.operations)}


@dataclass(frozen=True)
class ProseRow:
    """A prose section of the notes (read by hand) that names a connector the integrations use."""

    title: str
    source: str
    anchor: str
    connectors: tuple[str, ...]
    integrations: tuple[str, ...] = ()
    breaking: bool = False
    #: the prose (an excerpt when long)
    text: str = ""
    module: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "source": self.source, "anchor": self.anchor, "module": self.module,
                "connectors": list(self.connectors), "integrations": list(self.integrations),
                "breaking": self.breaking, "text": self.text}


@dataclass
class AnnouncedSection:
    """"Announced by AFAS" (``release-check --release-notes``): see :mod:`afasgov.release.announced`."""

    release: str
    #: what "connectors the integrations use" meant in this run
    scope: str
    files: list[dict[str, Any]] = field(default_factory=list)
    changes: list[AnnouncedChangeRow] = field(default_factory=list)
    prose: list[ProseRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self, accept: str) -> str:
        """One line: what the notes announce for the integrations' connectors and what accept shows."""
        c = self.counts
        return (f"announced by AFAS ({self.release}): {c.get('listed', 0)} change(s) to connectors the "
                f"integrations use ({c.get('confirmed', 0)} confirmed on {accept}, {c.get('not_visible', 0)} not "
                f"visible), {c.get('read_by_hand', 0)} prose item(s) to read by hand; "
                f"{c.get('unannounced', 0)} change(s) on {accept} not announced "
                f"({c.get('unannounced_err', 0)} ERR)")

    def connector_prose(self) -> dict[str, list[ProseRow]]:
        """connector → the prose items that name it (the HTML links findings on it to them)."""
        out: dict[str, list[ProseRow]] = {}
        for p in self.prose:
            for c in p.connectors:
                out.setdefault(c, []).append(p)
        return out

    def to_json(self) -> dict[str, Any]:
        return {"release": self.release, "scope": self.scope, "files": list(self.files),
                "counts": dict(self.counts), "changes": [r.to_json() for r in self.changes],
                "read_by_hand": [p.to_json() for p in self.prose]}


@dataclass(frozen=True)
class Artifact:
    """A file the run writes next to its reports (``release-check --openapi``: each environment's OpenAPI
    document): ``<stem>.<kind>/<name>`` in the reports directory, rendered as it is written."""

    kind: str
    environment: str
    #: the file's name inside the run's ``<stem>.<kind>/`` directory (``production.json``)
    name: str
    title: str
    #: the file's bytes, rendered chunk by chunk when called
    chunks: Callable[[], Iterator[bytes]] = field(compare=False, repr=False)

    def path(self, stem: str) -> str:
        """Relative to the reports directory, ``/``-separated."""
        return f"{stem}.{self.kind}/{self.name}"

    def to_json(self, stem: str) -> dict[str, Any]:
        return {"kind": self.kind, "environment": self.environment, "title": self.title, "path": self.path(stem)}


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
    items: list[Finding] = field(default_factory=list)
    integrations: list[IntegrationImpact] = field(default_factory=list)
    waivers: list[WaiverRow] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    not_seen: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: name (e.g. ``definitions/accept``) -> ``sha256:…``
    inputs: dict[str, str] = field(default_factory=dict)
    history: list[TrendPoint] = field(default_factory=list)
    #: sections that could not run at all (e.g. the audit engine is missing): section -> reason
    skipped: dict[str, str] = field(default_factory=dict)
    #: rule id -> its documentation (help text and link), for SARIF's rule table
    rules: Mapping[str, RuleDoc] = field(default_factory=dict)
    #: files written next to the reports (``--openapi``), listed in the JSON report and the index
    artifacts: list[Artifact] = field(default_factory=list)
    #: "Announced by AFAS" (``--release-notes``)
    announced: AnnouncedSection | None = None

    def __post_init__(self) -> None:
        self.items = sort_items(self.items)

    # ------------------------------------------------------------------ derived figures
    @property
    def run_id(self) -> str:
        return run_id_of(self.started_at)

    @property
    def stem(self) -> str:
        """``<run id>-<kind>-<scope>``: the name of the run's report files (DESIGN §8)."""
        return f"{self.run_id}-{self.kind}-{self.scope}" if self.scope else f"{self.run_id}-{self.kind}"

    def section_items(self, section: str) -> list[Finding]:
        return [i for i in self.items if i.kind == section]

    def counts(self, section: str | None = None) -> dict[str, int]:
        """Unwaived items by level (optionally of one section)."""
        counts = zero_counts()
        for item in self.items:
            if not item.waived and (section is None or item.kind == section):
                counts[item.level] = counts.get(item.level, 0) + 1
        return counts

    def waived_count(self, section: str | None = None) -> int:
        return sum(1 for i in self.items if i.waived and (section is None or i.kind == section))

    @property
    def failing(self) -> list[Finding]:
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
        if self.fail_on == FAIL_ON_NONE:
            return f"{self.verdict}: {parts} (--fail-on none: report only)"
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
            "changes": [item_json(i, self.waivers) for i in self.section_items("diff")],
            "validation": [item_json(i, self.waivers) for i in self.section_items("validation")],
            "findings": [item_json(i, self.waivers) for i in self.section_items("audit")],
            "waivers": [w.to_json() for w in self.waivers],
            "checked": list(self.checked),
            "not_seen": list(self.not_seen),
            "notes": list(self.notes),
            "inputs": dict(sorted(self.inputs.items())),
        } | ({"artifacts": [a.to_json(self.stem) for a in self.artifacts]} if self.artifacts else {}) | (
            {"announced": self.announced.to_json()} if self.announced is not None else {})

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False, default=str) + "\n"


def sort_items(items: Iterable[Finding]) -> list[Finding]:
    """Worst first, then by section, then path: the order every renderer shows."""
    order = {s: n for n, s in enumerate(SECTIONS)}

    def key(i: Finding) -> tuple[bool, int, int, str, str, str, str, str, str]:
        loc = i.location
        payload = loc.file if i.kind == "validation" else ""
        return (i.waived, level_rank(i.level), order.get(i.kind, 9), loc.connector, i.path, i.id,
                loc.environment, loc.app_connector, payload)

    return sorted(items, key=key)


def parse_run_id(run_id: str) -> datetime | None:
    try:
        return datetime.strptime(run_id, RUN_ID_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


__all__ = [
    "LEVELS",
    "REPORT_SCHEMA",
    "SECTIONS",
    "SECTION_TITLES",
    "AnnouncedChangeRow",
    "AnnouncedSection",
    "Artifact",
    "EnvInfo",
    "IntegrationImpact",
    "ProseRow",
    "ReleaseReport",
    "TrendPoint",
    "WaiverRow",
    "item_json",
    "parse_run_id",
    "run_id_of",
    "sort_items",
    "waiver_match",
]
