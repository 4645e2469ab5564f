"""Contract tests: every response shape validates against AFAS's published OpenAPI (Inrichting.json)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from afasgov.sim.app import sim_state
from afasgov.sim.testing import credential_of, fetch_access_token

from .conftest import BASES, auth

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def spec(openapi_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((openapi_dir / "Inrichting.json").read_text(encoding="utf-8"))
    return data


def _schema(spec: dict[str, Any], path: str, status: str = "200") -> dict[str, Any]:
    response = spec["paths"][path]["get"]["responses"][status]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


_VALIDATORS: dict[int, Any] = {}


def validate(instance: Any, schema: dict[str, Any]) -> None:
    """jsonschema validation with one compiled validator per schema (OpenAPI 3.0 ~ JSON Schema draft 4)."""
    validator = _VALIDATORS.get(id(schema))
    if validator is None:
        jsonschema.Draft4Validator.check_schema(schema)
        validator = _VALIDATORS[id(schema)] = jsonschema.Draft4Validator(schema)
    validator.validate(instance)


def _strict(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with ``required`` = all properties and no extra properties (shape, not just types)."""
    if schema.get("type") == "object" and "properties" in schema:
        return {**schema, "required": list(schema["properties"]), "additionalProperties": False,
                "properties": {k: _strict(v) for k, v in schema["properties"].items()}}
    if schema.get("type") == "array" and "items" in schema:
        return {**schema, "items": _strict(schema["items"])}
    return schema


def _caller(client: httpx.Client, dataset: Any, env: str, app: str) -> dict[str, str]:
    """The Authorization header of any demo App Connector (classic token, or a Bearer token)."""
    cred = credential_of(dataset, env, app)
    if cred.auth_type == "classic":
        return {"Authorization": cred.authorization()}
    return {"Authorization": "Bearer " + fetch_access_token(client, BASES[env], cred)}


def test_metainfo_validates(client: httpx.Client, spec: dict[str, Any], demo_app: Any) -> None:
    schema = _strict(_schema(spec, "/MetaInfo"))
    dataset = sim_state(demo_app).dataset
    seen = 0
    for env, base in BASES.items():
        for app in dataset.environment(env).app_connectors:  # every caller's scope, OAuth ones included
            headers = _caller(client, dataset, env, app)
            for lang in ("nl-nl", "en-us"):
                validate(client.get(f"{base}/MetaInfo", headers=headers | {"Accept-Language": lang}).json(), schema)
                seen += 1
    assert seen == 3 * 4 * 2


def test_every_connector_metainfo_validates(client: httpx.Client, spec: dict[str, Any], demo_app: Any) -> None:
    schema = _schema(spec, "/Metainfo/{Type}/{Endpoint}")
    strict = _strict(schema)
    strict_update = {**strict, "properties": {**strict["properties"], "fields": schema["properties"]["fields"],
                                              "objects": {"type": "array"}}}
    get_field = _strict(schema["properties"]["fields"]["items"])
    count = 0
    for env_name, base in BASES.items():
        env = sim_state(demo_app).dataset.environment(env_name)
        for kind, ids in (("get", list(env.get_connectors)), ("update", list(env.update_connectors))):
            for cid in ids:
                body = client.get(f"{base}/Metainfo/{kind}/{cid}", headers=auth(env_name)).json()
                validate(body, strict if kind == "get" else strict_update)
                if kind == "get":
                    for field in body["fields"]:
                        validate(field, get_field)
                count += 1
    assert count > 190


def test_profit_version_validates(client: httpx.Client, spec: dict[str, Any]) -> None:
    schema = _strict(_schema(spec, "/ProfitVersion"))
    for env, base in BASES.items():
        validate(client.get(f"{base}/ProfitVersion", headers=auth(env)).json(), schema)


def test_connector_rows_validate(client: httpx.Client, spec: dict[str, Any], demo_app: Any) -> None:
    schema = _schema(spec, "/connectors/{Endpoint}")
    count = 0
    for env_name, base in BASES.items():
        env = sim_state(demo_app).dataset.environment(env_name)
        for cid, gc in env.get_connectors.items():
            if gc.blocked:
                continue
            body = client.get(f"{base}/connectors/{cid}?skip=0&take=25", headers=auth(env_name)).json()
            validate(body, schema)
            assert all(set(row) == {f["id"] for f in gc.fields} for row in body["rows"])
            count += 1
    assert count > 60


def test_profit_get_connectoren_validates(client: httpx.Client, spec: dict[str, Any]) -> None:
    schema = _strict(_schema(spec, "/connectors/ProfitGetConnectoren"))
    body = client.get(f"{BASES['production']}/connectors/ProfitGetConnectoren?skip=-1&take=-1", headers=auth()).json()
    validate(body, schema)
    assert any(r["Geblokkeerd"] for r in body["rows"])


@pytest.mark.parametrize("lang", ["nl-nl", "en-us"])
def test_error_bodies_validate(client: httpx.Client, spec: dict[str, Any], make_client: Any, lang: str) -> None:
    err500 = _strict(_schema(spec, "/MetaInfo", "500"))
    prod = BASES["production"]
    plain = base64.b64decode(auth()["Authorization"].split()[1]).decode()
    every_500 = [  # each kind of 500 the simulator gives (afas-api.md "Errors and limits")
        (f"{prod}/metainfo/update/KnUser", auth("production", "hr-export")),  # unauthorised connector
        (f"{prod}/metainfo/update/KnNope", auth()),  # unknown connector
        (f"{prod}/connectors/Lindeboom_Oud_Export", auth()),  # blocked
        (f"{prod}/connectors/T4E_HelloID_Users?skip=-2", auth()),  # bad skip/take
        (f"{prod}/connectors/T4E_HelloID_Users?filterfieldids=Nope&filtervalues=1&operatortypes=1", auth()),
        (f"{prod}/metainfo", {"Authorization": f"AfasToken {plain}"}),  # plain-text classic token
    ]
    for url, headers in every_500:
        r = client.get(url, headers=headers | {"Accept-Language": lang})
        assert r.status_code == 500, url
        validate(r.json(), err500)
    faulty = make_client(fail_rate=1.0, fault_kinds=("500",))
    validate(faulty.get(f"{prod}/metainfo", headers=auth()).json(), err500)  # injected
    err503 = _strict(_schema(spec, "/MetaInfo", "503"))
    c = make_client()
    sim_state(c.app).set_maintenance("production")
    validate(c.get(f"{prod}/metainfo", headers=auth()).json(), err503)
    injected = make_client(fail_rate=1.0, fault_kinds=("503",))
    validate(injected.get(f"{prod}/metainfo", headers=auth()).json(), err503)
