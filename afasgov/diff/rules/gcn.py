"""GetConnector definitions (``.gcn``): two :class:`~afasgov.gcn.model.GcnDefinition` objects compared.

One rule registry serves snapshots and ``.gcn`` definitions (DESIGN §6). Where a ``.gcn`` change is
the same concept as a snapshot change, it has the snapshot rule's id, level and wording:

=========================================  ==========================================================
``response-optional-property-removed``     an output field is gone, or no longer returned
``response-optional-property-added``       a field is newly returned
``afas-response-property-renamed``         same field id, new output name
``afas-response-property-label-changed``   the label of an output field
``afas-connector-blocked`` / ``-unblocked`` the blocked flag (``Bl``)
``afas-connector-description-changed``     the description (``Ds``)
=========================================  ==========================================================

Those implementations subclass the registered snapshot rule (same id, level, template, inverse) and
only inspect a definition instead of metainfo; their docstrings document the ``.gcn`` specifics
(``docs/rules.md`` shows both). Concepts only a definition has (GUID, data collection, filters,
authorisation, joins, aggregation, non-output fields…) are the registered ``afas-gcn-…`` rules below.

Fields are matched by field id (``U001``…), never by position or output name, so a renamed output is
one change, not a removal plus an addition. A field change stands at ``{Connector}/Fields/{output
name}`` (the field id for a field without one), BASE's name when the field exists on both sides.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Final

from afasgov.diff.change import sort_key
from afasgov.diff.engine import DiffContext, get_path
from afasgov.diff.registry import RULES, Rule, register
from afasgov.diff.rules._util import GET_OPS
from afasgov.diff.rules.connectors import ConnectorBlocked, ConnectorDescriptionChanged, ConnectorUnblocked
from afasgov.diff.rules.get_fields import (
    ResponseOptionalPropertyAdded,
    ResponseOptionalPropertyRemoved,
    ResponsePropertyLabelChanged,
    ResponsePropertyRenamed,
)
from afasgov.findings import Finding, Location

if TYPE_CHECKING:
    from afasgov.gcn.model import GcnDefinition, GcnField

LEVELS: Final = ("ERR", "WARN", "INFO")


# ============================================================================================ base
class GcnRule(Rule):
    """Base of the rules on two GetConnector definitions (``before``/``after`` of :meth:`check`)."""

    subjects: ClassVar[tuple[str, ...]] = ("gcn",)
    operation = GET_OPS

    @classmethod
    def operations(cls, change: Finding) -> str:
        return GET_OPS

    def check(self, ctx: DiffContext, loc: Location, before: Any, after: Any) -> Iterator[Finding]:
        if before is None or after is None:
            return
        yield from self.compare(_Pair(ctx, loc, self, before, after))

    def compare(self, pair: _Pair) -> Iterator[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError


class _Pair:
    """The two definitions, their fields by id, and the factory of this rule's changes."""

    def __init__(self, ctx: DiffContext, loc: Location, rule: Rule, a: GcnDefinition, b: GcnDefinition) -> None:
        self.ctx, self.loc, self.rule, self.a, self.b = ctx, loc, rule, a, b
        self.a_fields = {f.field_id: f for f in a.fields}
        self.b_fields = {f.field_id: f for f in b.fields}

    def change(
        self,
        *,
        fld: GcnField | None = None,
        before: Any = None,
        after: Any = None,
        value: str | None = None,
        **fmt: Any,
    ) -> Finding:
        """A change of the connector (``fld`` None) or of a field, at its DESIGN §5 path."""
        name = (fld.output_name or fld.field_id) if fld is not None else None
        change = self.ctx.change(
            self.rule,
            self.loc,
            path=get_path(self.loc.connector, name),
            field=name,
            value=value,
            before=before,
            after=after,
            field_id=fld.field_id if fld is not None else None,
            **fmt,
        )
        return dataclasses.replace(change, extra={"field_id": fld.field_id if fld is not None else None})

    def attribute(self, attr: str, *, value: str | None = None, **fmt: Any) -> Iterator[Finding]:
        """A change of the definitions' ``attr``, if it differs."""
        old, new = getattr(self.a, attr), getattr(self.b, attr)
        if old != new:
            yield self.change(before=old, after=new, value=value, name=attr.replace("_", " "), **fmt)

    def both_output(self) -> Iterator[tuple[GcnField, GcnField]]:
        for fid, old in self.a_fields.items():
            new = self.b_fields.get(fid)
            if new is not None and old.is_output and new.is_output:
                yield old, new


# ===================================================== shared with the snapshot rules (same ids)
class GcnOutputRemoved(GcnRule, ResponseOptionalPropertyRemoved):
    """An output field (display ``output``) of BASE was removed, or it is no longer returned
    because it became ``filter-only`` or ``system``. ``before`` is its output name, ``after``
    ``null`` (removed) or its new display kind."""

    subjects = ("gcn",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        for fid, old in pair.a_fields.items():
            new = pair.b_fields.get(fid)
            if old.is_output and (new is None or not new.is_output):
                yield pair.change(fld=old, before=old.output_name, after=None if new is None else new.display_kind)


class GcnOutputAdded(GcnRule, ResponseOptionalPropertyAdded):
    """A field is newly returned to clients (added as an output field, or a filter-only/system
    field became one). ``after`` is its output name."""

    subjects = ("gcn",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        for fid, new in pair.b_fields.items():
            old = pair.a_fields.get(fid)
            if new.is_output and (old is None or not old.is_output):
                yield pair.change(fld=new, after=new.output_name)


class GcnOutputRenamed(GcnRule, ResponsePropertyRenamed):
    """An output field (same field id on both sides) has another output name. The change stands
    at BASE's name; ``before``/``after`` are the two names."""

    subjects = ("gcn",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        for old, new in pair.both_output():
            if old.output_name != new.output_name:
                yield pair.change(fld=old, before=old.output_name, after=new.output_name)


class GcnOutputLabelChanged(GcnRule, ResponsePropertyLabelChanged):
    """The label (``AfasMdLabel``) of a field returned on both sides changed. (Labels in a
    definition are the administrator's, in no particular language: always compared.)"""

    subjects = ("gcn",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        for old, new in pair.both_output():
            if old.label != new.label:
                yield pair.change(fld=old, before=old.label, after=new.label)


class GcnBlocked(GcnRule, ConnectorBlocked):
    """The blocked flag (``Bl``) was switched on."""

    subjects = ("gcn",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        if not pair.a.blocked and pair.b.blocked:
            yield pair.change(before=False, after=True)


class GcnUnblocked(GcnRule, ConnectorUnblocked):
    """The blocked flag (``Bl``) was switched off."""

    subjects = ("gcn",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        if pair.a.blocked and not pair.b.blocked:
            yield pair.change(before=True, after=False)


class GcnDescriptionChanged(GcnRule, ConnectorDescriptionChanged):
    """The description (``Ds``, "Omschrijving") changed. (The explanation, ``Info``, is
    ``afas-gcn-info-changed``.)"""

    subjects = ("gcn",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        yield from pair.attribute("description", kind="GetConnector")


# ====================================================================== rules only a .gcn has
@register
class ConnectorReplaced(GcnRule):
    """The GUID differs: the two files hold different connectors (e.g. deleted and re-created under
    the same name). Integrations keep working only if every output field still matches (the other
    changes say); Profit treats an import as a new connector. ERR."""

    id = "afas-gcn-connector-replaced"
    level = "ERR"
    template = "the connector GUID of '{path}' changed from {before} to {after}: a different connector"
    inverse = ("afas-gcn-connector-replaced",)
    impact = "{integration} {verb} {path}, which {revision} replaced by another connector"

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        yield from pair.attribute("guid")


@register
class NameChanged(GcnRule):
    """The connector id (the ``{name}`` of ``/connectors/{name}``) changed for the same GUID: every
    client URL breaks. ERR."""

    id = "afas-gcn-name-changed"
    level = "ERR"
    template = "the connector id changed from '{before}' to '{after}'"
    inverse = ("afas-gcn-name-changed",)
    impact = "{integration} {verb} {path}, whose connector id {revision} changed from '{before}' to '{after}'"

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        yield from pair.attribute("name")


@register
class DataCollectionChanged(GcnRule):
    """The data collection (``ObId``, e.g. ``B_Bcn00``) changed: the connector reads another base
    view. ERR."""

    id = "afas-gcn-data-collection-changed"
    level = "ERR"
    template = "the data collection of '{path}' changed from {before} ({before_name}) to {after} ({after_name})"
    inverse = ("afas-gcn-data-collection-changed",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        yield from pair.attribute(
            "data_collection", before_name=pair.a.data_collection_name, after_name=pair.b.data_collection_name
        )


@register
class SourceChanged(GcnRule):
    """An output field now reads another source (``System.Table.Field``) or through another join
    path: same name, different content. WARN."""

    id = "afas-gcn-field-source-changed"
    level = "WARN"
    template = "the response property '{path}' (field {field_id}) now reads {after} instead of {before}"
    inverse = ("afas-gcn-field-source-changed",)
    impact = "{integration} {verb} {path}, whose source {revision} changed from {before} to {after}"

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        for old, new in pair.both_output():
            if (old.source, old.join_path) != (new.source, new.join_path):
                yield pair.change(
                    fld=old,
                    before=f"{old.source} via {old.join_path}",
                    after=f"{new.source} via {new.join_path}",
                )


@register
class MainTableChanged(GcnRule):
    """The main table of the data collection changed (one row per record of another table). WARN."""

    id = "afas-gcn-main-table-changed"
    level = "WARN"
    template = "the main table of '{path}' changed from {before} to {after}"
    inverse = ("afas-gcn-main-table-changed",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        yield from pair.attribute("main_table")


@register
class AggregationChanged(GcnRule):
    """A field's aggregation changed, or the definition's grouping was switched on or off: row count
    and values change. WARN. ``value`` is ``grouping`` for the definition's switch."""

    id = "afas-gcn-aggregation-changed"
    level = "WARN"
    template = "the {what} of '{path}' changed from {shown_before} to {shown_after}"
    inverse = ("afas-gcn-aggregation-changed",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        if pair.a.grouping != pair.b.grouping:
            yield pair.change(
                before=pair.a.grouping,
                after=pair.b.grouping,
                value="grouping",
                what="grouping",
                shown_before="on" if pair.a.grouping else "off",
                shown_after="on" if pair.b.grouping else "off",
            )
        for fid, old in pair.a_fields.items():
            new = pair.b_fields.get(fid)
            if new is not None and old.aggregation != new.aggregation:
                yield pair.change(
                    fld=old,
                    before=old.aggregation,
                    after=new.aggregation,
                    what="aggregation",
                    shown_before=old.aggregation_name,
                    shown_after=new.aggregation_name,
                )


def _filters(d: GcnDefinition) -> list[list[str]]:
    return [[c.text() for c in g.criteria] for g in d.filters]


@register
class FilterAdded(GcnRule):
    """A filter was added where there was none: the connector returns fewer rows. WARN."""

    id = "afas-gcn-filter-added"
    level = "WARN"
    template = "a filter was added to '{path}': {filter}"
    inverse = ("afas-gcn-filter-removed",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        if not pair.a.has_filter and pair.b.has_filter:
            yield pair.change(after=_filters(pair.b), filter=pair.b.filter_text())


@register
class FilterRemoved(GcnRule):
    """The filter was removed: the connector returns every row of the data collection (review the
    exposure). WARN."""

    id = "afas-gcn-filter-removed"
    level = "WARN"
    template = "the filter of '{path}' was removed (was {filter})"
    inverse = ("afas-gcn-filter-added",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        if pair.a.has_filter and not pair.b.has_filter:
            yield pair.change(before=_filters(pair.a), filter=pair.a.filter_text())


@register
class FilterChanged(GcnRule):
    """The filter changed (criteria, operators or values; OR-groups of AND-criteria): the set of
    rows returned changes. WARN."""

    id = "afas-gcn-filter-changed"
    level = "WARN"
    template = "the filter of '{path}' changed from {old} to {new}"
    inverse = ("afas-gcn-filter-changed",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        if pair.a.has_filter and pair.b.has_filter and _filters(pair.a) != _filters(pair.b):
            yield pair.change(
                before=_filters(pair.a),
                after=_filters(pair.b),
                old=pair.a.filter_text(),
                new=pair.b.filter_text(),
            )


@register
class AuthorisationChanged(GcnRule):
    """'Apply authorisation' (``UsAu``) was switched on or off. Off: rows are no longer restricted by
    the calling user's authorisation (wider exposure). On: callers may see fewer rows. WARN."""

    id = "afas-gcn-authorisation-changed"
    level = "WARN"
    template = "apply authorisation of '{path}' was switched {state}"
    inverse = ("afas-gcn-authorisation-changed",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        yield from pair.attribute("apply_authorisation", state="on" if pair.b.apply_authorisation else "off")


@register
class VisibilityChanged(GcnRule):
    """The visible flag (``Visi``) changed. WARN."""

    id = "afas-gcn-visibility-changed"
    level = "WARN"
    template = "the connector '{path}' is now {state}"
    inverse = ("afas-gcn-visibility-changed",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        yield from pair.attribute("visible", state="visible" if pair.b.visible else "hidden")


@register
class OtherFieldAdded(GcnRule):
    """A field that is not returned (``filter-only`` or ``system``, e.g. an authorisation field) was
    added. INFO. ``value`` is its display kind, ``after`` its source."""

    id = "afas-gcn-field-added"
    level = "INFO"
    template = "added the {value} field '{path}' (source {after})"
    inverse = ("afas-gcn-field-removed",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        for fid, new in pair.b_fields.items():
            if fid not in pair.a_fields and not new.is_output:
                yield pair.change(fld=new, after=new.source, value=new.display_kind)


@register
class OtherFieldRemoved(GcnRule):
    """A field that was not returned (``filter-only`` or ``system``) was removed. INFO."""

    id = "afas-gcn-field-removed"
    level = "INFO"
    template = "removed the {value} field '{path}' (source {before})"
    inverse = ("afas-gcn-field-added",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        for fid, old in pair.a_fields.items():
            if fid not in pair.b_fields and not old.is_output:
                yield pair.change(fld=old, before=old.source, value=old.display_kind)


@register
class OrderChanged(GcnRule):
    """The order of the output fields changed (JSON clients are unaffected; positional ones are
    not). INFO. ``before``/``after`` are the field ids both sides return, in their order."""

    id = "afas-gcn-field-order-changed"
    level = "INFO"
    template = "the order of the output fields of '{path}' changed"
    inverse = ("afas-gcn-field-order-changed",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        common = {f.field_id for f in pair.a.output_fields} & {f.field_id for f in pair.b.output_fields}
        before = [f.field_id for f in pair.a.output_fields if f.field_id in common]
        after = [f.field_id for f in pair.b.output_fields if f.field_id in common]
        if before != after:
            yield pair.change(before=before, after=after)


@register
class FieldTextChanged(GcnRule):
    """Display text that is not a response property's label changed: the column header of a field,
    or the label of a ``filter-only``/``system`` field. INFO. ``value`` is ``label`` or
    ``column_header``. (The label of an output field is ``afas-response-property-label-changed``.)"""

    id = "afas-gcn-field-text-changed"
    level = "INFO"
    template = "the {what} of field '{path}' changed from '{before}' to '{after}'"
    inverse = ("afas-gcn-field-text-changed",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        for fid, old in pair.a_fields.items():
            new = pair.b_fields.get(fid)
            if new is None:
                continue
            if old.column_header != new.column_header:
                yield pair.change(
                    fld=old,
                    before=old.column_header,
                    after=new.column_header,
                    value="column_header",
                    what="column header",
                )
            if old.label != new.label and not (old.is_output and new.is_output):
                yield pair.change(fld=old, before=old.label, after=new.label, value="label", what="label")


@register
class AuthorisationGroupChanged(GcnRule):
    """The definition group (``AuId``: who may maintain and use the definition) changed. INFO."""

    id = "afas-gcn-authorisation-group-changed"
    level = "INFO"
    template = "the authorisation group of '{path}' changed from '{before}' to '{after}'"
    inverse = ("afas-gcn-authorisation-group-changed",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        yield from pair.attribute("authorisation_group")


@register
class FlagChanged(GcnRule):
    """The template or under-construction flag changed, or the distinct setting. INFO. ``value`` is
    the flag (``template``, ``under_construction``, ``distinct``)."""

    id = "afas-gcn-flag-changed"
    level = "INFO"
    template = "{name} of '{path}' changed from {before} to {after}"
    inverse = ("afas-gcn-flag-changed",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        for attr in ("template", "under_construction", "distinct"):
            yield from pair.attribute(attr, value=attr)


@register
class ConditionChanged(GcnRule):
    """The availability condition (``CnSn``/``NCnd``) changed. INFO. ``value`` is ``condition`` or
    ``negative_condition``."""

    id = "afas-gcn-condition-changed"
    level = "INFO"
    template = "{name} of '{path}' changed from {before} to {after}"
    inverse = ("afas-gcn-condition-changed",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        for attr in ("condition", "negative_condition"):
            yield from pair.attribute(attr, value=attr)


@register
class InfoChanged(GcnRule):
    """The explanation (``Info``, "Toelichting") changed. INFO."""

    id = "afas-gcn-info-changed"
    level = "INFO"
    template = "the explanation of '{path}' changed from '{before}' to '{after}'"
    inverse = ("afas-gcn-info-changed",)

    def compare(self, pair: _Pair) -> Iterator[Finding]:
        yield from pair.attribute("info")


# ======================================================================================= running
#: every rule a .gcn comparison runs (shared and gcn-only), in reporting order
GCN_RULES: Final[tuple[type[GcnRule], ...]] = (
    ConnectorReplaced,
    NameChanged,
    DataCollectionChanged,
    GcnBlocked,
    GcnOutputRemoved,
    GcnOutputRenamed,
    SourceChanged,
    MainTableChanged,
    AggregationChanged,
    FilterAdded,
    FilterRemoved,
    FilterChanged,
    AuthorisationChanged,
    VisibilityChanged,
    GcnOutputAdded,
    OtherFieldAdded,
    OtherFieldRemoved,
    OrderChanged,
    GcnOutputLabelChanged,
    FieldTextChanged,
    GcnUnblocked,
    AuthorisationGroupChanged,
    FlagChanged,
    ConditionChanged,
    GcnDescriptionChanged,
    InfoChanged,
)
#: registered snapshot rule id → its ``.gcn`` implementation (same id, level and wording)
SHARED: Final[dict[str, type[GcnRule]]] = {r.id: r for r in GCN_RULES if RULES.get(r.id) is not r}


def gcn_rules() -> list[type[GcnRule]]:
    """The rule classes a ``.gcn`` comparison runs."""
    return list(GCN_RULES)


def gcn_rule_ids() -> list[str]:
    """Their ids (sorted)."""
    return sorted(r.id for r in GCN_RULES)


def diff_definitions(
    a: GcnDefinition,
    b: GcnDefinition,
    *,
    file: str = "",
    base_name: str = "base",
    revision_name: str = "revision",
) -> list[Finding]:
    """Every change from definition ``a`` (BASE) to ``b`` (REVISION), sorted like a snapshot diff
    (:func:`afasgov.diff.change.sort_key`); empty when they are equivalent. ``file`` is REVISION's file (SARIF and
    GitHub locations)."""
    if a == b:
        return []
    connector = b.name or a.name
    ctx = DiffContext(
        base_name=base_name, revision_name=revision_name, files={("gcn", connector): file} if file else {}
    )
    loc = Location(connector_type="gcn", connector=connector, object_path=(connector,))
    out: list[Finding] = []
    for rule in GCN_RULES:
        out.extend(rule().check(ctx, loc, a, b))
    out.sort(key=sort_key)
    return out


def gcn_changes(a: Any, b: Any, *, file: str = "") -> list[Finding]:
    """:func:`diff_definitions` (what ``afasgov diff``/``changelog`` call for two ``.gcn`` operands)."""
    return diff_definitions(a, b, file=file)


def summary(changes: list[Finding]) -> dict[str, int]:
    return {level: sum(1 for c in changes if c.level == level) for level in LEVELS}


def rules_markdown() -> str:
    """The table of the rules a ``.gcn`` comparison runs (generated into ``docs/gcn.md``)."""
    lines = ["| Rule id | Level | Shared with snapshots | Meaning on `.gcn` definitions |", "|---|---|---|---|"]
    for rule in sorted(GCN_RULES, key=lambda r: r.id):
        doc = " ".join((inspect.getdoc(rule) or "").split()).replace("|", "\\|")
        shared = "yes" if rule.id in SHARED else "—"
        lines.append(f"| [`{rule.id}`](rules.md#{rule.id}) | {rule.level} | {shared} | {doc} |")
    return "\n".join(lines) + "\n"


__all__ = [
    "GCN_RULES",
    "LEVELS",
    "SHARED",
    "GcnRule",
    "diff_definitions",
    "gcn_changes",
    "gcn_rule_ids",
    "gcn_rules",
    "rules_markdown",
    "summary",
]
