"""GetConnector rows: paging, sorting, filters (AFAS's operators, AND/OR), determinism."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov.sim.rows import QueryError, generate_rows, query_rows

from .conftest import PROD, auth

URL = f"{PROD}/connectors/Lindeboom_HR_Medewerkers"
FIELDS = [{"id": "Name", "dataType": "string", "length": 40, "_gen": "name"},
          {"id": "Age", "dataType": "int", "length": 3},
          {"id": "Pay", "dataType": "decimal", "length": 12, "decimals": 2, "_gen": "salary"},
          {"id": "Active", "dataType": "boolean", "length": 1},
          {"id": "Start", "dataType": "date", "length": 10, "_gen": "date"},
          {"id": "Note", "dataType": "string", "length": 20, "_gen": "enddate"}]
ROWS = generate_rows(5, "Synthetic", FIELDS, 120)


def _all(c: httpx.Client, query: str) -> list[dict[str, Any]]:
    r = c.get(f"{URL}?{query}", headers=auth())
    assert r.status_code == 200, r.text
    rows: list[dict[str, Any]] = r.json()["rows"]
    return rows


def test_default_take_is_100(client: httpx.Client) -> None:
    body = client.get(URL, headers=auth()).json()
    assert body["skip"] == 0 and body["take"] == 100 and len(body["rows"]) == 100


def test_paging_reassembles_the_ordered_whole(client: httpx.Client) -> None:
    everything = _all(client, "skip=-1&take=-1&orderbyfieldids=Medewerker")
    assert len(everything) == 250
    pages: list[dict[str, Any]] = []
    for skip in range(0, 300, 37):
        pages += _all(client, f"skip={skip}&take=37&orderbyfieldids=Medewerker")
    assert pages == everything
    assert _all(client, "skip=500&take=10") == []


def test_sorting_ascending_descending_and_by_two_fields(client: httpx.Client) -> None:
    asc = [r["Achternaam"] for r in _all(client, "take=-1&skip=-1&orderbyfieldids=Achternaam")]
    assert asc == sorted(asc, key=str.lower)
    desc = [r["Achternaam"] for r in _all(client, "take=-1&skip=-1&orderbyfieldids=-Achternaam")]
    assert desc == sorted(asc, key=str.lower, reverse=True)
    query = "skip=-1&take=-1&orderbyfieldids=Afdeling,-Medewerker"
    two = [(r["Afdeling"], r["Medewerker"]) for r in _all(client, query)]
    assert two == sorted(two, key=lambda t: (t[0].lower(), -int(t[1])))


def test_filters_and_or(client: httpx.Client) -> None:
    hr = _all(client, "skip=-1&take=-1&filterfieldids=Afdeling&filtervalues=HR&operatortypes=1")
    assert hr and all(r["Afdeling"] == "HR" for r in hr)
    both = _all(client, "skip=-1&take=-1&filterfieldids=Afdeling,Geslacht&filtervalues=HR,V&operatortypes=1,1")
    assert both == [r for r in hr if r["Geslacht"] == "V"]
    either = _all(client, "skip=-1&take=-1&filterfieldids=Afdeling;Afdeling&filtervalues=HR;ICT&operatortypes=1;1")
    assert {r["Afdeling"] for r in either} == {"HR", "ICT"}
    assert len(either) == len(hr) + len(_all(client, "skip=-1&take=-1&filterfieldids=Afdeling&filtervalues=ICT"))


def test_filter_on_dates_and_empty(client: httpx.Client) -> None:
    since = _all(client, "skip=-1&take=-1&filterfieldids=In_dienst&filtervalues=2020-01-01&operatortypes=2")
    assert since and all(r["In_dienst"] >= "2020-01-01" for r in since)
    empty = _all(client, "skip=-1&take=-1&filterfieldids=Uit_dienst&filtervalues=&operatortypes=8")
    full = _all(client, "skip=-1&take=-1&filterfieldids=Uit_dienst&filtervalues=&operatortypes=9")
    assert len(empty) + len(full) == 250 and all(r["Uit_dienst"] is None for r in empty)


def _reference(row: dict[str, Any], field: dict[str, Any], op: int, raw: str) -> bool:
    value = row[field["id"]]
    if field["dataType"] == "date" and value is not None:
        value = value.rstrip("Z")  # AFAS compares dates, not their JSON spelling
    text = "" if value is None else str(value).lower()
    needle = raw.lower()
    string_ops = {6: lambda: needle in text, 15: lambda: needle in text, 11: lambda: needle not in text,
                  10: lambda: text.startswith(needle), 12: lambda: not text.startswith(needle),
                  13: lambda: text.endswith(needle), 14: lambda: not text.endswith(needle),
                  8: lambda: value in (None, ""), 9: lambda: value not in (None, "")}
    if op in string_ops:
        return bool(string_ops[op]())
    if value is None:
        return op == 7
    conv: Any = {"int": int, "decimal": float, "boolean": lambda s: s == "true",
                 "date": lambda s: s[:19], "string": str.lower}[field["dataType"]]
    a = conv(raw)
    b = value[:19].rstrip("Z") if field["dataType"] == "date" else (value.lower() if isinstance(value, str) else value)
    return bool({1: a == b, 7: a != b, 2: b >= a, 3: b <= a, 4: b > a, 5: b < a}[op])


@settings(max_examples=150, deadline=None)
@given(st.integers(0, len(FIELDS) - 1), st.sampled_from(list(range(1, 16))), st.integers(0, 119),
       st.integers(0, 3))
def test_filter_operators_agree_with_a_reference(fi: int, op: int, ri: int, cut: int) -> None:
    field = FIELDS[fi]
    value = ROWS[ri][field["id"]]
    if field["dataType"] == "boolean":
        raw = "true" if value else "false"
    elif value is None:
        raw = "x"
    else:
        raw = str(value)[: max(1, len(str(value)) - cut)] if op in (6, 10, 11, 12, 13, 14, 15) else str(value)
        if field["dataType"] == "date":
            raw = raw.rstrip("Z")
    if op in (1, 2, 3, 4, 5, 7) and value is None and field["dataType"] != "string":
        return
    params = {"skip": "-1", "take": "-1", "filterfieldids": field["id"], "filtervalues": raw,
              "operatortypes": str(op)}
    got = query_rows(ROWS, FIELDS, params)["rows"]
    assert got == [r for r in ROWS if _reference(r, field, op, raw)]


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["skip", "take", "orderbyfieldids", "filterfieldids", "filtervalues",
                                        "operatortypes"]), st.text(max_size=12)))
def test_hostile_queries_give_rows_or_a_query_error(params: dict[str, str]) -> None:
    try:
        result = query_rows(ROWS, FIELDS, params)
    except QueryError as exc:
        assert str(exc)
    else:
        assert isinstance(result["rows"], list)


def test_rows_are_deterministic_and_per_column() -> None:
    assert generate_rows(5, "Synthetic", FIELDS, 120) == ROWS
    assert generate_rows(6, "Synthetic", FIELDS, 120) != ROWS
    fewer = generate_rows(5, "Synthetic", FIELDS[:3], 120)
    assert [{k: r[k] for k in ("Name", "Age", "Pay")} for r in ROWS] == fewer


def test_the_same_person_appears_in_every_connector(client: httpx.Client) -> None:
    users = _all(client, "skip=-1&take=-1").copy()
    export = client.get(f"{PROD}/connectors/Lindeboom_HR_Pensioenexport?skip=-1&take=-1", headers=auth()).json()
    assert [r["Medewerker"] for r in users] == [r["Medewerker"] for r in export["rows"]]
    assert [r["Achternaam"] for r in users] == [r["Achternaam"] for r in export["rows"]]


def test_generated_bsn_and_iban_are_valid(client: httpx.Client) -> None:
    rows = client.get(f"{PROD}/connectors/Lindeboom_HR_Pensioenexport?skip=-1&take=-1", headers=auth()).json()["rows"]
    for r in rows:
        digits = list(map(int, r["BSN"]))
        assert len(digits) == 9
        assert (sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]) % 11 == 0
        iban = r["IBAN"]
        moved = iban[4:] + iban[:4]
        assert int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def test_query_errors_are_specific() -> None:
    with pytest.raises(QueryError, match="Nope"):
        query_rows(ROWS, FIELDS, {"filterfieldids": "Nope", "filtervalues": "1", "operatortypes": "1"})
    with pytest.raises(QueryError, match="skip"):
        query_rows(ROWS, FIELDS, {"skip": "x"})


def test_random_paging_property() -> None:
    rng = random.Random(1)
    ordered = query_rows(ROWS, FIELDS, {"skip": "-1", "take": "-1", "orderbyfieldids": "Age,Name"})["rows"]
    for _ in range(50):
        skip, take = rng.randint(0, 130), rng.randint(0, 40)
        page = query_rows(ROWS, FIELDS, {"skip": str(skip), "take": str(take), "orderbyfieldids": "Age,Name"})
        assert page["rows"] == ordered[skip: skip + take]
