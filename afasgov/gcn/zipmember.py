"""Layer 2: the single-member ZIP archive inside header item 14 (gcn-format.md §5).

A bounded reader of exactly the structure AFAS writes (one local header, one central directory
entry, one end record), in memory only: nothing is ever extracted to disk. Caps protect against zip
bombs: the declared size, the real decompressed size and the compression ratio are all limited, and
decompression stops at the declared size.
"""

from __future__ import annotations

import datetime as _dt
import struct
import zlib
from dataclasses import dataclass, replace
from typing import Final

from afasgov.gcn.errors import GcnError

MEMBER_NAME: Final = "ExternalData"
MAX_MEMBER_SIZE: Final = 16 * 1024 * 1024  # largest sample: ~120 KiB
MAX_RATIO: Final = 200  # uncompressed/compressed; samples: < 12
LAYER: Final = "ZIP"

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")
_NTFS_EPOCH = _dt.datetime(1601, 1, 1, tzinfo=_dt.UTC)


@dataclass(frozen=True)
class ZipMember:
    """Every field of the archive except the member bytes: enough to rewrite it byte for byte."""

    name: str
    version_needed: int
    version_made_by: int
    flags: int
    method: int
    dos_time: int
    dos_date: int
    crc: int
    compressed: bytes
    size: int
    local_extra: bytes
    central_extra: bytes
    comment: bytes
    internal_attr: int
    external_attr: int
    archive_comment: bytes

    @property
    def export_time_local(self) -> _dt.datetime | None:
        """The DOS timestamp (local time of the AFAS environment, 2-second resolution)."""
        try:
            return _dt.datetime(
                1980 + (self.dos_date >> 9),
                (self.dos_date >> 5) & 0xF,
                self.dos_date & 0x1F,
                self.dos_time >> 11,
                (self.dos_time >> 5) & 0x3F,
                (self.dos_time & 0x1F) * 2,
            )
        except ValueError:
            return None

    @property
    def export_time_utc(self) -> _dt.datetime | None:
        """The NTFS modification time of the central extra field (UTC), if present."""
        times = ntfs_times(self.central_extra)
        return times[0] if times else None


def _extra_records(extra: bytes) -> list[tuple[int, bytes]]:
    out = []
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        out.append((tag, extra[pos + 4 : pos + 4 + size]))
        pos += 4 + size
    return out


def ntfs_filetimes(extra: bytes) -> tuple[int, int, int] | None:
    """(mtime, atime, ctime) as FILETIME ticks from an NTFS (0x000A) extra record."""
    for tag, body in _extra_records(extra):
        if tag == 0x000A and len(body) >= 32:
            attr_tag, attr_size = struct.unpack_from("<HH", body, 4)
            if attr_tag == 1 and attr_size == 24:
                m, a, c = struct.unpack_from("<QQQ", body, 8)
                return m, a, c
    return None


#: FILETIME ticks of 9999-12-31T23:59:59.9999999Z: later times (a FILETIME goes up to year 30828)
#: cannot be represented as datetimes
MAX_FILETIME: Final = (
    (_dt.datetime.max.replace(tzinfo=_dt.UTC) - _NTFS_EPOCH) // _dt.timedelta(microseconds=1) * 10 + 9
)
_NTFS_NAMES: Final = ("modification", "access", "creation")


def filetime_to_datetime(value: int, what: str = "NTFS time") -> _dt.datetime:
    """FILETIME ticks (100 ns since 1601-01-01 UTC) as a UTC datetime; :class:`GcnError` when the
    value lies beyond year 9999 (or is negative)."""
    if not 0 <= value <= MAX_FILETIME:
        raise GcnError(
            f"{what} {value} (FILETIME ticks) is out of the representable date range "
            "(1601-01-01 to 9999-12-31)",
            layer=LAYER,
        )
    return _NTFS_EPOCH + _dt.timedelta(microseconds=value // 10)


def ntfs_times(extra: bytes) -> tuple[_dt.datetime, _dt.datetime, _dt.datetime] | None:
    """(mtime, atime, ctime) from an NTFS (0x000A) extra record, as UTC datetimes.

    :class:`GcnError` when one of them cannot be represented (a damaged or hostile archive)."""
    times = ntfs_filetimes(extra)
    if times is None:
        return None
    m, a, c = (
        filetime_to_datetime(t, f"the ZIP NTFS {name} time")
        for t, name in zip(times, _NTFS_NAMES, strict=True)
    )
    return m, a, c


def datetime_to_filetime(moment: _dt.datetime) -> int:
    """FILETIME ticks of ``moment`` (naive = local time); :class:`GcnError` before 1601."""
    try:
        delta = moment.astimezone(_dt.UTC) - _NTFS_EPOCH
    except (OverflowError, ValueError):
        raise GcnError(f"{moment.isoformat()} cannot be converted to UTC", layer=LAYER) from None
    ticks = (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10
    if ticks < 0:
        raise GcnError(
            f"{moment.isoformat()} is before 1601-01-01, the start of ZIP NTFS times", layer=LAYER
        )
    return ticks


def _unicode_path(name: str) -> bytes:
    raw = name.encode("utf-8")
    return struct.pack("<HHBI", 0x7075, 5 + len(raw), 1, zlib.crc32(name.encode("cp437"))) + raw


def make_extras(
    name: str, mtime: int, atime: int | None = None, ctime: int | None = None
) -> tuple[bytes, bytes]:
    """The local and central extra fields AFAS's (Xceed) ZIP writer produces for ``name``.

    ``mtime``/``atime``/``ctime`` are FILETIME ticks (100 ns since 1601, UTC).
    """
    wide = name.encode("utf-16-le")
    nchars = len(name)
    local_nu = struct.pack("<HH4sH", 0x554E, 6 + len(wide), b"NUCX", nchars) + wide
    central_nu = struct.pack("<HH4sHH", 0x554E, 8 + len(wide), b"NUCX", nchars, 0) + wide
    atime = mtime if atime is None else atime
    ctime = mtime if ctime is None else ctime
    ntfs = struct.pack("<HHIHHQQQ", 0x000A, 32, 0, 1, 24, mtime, atime, ctime)
    up = _unicode_path(name)
    return local_nu + up, central_nu + ntfs + up


def dos_datetime(local: _dt.datetime) -> tuple[int, int]:
    """(time, date) in DOS format, seconds truncated to even values; :class:`GcnError` outside the
    years a DOS date can hold (1980 to 2107)."""
    if not 1980 <= local.year <= 2107:
        raise GcnError(
            f"export time {local.isoformat()} cannot be written: a ZIP (DOS) date holds the years "
            "1980 to 2107",
            layer=LAYER,
        )
    time = (local.hour << 11) | (local.minute << 5) | (local.second // 2)
    date = ((local.year - 1980) << 9) | (local.month << 5) | local.day
    return time, date


def read_zip(blob: bytes) -> tuple[ZipMember, bytes]:
    """Parse the archive; return its fields and the decompressed member."""
    end = len(blob)
    if end < _LOCAL.size or blob[:4] != b"PK\x03\x04":
        raise GcnError(
            "item 14 is not a ZIP archive (no local file header 'PK\\x03\\x04')", offset=0, layer=LAYER
        )
    (_, need, flags, method, dtime, ddate, crc, csize, usize, nlen, xlen) = _LOCAL.unpack_from(blob, 0)
    pos = _LOCAL.size
    if pos + nlen + xlen > end:
        raise GcnError("truncated local file header", offset=0, layer=LAYER)
    raw_name = blob[pos : pos + nlen]
    name = raw_name.decode("cp437")
    if name != MEMBER_NAME:
        raise GcnError(
            f"unexpected member name {name[:60]!r} (expected {MEMBER_NAME!r}); nothing was extracted",
            offset=pos,
            layer=LAYER,
        )
    pos += nlen
    local_extra = blob[pos : pos + xlen]
    pos += xlen
    if flags & 0x0001:
        raise GcnError("the ZIP member is encrypted", offset=6, layer=LAYER)
    if flags & 0x0008:
        raise GcnError("the ZIP member uses a data descriptor (not produced by AFAS)", offset=6, layer=LAYER)
    if method != 8:
        raise GcnError(
            f"unsupported ZIP compression method {method} (expected 8, deflate)", offset=8, layer=LAYER
        )
    if usize > MAX_MEMBER_SIZE:
        raise GcnError(
            f"ZIP member declares {usize} bytes uncompressed (limit {MAX_MEMBER_SIZE}): refused as a "
            "possible zip bomb",
            offset=22,
            layer=LAYER,
        )
    if csize == 0 or usize > csize * MAX_RATIO:
        raise GcnError(
            f"ZIP compression ratio {usize}/{csize} exceeds the limit of {MAX_RATIO}: refused as a "
            "possible zip bomb",
            offset=18,
            layer=LAYER,
        )
    if pos + csize > end:
        raise GcnError(
            f"truncated ZIP data: {csize} compressed bytes declared, {end - pos} present",
            offset=pos,
            layer=LAYER,
        )
    compressed = blob[pos : pos + csize]
    data_at = pos
    pos += csize
    # central directory
    if pos + _CENTRAL.size > end or blob[pos : pos + 4] != b"PK\x01\x02":
        raise GcnError(
            "expected the ZIP central directory right after the member data (broken or multi-member archive)",
            offset=pos,
            layer=LAYER,
        )
    cd_at = pos
    (
        _,
        made_by,
        need2,
        flags2,
        method2,
        dtime2,
        ddate2,
        crc2,
        csize2,
        usize2,
        nlen2,
        xlen2,
        clen,
        disk,
        int_attr,
        ext_attr,
        local_off,
    ) = _CENTRAL.unpack_from(blob, pos)
    pos += _CENTRAL.size
    if pos + nlen2 + xlen2 + clen > end:
        raise GcnError("truncated ZIP central directory", offset=cd_at, layer=LAYER)
    name2 = blob[pos : pos + nlen2]
    pos += nlen2
    central_extra = blob[pos : pos + xlen2]
    pos += xlen2
    comment = blob[pos : pos + clen]
    pos += clen
    if (need2, flags2, method2, dtime2, ddate2, crc2, csize2, usize2, name2, disk, local_off) != (
        need,
        flags,
        method,
        dtime,
        ddate,
        crc,
        csize,
        usize,
        raw_name,
        0,
        0,
    ):
        raise GcnError("the ZIP central directory disagrees with the local header", offset=cd_at, layer=LAYER)
    cd_size = pos - cd_at
    if pos + _END.size > end or blob[pos : pos + 4] != b"PK\x05\x06":
        raise GcnError(
            "expected the ZIP end-of-central-directory record (archive has more than one member or "
            "is broken)",
            offset=pos,
            layer=LAYER,
        )
    (_, disk_no, cd_disk, n_disk, n_total, cd_size2, cd_off, alen) = _END.unpack_from(blob, pos)
    end_at = pos
    pos += _END.size
    if (disk_no, cd_disk, n_disk, n_total, cd_size2, cd_off) != (0, 0, 1, 1, cd_size, cd_at):
        raise GcnError(
            "inconsistent ZIP end record (entry count, directory size or offset)", offset=end_at, layer=LAYER
        )
    archive_comment = blob[pos : pos + alen]
    pos += alen
    if pos != end:
        raise GcnError(
            f"{end - pos} unexpected byte(s) after the ZIP end record"
            if pos < end
            else "truncated ZIP end record comment",
            offset=min(pos, end),
            layer=LAYER,
        )
    member = ZipMember(
        name=name,
        version_needed=need,
        version_made_by=made_by,
        flags=flags,
        method=method,
        dos_time=dtime,
        dos_date=ddate,
        crc=crc,
        compressed=compressed,
        size=usize,
        local_extra=local_extra,
        central_extra=central_extra,
        comment=comment,
        internal_attr=int_attr,
        external_attr=ext_attr,
        archive_comment=archive_comment,
    )
    return member, inflate(compressed, usize, crc, offset=data_at)


def inflate(compressed: bytes, size: int, crc: int, *, offset: int = 0) -> bytes:
    """Raw-inflate at most ``size`` bytes; the stream must end exactly there, with matching CRC."""
    engine = zlib.decompressobj(-15)
    try:
        data = engine.decompress(compressed, size + 1)
    except zlib.error as exc:
        raise GcnError(f"broken deflate stream ({exc})", offset=offset, layer=LAYER) from None
    if len(data) != size or engine.unconsumed_tail or not engine.eof:
        if len(data) > size or engine.unconsumed_tail:
            raise GcnError(
                f"ZIP member inflates beyond its declared size of {size} bytes", offset=offset, layer=LAYER
            )
        raise GcnError(
            f"broken or truncated deflate stream ({len(data)} of {size} bytes)", offset=offset, layer=LAYER
        )
    if engine.unused_data:
        raise GcnError("unexpected bytes after the deflate stream", offset=offset, layer=LAYER)
    if zlib.crc32(data) != crc:
        raise GcnError("ZIP member CRC-32 mismatch (the data is damaged)", offset=offset, layer=LAYER)
    return data


def deflate(data: bytes) -> bytes:
    """Raw deflate as AFAS's format 5 writer does (zlib level 6, memLevel 8)."""
    engine = zlib.compressobj(6, zlib.DEFLATED, -15, 8)
    return engine.compress(data) + engine.flush()


def with_data(member: ZipMember, data: bytes, original: bytes | None) -> ZipMember:
    """The member holding ``data``: the original deflate stream is reused when ``data`` is unchanged."""
    if original is not None and data == original:
        return member
    return replace(member, compressed=deflate(data), size=len(data), crc=zlib.crc32(data))


def write_zip(member: ZipMember) -> bytes:
    raw_name = member.name.encode("cp437")
    local = (
        _LOCAL.pack(
            b"PK\x03\x04",
            member.version_needed,
            member.flags,
            member.method,
            member.dos_time,
            member.dos_date,
            member.crc,
            len(member.compressed),
            member.size,
            len(raw_name),
            len(member.local_extra),
        )
        + raw_name
        + member.local_extra
    )
    cd_at = len(local) + len(member.compressed)
    central = _CENTRAL.pack(
        b"PK\x01\x02",
        member.version_made_by,
        member.version_needed,
        member.flags,
        member.method,
        member.dos_time,
        member.dos_date,
        member.crc,
        len(member.compressed),
        member.size,
        len(raw_name),
        len(member.central_extra),
        len(member.comment),
        0,
        member.internal_attr,
        member.external_attr,
        0,
    )
    central += raw_name + member.central_extra + member.comment
    end = _END.pack(b"PK\x05\x06", 0, 0, 1, 1, len(central), cd_at, len(member.archive_comment))
    return b"".join((local, member.compressed, central, end, member.archive_comment))


def new_member(data: bytes, exported_local: _dt.datetime, exported_utc: _dt.datetime) -> ZipMember:
    """A member as AFAS's exporter writes it (for files built by afasgov)."""
    local_extra, central_extra = make_extras(MEMBER_NAME, datetime_to_filetime(exported_utc))
    dtime, ddate = dos_datetime(exported_local)
    return ZipMember(
        name=MEMBER_NAME,
        version_needed=20,
        version_made_by=45,
        flags=0,
        method=8,
        dos_time=dtime,
        dos_date=ddate,
        crc=zlib.crc32(data),
        compressed=deflate(data),
        size=len(data),
        local_extra=local_extra,
        central_extra=central_extra,
        comment=b"",
        internal_attr=0,
        external_attr=0x20,
        archive_comment=b"",
    )
