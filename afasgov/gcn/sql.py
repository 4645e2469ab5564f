"""The SQL ``insert`` statements of the query block (gcn-format.md §7.2).

Only the exact shape AFAS writes is accepted: ``INSERT <Table> (<c1>, <c2>, …) VALUES(<v1>,<v2>,…)``
(format 5) or ``insert <Table> (<c1>, …) values (<v1>,…)`` (formats 7 and 8), values ``NULL``, decimal
integers or ``'…'`` with ``''`` for a quote. The scanner is linear (no regular-expression backtracking)
and the statement must re-render byte for byte from what it parsed, so that editing one value changes
nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from afasgov.gcn.errors import GcnError

SqlValue = str | int | None

_STYLES: Final = {
    # style: (insert keyword, text between the column list and the values)
    "upper": ("INSERT ", ") VALUES("),
    "lower": ("insert ", ") values ("),
}
MAX_COLUMNS: Final = 512


@dataclass
class InsertStatement:
    """One parsed statement; ``values`` maps column → value in column order."""

    table: str
    columns: list[str]
    values: list[SqlValue]
    style: str

    def get(self, column: str) -> SqlValue:
        try:
            return self.values[self.columns.index(column)]
        except ValueError:
            return None

    def has(self, column: str) -> bool:
        return column in self.columns

    def set(self, column: str, value: SqlValue) -> None:
        try:
            self.values[self.columns.index(column)] = value
        except ValueError:
            raise GcnError(f"{self.table} has no column {column}", layer="SQL") from None

    def as_dict(self) -> dict[str, SqlValue]:
        return dict(zip(self.columns, self.values, strict=True))

    def render(self) -> str:
        keyword, middle = _STYLES[self.style]
        parts = []
        for value in self.values:
            if value is None:
                parts.append("NULL")
            elif isinstance(value, bool):  # pragma: no cover - never produced by the parser
                parts.append("'1'" if value else "'0'")
            elif isinstance(value, int):
                parts.append(str(value))
            else:
                parts.append("'" + value.replace("'", "''") + "'")
        return f"{keyword}{self.table} ({', '.join(self.columns)}{middle}{','.join(parts)})"


def _is_ident(text: str) -> bool:
    return bool(text) and len(text) <= 128 and text.isascii() and text.replace("_", "a").isalnum()


def parse_insert(text: str, *, where: str = "query block") -> InsertStatement:
    layer = f"SQL, {where}"
    style = next((name for name, (kw, _) in _STYLES.items() if text.startswith(kw)), None)
    if style is None:
        raise GcnError(f"statement does not start with 'INSERT ' or 'insert ': {text[:40]!r}", layer=layer)
    keyword, middle = _STYLES[style]
    pos = len(keyword)
    paren = text.find(" (", pos, pos + 130)
    if paren < 0:
        raise GcnError("expected ' (' after the table name", offset=pos, layer=layer)
    table = text[pos:paren]
    if not _is_ident(table):
        raise GcnError(f"invalid table name {table[:40]!r}", offset=pos, layer=layer)
    pos = paren + 2
    close = text.find(middle, pos)
    if close < 0:
        raise GcnError(f"expected {middle!r} after the column list", offset=pos, layer=layer)
    columns = text[pos:close].split(", ")
    if len(columns) > MAX_COLUMNS or not all(_is_ident(c) for c in columns):
        raise GcnError("invalid column list", offset=pos, layer=layer)
    if len(set(columns)) != len(columns):
        raise GcnError("duplicate column in the column list", offset=pos, layer=layer)
    pos = close + len(middle)
    values: list[SqlValue] = []
    end = len(text)
    while True:
        if pos >= end:
            raise GcnError("truncated VALUES list", offset=pos, layer=layer)
        ch = text[pos]
        if ch == "'":
            chunks = []
            start = pos + 1
            while True:
                quote = text.find("'", start)
                if quote < 0:
                    raise GcnError("unterminated string literal", offset=pos, layer=layer)
                chunks.append(text[start:quote])
                if quote + 1 < end and text[quote + 1] == "'":
                    chunks.append("'")
                    start = quote + 2
                    continue
                pos = quote + 1
                break
            values.append("".join(chunks))
        elif text.startswith("NULL", pos):
            values.append(None)
            pos += 4
        else:
            stop = pos + 1 if ch == "-" else pos
            while stop < end and text[stop].isdigit() and stop - pos < 12:
                stop += 1
            digits = text[pos:stop]
            if not digits.lstrip("-").isdigit() or not digits.lstrip("-").isascii():
                raise GcnError(
                    f"unexpected SQL value starting {text[pos : pos + 20]!r}", offset=pos, layer=layer
                )
            values.append(int(digits))
            pos = stop
        if len(values) > len(columns):
            raise GcnError(f"more values than the {len(columns)} columns", offset=pos, layer=layer)
        if pos < end and text[pos] == ",":
            pos += 1
            continue
        if pos == end - 1 and text[pos] == ")":
            break
        raise GcnError("expected ',' or a final ')' after a value", offset=pos, layer=layer)
    if len(values) != len(columns):
        raise GcnError(f"{len(values)} values for {len(columns)} columns", layer=layer)
    statement = InsertStatement(table=table, columns=columns, values=values, style=style)
    if statement.render() != text:
        raise GcnError(
            "statement is not in the canonical form AFAS writes (it would not re-render byte for byte)",
            layer=layer,
        )
    return statement
