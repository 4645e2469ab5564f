"""Compare two GetConnector definitions: the ``gcn`` rule family (DESIGN §6).

:func:`diff_definitions` is a pure function over :class:`~afasgov.gcn.model.GcnDefinition`. Each rule
is one small class with a stable kebab-case ``id``, a ``level`` (``ERR`` breaks integrations that use
the connector, ``WARN`` may break depending on use, ``INFO`` is an addition or cosmetic) and a
docstring that is its documentation (:func:`rules_markdown` renders the reference). Fields are matched
by field id (``U001``, ``HrEdfEmId``…), never by position or output name, so a renamed output is one
change, not a removal plus an addition.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from afasgov.gcn.model import GcnDefinition, GcnField

LEVELS: Final = ("ERR", "WARN", "INFO")


@dataclass(frozen=True)
class GcnChange:
    """One difference; the keys follow DESIGN §6 (``connector_type`` is ``gcn``)."""

    id: str
    level: str
    connector: str
    text: str
    field: str | None = None  # output name (or field id when the field has none)
    field_id: str | None = None
    before: Any = None
    after: Any = None
    value: str | None = None
    connector_type: str = "gcn"
    object_path: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """``{Connector}/Fields/{id}`` for field changes (DESIGN §5), else ``{Connector}``."""
        return f"{self.connector}/Fields/{self.field}" if self.field else self.connector

    @property
    def fingerprint(self) -> str:
        """Stable across runs: rule id, connector, path and values."""
        key = "\x1f".join(
            [
                self.id,
                self.connector_type,
                self.path,
                self.field_id or "",
                repr(self.before),
                repr(self.after),
            ]
        )
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "connector_type": self.connector_type,
            "connector": self.connector,
            "object_path": list(self.object_path or (self.connector,)),
            "field": self.field,
            "field_id": self.field_id,
            "value": self.value,
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "text": self.text,
            "fingerprint": self.fingerprint,
        }


@dataclass
class _Ctx:
    a: GcnDefinition
    b: GcnDefinition
    connector: str
    a_fields: dict[str, GcnField] = field(default_factory=dict)
    b_fields: dict[str, GcnField] = field(default_factory=dict)

    def change(
        self,
        rule: GcnRule,
        text: str,
        *,
        fld: GcnField | None = None,
        before: Any = None,
        after: Any = None,
        value: str | None = None,
    ) -> GcnChange:
        name = (fld.output_name or fld.field_id) if fld else None
        return GcnChange(
            id=rule.id,
            level=rule.level,
            connector=self.connector,
            text=text,
            field=name,
            field_id=fld.field_id if fld else None,
            before=before,
            after=after,
            value=value,
            object_path=(self.connector,),
        )

    def attribute(
        self, rule: GcnRule, attr: str, text: str | Callable[[Any, Any], str], *, value: str | None = None
    ) -> Iterator[GcnChange]:
        """A change of the definition's ``attr`` (``before``/``after`` are its two values), if any.

        ``text`` is a template (``{before}``, ``{after}``, ``{a}``/``{b}`` the two definitions,
        ``{name}`` the attribute with spaces) or a function of the two values.
        """
        before, after = getattr(self.a, attr), getattr(self.b, attr)
        if before != after:
            line = (
                text.format(before=before, after=after, a=self.a, b=self.b, name=attr.replace("_", " "))
                if isinstance(text, str)
                else text(before, after)
            )
            yield self.change(rule, line, before=before, after=after, value=value)


class GcnRule:
    """Base class: subclasses set ``id``, ``level`` and implement :meth:`check`."""

    id: ClassVar[str]
    level: ClassVar[str]

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:  # pragma: no cover - abstract
        raise NotImplementedError


def _both_output(ctx: _Ctx) -> Iterator[tuple[GcnField, GcnField]]:
    for fid, new in ctx.b_fields.items():
        old = ctx.a_fields.get(fid)
        if old is not None and old.is_output and new.is_output:
            yield old, new


# ========================================================================================== rules
class ConnectorReplaced(GcnRule):
    """The GUID differs: the two files hold different connectors (e.g. deleted and re-created under the
    same name). Integrations keep working only if every output field below still matches; Profit treats
    an import as a new connector."""

    id = "afas-gcn-connector-replaced"
    level = "ERR"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        yield from ctx.attribute(self, "guid", "connector GUID changed from {before} to {after}: a different connector")


class NameChanged(GcnRule):
    """The connector id (the name in ``/connectors/{name}``) changed: every client URL breaks."""

    id = "afas-gcn-name-changed"
    level = "ERR"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        yield from ctx.attribute(self, "name", "connector id changed from '{before}' to '{after}'")


class OutputRemoved(GcnRule):
    """An output field (display 1) was removed, or no longer returned (now filter-only or system).
    Clients reading it get nothing: breaking."""

    id = "response-property-removed"
    level = "ERR"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        for fid, old in ctx.a_fields.items():
            if not old.is_output:
                continue
            new = ctx.b_fields.get(fid)
            if new is None:
                yield ctx.change(
                    self,
                    f"removed the response property '{old.output_name}' (field {fid}, source {old.source})",
                    fld=old,
                    before=old.output_name,
                )
            elif not new.is_output:
                yield ctx.change(
                    self,
                    f"the response property '{old.output_name}' (field {fid}) is no longer "
                    f"returned: it became {new.display_kind}",
                    fld=old,
                    before=old.output_name,
                    after=new.display_kind,
                )


class OutputAdded(GcnRule):
    """A field is newly returned to clients (added, or changed to display 1). Additive."""

    id = "response-property-added"
    level = "INFO"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        for fid, new in ctx.b_fields.items():
            old = ctx.a_fields.get(fid)
            if new.is_output and (old is None or not old.is_output):
                yield ctx.change(
                    self,
                    f"added the response property '{new.output_name}' (field {fid}, source {new.source})",
                    fld=new,
                    after=new.output_name,
                )


class OutputRenamed(GcnRule):
    """Same field id, different output name: clients see one property disappear and another appear."""

    id = "afas-gcn-output-name-changed"
    level = "ERR"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        for old, new in _both_output(ctx):
            if old.output_name != new.output_name:
                yield ctx.change(
                    self,
                    f"renamed the response property '{old.output_name}' to "
                    f"'{new.output_name}' (field {new.field_id})",
                    fld=new,
                    before=old.output_name,
                    after=new.output_name,
                )


class SourceChanged(GcnRule):
    """An output field now reads another source (``System.Table.Field``) or through another join path:
    same name, different content."""

    id = "afas-gcn-field-source-changed"
    level = "WARN"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        for old, new in _both_output(ctx):
            if (old.source, old.join_path) != (new.source, new.join_path):
                yield ctx.change(
                    self,
                    f"'{new.output_name}' (field {new.field_id}) now reads {new.source} via "
                    f"{new.join_path} instead of {old.source} via {old.join_path}",
                    fld=new,
                    before=f"{old.source} via {old.join_path}",
                    after=f"{new.source} via {new.join_path}",
                )


class AggregationChanged(GcnRule):
    """A field's aggregation changed, or the definition's grouping was switched on/off: row count and
    values change."""

    id = "afas-gcn-aggregation-changed"
    level = "WARN"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        yield from ctx.attribute(self, "grouping", lambda _, new: f"grouping {'enabled' if new else 'disabled'}")
        for fid, new in ctx.b_fields.items():
            old = ctx.a_fields.get(fid)
            if old is not None and old.aggregation != new.aggregation:
                yield ctx.change(
                    self,
                    f"aggregation of field {fid} changed from {old.aggregation_name} to "
                    f"{new.aggregation_name}",
                    fld=new,
                    before=old.aggregation,
                    after=new.aggregation,
                )


class LabelChanged(GcnRule):
    """Label or column header of a field changed (display text only; not what clients receive)."""

    id = "afas-gcn-label-changed"
    level = "INFO"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        for fid, new in ctx.b_fields.items():
            old = ctx.a_fields.get(fid)
            if old is None:
                continue
            for attr, what in (("label", "label"), ("column_header", "column header")):
                if getattr(old, attr) != getattr(new, attr):
                    yield ctx.change(
                        self,
                        f"{what} of field {fid} changed from {getattr(old, attr)!r} to "
                        f"{getattr(new, attr)!r}",
                        fld=new,
                        before=getattr(old, attr),
                        after=getattr(new, attr),
                        value=attr,
                    )


class OrderChanged(GcnRule):
    """The order of the output fields changed (JSON clients are unaffected; positional ones are not)."""

    id = "afas-gcn-field-order-changed"
    level = "INFO"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        common = set(f.field_id for f in ctx.a.output_fields) & set(f.field_id for f in ctx.b.output_fields)
        before = [f.field_id for f in ctx.a.output_fields if f.field_id in common]
        after = [f.field_id for f in ctx.b.output_fields if f.field_id in common]
        if before != after:
            yield ctx.change(self, "the order of the output fields changed", before=before, after=after)


class OtherFieldAdded(GcnRule):
    """A field that is not returned (filter-only or system, e.g. an authorisation field) was added."""

    id = "afas-gcn-field-added"
    level = "INFO"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        for fid, new in ctx.b_fields.items():
            if fid not in ctx.a_fields and not new.is_output:
                yield ctx.change(
                    self,
                    f"added {new.display_kind} field {fid} ({new.source})",
                    fld=new,
                    after=new.source,
                    value=new.display_kind,
                )


class OtherFieldRemoved(GcnRule):
    """A field that was not returned (filter-only or system) was removed."""

    id = "afas-gcn-field-removed"
    level = "INFO"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        for fid, old in ctx.a_fields.items():
            if fid not in ctx.b_fields and not old.is_output:
                yield ctx.change(
                    self,
                    f"removed {old.display_kind} field {fid} ({old.source})",
                    fld=old,
                    before=old.source,
                    value=old.display_kind,
                )


def _filters(d: GcnDefinition) -> list[list[str]]:
    return [[c.text() for c in g.criteria] for g in d.filters]


class FilterAdded(GcnRule):
    """A filter was added where there was none: the connector returns fewer rows."""

    id = "afas-gcn-filter-added"
    level = "WARN"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        if not ctx.a.has_filter and ctx.b.has_filter:
            yield ctx.change(self, f"filter added: {ctx.b.filter_text()}", before=None, after=_filters(ctx.b))


class FilterRemoved(GcnRule):
    """The filter was removed: the connector returns all rows of the data collection (review exposure)."""

    id = "afas-gcn-filter-removed"
    level = "WARN"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        if ctx.a.has_filter and not ctx.b.has_filter:
            yield ctx.change(
                self, f"filter removed (was {ctx.a.filter_text()})", before=_filters(ctx.a), after=None
            )


class FilterChanged(GcnRule):
    """The filter changed (criteria, operators or values; OR-groups of AND-criteria): the set of rows
    returned changes."""

    id = "afas-gcn-filter-changed"
    level = "WARN"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        if ctx.a.has_filter and ctx.b.has_filter and _filters(ctx.a) != _filters(ctx.b):
            yield ctx.change(
                self,
                f"filter changed from {ctx.a.filter_text()} to {ctx.b.filter_text()}",
                before=_filters(ctx.a),
                after=_filters(ctx.b),
            )


class Blocked(GcnRule):
    """The connector became blocked: every call answers 500."""

    id = "afas-gcn-blocked"
    level = "ERR"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        if not ctx.a.blocked and ctx.b.blocked:
            yield ctx.change(self, "the connector is blocked", before=False, after=True)


class Unblocked(GcnRule):
    """The connector is no longer blocked."""

    id = "afas-gcn-unblocked"
    level = "INFO"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        if ctx.a.blocked and not ctx.b.blocked:
            yield ctx.change(self, "the connector is no longer blocked", before=True, after=False)


class DataCollectionChanged(GcnRule):
    """The data collection (``ObId``, e.g. ``B_Bcn00``) changed: the connector reads another base view."""

    id = "afas-gcn-data-collection-changed"
    level = "ERR"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        yield from ctx.attribute(
            self,
            "data_collection",
            "data collection changed from {before} ({a.data_collection_name}) to {after} ({b.data_collection_name})",
        )


class MainTableChanged(GcnRule):
    """The main table of the data collection changed (one row per record of another table)."""

    id = "afas-gcn-main-table-changed"
    level = "WARN"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        yield from ctx.attribute(self, "main_table", "main table changed from {before} to {after}")


class AuthorisationChanged(GcnRule):
    """'Apply authorisation' (``UsAu``) was switched on or off. Off: rows are no longer restricted by
    the calling user's authorisation (wider exposure). On: callers may see fewer rows."""

    id = "afas-gcn-authorisation-changed"
    level = "WARN"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        yield from ctx.attribute(
            self, "apply_authorisation", lambda _, new: f"apply authorisation switched {'on' if new else 'off'}"
        )


class AuthorisationGroupChanged(GcnRule):
    """The definition group (``AuId``, who may maintain/use the definition) changed."""

    id = "afas-gcn-authorisation-group-changed"
    level = "INFO"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        yield from ctx.attribute(self, "authorisation_group", "authorisation group changed from {before} to {after}")


class VisibilityChanged(GcnRule):
    """The visible flag (``Visi``) changed."""

    id = "afas-gcn-visibility-changed"
    level = "WARN"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        yield from ctx.attribute(
            self, "visible", lambda _, new: f"the connector is now {'visible' if new else 'hidden'}"
        )


class FlagChanged(GcnRule):
    """Template or under-construction flag changed, or the distinct setting."""

    id = "afas-gcn-flag-changed"
    level = "INFO"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        for attr in ("template", "under_construction", "distinct"):
            yield from ctx.attribute(self, attr, "{name} changed to {after}", value=attr)


class ConditionChanged(GcnRule):
    """The availability condition (``CnSn``/``NCnd``) changed."""

    id = "afas-gcn-condition-changed"
    level = "INFO"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        for attr in ("condition", "negative_condition"):
            yield from ctx.attribute(self, attr, "{name} changed from {before} to {after}", value=attr)


class DescriptionChanged(GcnRule):
    """Description (``Ds``) or explanation (``Info``) changed."""

    id = "afas-gcn-description-changed"
    level = "INFO"

    def check(self, ctx: _Ctx) -> Iterator[GcnChange]:
        for attr in ("description", "info"):
            yield from ctx.attribute(self, attr, "{name} changed from {before!r} to {after!r}", value=attr)


#: The registry, in reporting order.
RULES: Final[tuple[type[GcnRule], ...]] = (
    ConnectorReplaced,
    NameChanged,
    DataCollectionChanged,
    Blocked,
    OutputRemoved,
    OutputRenamed,
    SourceChanged,
    MainTableChanged,
    AggregationChanged,
    FilterAdded,
    FilterRemoved,
    FilterChanged,
    AuthorisationChanged,
    VisibilityChanged,
    OutputAdded,
    OtherFieldAdded,
    OtherFieldRemoved,
    OrderChanged,
    LabelChanged,
    Unblocked,
    AuthorisationGroupChanged,
    FlagChanged,
    ConditionChanged,
    DescriptionChanged,
)
RULES_BY_ID: Final = {r.id: r for r in RULES}


def diff_definitions(a: GcnDefinition, b: GcnDefinition) -> list[GcnChange]:
    """All changes from ``a`` (base) to ``b`` (revision), in registry order; empty when equivalent."""
    ctx = _Ctx(
        a=a,
        b=b,
        connector=b.name or a.name,
        a_fields={f.field_id: f for f in a.fields},
        b_fields={f.field_id: f for f in b.fields},
    )
    changes: list[GcnChange] = []
    for rule in RULES:
        changes.extend(rule().check(ctx))
    return changes


def summary(changes: list[GcnChange]) -> dict[str, int]:
    return {level: sum(1 for c in changes if c.level == level) for level in LEVELS}


def rules_markdown() -> str:
    """The rule reference (generated into ``docs/gcn.md``)."""
    lines = ["| Rule id | Level | Meaning |", "|---|---|---|"]
    for rule in RULES:
        doc = " ".join(inspect.getdoc(rule).split())  # type: ignore[union-attr]
        lines.append(f"| `{rule.id}` | {rule.level} | {doc} |")
    return "\n".join(lines) + "\n"
