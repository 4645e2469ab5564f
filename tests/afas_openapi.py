"""Read AFAS's published OpenAPI specs (``../shared/corpus/afas-openapi``) in tests, in place.

AFAS generates each UpdateConnector's request schema from its metainfo (see the corpus README):
``Element/Fields/*`` are the fields (``maxLength`` = ``length``, ``enum`` + ``"code = meaning;"``
description lines = ``values``, ``required`` = ``mandatory``), ``Element/Objects/*`` the nested
objects. :func:`snapshot_from_specs` turns that back into an :class:`EnvironmentSnapshot`: the
snapshot of an environment on the specs' Profit version, for validating AFAS's own request examples
(:func:`request_examples`) against the metainfo they were documented with.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afasgov.model import CodeValue, EnvironmentSnapshot, UpdateConnector, UpdateField, UpdateObject

TYPES = {"string": {"string", "blob"}, "integer": {"int"}, "number": {"decimal"}, "boolean": {"boolean"}}
_CODE_LINE = re.compile(r"^(?P<code>[^=\n]+?) = (?P<text>.*?);?$")


def unwrap(node: dict[str, Any]) -> dict[str, Any]:
    """``{"type": "array", "items": X}`` → ``X`` (any depth)."""
    while isinstance(node, dict) and node.get("type") == "array":
        node = node["items"]
    return node


def element(node: dict[str, Any]) -> tuple[dict[str, Any], set[str], dict[str, Any]]:
    """(field properties, required field ids, nested object schemas) of a connector/object schema."""
    el = unwrap(unwrap(node)["properties"]["Element"])["properties"]
    fields = el.get("Fields", {})
    objects = unwrap(el.get("Objects", {})).get("properties", {})
    return fields.get("properties", {}), set(fields.get("required", [])), objects


def expected_type(prop: dict[str, Any]) -> set[str]:
    """The metainfo dataTypes a schema property can stand for."""
    if prop.get("format") in ("date", "date-time"):
        return {"date"}
    if prop.get("format") == "byte":
        return {"blob"}
    return TYPES.get(prop.get("type", ""), set())


def _data_type(prop: dict[str, Any]) -> str:
    types = expected_type(prop)
    return "string" if not types or types == {"string", "blob"} else next(iter(types))


def _codes(prop: dict[str, Any]) -> tuple[CodeValue, ...] | None:
    if "enum" not in prop:
        return None
    texts = {}
    for line in str(prop.get("description", "")).splitlines()[1:]:
        m = _CODE_LINE.match(line.strip())
        if m:
            texts.setdefault(m.group("code"), m.group("text"))
    return tuple(CodeValue(str(c), texts.get(str(c), "")) for c in prop["enum"]) or None


def _fields(node: dict[str, Any]) -> tuple[tuple[UpdateField, ...], tuple[UpdateObject, ...]]:
    props, required, objects = element(node)
    fields = tuple(
        UpdateField(
            field_id=fid,
            label=str(p.get("description", "")).split("\n", 1)[0],
            data_type=_data_type(p),
            length=int(p.get("maxLength", 0)),
            mandatory=fid in required,
            values=_codes(p),
        )
        for fid, p in props.items()
    )
    objs = []
    for name, sub in objects.items():
        f, o = _fields(sub)
        objs.append(UpdateObject(name, f, o))
    return fields, tuple(objs)


def connector_from_schema(name: str, schema: dict[str, Any]) -> UpdateConnector:
    """The UpdateConnector a ``{Name}_POST``/``{Name}_PUT`` schema was generated from."""
    root = next(iter(schema["properties"].values()))
    fields, objects = _fields(root)
    return UpdateConnector(name, name, fields, objects)


def load_specs(openapi_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    return [(p, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(Path(openapi_dir).glob("*.json"))]


@functools.cache
def _snapshot(openapi_dir: Path) -> EnvironmentSnapshot:
    schemas: dict[str, dict[str, Any]] = {}
    for _, spec in load_specs(openapi_dir):
        for sname, schema in spec.get("components", {}).get("schemas", {}).items():
            cid, _, method = sname.rpartition("_")
            if method == "POST" or (method == "PUT" and cid not in schemas):
                schemas[cid] = schema  # the POST schema carries metainfo's "mandatory" as "required"
    version = {spec["info"]["version"] for _, spec in load_specs(openapi_dir)}
    return EnvironmentSnapshot(
        name="afas-openapi",
        profit_version=", ".join(sorted(version)),
        update_connectors={cid: connector_from_schema(cid, s) for cid, s in sorted(schemas.items())},
    )


def snapshot_from_specs(openapi_dir: Path) -> EnvironmentSnapshot:
    """One environment with every UpdateConnector the specs document (built once per directory)."""
    return _snapshot(Path(openapi_dir).resolve())


@dataclass(frozen=True)
class Example:
    """One ``requestBody`` example of a spec."""

    spec: str
    url: str
    method: str  # POST | PUT
    name: str
    value: Any

    @property
    def connector(self) -> str:
        """The connector the example is documented for (the URL's)."""
        return self.url.strip("/").split("/")[1]

    @property
    def action(self) -> str:
        return "insert" if self.method == "POST" else "update"

    @property
    def key(self) -> str:
        return f"{self.spec} {self.method} {self.url} '{self.name}'"

    @property
    def short(self) -> str:
        """``<module> <METHOD> <path after /connectors/> '<example name>'``."""
        return f"{self.spec.removesuffix('.json')} {self.method} {self.url.removeprefix('/connectors/')} '{self.name}'"

    def payload(self) -> bytes:
        return json.dumps(self.value, ensure_ascii=False).encode("utf-8")


def request_examples(openapi_dir: Path) -> list[Example]:
    """Every request example of an UpdateConnector endpoint (``/connectors/…``), in spec order."""
    out = []
    for path, spec in load_specs(openapi_dir):
        for url, item in spec["paths"].items():
            if not url.startswith("/connectors/"):
                continue
            for method, op in item.items():
                if method == "parameters" or "requestBody" not in op:
                    continue
                examples = op["requestBody"].get("content", {}).get("application/json", {}).get("examples", {})
                for name, ex in examples.items():
                    out.append(Example(path.name, url, method.upper(), name, ex.get("value")))
    return out


#: custom fields ("vrije velden"): ``U`` + 32 hex digits, and the older ``U`` + 3 digits of the free
#: tables (KnCustomK01 …); AFAS creates them per environment (help.afas.nl "Custom fields
#: (UpdateConnector)"), so the specs, generated for no environment in particular, have none.
CUSTOM_FIELD = re.compile(r"^U([0-9A-Fa-f]{32}|\d{3})$")


def with_environment_fields(snapshot: EnvironmentSnapshot, examples: list[Example]) -> EnvironmentSnapshot:
    """``snapshot`` plus the custom fields AFAS's examples use (and nested objects holding nothing but
    custom fields), where they use them: the examples were written on AFAS's own environment, whose
    custom fields the specs leave out by construction. Nothing else is added."""
    from afasgov import catalogue
    from afasgov.validate.payload import PayloadElement, parse_payload

    added: dict[tuple[str, ...], dict[str, None]] = {}
    new_objects: set[tuple[str, ...]] = set()

    def only_custom(el: PayloadElement) -> bool:
        return all(CUSTOM_FIELD.match(v.name) for v in el.values) and all(only_custom(o) for o in el.objects)

    def walk(el: PayloadElement, path: tuple[str, ...], node: tuple[Any, Any] | None) -> None:
        fields = {f.field_id for f in node[0]} if node else set()
        for v in el.values:
            if CUSTOM_FIELD.match(v.name) and v.name not in fields:
                added.setdefault(path, {})[v.name] = None
        objects = {o.name: o for o in node[1]} if node else {}
        for sub in el.objects:
            name = sub.object_path[-1]
            obj = objects.get(name)
            if obj is None and not only_custom(sub):
                continue
            if obj is None:
                new_objects.add((*path, name))
            walk(sub, (*path, name), (obj.fields, obj.objects) if obj else None)

    for ex in examples:
        payload = parse_payload(ex.payload(), ex.key)
        cid = catalogue.connector_for_root(payload.connector) or payload.connector
        conn = snapshot.update_connectors.get(cid)
        if conn is None:
            continue
        for el in payload.elements:
            walk(el, (cid,), (conn.fields, conn.objects))

    def extend(path: tuple[str, ...], fields: tuple[UpdateField, ...], objects: tuple[UpdateObject, ...]
               ) -> tuple[tuple[UpdateField, ...], tuple[UpdateObject, ...]]:
        fields = fields + tuple(UpdateField(fid, "custom field", "string") for fid in added.get(path, {}))
        names = {o.name for o in objects}
        extra = tuple(UpdateObject(p[-1]) for p in sorted(new_objects) if p[:-1] == path and p[-1] not in names)
        out = []
        for o in objects + extra:
            f, sub = extend((*path, o.name), o.fields, o.objects)
            out.append(UpdateObject(o.name, f, sub))
        return fields, tuple(out)

    connectors = {}
    for cid, conn in snapshot.update_connectors.items():
        f, o = extend((cid,), conn.fields, conn.objects)
        connectors[cid] = UpdateConnector(cid, conn.description, f, o)
    return EnvironmentSnapshot(name=snapshot.name, profit_version=snapshot.profit_version,
                               update_connectors=connectors)
