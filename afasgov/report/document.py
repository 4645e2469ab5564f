"""The generic report document every command renders: diff, changelog, validate, audit.

A command builds one :class:`ReportDocument` (what was compared or checked, the items found, waivers,
notes on what could not be seen) and hands it to :func:`afasgov.report.render`. Items are
:class:`ReportItem`\\ s: the renderers only use their presentation fields, and the JSON renderer
writes each item's ``data`` mapping verbatim, so every command keeps its own exact JSON schema
(DESIGN §6 for diff changes, §7 for audit findings).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from afasgov import __version__
from afasgov.words import plural, singular

#: levels from most to least severe; ``--fail-on`` compares against this order.
LEVELS: tuple[str, ...] = ("ERR", "WARN", "INFO")
_RANK = {lvl: i for i, lvl in enumerate(LEVELS)}

#: audit severities (DESIGN §7) → levels used for ``--fail-on``.
SEVERITY_LEVEL = {"critical": "ERR", "high": "ERR", "medium": "WARN", "low": "INFO", "info": "INFO"}


def level_rank(level: str) -> int:
    """0 for ERR, 1 for WARN, 2 for INFO; unknown levels rank below INFO."""
    return _RANK.get(level, len(LEVELS))


def at_or_above(level: str, threshold: str) -> bool:
    """True when ``level`` is as severe as ``threshold`` or more (ERR ≥ WARN ≥ INFO)."""
    return level_rank(level) <= level_rank(threshold)


@dataclass(frozen=True, slots=True)
class WaiverRef:
    """How an item was waived (a copy of the matching waiver's public fields)."""

    reason: str
    owner: str
    expires: str
    fingerprint: str | None = None
    id: str | None = None
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.fingerprint is not None:
            data["fingerprint"] = self.fingerprint
        if self.id is not None:
            data["id"] = self.id
        if self.path is not None:
            data["path"] = self.path
        data.update(reason=self.reason, owner=self.owner, expires=self.expires)
        return data


@dataclass(frozen=True, slots=True)
class ReportItem:
    """One finding or change, as every renderer sees it.

    ``data`` is the item's exact JSON object (what the ``json`` format writes); the other fields are
    for human and CI formats. ``file``/``line`` locate the item in a file where one exists (the
    snapshot file of a connector, a payload), for SARIF and GitHub annotations.
    """

    id: str
    level: str
    text: str
    path: str = ""
    fingerprint: str = ""
    title: str = ""
    severity: str = ""
    environment: str = ""
    app_connector: str = ""
    connector: str = ""
    field: str | None = None
    evidence: str = ""
    remediation: str = ""
    reference: str = ""
    notes: tuple[str, ...] = ()
    waived: bool = False
    waiver: WaiverRef | None = None
    file: str = ""
    line: int = 0
    data: Mapping[str, Any] = dc_field(default_factory=dict)

    @property
    def where(self) -> str:
        """Where the item is, as one path: ``path`` (else the connector) prefixed with the environment and
        the App Connector unless it already starts with them (``production/iam/KnUser``). Several App
        Connectors (``"hr-export, legacy-portal"``) are not spelled into the path: :attr:`scope` names them.
        Every human and CI format shows this, so items that differ only in where they are never read alike.
        """
        base = self.path or self.connector
        prefix = [p for p in (self.environment, self.app_connector) if p and "," not in p]
        segments = base.split("/") if base else []
        if not prefix or segments[: len(prefix)] == prefix or (segments[:1] == prefix[:1]):
            return base
        return "/".join(prefix + segments)

    @property
    def scope(self) -> str:
        """What :attr:`where` does not show: several App Connectors, the connector or the field when the path
        does not name them (``"App Connectors hr-export, legacy-portal; field BSN"``); empty otherwise."""
        segments = set(self.where.replace(":", "/").split("/"))
        parts = []
        if "," in self.app_connector:
            parts.append(f"App Connectors {self.app_connector}")
        if self.connector and self.connector not in segments:
            parts.append(f"connector {self.connector}")
        if self.field and self.field not in segments:
            parts.append(f"field {self.field}")
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """Documentation of a rule/check, for SARIF's rule table and HTML/Markdown legends."""

    id: str
    level: str
    title: str
    help: str = ""


@dataclass(frozen=True, slots=True)
class InputRef:
    """An input of the run (a snapshot tree, a payload, a manifest) and its content hash."""

    name: str
    location: str
    sha256: str = ""


@dataclass(frozen=True, slots=True)
class WaiverNote:
    """A waiver worth reporting by itself: expired (no longer applies) or unused."""

    status: str  # "expired" | "unused"
    waiver: WaiverRef
    matched: int = 0
    source: str = ""

    def text(self) -> str:
        what = self.waiver.fingerprint or f"{self.waiver.id} {self.waiver.path}"
        if self.status == "expired":
            tail = (
                f"; it would still match {self.matched} item(s), now reported unwaived"
                if self.matched
                else ""
            )
            return (
                f"waiver {what} (owner {self.waiver.owner}) expired on {self.waiver.expires} "
                f"and no longer applies{tail}"
            )
        return f"waiver {what} (owner {self.waiver.owner}) matched nothing"

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "matched": self.matched,
            "source": self.source,
            **self.waiver.to_json(),
        }


@dataclass(frozen=True, slots=True)
class Section:
    """An extra titled block of lines (e.g. the impact per integration)."""

    title: str
    lines: tuple[str, ...]


@dataclass
class ReportDocument:
    """What one run produced; rendered by :func:`afasgov.report.render`."""

    kind: str
    title: str
    items: list[ReportItem] = dc_field(default_factory=list)
    items_key: str = "changes"
    tool: str = "afasgov"
    version: str = __version__
    header: dict[str, Any] = dc_field(default_factory=dict)
    inputs: list[InputRef] = dc_field(default_factory=list)
    rules: dict[str, RuleInfo] = dc_field(default_factory=dict)
    notes: list[str] = dc_field(default_factory=list)
    waiver_notes: list[WaiverNote] = dc_field(default_factory=list)
    sections: list[Section] = dc_field(default_factory=list)
    extra_json: dict[str, Any] = dc_field(default_factory=dict)
    fail_on: str = "ERR"

    def summary(self) -> dict[str, int]:
        """Counts of unwaived items per level (the JSON ``summary``)."""
        counts = dict.fromkeys(LEVELS, 0)
        for item in self.items:
            if not item.waived and item.level in counts:
                counts[item.level] += 1
        return counts

    @property
    def waived_count(self) -> int:
        return sum(1 for i in self.items if i.waived)

    def failing(self, fail_on: str | None = None) -> list[ReportItem]:
        threshold = fail_on or self.fail_on
        return [i for i in self.items if not i.waived and at_or_above(i.level, threshold)]

    def exit_code(self, fail_on: str | None = None) -> int:
        """1 when an unwaived item is at or above ``fail_on`` (default: the document's), else 0."""
        return 1 if self.failing(fail_on) else 0

    def verdict(self) -> str:
        failing = len(self.failing())
        if failing:
            return f"FAIL: {plural(failing, 'unwaived item')} at or above {self.fail_on}"
        return f"PASS: nothing unwaived at or above {self.fail_on}"

    def summary_line(self) -> str:
        s = self.summary()
        total = sum(s.values())
        text = (f"{plural(total, singular(self.items_key))}: {plural(s['ERR'], 'error')}, "
                f"{plural(s['WARN'], 'warning')}, {s['INFO']} info")
        if self.waived_count:
            text += f" ({self.waived_count} waived)"
        return text


def sha256_file(path: Path) -> str:
    """``sha256:<hex>`` of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def sha256_tree(path: Path) -> str:
    """``sha256:<hex>`` over the relative paths and bytes of every file under ``path`` (sorted)."""
    digest = hashlib.sha256()
    files: Sequence[Path] = sorted(p for p in path.rglob("*") if p.is_file())
    for p in files:
        rel = p.relative_to(path).as_posix()
        digest.update(rel.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(p.read_bytes()).digest())
    return "sha256:" + digest.hexdigest()


__all__ = [
    "LEVELS",
    "SEVERITY_LEVEL",
    "InputRef",
    "ReportDocument",
    "ReportItem",
    "RuleInfo",
    "Section",
    "WaiverNote",
    "WaiverRef",
    "at_or_above",
    "level_rank",
    "sha256_file",
    "sha256_tree",
]
