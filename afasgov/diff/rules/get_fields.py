"""GetConnector fields ("response properties"): matched by output name and field id.

The output name (``id``) is what clients read; the field id (``fieldId``, ``U001``…) identifies the
field inside the definition. The same field id under a new output name is a rename.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from afasgov.diff.engine import DiffContext, get_path
from afasgov.diff.registry import register
from afasgov.diff.rules._util import GET_OPS, AttributeRule, LocatedRule, PresenceRule, gfield_summary
from afasgov.findings import Finding, Location
from afasgov.model import GetField

GF = GetField | None


class _GetRule(LocatedRule):
    """At ``{C}/Fields/{output name}`` of BASE's field (the revision's when it was added)."""

    subjects = ("get-field",)
    operation = GET_OPS

    def where(self, loc: Location, before: Any, after: Any) -> tuple[str, str | None]:
        f: GetField = before if before is not None else after
        return get_path(loc.connector, f.id), f.id

    def summary(self, subject: Any) -> Any:
        return gfield_summary(subject)


@register
class ResponseOptionalPropertyAdded(_GetRule, PresenceRule):
    """A new output field. Clients that ignore unknown properties are unaffected: INFO."""

    id = "response-optional-property-added"
    level = "INFO"
    template = "added the optional property '{path}' to the response with the '200' status"
    inverse = ("response-optional-property-removed",)


@register
class ResponseOptionalPropertyRemoved(_GetRule, PresenceRule):
    """An output field of BASE is gone: clients reading it get nothing. ERR.

    (oasdiff grades this WARN for optional properties; for a GetConnector a missing column is what
    breaks an integration, so afasgov grades it ERR.)
    """

    id = "response-optional-property-removed"
    level = "ERR"
    template = "removed the optional property '{path}' from the response with the '200' status"
    inverse = ("response-optional-property-added",)
    impact = "{integration} {verb} {path}, which {revision} removed"
    added = False


@register
class ResponsePropertyRenamed(_GetRule):
    """The same field (same field id) has a new output name: clients reading the old name get
    nothing. ERR."""

    id = "afas-response-property-renamed"
    level = "ERR"
    template = "the response property '{path}' was renamed to '{after}' (field id '{field_id}')"
    inverse = ("afas-response-property-renamed",)
    impact = "{integration} {verb} {path}, which {revision} renamed to '{after}'"

    def check(self, ctx: DiffContext, loc: Location, before: GF, after: GF) -> Iterator[Finding]:
        if before is not None and after is not None and before.id != after.id:
            path, fld = self.where(loc, before, after)
            yield ctx.change(
                self, loc, path=path, field=fld, before=before.id, after=after.id, field_id=after.field_id
            )


@register
class ResponsePropertyTypeChanged(_GetRule, AttributeRule):
    """``dataType`` of an output field changed: clients parsing the old type may fail. ERR."""

    id = "response-property-type-changed"
    level = "ERR"
    template = (
        "the '{path}' response's property type/format changed from '{before}' to '{after}' for status '200'"
    )
    inverse = ("response-property-type-changed",)
    impact = "{integration} {verb} {path}, whose type {revision} changed from {before} to {after}"
    attribute = "data_type"


@register
class ResponsePropertyMaxLengthIncreased(_GetRule, AttributeRule):
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
    attribute = "length"

    def changed(self, old: Any, new: Any) -> bool:
        return bool(old < new)


@register
class ResponsePropertyMaxLengthDecreased(_GetRule, AttributeRule):
    """An output field got shorter: every client still fits it. INFO."""

    id = "afas-response-property-max-length-decreased"
    level = "INFO"
    template = "the '{path}' response property's maxLength was decreased from '{before}' to '{after}'"
    inverse = ("response-property-max-length-increased",)
    attribute = "length"

    def changed(self, old: Any, new: Any) -> bool:
        return bool(old > new)


@register
class ResponsePropertyDecimalsChanged(_GetRule, AttributeRule):
    """The number of decimals of an output field changed (Profit 15 did this to currency fields):
    clients comparing or storing values may see different numbers. WARN."""

    id = "afas-response-property-decimals-changed"
    level = "WARN"
    template = "the '{path}' response property's decimals changed from '{before}' to '{after}'"
    inverse = ("afas-response-property-decimals-changed",)
    impact = "{integration} {verb} {path}, whose decimals {revision} changed from {before} to {after}"
    attribute = "decimals"


@register
class ResponsePropertyLabelChanged(_GetRule, AttributeRule):
    """The label of an output field changed (compared only in the same language). INFO."""

    id = "afas-response-property-label-changed"
    level = "INFO"
    template = "the label of the response property '{path}' changed from '{before}' to '{after}'"
    inverse = ("afas-response-property-label-changed",)
    attribute = "label"
    labels = True


@register
class ResponsePropertyControlTypeChanged(_GetRule, AttributeRule):
    """``controlType`` of an output field changed (undocumented display codes). INFO."""

    id = "afas-response-property-control-type-changed"
    level = "INFO"
    template = "the '{path}' response property's controlType changed from '{before}' to '{after}'"
    inverse = ("afas-response-property-control-type-changed",)
    attribute = "control_type"
