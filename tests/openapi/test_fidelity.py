"""Fidelity: a snapshot built from the metainfo AFAS's published specs were generated from, exported,
gives AFAS's own request schemas back — per UpdateConnector, ``{Name}_POST`` has the same properties at
every depth, the same ``type``, ``maxLength``, ``enum`` (codes and order), ``required`` and shape
(``Element`` an object at the top and a list below, ``Objects`` a list), and its operations sit at
AFAS's paths, in AFAS's modules. Every difference is reported per connector; the differences that
are by design are listed below with their reason and must be the only ones.

The snapshot comes from ``tests/afas_openapi.py`` (the specs read back into metainfo, shared with the
payload-validation tests); the specs are read in place from ``../shared/corpus``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from afasgov import catalogue
from afasgov.openapi import openapi_documents
from afasgov.openapi.document import slug
from tests.afas_openapi import load_specs, snapshot_from_specs

pytestmark = pytest.mark.corpus

#: what AFAS writes that metainfo cannot tell apart, and the export therefore cannot reproduce:
#: (kind of difference, what AFAS writes) → reason.
BY_DESIGN = {
    ("format", "date-time"): "metainfo has one dataType 'date' for dates and times of day; AFAS's generator "
                             "writes format date-time for the latter (from something metainfo does not show)",
    ("format", "duration"): "an int field AFAS writes with format duration (hours and minutes): metainfo says "
                            "int, nothing more",
    ("format", "email"): "formats AFAS derives from the field's control (e-mail, URL, phone number shown as "
                         "'password', GUID): controlType codes are undocumented, so the export writes none",
    ("format", "uri"): "as email",
    ("format", "password"): "as email",
    ("format", "uuid"): "as email",
    ("format", "float"): "AFAS writes a decimal field as number/float with multipleOf 10^-decimals or as "
                         "number/number; the export writes number and the decimals as x-afas-decimals",
    ("format", "number"): "as float",
}


#: the export adds "@Action" to every Fields (AFAS's JSON form of an element's action, which its schemas
#: leave out although its examples use it: nested inserts inside an update)
ACTION = "@Action"


def _walk(ours: dict[str, Any], theirs: dict[str, Any], path: str, top: bool) -> Iterator[tuple[str, str, str]]:
    """(kind, path, detail) for every difference between two connector/object schemas."""
    for schema, who in ((ours, "ours"), (theirs, "AFAS")):
        if schema.get("type") != "object" or "Element" not in schema.get("properties", {}):
            yield "shape", path, f"{who}: no Element"
            return
    el_o, el_t = ours["properties"]["Element"], theirs["properties"]["Element"]
    want = "object" if top else "array"
    if el_o.get("type") != el_t.get("type") or el_t.get("type") != want:
        yield "shape", f"{path}/Element", f"type {el_o.get('type')} vs AFAS {el_t.get('type')}"
        return
    if not top:
        el_o, el_t = el_o["items"], el_t["items"]
    props_o, props_t = el_o["properties"], el_t["properties"]
    extra = sorted(set(props_o) - set(props_t) - {"Fields", "Objects"})
    if extra:
        yield "element-properties", f"{path}/Element", f"ours only: {extra}"
    f_o, f_t = props_o.get("Fields", {}), props_t.get("Fields", {})
    fp_o, fp_t = f_o.get("properties", {}), f_t.get("properties", {})
    if list(fp_o) != [*fp_t, ACTION]:
        yield "fields", f"{path}/Element/Fields", f"ours {list(fp_o)} vs AFAS {list(fp_t)}"
    if sorted(f_o.get("required", [])) != sorted(f_t.get("required", [])):
        yield "required", f"{path}/Element/Fields", f"{f_o.get('required', [])} vs AFAS {f_t.get('required', [])}"
    for fid in fp_t.keys() & fp_o.keys():
        a, b = fp_o[fid], fp_t[fid]
        where = f"{path}/Element/Fields/{fid}"
        if a.get("type") != b.get("type"):
            yield "type", where, f"{a.get('type')} vs AFAS {b.get('type')}"
        if a.get("maxLength") != b.get("maxLength"):
            yield "maxLength", where, f"{a.get('maxLength')} vs AFAS {b.get('maxLength')}"
        if a.get("enum") != b.get("enum"):
            yield "enum", where, f"{a.get('enum')} vs AFAS {b.get('enum')}"
        if a.get("description") != b.get("description"):
            yield "description", where, f"{a.get('description')!r} vs AFAS {b.get('description')!r}"
        if (a.get("format") or "") != (b.get("format") or ""):
            yield "format", where, str(b.get("format") or "")
    o_o, o_t = props_o.get("Objects"), props_t.get("Objects")
    if (o_o is None) != (o_t is None):
        yield "objects", f"{path}/Element/Objects", f"ours {o_o is not None} vs AFAS {o_t is not None}"
        return
    if o_o is None or o_t is None:
        return
    if o_o.get("type") != "array" or o_t.get("type") != "array":
        yield "shape", f"{path}/Element/Objects", f"type {o_o.get('type')} vs AFAS {o_t.get('type')}"
        return
    objs_o, objs_t = o_o["items"]["properties"], o_t["items"]["properties"]
    if list(objs_o) != list(objs_t):
        yield "objects", f"{path}/Element/Objects", f"ours {list(objs_o)} vs AFAS {list(objs_t)}"
    for name in objs_o.keys() & objs_t.keys():
        yield from _walk(objs_o[name], objs_t[name], f"{path}/Element/Objects/{name}", top=False)


@pytest.fixture(scope="module")
def afas(openapi_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    return load_specs(openapi_dir)


@pytest.fixture(scope="module")
def exported(openapi_dir: Path) -> dict[str, Any]:
    return openapi_documents(snapshot_from_specs(openapi_dir), split="none")["openapi"]


def _afas_schemas(specs: list[tuple[Path, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for _, spec in specs:
        for name, schema in spec["components"]["schemas"].items():
            out.setdefault(name, schema)
    return out


def differences(exported: dict[str, Any], afas_schemas: dict[str, dict[str, Any]], method: str
                ) -> dict[str, list[tuple[str, str, str]]]:
    """Per connector, every difference between our and AFAS's ``{Name}_{method}`` schema."""
    ours = exported["components"]["schemas"]
    out: dict[str, list[tuple[str, str, str]]] = {}
    for name in sorted(afas_schemas):
        cid, _, m = name.rpartition("_")
        if m != method:
            continue
        if name not in ours:
            out[cid] = [("missing", cid, f"no {name} in the export")]
            continue
        (root_o, node_o), = ours[name]["properties"].items()
        (root_t, node_t), = afas_schemas[name]["properties"].items()
        found = [] if root_o == root_t else [("root", cid, f"{root_o} vs AFAS {root_t}")]
        found += list(_walk(node_o, node_t, cid, top=True))
        if found:
            out[cid] = found
    return out


def _unexplained(found: dict[str, list[tuple[str, str, str]]], explained: set[str]
                 ) -> tuple[list[str], Counter[str]]:
    bad: list[str] = []
    reasons: Counter[str] = Counter()
    for cid, diffs in found.items():
        for kind, where, detail in diffs:
            if kind in explained:
                reasons[kind] += 1
            elif kind == "format" and (kind, detail) in BY_DESIGN:
                reasons[f"format {detail}"] += 1
            else:
                bad.append(f"{cid}: {kind} at {where}: {detail}")
    return bad, reasons


def test_post_schemas_are_afas_schemas(exported: dict[str, Any], afas: list[tuple[Path, dict[str, Any]]]) -> None:
    schemas = _afas_schemas(afas)
    found = differences(exported, schemas, "POST")
    bad, reasons = _unexplained(found, set())
    checked = sum(1 for n in schemas if n.endswith("_POST"))
    assert checked >= 150
    assert not bad, f"{len(bad)} unexplained differences in {checked} POST schemas:\n" + "\n".join(bad[:80])
    # the reasons above are real (each happens) and no others are needed
    assert {k.split(" ", 1)[1] for k in reasons} <= {d for _, d in BY_DESIGN}


def test_put_schemas_are_afas_schemas_without_required(
    exported: dict[str, Any], afas: list[tuple[Path, dict[str, Any]]]
) -> None:
    """PUT: the same properties, types, lengths and codes. ``required`` differs by design: metainfo's
    ``mandatory`` is about inserts and ``afasgov validate`` checks it for inserts only, so the export's
    ``{Name}_PUT`` requires nothing, while AFAS's PUT schemas require a varying choice of fields (none,
    the POST's, or key fields) that metainfo does not give."""
    schemas = _afas_schemas(afas)
    found = differences(exported, schemas, "PUT")
    bad, reasons = _unexplained(found, {"required"})
    assert not bad, "\n".join(bad[:80])
    assert reasons["required"] > 0


def test_operations_at_afas_paths_in_afas_modules(
    exported: dict[str, Any], afas: list[tuple[Path, dict[str, Any]]], openapi_dir: Path
) -> None:
    """Every UpdateConnector path and method of AFAS's specs is in the export, in the file of the
    same module (``--split module``), with AFAS's operationId."""
    per_module = openapi_documents(snapshot_from_specs(openapi_dir), split="module")
    problems: list[str] = []
    checked = 0
    known = set(snapshot_from_specs(openapi_dir).update_connectors)
    for path, spec in afas:
        module = slug(spec["info"]["title"].removeprefix("AFAS ").removesuffix(" API"))
        doc = per_module.get(module)
        for url, item in spec["paths"].items():
            segs = url.strip("/").split("/")
            if segs[0] != "connectors" or len(segs) < 2 or segs[1] not in known:
                continue
            for method, op in item.items():
                if method == "parameters":
                    continue
                checked += 1
                for where, d in (("--split none", exported), (f"{module}.json", doc)):
                    mine = (d or {}).get("paths", {}).get(url, {}).get(method)
                    if mine is None:
                        problems.append(f"{path.name}: {method.upper()} {url}: not in {where}")
                    elif mine["operationId"] != op["operationId"]:
                        problems.append(f"{path.name}: {method.upper()} {url}: operationId {mine['operationId']} "
                                        f"vs AFAS {op['operationId']}")
    assert checked >= 400
    assert not problems, "\n".join(problems[:50])


def test_the_comparison_sees_a_difference(exported: dict[str, Any], afas: list[tuple[Path, dict[str, Any]]]) -> None:
    """The comparison is not blind: a changed maxLength, a dropped code and a dropped required field
    are each reported at their path."""
    doc = json.loads(json.dumps(exported))
    fields = doc["components"]["schemas"]["KnCourseEvent_POST"]["properties"]["KnCourseEvent"]["properties"][
        "Element"]["properties"]["Fields"]
    fields["properties"]["CrDs"]["maxLength"] += 1
    fields["required"] = []
    schemas = {k: v for k, v in _afas_schemas(afas).items() if k == "KnCourseEvent_POST"}
    found = differences(doc, schemas, "POST")
    kinds = {(kind, where) for kind, where, _ in found["KnCourseEvent"]}
    assert ("maxLength", "KnCourseEvent/Element/Fields/CrDs") in kinds
    assert ("required", "KnCourseEvent/Element/Fields") in kinds
    assert catalogue.update_connector("KnCourseEvent") is not None
