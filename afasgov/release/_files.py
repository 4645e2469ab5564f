"""Small file helpers: atomic writes (temp file + rename) and file-name-safe labels."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_label(text: str, *, fallback: str = "x", max_len: int = 80) -> str:
    """A file-name-safe version of ``text``: ``[A-Za-z0-9._-]`` only, no leading dot, bounded length."""
    label = _UNSAFE.sub("-", text).strip("-.")
    label = re.sub(r"-{2,}", "-", label)[:max_len].strip("-.")
    return label or fallback


def atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and an atomic rename.

    A crash or an error leaves either the old file or the new one, never a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            tmp.chmod(mode)
        else:
            tmp.chmod(0o644 & ~_UMASK)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def atomic_write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    """:func:`atomic_write_bytes` of ``text`` as UTF-8 with LF line endings."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def _read_umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


#: read once at import (os.umask is process-wide; flipping it later could race with other threads)
_UMASK = _read_umask()
