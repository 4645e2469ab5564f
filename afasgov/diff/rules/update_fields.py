"""UpdateConnector fields ("request properties"): matched by field id within their object path.

Additions, removals and attribute changes of the fields an integration sends. Custom fields
(``U`` + 32 hex) have their own rules in :mod:`~afasgov.diff.rules.custom_fields`; code lists in
:mod:`~afasgov.diff.rules.code_values`; whole nested objects in
:mod:`~afasgov.diff.rules.update_objects`.
"""

from __future__ import annotations

from typing import Any

from afasgov.diff.registry import register
from afasgov.diff.rules._util import INSERT_OPS, AttributeRule, PresenceRule, UpdateFieldRule


@register
class NewOptionalRequestProperty(UpdateFieldRule, PresenceRule):
    """A new optional field: integrations may send it, none has to. INFO.

    Wording as in AFAS's release notes: ``added the new optional request property '<path>'``.
    """

    id = "new-optional-request-property"
    level = "INFO"
    template = "added the new optional request property '{path}'"
    inverse = ("request-property-removed",)

    def applies(self, subject: Any) -> bool:
        return not subject.mandatory and not subject.is_custom


@register
class NewRequiredRequestProperty(UpdateFieldRule, PresenceRule):
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

    def applies(self, subject: Any) -> bool:
        return bool(subject.mandatory)


@register
class RequestPropertyRemoved(UpdateFieldRule, PresenceRule):
    """A field of BASE is gone: payloads that send it are refused (unknown field). ERR."""

    id = "request-property-removed"
    level = "ERR"
    template = "removed the request property '{path}'"
    inverse = ("new-optional-request-property", "new-required-request-property")
    impact = "{integration} {verb} {path}, which {revision} removed"
    added = False

    def applies(self, subject: Any) -> bool:
        return not subject.is_custom


@register
class RequestPropertyBecameRequired(UpdateFieldRule, AttributeRule):
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
    attribute = "mandatory"

    def changed(self, old: Any, new: Any) -> bool:
        return bool(not old and new)


@register
class RequestPropertyBecameOptional(UpdateFieldRule, AttributeRule):
    """A mandatory field became optional. Nothing breaks: INFO.

    (Profit 3 dropped ``mandatory`` on fields with a default value: such releases produce many.)
    """

    id = "request-property-became-optional"
    level = "INFO"
    template = "the request property '{path}' became optional"
    inverse = ("request-property-became-required",)
    attribute = "mandatory"

    def changed(self, old: Any, new: Any) -> bool:
        return bool(old and not new)


@register
class RequestPropertyMaxLengthIncreased(UpdateFieldRule, AttributeRule):
    """``length`` grew: every value accepted before is still accepted. INFO."""

    id = "request-property-max-length-increased"
    level = "INFO"
    template = "the '{path}' request property's maxLength was increased from '{before}' to '{after}'"
    inverse = ("request-property-max-length-decreased",)
    attribute = "length"

    def changed(self, old: Any, new: Any) -> bool:
        return bool(0 < old < new)


@register
class RequestPropertyMaxLengthDecreased(UpdateFieldRule, AttributeRule):
    """``length`` shrank: longer values that were accepted are now refused. ERR.

    oasdiff wording: ``the '<path>' request property's maxLength was decreased to '<n>'``.
    """

    id = "request-property-max-length-decreased"
    level = "ERR"
    template = "the '{path}' request property's maxLength was decreased to '{after}'"
    inverse = ("request-property-max-length-increased",)
    impact = "{integration} {verb} {path}, which {revision} shortened from {before} to {after} characters"
    attribute = "length"

    def changed(self, old: Any, new: Any) -> bool:
        return bool(0 < new < old)


@register
class RequestPropertyMaxLengthSet(UpdateFieldRule, AttributeRule):
    """A field without a length (0) got one: values longer than it are now refused. WARN (depends on
    the values an integration sends)."""

    id = "request-property-max-length-set"
    level = "WARN"
    template = "the '{path}' request property's maxLength was set to '{after}'"
    inverse = ("afas-request-property-max-length-unset",)
    impact = "{integration} {verb} {path}, which {revision} limited to {after} characters"
    attribute = "length"

    def changed(self, old: Any, new: Any) -> bool:
        return bool(old == 0 and new > 0)


@register
class RequestPropertyMaxLengthUnset(UpdateFieldRule, AttributeRule):
    """A field's length limit was dropped (length 0). Nothing breaks: INFO."""

    id = "afas-request-property-max-length-unset"
    level = "INFO"
    template = "the '{path}' request property's maxLength '{before}' was removed"
    inverse = ("request-property-max-length-set",)
    attribute = "length"

    def changed(self, old: Any, new: Any) -> bool:
        return bool(old > 0 and new == 0)


@register
class RequestPropertyTypeChanged(UpdateFieldRule, AttributeRule):
    """``dataType`` changed (``string``, ``int``, ``decimal``, ``boolean``, ``date``, ``blob``): values
    of the old type may be refused or converted. ERR."""

    id = "request-property-type-changed"
    level = "ERR"
    template = "the '{path}' request property type/format changed from '{before}' to '{after}'"
    inverse = ("request-property-type-changed",)
    impact = "{integration} {verb} {path}, whose type {revision} changed from {before} to {after}"
    attribute = "data_type"


@register
class RequestPropertyDecimalsDecreased(UpdateFieldRule, AttributeRule):
    """Fewer ``decimals``: values with more decimals are rounded or refused. WARN."""

    id = "afas-request-property-decimals-decreased"
    level = "WARN"
    template = "the '{path}' request property's decimals were decreased from '{before}' to '{after}'"
    inverse = ("afas-request-property-decimals-increased",)
    impact = "{integration} {verb} {path}, whose decimals {revision} reduced from {before} to {after}"
    attribute = "decimals"

    def changed(self, old: Any, new: Any) -> bool:
        return bool(new < old)


@register
class RequestPropertyDecimalsIncreased(UpdateFieldRule, AttributeRule):
    """More ``decimals``: every value accepted before still is. INFO."""

    id = "afas-request-property-decimals-increased"
    level = "INFO"
    template = "the '{path}' request property's decimals were increased from '{before}' to '{after}'"
    inverse = ("afas-request-property-decimals-decreased",)
    attribute = "decimals"

    def changed(self, old: Any, new: Any) -> bool:
        return bool(new > old)


@register
class RequestPropertyDecimalsFieldChanged(UpdateFieldRule, AttributeRule):
    """The field that holds the number of decimals (``decimalFieldId``) changed. INFO."""

    id = "afas-request-property-decimals-field-changed"
    level = "INFO"
    template = "the '{path}' request property's decimals field changed from '{before}' to '{after}'"
    inverse = ("afas-request-property-decimals-field-changed",)
    attribute = "decimals_field_id"


@register
class RequestPropertyPrimaryKeyChanged(UpdateFieldRule, AttributeRule):
    """A field joined or left the primary key (``primaryKey``): updates and deletes identify records
    differently (the ``@Key`` of the payload). WARN."""

    id = "afas-request-property-primary-key-changed"
    level = "WARN"
    template = "the primary key flag of the request property '{path}' changed from '{before}' to '{after}'"
    inverse = ("afas-request-property-primary-key-changed",)
    operation = "PUT, DELETE"
    impact = "{integration} {verb} {path}, whose primary-key flag {revision} changed from {before} to {after}"
    attribute = "primary_key"


@register
class RequestPropertyBecameNotZero(UpdateFieldRule, AttributeRule):
    """The field no longer accepts zero (``notzero`` became true). WARN (depends on the values sent)."""

    id = "afas-request-property-became-not-zero"
    level = "WARN"
    template = "the request property '{path}' no longer accepts zero"
    inverse = ("afas-request-property-zero-allowed",)
    impact = "{integration} {verb} {path}, where {revision} no longer accepts zero"
    attribute = "not_zero"

    def changed(self, old: Any, new: Any) -> bool:
        return bool(not old and new)


@register
class RequestPropertyZeroAllowed(UpdateFieldRule, AttributeRule):
    """The field accepts zero again (``notzero`` became false). INFO."""

    id = "afas-request-property-zero-allowed"
    level = "INFO"
    template = "the request property '{path}' accepts zero"
    inverse = ("afas-request-property-became-not-zero",)
    attribute = "not_zero"

    def changed(self, old: Any, new: Any) -> bool:
        return bool(old and not new)


@register
class RequestPropertyLabelChanged(UpdateFieldRule, AttributeRule):
    """The label of a field changed. Labels follow ``Accept-Language``: compared only when both
    snapshots were read in the same language. INFO."""

    id = "afas-request-property-label-changed"
    level = "INFO"
    template = "the label of the request property '{path}' changed from '{before}' to '{after}'"
    inverse = ("afas-request-property-label-changed",)
    attribute = "label"
    labels = True


@register
class RequestPropertyControlTypeChanged(UpdateFieldRule, AttributeRule):
    """``controlType`` changed (how Profit edits the field; the codes are undocumented). INFO."""

    id = "afas-request-property-control-type-changed"
    level = "INFO"
    template = "the '{path}' request property's controlType changed from '{before}' to '{after}'"
    inverse = ("afas-request-property-control-type-changed",)
    attribute = "control_type"
