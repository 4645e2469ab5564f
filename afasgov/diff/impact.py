"""Integration impact: which integration a change hits, levels regraded by use (DESIGN §6), and what
manifests name that no snapshot has.

Integration manifests themselves (``definitions/integrations/<name>.yaml``) are loaded and validated by
:mod:`afasgov.integrations`; this module is the diff's use of them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from afasgov.diff.engine import update_path
from afasgov.diff.registry import all_rules
from afasgov.findings import Finding
from afasgov.integrations import Manifest, UpdateUse
from afasgov.model import EnvironmentSnapshot


def uses_change(manifest: Manifest, change: Finding, *, envs: Sequence[str] = ()) -> bool:
    """Does ``change`` touch something this integration declares?"""
    loc = change.location
    ct = loc.connector_type
    if ct in ("get", "gcn"):
        return manifest.allows("get", loc.connector, loc.field)
    if ct == "update":
        if loc.connector not in manifest.uses_update:
            return False
        uses = manifest.uses_update[loc.connector]
        if uses is None:
            return True
        op = tuple(loc.object_path)
        if len(op) == 1 and loc.field is None:
            return True  # the connector itself
        scope = getattr(_rule(change.id), "affects", "field")
        if loc.field is None or scope == "object":
            # an object-level change (or a field that matters to whoever sends the object)
            return any(p[: len(op)] == op or (f is None and op[: len(p)] == p) for p, f in uses)
        return any((p == op and f == loc.field) or (f is None and op[: len(p)] == p) for p, f in uses)
    if ct == "app-connector":
        if manifest.app_connector_for(*envs) != loc.connector:
            return False
        if loc.value is None:
            return True
        kind = loc.object_path[1] if len(loc.object_path) > 1 else ""
        table: Mapping[str, Any] = manifest.uses_get if kind == "get" else manifest.uses_update
        return loc.value in table
    return False


def _rule(rule_id: str) -> Any:
    return all_rules().get(rule_id)


# ---------------------------------------------------------------------------------- references
def unknown_references(
    manifests: Iterable[Manifest], snapshots: Sequence[EnvironmentSnapshot], gcn_names: Iterable[str] = ()
) -> list[str]:
    """Connectors, fields, objects and App Connectors that manifests name but no snapshot has."""
    gcn = set(gcn_names)
    where = ", ".join(s.name for s in snapshots) or "no snapshot"
    get_fields: dict[str, set[str]] = {}
    update_uses: dict[str, set[UpdateUse]] = {}
    for snap in snapshots:
        for cid, g in snap.get_connectors.items():
            get_fields.setdefault(cid, set()).update(f.id for f in g.fields)
        for cid, u in snap.update_connectors.items():
            known = update_uses.setdefault(cid, set())
            for op, ufield in u.walk():
                known.add((op, ufield.field_id))
                for i in range(1, len(op) + 1):
                    known.add((op[:i], None))
            known.update(_objects(u.objects, (cid,)))
    out: list[str] = []
    for m in manifests:
        for cid, names in sorted(m.uses_get.items()):
            if cid not in get_fields:
                if cid not in gcn:
                    out.append(f"{m.name}: reads GetConnector {cid}, which exists in no snapshot ({where})")
                continue
            for n in sorted(names or ()):
                if n not in get_fields[cid]:
                    out.append(f"{m.name}: reads {cid}/Fields/{n}, which exists in no snapshot ({where})")
        for cid, uses in sorted(m.uses_update.items()):
            if cid not in update_uses:
                out.append(f"{m.name}: sends UpdateConnector {cid}, which exists in no snapshot ({where})")
                continue
            for op, fid in sorted(uses or (), key=lambda u: (u[0], u[1] or "")):
                if (op, fid) not in update_uses[cid]:
                    used = update_path(op, fid)
                    out.append(f"{m.name}: sends {used}, which exists in no snapshot ({where})")
        for snap in snapshots:
            app = m.app_connector_for(snap.name)
            if app is not None and snap.app_connectors and app not in snap.app_connectors:
                out.append(
                    f"{m.name}: uses App Connector {app!r} in {snap.name}, which that snapshot does not have"
                )
    return out


def _objects(objects: Iterable[Any], path: tuple[str, ...]) -> Iterator[UpdateUse]:
    for o in objects:
        p = (*path, o.name)
        yield p, None
        yield from _objects(o.objects, p)


# -------------------------------------------------------------------------------------- impact
@dataclass
class ImpactResult:
    """Changes with integration notes and regraded levels, and what to report besides."""

    changes: list[Finding]
    notes: list[str]
    #: integration name → impact sentences ("hr-sync sends …, which accept removed"), in change order.
    impacts: dict[str, list[str]]
    regraded_up: int = 0
    regraded_down: int = 0
    #: change fingerprint → integration → the impact sentence written for that change (ERR/WARN only)
    sentences: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)


_VERB = {"update": "sends", "get": "reads", "gcn": "reads", "app-connector": "uses"}


def _sentence(change: Finding, manifest: Manifest, revision: str) -> str:
    rule = _rule(change.id)
    template = getattr(rule, "impact", "") or "{integration} {verb} {path}, which {revision} changed"
    loc = change.location
    obj = update_path(loc.object_path) if loc.connector_type == "update" and loc.object_path else loc.path
    try:
        return str(
            template.format(
                integration=manifest.name,
                verb=_VERB.get(loc.connector_type, "uses"),
                path=loc.path,
                object=obj,
                revision=revision,
                value=loc.value,
                before=change.before,
                after=change.after,
                connector=loc.connector,
            )
        )
    except (KeyError, IndexError, ValueError):
        return f"{manifest.name} {_VERB.get(loc.connector_type, 'uses')} {loc.path}: {change.text}"


def apply_impact(
    changes: Sequence[Finding],
    manifests: Iterable[Manifest],
    *,
    base_name: str = "",
    revision_name: str = "",
    downgrade: bool = True,
) -> ImpactResult:
    """Which integrations each change hits, and levels regraded by use (DESIGN §6):

    * a WARN on something an integration declares becomes ERR;
    * with ``downgrade``, an ERR on a get/update/App Connector thing that no integration declares
      becomes WARN (said in the change's notes).

    Without manifests nothing changes.
    """
    manifest_list = list(manifests)
    revision = revision_name or "the revision"
    envs = tuple(e for e in (revision_name, base_name) if e)
    out: list[Finding] = []
    impacts: dict[str, list[str]] = {m.name: [] for m in manifest_list}
    sentences: dict[str, dict[str, str]] = {}
    up = down = 0
    for change in changes:
        if not manifest_list:
            out.append(change)
            continue
        users = [m for m in manifest_list if uses_change(m, change, envs=envs)]
        notes = list(change.notes)
        level = change.level
        if users:
            notes.append("used by " + ", ".join(m.name for m in users))
            if change.level == "WARN":
                level = "ERR"
                up += 1
                notes.append(f"regraded WARN → ERR: {', '.join(m.name for m in users)} declare(s) it")
        elif (
            downgrade
            and change.level == "ERR"
            and change.location.connector_type in ("get", "update", "gcn", "app-connector")
        ):
            level = "WARN"
            down += 1
            notes.append("regraded ERR → WARN: no integration manifest uses it")
        if level in ("ERR", "WARN"):
            for m in users:
                sentence = _sentence(change, m, revision)
                impacts[m.name].append(sentence)
                sentences.setdefault(change.fingerprint, {})[m.name] = sentence
        integrations = tuple(sorted(m.name for m in users))
        out.append(dataclasses.replace(change, level=level, notes=tuple(notes), integrations=integrations))
    result_notes = []
    if up or down:
        result_notes.append(f"integration manifests regraded {up} change(s) WARN → ERR and {down} ERR → WARN")
    return ImpactResult(out, result_notes, impacts, up, down, sentences)


__all__ = ["ImpactResult", "apply_impact", "unknown_references", "uses_change"]
