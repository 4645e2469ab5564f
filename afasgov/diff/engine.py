"""The diff engine: match two snapshots the way AFAS means them, then let every rule look at each pair.

Matching (the subtle part, done once here so that rules stay small):

* connectors by id (get and update separately), App Connectors by their configured name;
* nested objects of an UpdateConnector by name at every depth; an object present on one side only is
  one pair (``update-object``) and its fields are not reported one by one;
* update fields by field id within their object path (order is not a change);
* get fields by output name and field id together, then by output name (the field id behind a name
  may be renumbered), then by field id (the same field under a new output name = a rename);
* code values by code (done by the code-value rules on each matched field pair);
* labels and descriptions only when both snapshots were taken in the same language.

Identical pairs are skipped before any rule runs, which keeps a release diff of thousands of fields
well under a second.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from afasgov.diff.change import fingerprint_of, sort_key
from afasgov.diff.registry import Rule, all_rules
from afasgov.findings import Finding, Location
from afasgov.model import (
    EnvironmentSnapshot,
    GetConnector,
    GetField,
    UpdateConnector,
    UpdateField,
    UpdateObject,
)

K = TypeVar("K")


def update_path(object_path: Sequence[str], field_id: str | None = None) -> str:
    """DESIGN §5: ``{C}/Element/Fields/{F}``, ``{C}/Element/Objects/{O}/Element/Fields/{F}``, …"""
    parts = [object_path[0]]
    for name in object_path[1:]:
        parts += ["Element", "Objects", name]
    if field_id is not None:
        parts += ["Element", "Fields", field_id]
    return "/".join(parts)


def get_path(connector: str, output_name: str | None = None) -> str:
    """DESIGN §5: ``{C}/Fields/{id}`` (``id`` = output name)."""
    return connector if output_name is None else f"{connector}/Fields/{output_name}"


@dataclass
class DiffContext:
    """Per-run facts rules may consult, and the factory for the :class:`~afasgov.findings.Finding` s
    rules report. A rule sees where a pair sits as a :class:`~afasgov.findings.Location` with the
    connector type, the connector id and the object path (first = connector id)."""

    base_name: str = "base"
    revision_name: str = "revision"
    compare_labels: bool = True
    notes: list[str] = field(default_factory=list)
    files: dict[tuple[str, str], str] = field(default_factory=dict)

    def change(
        self,
        rule: type[Rule] | Rule,
        loc: Location,
        *,
        path: str,
        field: str | None = None,
        value: str | None = None,
        before: Any = None,
        after: Any = None,
        object_path: tuple[str, ...] | None = None,
        **fmt: Any,
    ) -> Finding:
        """Build the change ``rule`` reports; its text is ``rule.template`` filled in."""
        op = loc.object_path if object_path is None else object_path
        text = rule.template.format(
            path=path,
            field=field,
            value=value,
            before=before,
            after=after,
            connector=loc.connector,
            base=self.base_name,
            revision=self.revision_name,
            **fmt,
        )
        return Finding(
            id=rule.id,
            level=rule.level,
            text=text,
            kind="diff",
            location=Location(
                connector_type=loc.connector_type,
                connector=loc.connector,
                object_path=op,
                field=field,
                value=value,
                path=path,
                file=self.files.get((loc.connector_type, loc.connector), ""),
            ),
            title=rule.title,
            before=before,
            after=after,
            rule_level=rule.level,
            fingerprint=fingerprint_of(rule.id, loc.connector_type, loc.connector, op, field, value, before, after),
        )


@dataclass
class DiffResult:
    """The changes between two snapshots (sorted) and notes on what was not compared."""

    changes: list[Finding]
    notes: list[str]
    base_name: str = "base"
    revision_name: str = "revision"


def _keyed(items: Iterable[Any], key: str) -> dict[str, Any]:
    """Index by attribute ``key``; a repeated key gets ``#2``, ``#3``… so nothing is lost."""
    out: dict[str, Any] = {}
    for item in items:
        k = getattr(item, key)
        if k in out:
            n = 2
            while f"{k}#{n}" in out:
                n += 1
            k = f"{k}#{n}"
        out[k] = item
    return out


def _pairs(a: dict[str, K], b: dict[str, K]) -> Iterator[tuple[str, K | None, K | None]]:
    for k in sorted(a.keys() | b.keys()):
        yield k, a.get(k), b.get(k)


class Engine:
    """Runs the registered rules (or a chosen subset) over matched pairs."""

    def __init__(self, rules: Iterable[type[Rule]] | None = None) -> None:
        chosen = list(rules) if rules is not None else list(all_rules().values())
        self.by_subject: dict[str, list[Rule]] = {}
        for cls in chosen:
            rule = cls()
            for subject in cls.subjects:
                self.by_subject.setdefault(subject, []).append(rule)

    def _run(
        self, subject: str, ctx: DiffContext, loc: Location, before: Any, after: Any, out: list[Finding]
    ) -> None:
        for rule in self.by_subject.get(subject, ()):
            out.extend(rule.check(ctx, loc, before, after))

    # ------------------------------------------------------------------------------------- update
    def _update_level(
        self,
        ctx: DiffContext,
        loc: Location,
        path: tuple[str, ...],
        fa: tuple[UpdateField, ...],
        fb: tuple[UpdateField, ...],
        oa: tuple[UpdateObject, ...],
        ob: tuple[UpdateObject, ...],
        out: list[Finding],
    ) -> None:
        if fa != fb:
            field_loc = Location(connector_type=loc.connector_type, connector=loc.connector, object_path=path)
            for _, x, y in _pairs(_keyed(fa, "field_id"), _keyed(fb, "field_id")):
                if x is not y and x != y:
                    self._run("update-field", ctx, field_loc, x, y, out)
        if oa != ob:
            for name, x, y in _pairs(_keyed(oa, "name"), _keyed(ob, "name")):
                if x is None or y is None:
                    obj = dataclasses.replace(loc, object_path=(*path, name))
                    self._run("update-object", ctx, obj, x, y, out)
                elif x != y:
                    self._update_level(ctx, loc, (*path, name), x.fields, y.fields, x.objects, y.objects, out)

    def update_connector(
        self,
        ctx: DiffContext,
        cid: str,
        a: UpdateConnector | None,
        b: UpdateConnector | None,
        out: list[Finding],
    ) -> None:
        loc = Location(connector_type="update", connector=cid, object_path=(cid,))
        self._run("update-connector", ctx, loc, a, b, out)
        if a is not None and b is not None and a != b:
            self._update_level(ctx, loc, (cid,), a.fields, b.fields, a.objects, b.objects, out)

    # ---------------------------------------------------------------------------------------- get
    def get_connector(
        self, ctx: DiffContext, cid: str, a: GetConnector | None, b: GetConnector | None, out: list[Finding]
    ) -> None:
        loc = Location(connector_type="get", connector=cid, object_path=(cid,))
        self._run("get-connector", ctx, loc, a, b, out)
        if a is None or b is None or a.fields == b.fields:
            return
        for x, y in match_get_fields(a.fields, b.fields):
            if x != y:
                self._run("get-field", ctx, loc, x, y, out)

    # ---------------------------------------------------------------------------------------- all
    def diff(
        self,
        base: EnvironmentSnapshot,
        revision: EnvironmentSnapshot,
        *,
        base_name: str | None = None,
        revision_name: str | None = None,
        files: dict[tuple[str, str], str] | None = None,
    ) -> DiffResult:
        ctx = DiffContext(
            base_name=base_name or base.name or "base",
            revision_name=revision_name or revision.name or "revision",
            files=files or {},
        )
        if base.language and revision.language and base.language.lower() != revision.language.lower():
            ctx.compare_labels = False
            ctx.notes.append(
                f"labels and descriptions were not compared: {ctx.base_name} was read in "
                f"{base.language!r}, {ctx.revision_name} in {revision.language!r} (labels follow "
                "Accept-Language; a different language is not a change)"
            )
        out: list[Finding] = []
        environment = Location(connector_type="environment", connector="environment")
        self._run("environment", ctx, environment, base, revision, out)
        for name, x, y in _pairs(base.app_connectors, revision.app_connectors):
            app = Location(connector_type="app-connector", connector=name, object_path=(name,))
            self._run("app-connector", ctx, app, x, y, out)
        for cid, gx, gy in _pairs(base.get_connectors, revision.get_connectors):
            if gx is None or gy is None or gx != gy:
                self.get_connector(ctx, cid, gx, gy, out)
        for cid, ux, uy in _pairs(base.update_connectors, revision.update_connectors):
            if ux is None or uy is None or ux != uy:
                self.update_connector(ctx, cid, ux, uy, out)
        out.sort(key=sort_key)
        return DiffResult(out, ctx.notes, ctx.base_name, ctx.revision_name)


def match_get_fields(
    a: Sequence[GetField], b: Sequence[GetField]
) -> list[tuple[GetField | None, GetField | None]]:
    """Pair GetConnector fields: by (output name, field id), then output name, then field id (a
    rename: same field under a new output name); the rest are added or removed."""
    pairs: list[tuple[GetField | None, GetField | None]] = []
    left = list(a)
    right = list(b)

    def take(keyfn: Any) -> None:
        nonlocal left, right
        index: dict[Any, list[int]] = {}
        for j, g in enumerate(right):
            k = keyfn(g)
            if k is not None:
                index.setdefault(k, []).append(j)
        used: set[int] = set()
        rest: list[GetField] = []
        for g in left:
            k = keyfn(g)
            js = index.get(k) if k is not None else None
            if js:
                j = js.pop(0)
                used.add(j)
                pairs.append((g, right[j]))
            else:
                rest.append(g)
        left = rest
        right = [g for j, g in enumerate(right) if j not in used]

    take(lambda g: (g.id, g.field_id))
    take(lambda g: g.id)
    take(lambda g: g.field_id or None)
    pairs.extend((g, None) for g in left)
    pairs.extend((None, g) for g in right)
    return pairs


def diff_snapshots(
    base: EnvironmentSnapshot,
    revision: EnvironmentSnapshot,
    *,
    base_name: str | None = None,
    revision_name: str | None = None,
    rules: Iterable[type[Rule]] | None = None,
    files: dict[tuple[str, str], str] | None = None,
) -> DiffResult:
    """Compare two environment snapshots with every registered rule (or ``rules``)."""
    return Engine(rules).diff(base, revision, base_name=base_name, revision_name=revision_name, files=files)


__all__ = [
    "DiffContext",
    "DiffResult",
    "Engine",
    "diff_snapshots",
    "get_path",
    "match_get_fields",
    "update_path",
]
