"""Code values (``values``: the allowed codes of a field, "enum values"), matched by code."""

from __future__ import annotations

from collections.abc import Iterator

from afasgov.diff.engine import DiffContext
from afasgov.diff.registry import register
from afasgov.diff.rules._util import UpdateFieldRule
from afasgov.findings import Finding, Location
from afasgov.model import CodeValue, UpdateField

UF = UpdateField | None


def _codes(values: tuple[CodeValue, ...]) -> dict[str, str]:
    return {v.id: v.description for v in values}


def _code_lists(before: UF, after: UF) -> tuple[dict[str, str], dict[str, str]] | None:
    """code → description of BASE and of the revision, for a field both have with two different
    lists of codes; else ``None``."""
    if (
        before is None
        or after is None
        or before.values is None
        or after.values is None
        or before.values == after.values
    ):
        return None
    return _codes(before.values), _codes(after.values)


@register
class RequestPropertyEnumValueAdded(UpdateFieldRule):
    """A new allowed code. Nothing that worked breaks: INFO (integrations that read the field back may
    meet a code they do not know)."""

    id = "request-property-enum-value-added"
    level = "INFO"
    template = "added the new '{value}' enum value to the request property '{path}'"
    inverse = ("request-property-enum-value-removed",)

    def check(self, ctx: DiffContext, loc: Location, before: UF, after: UF) -> Iterator[Finding]:
        if (lists := _code_lists(before, after)) is None:
            return
        old, new = lists
        path, fld = self.where(loc, before, after)
        for code, desc in new.items():
            if code not in old:
                yield ctx.change(self, loc, path=path, field=fld, value=code, after=desc)


@register
class RequestPropertyEnumValueRemoved(UpdateFieldRule):
    """An allowed code is gone: payloads that send it are refused. ERR."""

    id = "request-property-enum-value-removed"
    level = "ERR"
    template = "removed the enum value '{value}' of the request property '{path}'"
    inverse = ("request-property-enum-value-added",)
    impact = "{integration} {verb} {path}, whose code '{value}' {revision} removed"

    def check(self, ctx: DiffContext, loc: Location, before: UF, after: UF) -> Iterator[Finding]:
        if (lists := _code_lists(before, after)) is None:
            return
        old, new = lists
        path, fld = self.where(loc, before, after)
        for code, desc in old.items():
            if code not in new:
                yield ctx.change(self, loc, path=path, field=fld, value=code, before=desc)


@register
class RequestPropertyEnumValueDescriptionChanged(UpdateFieldRule):
    """The description of an allowed code changed (display text, compared only in the same language).
    INFO."""

    id = "afas-request-property-enum-value-description-changed"
    level = "INFO"
    template = (
        "the description of the '{value}' enum value of the request property '{path}' changed from "
        "'{before}' to '{after}'"
    )
    inverse = ("afas-request-property-enum-value-description-changed",)

    def check(self, ctx: DiffContext, loc: Location, before: UF, after: UF) -> Iterator[Finding]:
        if not ctx.compare_labels or (lists := _code_lists(before, after)) is None:
            return
        old, new = lists
        path, fld = self.where(loc, before, after)
        for code, desc in old.items():
            if code in new and new[code] != desc:
                yield ctx.change(self, loc, path=path, field=fld, value=code, before=desc, after=new[code])


@register
class RequestPropertyBecameEnum(UpdateFieldRule):
    """A free field was restricted to a list of codes: values outside the list are refused. ERR."""

    id = "request-property-became-enum"
    level = "ERR"
    template = "request property '{path}' was restricted to a list of enum values"
    inverse = ("afas-request-property-enum-dropped",)
    impact = "{integration} {verb} {path}, which {revision} restricted to a list of codes"

    def check(self, ctx: DiffContext, loc: Location, before: UF, after: UF) -> Iterator[Finding]:
        if before is not None and after is not None and before.values is None and after.values is not None:
            path, fld = self.where(loc, before, after)
            yield ctx.change(self, loc, path=path, field=fld, after=sorted(_codes(after.values)))


@register
class RequestPropertyEnumDropped(UpdateFieldRule):
    """A field restricted to a list of codes accepts any value now. INFO."""

    id = "afas-request-property-enum-dropped"
    level = "INFO"
    template = "request property '{path}' is no longer restricted to a list of enum values"
    inverse = ("request-property-became-enum",)

    def check(self, ctx: DiffContext, loc: Location, before: UF, after: UF) -> Iterator[Finding]:
        if before is not None and after is not None and before.values is not None and after.values is None:
            path, fld = self.where(loc, before, after)
            yield ctx.change(self, loc, path=path, field=fld, before=sorted(_codes(before.values)))
