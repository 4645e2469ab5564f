"""Findings grouped for people: one row per audit check × App Connector, the fields inside it.

An audit check reports every privacy-sensitive field, every authorised connector, every file line on
its own, so that JSON, SARIF and waivers stay exact per item. A person reading a report wants one
finding per check and App Connector ("AC010 on accept/legacy-portal: 30 salary and bank fields"), with
the fields listed inside it. :func:`group_findings` makes those groups for the HTML and Markdown
renderers; it never changes a count (a group holds findings of one level and one waived state, and
``count`` is exact). Diff changes and payload problems stay one row each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from afasgov.findings import Finding, level_rank


@dataclass(frozen=True)
class FindingGroup:
    """Findings of one check, level and waived state on one App Connector (or one file set)."""

    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def id(self) -> str:
        return self.first.id

    @property
    def level(self) -> str:
        return self.first.level

    @property
    def kind(self) -> str:
        return self.first.kind

    @property
    def title(self) -> str:
        return self.first.title or self.first.id

    @property
    def waived(self) -> bool:
        return self.first.waived

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def environment(self) -> str:
        return self.first.location.environment

    @property
    def app_connector(self) -> str:
        return self.first.location.app_connector

    @property
    def where(self) -> str:
        """Where the group is, as the other formats write locations: a single finding's own
        (``accept/iam/KnUser``), else its environment and App Connector(s) (``accept/legacy-portal``), or
        ``repository files`` for the secret scan's findings."""
        loc = self.first.location
        if self.count == 1:
            return self.first.where or loc.environment
        if loc.connector_type == "file":
            return "repository files"
        return "/".join(p for p in (loc.environment, loc.app_connector) if p) or loc.connector

    @property
    def app_where(self) -> str:
        """``accept / legacy-portal`` (the App Connector column of the release report), or ``repository``."""
        loc = self.first.location
        if loc.connector_type == "file":
            return "repository"
        return " / ".join(p for p in (loc.environment, loc.app_connector) if p) or loc.connector

    @property
    def subjects(self) -> list[str]:
        """What each finding is about, in order and once each: the field's or connector's path below the
        App Connector (``HrCompMut/Element/Fields/VaD1``), or ``file:line`` for a file finding."""
        seen: dict[str, None] = {}
        for f in self.findings:
            loc = f.location
            seen.setdefault(loc.path or loc.connector or loc.file or f.path, None)
        return [s for s in seen if s]

    @property
    def subject_lines(self) -> list[str]:
        """:attr:`subjects` compacted per connector or object: ``KnEmployee › AfasBankInfo: AcId, BcId`` for
        fields, the connector ids on one line, ``file: 12, 40`` for lines of one file."""
        return compact_subjects(self.subjects)

    @property
    def own_subject(self) -> bool:
        """Whether the findings name something below the App Connector (a field, a connector, a file line),
        not just the App Connector or environment itself."""
        where = "/".join(p for p in (self.environment, self.app_connector) if p)
        return any(s not in (where, self.environment, self.app_connector) for s in self.subjects)

    def subject_summary(self, limit: int) -> tuple[list[str], int]:
        """The first ``limit`` subjects, compacted, and how many are left out."""
        subjects = self.subjects
        return compact_subjects(subjects[:limit]), max(0, len(subjects) - limit)

    @property
    def text(self) -> str:
        """The finding's message, or for several: the first one and how many more there are."""
        if self.count == 1:
            return self.first.text
        return f"{self.first.text} (and {self.count - 1} more like it)"

    @property
    def evidence(self) -> list[str]:
        seen: dict[str, None] = {}
        for f in self.findings:
            if f.evidence:
                seen.setdefault(f.evidence, None)
        return list(seen)

    @property
    def remediation(self) -> str:
        return self.first.remediation

    @property
    def reference(self) -> str:
        return self.first.reference

    @property
    def severity(self) -> str:
        return self.first.severity.value if self.first.severity is not None else ""

    @property
    def integrations(self) -> list[str]:
        seen: dict[str, None] = {}
        for f in self.findings:
            for name in f.integrations:
                seen.setdefault(name, None)
        return list(seen)

    @property
    def waiver_reasons(self) -> list[str]:
        seen: dict[str, None] = {}
        for f in self.findings:
            if f.waiver is not None:
                seen.setdefault(f"{f.waiver.reason} ({f.waiver.owner}, until {f.waiver.expires})", None)
        return list(seen)


def _split(subject: str) -> tuple[str, str]:
    """(owner, item) of one subject: a field path's connector/object and field id, a file and its line."""
    if "/Fields/" in subject:
        owner, field = subject.rsplit("/Fields/", 1)
        owner = owner.removesuffix("/Element").replace("/Element/Objects/", " › ")
        return owner, field
    if re.fullmatch(r"[^\s:]+:\d+(?: @ \w+)?", subject):
        file, line = subject.split(":", 1)
        return file, line
    return "", subject


def compact_subjects(subjects: Sequence[str]) -> list[str]:
    """Subjects grouped by owner, in order: ``["KnEmployee › AfasBankInfo: AcId, BcId", "KnUser, KnPerson"]``."""
    owners: dict[str, list[str]] = {}
    for subject in subjects:
        owner, item = _split(subject)
        owners.setdefault(owner, []).append(item)
    return [f"{owner}: {', '.join(items)}" if owner else ", ".join(items) for owner, items in owners.items()]


def _key(f: Finding) -> tuple[str, ...]:
    loc = f.location
    if f.kind != "audit":
        return ("single", f.kind, f.id, f.fingerprint, f.path, loc.file, str(id(f)))
    where = ("file",) if loc.connector_type == "file" else (loc.environment, loc.app_connector)
    return ("audit", f.id, f.level, str(f.waived), *where)


def group_findings(findings: Iterable[Finding]) -> list[FindingGroup]:
    """Audit findings grouped per check × App Connector (level and waived state kept apart); every other
    finding is a group of one. Worst first: unwaived before waived, then by level, then the largest
    groups, then by check id and where."""
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for f in findings:
        groups.setdefault(_key(f), []).append(f)
    out = [FindingGroup(tuple(members)) for members in groups.values()]
    order = {id(g): n for n, g in enumerate(out)}  # the given order (diff and payload rows keep theirs)

    def key(g: FindingGroup) -> tuple[bool, int, int, str, str, int]:
        audit = g.kind == "audit"
        return (g.waived, level_rank(g.level), -g.count if audit else 0, g.id if audit else "",
                g.where if audit else "", order[id(g)])

    return sorted(out, key=key)


def group_counts(groups: Sequence[FindingGroup]) -> int:
    """The findings the groups hold (for "N findings in M groups" lines)."""
    return sum(g.count for g in groups)


__all__ = ["FindingGroup", "compact_subjects", "group_counts", "group_findings"]
