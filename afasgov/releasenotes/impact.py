"""What the announced release means for this tenant, before Accept has it.

The announced changes are held against a snapshot (production) and the integration manifests, with the
diff's own machinery: each announced change becomes the :class:`~afasgov.diff.change.Change` the diff
would report for it, and :func:`afasgov.integrations.apply_impact` regrades it by use exactly as
``afasgov diff`` does (a WARN on something an integration declares → ERR; an ERR nobody uses → WARN),
says which integrations it hits ("helloid sends KnUser/Element/Fields/XOEA, which Profit 5 removed"),
and waivers apply as for diff changes.

Announced changes to connectors this tenant does not authorise (they are in no App Connector's
metainfo, so in no snapshot) are counted, not listed: AFAS's notes cover every connector of every
module, a tenant uses a few dozen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from afasgov.diff.change import fingerprint_of
from afasgov.diff.impact import ImpactResult, apply_impact
from afasgov.diff.registry import all_rules
from afasgov.findings import Finding, Location
from afasgov.integrations import Manifest
from afasgov.levels import LevelOverrides, settle
from afasgov.model import EnvironmentSnapshot
from afasgov.releasenotes.model import AnnouncedChange, Key, ProseItem, ReleaseNotes, change_key
from afasgov.waivers import WaiverNote, WaiverSet

_PROFIT = re.compile(r"\bProfit\s+(\d+(?:\.\d+)*)\b", re.IGNORECASE)


def release_name(notes: ReleaseNotes) -> str:
    """``Profit 5`` from the notes' titles ("New in Profit 5" / "Nieuw in Profit 5"); several files
    give ``Profit 4–5``; without a title: ``the announced release``."""
    versions: list[str] = []
    for f in notes.files:
        m = _PROFIT.search(f.title or "") or _PROFIT.search(f.file.rsplit("/", 1)[-1].replace("-", " "))
        if m and m.group(1) not in versions:
            versions.append(m.group(1))
    if not versions:
        return "the announced release"
    if len(versions) == 1:
        return f"Profit {versions[0]}"
    return f"Profit {versions[0]}–{versions[-1]}"


def authorised(change: AnnouncedChange, snapshot: EnvironmentSnapshot) -> bool:
    """Is the connector (or App Connector) of ``change`` in ``snapshot``, i.e. may this tenant use it?"""
    ct = change.connector_type
    if ct == "update":
        return change.connector in snapshot.update_connectors
    if ct in ("get", "gcn"):
        return change.connector in snapshot.get_connectors
    if ct == "app-connector":
        return change.connector in snapshot.app_connectors
    return True


def with_current(a: AnnouncedChange, snapshot: EnvironmentSnapshot) -> AnnouncedChange:
    """Fill in ``before`` from ``snapshot`` where AFAS's wording leaves it out ("the 'X' request
    property's maxLength was decreased to '200'": from what production has today)."""
    if a.before is not None or a.field is None:
        return a
    attribute = getattr(all_rules().get(a.id), "attribute", "")
    if not attribute:
        return a
    current: object = None
    if a.connector_type == "update" and (u := snapshot.update_connectors.get(a.connector)) is not None:
        current = next(
            (getattr(f, attribute, None) for op, f in u.walk() if op == a.object_path and f.field_id == a.field),
            None,
        )
    elif a.connector_type == "get" and (g := snapshot.get_connectors.get(a.connector)) is not None:
        current = next((getattr(f, attribute, None) for f in g.fields if f.id == a.field), None)
    return a if current is None else dataclasses.replace(a, before=str(current))


_ADDS = frozenset({"new-optional-request-property", "new-required-request-property", "afas-request-object-added",
                   "response-optional-property-added", "endpoint-added"})
_REMOVES = frozenset({"request-property-removed", "afas-request-object-removed", "response-optional-property-removed",
                      "api-path-removed-without-deprecation"})


def present(a: AnnouncedChange, snapshot: EnvironmentSnapshot) -> bool | None:
    """Does ``snapshot`` have the field, object or connector ``a`` adds or removes (``None``: not such a
    change, or the connector is not in the snapshot)?"""
    if a.id not in _ADDS and a.id not in _REMOVES:
        return None
    if a.connector_type == "update" and (u := snapshot.update_connectors.get(a.connector)) is not None:
        if a.scope:
            return None  # a DELETE endpoint or a nested object's endpoint: metainfo cannot tell
        if a.field is None and len(a.object_path) == 1:
            return True  # the connector itself
        if a.field is not None:
            return any(op == a.object_path and f.field_id == a.field for op, f in u.walk())
        objects, found = u.objects, None
        for name in a.object_path[1:]:
            found = next((o for o in objects if o.name == name), None)
            if found is None:
                return False
            objects = found.objects
        return True
    if a.connector_type == "get" and (g := snapshot.get_connectors.get(a.connector)) is not None:
        return True if a.field is None else any(f.id == a.field for f in g.fields)
    return None


def _state_note(a: AnnouncedChange, snapshot: EnvironmentSnapshot, base_name: str) -> str | None:
    has = present(a, snapshot)
    if has is True and a.id in _ADDS:
        return f"{base_name} already has {a.path}"
    if has is False and a.id in _REMOVES:
        return f"{base_name} does not have {a.path}"
    return None


def as_change(a: AnnouncedChange) -> Finding:
    """The diff change ``a`` announces, located at its first row in the notes (its fingerprint over what
    identifies it, not before/after: a fingerprint waiver written for the announcement keeps working)."""
    rule = all_rules().get(a.id)
    source = a.sources[0] if a.sources else None
    rows = ", ".join(str(s) for s in a.sources[:3]) + (
        f" and {len(a.sources) - 3} more row(s)" if len(a.sources) > 3 else "")
    notes = [f"announced in {rows}"]
    if a.breaking:
        notes.append("AFAS lists it under Breaking Changes" + (f" ({', '.join(a.modules)})" if a.modules else ""))
    elif a.modules:
        notes.append(f"module {', '.join(a.modules)}")
    notes += [f"the notes remark: {r}" for r in a.remarks]
    return Finding(
        id=a.id,
        level=a.level,
        text=a.text,
        kind="diff",
        location=Location(
            connector_type=a.connector_type,
            connector=a.connector,
            object_path=a.object_path,
            field=a.field,
            value=a.value,
            path=a.path,
            file=source.file if source else "",
            line=source.line if source else 0,
        ),
        title=rule.title if rule is not None else a.id,
        before=a.before,
        after=a.after,
        notes=tuple(notes),
        rule_level=a.level,
        fingerprint=fingerprint_of(
            a.id, a.connector_type, a.connector, a.object_path, a.field, a.value, None, None
        ),
        extra={"announced": a},
    )


@dataclass
class ProseHit:
    """A read-by-hand item that names connectors this tenant has or its integrations use."""

    item: ProseItem
    connectors: tuple[str, ...]
    integrations: tuple[str, ...]

    def sentence(self) -> str:
        names = ", ".join(self.connectors)
        who = f", used by {', '.join(self.integrations)}" if self.integrations else ""
        return f"{self.item.title} ({self.item.source}) mentions {names}{who}: read it by hand"


@dataclass
class Impact:
    """The announced release against one snapshot and the manifests."""

    base: str
    release: str
    #: announced changes to connectors the tenant authorises, as diff changes (regraded, waived).
    changes: list[Finding]
    #: announced changes to connectors the tenant does not authorise (counted, not listed).
    unauthorised: list[AnnouncedChange]
    impact: ImpactResult | None
    prose_hits: list[ProseHit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    waiver_notes: list[WaiverNote] = field(default_factory=list)

    @property
    def unauthorised_connectors(self) -> list[str]:
        return sorted({c.connector for c in self.unauthorised})

    def by_key(self) -> dict[Key, Finding]:
        return {change_key(c): c for c in self.changes}

    def integration_lines(self, manifests: Iterable[Manifest]) -> dict[str, list[str]]:
        """Per integration: its impact sentences, or that nothing it uses changes."""
        out: dict[str, list[str]] = {}
        hits = self.impact.impacts if self.impact is not None else {}
        for m in manifests:
            lines = list(hits.get(m.name, []))
            lines += [h.sentence() for h in self.prose_hits if m.name in h.integrations]
            if not lines:
                verbs = " or ".join(
                    v for v, used in (("reads", m.uses_get), ("sends", m.uses_update)) if used
                ) or "uses"
                lines = [f"{m.name} {verbs} nothing that {self.release} changes (ERR or WARN)"]
            out[m.name] = lines
        return out


def _uses_connector(m: Manifest, connector: str) -> bool:
    return connector in m.uses_get or connector in m.uses_update


def prose_hits(
    prose: Sequence[ProseItem], snapshot: EnvironmentSnapshot | None, manifests: Sequence[Manifest]
) -> list[ProseHit]:
    """Read-by-hand items naming a connector the snapshot has or a manifest uses."""
    known: set[str] = set()
    if snapshot is not None:
        known |= set(snapshot.update_connectors) | set(snapshot.get_connectors)
    for m in manifests:
        known |= set(m.uses_get) | set(m.uses_update)
    out = []
    for item in prose:
        names = tuple(n for n in item.mentions if n in known)
        if names:
            users = tuple(m.name for m in manifests if any(_uses_connector(m, n) for n in names))
            out.append(ProseHit(item, names, users))
    return out


def assess(
    notes: ReleaseNotes,
    snapshot: EnvironmentSnapshot,
    manifests: Sequence[Manifest],
    *,
    base_name: str,
    release: str | None = None,
    downgrade: bool = True,
    waivers: WaiverSet | None = None,
    today: dt.date | None = None,
    levels: LevelOverrides | None = None,
) -> Impact:
    """Hold the announced changes against ``snapshot`` and ``manifests`` (see the module docstring);
    ``levels`` and ``waivers`` settle them as every command does (:func:`afasgov.levels.settle`)."""
    release = release or release_name(notes)
    visible = [with_current(a, snapshot) for a in notes.changes if authorised(a, snapshot)]
    unauthorised = [a for a in notes.changes if not authorised(a, snapshot)]
    changes = []
    for a in visible:
        change = as_change(a)
        note = _state_note(a, snapshot, base_name)
        changes.append(dataclasses.replace(change, notes=(*change.notes, note)) if note else change)
    result_notes: list[str] = []
    impact = None
    if manifests:
        impact = apply_impact(
            changes, manifests, base_name=base_name, revision_name=release, downgrade=downgrade
        )
        changes = impact.changes
        result_notes += impact.notes
    else:
        result_notes.append(
            "no integration manifests: levels are the rules' own (impact per integration not assessed)"
        )
    changes, waiver_notes, level_notes = settle(changes, levels or LevelOverrides(), waivers or WaiverSet(), today)
    result_notes += level_notes
    return Impact(
        base=base_name,
        release=release,
        changes=changes,
        unauthorised=unauthorised,
        impact=impact,
        prose_hits=prose_hits(notes.prose, snapshot, manifests),
        notes=result_notes,
        waiver_notes=waiver_notes,
    )


__all__ = [
    "Impact",
    "ProseHit",
    "as_change",
    "assess",
    "authorised",
    "present",
    "prose_hits",
    "release_name",
    "with_current",
]
