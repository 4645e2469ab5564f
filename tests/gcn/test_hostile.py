"""Malformed and hostile inputs: one precise GcnError (an InputError, exit 2), never anything else."""

from __future__ import annotations

import base64
import dataclasses
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afasgov.errors import InputError
from afasgov.gcn import zipmember
from afasgov.gcn.codec import GcnDocument, read_gcn, write_gcn
from afasgov.gcn.errors import GcnError
from afasgov.gcn.streams import flatten, write_binary_stream
from afasgov.gcn.values import Value
from afasgov.gcn.variant import write_variant
from afasgov.gcn.yamlio import from_yaml, to_json, to_yaml

from .fixtures import employees_gcn

GOOD = employees_gcn()


def _doc() -> GcnDocument:
    return read_gcn(GOOD, source="fixture.gcn")


def _with_zip(doc: GcnDocument, blob: bytes) -> bytes:
    header = list(doc.header)
    header[14] = blob
    return write_variant(header)


def _with_member(doc: GcnDocument, member: bytes, **zip_changes: object) -> bytes:
    zipm = dataclasses.replace(
        doc.zip, compressed=zipmember.deflate(member), size=len(member), crc=zlib.crc32(member)
    )
    zipm = dataclasses.replace(zipm, **zip_changes)  # type: ignore[arg-type]
    return _with_zip(doc, zipmember.write_zip(zipm))


def _items_member(doc: GcnDocument, items: list[Value]) -> bytes:
    return base64.b64encode(write_binary_stream(doc.g3_reserved, flatten(items)))


def _error(data: bytes) -> GcnError:
    with pytest.raises(GcnError) as info:
        read_gcn(data, source="bad.gcn")
    assert isinstance(info.value, InputError) and info.value.exit_code == 2
    text = str(info.value)
    assert text.startswith("bad.gcn: ") and "\n" not in text
    return info.value


def test_fixture_is_valid() -> None:
    assert write_gcn(_doc()) == GOOD


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty file"),
        (b"hello world\n", "text file"),
        (b"PK\x03\x04\x14\x00" + b"\x00" * 40, "ZIP archive"),
        (b"\x00\x01\x02\x03", "00 01 02 03"),
        (b"\x0c\x20\x01\x00\x10\x00\x00\x00\x00\x00\x00\x00", "truncated"),
    ],
)
def test_not_a_gcn(data: bytes, needle: str) -> None:
    assert needle in str(_error(data))


def test_truncated_everywhere() -> None:
    for cut in range(1, len(GOOD), 37):
        _error(GOOD[:cut])


def test_trailing_garbage() -> None:
    assert "unexpected byte" in str(_error(GOOD + b"\x00"))


def test_text_conversion_is_recognised() -> None:
    mangled = GOOD.decode("utf-8", errors="replace").encode("utf-8")
    assert mangled != GOOD
    message = str(_error(mangled))
    assert "EF BF BD" in message and "*.gcn binary" in message and ".gitattributes" in message


def test_unknown_type_tag() -> None:
    # header item 13 is the boolean 0B 00 00 00 right before the 11 20 byte array
    at = GOOD.index(b"\x0b\x00\x00\x00\x11\x20")
    data = GOOD[:at] + b"\x0e\x00" + GOOD[at + 2 :]
    assert "unknown variant type tag 0x000e" in str(_error(data))


def test_unknown_format_version() -> None:
    data = GOOD[:12] + b"\x03\x00\x09\x00\x00\x00" + GOOD[18:]
    assert "format version 9" in str(_error(data))


def test_inconsistent_array_length() -> None:
    data = GOOD[:4] + b"\xff\xff\x00\x00" + GOOD[8:]
    assert "cannot fit" in str(_error(data))


def test_unexpected_member_name() -> None:
    doc = _doc()
    zipm = dataclasses.replace(doc.zip, name="../../etc/passwd")
    assert "unexpected member name" in str(_error(_with_zip(doc, zipmember.write_zip(zipm))))


def test_bad_crc() -> None:
    doc = _doc()
    zipm = dataclasses.replace(doc.zip, crc=doc.zip.crc ^ 1)
    assert "CRC" in str(_error(_with_zip(doc, zipmember.write_zip(zipm))))


def test_broken_deflate() -> None:
    doc = _doc()
    zipm = dataclasses.replace(doc.zip, compressed=b"\xff" * len(doc.zip.compressed))
    assert "deflate" in str(_error(_with_zip(doc, zipmember.write_zip(zipm))))


def test_zip_bomb_by_declared_size() -> None:
    doc = _doc()
    zipm = dataclasses.replace(doc.zip, size=zipmember.MAX_MEMBER_SIZE + 1)
    assert "zip bomb" in str(_error(_with_zip(doc, zipmember.write_zip(zipm))))


def test_zip_bomb_by_ratio() -> None:
    doc = _doc()
    bomb = b"\x00" * (4 * 1024 * 1024)
    assert "zip bomb" in str(_error(_with_member(doc, bomb)))


def test_member_inflating_beyond_declared_size() -> None:
    doc = _doc()
    member = doc.member + b"A" * 1000
    zipm = dataclasses.replace(
        doc.zip, compressed=zipmember.deflate(member), size=len(doc.member), crc=zlib.crc32(doc.member)
    )
    assert "beyond its declared size" in str(_error(_with_zip(doc, zipmember.write_zip(zipm))))


def test_second_member_or_garbage_in_zip() -> None:
    doc = _doc()
    blob = zipmember.write_zip(doc.zip)
    local_end = blob.index(b"PK\x01\x02")
    broken = blob[:local_end] + b"PK\x03\x04" + blob[local_end:]
    assert "central directory" in str(_error(_with_zip(doc, broken)))
    assert "after the ZIP end record" in str(_error(_with_zip(doc, blob + b"xx")))


def test_bad_base64() -> None:
    doc = _doc()
    assert "base64" in str(_error(_with_member(doc, b"!!!!" + doc.member[4:])))
    assert "base64" in str(_error(_with_member(doc, doc.member[:-4] + b"\n" + doc.member[-4:])))


def test_bad_g3_magic_and_tags() -> None:
    doc = _doc()
    raw = base64.b64decode(doc.member)
    assert "magic" in str(_error(_with_member(doc, base64.b64encode(b"\x00" + raw[1:]))))
    bad_tag = raw[:18] + b"\x07" + raw[19:]
    assert "unknown type tag 0x07" in str(_error(_with_member(doc, base64.b64encode(bad_tag))))
    truncated = raw[:-3]
    _error(_with_member(doc, base64.b64encode(truncated)))


def test_inconsistent_output_list() -> None:
    doc = _doc()
    items = list(doc.items)
    items[doc.layout.output + 3] = 99  # declared count of output names
    assert "output-name list" in str(_error(_with_member(doc, _items_member(doc, items))))


def test_output_name_for_unknown_field() -> None:
    doc = _doc()
    items = list(doc.items)
    items[doc.layout.output + 4] = "U999"
    assert "U999" in str(_error(_with_member(doc, _items_member(doc, items))))


def test_broken_sql_statement() -> None:
    doc = _doc()
    items = list(doc.items)
    block = list(items[doc.layout.query])  # type: ignore[arg-type]
    block[12] = str(block[12])[:-1]  # drop the closing parenthesis
    items[doc.layout.query] = block
    assert "SQL" in str(_error(_with_member(doc, _items_member(doc, items))))
    block[12] = "DELETE FROM AfasMdView"
    assert "SQL" in str(_error(_with_member(doc, _items_member(doc, items))))


def test_broken_filter() -> None:
    doc = _doc()
    items = list(doc.items)
    block = list(items[doc.layout.query])  # type: ignore[arg-type]
    view = str(block[11])
    start = view.index("'D1@D1@")
    block[11] = view[:start] + "'D1@D5@" + view[start + 7 :]
    items[doc.layout.query] = block
    assert "filter" in str(_error(_with_member(doc, _items_member(doc, items))))


def test_header_disagreeing_with_record() -> None:
    doc = _doc()
    header = list(doc.header)
    header[1] = "0" * 32
    assert "header item 1" in str(_error(write_variant(header)))


# ----------------------------------------------------------------------------------------- fuzzing
def _mutate(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    buf = bytearray(data)
    for kind, pos, value in edits:
        if not buf:
            break
        at = pos % len(buf)
        if kind == 0:
            buf[at] = value
        elif kind == 1:
            del buf[at]
        else:
            buf.insert(at, value)
    return bytes(buf)


EDITS = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1, max_size=4
)


def _read_or_own_error(data: bytes) -> None:
    try:
        doc = read_gcn(data, source="fuzz.gcn")
    except GcnError as exc:
        assert str(exc).startswith("fuzz.gcn: ")
    else:
        write_gcn(doc)  # whatever parsed must also write
        # ... and go through what `gcn show` / `gcn import` do with it (dates and numbers included)
        to_json(doc.definition)
        assert from_yaml(to_yaml(doc.definition)) == doc.definition


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=EDITS)
def test_fuzz_built_fixture(edits: list[tuple[int, int, int]]) -> None:
    _read_or_own_error(_mutate(GOOD, edits))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=EDITS, which=st.integers(0, 1000))
def test_fuzz_corpus_files(
    gcn_corpus_files: list[Path], edits: list[tuple[int, int, int]], which: int
) -> None:
    data = gcn_corpus_files[which % len(gcn_corpus_files)].read_bytes()
    _read_or_own_error(_mutate(data, edits))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=EDITS, which=st.integers(0, 1000))
def test_fuzz_inside_the_member(
    gcn_corpus_files: list[Path], edits: list[tuple[int, int, int]], which: int
) -> None:
    """Mutate the decompressed ExternalData (the outer layers stay valid), re-pack and read."""
    doc = read_gcn(gcn_corpus_files[which % len(gcn_corpus_files)].read_bytes())
    _read_or_own_error(_with_member(doc, _mutate(doc.member, edits)))


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    _read_or_own_error(b"\x0c\x20\x01\x00" + data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=EDITS)
def test_fuzz_inside_the_format8_stream(edits: list[tuple[int, int, int]]) -> None:
    """Mutate the decoded format 8 scalar stream, then re-encode base64 and re-pack."""
    doc = _doc()
    raw = base64.b64decode(doc.member)
    _read_or_own_error(_with_member(doc, base64.b64encode(_mutate(raw, edits))))
