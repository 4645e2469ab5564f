"""Atomic file writes: the one implementation every part of afasgov writes files with.

A file is written to a temporary file in the target's own directory (same file system, so the
rename is atomic), named ``.<name>.<random>.tmp``, and renamed over the target with
:func:`os.replace`. A reader sees the old file or the complete new one, never a half-written file;
any error (including ``KeyboardInterrupt``) removes the temporary file and leaves the target as
it was. Parent directories are created.

Policy:

* **fsync**: the file's data is flushed and ``fsync``-ed before the rename, so after a crash or
  power loss the target is the old file or the whole new one, never an empty or truncated one.
  The directory is not ``fsync``-ed: after a power loss the rename itself may be lost (the old
  file is still there); every afasgov output can be written again by running the command again.
* **mode**: ``mode`` if given (``0o600`` for secrets); else what :func:`open` would give
  (``0o666`` less the umask). The temporary file is owner-only (``0o600``) while it is written,
  so a secret is never readable by others, not even for a moment; the mode is set before the
  rename.
* **several files** (:func:`atomic_write_many`): every file is written to its temporary file
  first, and only then are they renamed, one by one. An error while writing (disk full, a
  bad path) changes none of the targets; each rename is atomic, the set as a whole is not.
* **errors**: :class:`OSError` as it is, for the caller to report in its own terms;
  :func:`write_output_text` (a command's ``--output`` file) turns it into
  :class:`~afasgov.errors.InputError` (exit 2, one line).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from afasgov.errors import InputError


def _read_umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


#: read once at import (os.umask is process-wide; flipping it later could race with other threads)
_UMASK = _read_umask()
#: the mode of a new file when the caller gives none: what open() would give
DEFAULT_MODE = 0o666 & ~_UMASK


def _unlink(name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)


#: a file's content: bytes, or chunks of bytes written one after the other (a large generated file
#: need not be held in memory whole)
Data = bytes | Iterable[bytes]


def _write_temp(path: Path, data: Data, mode: int | None) -> str:
    """Write ``data`` to a new temporary sibling of ``path`` (fsync-ed, mode set); its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in (data,) if isinstance(data, bytes) else data:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, DEFAULT_MODE if mode is None else mode)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def atomic_write_many(files: Iterable[tuple[Path, Data]], *, mode: int | None = None) -> None:
    """Write every ``(path, data)``: all temporary files first, then the renames (see the module)."""
    pending: list[tuple[str, Path]] = []
    try:
        for target, data in files:
            path = Path(target)
            pending.append((_write_temp(path, data, mode), path))
        while pending:
            tmp, path = pending[0]
            os.replace(tmp, path)
            pending.pop(0)
    finally:
        for tmp, _ in pending:
            _unlink(tmp)


def atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically (see the module docstring)."""
    atomic_write_many([(Path(path), data)], mode=mode)


def atomic_write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    """:func:`atomic_write_bytes` of ``text`` as UTF-8; line endings are written as they are
    (``\\n`` stays ``\\n`` on every platform)."""
    atomic_write_many([(Path(path), text.encode("utf-8"))], mode=mode)


def make_output_dir(path: Path) -> Path:
    """Create an output directory (and its parents); an OS error is an :class:`InputError` naming it
    (``<dir>: cannot create directory: <reason>``, exit 2)."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError("cannot create directory: it exists and is not a directory", source=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot create directory: {exc.strerror or exc}", source=str(path)) from None
    return path


def write_output_files(files: Iterable[tuple[Path, Data]], *, mode: int | None = None) -> None:
    """:func:`atomic_write_many` for a command's output files; an OS error is an :class:`InputError`
    naming the file (exit 2, one line)."""
    try:
        atomic_write_many(files, mode=mode)
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) else None
        raise InputError(f"cannot write: {exc.strerror or exc}", source=where) from None


def write_output_text(path: Path, text: str) -> None:
    """Write a command's output file atomically; an OS error is an :class:`InputError` naming it."""
    path = Path(path)
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", source=str(path)) from None


__all__ = [
    "DEFAULT_MODE",
    "Data",
    "atomic_write_bytes",
    "atomic_write_many",
    "atomic_write_text",
    "make_output_dir",
    "write_output_files",
    "write_output_text",
]
