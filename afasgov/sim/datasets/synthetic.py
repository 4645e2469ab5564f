"""Dataset ``synthetic:N``: N UpdateConnectors of realistic size and N/2 GetConnectors, for scale.

Every connector is built lazily and deterministically from ``(seed, connector id)``: about 50
fields (types, lengths, code lists, mandatory fields, custom ``U…`` fields) with one to three
nested objects, sometimes two levels deep. Production and test are identical; accept is the "next
release": about a fifth of the connectors carry one to three seeded changes (fields added optional
or required, removed, mandatory flipped, maxLength changed, enum values added or removed), 1 % of
the connectors are removed and N/100 new ones added. With ``tenants=K`` the same definitions are
served for K tenants (a partner's fleet), environments named ``{tenant}-{type}``.
"""

from __future__ import annotations

import copy
import hashlib
import random
from typing import Any

from afasgov.sim import credentials as cred
from afasgov.sim.model import (
    JSON,
    AppConnectorDef,
    Dataset,
    EnvironmentDef,
    GetConnectorDef,
    Label,
    LazyMapping,
    OAuthClient,
)

ABBR = ["Nm", "Ds", "Cd", "Dt", "Am", "Qu", "Ad", "Ph", "Em", "Ty", "St", "Re", "Nr", "Va", "Bk", "Pr", "Un",
        "Cu", "Gr", "Lo", "Ma", "Or", "Pe", "Ro", "Se", "Ta", "Vi", "We", "Zi", "In"]
WORDS = [("Naam", "Name"), ("Omschrijving", "Description"), ("Code", "Code"), ("Datum", "Date"),
         ("Bedrag", "Amount"), ("Aantal", "Quantity"), ("Adres", "Address"), ("Telefoon", "Phone"),
         ("E-mail", "Email"), ("Type", "Type"), ("Status", "Status"), ("Referentie", "Reference"),
         ("Nummer", "Number"), ("Valuta", "Currency"), ("Boekjaar", "Financial year"), ("Project", "Project"),
         ("Eenheid", "Unit"), ("Klant", "Customer"), ("Groep", "Group"), ("Locatie", "Location"),
         ("Medewerker", "Employee"), ("Organisatie", "Organisation"), ("Periode", "Period"),
         ("Rol", "Role"), ("Selectie", "Selection"), ("Tarief", "Rate"), ("Vestiging", "Branch")]
TYPES = [("string", 0.58), ("int", 0.15), ("boolean", 0.12), ("date", 0.08), ("decimal", 0.05), ("blob", 0.02)]
LENGTHS = [10, 15, 20, 40, 50, 80, 100, 255]
CONTROL = {"string": 1, "int": 5, "decimal": 6, "boolean": 3, "date": 4, "blob": 8}


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 (test data, not crypto)


def _pick_type(rng: random.Random) -> str:
    u, acc = rng.random(), 0.0
    for t, w in TYPES:
        acc += w
        if u < acc:
            return t
    return "string"


def _field(rng: random.Random, fid: str, pk: bool = False) -> JSON:
    dtype = "int" if pk else _pick_type(rng)
    nl, en = rng.choice(WORDS)
    suffix = rng.randint(1, 99)
    values = None
    if dtype == "string" and rng.random() < 0.15:
        values = [{"id": str(k), "description": f"{nl} {k}"} for k in range(rng.randint(2, 8))]
    length = {"string": rng.choice(LENGTHS), "int": 9, "decimal": 12, "boolean": 1, "date": 10, "blob": 0}[dtype]
    return {"fieldId": fid, "primaryKey": pk, "dataType": dtype, "label": Label(f"{nl} {suffix}", f"{en} {suffix}"),
            "mandatory": pk or rng.random() < 0.08, "length": length, "decimals": 2 if dtype == "decimal" else 0,
            "decimalFieldId": "", "notzero": dtype == "int" and rng.random() < 0.05,
            "controlType": 2 if values else CONTROL[dtype], "values": values}


def _fields(rng: random.Random, count: int, with_pk: bool) -> list[JSON]:
    out = []
    for j in range(count):
        if rng.random() < 0.05:
            fid = "U" + "".join(rng.choice("0123456789ABCDEF") for _ in range(32))
        else:
            fid = f"{rng.choice(ABBR)}{j}"
        out.append(_field(rng, fid, pk=with_pk and j == 0))
    return out


def update_connector(seed: int, cid: str) -> JSON:
    """One synthetic UpdateConnector, AFAS metainfo shape, ~50 fields in total."""
    rng = _rng(seed, "update", cid)
    objects: list[JSON] = []
    for k in range(rng.randint(1, 3)):
        nested: list[JSON] = []
        if rng.random() < 0.3:
            nested.append({"name": f"{cid}Sub{k}Line", "fields": _fields(rng, rng.randint(3, 6), False),
                           "objects": []})
        objects.append({"name": f"{cid}Obj{k}", "fields": _fields(rng, rng.randint(6, 12), False),
                        "objects": nested})
    nested_count = sum(len(o["fields"]) + sum(len(s["fields"]) for s in o["objects"]) for o in objects)
    n_main = max(10, 50 - nested_count)
    return {"name": cid, "description": Label(f"Synthetische connector {cid[-4:]}", f"Synthetic connector {cid[-4:]}"),
            "fields": _fields(rng, n_main, True), "objects": objects}


def _mutate(seed: int, cid: str, conn: JSON) -> JSON:
    rng = _rng(seed, "accept", cid)
    if rng.random() >= 0.2:
        return conn
    conn = copy.deepcopy(conn)
    elements = [conn, *conn["objects"]]
    for _ in range(rng.randint(1, 3)):
        el = rng.choice(elements)
        fields = el["fields"]
        kind = rng.choice(["add_optional", "add_required", "remove", "flip", "length", "enum_add", "enum_remove"])
        if kind.startswith("add"):
            new = _field(rng, f"Nw{len(fields)}{rng.randint(0, 999)}")
            new["mandatory"] = kind == "add_required"
            if all(f["fieldId"] != new["fieldId"] for f in fields):
                fields.append(new)
        elif kind == "remove" and len(fields) > 2:
            fields.pop(rng.randrange(1, len(fields)))
        elif kind == "flip" and len(fields) > 1:
            f = fields[rng.randrange(1, len(fields))]
            f["mandatory"] = not f["mandatory"]
        elif kind == "length":
            strings = [f for f in fields if f["dataType"] == "string"]
            if strings:
                f = rng.choice(strings)
                f["length"] = max(1, f["length"] + rng.choice([-10, 20, 45]))
        else:
            coded = [f for f in fields if f["values"]]
            if coded:
                f = rng.choice(coded)
                if kind == "enum_add":
                    f["values"] = [*f["values"], {"id": "99", "description": "Nieuw"}]
                elif len(f["values"]) > 1:
                    f["values"] = f["values"][:-1]
    return conn


def get_connector(seed: int, cid: str) -> GetConnectorDef:
    rng = _rng(seed, "get", cid)
    fields = []
    for j in range(rng.randint(10, 30)):
        dtype = _pick_type(rng)
        if dtype == "blob":
            dtype = "string"
        nl, en = rng.choice(WORDS)
        fields.append({"id": f"{en.replace(' ', '')}{j}", "fieldId": f"U{j + 1:03d}", "dataType": dtype,
                       "label": Label(f"{nl} {j}", f"{en} {j}"),
                       "length": {"string": rng.choice(LENGTHS), "int": 9, "decimal": 12, "boolean": 1,
                                  "date": 10}[dtype],
                       "controlType": CONTROL[dtype], "decimals": 2 if dtype == "decimal" else 0,
                       "decimalsFieldId": ""})
    return GetConnectorDef(id=cid, description=Label(f"Synthetische lijst {cid[-4:]}", f"Synthetic list {cid[-4:]}"),
                           fields=fields, rows=50)


def build_synthetic(n: int, *, seed: int = 0, tenants: int = 1) -> Dataset:
    """``synthetic:N`` for ``tenants`` tenants (each with production, test and accept)."""
    update_ids = [f"KnSynth{i:04d}" for i in range(1, n + 1)]
    get_ids = [f"Synth_Get_{i:04d}" for i in range(1, n // 2 + 1)]
    removed = set(_rng(seed, "removed").sample(update_ids, n // 100)) if n >= 100 else set()
    accept_ids = [c for c in update_ids if c not in removed] + [f"KnSynthNew{i:03d}" for i in range(1, n // 100 + 1)]

    prod_update = LazyMapping(update_ids, lambda cid: update_connector(seed, cid))

    def accept_factory(cid: str) -> JSON:
        if cid.startswith("KnSynthNew"):
            return update_connector(seed, cid)
        return _mutate(seed, cid, prod_update[cid])

    mappings: dict[str, tuple[Any, Any]] = {
        "production": (prod_update, LazyMapping(get_ids, lambda cid: get_connector(seed, cid))),
        "test": (prod_update, LazyMapping(get_ids, lambda cid: get_connector(seed, cid))),
        "accept": (LazyMapping(accept_ids, accept_factory), LazyMapping(get_ids, lambda cid: get_connector(seed, cid))),
    }
    releases = {"production": ("Profit 8", "8.2.4"), "test": ("Profit 8", "8.2.4"), "accept": ("Profit 9", "9.0.1")}
    environments: dict[str, EnvironmentDef] = {}
    for t in range(tenants):
        tenant = f"{20001 + t}"
        for env_type, (upd, get) in mappings.items():
            name = env_type if tenants == 1 else f"{tenant}-{env_type}"
            slug = f"{tenant}-{env_type}"
            update_list = list(upd)
            apps = {
                "admin": AppConnectorDef(
                    name="admin", app_name="Synthetic admin", group=f"AuthorizationGroup 1 ({tenant}.ADMIN)",
                    token_expiry="0",  # noqa: S106 (an expiry, not a secret)
                    classic_token=cred.classic_token_data("synthetic", slug, "admin"),
                    get_ids=tuple(get_ids), update_ids=tuple(update_list)),
                "sync": AppConnectorDef(
                    name="sync", app_name="Synthetic sync", group=f"AuthorizationGroup 2 ({tenant}.SYNC)",
                    token_expiry="2027-05-01T00:00:00",  # noqa: S106 (an expiry, not a secret)
                    oauth=OAuthClient(client_id=cred.client_id("synthetic", slug, "sync"),
                                      methods=("client_secret_post", "client_secret_basic"),
                                      secret=cred.client_secret("synthetic", slug, "sync")),
                    get_ids=tuple(get_ids[::2]), update_ids=tuple(update_list[::4]),
                    preferred_method="client_secret_post"),
            }
            release, version = releases[env_type]
            environments[name] = EnvironmentDef(
                name=name, tenant=tenant, type=env_type, envid=f"{env_type[0].upper()}{tenant}AA",
                profit_version=version, release=release, update_connectors=upd, get_connectors=get,
                app_connectors=apps,
                oauth_methods=("client_secret_post",) if release == "Profit 8" else
                ("client_secret_post", "client_secret_basic", "private_key_jwt"))
    return Dataset(name=f"synthetic:{n}", seed=seed, environments=environments,
                   story=f"{n} synthetic UpdateConnectors and {n // 2} GetConnectors for {tenants} tenant(s).")
