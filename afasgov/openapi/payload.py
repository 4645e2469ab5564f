"""An UpdateConnector's request payload as a schema, in the two forms the export writes.

**Documented** (:func:`documented_schema`, the OpenAPI documents' ``{Name}_POST`` / ``{Name}_PUT``):
the shape AFAS's own specs give every payload, property for property::

    {"<Root>": {"Element": {"Fields": {…}, "Objects": [{"<Object>": {"Element": [{"Fields": …}]}}]}}}

``<Root>`` is the payload root element from the connector catalogue (``FiEntries`` →
``FiEntryPar``); ``Fields`` lists the fields in AFAS's order with ``required`` = the mandatory
fields (POST only: metainfo's ``mandatory`` is about inserts); ``Objects`` holds every nested object,
at any depth. Added to AFAS's form: the ``@<Key>`` attributes of primary-key fields on ``Element``
(AFAS's examples send keys that way), and ``additionalProperties: false`` wherever metainfo lists
every allowed name, so that a misspelt field is an error in any tool.

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
    fields_schema: Json = {"type": "object", "properties": {f.field_id: prop(f) for f in fields}}
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
def _one_or_many(ref: str) -> Json:
    """A value that is one object (checked by ``ref``) or a list of such objects."""
    return {"type": ["object", "array"], "$ref": ref, "items": {"type": "object", "$ref": ref}}


def _accepted_defs(
    key: str,
    fields: tuple[UpdateField, ...],
    objects: tuple[UpdateObject, ...],
    mandatory: bool,
    defs: Json,
) -> None:
    """Add ``key`` (the ``{"Element": …}`` wrapper), ``key.Element`` and, with nested objects,
    ``key.Objects`` to ``defs``, then the same for every nested object."""
    element_key = f"{key}.Element"
    field_ref = f"#/$defs/{element_key}/properties/Fields/properties/"
    defs[key] = {
        "type": "object",
        "properties": {"Element": _one_or_many(f"#/$defs/{element_key}")},
        "required": ["Element"],
        "additionalProperties": False,
    }
    props: Json = {"Fields": {"type": "object", "properties": {f.field_id: accepted_field(f) for f in fields},
                              "additionalProperties": False}}
    if objects:
        props["Objects"] = _one_or_many(f"#/$defs/{key}.Objects")
    for f in fields:
        props[f"@{f.field_id}"] = {"$ref": field_ref + f.field_id}
    # the element's own keywords apply to objects only: a list of elements passes them untouched and
    # is checked item by item (see _one_or_many)
    element: Json = {"properties": props, "additionalProperties": False}
    required = _required(fields, mandatory)
    if required:
        element["allOf"] = [
            {
                "if": {"required": [f"@{fid}"], "properties": {f"@{fid}": GIVEN}},
                "else": {"required": ["Fields"], "properties": {"Fields": {"required": [fid],
                                                                           "properties": {fid: GIVEN}}}},
            }
            for fid in required
        ]
    defs[element_key] = element
    if objects:
        defs[f"{key}.Objects"] = {
            "properties": {o.name: {"$ref": f"#/$defs/{key}.{o.name}"} for o in objects},
            "additionalProperties": False,
        }
        for o in objects:
            _accepted_defs(f"{key}.{o.name}", o.fields, o.objects, mandatory, defs)


def accepted_schema(
    connector: UpdateConnector, root: str, *, mandatory: bool, title: str, description: str
) -> Json:
    """The standalone JSON Schema (2020-12) of a payload, in the accepted form (see the module)."""
    defs: Json = {}
    _accepted_defs(connector.id, connector.fields, connector.objects, mandatory, defs)
    out: dict[str, Any] = {
        "$schema": DIALECT,
        "title": title,
        "description": description,
        "type": "object",
        "properties": {root: {"$ref": f"#/$defs/{connector.id}"}},
        "required": [root],
        "additionalProperties": False,
        "$defs": defs,
    }
    return out


__all__ = ["DIALECT", "accepted_schema", "documented_schema"]
