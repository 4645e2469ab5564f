"""``afasgov openapi``: the demo's export is valid OpenAPI 3.1 and JSON Schema 2020-12, deterministic,
scoped, split by module; the command writes, replaces and refuses as documented."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource

from afasgov.cli import main
from afasgov.model import EnvironmentSnapshot
from afasgov.openapi import export_files, openapi_documents, payload_schemas
from afasgov.snapshot import read_tree, write_tree
from tests.conftest import REPO
from tests.snapshot.model_strategies import snapshots

DEMO = REPO / "definitions"
ENVIRONMENTS = ("production", "test", "accept")


@pytest.fixture(scope="module")
def demo() -> dict[str, EnvironmentSnapshot]:
    return {env: read_tree(DEMO / env) for env in ENVIRONMENTS}


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _check_json_schema(schema: dict[str, Any]) -> None:
    """Valid 2020-12, and every ``$ref`` resolves."""
    jsonschema.Draft202012Validator.check_schema(schema)
    resolver = Registry().with_resource("urn:payload", Resource.from_contents(schema)).resolver("urn:payload")
    for ref in _refs(schema):
        resolver.lookup(ref)


# ------------------------------------------------------------------------------------------- validity
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_demo_export_is_valid_openapi(demo: dict[str, EnvironmentSnapshot], env: str) -> None:
    docs = openapi_documents(demo[env], split="none")
    assert list(docs) == ["openapi"]
    validate_openapi(docs["openapi"])
    doc = docs["openapi"]
    assert doc["openapi"] == "3.1.0"
    snap = demo[env]
    paths = doc["paths"]
    for cid in snap.update_connectors:
        assert f"/connectors/{cid}" in paths, cid
    for gid in snap.get_connectors:
        assert "get" in paths[f"/connectors/{gid}"], gid
    assert {"/MetaInfo", "/Metainfo/{Type}/{Endpoint}", "/ProfitVersion"} <= set(paths)
    assert doc["info"]["version"] == snap.profit_version
    host = {"production": "rest", "test": "resttest", "accept": "restaccept"}[snap.type]
    assert doc["servers"][0]["url"] == f"https://{snap.tenant}.{host}.afas.online/ProfitRestServices"
    assert set(doc["components"]["securitySchemes"]) == {"AfasToken", "OAuth2"}


def test_the_validator_sees_a_broken_document(demo: dict[str, EnvironmentSnapshot]) -> None:
    """The validation above is not vacuous: a wrong type deep in a request schema is refused."""
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    doc = openapi_documents(demo["production"], split="none")["openapi"]
    fields = doc["components"]["schemas"]["KnSubject_POST"]["properties"]["KnSubject"]["properties"]["Element"][
        "properties"]["Fields"]["properties"]
    next(iter(fields.values()))["type"] = "text"
    with pytest.raises(OpenAPIValidationError):
        validate_openapi(doc)


def test_demo_export_per_module_is_valid_and_covers_everything(demo: dict[str, EnvironmentSnapshot]) -> None:
    snap = demo["production"]
    per_module = openapi_documents(snap, split="module")
    whole = openapi_documents(snap, split="none")["openapi"]
    for doc in per_module.values():
        validate_openapi(doc)
    union: dict[str, set[str]] = {}
    for doc in per_module.values():
        for url, item in doc["paths"].items():
            union.setdefault(url, set()).update(k for k in item if k != "parameters")
    assert union == {url: {k for k in item if k != "parameters"} for url, item in whole["paths"].items()}
    # AFAS's modules: KnSubject in "Dossiers en bijlagen en workflows"; the tenant's own GetConnectors
    # (and connectors AFAS's specs do not document) in custom
    assert "/connectors/KnSubject" in per_module["dossiers-en-bijlagen-en-workflows"]["paths"]
    assert "/connectors/Lindeboom_CRM_Relaties" in per_module["custom"]["paths"]
    assert "/connectors/KnSubject" not in per_module["custom"]["paths"]


def test_demo_payload_schemas_are_valid_json_schema(demo: dict[str, EnvironmentSnapshot]) -> None:
    """Every payload schema of production (the other environments' differ in content, not in form)."""
    snap = demo["production"]
    schemas = payload_schemas(snap)
    for cid in snap.update_connectors:
        assert f"{cid}_POST" in schemas or f"{cid}_PUT" in schemas, cid
    for schema in schemas.values():
        _check_json_schema(schema)


def test_custom_fields_and_codes_of_the_tenant(demo: dict[str, EnvironmentSnapshot]) -> None:
    """What AFAS's generic specs cannot show: the tenant's custom fields, with their labels and codes."""
    snap = demo["production"]
    conn = snap.update_connectors["KnEmployee"]
    custom = [f for _, f in conn.walk() if f.is_custom]
    assert custom
    doc = openapi_documents(snap, split="none")["openapi"]
    text = json.dumps(doc["components"]["schemas"]["KnEmployee_POST"])
    for f in custom:
        assert json.dumps(f.field_id) in text
    coded = next(f for _, f in conn.walk() if f.values)
    prop = _find_property(doc["components"]["schemas"]["KnEmployee_POST"], coded.field_id)
    assert prop["enum"] == [c.id for c in coded.values] or prop["enum"] == [int(c.id) for c in coded.values]
    assert prop["description"].splitlines()[1:] == [f"{c.id} = {c.description};" for c in coded.values]


def _find_property(node: Any, name: str) -> dict[str, Any]:
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict) and name in props and props[name].get("description"):
            return props[name]  # type: ignore[no-any-return]
        for v in node.values():
            found = _find_property(v, name)
            if found:
                return found
    if isinstance(node, list):
        for v in node:
            found = _find_property(v, name)
            if found:
                return found
    return {}


def test_getconnector_operation(demo: dict[str, EnvironmentSnapshot]) -> None:
    snap = demo["production"]
    gid = "Lindeboom_CRM_Relaties"
    doc = openapi_documents(snap, split="none")["openapi"]
    op = doc["paths"][f"/connectors/{gid}"]["get"]
    names = [p.get("name") for p in op["parameters"] if "name" in p]
    assert names == ["skip", "take", "orderbyfieldids", "filterfieldids", "filtervalues", "operatortypes"]
    rows = doc["components"]["schemas"][f"{gid}_GET"]["properties"]["rows"]["items"]["properties"]
    assert list(rows) == [f.id for f in snap.get_connectors[gid].fields]


def test_app_connector_scope(demo: dict[str, EnvironmentSnapshot]) -> None:
    snap = demo["production"]
    for name, app in snap.app_connectors.items():
        doc = openapi_documents(snap, app_connector=name, split="none")["openapi"]
        validate_openapi(doc)
        connectors = {url.split("/")[2] for url in doc["paths"] if url.startswith("/connectors/")}
        assert connectors == (app.get_ids | app.update_ids) & (set(snap.get_connectors) | set(snap.update_connectors))
        assert doc["security"] == ([{"AfasToken": []}] if app.auth_type == "classic" else [{"OAuth2": []}])
        assert name in doc["info"]["title"]


# ---------------------------------------------------------------------------------------- determinism
def _shuffled(snap: EnvironmentSnapshot, seed: int) -> EnvironmentSnapshot:
    rnd = random.Random(seed)

    def shuffle(d: dict[str, Any]) -> dict[str, Any]:
        items = list(d.items())
        rnd.shuffle(items)
        return dict(items)

    return dataclasses.replace(snap, update_connectors=shuffle(snap.update_connectors),
                               get_connectors=shuffle(snap.get_connectors),
                               app_connectors=shuffle(snap.app_connectors))


@pytest.mark.parametrize("options", [{"split": "module", "fmt": "json"}, {"split": "none", "fmt": "yaml"},
                                     {"schemas_only": True, "fmt": "json"}])
def test_same_snapshot_same_bytes(demo: dict[str, EnvironmentSnapshot], tmp_path: Path,
                                  options: dict[str, Any]) -> None:
    snap = demo["accept"]
    first = export_files(snap, **options)
    assert export_files(snap, **options) == first
    assert export_files(_shuffled(snap, 1), **options) == first
    # through the tree: written and read back (another taken_at, same metainfo) gives the same bytes
    write_tree(dataclasses.replace(snap, meta=dataclasses.replace(snap.meta, taken_at="2030-01-01T00:00:00Z")),
               tmp_path)
    assert export_files(read_tree(tmp_path / snap.name), **options) == first


def test_yaml_and_json_carry_the_same_documents(demo: dict[str, EnvironmentSnapshot]) -> None:
    snap = demo["production"]
    as_json = dict(export_files(snap, fmt="json"))
    as_yaml = dict(export_files(snap, fmt="yaml"))
    assert [n.removesuffix(".json") for n in as_json] == [n.removesuffix(".yaml") for n in as_yaml]
    for name, data in as_json.items():
        assert yaml.safe_load(as_yaml[name.removesuffix(".json") + ".yaml"]) == json.loads(data)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snap=snapshots())
def test_any_snapshot_gives_valid_deterministic_documents(snap: EnvironmentSnapshot) -> None:
    """Hostile names and texts (any field id, YAML-looking labels, control characters, huge lengths):
    the documents stay valid, YAML reads back as the JSON, and order does not matter."""
    docs = openapi_documents(snap, split="none")
    validate_openapi(docs["openapi"])
    for schema in payload_schemas(snap).values():
        _check_json_schema(schema)
    for options in ({"fmt": "json"}, {"fmt": "yaml", "split": "none"}, {"fmt": "yaml", "schemas_only": True}):
        files = export_files(snap, **options)  # type: ignore[arg-type]
        assert export_files(_shuffled(snap, 7), **options) == files  # type: ignore[arg-type]
    json_files = dict(export_files(snap, split="none", fmt="json", schemas_only=True))
    for name, data in export_files(snap, split="none", fmt="yaml", schemas_only=True):
        assert yaml.safe_load(data) == json.loads(json_files[name.removesuffix(".yaml") + ".json"])


# -------------------------------------------------------------------------------------------- command
def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_command_writes_and_replaces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "spec"
    code, stdout, _ = _run(["openapi", str(DEMO / "production"), "--out", str(out)], capsys)
    assert code == 0
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert "custom.json" in written and len(written) > 5
    assert f"to {out}" in stdout
    (out / "NOTES.md").write_text("mine", encoding="utf-8")
    code, stdout, _ = _run(["openapi", str(DEMO / "production"), "--out", str(out), "--app-connector",
                            "hr-export"], capsys)
    assert code == 0
    # what the last export wrote and this one does not is removed; other files stay
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["NOTES.md", "custom.json"]
    assert "removed" in stdout
    code, _, _ = _run(["openapi", str(DEMO / "production"), "--out", str(out), "--schemas-only",
                       "--format", "yaml"], capsys)
    assert code == 0
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert "KnSubject_POST.schema.yaml" in names and "custom.json" not in names and "NOTES.md" in names


def test_command_default_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, _ = _run(["openapi", str(DEMO / "production"), "--split", "none"], capsys)
    assert code == 0
    assert (tmp_path / "dist" / "openapi" / "production" / "openapi.json").is_file()


@pytest.mark.parametrize(("args", "message"), [
    (["--schemas-only", "--split", "none"], "--split applies to OpenAPI documents"),
    (["--app-connector", "nobody"], "no such App Connector"),
])
def test_command_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                              message: str) -> None:
    code, _, err = _run(["openapi", str(DEMO / "production"), "--out", str(tmp_path / "o"), *args], capsys)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_command_bad_environment_and_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["openapi", str(tmp_path / "nothing")], capsys)
    assert code == 2 and "does not exist" in err and len(err.strip().splitlines()) == 1
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = _run(["openapi", str(DEMO / "production"), "--out", str(blocker)], capsys)
    assert code == 2 and "file" in err and "Traceback" not in err


def test_export_from_a_git_revision_equals_the_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """``ENV`` may be ``GITREF:PATH``: the committed snapshot gives the same bytes as the checked-out one."""
    import subprocess

    changed = subprocess.run(["git", "status", "--porcelain", "--", "definitions/production"], cwd=REPO,
                             capture_output=True, text=True, check=False)
    if changed.returncode != 0 or changed.stdout.strip():
        pytest.skip("not a git checkout, or definitions/production has uncommitted changes")
    monkeypatch.chdir(REPO)
    code, _, _ = _run(["openapi", "HEAD:definitions/production", "--split", "none", "--out", str(tmp_path / "git")],
                      capsys)
    assert code == 0
    code, _, _ = _run(["openapi", "definitions/production", "--split", "none", "--out", str(tmp_path / "dir")],
                      capsys)
    assert code == 0
    assert (tmp_path / "git" / "openapi.json").read_bytes() == (tmp_path / "dir" / "openapi.json").read_bytes()
