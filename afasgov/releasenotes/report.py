"""The ``release-notes`` report: one :class:`~afasgov.report.ReportDocument` (every format) from what a
run produced (:class:`ReleaseNotesRun`: the notes, their impact on BASE and, with a REVISION, the check).

* **impact** (no revision): the items are the announced changes to connectors this tenant authorises,
  regraded by use, each located at its row in the notes file (SARIF, GitHub annotations);
* **check** (with a revision): the items are the **unannounced** changes; confirmed and not-visible
  announcements and the impact are sections.

Either way: the impact per integration, the count of announced changes to connectors this tenant does
not authorise, the rows not understood and the prose to read by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from afasgov.diff.change import change_json
from afasgov.diff.registry import all_rules
from afasgov.diff.sources import Operand
from afasgov.findings import Finding
from afasgov.integrations import Manifest
from afasgov.releasenotes.check import COUNTED, REASON_TITLES, CheckResult
from afasgov.releasenotes.impact import Impact
from afasgov.releasenotes.model import AnnouncedChange, ReleaseNotes
from afasgov.report import InputRef, ReportMeta, RuleInfo, Section

#: at most this many lines per listing section in the human formats (JSON always has everything).
MAX_LISTED = 200


@dataclass
class ReleaseNotesRun:
    """Everything one ``release-notes`` run produced, before rendering."""

    notes: ReleaseNotes
    base: Operand
    impact: Impact
    manifests: list[Manifest]
    revision: Operand | None = None
    check: CheckResult | None = None
    diff_notes: list[str] | None = None
    unknown: list[str] | None = None


# ---------------------------------------------------------------------------------------- report
def _announced_meta(a: AnnouncedChange) -> dict[str, Any]:
    return {
        "modules": list(a.modules),
        "sections": list(a.sections),
        "operations": list(a.operations),
        "scope": a.scope or "connector",
        "endpoints": list(a.endpoints),
        "sources": [str(s) for s in a.sources],
        "remarks": list(a.remarks),
    }


def announced_json(change: Finding) -> dict[str, Any]:
    """An announced change in JSON: the diff change (DESIGN §6) plus the integrations it hits and where
    the notes announce it."""
    data = {**change_json(change), "integrations": list(change.integrations)}
    announced = change.extra.get("announced")
    if isinstance(announced, AnnouncedChange):
        data.update(_announced_meta(announced))
    return data


def unannounced_json(change: Finding) -> dict[str, Any]:
    """An unannounced change in JSON: the diff change plus ``status`` and ``hint``."""
    return {**change_json(change), "integrations": list(change.integrations), "status": "unannounced",
            "hint": str(change.extra.get("hint", ""))}


def _limited(lines: list[str], what: str) -> tuple[str, ...]:
    if len(lines) <= MAX_LISTED:
        return tuple(lines)
    return (*lines[:MAX_LISTED], f"… and {len(lines) - MAX_LISTED} more {what} (all of them are in the JSON report)")


def notes_sections(notes: ReleaseNotes, impact: Impact | None) -> list[Section]:
    """What was read, what could not be read, and what to read by hand."""
    files = []
    for f in notes.files:
        what = ", ".join(x for x in (f.title, f.date) if x)
        files.append(
            f"{f.file}{f' ({what})' if what else ''}: {f.rows} table row(s): {f.parsed} parsed, "
            f"{f.reported} reported; {f.prose} prose section(s)"
        )
    out = [Section("Release notes read", tuple(files))]
    if notes.reported:
        out.append(
            Section(
                "Rows not understood (read them by hand)",
                _limited([f"{r.source}: {r.reason}: {r.text}" for r in notes.reported], "rows"),
            )
        )
    if notes.prose:
        hits = {id(h.item): h for h in impact.prose_hits} if impact is not None else {}
        lines = []
        for p in notes.prose:
            line = f"{p.title} ({p.source})"
            if p.breaking:
                line += " [breaking]"
            hit = hits.get(id(p))
            if hit is not None:
                line += f": mentions {', '.join(hit.connectors)}"
                if hit.integrations:
                    line += f", used by {', '.join(hit.integrations)}"
            lines.append(line)
        out.append(Section("Read by hand", tuple(lines)))
    return out


def _check_sections(result: CheckResult) -> list[Section]:
    out = []
    confirmed = [
        f"{c.announced.id} {c.announced.path}{' ' + repr(c.announced.value) if c.announced.value else ''}"
        + (f" ({c.how})" if c.how else "")
        for c in result.confirmed
    ]
    out.append(
        Section(
            f"Confirmed by {result.revision} ({len(result.confirmed)})",
            _limited(confirmed, "confirmed changes") or ("nothing announced is visible in this tenant",),
        )
    )
    listed = [
        f"{n.announced.id} {n.announced.path}{' ' + repr(n.announced.value) if n.announced.value else ''}: "
        f"{n.why} ({n.announced.sources[0] if n.announced.sources else ''})"
        for n in result.not_visible
        if n.reason not in COUNTED
    ]
    for reason in COUNTED:
        group = [n for n in result.not_visible if n.reason == reason]
        if group:
            connectors = len({n.announced.connector for n in group})
            listed.append(
                f"{len(group)} change(s) to {connectors} connector(s): {REASON_TITLES[reason]} "
                "(in neither snapshot: no App Connector of this tenant may use them; counted, not listed)"
            )
    out.append(Section(f"Announced, not visible ({len(result.not_visible)})", _limited(listed, "changes")))
    return out


def document(run: ReleaseNotesRun, *, fail_on: str = "ERR") -> tuple[list[Finding], ReportMeta]:
    """The run's findings and report (every format): the announced impact, or with a revision the
    unannounced changes."""
    rules = all_rules()
    impact = run.impact
    release = impact.release
    header: dict[str, Any] = {
        "release": release,
        "release_notes": ", ".join(f.file for f in run.notes.files),
        "base": run.base.label,
    }
    inputs = [InputRef("notes", f.file, f.sha256) for f in run.notes.files]
    inputs.append(InputRef("base", run.base.location, run.base.sha256))
    notes = list(impact.notes)
    if run.check is None:
        header["mode"] = "impact"
        title = f"afasgov release-notes: {release} against {run.base.label}"
        findings = list(impact.changes)
        items_key, item_json = "announced", announced_json
    else:
        assert run.revision is not None
        header["revision"] = run.revision.label
        header["mode"] = "check"
        inputs.append(InputRef("revision", run.revision.location, run.revision.sha256))
        title = f"afasgov release-notes: {run.revision.label} against {release} (base {run.base.label})"
        findings = [
            replace(u.change, notes=(*u.change.notes, f"unannounced: {u.hint}"),
                    extra={**u.change.extra, "hint": u.hint})
            for u in run.check.unannounced
        ]
        items_key, item_json = "unannounced", unannounced_json
        notes += [n for n in run.diff_notes or [] if n not in notes]
    infos = {f.id: RuleInfo(f.id, rules[f.id].level, rules[f.id].title, rules[f.id].doc()) for f in findings
             if f.id in rules}
    meta = ReportMeta(
        kind="release-notes",
        title=title,
        items_key=items_key,
        item_json=item_json,
        header=header,
        inputs=inputs,
        rules=infos,
        notes=notes,
        waiver_notes=list(impact.waiver_notes),
        fail_on=fail_on,
    )
    if run.check is not None:
        meta.sections += _check_sections(run.check)
    integrations: dict[str, Any] = {}
    if run.manifests:
        for name, lines in impact.integration_lines(run.manifests).items():
            integrations[name] = {"impact": lines}
            meta.sections.append(Section(f"Integration {name}", tuple(lines)))
    if impact.unauthorised:
        meta.sections.append(
            Section(
                "Not authorised in this tenant",
                (
                    f"{len(impact.unauthorised)} announced change(s) concern "
                    f"{len(impact.unauthorised_connectors)} connector(s) that no App Connector of "
                    f"{run.base.label} may use: counted, not listed",
                ),
            )
        )
    meta.sections += notes_sections(run.notes, impact)
    if run.unknown:
        meta.sections.append(Section("Manifests naming things that exist nowhere", tuple(run.unknown)))
    extra: dict[str, Any] = {
        "files": [f.to_json() for f in run.notes.files],
        "reported_rows": [r.to_json() for r in run.notes.reported],
        "read_by_hand": [
            {**p.to_json(), "relevant": next(
                ({"connectors": list(h.connectors), "integrations": list(h.integrations)}
                 for h in impact.prose_hits if h.item is p), None)}
            for p in run.notes.prose
        ],
        "not_authorised": {
            "changes": len(impact.unauthorised),
            "connectors": impact.unauthorised_connectors,
        },
        "integrations": integrations,
    }
    if run.check is not None:
        status = run.check.status_of()
        why = {n.announced.key: n.why for n in run.check.not_visible}
        extra["counts"] = run.check.counts()
        extra["announced"] = [
            {**a.to_json(), "status": status.get(a.key, ""), **({"why": why[a.key]} if a.key in why else {})}
            for a in run.notes.changes
        ]
        extra["impact"] = [announced_json(c) for c in impact.changes]
    meta.extra_json = extra
    return findings, meta


__all__ = ["ReleaseNotesRun", "announced_json", "document", "notes_sections", "unannounced_json"]
