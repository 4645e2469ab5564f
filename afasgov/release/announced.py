"""``release-check --release-notes NOTES…``: the section "Announced by AFAS" of the release report (issue 13 §4).

AFAS's release notes (``afasgov release-notes``, :mod:`afasgov.releasenotes`) held against the release check's
own run — its workspace's production and accept snapshots, its integration manifests and its diff — with
the release-notes library itself, nothing re-implemented:

* the announced changes to connectors the integrations use (:func:`afasgov.releasenotes.impact.assess`:
  level after regrading by use, the integrations hit), each with its status on accept
  (:func:`afasgov.releasenotes.check.check`: *confirmed* — and then the diff finding it explains, which
  gets a note pointing at the row — or *not visible*, with why);
* the prose items to read by hand that name such a connector
  (:func:`afasgov.releasenotes.impact.prose_hits`), each with an anchor the HTML report links the
  findings on those connectors to;
* counts: what the notes announce in all, what concerns no integration, what was not understood, and the
  changes between production and accept the notes do not announce (*unannounced*).

Without integration manifests, "the connectors the integrations use" are the connectors production or
accept has (what this tenant's App Connectors may use), and the section says so.

The section informs; it does not change the verdict: what accept really changes is the diff's, and
the diff's findings keep their levels and waivers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from afasgov.findings import Finding
from afasgov.integrations import Manifest
from afasgov.model import EnvironmentSnapshot
from afasgov.release.model import AnnouncedChangeRow, AnnouncedSection, ProseRow
from afasgov.releasenotes.model import ProseItem, ReleaseNotes, Source

#: prose is quoted in the report up to this many characters (the notes file has the rest)
PROSE_EXCERPT = 1200


def display_name(path: Path, rel: Callable[[Path], str]) -> str:
    """How a notes file is named in the report: relative to the repository, else its last two path parts
    (``en/news-profit5.md``: the language directory tells AFAS's two files apart); never this machine's
    absolute path (reports are committed)."""
    name = rel(path)
    if not Path(name).is_absolute():
        return name
    return "/".join(Path(name).parts[-2:])


def read_notes(paths: Sequence[Path], rel: Callable[[Path], str]) -> ReleaseNotes:
    """Parse the notes files as ``afasgov release-notes`` does (:class:`~afasgov.errors.InputError` naming
    the file when one cannot be read), each named by :func:`display_name`."""
    from dataclasses import replace

    from afasgov.errors import InputError
    from afasgov.releasenotes.model import merge_notes
    from afasgov.releasenotes.parser import decode_notes, parse_notes, read_notes_bytes

    if not paths:
        raise InputError("no release notes files given")
    parts = []
    for path in paths:
        data = read_notes_bytes(path)
        name = display_name(path, rel)
        notes = parse_notes(decode_notes(data, name), name)
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        notes.files = [replace(f, sha256=digest) for f in notes.files]
        parts.append(notes)
    return merge_notes(parts)


def anchor(source: Source, prefix: str) -> str:
    """A stable HTML id for a row or prose item: its file (all of its path) and line."""
    return f"{prefix}-{re.sub(r'[^A-Za-z0-9]+', '-', source.file).strip('-')}-{source.line}"


def used_connectors(manifests: Sequence[Manifest], snapshots: Sequence[EnvironmentSnapshot]) -> set[str]:
    """What "the connectors the integrations use" means: the manifests' connectors, or (without manifests)
    every connector the snapshots have."""
    if manifests:
        return {c for m in manifests for c in (*m.uses_get, *m.uses_update)}
    return {c for s in snapshots for c in (*s.update_connectors, *s.get_connectors)}


def announced_section(
    notes: ReleaseNotes,
    diff_changes: Sequence[Finding],
    manifests: Sequence[Manifest],
    *,
    production: EnvironmentSnapshot,
    accept: EnvironmentSnapshot,
    production_name: str,
    accept_name: str,
) -> tuple[AnnouncedSection, dict[str, str]]:
    """The section, and ``fingerprint → note`` for the diff findings an announced change explains."""
    from afasgov.releasenotes.check import check
    from afasgov.releasenotes.impact import assess, prose_hits

    impact = assess(notes, production, manifests, base_name=production_name)
    result = check(notes, diff_changes, base=production, revision=accept, base_name=production_name,
                   revision_name=accept_name)
    used = used_connectors(manifests, [production, accept])
    assessed = impact.by_key()
    confirmed = {c.announced.key: c for c in result.confirmed}
    not_visible = {n.announced.key: n for n in result.not_visible}
    by_manifest = {m.name: m for m in manifests}

    explained: dict[str, str] = {}
    rows: list[AnnouncedChangeRow] = []
    for a in notes.changes:
        if a.connector not in used:
            continue
        seen = assessed.get(a.key)
        integrations = tuple(seen.integrations) if seen is not None else tuple(
            name for name, m in by_manifest.items() if a.connector in m.uses_get or a.connector in m.uses_update)
        source = a.sources[0] if a.sources else Source("", 0)
        status, why, fingerprint = "not visible", "", ""
        if (c := confirmed.get(a.key)) is not None:
            status, why, fingerprint = "confirmed", c.how, c.change.fingerprint
            explained.setdefault(fingerprint, f"announced by AFAS ({impact.release}): {source}")
        elif (n := not_visible.get(a.key)) is not None:
            why = n.why
        rows.append(AnnouncedChangeRow(
            id=a.id, level=seen.level if seen is not None else a.level, connector=a.connector, path=a.path,
            value=a.value, text=a.text, status=status, why=why, source=str(source), anchor=anchor(source, "announced"),
            integrations=integrations, finding=fingerprint, breaking=a.breaking, modules=a.modules,
            operations=a.operations))

    prose: list[ProseRow] = []
    # with manifests: what the integrations use; without: what the snapshots have
    for hit in prose_hits(notes.prose, None if manifests else production, manifests):
        names = tuple(n for n in hit.connectors if n in used)
        if names:
            prose.append(_prose_row(hit.item, names, hit.integrations))

    counts = {
        "announced": len(notes.changes),
        "listed": len(rows),
        "confirmed": sum(1 for r in rows if r.status == "confirmed"),
        "not_visible": sum(1 for r in rows if r.status != "confirmed"),
        "other_connectors": len(notes.changes) - len(rows),
        "read_by_hand": len(prose),
        "prose": len(notes.prose),
        "reported_rows": len(notes.reported),
        "unannounced": len(result.unannounced),
        "unannounced_err": sum(1 for u in result.unannounced if u.change.level == "ERR"),
    }
    scope = ("the connectors the integration manifests name" if manifests else
             f"the connectors {production_name} or {accept_name} has (no integration manifests)")
    return AnnouncedSection(
        release=impact.release, scope=scope, files=[f.to_json() for f in notes.files], changes=rows, prose=prose,
        counts=counts,
    ), explained


def _prose_row(item: ProseItem, connectors: tuple[str, ...], integrations: tuple[str, ...]) -> ProseRow:
    text = item.text if len(item.text) <= PROSE_EXCERPT else item.text[:PROSE_EXCERPT] + " …"
    return ProseRow(title=item.title, source=str(item.source), anchor=anchor(item.source, "notes"),
                    connectors=connectors, integrations=integrations, breaking=item.breaking, text=text,
                    module=item.module)


__all__ = ["anchor", "announced_section", "display_name", "read_notes", "used_connectors"]
