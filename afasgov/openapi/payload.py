"""An UpdateConnector's request payload as a schema, in the two forms the export writes.

**Documented** (:func:`documented_schema`, the OpenAPI documents' ``{Name}_POST`` / ``{Name}_PUT``):
the shape AFAS's own specs give every payload, property for property::

    {"<Root>": {"Element": {"Fields": {…}, "Objects": [{"<Object>": {"Element": [{"Fields": …}]}}]}}}

``<Root>`` is the payload root element from the connector catalogue (``FiEntries`` →
``FiEntryPar``); ``Fields`` lists the fields in AFAS's order with ``required`` = the mandatory
fields (POST only: metainfo's ``mandatory`` is about inserts); ``Objects`` holds every nested object,
at any depth. Added to AFAS's form: the ``@<Key>`` attributes of primary-key fields on ``Element``
(AFAS's examples send keys that way), ``"@Action"`` in ``Fields`` (an element's own action, e.g. lines
inserted under an updated header), and ``additionalProperties: false`` wherever metainfo lists every
allowed name, so that a misspelt field is an error in any tool.

**Accepted** (:func:`accepted_schema`, the standalone JSON Schemas of ``--schemas-only``): every
shape ``afasgov validate`` accepts (``docs/validate.md``), so that a JSON Schema validator and
``afasgov validate`` give the same verdicts: ``Element`` one element or a list, ``Objects`` a mapping
or a list of mappings, any field also as an ``@<Field>`` attribute on its ``Element``, values as
:func:`~afasgov.openapi.fields.accepted_field` says. A mandatory field is missing when neither
``Fields`` nor an ``@`` attribute gives it a value. Each element is one entry of ``$defs`` (its
object path joined by ``.``), referenced where it is used.
"""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import quote

from afasgov.model import UpdateConnector, UpdateField, UpdateObject
from afasgov.openapi.fields import GIVEN, Json, accepted_field, documented_field

DIALECT = "https://json-schema.org/draft/2020-12/schema"


#: ``"@Action"`` inside ``Fields``: what to do with this element (a nested insert inside an update).
ACTION: Json = {"type": "string", "enum": ["insert", "update", "delete"],
                "description": "What to do with this element; nested elements without one do what their "
                               "parent does"}


def _required(fields: tuple[UpdateField, ...], mandatory: bool) -> list[str]:
    return [f.field_id for f in fields if f.mandatory] if mandatory else []


def _documented_element(
    fields: tuple[UpdateField, ...],
    objects: tuple[UpdateObject, ...],
    mandatory: bool,
    cache: dict[int, Json],
) -> Json:
    def prop(f: UpdateField) -> Json:
        schema = cache.get(id(f))
        if schema is None:
            schema = cache[id(f)] = documented_field(f)
        return schema

    props: Json = {f"@{f.field_id}": prop(f) for f in fields if f.primary_key}
    fields_schema: Json = {"type": "object", "properties": {**{f.field_id: prop(f) for f in fields},
                                                            "@Action": ACTION}}
    required = _required(fields, mandatory)
    if required:
        fields_schema["required"] = required
    fields_schema["additionalProperties"] = False
    props["Fields"] = fields_schema
    if objects:
        props["Objects"] = {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    o.name: {
                        "type": "object",
                        "properties": {
                            "Element": {
                                "type": "array",
                                "items": _documented_element(o.fields, o.objects, mandatory, cache),
                            }
                        },
                        "required": ["Element"],
                        "additionalProperties": False,
                    }
                    for o in objects
                },
                "additionalProperties": False,
            },
        }
    return {"type": "object", "properties": props, "additionalProperties": False}


def documented_schema(
    connector: UpdateConnector, root: str, *, mandatory: bool, cache: dict[int, Json] | None = None
) -> Json:
    """``{Name}_POST`` (``mandatory=True``) or ``{Name}_PUT`` as AFAS's specs shape it (see the module).

    ``cache`` (by the field object's ``id``; keep the connector alive while it is used) shares field
    schemas between calls: POST and PUT of one connector describe the same fields; the renderers write
    shared objects out in full."""
    element = _documented_element(connector.fields, connector.objects, mandatory, {} if cache is None else cache)
    return {
        "type": "object",
        "properties": {
            root: {
                "type": "object",
                "properties": {"Element": element},
                "required": ["Element"],
                "additionalProperties": False,
            }
        },
        "required": [root],
        "additionalProperties": False,
    }


# ----------------------------------------------------------------------------------------- accepted
#: ``"@Action"`` inside ``Fields``: the element's action, in any case (``afasgov validate`` lower-cases it).
ACTION_PATTERN = "^([Ii][Nn][Ss][Ee][Rr][Tt]|[Uu][Pp][Dd][Aa][Tt][Ee]|[Dd][Ee][Ll][Ee][Tt][Ee])$"
_INSERT = "^[Ii][Nn][Ss][Ee][Rr][Tt]$"
_OTHER = "^([Uu][Pp][Dd][Aa][Tt][Ee]|[Dd][Ee][Ll][Ee][Tt][Ee])$"
#: ``""`` or ``null``: "none" for ``Fields``, ``Objects``, ``Element`` and one object.
_NONE_TYPES = ["null", "string"]
#: the suffix of the ``$defs`` entries of elements outside an insert (their mandatory fields are not checked).
NOT_INSERT = ":update"
_PLAIN = re.compile(r"^[A-Za-z0-9_]+$")


@functools.lru_cache(maxsize=65536)
def _part(name: str) -> str:
    """One name of a ``$defs`` key: as it is when plain (AFAS's names are), else %-escaped so that
    keys cannot collide (``.`` joins names, ``:`` starts a role)."""
    if _PLAIN.match(name):
        return name
    return quote(name, safe="").replace(".", "%2E").replace("~", "%7E")


@functools.lru_cache(maxsize=65536)
def _segment(name: str) -> str:
    """One JSON Pointer segment inside a URI fragment (RFC 6901 escapes, then %-escapes)."""
    if _PLAIN.match(name):
        return name
    return quote(name.replace("~", "~0").replace("/", "~1"), safe="$:@!*'()+,;=-_.~")


def _ref(key: str, *pointer: str) -> str:
    """A ``$ref`` to ``$defs/<key>/<pointer…>`` (a key holds no ``/`` or ``~``: see :func:`_part`)."""
    return "#/$defs/" + "/".join((key.replace("%", "%25"), *map(_segment, pointer)))


def _own_action(pattern: str) -> Json:
    """The element's own ``"@Action"`` (inside ``Fields``) matches ``pattern``."""
    return {"required": ["Fields"], "properties": {"Fields": {
        "type": "object", "required": ["@Action"], "properties": {"@Action": {"type": "string", "pattern": pattern}}}}}


_OWN_INSERT = _own_action(_INSERT)
_OWN_OTHER = _own_action(_OTHER)


def _one_or_many(ref: str) -> Json:
    """One object (checked by ``ref``), a list of them, or none (``""``/``null``, also as list items)."""
    return {"type": ["object", "array", *_NONE_TYPES], "maxLength": 0, "$ref": ref,
            "items": {"type": ["object", *_NONE_TYPES], "maxLength": 0, "$ref": ref}}


def _has_mandatory(fields: tuple[UpdateField, ...], objects: tuple[UpdateObject, ...]) -> bool:
    return any(f.mandatory for f in fields) or any(_has_mandatory(o.fields, o.objects) for o in objects)


def _mandatory_clauses(fields: tuple[UpdateField, ...]) -> list[Json]:
    """Per mandatory field: given (not ``null``/``""``) as ``@Field`` or else in ``Fields``."""
    return [
        {
            "if": {"required": [f"@{f.field_id}"], "properties": {f"@{f.field_id}": GIVEN}},
            "else": {"required": ["Fields"], "properties": {"Fields": {
                "type": "object", "required": [f.field_id], "properties": {f.field_id: GIVEN}}}},
        }
        for f in fields
        if f.mandatory
    ]


class _Accepted:
    """Builds the ``$defs`` of one payload schema: per connector or nested object (key: the names from
    the connector, joined by ``.``) the ``{"Element": …}`` wrapper (``key``), the element
    (``key:Element``) and its nested objects (``key:Objects``).

    Every element exists in the context of an insert and, where its subtree has mandatory fields,
    outside one (the same keys + ``:update``): an element's action is its own ``"@Action"`` or else
    its parent's, and only inserts need their mandatory fields, as in ``afasgov validate``."""

    def __init__(self) -> None:
        self.defs: Json = {}

    @staticmethod
    def key(path: tuple[str, ...], role: str = "", insert: bool = True) -> str:
        return ".".join(_part(n) for n in path) + (f":{role}" if role else "") + ("" if insert else NOT_INSERT)

    def add(self, path: tuple[str, ...], fields: tuple[UpdateField, ...], objects: tuple[UpdateObject, ...]) -> None:
        contextual = _has_mandatory(fields, objects)
        for insert in (True, False) if contextual else (True,):
            self.defs[self.key(path, insert=insert)] = {
                "type": ["object", *_NONE_TYPES],
                "maxLength": 0,
                "properties": {"Element": _one_or_many(_ref(self.key(path, "Element", insert)))},
                "required": ["Element"],
                "additionalProperties": False,
            }
            self.defs[self.key(path, "Element", insert)] = self.element(path, fields, objects, insert, contextual)
            if objects:
                self.defs[self.key(path, "Objects", insert)] = {  # no "type": see element()
                    "properties": {
                        o.name: {"$ref": _ref(self.key(
                            (*path, o.name), insert=insert or not _has_mandatory(o.fields, o.objects)))}
                        for o in objects
                    },
                    "additionalProperties": False,
                }
        for o in objects:
            self.add((*path, o.name), o.fields, o.objects)

    def element(
        self, path: tuple[str, ...], fields: tuple[UpdateField, ...], objects: tuple[UpdateObject, ...],
        insert: bool, contextual: bool,
    ) -> Json:
        element_key = self.key(path, "Element")
        if insert:
            props: Json = {"Fields": {
                "type": ["object", *_NONE_TYPES],
                "maxLength": 0,
                "properties": {"@Action": {"type": "string", "pattern": ACTION_PATTERN},
                               **{f.field_id: accepted_field(f) for f in fields}},
                "additionalProperties": False,
            }}
        else:
            props = {"Fields": {"$ref": _ref(element_key, "properties", "Fields")}}
        base = _ref(element_key, "properties", "Fields", "properties")
        for f in fields:
            props[f"@{f.field_id}"] = {"$ref": f"{base}/{_segment(f.field_id)}"}
        conditions: list[Json] = []
        mandatory = _mandatory_clauses(fields)
        if mandatory and insert:
            conditions.append({"if": _OWN_OTHER, "else": {"allOf": mandatory}})
        elif mandatory:
            conditions.append({"if": _OWN_INSERT, "then": {"allOf": mandatory}})
        if objects:
            props["Objects"] = True  # checked by the condition below: whose insert it is decides
            here = _one_or_many(_ref(self.key(path, "Objects", insert or not contextual)))
            if not contextual:
                conditions.append({"properties": {"Objects": here}})
            else:
                there = _one_or_many(_ref(self.key(path, "Objects", not insert)))
                conditions.append({
                    "if": _OWN_OTHER if insert else _OWN_INSERT,
                    "then": {"properties": {"Objects": there}},
                    "else": {"properties": {"Objects": here}},
                })
        # no "type": an element's keywords apply to objects only, so that a list of elements passes them
        # and is checked item by item (see _one_or_many)
        out: Json = {"properties": props, "additionalProperties": False}
        if conditions:
            out["allOf"] = conditions
        return out


def accepted_defs(connector: UpdateConnector) -> Json:
    """The ``$defs`` of the connector's payload schemas (the same for POST and PUT)."""
    builder = _Accepted()
    builder.add((connector.id,), connector.fields, connector.objects)
    return builder.defs


def accepted_schema(
    connector: UpdateConnector, root: str, *, mandatory: bool, title: str, description: str,
    defs: Json | None = None,
) -> Json:
    """The standalone JSON Schema (2020-12) of a payload, in the accepted form (see the module);
    ``mandatory``: an insert (POST), whose elements need their mandatory fields unless their
    ``"@Action"`` says otherwise; else an update (PUT), whose elements need them only when their
    ``"@Action"`` is ``insert``. ``defs``: :func:`accepted_defs` of the connector, when the caller has it."""
    contextual = _has_mandatory(connector.fields, connector.objects)
    out: dict[str, Any] = {
        "$schema": DIALECT,
        "title": title,
        "description": description,
        "type": "object",
        "properties": {root: {"$ref": _ref(_Accepted.key((connector.id,), insert=mandatory or not contextual))}},
        "required": [root],
        "additionalProperties": False,
        "$defs": accepted_defs(connector) if defs is None else defs,
    }
    return out


__all__ = ["ACTION_PATTERN", "DIALECT", "NOT_INSERT", "accepted_defs", "accepted_schema", "documented_schema"]
