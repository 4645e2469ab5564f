"""Scalar value types shared by the three stream encodings of a ``.gcn`` file.

The codec keeps every value with the exact type it had in the file, so that a file re-serialises
byte for byte. Python types map to the Delphi/.NET types as follows:

=====================  =============================  ===================================
Python                 meaning                        G1 binary / text letter / G3 tag
=====================  =============================  ===================================
``None``               NULL                           ``01 00`` (varNull) / ``A`` / ``00``
``EMPTY``              varEmpty (G1 only)             ``00 00`` / - / -
``bool``               boolean                        ``0B 00`` / ``L`` / ``0A``
``SmallInt``           16-bit integer                 ``02 00`` / ``C`` / -
``int``                32-bit integer                 ``03 00`` / ``D`` / ``02``
``OleDate``            Delphi TDateTime (float days)  ``07 00`` / ``H`` / -
``DotNetDate``         .NET DateTime ticks            - / - / ``08``
``str``                string                         ``08 00`` / ``I`` / ``09``
``bytes``              byte array (G1 outer only)     ``11 20`` / - / -
``list``               variant array                  ``0C 20`` / flattened / flattened
``RawToken``           text token kept verbatim       - / any / -
=====================  =============================  ===================================
"""

from __future__ import annotations

import codecs
import datetime as _dt
from typing import Final, TypeAlias

OLE_EPOCH: Final = _dt.datetime(1899, 12, 30)
TICKS_EPOCH: Final = _dt.datetime(1, 1, 1)
TICKS_MASK: Final = (1 << 62) - 1


class _Empty:
    """The Delphi ``varEmpty`` value (distinct from NULL in G1 binary streams)."""

    _instance: _Empty | None = None

    def __new__(cls) -> _Empty:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "EMPTY"

    def __reduce__(self) -> str:
        return "EMPTY"


EMPTY: Final = _Empty()


class SmallInt(int):
    """A 16-bit Delphi ``varSmallint`` (letter ``C``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"SmallInt({int(self)})"


class OleDate(float):
    """A Delphi ``TDateTime``: days since 1899-12-30 (letter ``H``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"OleDate({float(self)!r})"

    def to_datetime(self) -> _dt.datetime:
        return OLE_EPOCH + _dt.timedelta(days=float(self))

    @classmethod
    def from_datetime(cls, value: _dt.datetime) -> OleDate:
        delta = value.replace(tzinfo=None) - OLE_EPOCH
        return cls(delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400.0)


class DotNetDate(int):
    """A .NET ``DateTime`` as raw int64 (ticks of 100 ns since 0001-01-01; top 2 bits = kind)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"DotNetDate({int(self)})"

    def to_datetime(self) -> _dt.datetime:
        ticks = int(self) & TICKS_MASK
        return TICKS_EPOCH + _dt.timedelta(microseconds=ticks // 10)

    @classmethod
    def from_datetime(cls, value: _dt.datetime) -> DotNetDate:
        delta = value.replace(tzinfo=None) - TICKS_EPOCH
        return cls((delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10)


class RawToken(str):
    """A text-stream token whose canonical re-encoding differs from the file: written verbatim."""

    __slots__ = ()


Scalar: TypeAlias = _Empty | bool | int | float | str | bytes | None
Value: TypeAlias = Scalar | list["Value"]


def is_null(value: object) -> bool:
    """NULL or varEmpty."""
    return value is None or value is EMPTY


# ------------------------------------------------------------------------------------- cp1252 text
# G1/G2 strings are one byte per character. All samples are ASCII; we decode as Windows-1252 (the
# Delphi ANSI code page of Dutch installations) and map its five undefined bytes to U+0081 etc. so
# that every byte string decodes and re-encodes losslessly.
_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def _cp1252_errors(exc: UnicodeError) -> tuple[str | bytes, int]:
    if isinstance(exc, UnicodeDecodeError):
        byte = exc.object[exc.start]
        if byte in _UNDEFINED:
            return chr(byte), exc.start + 1
        raise exc  # pragma: no cover - every other byte is defined in cp1252
    if isinstance(exc, UnicodeEncodeError):
        char = exc.object[exc.start]
        if ord(char) in _UNDEFINED:
            return bytes([ord(char)]), exc.start + 1
        raise exc
    raise exc  # pragma: no cover


codecs.register_error("afasgov-cp1252", _cp1252_errors)


def decode_ansi(data: bytes) -> str:
    if data.isascii():
        return data.decode("ascii")
    return data.decode("cp1252", errors="afasgov-cp1252")


def encode_ansi(text: str) -> bytes:
    """Encode for G1/G2; raises ``UnicodeEncodeError`` for characters outside Windows-1252."""
    if text.isascii():
        return text.encode("ascii")
    return text.encode("cp1252", errors="afasgov-cp1252")
