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

from afasgov.diff.change import Change
from afasgov.diff.registry import all_rules
from afasgov.diff.sources import Operand
from afasgov.integrations import Manifest
from afasgov.releasenotes.check import COUNTED, REASON_TITLES, CheckResult
from afasgov.releasenotes.impact import Impact
from afasgov.releasenotes.model import AnnouncedChange, ReleaseNotes
from afasgov.report import InputRef, ReportDocument, ReportItem, RuleInfo, Section

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
def change_item(change: Change) -> ReportItem:
    """A report item for a diff change (as ``afasgov diff`` shows it)."""
    rule = all_rules().get(change.id)
    return ReportItem(
        id=change.id,
        level=change.level,
        text=change.text,
        path=change.path,
        fingerprint=change.fingerprint,
        title=rule.title if rule else change.id,
        connector=change.connector,
        field=change.field,
        notes=change.notes,
        waived=change.waived,
        waiver=change.waiver,
        file=change.file,
        data=change.to_json(),
    )


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


def announced_item(change: Change) -> ReportItem:
    """A report item for an announced change (located at its first row in the notes)."""
    a: AnnouncedChange = change.extra["announced"]
    rule = all_rules().get(change.id)
    notes = list(change.notes)
    if a.breaking:
        notes.append("AFAS lists it under Breaking Changes" + (f" ({', '.join(a.modules)})" if a.modules else ""))
    elif a.modules:
        notes.append(f"module {', '.join(a.modules)}")
    notes += [f"the notes remark: {r}" for r in a.remarks]
    data = {**change.to_json(), "integrations": list(change.extra.get("integrations", [])), **_announced_meta(a)}
    return ReportItem(
        id=change.id,
        level=change.level,
        text=change.text,
        path=change.path,
        fingerprint=change.fingerprint,
        title=rule.title if rule else change.id,
        connector=change.connector,
        field=change.field,
        notes=tuple(notes),
        waived=change.waived,
        waiver=change.waiver,
        file=a.sources[0].file if a.sources else "",
        line=a.sources[0].line if a.sources else 0,
        data=data,
    )


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


def document(run: ReleaseNotesRun, *, fail_on: str = "ERR") -> ReportDocument:
    """The run as a :class:`ReportDocument` (every format)."""
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
    items: list[ReportItem]
    notes = list(impact.notes)
    if run.check is None:
        header["mode"] = "impact"
        title = f"afasgov release-notes: {release} against {run.base.label}"
        items = [announced_item(c) for c in impact.changes]
        items_key = "announced"
    else:
        assert run.revision is not None
        header["revision"] = run.revision.label
        header["mode"] = "check"
        inputs.append(InputRef("revision", run.revision.location, run.revision.sha256))
        title = f"afasgov release-notes: {run.revision.label} against {release} (base {run.base.label})"
        items = []
        for u in run.check.unannounced:
            item = change_item(u.change)
            items.append(
                replace(
                    item,
                    notes=(*item.notes, f"unannounced: {u.hint}"),
                    data={**item.data, "status": "unannounced", "hint": u.hint},
                )
            )
        items_key = "unannounced"
        notes += [n for n in run.diff_notes or [] if n not in notes]
    infos = {i.id: RuleInfo(i.id, rules[i.id].level, rules[i.id].title, rules[i.id].doc()) for i in items
             if i.id in rules}
    doc = ReportDocument(
        kind="release-notes",
        title=title,
        items=items,
        items_key=items_key,
        header=header,
        inputs=inputs,
        rules=infos,
        notes=notes,
        waiver_notes=list(impact.waiver_notes),
        fail_on=fail_on,
    )
    if run.check is not None:
        doc.sections += _check_sections(run.check)
    integrations: dict[str, Any] = {}
    if run.manifests:
        for name, lines in impact.integration_lines(run.manifests).items():
            integrations[name] = {"impact": lines}
            doc.sections.append(Section(f"Integration {name}", tuple(lines)))
    if impact.unauthorised:
        doc.sections.append(
            Section(
                "Not authorised in this tenant",
                (
                    f"{len(impact.unauthorised)} announced change(s) concern "
                    f"{len(impact.unauthorised_connectors)} connector(s) that no App Connector of "
                    f"{run.base.label} may use: counted, not listed",
                ),
            )
        )
    doc.sections += notes_sections(run.notes, impact)
    if run.unknown:
        doc.sections.append(Section("Manifests naming things that exist nowhere", tuple(run.unknown)))
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
        extra["impact"] = [dict(announced_item(c).data) for c in impact.changes]
    doc.extra_json = extra
    return doc


__all__ = ["ReleaseNotesRun", "announced_item", "change_item", "document", "notes_sections"]
