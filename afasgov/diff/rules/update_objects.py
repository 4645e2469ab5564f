"""Nested objects of UpdateConnectors (``objects``), matched by name at every depth.

A new or removed object is ONE change at the object's path
(``{Connector}/Element/Objects/{Object}``), not one per field inside it.
"""

from __future__ import annotations

from typing import Any

from afasgov.diff.engine import update_path
from afasgov.diff.registry import register
from afasgov.diff.rules._util import REQUEST_OPS, LocatedRule, PresenceRule
from afasgov.findings import Location
from afasgov.model import UpdateObject


class _ObjectRule(LocatedRule):
    """At the object's path ``{C}/Element/Objects/{O}``; the change carries a count of its content."""

    subjects = ("update-object",)
    operation = REQUEST_OPS

    def where(self, loc: Location, before: Any, after: Any) -> tuple[str, str | None]:
        return update_path(loc.object_path), None

    def summary(self, subject: Any) -> Any:
        o: UpdateObject = subject
        return {
            "fields": len(o.fields),
            "objects": len(o.objects),
            "mandatory": sorted(f.field_id for f in o.fields if f.mandatory),
        }


@register
class RequestObjectAdded(_ObjectRule, PresenceRule):
    """A new nested object: integrations may send it, none has to. INFO (one change for the whole
    object; its mandatory fields only matter to those who send it)."""

    id = "afas-request-object-added"
    level = "INFO"
    template = "added the new request object '{path}'"
    inverse = ("afas-request-object-removed",)


@register
class RequestObjectRemoved(_ObjectRule, PresenceRule):
    """A nested object of BASE is gone: payloads that send it are refused. ERR (one change for the
    whole object)."""

    id = "afas-request-object-removed"
    level = "ERR"
    template = "removed the request object '{path}'"
    inverse = ("afas-request-object-added",)
    impact = "{integration} {verb} {path}, which {revision} removed"
    added = False
