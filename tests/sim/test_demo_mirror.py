"""The demo's UpdateConnectors that claim to mirror a real connector agree with AFAS's published
schemas (../shared/corpus/afas-openapi): field ids, data types, lengths, codes and mandatory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from afasgov.sim.datasets import load_dataset
from tests.afas_openapi import element, expected_type, load_specs

pytestmark = pytest.mark.corpus
CUSTOM = __import__("re").compile(r"^U[0-9A-Fa-f]{32}$")


@pytest.fixture(scope="module")
def schemas(openapi_dir: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for _, data in load_specs(openapi_dir):
        for name, schema in data.get("components", {}).get("schemas", {}).items():
            if name.endswith("_POST"):
                root = next(iter(schema["properties"].values()))
                out.setdefault(name[: -len("_POST")], root)
    return out


def _compare(demo: dict[str, Any], node: dict[str, Any], path: str, problems: list[str]) -> int:
    props, required, objects = element(node)
    checked = 0
    for field in demo["fields"]:
        fid = field["fieldId"]
        if CUSTOM.match(fid):
            continue  # custom fields exist per environment, never in AFAS's schema
        where = f"{path}/Element/Fields/{fid}"
        prop = props.get(fid)
        if prop is None:
            problems.append(f"{where}: not in AFAS's schema")
            continue
        checked += 1
        if field["dataType"] not in expected_type(prop):
            problems.append(f"{where}: dataType {field['dataType']} vs schema {prop.get('type')}/{prop.get('format')}")
        if "maxLength" in prop and prop["maxLength"] != field["length"]:
            problems.append(f"{where}: length {field['length']} vs maxLength {prop['maxLength']}")
        codes = {v["id"] for v in field["values"]} if field["values"] else None
        enum = set(map(str, prop["enum"])) if "enum" in prop else None
        if codes != enum:
            problems.append(f"{where}: codes {sorted(codes or [])} vs enum {sorted(enum or [])}")
        if field["mandatory"] != (fid in required):
            problems.append(f"{where}: mandatory {field['mandatory']} vs required {fid in required}")
    for obj in demo["objects"]:
        sub = objects.get(obj["name"])
        if sub is None:
            problems.append(f"{path}/Element/Objects/{obj['name']}: not in AFAS's schema")
            continue
        checked += _compare(obj, sub, f"{path}/Element/Objects/{obj['name']}", problems)
    return checked


def test_mirrored_update_connectors_agree_with_afas_schemas(schemas: dict[str, dict[str, Any]]) -> None:
    production = load_dataset("demo").environment("production")
    mirrored = [c for c in production.update_connectors.values() if c.get("_mirror")]
    assert len(mirrored) >= 30, "the demo should mirror most of its UpdateConnectors"
    problems: list[str] = []
    total = 0
    for conn in mirrored:
        if conn["name"] not in schemas:
            problems.append(f"{conn['name']}: claims to mirror a connector that is not in the corpus")
            continue
        total += _compare(conn, schemas[conn["name"]], conn["name"], problems)
    assert not problems, "\n".join(problems)
    assert total >= 300


def test_comparison_detects_a_wrong_length(schemas: dict[str, dict[str, Any]]) -> None:
    production = load_dataset("demo").environment("production")
    conn = json.loads(json.dumps(production.update_connectors["KnUser"], default=str))
    conn["fields"][[f["fieldId"] for f in conn["fields"]].index("UsId")]["length"] = 81
    problems: list[str] = []
    _compare(conn, schemas["KnUser"], "KnUser", problems)
    assert problems == ["KnUser/Element/Fields/UsId: length 81 vs maxLength 80"]
