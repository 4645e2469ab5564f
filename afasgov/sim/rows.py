"""Rows of simulated GetConnectors, and AFAS's paging, sorting and filtering over them.

Rows are generated deterministically per column from ``(seed, connector, output field id)``, so
adding a field to a connector (test ahead of production) does not change the other columns, and
every environment shows the same data for the same field. Generator hints (``~name`` in the
dataset notation) pick realistic values; without a hint the data type decides.

:func:`query_rows` implements ``skip``/``take``/``orderbyfieldids`` and the filters of
``/connectors/{id}`` (``filterfieldids``/``filtervalues``/``operatortypes``; ``,`` = AND within a
group, ``;`` = OR between groups; operators 1–15 as afas-api.md lists them). Invalid input raises
:class:`QueryError`, which the app answers with AFAS's 500 body.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from afasgov.sim.model import JSON

Row = dict[str, Any]

FIRST = ["Anna", "Bram", "Carla", "Daan", "Eva", "Femke", "Gijs", "Hanna", "Isa", "Jeroen", "Kees", "Lotte",
         "Mila", "Noah", "Olga", "Pieter", "Roos", "Sem", "Tess", "Usha", "Vera", "Wouter", "Yara", "Zeynep",
         "Mohamed", "Sanne", "Thijs", "Fleur", "Luuk", "Julia"]
PREFIX = ["", "", "", "", "van", "de", "van der", "van den", "ter", ""]
LAST = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos", "Peters",
        "Hendriks", "Dekker", "Brouwer", "Dijkstra", "Kok", "Yilmaz", "El Amrani", "Wouters", "Hoekstra",
        "Koster", "Prins", "Kuipers", "Willems", "Verbeek", "Postma"]
CITIES = ["Amsterdam", "Rotterdam", "Utrecht", "Eindhoven", "Groningen", "Leeuwarden", "Zwolle", "Arnhem",
          "Nijmegen", "Leiden", "Haarlem", "Maastricht", "Breda", "Tilburg", "Apeldoorn", "Leusden", "Delft"]
STREETS = ["Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Schoolstraat", "Julianalaan",
           "Beatrixstraat", "Parallelweg", "Nieuwstraat", "Lindenlaan", "Eikenlaan", "Havenkade"]
COMPANIES = ["Bouwbedrijf", "Installatietechniek", "Zorggroep", "Logistiek", "Adviesgroep", "Schoonmaak",
             "Transport", "Groothandel", "Accountants", "Techniek"]
WORDS = ["Onderhoud", "Project", "Levering", "Advies", "Contract", "Service", "Licentie", "Training",
         "Inspectie", "Verhuur", "Abonnement", "Installatie"]
FUNCTIONS = ["Medewerker administratie", "Teamleider", "Monteur", "Verpleegkundige", "Planner",
             "Salarisadministrateur", "Controller", "Projectleider", "Developer", "HR-adviseur"]
DEPARTMENTS = ["Financiën", "HR", "ICT", "Verkoop", "Inkoop", "Productie", "Service", "Directie"]
BANKS = ["INGB", "RABO", "ABNA", "SNSB", "TRIO", "ASNB", "KNAB", "BUNQ"]


class QueryError(ValueError):
    """An invalid GetConnector query (bad skip/take, unknown field, bad filter): AFAS answers 500.

    ``str()`` is the Dutch message; :meth:`message` picks the ``Accept-Language`` one (nl, en).
    """

    def __init__(self, nl: str, en: str | None = None) -> None:
        super().__init__(nl)
        self.nl = nl
        self.en = en or nl

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


def _rng(seed: int, connector: str, field: str) -> random.Random:
    digest = hashlib.sha256(f"{seed}/{connector}/{field}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 (test data, not crypto)


def _elfproef_bsn(rng: random.Random) -> str:
    """A 9-digit number that passes the 11-test, like a BSN (random, not a real person's)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10:
            return "".join(map(str, digits)) + str(last)


def _iban(rng: random.Random) -> str:
    bank = rng.choice(BANKS)
    account = f"{rng.randint(0, 9_999_999_999):010d}"
    # ISO 13616 check digits
    numeric = "".join(str(int(c, 36)) for c in bank + account + "NL00")
    check = 98 - int(numeric) % 97
    return f"NL{check:02d}{bank}{account}"


def _date(rng: random.Random, start: date, days: int) -> str:
    return (start + timedelta(days=rng.randint(0, days))).isoformat() + "T00:00:00Z"


Generator = Callable[[random.Random, int, JSON], Any]


def _string(rng: random.Random, i: int, f: JSON) -> Any:
    length = int(f.get("length") or 20)
    word = f"{rng.choice(WORDS)} {rng.randint(1, 999)}"
    return word[:length]


GENERATORS: dict[str, Generator] = {
    "seq": lambda rng, i, f: str(1000 + i).zfill(min(int(f.get("length") or 6), 9)),
    "intseq": lambda rng, i, f: 1000 + i,
    "code": lambda rng, i, f: f"{rng.choice('ABCDEFGHKLMNPRSTVW')}{rng.randint(100, 99999)}"[
        : int(f.get("length") or 10)],
    "firstname": lambda rng, i, f: rng.choice(FIRST),
    "prefix": lambda rng, i, f: rng.choice(PREFIX) or None,
    "lastname": lambda rng, i, f: rng.choice(LAST),
    "name": lambda rng, i, f: f"{rng.choice(FIRST)} {rng.choice(LAST)}",
    "initials": lambda rng, i, f: f"{rng.choice(FIRST)[0]}.{rng.choice(FIRST)[0]}.",
    "company": lambda rng, i, f: f"{rng.choice(COMPANIES)} {rng.choice(LAST)} B.V.",
    "email": lambda rng, i, f: f"{rng.choice(FIRST).lower()}.{rng.choice(LAST).lower().replace(' ', '')}"
                               f"{rng.randint(1, 99)}@voorbeeld.nl",
    "phone": lambda rng, i, f: f"06-{rng.randint(10_000_000, 99_999_999)}",
    "city": lambda rng, i, f: rng.choice(CITIES),
    "street": lambda rng, i, f: rng.choice(STREETS),
    "housenr": lambda rng, i, f: rng.randint(1, 250),
    "zip": lambda rng, i, f: f"{rng.randint(1000, 9999)} {rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}"
                             f"{rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}",
    "country": lambda rng, i, f: rng.choice(["NL", "NL", "NL", "NL", "BE", "DE"]),
    "bsn": lambda rng, i, f: _elfproef_bsn(rng),
    "iban": lambda rng, i, f: _iban(rng),
    "birthdate": lambda rng, i, f: _date(rng, date(1958, 1, 1), 365 * 45),
    "date": lambda rng, i, f: _date(rng, date(2015, 1, 1), 365 * 11),
    "enddate": lambda rng, i, f: _date(rng, date(2024, 1, 1), 365 * 4) if rng.random() < 0.3 else None,
    "datetime": lambda rng, i, f: (datetime(2024, 1, 1) + timedelta(seconds=rng.randint(0, 86400 * 700))
                                   ).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "gender": lambda rng, i, f: rng.choice(["M", "V", "O"]),
    "function": lambda rng, i, f: rng.choice(FUNCTIONS),
    "department": lambda rng, i, f: rng.choice(DEPARTMENTS),
    "amount": lambda rng, i, f: round(rng.uniform(-2500, 25000), int(f.get("decimals") or 2)),
    "salary": lambda rng, i, f: round(rng.uniform(2300, 7800), 2),
    "hours": lambda rng, i, f: rng.choice([16.0, 24.0, 32.0, 36.0, 38.0, 40.0]),
    "percent": lambda rng, i, f: round(rng.uniform(0, 100), 2),
    "year": lambda rng, i, f: rng.randint(2019, 2026),
    "period": lambda rng, i, f: rng.randint(1, 12),
    "bool": lambda rng, i, f: rng.random() < 0.5,
    "blocked": lambda rng, i, f: rng.random() < 0.1,
    "text": _string,
    "word": lambda rng, i, f: rng.choice(WORDS),
    "user": lambda rng, i, f: f"{rng.choice(FIRST).lower()}.{rng.choice(LAST).lower().replace(' ', '')}",
    "upn": lambda rng, i, f: f"{rng.choice(FIRST).lower()}.{rng.choice(LAST).lower().replace(' ', '')}"
                             "@voorbeeld.nl",
    "guid": lambda rng, i, f: "{%08X-%04X-%04X-%04X-%012X}" % (  # noqa: UP031
        rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16), rng.getrandbits(16), rng.getrandbits(48)),
}

BY_TYPE: dict[str, Generator] = {
    "string": _string,
    "int": lambda rng, i, f: rng.randint(0, 10 ** min(int(f.get("length") or 5), 6) - 1),
    "decimal": lambda rng, i, f: round(rng.uniform(0, 10_000), int(f.get("decimals") or 2)),
    "boolean": lambda rng, i, f: rng.random() < 0.5,
    "date": lambda rng, i, f: _date(rng, date(2015, 1, 1), 365 * 11),
    "blob": lambda rng, i, f: None,
}


PERSON_ATTRS = frozenset({"first", "prefix", "last", "name", "initials", "gender", "user", "email", "upn",
                          "private_email", "phone", "bsn", "birthdate", "iban", "city", "street", "housenr", "zip",
                          "employee", "department", "function", "startdate"})


def known_generator(hint: str) -> bool:
    """True for a row generator hint the simulator knows (``""`` = by data type)."""
    return not hint or hint in GENERATORS or (hint.startswith("p.") and hint[2:] in PERSON_ATTRS)


def _person(seed: int, i: int) -> dict[str, Any]:
    """Row ``i``'s person: the same employee in every connector (hints ``p.first``, ``p.email`` …)."""
    rng = _rng(seed, "person", str(i))
    first, prefix, last = rng.choice(FIRST), rng.choice(PREFIX), rng.choice(LAST)
    login = f"{first.lower()}.{(prefix + last).lower().replace(' ', '')}"
    return {
        "first": first, "prefix": prefix or None, "last": last,
        "name": " ".join(p for p in (first, prefix, last) if p),
        "initials": f"{first[0]}.", "gender": rng.choice(["M", "V", "V", "O"]),
        "user": login, "email": f"{login}@lindeboom.example", "upn": f"{login}@lindeboom.example",
        "private_email": f"{login}{rng.randint(1, 99)}@voorbeeld.nl",
        "phone": f"06-{rng.randint(10_000_000, 99_999_999)}",
        "bsn": _elfproef_bsn(rng), "birthdate": _date(rng, date(1958, 1, 1), 365 * 45), "iban": _iban(rng),
        "city": rng.choice(CITIES), "street": rng.choice(STREETS), "housenr": rng.randint(1, 250),
        "zip": f"{rng.randint(1000, 9999)} {rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}{rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}",
        "employee": str(1000 + i).zfill(6), "department": rng.choice(DEPARTMENTS), "function": rng.choice(FUNCTIONS),
        "startdate": _date(rng, date(2008, 1, 1), 365 * 17),
    }


def generate_rows(seed: int, connector: str, fields: Sequence[JSON], count: int) -> list[Row]:
    """``count`` rows for a GetConnector, one column per field, deterministic from ``seed``.

    Hints ``p.<attr>`` take the attribute of row ``i``'s person (the same person in every connector).
    """
    columns: list[tuple[str, list[Any]]] = []
    persons: list[dict[str, Any]] | None = None
    for f in fields:
        hint = f.get("_gen") or ""
        if hint.startswith("p."):
            if persons is None:
                persons = [_person(seed, i) for i in range(count)]
            columns.append((f["id"], [p.get(hint[2:]) for p in persons]))
            continue
        rng = _rng(seed, connector, f["id"])
        gen = GENERATORS.get(hint) or BY_TYPE.get(f.get("dataType", "string"), _string)
        values = []
        for i in range(count):
            value = gen(rng, i, f)
            if isinstance(value, str) and f.get("dataType") == "string" and f.get("length"):
                value = value[: int(f["length"])]
            values.append(value)
        columns.append((f["id"], values))
    return [{name: values[i] for name, values in columns} for i in range(count)]


# -------------------------------------------------------------------------------------- querying
def _int_param(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise QueryError(f"De waarde '{value}' voor '{name}' is geen geheel getal.",
                         f"The value '{value}' for '{name}' is not an integer.") from None
    if number < -1:
        raise QueryError(f"De waarde '{value}' voor '{name}' is ongeldig.",
                         f"The value '{value}' for '{name}' is invalid.")
    return number


def _typed(value: str, dtype: str) -> Any:
    if dtype == "int":
        return int(value)
    if dtype == "decimal":
        return float(value.replace(",", "."))
    if dtype == "boolean":
        low = value.strip().lower()
        if low in ("1", "true", "waar", "ja"):
            return True
        if low in ("0", "false", "onwaar", "nee"):
            return False
        raise ValueError(value)
    if dtype == "date":
        text = value.strip().rstrip("Z")
        return datetime.fromisoformat(text).strftime("%Y-%m-%dT%H:%M:%S")
    return value


def _cell(value: Any, dtype: str) -> Any:
    if value is None:
        return None
    if dtype == "date" and isinstance(value, str):
        return value.rstrip("Z")
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _matches(value: Any, op: int, wanted: Any, raw: str, dtype: str) -> bool:
    if op == 8:
        return value is None or value == ""
    if op == 9:
        return not (value is None or value == "")
    text, needle = _text(value).lower(), raw.lower()
    if op in (6, 15):
        return needle in text
    if op == 11:
        return needle not in text
    if op == 10:
        return text.startswith(needle)
    if op == 12:
        return not text.startswith(needle)
    if op == 13:
        return text.endswith(needle)
    if op == 14:
        return not text.endswith(needle)
    if value is None:
        return op == 7
    if dtype == "string":
        value, wanted = str(value).lower(), str(wanted).lower()
    try:
        if op == 1:
            return bool(value == wanted)
        if op == 7:
            return bool(value != wanted)
        if op == 2:
            return bool(value >= wanted)
        if op == 3:
            return bool(value <= wanted)
        if op == 4:
            return bool(value > wanted)
        if op == 5:
            return bool(value < wanted)
    except TypeError:
        return False
    raise QueryError(f"Onbekend operatortype '{op}'.", f"Unknown operator type '{op}'.")


def _split(text: str) -> list[list[str]]:
    return [group.split(",") for group in text.split(";")]


def build_filter(fields: Sequence[JSON], field_ids: str | None, values: str | None, operators: str | None
                 ) -> Callable[[Row], bool] | None:
    """Parse AFAS's filter parameters into a predicate (``None`` when there is no filter)."""
    if not field_ids:
        if values or operators:
            raise QueryError("Filterwaarden zonder filtervelden (filterfieldids ontbreekt).",
                             "Filter values without filter fields (filterfieldids is missing).")
        return None
    types = {f["id"].lower(): (f["id"], f.get("dataType", "string")) for f in fields}
    id_groups = _split(field_ids)
    value_groups = _split(values) if values is not None else [[""] * len(g) for g in id_groups]
    op_groups = _split(operators) if operators else [["1"] * len(g) for g in id_groups]
    if [len(g) for g in id_groups] != [len(g) for g in value_groups] or \
            [len(g) for g in id_groups] != [len(g) for g in op_groups]:
        raise QueryError("Het aantal filtervelden, filterwaarden en operatortypes komt niet overeen.",
                         "The numbers of filter fields, filter values and operator types differ.")
    groups: list[list[tuple[str, int, Any, str, str]]] = []
    for ids, vals, ops in zip(id_groups, value_groups, op_groups, strict=True):
        criteria = []
        for fid, raw, op_text in zip(ids, vals, ops, strict=True):
            key = fid.strip().lower()
            if key not in types:
                raise QueryError(f"Het filterveld '{fid.strip()}' bestaat niet in de GetConnector.",
                                 f"The filter field '{fid.strip()}' does not exist in the GetConnector.")
            name, dtype = types[key]
            try:
                op = int(op_text)
            except ValueError:
                raise QueryError(f"Ongeldig operatortype '{op_text}'.",
                                 f"Invalid operator type '{op_text}'.") from None
            if not 1 <= op <= 15:
                raise QueryError(f"Ongeldig operatortype '{op_text}'.", f"Invalid operator type '{op_text}'.")
            wanted: Any = raw
            if op in (1, 2, 3, 4, 5, 7):
                try:
                    wanted = _typed(raw, dtype)
                except ValueError:
                    raise QueryError(f"De filterwaarde '{raw}' past niet bij het veld '{name}' ({dtype}).",
                                     f"The filter value '{raw}' does not fit the field '{name}' ({dtype}).") from None
            criteria.append((name, op, wanted, raw, dtype))
        groups.append(criteria)

    def predicate(row: Row) -> bool:
        return any(all(_matches(_cell(row.get(name), dtype), op, wanted, raw, dtype)
                       for name, op, wanted, raw, dtype in group) for group in groups)

    return predicate


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, str):
        return (1, value.lower())
    return (1, value)


def query_rows(rows: Sequence[Row], fields: Sequence[JSON], params: dict[str, str]) -> JSON:
    """Apply filter, order and paging; returns AFAS's ``{"skip", "take", "rows"}``."""
    skip = _int_param(params.get("skip"), "skip", 0)
    take = _int_param(params.get("take"), "take", 100)
    if (skip == -1) != (take == -1):
        raise QueryError("skip=-1 en take=-1 kunnen alleen samen gebruikt worden.",
                         "skip=-1 and take=-1 can only be used together.")
    predicate = build_filter(fields, params.get("filterfieldids"), params.get("filtervalues"),
                             params.get("operatortypes"))
    selected = [r for r in rows if predicate(r)] if predicate else list(rows)
    order = params.get("orderbyfieldids")
    if order:
        names = {f["id"].lower(): f["id"] for f in fields}
        keys = []
        for raw_part in order.split(","):
            part = raw_part.strip()
            desc = part.startswith("-")
            name = names.get(part.lstrip("-").lower())
            if name is None:
                raise QueryError(f"Het sorteerveld '{part.lstrip('-')}' bestaat niet in de GetConnector.",
                                 f"The sort field '{part.lstrip('-')}' does not exist in the GetConnector.")
            keys.append((name, desc))
        for name, desc in reversed(keys):
            selected.sort(key=lambda r, n=name: _sort_key(r.get(n)), reverse=desc)  # type: ignore[misc]
    page = selected if skip == -1 else selected[skip: skip + take]
    return {"skip": skip, "take": take, "rows": page}
