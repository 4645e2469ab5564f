"""OpenAPI 3.1 documents of one environment's snapshot, following AFAS's own specifications.

Per document (one per module, or one for everything):

* ``servers``: the environment's documented base URL (``https://{tenant}.rest….afas.online/
  ProfitRestServices``), and the URL the snapshot was taken from when that differs;
* ``/MetaInfo``, ``/Metainfo/{Type}/{Endpoint}`` and ``/ProfitVersion`` (AFAS puts them in every
  spec; the path spelling is AFAS's);
* per UpdateConnector: ``/connectors/{Name}`` with ``post`` and/or ``put`` as the connector
  catalogue says AFAS offers them (request schemas ``{Name}_POST`` / ``{Name}_PUT``), the DELETE path
  ``/connectors/{Name}/{Root}/@K1,@K2/{K1},{K2}`` where the catalogue gives one, and
  ``/connectors/{Name}/{Object}`` for nested objects AFAS lets you POST on their own. A connector
  the catalogue does not know (a custom connector, or one newer than AFAS's specs) gets POST and PUT
  and its own name as root element, and says so;
* per GetConnector: ``GET /connectors/{Id}`` with ``skip``, ``take``, ``orderbyfieldids``,
  ``filterfieldids``, ``filtervalues``, ``operatortypes`` and the ``{Id}_GET`` response schema of its
  ``rows``;
* security schemes ``AfasToken`` (the classic token) and ``OAuth2`` (client credentials), the
  responses AFAS documents for errors, and ``Accept-Language``.

Everything is ordered (connectors by id, fields in AFAS's order) and nothing volatile (no time, no
tool version) is written, so the same snapshot always gives the same document.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from afasgov import catalogue as afas_catalogue
from afasgov.catalogue import Catalogue, Module
from afasgov.config.hosts import HOST_LABELS, base_url_for
from afasgov.errors import UsageError
from afasgov.model import (
    AppConnectorScope,
    EnvironmentSnapshot,
    GetConnector,
    GetField,
    UpdateConnector,
)
from afasgov.openapi.fields import Json
from afasgov.openapi.payload import documented_schema

OPENAPI_VERSION = "3.1.0"
#: the file (stem) of connectors the catalogue does not place in a module.
CUSTOM = "custom"
LANGUAGES = ["en-us", "nl-nl", "nl-be", "fr-fr", "de-de"]
OPERATORS = {
    1: "= (is equal to)", 2: ">= (is greater than or equal to)", 3: "<= (is less than or equal to)",
    4: "> (is greater than)", 5: "< (is less than)", 6: "contains", 7: "!= (is not equal to)", 8: "is empty",
    9: "is not empty", 10: "starts with", 11: "does not contain", 12: "does not start with", 13: "ends with",
    14: "does not end with", 15: "quick filter",
}
#: metainfo dataType → JSON type of a GetConnector row value (every value may be null).
ROW_TYPE = {"string": "string", "int": "integer", "decimal": "number", "boolean": "boolean",
            "date": "string", "blob": "string"}


def slug(name: str) -> str:
    """A module's file name: ``Financiële Inrichting`` → ``financiele-inrichting``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "module"


@dataclass
class Scope:
    """What one export covers: the connectors (all of the snapshot's, or one App Connector's)."""

    updates: list[UpdateConnector]
    gets: list[GetConnector]
    app_connector: AppConnectorScope | None = None
    #: authorised connectors the snapshot has no metainfo for (said in the description).
    missing: list[str] = field(default_factory=list)


def scope_of(snapshot: EnvironmentSnapshot, app_connector: str | None) -> Scope:
    """Every connector of ``snapshot``, or those App Connector ``app_connector`` is authorised for."""
    if app_connector is None:
        return Scope([snapshot.update_connectors[k] for k in sorted(snapshot.update_connectors)],
                     [snapshot.get_connectors[k] for k in sorted(snapshot.get_connectors)])
    app = snapshot.app_connectors.get(app_connector)
    if app is None:
        known = ", ".join(sorted(snapshot.app_connectors)) or "none"
        raise UsageError(f"--app-connector {app_connector!r}: no such App Connector in the snapshot of "
                         f"{snapshot.name or 'the environment'} (known: {known})")
    missing = sorted({i for i in app.update_ids if i not in snapshot.update_connectors}
                     | {i for i in app.get_ids if i not in snapshot.get_connectors})
    return Scope([snapshot.update_connectors[k] for k in sorted(app.update_ids) if k in snapshot.update_connectors],
                 [snapshot.get_connectors[k] for k in sorted(app.get_ids) if k in snapshot.get_connectors],
                 app, missing)


# -------------------------------------------------------------------------------------- components
def _empty_response(text: str) -> Json:
    return {"description": text}


def error_responses() -> Json:
    """The error responses of AFAS's REST API (``docs/client.md``)."""
    return {
        "400": _empty_response("Bad request"),
        "401": _empty_response("Missing or invalid token (empty body)"),
        "403": _empty_response("Refused by the App Connector's IP restriction (empty body)"),
        "404": _empty_response("Unknown URL, or a query string over 2,049 characters (empty body)"),
        "413": _empty_response("Request too large (empty body)"),
        "500": {
            "description": "Refused by Profit: a validation error, bad skip/take, an unknown filter field, a "
                           "blocked or unauthorised connector, out of memory or a timeout",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProfitError"}}},
        },
        "503": {
            "description": "Maintenance: retry after the number of seconds given",
            "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Maintenance"}}},
        },
    }


def _error_schemas() -> Json:
    return {
        "ProfitError": {
            "type": "object",
            "properties": {
                "externalMessage": {"type": "string", "description": "What Profit says is wrong"},
                "errorNumber": {"type": "integer"},
                "profitLogReference": {"type": "string", "description": "Quote this to AFAS support"},
            },
        },
        "Maintenance": {
            "type": "object",
            "properties": {
                "error": {"type": "object",
                          "properties": {"code": {"type": "string"}, "message": {"type": "string"}}},
                "retry_after": {"type": "integer", "description": "Seconds to wait"},
            },
        },
    }


def security_schemes(token_url: str | None) -> Json:
    """``AfasToken`` (classic token) and ``OAuth2`` (client credentials at ``{base}/oauth/token``)."""
    oauth: Json = {
        "type": "oauth2",
        "description": "OAuth client credentials of the App Connector (client_secret_post, client_secret_basic "
                       "or private_key_jwt); send the access token as 'Authorization: Bearer <token>'",
        "flows": {"clientCredentials": {"tokenUrl": token_url or "oauth/token", "scopes": {}}},
    }
    return {
        "AfasToken": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "The App Connector's classic token: 'AfasToken ' followed by the token XML in "
                           "base64",
        },
        "OAuth2": oauth,
    }


def _security(app: AppConnectorScope | None) -> list[Json]:
    if app is not None and app.auth_type:
        return [{"AfasToken": []}] if app.auth_type == "classic" else [{"OAuth2": []}]
    return [{"AfasToken": []}, {"OAuth2": []}]


def servers(snapshot: EnvironmentSnapshot) -> list[Json]:
    """The environment's documented base URL, and the URL the snapshot was taken from when it differs."""
    out: list[Json] = []
    label = snapshot.name if snapshot.type in ("", snapshot.name) else f"{snapshot.name} ({snapshot.type})"
    documented = None
    if snapshot.tenant and snapshot.type in HOST_LABELS:
        try:
            documented = base_url_for(snapshot.tenant, snapshot.type)
        except ValueError:
            documented = None
    if documented:
        out.append({"url": documented, "description": label})
    taken = snapshot.meta.base_url.rstrip("/")
    if taken and taken != documented:
        out.append({"url": taken, "description": f"{label}: the URL the snapshot was taken from"})
    if not out:
        host = HOST_LABELS.get(snapshot.type, "rest")
        out.append({
            "url": f"https://{{id}}.{host}.afas.online/ProfitRestServices",
            "description": label or "AFAS Profit",
            "variables": {"id": {"default": snapshot.tenant or "12345",
                                 "description": "the environment number"}},
        })
    return out


def _parameters() -> Json:
    return {
        "Accept-Language": {
            "name": "Accept-Language",
            "in": "header",
            "required": False,
            "description": "Language of labels and messages",
            "schema": {"type": "string", "enum": LANGUAGES},
        },
    }


# -------------------------------------------------------------------------------------------- paths
def _refs(*codes: str) -> Json:
    return {code: {"$ref": f"#/components/responses/{code}"} for code in codes}


_LANG = {"$ref": "#/components/parameters/Accept-Language"}


def _info_paths() -> Json:
    def op(op_id: str, summary: str, schema: Json, params: list[Json] | None = None) -> Json:
        out: Json = {
            "tags": ["API Info"],
            "summary": summary,
            "operationId": op_id,
            "parameters": [*(params or []), _LANG],
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
                          **_refs("400", "401", "403", "404", "500", "503")},
        }
        return out

    ref_list = {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "description": {"type": "string"}}}}
    metainfo = {"type": "object", "properties": {
        "updateConnectors": ref_list,
        "getConnectors": ref_list,
        "info": {"type": "object", "properties": {k: {"type": "string"} for k in
                                                  ("envid", "appName", "group", "tokenExpiry")}},
    }}
    field_props: Json = {k: {"type": t} for k, t in (
        ("id", "string"), ("fieldId", "string"), ("dataType", "string"), ("label", "string"),
        ("length", "integer"), ("controlType", "integer"), ("decimals", "integer"),
        ("decimalsFieldId", "string"), ("decimalFieldId", "string"), ("mandatory", "boolean"),
        ("primaryKey", "boolean"), ("notzero", "boolean"))}
    field_props["values"] = {"type": ["array", "null"], "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "description": {"type": "string"}}}}
    connector_meta = {"type": "object", "properties": {
        "name": {"type": "string"}, "description": {"type": "string"},
        "fields": {"type": "array", "items": {"type": "object", "properties": field_props}},
        "objects": {"type": "array", "items": {"type": "object"}},
    }}
    return {
        "/MetaInfo": {"get": op("get_MetaInfo", "The App Connector's connectors and environment", metainfo)},
        "/Metainfo/{Type}/{Endpoint}": {"get": op(
            "get_MetaInfoPerConnector", "The metainfo (fields and their properties) of one connector",
            connector_meta,
            [{"name": "Type", "in": "path", "required": True, "description": "Kind of connector",
              "schema": {"type": "string", "enum": ["get", "update"]}},
             {"name": "Endpoint", "in": "path", "required": True, "description": "The connector's id",
              "schema": {"type": "string"}}],
        )},
        "/ProfitVersion": {"get": op("get_ProfitVersion", "The environment's Profit version",
                                     {"type": "object", "properties": {"version": {"type": "string"}}})},
    }


def _get_parameters() -> list[Json]:
    operators = "\n".join(f"* `{k}` {v}" for k, v in OPERATORS.items())
    codes = "(1[0-5]|[1-9])"
    return [
        {"name": "skip", "in": "query", "required": False, "description": "Rows to skip (paging; starts at 0)",
         "schema": {"type": "integer", "minimum": -1}},
        {"name": "take", "in": "query", "required": False,
         "description": "Rows to return (default 100; keep columns × rows under 150,000)",
         "schema": {"type": "integer", "minimum": -1}},
        {"name": "orderbyfieldids", "in": "query", "required": False,
         "description": "Fields to sort by, comma-separated ('-Field' sorts descending); needed for stable paging",
         "schema": {"type": "string"}},
        {"name": "filterfieldids", "in": "query", "required": False,
         "description": "Fields to filter on (',' = AND, ';' = OR)", "schema": {"type": "string"}},
        {"name": "filtervalues", "in": "query", "required": False,
         "description": "Values to filter on, in the order of filterfieldids", "schema": {"type": "string"}},
        {"name": "operatortypes", "in": "query", "required": False,
         "description": "Operator per filter, in the order of filterfieldids:\n" + operators,
         "schema": {"type": "string", "pattern": f"^{codes}([,;]{codes})*$"}},
        _LANG,
    ]


def row_schema(connector: GetConnector) -> Json:
    """``{Id}_GET``: ``skip``, ``take`` and the ``rows`` with one property per output field."""

    def prop(f: GetField) -> Json:
        out: Json = {"type": [ROW_TYPE.get(f.data_type, "string"), "null"]}
        if f.data_type == "date":
            out["format"] = "date-time"
        out["description"] = f.label or f.id
        return out

    return {
        "type": "object",
        "properties": {
            "skip": {"type": "integer"},
            "take": {"type": "integer"},
            "rows": {"type": "array", "items": {"type": "object",
                                                 "properties": {f.id: prop(f) for f in connector.fields}}},
        },
    }


@dataclass
class _Doc:
    """One document being built."""

    paths: dict[str, Json] = field(default_factory=dict)
    schemas: dict[str, Json] = field(default_factory=dict)
    tags: dict[str, None] = field(default_factory=dict)


def _add_update(doc: _Doc, c: UpdateConnector, cat: Catalogue) -> None:
    info = cat.update_connector(c.id)
    root = info.root if info else c.id
    operations = info.operations if info else ("POST", "PUT")
    tag = c.description or c.id
    doc.tags[tag] = None
    note = "" if info else (
        "\n\nAFAS's connector catalogue does not know this connector (a custom connector, or one newer than "
        "AFAS's published specifications): POST and PUT are listed, and its id is taken as the payload's root "
        "element.")
    description = f"UpdateConnector {c.id}" + (f" (payload root element {root})" if root != c.id else "") + note
    cache: dict[int, Json] = {}
    item: Json = {}
    for method in ("POST", "PUT"):
        if method not in operations:
            continue
        name = f"{c.id}_{method}"
        doc.schemas[name] = documented_schema(c, root, mandatory=method == "POST", cache=cache)
        item[method.lower()] = {
            "tags": [tag],
            "summary": c.description or c.id,
            "description": description,
            "operationId": f"{method}_{c.id}",
            "parameters": [_LANG],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}},
            "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"results": {"type": "object"}}}}}},
                **_refs("401", "403", "413", "500", "503")},
        }
    if item:
        doc.paths[f"/connectors/{c.id}"] = doc.paths.get(f"/connectors/{c.id}", {}) | item
    if info is None:
        return
    if "POST" in operations:
        objects = {o.name for o in c.objects}
        for sub in info.subrecords:
            if sub not in objects:
                continue
            doc.paths[f"/connectors/{c.id}/{sub}"] = {"post": {
                "tags": [tag],
                "summary": c.description or c.id,
                "description": f"Insert {sub} records under an existing {c.id} record",
                "operationId": f"POSTSubRecord{c.id}{sub}",
                "parameters": [_LANG],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{c.id}_POST"}}}},
                "responses": {"201": {"description": "Created"}, **_refs("401", "403", "413", "500", "503")},
            }}
    if "DELETE" in operations and info.delete_keys:
        keys = info.delete_keys
        labels = {f.field_id: f.label for f in c.fields}
        url = (f"/connectors/{c.id}/{root}/" + ",".join(f"@{k}" for k in keys) + "/"
               + ",".join(f"{{{k}}}" for k in keys))
        doc.paths[url] = {
            "parameters": [{"name": k, "in": "path", "required": True, "description": labels.get(k) or k,
                            "schema": {"type": "string"}} for k in keys],
            "delete": {
                "tags": [tag],
                "summary": c.description or c.id,
                "description": f"Delete a {c.id} record by its key field(s) {', '.join(keys)}",
                "operationId": f"DELETE_{c.id}",
                "parameters": [_LANG],
                "responses": {"200": {"description": "Deleted"},
                              **_refs("400", "401", "403", "404", "413", "500", "503")},
            },
        }


def _add_get(doc: _Doc, g: GetConnector) -> None:
    name = f"{g.id}_GET"
    doc.schemas[name] = row_schema(g)
    doc.tags["GET"] = None
    url = f"/connectors/{g.id}"
    blocked = "\n\nBlocked in this environment: Profit answers 500." if g.blocked else ""
    doc.paths[url] = doc.paths.get(url, {}) | {"get": {
        "tags": ["GET"],
        "summary": g.description or g.id,
        "description": f"GetConnector {g.id}{blocked}",
        "operationId": f"Get_{g.id}",
        "parameters": _get_parameters(),
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
            "$ref": f"#/components/schemas/{name}"}}}}, **_refs("400", "401", "403", "404", "413", "500", "503")},
    }}


def _token_url(server_list: list[Json]) -> str | None:
    for s in server_list:
        if "variables" not in s:
            return str(s["url"]) + "/oauth/token"
    return None


def _document(
    snapshot: EnvironmentSnapshot, scope: Scope, title: str, doc: _Doc, subject: str
) -> Json:
    server_list = servers(snapshot)
    lines = [f"{subject} of environment {snapshot.name or '?'}"
             + (f" ({snapshot.envid})" if snapshot.envid else "")
             + (f" on Profit {snapshot.profit_version}" if snapshot.profit_version else "")
             + ", generated by afasgov from its snapshot"
             + (f"; labels in {snapshot.language}" if snapshot.language else "") + "."]
    if scope.app_connector is not None:
        app = scope.app_connector
        lines.append(f"Only what App Connector {app.name}" + (f" ({app.app_name})" if app.app_name else "")
                     + " is authorised for.")
    if scope.missing:
        lines.append("Authorised, but without metainfo in the snapshot: " + ", ".join(scope.missing) + ".")
    info: Json = {"title": title, "version": snapshot.profit_version or "unknown",
                  "description": "\n\n".join(lines)}
    tags = [{"name": "API Info"}] + [{"name": t} for t in doc.tags]
    components: Json = {
        "schemas": {**doc.schemas, **_error_schemas()},
        "responses": error_responses(),
        "parameters": _parameters(),
        "securitySchemes": security_schemes(_token_url(server_list)),
    }
    return {
        "openapi": OPENAPI_VERSION,
        "info": info,
        "servers": server_list,
        "security": _security(scope.app_connector),
        "tags": tags,
        "paths": {**_info_paths(), **doc.paths},
        "components": components,
    }


def _modules_of(name: str, cat: Catalogue, kind: str) -> tuple[Module, ...]:
    info = cat.update_connector(name) if kind == "update" else cat.get_connector(name)
    return info.modules if info is not None else ()


def openapi_documents(
    snapshot: EnvironmentSnapshot,
    *,
    app_connector: str | None = None,
    split: str = "module",
    cat: Catalogue | None = None,
) -> dict[str, Json]:
    """The OpenAPI documents of ``snapshot``, by file stem: one per module (``split="module"``; the
    connectors the catalogue does not place in ``custom``) or one named ``openapi`` (``split="none"``)."""
    if split not in ("module", "none"):
        raise UsageError(f"--split must be module or none, not {split!r}")
    cat = cat or afas_catalogue.load()
    scope = scope_of(snapshot, app_connector)
    env = snapshot.name or "environment"
    suffix = f" (App Connector {scope.app_connector.name})" if scope.app_connector else ""
    if split == "none":
        doc = _Doc()
        for c in scope.updates:
            _add_update(doc, c, cat)
        for g in scope.gets:
            _add_get(doc, g)
        return {"openapi": _document(snapshot, scope, f"AFAS Profit API: {env}{suffix}", doc,
                                     "The AFAS Profit REST API")}
    docs: dict[str, tuple[str, _Doc]] = {}

    def targets(mods: Iterable[Module]) -> list[_Doc]:
        out = []
        for m in mods or ():
            out.append(docs.setdefault(slug(m.name), (m.name, _Doc()))[1])
        if not out:
            out.append(docs.setdefault(CUSTOM, ("", _Doc()))[1])
        return out

    for c in scope.updates:
        for d in targets(_modules_of(c.id, cat, "update")):
            _add_update(d, c, cat)
    for g in scope.gets:
        for d in targets(_modules_of(g.id, cat, "get")):
            _add_get(d, g)
    if not docs:  # nothing in scope: the API's own endpoints only
        return {"openapi": _document(snapshot, scope, f"AFAS Profit API: {env}{suffix}", _Doc(),
                                     "The AFAS Profit REST API")}
    out: dict[str, Json] = {}
    for stem in sorted(docs):
        module, doc = docs[stem]
        if module:
            title, subject = f"AFAS {module} API: {env}{suffix}", f"The AFAS {module} API"
        else:
            title = f"AFAS Profit custom connectors: {env}{suffix}"
            subject = "The connectors AFAS's specifications do not document (custom, or newer than the specs)"
        out[stem] = _document(snapshot, scope, title, doc, subject)
    return out


__all__ = ["CUSTOM", "OPENAPI_VERSION", "Scope", "openapi_documents", "row_schema", "scope_of", "servers", "slug"]
