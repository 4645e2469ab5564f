"""What AFAS's release notes say, as data: announced changes, rows that could not be read, prose.

A :class:`ReleaseNotes` is what one or more notes files announce. Every table row of a notes file
either contributes to an :class:`AnnouncedChange` (rows that repeat the same change per operation,
per endpoint or per module are merged into one, keeping every source line) or is a
:class:`ReportedRow` (file, line, text and why it was not understood): nothing is dropped. Prose
sections are :class:`ProseItem`\\ s, to be read by hand.

An announced change carries the same rule id, level, connector type, connector, object path, field,
value and canonical path (DESIGN §5) as the change ``afasgov diff`` reports for the same difference,
so :attr:`AnnouncedChange.key` equals :func:`change_key` of that diff change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from afasgov.findings import Finding

#: the two tables AFAS publishes per specification module.
BREAKING = "Breaking Changes"
CHANGELOG = "Changelog"

#: what a change's endpoint is, when a row names more than the connector (``scope``).
SCOPE_CONNECTOR = ""  # the connector itself (``/connectors/X``) or one of its properties
SCOPE_DELETE = "delete"  # a DELETE endpoint ``X/Element/@Key/{Key}``: metainfo cannot show it
SCOPE_SUB_ENDPOINT = "sub-endpoint"  # ``/connectors/X/Object``: posting a nested object on its own

#: the match key of a change: (rule id, connector type, connector, canonical path, value).
Key = tuple[str, str, str, str, str]


def change_key(change: Finding) -> Key:
    """The key under which a diff change and the announcement of the same difference meet."""
    loc = change.location
    return (change.id, loc.connector_type, loc.connector, loc.path, loc.value or "")


@dataclass(frozen=True, slots=True, order=True)
class Source:
    """Where a row or a heading is: the notes file as given and its 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class AnnouncedChange:
    """One change the notes announce (all rows that repeat it merged)."""

    id: str
    level: str
    connector_type: str
    connector: str
    object_path: tuple[str, ...]
    field: str | None
    value: str | None
    path: str
    #: the description as AFAS wrote it (first row), whitespace collapsed.
    text: str
    #: ``before``/``after`` where the wording carries them (maxLength from/to, type from/to).
    before: str | None = None
    after: str | None = None
    #: ``SCOPE_*``: the connector itself, its DELETE endpoint, or a nested object's own endpoint.
    scope: str = SCOPE_CONNECTOR
    #: endpoints the rows name (``/connectors/…`` column), as written, without ``/connectors/``.
    endpoints: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    #: text of the row beyond the template (AFAS's "Note: …"), and prose next to the row's table.
    remarks: tuple[str, ...] = ()

    @property
    def key(self) -> Key:
        return (self.id, self.connector_type, self.connector, self.path, self.value or "")

    @property
    def breaking(self) -> bool:
        """AFAS listed it under Breaking Changes (AFAS's call; :attr:`level` is the rule's)."""
        return BREAKING in self.sections

    @property
    def delete_only(self) -> bool:
        return self.scope == SCOPE_DELETE or (bool(self.operations) and set(self.operations) == {"DELETE"})

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "connector_type": self.connector_type,
            "connector": self.connector,
            "object_path": list(self.object_path),
            "field": self.field,
            "value": self.value,
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "text": self.text,
            "scope": self.scope or "connector",
            "endpoints": list(self.endpoints),
            "modules": list(self.modules),
            "sections": list(self.sections),
            "operations": list(self.operations),
            "sources": [str(s) for s in self.sources],
            "remarks": list(self.remarks),
        }


@dataclass(frozen=True, slots=True)
class ReportedRow:
    """A table row that matched no template (or could not be read): reported, never dropped."""

    source: Source
    text: str
    reason: str
    module: str = ""
    section: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "source": str(self.source),
            "module": self.module,
            "section": self.section,
            "text": self.text,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class ProseItem:
    """A prose section: something metainfo cannot show (output formatting, stricter validation,
    a behaviour change), to be read by hand. ``headings`` is the heading chain (``## …`` › ``### …``)."""

    source: Source
    headings: tuple[str, ...]
    text: str
    module: str = ""
    #: the heading says "breaking" (AFAS's "Breaking Change!", "Important breaking changes").
    breaking: bool = False
    #: identifiers the prose names in code spans or link texts (``FbConfrontation``, ``KnEmployee``).
    mentions: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return " › ".join(self.headings) or "(before the first heading)"

    @property
    def anchor(self) -> str:
        """A stable HTML anchor for this item (file and line)."""
        stem = "".join(ch if ch.isalnum() else "-" for ch in self.source.file.rsplit("/", 1)[-1])
        return f"notes-{stem}-{self.source.line}"

    def to_json(self) -> dict[str, Any]:
        return {
            "source": str(self.source),
            "title": self.title,
            "module": self.module,
            "breaking": self.breaking,
            "mentions": list(self.mentions),
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class FileStats:
    """Per notes file: table rows found, rows parsed into changes, rows reported."""

    file: str
    title: str = ""
    date: str = ""
    rows: int = 0
    parsed: int = 0
    reported: int = 0
    prose: int = 0
    #: ``sha256:<hex>`` of the file's bytes (as read).
    sha256: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "title": self.title,
            "date": self.date,
            "rows": self.rows,
            "parsed": self.parsed,
            "reported": self.reported,
            "prose": self.prose,
        }


@dataclass
class ReleaseNotes:
    """Everything one or more notes files announce."""

    changes: list[AnnouncedChange] = field(default_factory=list)
    reported: list[ReportedRow] = field(default_factory=list)
    prose: list[ProseItem] = field(default_factory=list)
    files: list[FileStats] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    def by_key(self) -> dict[Key, AnnouncedChange]:
        return {c.key: c for c in self.changes}

    def titles(self) -> str:
        return ", ".join(f.title or f.file for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "files": [f.to_json() for f in self.files],
            "changes": [c.to_json() for c in self.changes],
            "reported_rows": [r.to_json() for r in self.reported],
            "read_by_hand": [p.to_json() for p in self.prose],
        }


def merge_notes(parts: Sequence[ReleaseNotes]) -> ReleaseNotes:
    """Several files' notes as one announcement (the same change in two files is one change)."""
    from afasgov.releasenotes.parser import merge_changes

    out = ReleaseNotes()
    for part in parts:
        out.reported.extend(part.reported)
        out.prose.extend(part.prose)
        out.files.extend(part.files)
    out.changes = merge_changes([c for p in parts for c in p.changes])
    return out


__all__ = [
    "BREAKING",
    "CHANGELOG",
    "SCOPE_CONNECTOR",
    "SCOPE_DELETE",
    "SCOPE_SUB_ENDPOINT",
    "AnnouncedChange",
    "FileStats",
    "Key",
    "ProseItem",
    "ReleaseNotes",
    "ReportedRow",
    "Source",
    "change_key",
    "merge_notes",
]
