"""AFAS's release notes, read: what a Profit release announces, what it means for this tenant's
integrations before Accept has it, and whether Accept got what was announced.

* :mod:`~afasgov.releasenotes.parser` — "New in Profit N" Markdown (English or Dutch) →
  :class:`~afasgov.releasenotes.model.ReleaseNotes`: announced changes with the rule ids, levels and
  canonical paths of ``afasgov diff``; rows that could not be read; prose to read by hand;
* :mod:`~afasgov.releasenotes.templates` — the diff rules' wording, read backwards;
* :mod:`~afasgov.releasenotes.impact` — the announced changes against a snapshot and the integration
  manifests (before Accept has the release);
* :mod:`~afasgov.releasenotes.check` — Accept against the notes: confirmed, not visible, unannounced;
* :mod:`~afasgov.releasenotes.report` — the report of ``afasgov release-notes`` (every format); the
  command itself is :mod:`afasgov.commands.release_notes`.

See ``docs/release-notes.md``.
"""

from __future__ import annotations

from afasgov.releasenotes.model import (
    AnnouncedChange,
    FileStats,
    ProseItem,
    ReleaseNotes,
    ReportedRow,
    Source,
    change_key,
)
from afasgov.releasenotes.parser import parse_files, parse_notes, read_notes_file

__all__ = [
    "AnnouncedChange",
    "FileStats",
    "ProseItem",
    "ReleaseNotes",
    "ReportedRow",
    "Source",
    "change_key",
    "parse_files",
    "parse_notes",
    "read_notes_file",
]
