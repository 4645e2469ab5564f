"""Unit and property tests of the layers: text streams, flattening, the G3 stream, SQL, filters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov.gcn.errors import GcnError
from afasgov.gcn.filters import RawCriterion, RawFilter, RawGroup, parse_filter
from afasgov.gcn.sql import InsertStatement, parse_insert
from afasgov.gcn.streams import (
    escape,
    flatten,
    parse_binary_stream,
    parse_text_stream,
    unescape,
    unflatten,
    write_binary_stream,
    write_text_stream,
)
from afasgov.gcn.values import EMPTY, DotNetDate, OleDate, SmallInt, decode_ansi, encode_ansi
from afasgov.gcn.variant import read_variant, write_variant

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
ansi_text = st.text(
    st.sampled_from([chr(c) for c in range(0, 256) if c not in range(0x80, 0xA0)] + ["€", "é"]), max_size=30
)
ints = st.integers(-(2**31), 2**31 - 1)
smallints = st.integers(-(2**15), 2**15 - 1).map(SmallInt)
text_scalars = st.one_of(
    st.none(),
    st.booleans(),
    ints,
    smallints,
    text,
    # the text stream holds dates as %.15g, so only such values survive exactly
    st.floats(0, 100000, allow_nan=False).map(lambda f: OleDate(float(f"{f:.15g}"))),
)


@given(text)
def test_escape_round_trip(value: str) -> None:
    escaped = escape(value)
    assert "@" not in escaped and not any(ord(c) < 0x20 for c in escaped)
    assert unescape(escaped) == value


def test_escape_examples() -> None:
    assert escape("~*NOW*~DDm3@") == "~A*NOW*~ADDm3~B"
    assert escape(escape("~*NOW*~DDm3@")) == "~AA*NOW*~AADDm3~AB"  # nested, as inside a G2 SQL literal
    assert escape("a\r\nb\tc~d@") == "a~-~*b~)c~Ad~B"
    assert unescape("~*NOW*~DD@".replace("~", "~A").replace("@", "~B")) == "~*NOW*~DD@"


@given(st.lists(text_scalars, max_size=20))
def test_text_stream_round_trip(values: list[object]) -> None:
    if not values:
        return
    encoded = write_text_stream(values)  # type: ignore[arg-type]
    decoded = parse_text_stream(encoded)
    assert decoded == values
    assert [type(v) for v in decoded] == [type(v) for v in values]
    assert write_text_stream(decoded) == encoded


def test_text_stream_known_tokens() -> None:
    assert parse_text_stream("D1D@D2AF8@CF@L@L1@A@IGuid@H 44568.4732175926") == [
        29,
        11000,
        SmallInt(15),
        False,
        True,
        None,
        "Guid",
        OleDate(44568.4732175926),
    ]


@pytest.mark.parametrize(
    "bad", ["X1", "D", "Dz", "D0001", "D123456789", "L2", "Ax", "I~Z", "", "C12345", "H abc"]
)
def test_text_stream_rejects(bad: str) -> None:
    with pytest.raises(GcnError):
        parse_text_stream(bad)


nested = st.recursive(
    st.one_of(st.none(), ints, text, st.booleans()), lambda c: st.lists(c, max_size=5), max_leaves=30
)


@given(st.lists(nested, max_size=8))
def test_flatten_is_inverse_of_unflatten(value: list[object]) -> None:
    flat = flatten(value)  # type: ignore[arg-type]
    assert unflatten(flat, layer="t") == value


@given(
    st.lists(
        st.one_of(st.none(), st.booleans(), ints, text, st.integers(0, 2**62).map(DotNetDate)), max_size=20
    )
)
def test_binary_stream_round_trip(values: list[object]) -> None:
    data = write_binary_stream(b"\x00\x00", values)  # type: ignore[arg-type]
    reserved, decoded = parse_binary_stream(data)
    assert reserved == b"\x00\x00" and decoded == values
    assert [type(v) for v in decoded] == [type(v) for v in values]


def test_binary_stream_long_string_length() -> None:
    data = write_binary_stream(b"\x00\x00", ["x" * 4228])
    assert data[18:21] == b"\x09\x84\x21"


@given(
    st.recursive(
        st.one_of(
            st.none(),
            st.just(EMPTY),
            st.booleans(),
            ints,
            smallints,
            ansi_text,
            st.floats(-1e6, 1e6, allow_nan=False).map(OleDate),
            st.binary(max_size=10),
        ),
        lambda c: st.lists(c, max_size=5),
        max_leaves=30,
    )
)
def test_variant_round_trip(value: object) -> None:
    data = write_variant(value)  # type: ignore[arg-type]
    back = read_variant(data, layer="t")
    assert back == value
    assert write_variant(back) == data


@given(ansi_text)
def test_ansi_round_trip(value: str) -> None:
    assert decode_ansi(encode_ansi(value)) == value


def test_ansi_rejects_outside_cp1252() -> None:
    with pytest.raises(UnicodeEncodeError):
        encode_ansi("漢")


sql_values = st.one_of(st.none(), st.integers(-(10**9), 10**9), text)
idents = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,20}", fullmatch=True)


@given(
    st.lists(st.tuples(idents, sql_values), min_size=1, max_size=12, unique_by=lambda t: t[0]),
    st.sampled_from(["upper", "lower"]),
)
def test_sql_round_trip(pairs: list[tuple[str, object]], style: str) -> None:
    stmt = InsertStatement("AfasMdViewField", [p[0] for p in pairs], [p[1] for p in pairs], style)  # type: ignore[misc]
    rendered = stmt.render()
    back = parse_insert(rendered)
    assert back == stmt
    assert back.render() == rendered


@pytest.mark.parametrize(
    "bad",
    [
        "DELETE FROM x",
        "INSERT T (a) VALUES(1",
        "INSERT T (a, b) VALUES(1)",
        "INSERT T (a) VALUES(1,2)",
        "INSERT T (a) VALUES('x)",
        "INSERT T (a) VALUES(1.5)",
        "INSERT T (a) VALUES(0x10)",
        "INSERT T (a) VALUES(1) ",
        "INSERT T (a,b) VALUES(1,2)",
        "INSERT T (a, a) VALUES(1,2)",
        "insert T (a) VALUES(1)",
        "INSERT T (a) VALUES(" + "'" * 5001 + ")",
    ],
)
def test_sql_rejects(bad: str) -> None:
    with pytest.raises(GcnError):
        parse_insert(bad)


def test_sql_is_linear_on_hostile_quotes() -> None:
    # many doubled quotes: must not backtrack (a regex-based parser would explode)
    value = "''" * 20000
    stmt = parse_insert(f"INSERT T (a) VALUES('{value}')")
    assert stmt.values == ["'" * 20000]


criteria = st.builds(
    RawCriterion,
    field=idents,
    value=text,
    operator=st.integers(1, 15),
    extra=st.none(),
    kind=st.sampled_from([0, 2]),
    flag=st.just(0),
)
groups = st.builds(
    RawGroup,
    name=st.just(""),
    kind=st.sampled_from([0, 2]),
    flag=st.sampled_from([0, 1]),
    criteria=st.lists(criteria, min_size=1, max_size=4),
    trailer=st.just((False, False)),
)


@settings(max_examples=100)
@given(st.sampled_from(["C", "D"]), st.lists(groups, max_size=4))
def test_filter_round_trip(style: str, gs: list[RawGroup]) -> None:
    raw = RawFilter(style=style, groups=gs)
    encoded = raw.encode()
    assert parse_filter(encoded) == raw


def test_filter_known_example() -> None:
    text_ = "C1@D1@C3@I@D2@D1@C1@D2@C2@IU001@I!=iedereen@CF@A@D2@D0@C2@IU002@I=0@CF@A@D2@D0@L@L"
    raw = parse_filter(text_)
    assert raw.style == "C"
    assert [(c.field, c.value, c.operator) for c in raw.groups[0].criteria] == [
        ("U001", "!=iedereen", 15),
        ("U002", "=0", 15),
    ]
    assert parse_filter("D1@D0").groups == []


@pytest.mark.parametrize(
    "bad",
    [
        "C1@D1",
        "C1@D1@C3@I@D2@D1@C1@D1@C2@IU1@Ix@C10@A@D2@D0@L@L",
        "C1@D1@C3@I@D2@D1@D1@D0@L@L",
        "C2@D0",
        "C1@D0@L",
    ],
)
def test_filter_rejects(bad: str) -> None:
    with pytest.raises(GcnError):
        parse_filter(bad)
