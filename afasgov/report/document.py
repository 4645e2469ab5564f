"""What every renderer needs besides the findings: :class:`ReportMeta`, one per run.

A command hands its findings (:class:`~afasgov.findings.Finding`, waivers applied) and one
:class:`ReportMeta` (what was compared or checked, the inputs and their hashes, the rules that ran, notes
on what could not be seen, waiver notes, extra sections) to :func:`afasgov.report.render`. The JSON
renderer writes each finding with the command's own shape (``item_json``: DESIGN §6 for diff changes, §7
for audit findings), so every command keeps its exact JSON schema; ``details`` gives the lines a command
shows under a finding's text (why a change was regraded, the AFAS Auditor reference, …).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from afasgov import __version__
from afasgov.findings import FAIL_ON_NONE, LEVELS, Finding, at_or_above, count_by_level
from afasgov.waivers import WaiverNote
from afasgov.words import plural, singular


def _notes(finding: Finding) -> tuple[str, ...]:
    return finding.notes


def _no_json(finding: Finding) -> dict[str, Any]:
    return {"id": finding.id, "level": finding.level, "path": finding.path, "text": finding.text,
            "fingerprint": finding.fingerprint, "waived": finding.waived,
            "waiver": finding.waiver.to_json() if finding.waiver is not None else None}


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """Documentation of a rule/check, for SARIF's rule table and HTML/Markdown legends."""

    id: str
    level: str
    title: str
    help: str = ""
    #: the rule's documentation (an anchor in docs/rules.md, docs/checks.md or docs/validate.md)
    help_uri: str = ""


@dataclass(frozen=True, slots=True)
class InputRef:
    """An input of the run (a snapshot tree, a payload, a manifest) and its content hash."""

    name: str
    location: str
    sha256: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """An extra titled block of lines (e.g. the impact per integration)."""

    title: str
    lines: tuple[str, ...]


@dataclass
class ReportMeta:
    """One run of a command, as every renderer sees it besides its findings."""

    kind: str
    title: str
    #: the JSON key of the findings (``changes``, ``findings``, ``problems``) and the noun of the summary
    items_key: str = "changes"
    #: the command's JSON object for one finding (DESIGN §6/§7)
    item_json: Callable[[Finding], dict[str, Any]] = _no_json
    #: the lines shown under a finding's text
    details: Callable[[Finding], tuple[str, ...]] = _notes
    tool: str = "afasgov"
    version: str = __version__
    header: dict[str, Any] = dc_field(default_factory=dict)
    inputs: list[InputRef] = dc_field(default_factory=list)
    rules: Mapping[str, RuleInfo] = dc_field(default_factory=dict)
    notes: list[str] = dc_field(default_factory=list)
    waiver_notes: list[WaiverNote] = dc_field(default_factory=list)
    sections: list[Section] = dc_field(default_factory=list)
    extra_json: dict[str, Any] = dc_field(default_factory=dict)
    fail_on: str = "ERR"


def summary(findings: Sequence[Finding]) -> dict[str, int]:
    """Counts of unwaived findings per level (the JSON ``summary``)."""
    return count_by_level(list(findings))


def waived_count(findings: Sequence[Finding]) -> int:
    return sum(1 for f in findings if f.waived)


def failing(findings: Sequence[Finding], fail_on: str) -> list[Finding]:
    return [f for f in findings if not f.waived and at_or_above(f.level, fail_on)]


def exit_code(findings: Sequence[Finding], fail_on: str) -> int:
    """1 when an unwaived finding is at or above ``fail_on``, else 0."""
    return 1 if failing(findings, fail_on) else 0


def verdict(findings: Sequence[Finding], fail_on: str) -> str:
    if fail_on == FAIL_ON_NONE:
        return "PASS: --fail-on none (report only)"
    count = len(failing(findings, fail_on))
    if count:
        return f"FAIL: {plural(count, 'unwaived item')} at or above {fail_on}"
    return f"PASS: nothing unwaived at or above {fail_on}"


def summary_line(findings: Sequence[Finding], meta: ReportMeta) -> str:
    s = summary(findings)
    total = sum(s.values())
    text = (f"{plural(total, singular(meta.items_key))}: {plural(s['ERR'], 'error')}, "
            f"{plural(s['WARN'], 'warning')}, {s['INFO']} info")
    waived = waived_count(findings)
    if waived:
        text += f" ({waived} waived)"
    return text


def severity_of(finding: Finding) -> str:
    """The finding's severity name (audit findings), else empty."""
    return finding.severity.value if finding.severity is not None else ""


__all__ = [
    "LEVELS",
    "InputRef",
    "ReportMeta",
    "RuleInfo",
    "Section",
    "exit_code",
    "failing",
    "severity_of",
    "summary",
    "summary_line",
    "verdict",
    "waived_count",
]
