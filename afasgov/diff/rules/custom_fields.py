"""Custom fields ("vrije velden", ids ``U`` + 32 hex digits) of UpdateConnectors.

Custom fields exist per environment: a custom field that production has and accept lacks usually
means the environment was not set up the same way, not that the release removed it, so these
changes get their own ids (and the same consequences as any other field for integrations).
"""

from __future__ import annotations

from typing import Any

from afasgov.diff.registry import register
from afasgov.diff.rules._util import PresenceRule, UpdateFieldRule


@register
class CustomFieldMissing(UpdateFieldRule, PresenceRule):
    """A custom field of BASE is missing in the revision: payloads that send it are refused. ERR.

    Check that the custom field was created in the revision's environment too (custom fields are
    per environment).
    """

    id = "afas-custom-field-missing"
    level = "ERR"
    template = "the custom field '{path}' is missing"
    inverse = ("afas-custom-field-appeared", "new-required-request-property")
    impact = "{integration} {verb} {path}, a custom field which {revision} lacks"
    added = False

    def applies(self, subject: Any) -> bool:
        return bool(subject.is_custom)


@register
class CustomFieldAppeared(UpdateFieldRule, PresenceRule):
    """An optional custom field appeared in the revision. INFO (a mandatory one is reported as
    ``new-required-request-property``)."""

    id = "afas-custom-field-appeared"
    level = "INFO"
    template = "the custom field '{path}' appeared"
    inverse = ("afas-custom-field-missing",)

    def applies(self, subject: Any) -> bool:
        return bool(subject.is_custom and not subject.mandatory)
