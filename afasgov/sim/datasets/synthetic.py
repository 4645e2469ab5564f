"""Dataset ``synthetic:N``: N UpdateConnectors of realistic size and N/2 GetConnectors, for scale.

Every connector is built lazily and deterministically from ``(seed, connector id)``: about 50
fields (types, lengths, code lists, mandatory fields, custom ``U…`` fields) with one to three
nested objects, sometimes two levels deep. About one string field in seven has a code list: most
are small enumerations (2–8 values); 8 % of them take one of AFAS's large code lists — country,
nationality, currency, municipality, language (157–342 values each, built once per seed and shared
read-only by every field and environment that uses them). ``synthetic:170`` thus holds about 8,500
UpdateConnector fields and about 20,000 code values, as a real administration does.

Production and test are identical; accept is the "next release": about a fifth of the connectors
carry one to three seeded changes (fields added optional or required, removed, mandatory flipped,
maxLength changed, enum values added or removed), 1 % of the connectors are removed and N/100 new
ones added. With ``tenants=K`` the same definitions are served for K tenants (a partner's fleet),
environments named ``{tenant}-{type}``.
"""

from __future__ import annotations

import functools
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


#: AFAS's large code lists: (Dutch label, English label, number of values, code style, field length,
#: Dutch and English description pattern). Sizes follow the real lists (ISO 3166 countries, ISO 4217
#: currencies, Dutch municipalities, ISO 639-1 languages); codes and names are synthetic.
LARGE_CODE_LISTS: tuple[tuple[str, str, int, str, int, str, str], ...] = (
    ("Land", "Country", 249, "AA", 3, "{}ië", "{}ia"),
    ("Nationaliteit", "Nationality", 232, "0000", 4, "{}se", "{}an"),
    ("Valuta", "Currency", 157, "AAA", 3, "{}se munt", "{} coin"),
    ("Gemeente", "Municipality", 342, "0000", 4, "{}", "{}"),
    ("Taal", "Language", 184, "aa", 2, "{}s", "{}ish"),
)
#: share of coded string fields that use one of :data:`LARGE_CODE_LISTS` (the rest: 2–8 values).
LARGE_LIST_SHARE = 0.08
_SYLLABLES = ["ka", "ro", "vi", "len", "mar", "do", "sa", "tu", "bel", "ni", "ga", "mo", "ria", "ter",
              "zu", "lo", "pe", "han", "dri", "ve", "nor", "es", "ta", "win", "ko", "ber", "li", "an"]


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


def _codes(rng: random.Random, style: str, count: int) -> list[str]:
    """``count`` distinct codes shaped like ``style`` (``AA``: two capitals, ``0000``: four digits …),
    sorted as AFAS lists them."""
    if style.isdigit():
        space = 10 ** len(style)
        return [f"{k:0{len(style)}d}" for k in sorted(rng.sample(range(1, space), count))]
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if style.isupper() else "abcdefghijklmnopqrstuvwxyz"
    out: set[str] = set()
    while len(out) < count:
        out.add("".join(rng.choice(letters) for _ in style))
    return sorted(out)


@functools.lru_cache(maxsize=8)
def large_code_lists(seed: int) -> tuple[tuple[str, str, int, list[JSON]], ...]:
    """The large code lists of ``seed``: ``(label nl, label en, field length, values)``, built once and
    shared (read-only) by every field that uses them."""
    rng = _rng(seed, "code-lists")
    out = []
    for nl, en, count, style, length, nl_pattern, en_pattern in LARGE_CODE_LISTS:
        names: list[str] = []
        seen: set[str] = set()
        while len(names) < count:
            stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
            if stem not in seen:
                seen.add(stem)
                names.append(stem)
        values: list[JSON] = [
            {"id": code, "description": Label(nl_pattern.format(name), en_pattern.format(name))}
            for code, name in zip(_codes(rng, style, count), names, strict=True)
        ]
        out.append((nl, en, length, values))
    return tuple(out)


def _field(rng: random.Random, fid: str, pk: bool = False, *, lists: random.Random | None = None,
           seed: int = 0) -> JSON:
    """One UpdateConnector field from ``rng``; a coded field takes one of the large code lists of
    ``seed`` when the side stream ``lists`` says so (``rng``'s sequence is the same either way)."""
    dtype = "int" if pk else _pick_type(rng)
    nl, en = rng.choice(WORDS)
    suffix = rng.randint(1, 99)
    values = None
    if dtype == "string" and rng.random() < 0.15:
        values = [{"id": str(k), "description": f"{nl} {k}"} for k in range(rng.randint(2, 8))]
    length = {"string": rng.choice(LENGTHS), "int": 9, "decimal": 12, "boolean": 1, "date": 10, "blob": 0}[dtype]
    label = Label(f"{nl} {suffix}", f"{en} {suffix}")
    if values is not None and lists is not None and lists.random() < LARGE_LIST_SHARE:
        list_nl, list_en, length, values = lists.choice(large_code_lists(seed))
        label = Label(f"{list_nl} {suffix}", f"{list_en} {suffix}")
    return {"fieldId": fid, "primaryKey": pk, "dataType": dtype, "label": label,
            "mandatory": pk or rng.random() < 0.08, "length": length, "decimals": 2 if dtype == "decimal" else 0,
            "decimalFieldId": "", "notzero": dtype == "int" and rng.random() < 0.05,
            "controlType": 2 if values else CONTROL[dtype], "values": values}


def _fields(rng: random.Random, count: int, with_pk: bool, lists: random.Random, seed: int) -> list[JSON]:
    out = []
    for j in range(count):
        if rng.random() < 0.05:
            fid = "U" + "".join(rng.choice("0123456789ABCDEF") for _ in range(32))
        else:
            fid = f"{rng.choice(ABBR)}{j}"
        out.append(_field(rng, fid, pk=with_pk and j == 0, lists=lists, seed=seed))
    return out


def update_connector(seed: int, cid: str) -> JSON:
    """One synthetic UpdateConnector, AFAS metainfo shape, ~50 fields in total."""
    rng = _rng(seed, "update", cid)
    lists = _rng(seed, "code-list-choice", cid)
    objects: list[JSON] = []
    for k in range(rng.randint(1, 3)):
        nested: list[JSON] = []
        if rng.random() < 0.3:
            nested.append({"name": f"{cid}Sub{k}Line", "fields": _fields(rng, rng.randint(3, 6), False, lists, seed),
                           "objects": []})
        objects.append({"name": f"{cid}Obj{k}", "fields": _fields(rng, rng.randint(6, 12), False, lists, seed),
                        "objects": nested})
    nested_count = sum(len(o["fields"]) + sum(len(s["fields"]) for s in o["objects"]) for o in objects)
    n_main = max(10, 50 - nested_count)
    return {"name": cid, "description": Label(f"Synthetische connector {cid[-4:]}", f"Synthetic connector {cid[-4:]}"),
            "fields": _fields(rng, n_main, True, lists, seed), "objects": objects}


def _copy_element(element: JSON) -> JSON:
    """A copy whose field dicts and lists may be changed; ``values`` lists stay shared (they are
    replaced, never changed in place), so a mutated connector does not copy the large code lists."""
    return {**element, "fields": [dict(f) for f in element["fields"]],
            "objects": [_copy_element(o) for o in element["objects"]]}


def _mutate(seed: int, cid: str, conn: JSON) -> JSON:
    rng = _rng(seed, "accept", cid)
    if rng.random() >= 0.2:
        return conn
    lists = _rng(seed, "accept-code-list-choice", cid)
    conn = _copy_element(conn)
    elements = [conn, *conn["objects"]]
    for _ in range(rng.randint(1, 3)):
        el = rng.choice(elements)
        fields = el["fields"]
        kind = rng.choice(["add_optional", "add_required", "remove", "flip", "length", "enum_add", "enum_remove"])
        if kind.startswith("add"):
            new = _field(rng, f"Nw{len(fields)}{rng.randint(0, 999)}", lists=lists, seed=seed)
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
