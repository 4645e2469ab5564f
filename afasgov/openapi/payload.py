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

from typing import Any

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
    cache: dict[UpdateField, Json],
) -> Json:
    def prop(f: UpdateField) -> Json:
        schema = cache.get(f)
        if schema is None:
            schema = cache[f] = documented_field(f)
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
    connector: UpdateConnector, root: str, *, mandatory: bool, cache: dict[UpdateField, Json] | None = None
) -> Json:
    """``{Name}_POST`` (``mandatory=True``) or ``{Name}_PUT`` as AFAS's specs shape it (see the module).

    ``cache`` shares field schemas between calls (POST and PUT of one connector describe the same
    fields); the renderers write shared objects out in full."""
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
NOT_INSERT = "~update"


def _own_action(pattern: str) -> Json:
    """The element's own ``"@Action"`` (inside ``Fields``) matches ``pattern``."""
    return {"required": ["Fields"], "properties": {"Fields": {
        "type": "object", "required": ["@Action"], "properties": {"@Action": {"type": "string", "pattern": pattern}}}}}


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
    """Builds the ``$defs`` of one payload schema.

    Every element exists in the context of an insert (``key``) and, where its subtree has mandatory
    fields, outside one (``key~update``): an element's action is its own ``"@Action"`` or else its
    parent's, and only inserts need their mandatory fields, as in ``afasgov validate``."""

    def __init__(self) -> None:
        self.defs: Json = {}

    def ref(self, key: str, insert: bool, contextual: bool) -> str:
        return f"#/$defs/{key}" + ("" if insert or not contextual else NOT_INSERT)

    def add(self, key: str, fields: tuple[UpdateField, ...], objects: tuple[UpdateObject, ...]) -> None:
        contextual = _has_mandatory(fields, objects)
        for insert in (True, False) if contextual else (True,):
            suffix = "" if insert else NOT_INSERT
            self.defs[key + suffix] = {
                "type": ["object", *_NONE_TYPES],
                "maxLength": 0,
                "properties": {"Element": _one_or_many(f"#/$defs/{key}.Element{suffix}")},
                "required": ["Element"],
                "additionalProperties": False,
            }
            self.defs[f"{key}.Element{suffix}"] = self.element(key, fields, objects, insert, contextual)
            if objects:
                self.defs[f"{key}.Objects{suffix}"] = {  # no "type": see element()
                    "properties": {
                        o.name: {"$ref": self.ref(f"{key}.{o.name}", insert, _has_mandatory(o.fields, o.objects))}
                        for o in objects
                    },
                    "additionalProperties": False,
                }
        for o in objects:
            self.add(f"{key}.{o.name}", o.fields, o.objects)

    def element(
        self, key: str, fields: tuple[UpdateField, ...], objects: tuple[UpdateObject, ...], insert: bool,
        contextual: bool,
    ) -> Json:
        fields_ref = f"#/$defs/{key}.Element/properties/Fields"
        if insert:
            props: Json = {"Fields": {
                "type": ["object", *_NONE_TYPES],
                "maxLength": 0,
                "properties": {"@Action": {"type": "string", "pattern": ACTION_PATTERN},
                               **{f.field_id: accepted_field(f) for f in fields}},
                "additionalProperties": False,
            }}
        else:
            props = {"Fields": {"$ref": fields_ref}}
        for f in fields:
            props[f"@{f.field_id}"] = {"$ref": f"{fields_ref}/properties/{f.field_id}"}
        conditions: list[Json] = []
        mandatory = _mandatory_clauses(fields)
        if mandatory and insert:
            conditions.append({"if": _own_action(_OTHER), "else": {"allOf": mandatory}})
        elif mandatory:
            conditions.append({"if": _own_action(_INSERT), "then": {"allOf": mandatory}})
        if objects:
            props["Objects"] = True  # checked by the condition below: whose insert it is decides
            here, there = (f"{key}.Objects", f"{key}.Objects{NOT_INSERT}") if insert else (
                f"{key}.Objects{NOT_INSERT}", f"{key}.Objects")
            if not contextual:
                conditions.append({"properties": {"Objects": _one_or_many(f"#/$defs/{here}")}})
            else:
                conditions.append({
                    "if": _own_action(_OTHER if insert else _INSERT),
                    "then": {"properties": {"Objects": _one_or_many(f"#/$defs/{there}")}},
                    "else": {"properties": {"Objects": _one_or_many(f"#/$defs/{here}")}},
                })
        # no "type": an element's keywords apply to objects only, so that a list of elements passes them
        # and is checked item by item (see _one_or_many)
        out: Json = {"properties": props, "additionalProperties": False}
        if conditions:
            out["allOf"] = conditions
        return out


def accepted_schema(
    connector: UpdateConnector, root: str, *, mandatory: bool, title: str, description: str
) -> Json:
    """The standalone JSON Schema (2020-12) of a payload, in the accepted form (see the module);
    ``mandatory``: an insert (POST), whose elements need their mandatory fields unless their
    ``"@Action"`` says otherwise; else an update (PUT), whose elements need them only when their
    ``"@Action"`` is ``insert``."""
    builder = _Accepted()
    builder.add(connector.id, connector.fields, connector.objects)
    contextual = _has_mandatory(connector.fields, connector.objects)
    out: dict[str, Any] = {
        "$schema": DIALECT,
        "title": title,
        "description": description,
        "type": "object",
        "properties": {root: {"$ref": builder.ref(connector.id, mandatory, contextual)}},
        "required": [root],
        "additionalProperties": False,
        "$defs": builder.defs,
    }
    return out


__all__ = ["ACTION_PATTERN", "DIALECT", "NOT_INSERT", "accepted_schema", "documented_schema"]
