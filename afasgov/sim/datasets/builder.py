"""Build a :class:`~afasgov.sim.model.Dataset` from the readable YAML of a dataset directory.

A dataset directory (``afasgov/sim/datasets/demo/``) holds:

* ``organisation.yaml`` — tenant, story, the environments (release, Profit version, OAuth methods);
* ``codes.yaml`` — code lists (``values``) referenced from field lines as ``@Name``;
* ``update/*.yaml`` — UpdateConnectors of production: ``Id: {description, mirror, fields, objects}``;
* ``get/*.yaml`` — GetConnectors of production: ``Id: {description, rows, blocked, fields}``;
* ``app-connectors.yaml`` — the App Connectors of production and their scopes;
* ``changes/<environment>.yaml`` — how another environment differs from production (change list).

Field lines use the notation of :mod:`afasgov.sim.datasets.fieldspec`. The change operations are
documented in ``docs/simulator.md`` and implemented by :func:`apply_changes`.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from afasgov import yamlsafe
from afasgov.sim import credentials as cred
from afasgov.sim.datasets.fieldspec import SpecError, parse_get_field, parse_update_element, parse_update_field
from afasgov.sim.model import (
    JSON,
    OAUTH_METHODS,
    AppConnectorDef,
    Dataset,
    EnvironmentDef,
    GetConnectorDef,
    Label,
    OAuthClient,
)


def _spec_error(message: str, source: str) -> Exception:
    return SpecError(f"{source}: {message}")


def _load_yaml(path: Path, *, required: bool = False) -> Any:
    """A YAML mapping (``{}`` for a missing optional file); errors name the file."""
    if not path.exists():
        if required:
            raise SpecError(f"{path}: missing")
        return {}
    data = yamlsafe.load_file(path, error=_spec_error)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SpecError(f"{path}: expected a mapping at the top, got {type(data).__name__}")
    return data


def _label(value: Any) -> Label:
    if isinstance(value, Label):
        return value
    if isinstance(value, str):
        return Label.parse(value)
    raise SpecError(f"expected a label string ('Dutch | English'), got {value!r}")


def build_update_connector(cid: str, spec: Mapping[str, Any], codes: Mapping[str, Any]) -> JSON:
    element = parse_update_element(spec, codes, cid)
    return {"name": cid, "description": _label(spec.get("description", cid)),
            "fields": element["fields"], "objects": element["objects"],
            "_mirror": spec.get("mirror")}


def build_get_connector(cid: str, spec: Mapping[str, Any]) -> GetConnectorDef:
    lines = spec.get("fields") or []
    fields = [parse_get_field(line, i + 1) for i, line in enumerate(lines)]
    from afasgov.sim.rows import known_generator

    for f in fields:
        if not known_generator(f["_gen"]):
            raise SpecError(f"{cid}/{f['id']}: unknown row generator ~{f['_gen']}")
    ids = [f["id"] for f in fields]
    if len(set(ids)) != len(ids):
        raise SpecError(f"{cid}: duplicate output field ids")
    return GetConnectorDef(id=cid, description=_label(spec.get("description", cid)), fields=fields,
                           rows=int(spec.get("rows", 120)), blocked=bool(spec.get("blocked", False)))


# ------------------------------------------------------------------------------------------ changes
def _element(conns: Mapping[str, JSON], at: str) -> JSON:
    parts = at.split("/")
    try:
        node = conns[parts[0]]
    except KeyError:
        raise SpecError(f"change at {at!r}: no UpdateConnector {parts[0]!r}") from None
    for name in parts[1:]:
        for obj in node["objects"]:
            if obj["name"] == name:
                node = obj
                break
        else:
            raise SpecError(f"change at {at!r}: no nested object {name!r}")
    return node


def _field_index(fields: list[JSON], key: str, fid: str, where: str) -> int:
    for i, f in enumerate(fields):
        if f[key] == fid:
            return i
    raise SpecError(f"change at {where!r}: no field {fid!r}")


def _insert(fields: list[JSON], new: JSON, after: str | None, key: str, where: str) -> None:
    if any(f[key] == new[key] for f in fields):
        raise SpecError(f"change at {where!r}: field {new[key]!r} exists already")
    if after is None:
        fields.append(new)
    else:
        fields.insert(_field_index(fields, key, after, where) + 1, new)


def _change_field(f: JSON, op: Mapping[str, Any], codes: Mapping[str, Any]) -> None:
    for key, afas_key in (("mandatory", "mandatory"), ("length", "length"), ("decimals", "decimals"),
                          ("type", "dataType"), ("primary_key", "primaryKey"), ("notzero", "notzero")):
        if key in op:
            f[afas_key] = op[key]
    if "label" in op:
        f["label"] = _label(op["label"])
    if "codes" in op:
        f["values"] = None if op["codes"] is None else [
            {"id": str(k), "description": str(v)} for k, v in codes[op["codes"]].items()]


def apply_update_changes(conns: dict[str, JSON], ops: list[Mapping[str, Any]], codes: Mapping[str, Any]
                         ) -> None:
    """Apply the ``update:`` change list of an environment to (a deep copy of) its UpdateConnectors."""
    for entry in ops:
        (kind, op), = entry.items()
        if kind == "add_connector":
            conns[op["id"]] = build_update_connector(op["id"], op, codes)
        elif kind == "remove_connector":
            conns.pop(op, None) if isinstance(op, str) else conns.pop(op["id"], None)
        elif kind == "add_field":
            node = _element(conns, op["at"])
            _insert(node["fields"], parse_update_field(op["field"], codes), op.get("after"), "fieldId", op["at"])
        elif kind == "remove_field":
            node = _element(conns, op["at"])
            del node["fields"][_field_index(node["fields"], "fieldId", op["id"], op["at"])]
        elif kind == "change_field":
            node = _element(conns, op["at"])
            _change_field(node["fields"][_field_index(node["fields"], "fieldId", op["id"], op["at"])], op, codes)
        elif kind in ("add_codes", "remove_codes"):
            node = _element(conns, op["at"])
            f = node["fields"][_field_index(node["fields"], "fieldId", op["id"], op["at"])]
            values = list(f["values"] or [])
            if kind == "add_codes":
                values += [{"id": str(k), "description": str(v)} for k, v in op["codes"].items()]
            else:
                drop = {str(c) for c in op["codes"]}
                values = [v for v in values if v["id"] not in drop]
            f["values"] = values or None
        elif kind == "add_object":
            node = _element(conns, op["at"])
            element = parse_update_element(op, codes, f"{op['at']}/{op['name']}")
            node["objects"].append({"name": op["name"], **element})
        elif kind == "remove_object":
            node = _element(conns, op["at"])
            node["objects"] = [o for o in node["objects"] if o["name"] != op["name"]]
        else:
            raise SpecError(f"unknown UpdateConnector change {kind!r}")


def apply_get_changes(conns: dict[str, GetConnectorDef], ops: list[Mapping[str, Any]]) -> None:
    """Apply the ``get:`` change list of an environment to (a deep copy of) its GetConnectors."""
    for entry in ops:
        (kind, op), = entry.items()
        if kind == "add_connector":
            conns[op["id"]] = build_get_connector(op["id"], op)
            continue
        if kind == "remove_connector":
            conns.pop(op if isinstance(op, str) else op["id"], None)
            continue
        if kind in ("block", "unblock"):
            conns[op].blocked = kind == "block"
            continue
        try:
            gc = conns[op["connector"]]
        except KeyError:
            raise SpecError(f"change {kind}: no GetConnector {op.get('connector')!r}") from None
        if kind == "add_field":
            used = {f["fieldId"] for f in gc.fields}
            n = len(gc.fields) + 1
            while f"U{n:03d}" in used:
                n += 1
            _insert(gc.fields, parse_get_field(op["field"], n), op.get("after"), "id", gc.id)
        elif kind == "remove_field":
            del gc.fields[_field_index(gc.fields, "id", op["id"], gc.id)]
        elif kind == "rename_field":
            gc.fields[_field_index(gc.fields, "id", op["from"], gc.id)]["id"] = op["to"]
        elif kind == "change_field":
            f = gc.fields[_field_index(gc.fields, "id", op["id"], gc.id)]
            for key, afas_key in (("length", "length"), ("decimals", "decimals"), ("type", "dataType")):
                if key in op:
                    f[afas_key] = op[key]
            if "label" in op:
                f["label"] = _label(op["label"])
        else:
            raise SpecError(f"unknown GetConnector change {kind!r}")


# ----------------------------------------------------------------------------------- app connectors
def build_app_connector(family: str, slug: str, name: str, spec: Mapping[str, Any],
                        env_methods: tuple[str, ...], all_get: list[str], all_update: list[str]
                        ) -> AppConnectorDef:
    auth = spec.get("auth", "classic")
    if auth not in ("classic", "oauth", "hybrid"):
        raise SpecError(f"app connector {name}: auth must be classic, oauth or hybrid, got {auth!r}")
    classic = cred.classic_token_data(family, slug, name) if auth in ("classic", "hybrid") else None
    oauth = None
    if auth in ("oauth", "hybrid"):
        method = spec.get("oauth_method", "client_secret_post")
        if method not in OAUTH_METHODS:
            raise SpecError(f"app connector {name}: unknown oauth_method {method!r}")
        if method == "private_key_jwt":
            oauth = OAuthClient(client_id=cred.client_id(family, slug, name), methods=("private_key_jwt",),
                                public_key_pem=cred.ec_public_key_pem(family, slug, name), alg="ES256",
                                kid=spec.get("kid"), secret_expires=spec.get("secret_expires"))
        else:
            oauth = OAuthClient(client_id=cred.client_id(family, slug, name),
                                methods=("client_secret_post", "client_secret_basic"),
                                secret=cred.client_secret(family, slug, name),
                                secret_expires=spec.get("secret_expires"))
        if method not in env_methods:
            raise SpecError(f"app connector {name}: {method} is not supported in environment {slug}")
    get_ids = all_get if spec.get("get") == "*" else list(spec.get("get") or [])
    update_ids = all_update if spec.get("update") == "*" else list(spec.get("update") or [])
    try:
        ips = tuple(ipaddress.ip_network(n, strict=False) for n in spec.get("allowed_ips") or [])
    except ValueError as exc:
        raise SpecError(f"app connector {name}: bad allowed_ips: {exc}") from None
    return AppConnectorDef(
        name=name, app_name=str(spec.get("app_name", name)), group=str(spec.get("group", "")),
        token_expiry=str(spec.get("token_expiry", "0")), classic_token=classic, oauth=oauth,
        allowed_ips=ips, get_ids=tuple(get_ids), update_ids=tuple(update_ids),
        story=str(spec.get("story", "")).strip(),
        preferred_method=str(spec.get("oauth_method", "client_secret_post")) if oauth else None)


# ------------------------------------------------------------------------------------------ dataset
PROFIT_GET_CONNECTOREN = "ProfitGetConnectoren"


def profit_get_connectoren() -> GetConnectorDef:
    """AFAS's standard GetConnector that lists the GetConnectors of an environment."""
    return build_get_connector(PROFIT_GET_CONNECTOREN, {
        "description": "GetConnectoren | GetConnectors",
        "fields": ["Naam string(255) Naam | Name", "Omschrijving string(255) Omschrijving | Description",
                   "Geblokkeerd boolean Geblokkeerd | Blocked"]})


def build_from_directory(directory: Path, *, family: str, seed: int = 0) -> Dataset:
    """Read a dataset directory (see the module docstring) into a :class:`Dataset`."""
    org = _load_yaml(directory / "organisation.yaml", required=True)
    codes = _load_yaml(directory / "codes.yaml") or {}
    base_update: dict[str, JSON] = {}
    for path in sorted((directory / "update").glob("*.yaml")):
        for cid, spec in (_load_yaml(path) or {}).items():
            if cid in base_update:
                raise SpecError(f"{path}: UpdateConnector {cid} defined twice")
            try:
                base_update[cid] = build_update_connector(cid, spec, codes)
            except SpecError as exc:
                raise SpecError(f"{path}: {exc}") from None
    base_get: dict[str, GetConnectorDef] = {}
    for path in sorted((directory / "get").glob("*.yaml")):
        for cid, spec in (_load_yaml(path) or {}).items():
            if cid in base_get:
                raise SpecError(f"{path}: GetConnector {cid} defined twice")
            try:
                base_get[cid] = build_get_connector(cid, spec)
            except SpecError as exc:
                raise SpecError(f"{path}: {exc}") from None
    base_apps: dict[str, Any] = _load_yaml(directory / "app-connectors.yaml") or {}
    try:
        tenant = str(org["tenant"])
        env_specs = dict(org["environments"])
    except (KeyError, TypeError, ValueError):
        raise SpecError(f"{directory / 'organisation.yaml'}: needs 'tenant' and 'environments'") from None
    environments: dict[str, EnvironmentDef] = {}
    for env_name, env_spec in env_specs.items():
        env_type = env_spec.get("type", env_name)
        slug = f"{tenant}-{env_type}"
        update = copy.deepcopy(base_update)
        get = copy.deepcopy(base_get)
        get.setdefault(PROFIT_GET_CONNECTOREN, profit_get_connectoren())
        apps_spec = copy.deepcopy(base_apps)
        changes_file = directory / "changes" / f"{env_name}.yaml"
        if changes_file.exists():
            changes = _load_yaml(changes_file) or {}
            try:
                apply_update_changes(update, changes.get("update") or [], codes)
                apply_get_changes(get, changes.get("get") or [])
            except (SpecError, KeyError) as exc:
                raise SpecError(f"{changes_file}: {exc}") from None
            for name, override in (changes.get("app_connectors") or {}).items():
                if override is None:
                    apps_spec.pop(name, None)
                else:
                    apps_spec[name] = {**apps_spec.get(name, {}), **override}
        methods = tuple(env_spec.get("oauth_methods", OAUTH_METHODS))
        apps = {}
        for name, spec in apps_spec.items():
            try:
                apps[name] = build_app_connector(family, slug, name, spec, methods, list(get), list(update))
            except SpecError as exc:
                raise SpecError(f"{directory / 'app-connectors.yaml'}: {exc}") from None
        environments[env_name] = EnvironmentDef(
            name=env_name, tenant=tenant, type=env_type, envid=str(env_spec["envid"]),
            profit_version=str(env_spec["profit_version"]), release=str(env_spec.get("release", "")),
            update_connectors=update, get_connectors=get, app_connectors=apps,
            base_language=str(env_spec.get("language", "nl")), oauth_methods=methods)
    as_of = org.get("as_of")
    if as_of is not None:
        as_of = str(as_of)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?", as_of):
            raise SpecError(f"{directory / 'organisation.yaml'}: as_of must be YYYY-MM-DD[THH:MM:SS], got {as_of!r}")
    return Dataset(name=family, seed=seed, environments=environments, story=str(org.get("story", "")).strip(),
                   as_of=as_of)
