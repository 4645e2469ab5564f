"""Nested objects of UpdateConnectors (``objects``), matched by name at every depth.

A new or removed object is ONE change at the object's path
(``{Connector}/Element/Objects/{Object}``), not one per field inside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from afasgov.diff.change import Change
from afasgov.diff.engine import DiffContext, Loc, update_path
from afasgov.diff.registry import Rule, register
from afasgov.diff.rules._util import REQUEST_OPS
from afasgov.model import UpdateObject


def _summary(o: UpdateObject) -> dict[str, Any]:
    return {
        "fields": len(o.fields),
        "objects": len(o.objects),
        "mandatory": sorted(f.field_id for f in o.fields if f.mandatory),
    }


@register
class RequestObjectAdded(Rule):
    """A new nested object: integrations may send it, none has to. INFO (one change for the whole
    object; its mandatory fields only matter to those who send it)."""

    id = "afas-request-object-added"
    level = "INFO"
    subjects = ("update-object",)
    template = "added the new request object '{path}'"
    inverse = ("afas-request-object-removed",)
    operation = REQUEST_OPS

    def check(
        self, ctx: DiffContext, loc: Loc, before: UpdateObject | None, after: UpdateObject | None
    ) -> Iterator[Change]:
        if before is None and after is not None:
            yield ctx.change(self, loc, path=update_path(loc.object_path), after=_summary(after))


@register
class RequestObjectRemoved(Rule):
    """A nested object of BASE is gone: payloads that send it are refused. ERR (one change for the
    whole object)."""

    id = "afas-request-object-removed"
    level = "ERR"
    subjects = ("update-object",)
    template = "removed the request object '{path}'"
    inverse = ("afas-request-object-added",)
    operation = REQUEST_OPS
    impact = "{integration} {verb} {path}, which {revision} removed"

    def check(
        self, ctx: DiffContext, loc: Loc, before: UpdateObject | None, after: UpdateObject | None
    ) -> Iterator[Change]:
        if before is not None and after is None:
            yield ctx.change(self, loc, path=update_path(loc.object_path), before=_summary(before))
