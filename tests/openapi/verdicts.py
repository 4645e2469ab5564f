"""Structural verdicts on a payload, from ``afasgov validate`` and from a JSON Schema validator.

A verdict is ``(kind, object_path, field)``: ``kind`` one of :data:`STRUCTURAL` (or ``type`` /
``malformed``, which are kept for precedence only), ``object_path`` the connector and the nested
objects (DESIGN §5), ``field`` the field id or, for ``unknown-object``, ``None``.

``jsonschema`` reports every keyword that fails; ``afasgov validate`` reports one problem per value
(not of the type → not an allowed code → too long, the first that applies). :func:`schema_verdicts`
applies the same precedence per value before comparing (``PRECEDENCE``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import jsonschema

from afasgov.model import EnvironmentSnapshot

Verdict = tuple[str, tuple[str, ...], str | None]

STRUCTURAL = ("unknown-field", "unknown-object", "missing-mandatory", "too-long", "code-not-allowed")
#: afasgov validate's check ids → verdict kinds
VALIDATE_KINDS = {
    "payload-unknown-field": "unknown-field",
    "payload-unknown-object": "unknown-object",
    "payload-missing-mandatory-field": "missing-mandatory",
    "payload-value-too-long": "too-long",
    "payload-code-not-allowed": "code-not-allowed",
    "payload-type-mismatch": "type",
    "payload-value-form": "type",
    "payload-malformed": "malformed",
}
#: one problem per value: a type problem hides the code and length checks, a code problem the length check
PRECEDENCE = ("type", "code-not-allowed", "too-long")


def _location(connector: str, path: Iterable[Any]) -> tuple[tuple[str, ...], str | None, tuple[Any, ...]]:
    """(object path, field, element key) of a JSON location inside a payload; the element key tells
    elements apart (``Element`` list indices included)."""
    segs = list(path)[1:]  # the root element
    objects = [connector]
    element: list[Any] = []
    i = 0
    field = None
    while i < len(segs):
        seg = segs[i]
        element.append(seg)
        if seg == "Objects":
            i += 1
            if i < len(segs) and isinstance(segs[i], int):
                element.append(segs[i])
                i += 1
            if i < len(segs):
                objects.append(str(segs[i]))
                element.append(segs[i])
        elif seg == "Fields":
            if i + 1 < len(segs):
                field = str(segs[i + 1])
            break
        elif isinstance(seg, str) and seg.startswith("@"):
            field = seg[1:]
            element.pop()
            break
        i += 1
    return tuple(objects), field, tuple(element)


def _node(root: dict[str, Any], path: Iterable[Any]) -> list[Any]:
    """The schema nodes along an error's ``absolute_schema_path`` (``$ref`` followed where the path
    continues inside the referenced schema: jsonschema leaves ``$ref`` out of the path)."""
    node: Any = root
    nodes = [node]
    for key in path:
        while isinstance(node, dict) and key not in node and "$ref" in node:
            node = _resolve(root, node["$ref"])
        node = node[key]
        nodes.append(node)
    return nodes


def _resolve(root: dict[str, Any], ref: str) -> Any:
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _mandatory_field(root: dict[str, Any], error: jsonschema.ValidationError) -> str | None:
    """The mandatory field whose check produced ``error`` (``None``: not a mandatory-field check)."""
    path = list(error.absolute_schema_path)
    nodes = _node(root, path)
    for i in range(len(path) - 1, -1, -1):
        if path[i] == "else":
            parent = nodes[i]
            while "if" not in parent and "$ref" in parent:
                parent = _resolve(root, parent["$ref"])
            cond = parent.get("if", {})
            required = cond.get("required", [])
            if len(required) == 1 and str(required[0]).startswith("@"):
                return str(required[0])[1:]
            return None
    return None


def schema_verdicts(schema: dict[str, Any], payload: Any, connector: str) -> set[Verdict]:
    """The verdicts of ``jsonschema`` (Draft 2020-12) on ``payload``, with :data:`PRECEDENCE` applied."""
    validator = jsonschema.Draft202012Validator(schema)
    per_value: dict[tuple[tuple[Any, ...], str | None], set[str]] = {}
    out: set[Verdict] = set()
    for error in validator.iter_errors(payload):
        objects, field, element = _location(connector, error.absolute_path)
        fid = _mandatory_field(schema, error)
        if fid is not None:
            out.add(("missing-mandatory", objects, fid))
            continue
        kind = error.validator
        if kind == "additionalProperties":
            allowed = set(error.schema.get("properties", {}))
            extra = [k for k in error.instance if k not in allowed]
            last = list(error.absolute_path)[-1:] or [None]
            parent = list(error.absolute_path)[-2:-1] or [None]
            for key in extra:
                if last[0] == "Fields":
                    out.add(("unknown-field", objects, key))
                elif last[0] == "Objects" or parent[0] == "Objects":
                    out.add(("unknown-object", (*objects, key), None))
                elif last[0] == "Element" or parent[0] == "Element":
                    out.add(("unknown-field", objects, key[1:]) if key.startswith("@")
                            else ("malformed", objects, key))
                else:
                    out.add(("malformed", objects, key))
            continue
        if kind in ("maxLength", "minimum", "maximum") and "maxLength" in error.schema and field is not None:
            verdict = "too-long"
        elif kind == "enum" and field is not None:
            verdict = "code-not-allowed"
        elif field is not None and kind in ("type", "pattern", "minimum", "maximum"):
            verdict = "type"
        else:
            out.add(("malformed", objects, field))
            continue
        per_value.setdefault((element, field), set()).add(verdict)
    for (element, field), kinds in per_value.items():
        objects = _location(connector, [None, *element])[0]
        first = next(k for k in PRECEDENCE if k in kinds)
        out.add((first, objects, field))
    return out


def validate_verdicts(data: bytes, snapshot: EnvironmentSnapshot, connector: str, action: str
                      ) -> tuple[set[Verdict], list[Any]]:
    """The verdicts of ``afasgov validate`` on a JSON payload, and its findings."""
    from afasgov.validate import validate_bytes

    items = validate_bytes(data, snapshot, source="payload.json", connector=connector, action=action)
    out: set[Verdict] = set()
    for item in items:
        kind = VALIDATE_KINDS.get(item.id)
        if kind is None:
            continue
        objects = tuple(item.location.object_path or (connector,))
        field = item.location.field
        if kind == "unknown-object":
            field = None
        out.add((kind, objects, field))
    return out, items


def structural(verdicts: Iterable[Verdict]) -> set[Verdict]:
    return {v for v in verdicts if v[0] in STRUCTURAL}


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")
