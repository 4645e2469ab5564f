"""GetConnector fields ("response properties"): matched by output name and field id.

The output name (``id``) is what clients read; the field id (``fieldId``, ``U001``…) identifies the
field inside the definition. The same field id under a new output name is a rename.
"""

from __future__ import annotations

from collections.abc import Iterator

from afasgov.diff.change import Change
from afasgov.diff.engine import DiffContext, Loc, get_path
from afasgov.diff.registry import Rule, register
from afasgov.diff.rules._util import GET_OPS, gfield_summary
from afasgov.model import GetField

GF = GetField | None


class _GetRule(Rule):
    subjects = ("get-field",)
    operation = GET_OPS

    def check(self, ctx: DiffContext, loc: Loc, before: GF, after: GF) -> Iterator[Change]:
        raise NotImplementedError


@register
class ResponseOptionalPropertyAdded(_GetRule):
    """A new output field. Clients that ignore unknown properties are unaffected: INFO."""

    id = "response-optional-property-added"
    level = "INFO"
    template = "added the optional property '{path}' to the response with the '200' status"
    inverse = ("response-optional-property-removed",)

    def check(self, ctx: DiffContext, loc: Loc, before: GF, after: GF) -> Iterator[Change]:
        if before is None and after is not None:
            yield ctx.change(
                self, loc, path=get_path(loc.connector, after.id), field=after.id, after=gfield_summary(after)
            )


@register
class ResponseOptionalPropertyRemoved(_GetRule):
    """An output field of BASE is gone: clients reading it get nothing. ERR.

    (oasdiff grades this WARN for optional properties; for a GetConnector a missing column is what
    breaks an integration, so afasgov grades it ERR.)
    """

    id = "response-optional-property-removed"
    level = "ERR"
    template = "removed the optional property '{path}' from the response with the '200' status"
    inverse = ("response-optional-property-added",)
    impact = "{integration} {verb} {path}, which {revision} removed"

    def check(self, ctx: DiffContext, loc: Loc, before: GF, after: GF) -> Iterator[Change]:
        if before is not None and after is None:
            yield ctx.change(
                self,
                loc,
                path=get_path(loc.connector, before.id),
                field=before.id,
                before=gfield_summary(before),
            )


@register
class ResponsePropertyRenamed(_GetRule):
    """The same field (same field id) has a new output name: clients reading the old name get
    nothing. ERR."""

    id = "afas-response-property-renamed"
    level = "ERR"
    template = "the response property '{path}' was renamed to '{after}' (field id '{field_id}')"
    inverse = ("afas-response-property-renamed",)
    impact = "{integration} {verb} {path}, which {revision} renamed to '{after}'"

    def check(self, ctx: DiffContext, loc: Loc, before: GF, after: GF) -> Iterator[Change]:
        if before is not None and after is not None and before.id != after.id:
            yield ctx.change(
                self,
                loc,
                path=get_path(loc.connector, before.id),
                field=before.id,
                before=before.id,
                after=after.id,
                field_id=after.field_id,
            )


@register
class ResponsePropertyTypeChanged(_GetRule):
    """``dataType`` of an output field changed: clients parsing the old type may fail. ERR."""

    id = "response-property-type-changed"
    level = "ERR"
    template = (
        "the '{path}' response's property type/format changed from '{before}' to '{after}' for status '200'"
    )
    inverse = ("response-property-type-changed",)
    impact = "{integration} {verb} {path}, whose type {revision} changed from {before} to {after}"

    def check(self, ctx: DiffContext, loc: Loc, before: GF, after: GF) -> Iterator[Change]:
        if before is not None and after is not None and before.data_type != after.data_type:
            yield ctx.change(
                self,
                loc,
                path=get_path(loc.connector, before.id),
                field=before.id,
                before=before.data_type,
                after=after.data_type,
            )


@register
class ResponsePropertyMaxLengthIncreased(_GetRule):
    """An output field may now be longer: clients storing it in a shorter column may truncate or fail.
    WARN."""

    id = "response-property-max-length-increased"
    level = "WARN"
    template = (
        "the '{path}' response property's maxLength was increased from '{before}' to '{after}' for "
        "the response status '200'"
    )
    inverse = ("afas-response-property-max-length-decreased",)
    impact = "{integration} {verb} {path}, which {revision} lengthened from {before} to {after} characters"

    def check(self, ctx: DiffContext, loc: Loc, before: GF, after: GF) -> Iterator[Change]:
        if before is not None and after is not None and before.length < after.length:
            yield ctx.change(
                self,
                loc,
                path=get_path(loc.connector, before.id),
                field=before.id,
                before=before.length,
                after=after.length,
            )


@register
class ResponsePropertyMaxLengthDecreased(_GetRule):
    """An output field got shorter: every client still fits it. INFO."""

    id = "afas-response-property-max-length-decreased"
    level = "INFO"
    template = "the '{path}' response property's maxLength was decreased from '{before}' to '{after}'"
    inverse = ("response-property-max-length-increased",)

    def check(self, ctx: DiffContext, loc: Loc, before: GF, after: GF) -> Iterator[Change]:
        if before is not None and after is not None and before.length > after.length:
            yield ctx.change(
                self,
                loc,
                path=get_path(loc.connector, before.id),
                field=before.id,
                before=before.length,
                after=after.length,
            )


@register
class ResponsePropertyDecimalsChanged(_GetRule):
    """The number of decimals of an output field changed (Profit 15 did this to currency fields):
    clients comparing or storing values may see different numbers. WARN."""

    id = "afas-response-property-decimals-changed"
    level = "WARN"
    template = "the '{path}' response property's decimals changed from '{before}' to '{after}'"
    inverse = ("afas-response-property-decimals-changed",)
    impact = "{integration} {verb} {path}, whose decimals {revision} changed from {before} to {after}"

    def check(self, ctx: DiffContext, loc: Loc, before: GF, after: GF) -> Iterator[Change]:
        if before is not None and after is not None and before.decimals != after.decimals:
            yield ctx.change(
                self,
                loc,
                path=get_path(loc.connector, before.id),
                field=before.id,
                before=before.decimals,
                after=after.decimals,
            )


@register
class ResponsePropertyLabelChanged(_GetRule):
    """The label of an output field changed (compared only in the same language). INFO."""

    id = "afas-response-property-label-changed"
    level = "INFO"
    template = "the label of the response property '{path}' changed from '{before}' to '{after}'"
    inverse = ("afas-response-property-label-changed",)

    def check(self, ctx: DiffContext, loc: Loc, before: GF, after: GF) -> Iterator[Change]:
        if ctx.compare_labels and before is not None and after is not None and before.label != after.label:
            yield ctx.change(
                self,
                loc,
                path=get_path(loc.connector, before.id),
                field=before.id,
                before=before.label,
                after=after.label,
            )


@register
class ResponsePropertyControlTypeChanged(_GetRule):
    """``controlType`` of an output field changed (undocumented display codes). INFO."""

    id = "afas-response-property-control-type-changed"
    level = "INFO"
    template = "the '{path}' response property's controlType changed from '{before}' to '{after}'"
    inverse = ("afas-response-property-control-type-changed",)

    def check(self, ctx: DiffContext, loc: Loc, before: GF, after: GF) -> Iterator[Change]:
        if before is not None and after is not None and before.control_type != after.control_type:
            yield ctx.change(
                self,
                loc,
                path=get_path(loc.connector, before.id),
                field=before.id,
                before=before.control_type,
                after=after.control_type,
            )
