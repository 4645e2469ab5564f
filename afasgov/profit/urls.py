"""URLs of AFAS Profit: base URLs per environment type, host checks, endpoint paths, query strings.

Base URLs (afas-api.md, "Hosts and environments"):

=============  ==============================================================
production     ``https://{tenant}.rest.afas.online/ProfitRestServices``
test           ``https://{tenant}.resttest.afas.online/ProfitRestServices``
accept         ``https://{tenant}.restaccept.afas.online/ProfitRestServices``
training       ``https://{tenant}.restcursus.afas.online/ProfitRestServices``
=============  ==============================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode

#: AFAS answers 404 for a query string over 2,049 characters (afas-api.md, errors table).
MAX_QUERY_CHARS = 2049

#: connector ids in paths: letters, digits and a few punctuation characters (no ``/``, no ``..``).
_ID_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\- ]{0,199}$")

#: ``operatortypes`` codes (afas-api.md, "/connectors").
OPERATORS: Mapping[str, int] = {
    "=": 1,
    ">=": 2,
    "<=": 3,
    ">": 4,
    "<": 5,
    "contains": 6,
    "!=": 7,
    "empty": 8,
    "not_empty": 9,
    "starts_with": 10,
    "not_contains": 11,
    "not_starts_with": 12,
    "ends_with": 13,
    "not_ends_with": 14,
    "quick": 15,
}
#: operators that take no value (``filtervalues`` gets an empty entry) [guess].
VALUELESS_OPERATORS = frozenset({8, 9})


def check_connector_id(connector_id: str) -> str:
    """Return ``connector_id`` if it is a plausible connector id; raise ``ValueError`` otherwise."""
    if not isinstance(connector_id, str) or not _ID_RE.match(connector_id) or ".." in connector_id:
        raise ValueError(f"not a valid connector id: {connector_id!r}")
    return connector_id


def endpoint_path(*segments: str) -> str:
    """``/seg1/seg2`` with every segment percent-encoded (no ``/`` can slip through)."""
    return "".join("/" + quote(seg, safe="") for seg in segments)


@dataclass(frozen=True)
class Filter:
    """One filter criterion: ``field`` ``operator`` ``value`` (operator: code 1–15 or a name)."""

    field: str
    operator: int | str = 1
    value: str = ""

    def code(self) -> int:
        if isinstance(self.operator, int) and not isinstance(self.operator, bool):
            code = self.operator
        elif isinstance(self.operator, str) and self.operator in OPERATORS:
            code = OPERATORS[self.operator]
        else:
            raise ValueError(f"unknown filter operator {self.operator!r}")
        if not 1 <= code <= 15:
            raise ValueError(f"filter operator code must be 1..15, got {code}")
        return code


FilterSpec = Sequence[Filter] | Sequence[Sequence[Filter]]


def _groups(filters: FilterSpec) -> list[list[Filter]]:
    items = list(filters)
    if not items:
        return []
    if all(isinstance(f, Filter) for f in items):
        return [list(items)]  # type: ignore[arg-type]
    groups: list[list[Filter]] = []
    for group in items:
        if (
            isinstance(group, Filter | str)
            or not isinstance(group, Sequence)
            or not all(isinstance(f, Filter) for f in group)
        ):
            raise ValueError("filters must be a list of Filter (AND) or a list of such lists (OR of ANDs)")
        if not group:
            raise ValueError("an OR-group of filters is empty")
        groups.append([f for f in group if isinstance(f, Filter)])
    return groups


def filter_params(filters: FilterSpec | None) -> dict[str, str]:
    """``filterfieldids`` / ``filtervalues`` / ``operatortypes``: ``,`` = AND, ``;`` = OR.

    AFAS documents no escaping of ``,`` and ``;`` inside values, so such values are refused.
    """
    if not filters:
        return {}
    fields: list[str] = []
    values: list[str] = []
    ops: list[str] = []
    for group in _groups(filters):
        gf, gv, go = [], [], []
        for flt in group:
            code = flt.code()
            field = check_connector_id(flt.field) if flt.field else ""
            if not field:
                raise ValueError("a filter needs a field id")
            value = "" if code in VALUELESS_OPERATORS else str(flt.value)
            if any(ch in value for ch in ",;") or any(ord(ch) < 32 for ch in value):
                raise ValueError(
                    f"filter value for {field} contains ',', ';' or a control character, "
                    "which AFAS filters cannot express"
                )
            gf.append(field)
            gv.append(value)
            go.append(str(code))
        fields.append(",".join(gf))
        values.append(",".join(gv))
        ops.append(",".join(go))
    return {
        "filterfieldids": ";".join(fields),
        "filtervalues": ";".join(values),
        "operatortypes": ";".join(ops),
    }


def rows_params(
    *, skip: int, take: int, order_by: Sequence[str], filters: FilterSpec | None = None
) -> dict[str, str]:
    """Query parameters of ``GET /connectors/{id}`` (order: skip, take, orderbyfieldids, filters)."""
    if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
        raise ValueError(f"skip must be an integer >= 0, got {skip!r}")
    if isinstance(take, bool) or not isinstance(take, int) or take < 1:
        raise ValueError(f"take must be an integer >= 1 (take=-1, 'everything', is refused), got {take!r}")
    if isinstance(order_by, str):
        order_by = [order_by]
    if not order_by:
        raise ValueError("order_by is required for stable paging (orderbyfieldids)")
    keys = []
    for key in order_by:
        bare = key[1:] if key.startswith("-") else key
        check_connector_id(bare)
        keys.append(key)
    params = {"skip": str(skip), "take": str(take), "orderbyfieldids": ",".join(keys)}
    params.update(filter_params(filters))
    return params


def query_string(params: Mapping[str, str]) -> str:
    return urlencode(list(params.items()), quote_via=quote, safe=",;-")
