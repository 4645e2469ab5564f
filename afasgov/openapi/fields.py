"""One field's schema, in the two forms the export writes.

* **documented** (:func:`documented_field`): the form AFAS's own OpenAPI specifications use for a
  request property, generated from the same metainfo — ``type`` from ``dataType`` (``int`` →
  ``integer``, ``decimal`` → ``number``, ``date`` → ``string``/``date``, ``blob`` →
  ``string``/``byte``), ``maxLength`` = ``length`` of text fields, ``enum`` = the allowed codes with
  one ``"code = meaning;"`` line per code under the label in ``description``. This is what the
  OpenAPI documents describe: the form a generated client sends.
* **accepted** (:func:`accepted_field`): every value ``afasgov validate`` accepts for the field
  (``docs/validate.md``), for the standalone JSON Schemas: AFAS's own request examples write numbers,
  booleans and dates as strings (``"Id": "5116"``), ``null`` is "no value", a text field takes an
  integer. Each JSON type keeps its own limits (JSON Schema's ``maxLength`` applies to strings only,
  ``minimum``/``maximum`` to numbers only), so "too long" means the same as in ``afasgov validate``:
  more characters than ``length`` in the value's text.

Both add what metainfo says and AFAS's schemas do not carry where it constrains a value the same
way ``afasgov validate`` does: the digits an integer field holds (``length``) as ``minimum`` and
``maximum``; the number of decimals as the annotation ``x-afas-decimals``.
"""

from __future__ import annotations

import re
from typing import Any

from afasgov.model import UpdateField

Json = dict[str, Any]

#: metainfo dataType → JSON type of the documented form.
JSON_TYPE = {"string": "string", "int": "integer", "decimal": "number", "boolean": "boolean",
             "date": "string", "blob": "string"}
#: metainfo dataType → ``format`` of the documented form (AFAS's own choice for these types).
FORMAT = {"date": "date", "blob": "byte"}

#: the values ``afasgov validate`` reads each dataType's strings as (``""`` is "no value" for every type;
#: ASCII digits, so that ECMA-262 and Python regular expressions agree).
INT_PATTERN = r"^([+-]?[0-9]+)?$"
DECIMAL_PATTERN = r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+))?$"
BOOLEAN_PATTERN = r"^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|1|0)?$"
_DAY = (r"[0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
        r"|02-(0[1-9]|1[0-9]|2[0-9]))")
_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,7})?)?"
#: a date, a date and time (with an optional zone), or a time of day (docs/validate.md).
DATE_PATTERN = rf"^({_DAY}([T ]{_TIME}(Z|[+-][0-9]{{2}}:?[0-9]{{2}})?)?|{_TIME})?$"
#: ``minimum``/``maximum`` stand for ``length`` up to this many digits: larger integers are not exact in
#: the double-precision numbers most JSON tools use (and a JSON integer of 16 digits or more is no
#: realistic value of a text field).
MAX_BOUNDED_DIGITS = 15
_CANONICAL_INT = re.compile(r"^-?(0|[1-9][0-9]*)$")
_INT = re.compile(r"^[+-]?[0-9]+$")


def description(f: UpdateField) -> str:
    """The label, then one ``code = meaning;`` line per allowed code (AFAS's layout)."""
    text = f.label or f.field_id
    if f.values:
        text += "".join(f"\n{c.id} = {c.description};" for c in f.values)
    return text


def _digits_bounds(length: int) -> tuple[int, int]:
    """The integers whose decimal text (with its ``-``) is at most ``length`` characters long."""
    return -(10 ** (length - 1) - 1), 10**length - 1


def documented_field(f: UpdateField) -> Json:
    """The request property as AFAS's specs write it (plus ``minimum``/``maximum``/``x-afas-decimals``)."""
    json_type = JSON_TYPE.get(f.data_type, "string")
    out: Json = {"type": json_type}
    fmt = FORMAT.get(f.data_type)
    if fmt:
        out["format"] = fmt
    if f.values is not None:
        codes = [c.id for c in f.values]
        if json_type == "integer" and all(_CANONICAL_INT.match(c) for c in codes):
            out["enum"] = [int(c) for c in codes]
        else:
            out = {"type": "string", "enum": codes} | ({"format": fmt} if fmt else {})
            json_type = "string"
    if f.length > 0 and json_type == "string" and f.data_type in ("string", "int"):
        out["maxLength"] = f.length
    if 0 < f.length <= MAX_BOUNDED_DIGITS and json_type == "integer":
        out["minimum"], out["maximum"] = _digits_bounds(f.length)
    if f.decimals > 0 and f.data_type == "decimal":
        out["x-afas-decimals"] = f.decimals
    out["description"] = description(f)
    return out


def _codes(f: UpdateField) -> list[Any]:
    """Every JSON value whose text ``afasgov validate`` finds among the codes (plus "no value")."""
    assert f.values is not None
    enum: list[Any] = []
    numbers: list[Any] = []
    for c in f.values:
        enum.append(c.id)
        if f.data_type == "int" and _INT.match(c.id):
            numbers.append(int(c.id))  # integer codes compare as integers: 1 is the code "01" of an int field
        elif _CANONICAL_INT.match(c.id):
            numbers.append(int(c.id))  # a JSON number is its text
        elif f.data_type == "boolean" and c.id in ("true", "false"):
            numbers.append(c.id == "true")
    unique = list({(type(n), n): n for n in numbers}.values())  # 1 and True are different JSON values
    return [*enum, *unique, "", None]


def accepted_field(f: UpdateField) -> Json:
    """Every value ``afasgov validate`` accepts for the field without a problem (see the module)."""
    t = f.data_type
    out: Json
    if t == "int":
        out = {"type": ["integer", "string", "null"], "pattern": INT_PATTERN}
    elif t == "decimal":
        out = {"type": ["number", "string", "null"], "pattern": DECIMAL_PATTERN}
    elif t == "boolean":  # true/false, 0/1, and their texts
        out = {"type": ["boolean", "integer", "string", "null"], "pattern": BOOLEAN_PATTERN,
               "minimum": 0, "maximum": 1}
    elif t == "date":
        out = {"type": ["string", "null"], "pattern": DATE_PATTERN}
    elif t == "string":  # an integer is its text
        out = {"type": ["string", "integer", "null"]}
    else:  # blob, and any dataType AFAS may add: any text or number, as in afasgov validate
        out = {"type": ["string", "number", "null"]}
    if f.values is not None:
        out["enum"] = _codes(f)
    if f.length > 0 and t in ("string", "int"):
        out["maxLength"] = f.length
        if f.length <= MAX_BOUNDED_DIGITS:
            out["minimum"], out["maximum"] = _digits_bounds(f.length)
    if f.decimals > 0 and t == "decimal":
        out["x-afas-decimals"] = f.decimals
    out["description"] = description(f)
    return out


#: a mandatory field's value must not be "no value" (``null`` or ``""``), as in ``afasgov validate``.
GIVEN: Json = {"not": {"enum": [None, ""]}}

__all__ = [
    "BOOLEAN_PATTERN",
    "DATE_PATTERN",
    "DECIMAL_PATTERN",
    "FORMAT",
    "GIVEN",
    "INT_PATTERN",
    "JSON_TYPE",
    "Json",
    "accepted_field",
    "description",
    "documented_field",
]
