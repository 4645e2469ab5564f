"""UpdateConnector fields ("request properties"): matched by field id within their object path.

Additions, removals and attribute changes of the fields an integration sends. Custom fields
(``U`` + 32 hex) have their own rules in :mod:`~afasgov.diff.rules.custom_fields`; code lists in
:mod:`~afasgov.diff.rules.code_values`; whole nested objects in
:mod:`~afasgov.diff.rules.update_objects`.
"""

from __future__ import annotations

from collections.abc import Iterator

from afasgov.diff.change import Change
from afasgov.diff.engine import DiffContext, Loc, update_path
from afasgov.diff.registry import Rule, register
from afasgov.diff.rules._util import INSERT_OPS, REQUEST_OPS, ufield_summary
from afasgov.model import UpdateField

UF = UpdateField | None


class _FieldRule(Rule):
    subjects = ("update-field",)
    operation = REQUEST_OPS

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        raise NotImplementedError


def _path(loc: Loc, f: UpdateField) -> str:
    return update_path(loc.object_path, f.field_id)


@register
class NewOptionalRequestProperty(_FieldRule):
    """A new optional field: integrations may send it, none has to. INFO.

    Wording as in AFAS's release notes: ``added the new optional request property '<path>'``.
    """

    id = "new-optional-request-property"
    level = "INFO"
    template = "added the new optional request property '{path}'"
    inverse = ("request-property-removed",)

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is None and after is not None and not after.mandatory and not after.is_custom:
            yield ctx.change(
                self, loc, path=_path(loc, after), field=after.field_id, after=ufield_summary(after)
            )


@register
class NewRequiredRequestProperty(_FieldRule):
    """A new mandatory field: every insert that does not send it is refused. ERR.

    Reported for custom fields too (a new mandatory custom field breaks inserts just the same).
    AFAS lists it under POST only: updates do not need it.
    """

    id = "new-required-request-property"
    level = "ERR"
    template = "added the new required request property '{path}'"
    inverse = ("request-property-removed", "afas-custom-field-missing")
    operation = INSERT_OPS
    affects = "object"
    impact = "{integration} {verb} {object}, where {revision} added the required field {path}"

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is None and after is not None and after.mandatory:
            yield ctx.change(
                self, loc, path=_path(loc, after), field=after.field_id, after=ufield_summary(after)
            )


@register
class RequestPropertyRemoved(_FieldRule):
    """A field of BASE is gone: payloads that send it are refused (unknown field). ERR."""

    id = "request-property-removed"
    level = "ERR"
    template = "removed the request property '{path}'"
    inverse = ("new-optional-request-property", "new-required-request-property")
    impact = "{integration} {verb} {path}, which {revision} removed"

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is None and not before.is_custom:
            yield ctx.change(
                self, loc, path=_path(loc, before), field=before.field_id, before=ufield_summary(before)
            )


@register
class RequestPropertyBecameRequired(_FieldRule):
    """An optional field became mandatory: inserts without it are refused. ERR.

    AFAS lists it under POST only.
    """

    id = "request-property-became-required"
    level = "ERR"
    template = "the request property '{path}' became required"
    inverse = ("request-property-became-optional",)
    operation = INSERT_OPS
    affects = "object"
    impact = "{integration} {verb} {object}, where {revision} made {path} required"

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is not None and not before.mandatory and after.mandatory:
            yield ctx.change(
                self, loc, path=_path(loc, after), field=after.field_id, before=False, after=True
            )


@register
class RequestPropertyBecameOptional(_FieldRule):
    """A mandatory field became optional. Nothing breaks: INFO.

    (Profit 3 dropped ``mandatory`` on fields with a default value: such releases produce many.)
    """

    id = "request-property-became-optional"
    level = "INFO"
    template = "the request property '{path}' became optional"
    inverse = ("request-property-became-required",)

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is not None and before.mandatory and not after.mandatory:
            yield ctx.change(
                self, loc, path=_path(loc, after), field=after.field_id, before=True, after=False
            )


@register
class RequestPropertyMaxLengthIncreased(_FieldRule):
    """``length`` grew: every value accepted before is still accepted. INFO."""

    id = "request-property-max-length-increased"
    level = "INFO"
    template = "the '{path}' request property's maxLength was increased from '{before}' to '{after}'"
    inverse = ("request-property-max-length-decreased",)

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is not None and 0 < before.length < after.length:
            yield ctx.change(
                self,
                loc,
                path=_path(loc, after),
                field=after.field_id,
                before=before.length,
                after=after.length,
            )


@register
class RequestPropertyMaxLengthDecreased(_FieldRule):
    """``length`` shrank: longer values that were accepted are now refused. ERR.

    oasdiff wording: ``the '<path>' request property's maxLength was decreased to '<n>'``.
    """

    id = "request-property-max-length-decreased"
    level = "ERR"
    template = "the '{path}' request property's maxLength was decreased to '{after}'"
    inverse = ("request-property-max-length-increased",)
    impact = "{integration} {verb} {path}, which {revision} shortened from {before} to {after} characters"

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is not None and 0 < after.length < before.length:
            yield ctx.change(
                self,
                loc,
                path=_path(loc, after),
                field=after.field_id,
                before=before.length,
                after=after.length,
            )


@register
class RequestPropertyMaxLengthSet(_FieldRule):
    """A field without a length (0) got one: values longer than it are now refused. WARN (depends on
    the values an integration sends)."""

    id = "request-property-max-length-set"
    level = "WARN"
    template = "the '{path}' request property's maxLength was set to '{after}'"
    inverse = ("afas-request-property-max-length-unset",)
    impact = "{integration} {verb} {path}, which {revision} limited to {after} characters"

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is not None and before.length == 0 and after.length > 0:
            yield ctx.change(
                self, loc, path=_path(loc, after), field=after.field_id, before=0, after=after.length
            )


@register
class RequestPropertyMaxLengthUnset(_FieldRule):
    """A field's length limit was dropped (length 0). Nothing breaks: INFO."""

    id = "afas-request-property-max-length-unset"
    level = "INFO"
    template = "the '{path}' request property's maxLength '{before}' was removed"
    inverse = ("request-property-max-length-set",)

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is not None and before.length > 0 and after.length == 0:
            yield ctx.change(
                self, loc, path=_path(loc, after), field=after.field_id, before=before.length, after=0
            )


@register
class RequestPropertyTypeChanged(_FieldRule):
    """``dataType`` changed (``string``, ``int``, ``decimal``, ``boolean``, ``date``, ``blob``): values
    of the old type may be refused or converted. ERR."""

    id = "request-property-type-changed"
    level = "ERR"
    template = "the '{path}' request property type/format changed from '{before}' to '{after}'"
    inverse = ("request-property-type-changed",)
    impact = "{integration} {verb} {path}, whose type {revision} changed from {before} to {after}"

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is not None and before.data_type != after.data_type:
            yield ctx.change(
                self,
                loc,
                path=_path(loc, after),
                field=after.field_id,
                before=before.data_type,
                after=after.data_type,
            )


@register
class RequestPropertyDecimalsDecreased(_FieldRule):
    """Fewer ``decimals``: values with more decimals are rounded or refused. WARN."""

    id = "afas-request-property-decimals-decreased"
    level = "WARN"
    template = "the '{path}' request property's decimals were decreased from '{before}' to '{after}'"
    inverse = ("afas-request-property-decimals-increased",)
    impact = "{integration} {verb} {path}, whose decimals {revision} reduced from {before} to {after}"

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is not None and after.decimals < before.decimals:
            yield ctx.change(
                self,
                loc,
                path=_path(loc, after),
                field=after.field_id,
                before=before.decimals,
                after=after.decimals,
            )


@register
class RequestPropertyDecimalsIncreased(_FieldRule):
    """More ``decimals``: every value accepted before still is. INFO."""

    id = "afas-request-property-decimals-increased"
    level = "INFO"
    template = "the '{path}' request property's decimals were increased from '{before}' to '{after}'"
    inverse = ("afas-request-property-decimals-decreased",)

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is not None and after.decimals > before.decimals:
            yield ctx.change(
                self,
                loc,
                path=_path(loc, after),
                field=after.field_id,
                before=before.decimals,
                after=after.decimals,
            )


@register
class RequestPropertyDecimalsFieldChanged(_FieldRule):
    """The field that holds the number of decimals (``decimalFieldId``) changed. INFO."""

    id = "afas-request-property-decimals-field-changed"
    level = "INFO"
    template = "the '{path}' request property's decimals field changed from '{before}' to '{after}'"
    inverse = ("afas-request-property-decimals-field-changed",)

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is not None and before.decimals_field_id != after.decimals_field_id:
            yield ctx.change(
                self,
                loc,
                path=_path(loc, after),
                field=after.field_id,
                before=before.decimals_field_id,
                after=after.decimals_field_id,
            )


@register
class RequestPropertyPrimaryKeyChanged(_FieldRule):
    """A field joined or left the primary key (``primaryKey``): updates and deletes identify records
    differently (the ``@Key`` of the payload). WARN."""

    id = "afas-request-property-primary-key-changed"
    level = "WARN"
    template = "the primary key flag of the request property '{path}' changed from '{before}' to '{after}'"
    inverse = ("afas-request-property-primary-key-changed",)
    operation = "PUT, DELETE"
    impact = "{integration} {verb} {path}, whose primary-key flag {revision} changed from {before} to {after}"

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is not None and before.primary_key != after.primary_key:
            yield ctx.change(
                self,
                loc,
                path=_path(loc, after),
                field=after.field_id,
                before=before.primary_key,
                after=after.primary_key,
            )


@register
class RequestPropertyBecameNotZero(_FieldRule):
    """The field no longer accepts zero (``notzero`` became true). WARN (depends on the values sent)."""

    id = "afas-request-property-became-not-zero"
    level = "WARN"
    template = "the request property '{path}' no longer accepts zero"
    inverse = ("afas-request-property-zero-allowed",)
    impact = "{integration} {verb} {path}, where {revision} no longer accepts zero"

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is not None and not before.not_zero and after.not_zero:
            yield ctx.change(
                self, loc, path=_path(loc, after), field=after.field_id, before=False, after=True
            )


@register
class RequestPropertyZeroAllowed(_FieldRule):
    """The field accepts zero again (``notzero`` became false). INFO."""

    id = "afas-request-property-zero-allowed"
    level = "INFO"
    template = "the request property '{path}' accepts zero"
    inverse = ("afas-request-property-became-not-zero",)

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is not None and before.not_zero and not after.not_zero:
            yield ctx.change(
                self, loc, path=_path(loc, after), field=after.field_id, before=True, after=False
            )


@register
class RequestPropertyLabelChanged(_FieldRule):
    """The label of a field changed. Labels follow ``Accept-Language``: compared only when both
    snapshots were read in the same language. INFO."""

    id = "afas-request-property-label-changed"
    level = "INFO"
    template = "the label of the request property '{path}' changed from '{before}' to '{after}'"
    inverse = ("afas-request-property-label-changed",)

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if ctx.compare_labels and before is not None and after is not None and before.label != after.label:
            yield ctx.change(
                self,
                loc,
                path=_path(loc, after),
                field=after.field_id,
                before=before.label,
                after=after.label,
            )


@register
class RequestPropertyControlTypeChanged(_FieldRule):
    """``controlType`` changed (how Profit edits the field; the codes are undocumented). INFO."""

    id = "afas-request-property-control-type-changed"
    level = "INFO"
    template = "the '{path}' request property's controlType changed from '{before}' to '{after}'"
    inverse = ("afas-request-property-control-type-changed",)

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is not None and before.control_type != after.control_type:
            yield ctx.change(
                self,
                loc,
                path=_path(loc, after),
                field=after.field_id,
                before=before.control_type,
                after=after.control_type,
            )
