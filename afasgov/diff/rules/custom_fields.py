"""Custom fields ("vrije velden", ids ``U`` + 32 hex digits) of UpdateConnectors.

Custom fields exist per environment: a custom field that production has and accept lacks usually
means the environment was not set up the same way, not that the release removed it, so these
changes get their own ids (and the same consequences as any other field for integrations).
"""

from __future__ import annotations

from collections.abc import Iterator

from afasgov.diff.change import Change
from afasgov.diff.engine import DiffContext, Loc, update_path
from afasgov.diff.registry import Rule, register
from afasgov.diff.rules._util import REQUEST_OPS, ufield_summary
from afasgov.model import UpdateField

UF = UpdateField | None


@register
class CustomFieldMissing(Rule):
    """A custom field of BASE is missing in the revision: payloads that send it are refused. ERR.

    Check that the custom field was created in the revision's environment too (custom fields are
    per environment).
    """

    id = "afas-custom-field-missing"
    level = "ERR"
    subjects = ("update-field",)
    template = "the custom field '{path}' is missing"
    inverse = ("afas-custom-field-appeared", "new-required-request-property")
    operation = REQUEST_OPS
    impact = "{integration} {verb} {path}, a custom field which {revision} lacks"

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is not None and after is None and before.is_custom:
            yield ctx.change(
                self,
                loc,
                path=update_path(loc.object_path, before.field_id),
                field=before.field_id,
                before=ufield_summary(before),
            )


@register
class CustomFieldAppeared(Rule):
    """An optional custom field appeared in the revision. INFO (a mandatory one is reported as
    ``new-required-request-property``)."""

    id = "afas-custom-field-appeared"
    level = "INFO"
    subjects = ("update-field",)
    template = "the custom field '{path}' appeared"
    inverse = ("afas-custom-field-missing",)
    operation = REQUEST_OPS

    def check(self, ctx: DiffContext, loc: Loc, before: UF, after: UF) -> Iterator[Change]:
        if before is None and after is not None and after.is_custom and not after.mandatory:
            yield ctx.change(
                self,
                loc,
                path=update_path(loc.object_path, after.field_id),
                field=after.field_id,
                after=ufield_summary(after),
            )
