"""The compact, readable notation the datasets use for fields, and its parser.

UpdateConnector field (one line)::

    ID TYPE[(LENGTH[,DECIMALS])] [FLAG…] LABEL_NL [| LABEL_EN] [@CODELIST]

    MtCd string(1) ! Mutatiecode | Mutation code @KnUser.MtCd
    SbId int(9) key Dossieritem | File item
    Amnt decimal(12,2) nz Bedrag | Amount

Flags: ``!`` mandatory, ``key`` primary key, ``nz`` not zero, ``ct=N`` control type,
``dfid=ID`` the field holding the number of decimals. ``@NAME`` refers to a code list of the
dataset (``values`` in metainfo).

GetConnector field (one line)::

    OUTPUT_ID[=FIELD_ID] TYPE[(LENGTH[,DECIMALS])] LABEL_NL [| LABEL_EN] [~GENERATOR]

    EmployeeId string(15) Medewerker | Employee ~code
    BirthDate date Geboortedatum | Date of birth ~birthdate

``FIELD_ID`` (the id inside the definition) defaults to ``U001``, ``U002``, … by position.
The ``~GENERATOR`` hint chooses how rows are generated (see :mod:`afasgov.sim.rows`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from afasgov.sim.model import JSON, Label

DATA_TYPES = ("string", "int", "decimal", "boolean", "date", "blob")

#: default lengths per data type where a line gives none (AFAS reports lengths for every type).
DEFAULT_LENGTH = {"string": 255, "int": 9, "decimal": 12, "boolean": 1, "date": 10, "blob": 0}
DEFAULT_DECIMALS = {"decimal": 2}
#: controlType codes are undocumented by AFAS; these are the simulator's own consistent choice.
CONTROL_TYPE = {"string": 1, "int": 5, "decimal": 6, "boolean": 3, "date": 4, "blob": 8}
CONTROL_TYPE_CODES = 2

_TYPE_RE = re.compile(r"^(?P<type>[a-z]+)(?:\((?P<len>\d+)(?:,(?P<dec>\d+))?\))?$")
_UPDATE_ID_RE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_]*|U[0-9A-Fa-f]{32})$")
_GET_ID_RE = re.compile(r"^(?P<id>[A-Za-z_][A-Za-z0-9_.]*)(?:=(?P<fid>[A-Za-z0-9_]+))?$")


class SpecError(ValueError):
    """A malformed field line: says which line and what is wrong."""


def _type(token: str, line: str) -> tuple[str, int, int]:
    m = _TYPE_RE.match(token)
    if not m or m.group("type") not in DATA_TYPES:
        raise SpecError(f"unknown data type {token!r} in field line {line!r} "
                        f"(expected one of {', '.join(DATA_TYPES)}, optionally with (length[,decimals]))")
    dtype = m.group("type")
    length = int(m.group("len")) if m.group("len") else DEFAULT_LENGTH[dtype]
    decimals = int(m.group("dec")) if m.group("dec") else DEFAULT_DECIMALS.get(dtype, 0)
    return dtype, length, decimals


def code_values(codes: Mapping[str, Any], name: str, line: str) -> list[JSON]:
    try:
        table = codes[name]
    except KeyError:
        raise SpecError(f"unknown code list @{name} in field line {line!r}") from None
    return [{"id": str(k), "description": str(v)} for k, v in table.items()]


def parse_update_field(line: str, codes: Mapping[str, Any]) -> JSON:
    """One UpdateConnector field line -> the metainfo dict (labels as :class:`Label`)."""
    tokens = line.split()
    if len(tokens) < 3:
        raise SpecError(f"field line needs at least 'ID TYPE LABEL': {line!r}")
    fid = tokens[0]
    if not _UPDATE_ID_RE.match(fid):
        raise SpecError(f"bad field id {fid!r} in field line {line!r}")
    dtype, length, decimals = _type(tokens[1], line)
    mandatory = primary = notzero = False
    control: int | None = None
    dfid = ""
    i = 2
    while i < len(tokens):
        tok = tokens[i]
        if tok == "!":
            mandatory = True
        elif tok == "key":
            primary = True
        elif tok == "nz":
            notzero = True
        elif tok.startswith("ct=") and tok[3:].isdigit():
            control = int(tok[3:])
        elif tok.startswith("dfid="):
            dfid = tok[5:]
        else:
            break
        i += 1
    rest = tokens[i:]
    values: list[JSON] | None = None
    if rest and rest[-1].startswith("@"):
        values = code_values(codes, rest[-1][1:], line)
        rest = rest[:-1]
    if not rest:
        raise SpecError(f"field line has no label: {line!r}")
    if control is None:
        control = CONTROL_TYPE_CODES if values else CONTROL_TYPE[dtype]
    return {
        "fieldId": fid,
        "primaryKey": primary,
        "dataType": dtype,
        "label": Label.parse(" ".join(rest)),
        "mandatory": mandatory,
        "length": length,
        "decimals": decimals,
        "decimalFieldId": dfid,
        "notzero": notzero,
        "controlType": control,
        "values": values,
    }


def parse_get_field(line: str, position: int) -> JSON:
    """One GetConnector field line -> the metainfo dict (``_gen`` = row generator hint)."""
    tokens = line.split()
    if len(tokens) < 3:
        raise SpecError(f"field line needs at least 'ID TYPE LABEL': {line!r}")
    m = _GET_ID_RE.match(tokens[0])
    if not m:
        raise SpecError(f"bad output field id {tokens[0]!r} in field line {line!r}")
    dtype, length, decimals = _type(tokens[1], line)
    rest = tokens[2:]
    gen = ""
    if rest and rest[-1].startswith("~"):
        gen = rest[-1][1:]
        rest = rest[:-1]
    if not rest:
        raise SpecError(f"field line has no label: {line!r}")
    return {
        "id": m.group("id"),
        "fieldId": m.group("fid") or f"U{position:03d}",
        "dataType": dtype,
        "label": Label.parse(" ".join(rest)),
        "length": length,
        "controlType": CONTROL_TYPE[dtype],
        "decimals": decimals if dtype == "decimal" else 0,
        "decimalsFieldId": "",
        "_gen": gen,
    }


def parse_update_element(spec: Mapping[str, Any], codes: Mapping[str, Any], where: str) -> JSON:
    """``{fields: [...], objects: {Name: {...}}}`` -> ``{"fields": [...], "objects": [...]}``."""
    if not isinstance(spec, Mapping):
        raise SpecError(f"{where}: expected a mapping with 'fields' (and optionally 'objects')")
    fields = []
    seen: set[str] = set()
    for line in spec.get("fields") or []:
        if not isinstance(line, str):
            raise SpecError(f"{where}: field entries are strings, got {line!r}")
        f = parse_update_field(line, codes)
        if f["fieldId"] in seen:
            raise SpecError(f"{where}: duplicate field {f['fieldId']}")
        seen.add(f["fieldId"])
        fields.append(f)
    objects = []
    for name, sub in (spec.get("objects") or {}).items():
        obj = parse_update_element(sub, codes, f"{where}/{name}")
        objects.append({"name": name, "fields": obj["fields"], "objects": obj["objects"]})
    return {"fields": fields, "objects": objects}
