"""Layer 3 encodings: the text scalar stream (§6.2), the G3 binary scalar stream (§6.3) and the
array flattening both use (§6.4)."""

from __future__ import annotations

import math
import re
import struct
from typing import Final

from afasgov.gcn.errors import GcnError
from afasgov.gcn.values import EMPTY, DotNetDate, OleDate, RawToken, Scalar, SmallInt, Value

ARRAY_MARK: Final = 0x2009
MAX_DEPTH: Final = 16

# --------------------------------------------------------------------------------- text escaping
_ESCAPE_RE = re.compile(r"[~@\x00-\x1f]")
_UNESCAPE_RE = re.compile(r"~(.?)", re.DOTALL)


def _esc(match: re.Match[str]) -> str:
    ch = match.group(0)
    if ch == "~":
        return "~A"
    if ch == "@":
        return "~B"
    return "~" + chr(ord(ch) + 0x20)


def escape(text: str) -> str:
    """Escape a payload: ``~``→``~A``, ``@``→``~B``, control char c → ``~`` + chr(c+0x20)."""
    if "~" not in text and "@" not in text and text.isprintable():
        return text
    return _ESCAPE_RE.sub(_esc, text)


def unescape(text: str, *, layer: str = "text stream") -> str:
    if "~" not in text:
        return text

    def repl(match: re.Match[str]) -> str:
        ch = match.group(1)
        if ch == "A":
            return "~"
        if ch == "B":
            return "@"
        if ch and 0x20 <= ord(ch) < 0x40:
            return chr(ord(ch) - 0x20)
        raise GcnError(f"invalid escape '~{ch}' in a text stream", layer=layer)

    return _UNESCAPE_RE.sub(repl, text)


class TextDate(OleDate):
    """An ``H`` token whose text is not ``' %.15g'`` of its value: the original text is kept."""

    text: str

    def __new__(cls, value: float, text: str) -> TextDate:
        obj = super().__new__(cls, value)
        obj.text = text
        return obj


_HEX = re.compile(r"[0-9A-F]{1,8}")


def _parse_hex(payload: str, bits: int, token: str, layer: str) -> int:
    if not _HEX.fullmatch(payload) or (len(payload) > 1 and payload[0] == "0") or len(payload) * 4 > bits:
        raise GcnError(f"invalid integer token {token[:40]!r}", layer=layer)
    value = int(payload, 16)
    if value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


def parse_text_stream(text: str, *, layer: str = "text stream") -> list[Scalar]:
    """Split a text scalar stream into typed scalars."""
    out: list[Scalar] = []
    append = out.append
    for token in text.split("@"):
        if not token:
            raise GcnError("empty token in a text stream", layer=layer)
        letter = token[0]
        payload = token[1:]
        if letter == "I":
            append(unescape(payload, layer=layer) if "~" in payload else payload)
        elif letter == "D":
            append(_parse_hex(payload, 32, token, layer))
        elif letter == "A":
            if payload:
                raise GcnError(f"NULL token with a payload {token[:40]!r}", layer=layer)
            append(None)
        elif letter == "L":
            if payload == "":
                append(False)
            elif payload == "1":
                append(True)
            else:
                raise GcnError(f"invalid boolean token {token[:40]!r}", layer=layer)
        elif letter == "C":
            append(SmallInt(_parse_hex(payload, 16, token, layer)))
        elif letter == "H":
            try:
                number = float(payload)
            except ValueError:
                raise GcnError(f"invalid date token {token[:40]!r}", layer=layer) from None
            if not math.isfinite(number):
                raise GcnError(f"invalid date token {token[:40]!r}", layer=layer)
            append(OleDate(number) if f" {number:.15g}" == payload else TextDate(number, payload))
        else:
            raise GcnError(
                f"unknown type letter {letter!r} in a text stream (token {token[:40]!r})", layer=layer
            )
    return out


def _token(value: Scalar) -> str:
    if isinstance(value, str):
        if isinstance(value, RawToken):
            return str(value)
        return "I" + escape(value)
    if isinstance(value, bool):
        return "L1" if value else "L"
    if isinstance(value, SmallInt):
        return f"C{value & 0xFFFF:X}"
    if isinstance(value, int):
        return f"D{value & 0xFFFFFFFF:X}"
    if isinstance(value, TextDate):
        return "H" + value.text
    if isinstance(value, float):
        return f"H {value:.15g}"
    if value is None or value is EMPTY:
        return "A"
    raise GcnError(f"cannot write a {type(value).__name__} in a text stream", layer="text stream writer")


def write_text_stream(values: list[Scalar]) -> str:
    return "@".join([_token(v) for v in values])


# ---------------------------------------------------------------------------------- flattening
def unflatten(tokens: list[Scalar], *, layer: str) -> list[Value]:
    """Rebuild the nested array of §6.4 from its flat scalar list (must use every token)."""
    pos = 0
    n = len(tokens)

    def marker(at: int) -> int:
        if at >= n:
            raise GcnError("truncated: the flattened array ends early", layer=layer)
        value = tokens[at]
        if type(value) is not int:
            raise GcnError(
                f"expected an integer array marker at token {at}, found {value!r:.40}", layer=layer
            )
        return value

    def array(depth: int) -> list[Value]:
        nonlocal pos
        if depth > MAX_DEPTH:
            raise GcnError("arrays nested too deeply", layer=layer)
        high = marker(pos + 1)
        if marker(pos + 2) != ARRAY_MARK:
            raise GcnError(f"expected the array constant D2009 at token {pos + 2}", layer=layer)
        count = high + 1
        if count < 0 or count * 2 > n - pos - 3:
            raise GcnError(
                f"array of {count} elements at token {pos} cannot fit in the {n - pos - 3} tokens left",
                layer=layer,
            )
        pos += 3
        items: list[Value] = []
        for _ in range(count):
            kind = marker(pos)
            if kind == 0:
                if pos + 1 >= n:
                    raise GcnError("truncated: the flattened array ends early", layer=layer)
                items.append(tokens[pos + 1])
                pos += 2
            elif kind == 1:
                items.append(array(depth + 1))
            else:
                raise GcnError(
                    f"expected array element marker D0 or D1 at token {pos}, found {kind}", layer=layer
                )
        return items

    if marker(0) != 1:
        raise GcnError("the flattened stream does not start with an array (D1)", layer=layer)
    result = array(0)
    if pos != n:
        raise GcnError(f"{n - pos} unexpected token(s) after the flattened array", layer=layer)
    return result


def flatten(value: list[Value]) -> list[Scalar]:
    out: list[Scalar] = []

    def array(items: list[Value]) -> None:
        out.extend((1, len(items) - 1, ARRAY_MARK))
        for item in items:
            if isinstance(item, list):
                array(item)
            else:
                out.append(0)
                out.append(item)

    array(value)
    return out


# ------------------------------------------------------------------------ G3 binary scalar stream
G3_MAGIC: Final = bytes.fromhex("15D283E7CBB8074FAA8A7065D8A6DDBB")
_I32 = struct.Struct("<i")
_I64 = struct.Struct("<q")


def parse_binary_stream(data: bytes, *, layer: str = "G3 binary stream") -> tuple[bytes, list[Scalar]]:
    """Decode magic + 2 reserved bytes + tagged scalars; returns (reserved, scalars)."""
    if len(data) < 18 or data[:16] != G3_MAGIC:
        raise GcnError(
            "format 8 ExternalData does not start with the known 16-byte magic", offset=0, layer=layer
        )
    reserved = data[16:18]
    pos = 18
    end = len(data)
    out: list[Scalar] = []
    append = out.append
    while pos < end:
        tag = data[pos]
        start = pos
        pos += 1
        if tag == 0x09:
            length = 0
            shift = 0
            while True:
                if pos >= end:
                    raise GcnError("truncated string length", offset=start, layer=layer)
                byte = data[pos]
                pos += 1
                length |= (byte & 0x7F) << shift
                if not byte & 0x80:
                    if byte == 0 and shift:
                        raise GcnError("non-canonical string length", offset=start, layer=layer)
                    break
                shift += 7
                if shift > 28:
                    raise GcnError("string length too long", offset=start, layer=layer)
            if pos + length > end:
                raise GcnError(
                    f"truncated: string of {length} bytes, {end - pos} left", offset=start, layer=layer
                )
            try:
                append(data[pos : pos + length].decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise GcnError(
                    f"string is not valid UTF-8 ({exc.reason})", offset=start, layer=layer
                ) from None
            pos += length
        elif tag == 0x02:
            if pos + 4 > end:
                raise GcnError("truncated integer", offset=start, layer=layer)
            append(_I32.unpack_from(data, pos)[0])
            pos += 4
        elif tag == 0x00:
            append(None)
        elif tag == 0x0A:
            if pos >= end:
                raise GcnError("truncated boolean", offset=start, layer=layer)
            if data[pos] > 1:
                raise GcnError(f"boolean with value {data[pos]}", offset=start, layer=layer)
            append(data[pos] == 1)
            pos += 1
        elif tag == 0x08:
            if pos + 8 > end:
                raise GcnError("truncated date", offset=start, layer=layer)
            ticks = _I64.unpack_from(data, pos)[0]
            if ticks < 0:
                raise GcnError("date with a negative tick count", offset=start, layer=layer)
            append(DotNetDate(ticks))
            pos += 8
        else:
            raise GcnError(
                f"unknown type tag {tag:#04x} in the format 8 binary stream", offset=start, layer=layer
            )
    return reserved, out


def _varlen(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def write_binary_stream(reserved: bytes, values: list[Scalar]) -> bytes:
    out = [G3_MAGIC, reserved]
    append = out.append
    for value in values:
        if isinstance(value, str):
            raw = value.encode("utf-8")
            append(b"\x09" + _varlen(len(raw)) + raw)
        elif isinstance(value, bool):
            append(b"\x0a\x01" if value else b"\x0a\x00")
        elif isinstance(value, DotNetDate):
            append(b"\x08" + _I64.pack(value))
        elif isinstance(value, int):
            try:
                append(b"\x02" + _I32.pack(value))
            except struct.error:
                raise GcnError(f"integer {value} out of range", layer="G3 writer") from None
        elif value is None or value is EMPTY:
            append(b"\x00")
        else:
            raise GcnError(f"cannot write a {type(value).__name__} in a format 8 stream", layer="G3 writer")
    return b"".join(out)
