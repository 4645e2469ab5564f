"""Dates and numbers of a ``.gcn`` out of range: one GcnError line (exit 2), never an internal error.

Every date a file carries is checked: the ZIP NTFS times (FILETIME ticks), the ZIP DOS date/time, the
record's CrDt/ChDt (.NET ticks in format 8, Delphi OLE dates in formats 5 and 7) and the header's
OLE dates. The fuzzers set exactly these fields to arbitrary values and read the file the way
``gcn show`` and ``gcn import`` do (definition → YAML → definition).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import math
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afasgov.cli import main
from afasgov.gcn import build_gcn, zipmember
from afasgov.gcn.codec import GcnDocument, _date, encode_member, read_gcn, write_gcn
from afasgov.gcn.errors import GcnError
from afasgov.gcn.streams import flatten, write_binary_stream
from afasgov.gcn.values import DotNetDate, OleDate, Value
from afasgov.gcn.variant import write_variant
from afasgov.gcn.yamlio import from_yaml, to_json, to_yaml

from .fixtures import employees_gcn, spec

GOOD = employees_gcn()
MAX_TICKS = DotNetDate.from_datetime(dt.datetime(9999, 12, 31, 23, 59, 59, 999_999))
#: the last OLE date that still rounds into 9999-12-31
OLE_MAX = OleDate.from_datetime(dt.datetime(9999, 12, 31, 23, 59, 59, 400_000))


def _doc() -> GcnDocument:
    return read_gcn(GOOD, source="fixture.gcn")


def _with_zip(doc: GcnDocument, zipm: zipmember.ZipMember, header: list[Value] | None = None) -> bytes:
    out = list(header if header is not None else doc.header)
    out[14] = zipmember.write_zip(zipm)
    return write_variant(out)


def _ntfs(doc: GcnDocument, mtime: int, atime: int | None = None, ctime: int | None = None) -> bytes:
    """The fixture with other NTFS times in the central extra field (everything else unchanged)."""
    extra = doc.zip.central_extra
    at = extra.index(b"\x0a\x00\x20\x00")
    times = zipmember.ntfs_filetimes(extra)
    assert times is not None
    new = struct.pack(
        "<QQQ", mtime, times[1] if atime is None else atime, times[2] if ctime is None else ctime
    )
    patched = extra[: at + 12] + new + extra[at + 36 :]
    return _with_zip(doc, dataclasses.replace(doc.zip, central_extra=patched))


def _record(doc: GcnDocument, **values: Value) -> bytes:
    """The fixture with record properties (``CrDt``…) set to ``values`` (format 8 stream re-packed)."""
    items = list(doc.items)
    for prop, value in values.items():
        items[doc.layout.record[prop][0]] = value
    member = base64.b64encode(write_binary_stream(doc.g3_reserved, flatten(items)))
    zipm = dataclasses.replace(
        doc.zip, compressed=zipmember.deflate(member), size=len(member), crc=zlib.crc32(member)
    )
    return _with_zip(doc, zipm)


def _error(data: bytes) -> str:
    with pytest.raises(GcnError) as info:
        read_gcn(data, source="bad.gcn")
    text = str(info.value)
    assert text.startswith("bad.gcn: ") and "\n" not in text and info.value.exit_code == 2
    return text


def _shown(data: bytes) -> None:
    """What ``gcn show``/``gcn import`` do with a file: read, YAML and JSON, read the YAML back."""
    try:
        doc = read_gcn(data, source="fuzz.gcn")
    except GcnError as exc:
        assert str(exc).startswith("fuzz.gcn: ") and "\n" not in str(exc)
        return
    write_gcn(doc)
    to_json(doc.definition)
    assert from_yaml(to_yaml(doc.definition)) == doc.definition


# ------------------------------------------------------------------------------------ ZIP NTFS time
@pytest.mark.parametrize("ticks", [2**64 - 1, 2**63, 2_650_467_744_000_000_000])
def test_ntfs_time_beyond_year_9999_is_one_error(ticks: int) -> None:
    text = _error(_ntfs(_doc(), ticks))
    assert "NTFS" in text and "out of the representable date range" in text and "ZIP" in text


def test_ntfs_access_and_creation_times_are_checked_too() -> None:
    assert "NTFS" in _error(_ntfs(_doc(), 0, atime=2**64 - 1))
    assert "NTFS" in _error(_ntfs(_doc(), 0, ctime=2**64 - 1))


def test_ntfs_time_at_the_edges_of_the_range_reads() -> None:
    last = zipmember.datetime_to_filetime(dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC))
    d = read_gcn(_ntfs(_doc(), last)).definition
    assert d.export.exported_at_utc == dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    assert from_yaml(to_yaml(d)) == d
    first = read_gcn(_ntfs(_doc(), 0)).definition
    assert first.export.exported_at_utc == dt.datetime(1601, 1, 1, tzinfo=dt.UTC)
    assert from_yaml(to_yaml(first)) == first


# -------------------------------------------------------------------------------------- DOS date
@pytest.mark.parametrize(("dos_date", "dos_time"), [(0, 0), (0xFFFF, 0xFFFF), (1 << 5, 0), (33, 0xBFFF)])
def test_impossible_dos_date_reads_as_unknown(dos_date: int, dos_time: int) -> None:
    doc = _doc()
    d = read_gcn(_with_zip(doc, dataclasses.replace(doc.zip, dos_date=dos_date, dos_time=dos_time))).definition
    assert d.export.exported_at is None
    assert from_yaml(to_yaml(d)) == d


# ------------------------------------------------------------------------------ record CrDt / ChDt
def test_dotnet_date_rounding_past_year_9999_is_one_error() -> None:
    assert "CrDt is out of the representable date range" in _error(_record(_doc(), CrDt=DotNetDate(MAX_TICKS)))


@pytest.mark.parametrize("ticks", [(1 << 62) - 1, (1 << 63) - 1])
def test_dotnet_ticks_beyond_year_9999_are_one_error(ticks: int) -> None:
    assert "ChDt is out of the representable date range" in _error(_record(_doc(), ChDt=DotNetDate(ticks)))


def test_dotnet_date_of_year_1_reads_and_round_trips() -> None:
    d = read_gcn(_record(_doc(), CrDt=DotNetDate(0))).definition
    assert d.created_at == dt.datetime(1, 1, 1)
    assert from_yaml(to_yaml(d)) == d


@pytest.mark.parametrize(
    "value", [math.inf, -math.inf, math.nan, 1e300, -1e300, float(OLE_MAX) + 1.0, -700_000.0]
)
def test_ole_dates_out_of_range_are_one_error(value: float) -> None:
    with pytest.raises(GcnError, match="CrDt is out of the representable date range"):
        _date(OleDate(value), "CrDt")


def test_ole_date_rounding_past_year_9999_is_one_error() -> None:
    with pytest.raises(GcnError, match="out of the representable date range"):
        _date(OleDate(2_958_465.999_999_99), "ChDt")
    assert _date(OleDate(0.0), "ChDt") is None  # Delphi's "no date"
    assert _date(OLE_MAX, "ChDt") == dt.datetime(9999, 12, 31, 23, 59, 59)


# ------------------------------------------------------------------------------- the commands
def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_show_and_audit_report_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afasgov.yaml").write_text("environments: {}\n", encoding="utf-8")
    (tmp_path / "bad.gcn").write_bytes(_ntfs(_doc(), 2**64 - 1))
    for args in (
        ["gcn", "show", "bad.gcn"],
        ["gcn", "import", "bad.gcn"],
        ["audit", "--gcn", "bad.gcn", "--no-secret-scan"],
    ):
        code, _out, err = _cli(args, capsys)
        assert code == 2, (args, err)
        assert err.count("\n") == 1 and "internal error" not in err and "out of the representable" in err
    assert not (tmp_path / "definitions").exists()


# ------------------------------------------------------------------------------------- building
@pytest.mark.parametrize(
    ("exported", "needle"),
    [("1979-12-31T23:59:58", "1980"), ("2108-01-01T00:00:00", "2107"), ("0001-01-01T00:30:00", "1980")],
)
def test_build_refuses_export_times_a_zip_cannot_hold(exported: str, needle: str) -> None:
    with pytest.raises(GcnError, match=needle):
        build_gcn(spec(exported_at=exported))


def test_build_accepts_extreme_history_dates() -> None:
    d = read_gcn(build_gcn(spec(created_at="0001-01-01T00:00:00", changed_at="9999-12-31T23:59:59"))).definition
    assert d.created_at == dt.datetime(1, 1, 1) and d.changed_at == dt.datetime(9999, 12, 31, 23, 59, 59)


def test_filetime_conversion_refuses_what_a_filetime_cannot_hold() -> None:
    with pytest.raises(GcnError, match="1601"):
        zipmember.datetime_to_filetime(dt.datetime(1600, 12, 31, 23, 59, 59, tzinfo=dt.UTC))
    assert zipmember.datetime_to_filetime(dt.datetime(1601, 1, 1, tzinfo=dt.UTC)) == 0


# -------------------------------------------------------------------------------------- fuzzing
U64 = st.integers(0, 2**64 - 1)
TICKS = st.one_of(
    st.integers(0, 2**63 - 1),
    st.integers(MAX_TICKS - 10**8, MAX_TICKS + 10**8).filter(lambda t: t >= 0),
    st.integers(0, 10**8),
)
OLE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(float(OLE_MAX) - 1.0, float(OLE_MAX) + 1.0),
    st.floats(-693_594.0 - 2.0, -693_594.0 + 2.0),  # around 0001-01-01
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mtime=U64, atime=U64, ctime=U64)
def test_fuzz_ntfs_times(mtime: int, atime: int, ctime: int) -> None:
    _shown(_ntfs(_doc(), mtime, atime, ctime))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dos_date=st.integers(0, 0xFFFF), dos_time=st.integers(0, 0xFFFF))
def test_fuzz_dos_date_and_time(dos_date: int, dos_time: int) -> None:
    doc = _doc()
    _shown(_with_zip(doc, dataclasses.replace(doc.zip, dos_date=dos_date, dos_time=dos_time)))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(created=TICKS, changed=st.one_of(st.none(), TICKS))
def test_fuzz_record_dates(created: int, changed: int | None) -> None:
    _shown(_record(_doc(), CrDt=DotNetDate(created), ChDt=None if changed is None else DotNetDate(changed)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(created=OLE, changed=OLE)
def test_fuzz_header_ole_dates(created: float, changed: float) -> None:
    header = list(_doc().header)
    header[4], header[5] = OleDate(created), OleDate(changed)
    _shown(_with_zip(_doc(), _doc().zip, header))


@settings(max_examples=150, deadline=None)
@given(value=OLE)
def test_fuzz_ole_date_conversion(value: float) -> None:
    try:
        moment = _date(OleDate(value), "CrDt")
    except GcnError as exc:
        assert "out of the representable date range" in str(exc)
    else:
        assert moment is None or moment.microsecond == 0


@functools.cache
def _older(paths: tuple[Path, ...]) -> list[bytes]:
    out = [p.read_bytes() for p in paths]
    return [data for data in out if read_gcn(data).format_version in (5, 7)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.integers(0, 1000), created=OLE, changed=OLE)
def test_fuzz_formats_5_and_7_record_dates(
    gcn_corpus_files: list[Path], which: int, created: float, changed: float
) -> None:
    """The OLE dates of the older formats' records (binary variants in 5, ``H`` tokens in 7)."""
    older = _older(tuple(gcn_corpus_files))
    doc = read_gcn(older[which % len(older)])
    assert doc.format_version in (5, 7)
    items = list(doc.items)
    for prop, value in (("CrDt", created), ("ChDt", changed)):
        for index in doc.layout.record.get(prop, []):
            items[index] = OleDate(value)
    member = encode_member(dataclasses.replace(doc, items=items))
    _shown(_with_zip(doc, zipmember.with_data(doc.zip, member, None)))
