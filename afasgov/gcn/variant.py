"""Layer 1: the Delphi OleVariant binary stream (outer file, and G1 ExternalData). gcn-format.md §3."""

from __future__ import annotations

import math
import struct
from typing import Final

from afasgov.gcn.errors import GcnError
from afasgov.gcn.values import EMPTY, OleDate, SmallInt, Value, _Empty, decode_ansi, encode_ansi

VT_EMPTY: Final = 0x0000
VT_NULL: Final = 0x0001
VT_SMALLINT: Final = 0x0002
VT_INTEGER: Final = 0x0003
VT_DATE: Final = 0x0007
VT_OLESTR: Final = 0x0008
VT_BOOLEAN: Final = 0x000B
VT_ARRAY_VARIANT: Final = 0x200C
VT_ARRAY_BYTE: Final = 0x2011

MAX_DEPTH: Final = 16

_U16 = struct.Struct("<H")
_I16 = struct.Struct("<h")
_I32 = struct.Struct("<i")
_F64 = struct.Struct("<d")
_ARRAY_HEAD = struct.Struct("<HHii")  # vartype, dims, count, low bound


class VariantReader:
    """Bounded, non-recursive-in-data reader of one variant value at a time."""

    __slots__ = ("data", "end", "layer", "pos")

    def __init__(self, data: bytes, *, layer: str, start: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = start
        self.end = len(data) if end is None else end
        self.layer = layer

    def _need(self, n: int, what: str) -> None:
        if self.pos + n > self.end:
            raise GcnError(
                f"truncated: {what} needs {n} byte(s), {self.end - self.pos} left",
                offset=self.pos,
                layer=self.layer,
            )

    def read(self, depth: int = 0) -> Value:
        data = self.data
        self._need(2, "type tag")
        start = self.pos
        (vt,) = _U16.unpack_from(data, start)
        self.pos = start + 2
        if vt == VT_OLESTR:
            self._need(2, "string length")
            (n,) = _U16.unpack_from(data, self.pos)
            self.pos += 2
            self._need(n, "string")
            text = decode_ansi(data[self.pos : self.pos + n])
            self.pos += n
            return text
        if vt == VT_INTEGER:
            self._need(4, "integer")
            integer: int = _I32.unpack_from(data, self.pos)[0]
            self.pos += 4
            return integer
        if vt == VT_SMALLINT:
            self._need(2, "smallint")
            (i,) = _I16.unpack_from(data, self.pos)
            self.pos += 2
            return SmallInt(i)
        if vt == VT_BOOLEAN:
            self._need(2, "boolean")
            (i,) = _I16.unpack_from(data, self.pos)
            if i not in (0, -1):
                raise GcnError(
                    f"boolean with value {i} (expected 0 or -1)", offset=self.pos, layer=self.layer
                )
            self.pos += 2
            return bool(i == -1)
        if vt == VT_NULL:
            return None
        if vt == VT_EMPTY:
            return EMPTY
        if vt == VT_DATE:
            self._need(8, "date")
            (f,) = _F64.unpack_from(data, self.pos)
            if not math.isfinite(f):
                raise GcnError("date is not a finite number", offset=self.pos, layer=self.layer)
            self.pos += 8
            return OleDate(f)
        if vt in (VT_ARRAY_VARIANT, VT_ARRAY_BYTE):
            self._need(10, "array header")
            dims, count, low = struct.unpack_from("<Hii", data, self.pos)
            if dims != 1 or low != 0:
                raise GcnError(
                    f"array with {dims} dimension(s) and low bound {low} "
                    "(only 1-dimensional, 0-based arrays are known)",
                    offset=start,
                    layer=self.layer,
                )
            if count < 0:
                raise GcnError(f"negative array length {count}", offset=start, layer=self.layer)
            self.pos += 10
            if vt == VT_ARRAY_BYTE:
                self._need(count, "byte array")
                blob = data[self.pos : self.pos + count]
                self.pos += count
                return blob
            if count * 2 > self.end - self.pos:
                raise GcnError(
                    f"truncated or inconsistent length: array of {count} elements cannot fit in "
                    f"the {self.end - self.pos} bytes left",
                    offset=start,
                    layer=self.layer,
                )
            if depth >= MAX_DEPTH:
                raise GcnError("arrays nested too deeply", offset=start, layer=self.layer)
            return [self.read(depth + 1) for _ in range(count)]
        raise GcnError(f"unknown variant type tag {vt:#06x}", offset=start, layer=self.layer)


def read_variant(data: bytes, *, layer: str, whole: bool = True) -> Value:
    """Decode one variant value; with ``whole`` the value must span all of ``data``."""
    reader = VariantReader(data, layer=layer)
    value = reader.read()
    if whole and reader.pos != len(data):
        raise GcnError(
            f"{len(data) - reader.pos} unexpected byte(s) after the variant stream",
            offset=reader.pos,
            layer=layer,
        )
    return value


def _write(value: Value, out: list[bytes]) -> None:
    # order matters: bool before int, SmallInt before int, OleDate before float
    if isinstance(value, str):
        raw = encode_ansi(value)
        if len(raw) > 0xFFFF:
            raise GcnError(
                f"string of {len(raw)} bytes is too long for the 2-byte length of format 5 (max 65535)",
                layer="variant writer",
            )
        out.append(b"\x08\x00" + _U16.pack(len(raw)) + raw)
    elif isinstance(value, bool):
        out.append(b"\x0b\x00\xff\xff" if value else b"\x0b\x00\x00\x00")
    elif isinstance(value, SmallInt):
        out.append(b"\x02\x00" + _I16.pack(value))
    elif isinstance(value, int):
        out.append(b"\x03\x00" + _I32.pack(value))
    elif isinstance(value, float):
        out.append(b"\x07\x00" + _F64.pack(value))
    elif value is None:
        out.append(b"\x01\x00")
    elif isinstance(value, _Empty):
        out.append(b"\x00\x00")
    elif isinstance(value, bytes):
        out.append(_ARRAY_HEAD.pack(VT_ARRAY_BYTE, 1, len(value), 0) + value)
    elif isinstance(value, list):
        out.append(_ARRAY_HEAD.pack(VT_ARRAY_VARIANT, 1, len(value), 0))
        for item in value:
            _write(item, out)
    else:  # pragma: no cover - guarded by the type
        raise GcnError(f"cannot write a {type(value).__name__} in a variant stream", layer="variant writer")


def write_variant(value: Value) -> bytes:
    out: list[bytes] = []
    try:
        _write(value, out)
    except UnicodeEncodeError as exc:
        raise GcnError(
            f"text {exc.object[exc.start : exc.end]!r} cannot be written in the Windows-1252 "
            "code page of format 5/7 files",
            layer="variant writer",
        ) from None
    except struct.error as exc:
        raise GcnError(f"number out of range for its variant type: {exc}", layer="variant writer") from None
    return b"".join(out)
