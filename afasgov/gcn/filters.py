"""``AfasMdFilterData``: OR-groups of AND-criteria in a text scalar stream (gcn-format.md §7.3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from afasgov.gcn.errors import GcnError
from afasgov.gcn.streams import parse_text_stream, write_text_stream
from afasgov.gcn.values import Scalar, SmallInt

OPERATORS: Final[dict[int, str]] = {
    1: "=",
    2: ">=",
    3: "<=",
    4: ">",
    5: "<",
    6: "contains",
    7: "!=",
    8: "empty",
    9: "not empty",
    10: "starts with",
    11: "not contains",
    12: "not starts with",
    13: "ends with",
    14: "not ends with",
    15: "quick filter",
}
OPERATOR_CODES: Final[dict[str, int]] = {name: code for code, name in OPERATORS.items()}
MAX_ITEMS: Final = 10_000
LAYER: Final = "filter"


@dataclass
class RawCriterion:
    field: str
    value: str
    operator: int
    extra: Scalar = None
    kind: int = 2
    flag: int = 0


@dataclass
class RawGroup:
    name: str = ""
    kind: int = 2
    flag: int = 1
    criteria: list[RawCriterion] = field(default_factory=list)
    trailer: tuple[bool, bool] = (False, False)


@dataclass
class RawFilter:
    """A parsed filter stream; ``style`` is ``C`` (markers as smallints) or ``D`` (integers)."""

    style: str = "D"
    version: int = 1
    groups: list[RawGroup] = field(default_factory=list)

    def encode(self) -> str:
        mark = SmallInt if self.style == "C" else int
        out: list[Scalar] = [mark(self.version), len(self.groups)]
        for group in self.groups:
            out += [mark(3), group.name, group.kind, group.flag, mark(1), len(group.criteria)]
            for crit in group.criteria:
                out += [
                    mark(2),
                    crit.field,
                    crit.value,
                    SmallInt(crit.operator),
                    crit.extra,
                    crit.kind,
                    crit.flag,
                ]
            out += [group.trailer[0], group.trailer[1]]
        return write_text_stream(out)


def parse_filter(text: str) -> RawFilter:
    tokens = parse_text_stream(text, layer=LAYER)
    if len(tokens) > MAX_ITEMS:
        raise GcnError("filter has too many items", layer=LAYER)
    pos = 0

    def take(what: str) -> Scalar:
        nonlocal pos
        if pos >= len(tokens):
            raise GcnError(f"truncated filter: missing {what}", layer=LAYER)
        pos += 1
        return tokens[pos - 1]

    def bad(what: str, value: Scalar) -> GcnError:
        return GcnError(f"filter item {pos - 1} ({what}) has an unexpected type: {value!r:.40}", layer=LAYER)

    def text_item(what: str) -> str:
        value = take(what)
        if not isinstance(value, str):
            raise bad(what, value)
        return value

    def flag_item(what: str) -> bool:
        value = take(what)
        if not isinstance(value, bool):
            raise bad(what, value)
        return value

    def int_item(what: str) -> int:
        value = take(what)
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad(what, value)
        return value

    def marker(expected: int, what: str) -> str:
        value = int_item(what)
        if value != expected:
            raise GcnError(
                f"filter item {pos - 1}: expected {what} marker {expected}, found {value}", layer=LAYER
            )
        return "C" if isinstance(value, SmallInt) else "D"

    def integer(what: str) -> int:
        value = int_item(what)
        if isinstance(value, SmallInt):
            raise GcnError(
                f"filter item {pos - 1} ({what}) should be an integer, not a smallint", layer=LAYER
            )
        return int(value)

    def operator() -> int:
        value = int_item("operator")
        if not isinstance(value, SmallInt):
            raise GcnError(f"filter item {pos - 1} (operator) should be a smallint", layer=LAYER)
        if int(value) not in OPERATORS:
            raise GcnError(f"unknown filter operator {int(value)}", layer=LAYER)
        return int(value)

    style = marker(1, "version")
    ngroups = integer("group count")
    if ngroups < 0 or ngroups > MAX_ITEMS:
        raise GcnError(f"invalid filter group count {ngroups}", layer=LAYER)
    result = RawFilter(style=style, version=1)
    for _ in range(ngroups):
        if marker(3, "group") != style:
            raise GcnError("filter mixes smallint and integer markers", layer=LAYER)
        name = text_item("group name")
        kind = integer("group kind")
        flag = integer("group flag")
        if marker(1, "criteria") != style:
            raise GcnError("filter mixes smallint and integer markers", layer=LAYER)
        ncrit = integer("criterion count")
        if ncrit < 0 or ncrit > MAX_ITEMS:
            raise GcnError(f"invalid criterion count {ncrit}", layer=LAYER)
        group = RawGroup(name=name, kind=kind, flag=flag)
        for _ in range(ncrit):
            if marker(2, "criterion") != style:
                raise GcnError("filter mixes smallint and integer markers", layer=LAYER)
            fld = text_item("criterion field")
            value = text_item("criterion value")
            op = operator()
            extra = take("criterion extra")
            group.criteria.append(
                RawCriterion(
                    field=fld,
                    value=value,
                    operator=op,
                    extra=extra,
                    kind=integer("criterion kind"),
                    flag=integer("criterion flag"),
                )
            )
        group.trailer = (flag_item("group end"), flag_item("group end"))
        result.groups.append(group)
    if pos != len(tokens):
        raise GcnError(f"{len(tokens) - pos} unexpected item(s) after the filter groups", layer=LAYER)
    if result.encode() != text:
        raise GcnError("filter is not in canonical form (would not re-encode identically)", layer=LAYER)
    return result
