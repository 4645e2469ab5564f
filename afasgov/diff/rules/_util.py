"""Small helpers shared by the rule families, and the two shapes most rules have.

Most rules are one of two shapes, written once here:

* :class:`PresenceRule`: the subject is on one side only (added to the revision, or removed from
  BASE); the change carries the family's :meth:`~PresenceRule.summary` of it;
* :class:`AttributeRule`: one attribute of a subject both sides have changed in the way
  :meth:`~AttributeRule.changed` describes; the change carries the attribute's two values.

A family's base class says where its changes stand (:meth:`LocatedRule.where`) and what a subject's
summary is; a rule then only declares its id, level, template, … and the one thing that is its own
(``attribute`` and ``changed``, or ``added`` and ``applies``). Its docstring stays its documentation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from afasgov.diff.engine import update_path
from afasgov.diff.registry import Rule
from afasgov.model import GetField, UpdateField

if TYPE_CHECKING:
    from afasgov.diff.engine import DiffContext
    from afasgov.findings import Finding, Location


def ufield_summary(f: UpdateField) -> dict[str, Any]:
    """What a reader needs of an added/removed update field."""
    return {"dataType": f.data_type, "length": f.length, "mandatory": f.mandatory}


def gfield_summary(f: GetField) -> dict[str, Any]:
    return {"dataType": f.data_type, "length": f.length, "fieldId": f.field_id}


REQUEST_OPS = "POST, PUT"
INSERT_OPS = "POST"
GET_OPS = "GET"


class LocatedRule(Rule):
    """A rule whose changes stand at the path :meth:`where` gives (not registered itself)."""

    def where(self, loc: Location, before: Any, after: Any) -> tuple[str, str | None]:
        """``(path, field)`` of a change of the matched pair (either side ``None`` when the subject
        was added or removed)."""
        raise NotImplementedError

    def summary(self, subject: Any) -> Any:
        """What an added or removed subject's change carries."""
        raise NotImplementedError


class PresenceRule(LocatedRule):
    """The subject is on one side only: ``added`` (only the revision has it) or removed (only BASE
    has it), and :meth:`applies` to it. The change carries :meth:`summary` as ``after`` (added) or
    ``before`` (removed)."""

    added: ClassVar[bool] = True

    def applies(self, subject: Any) -> bool:
        return True

    def check(self, ctx: DiffContext, loc: Location, before: Any, after: Any) -> Iterator[Finding]:
        subject, other = (after, before) if self.added else (before, after)
        if subject is None or other is not None or not self.applies(subject):
            return
        path, fld = self.where(loc, before, after)
        side = "after" if self.added else "before"
        yield ctx.change(self, loc, path=path, field=fld, **{side: self.summary(subject)})


class AttributeRule(LocatedRule):
    """``attribute`` of a subject both sides have changed as :meth:`changed` says (by default: it
    differs); with ``labels``, only when both snapshots were read in the same language. The change
    carries the two values as ``before`` and ``after``."""

    attribute: ClassVar[str] = ""
    labels: ClassVar[bool] = False

    def changed(self, old: Any, new: Any) -> bool:
        return bool(old != new)

    def check(self, ctx: DiffContext, loc: Location, before: Any, after: Any) -> Iterator[Finding]:
        if before is None or after is None or (self.labels and not ctx.compare_labels):
            return
        old, new = getattr(before, self.attribute), getattr(after, self.attribute)
        if self.changed(old, new):
            path, fld = self.where(loc, before, after)
            yield ctx.change(self, loc, path=path, field=fld, before=old, after=new)


class UpdateFieldRule(LocatedRule):
    """Base of the rules on UpdateConnector fields: at ``{C}/Element/…/Fields/{field id}`` of the
    revision's field (BASE's when it was removed)."""

    subjects = ("update-field",)
    operation = REQUEST_OPS

    def where(self, loc: Location, before: Any, after: Any) -> tuple[str, str | None]:
        f: UpdateField = after if after is not None else before
        return update_path(loc.object_path, f.field_id), f.field_id

    def summary(self, subject: Any) -> Any:
        return ufield_summary(subject)
