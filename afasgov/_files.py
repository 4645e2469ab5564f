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
* **directories** (:func:`swap_temp_dir`, :func:`swap_dir`, :func:`clean_stale_swaps`): a directory
  written complete in a temporary sibling replaces the previous one in one step (snapshot trees,
  promote bundles); what a killed run left behind is cleaned up (or put back) by the next one;
* **errors**: :class:`OSError` as it is, for the caller to report in its own terms;
  :func:`write_output_text` (a command's ``--output`` file) turns it into
  :class:`~afasgov.errors.InputError` (exit 2, one line).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator
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


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux ≥ 3.15, glibc ≥ 2.28); False where unsupported."""
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Defer Ctrl-C (SIGINT) for the duration of the swap (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


#: the marks of a directory swap's temporary and previous trees: ``.<name><mark><pid>-<random>``
TMP_MARK = ".afasgov-tmp-"
OLD_MARK = ".afasgov-old-"


def swap_temp_dir(target: Path) -> Path:
    """A new, empty ``.<name>.afasgov-tmp-<pid>-<random>`` directory beside ``target``, to fill and
    then :func:`swap_dir` into place.

    Unlike :func:`tempfile.mkdtemp` (always ``0o700``) it gets the mode the umask gives, as every file
    and sub-directory in it does: the tree is renamed into place as it is, and must be as readable as
    any other output (a release manager's colleagues, a CI artifact upload). Leftovers of a killed
    run are removed (or restored) by :func:`clean_stale_swaps`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        tmp = target.parent / f".{target.name}{TMP_MARK}{os.getpid()}-{os.urandom(6).hex()}"
        try:
            os.mkdir(tmp, 0o777)  # the kernel applies the umask: no process-wide umask flip
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(f"cannot create a temporary directory in {target.parent}")  # pragma: no cover


def swap_dir(tmp: Path, target: Path) -> None:
    """Put the complete directory ``tmp`` in the place of ``target`` (the one directory swap of afasgov).

    A missing ``target`` is a rename. Otherwise the two are exchanged atomically where the system can
    (``renameat2(RENAME_EXCHANGE)`` on Linux) and the previous tree removed; elsewhere ``target`` is
    renamed to ``.<name>.afasgov-old-<pid>-<random>`` beside it, ``tmp`` to ``target``, and the old
    tree removed, with Ctrl-C deferred in between and ``target`` put back if the second rename fails
    (a run killed between the two renames leaves the old tree for :func:`clean_stale_swaps` to put
    back). A reader sees the previous tree or the new one, never a half-written one.
    """
    with _sigint_deferred():
        if not target.exists():
            os.rename(tmp, target)
            return
        if _renameat2_exchange(tmp, target):
            shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous tree
            return
        old = target.parent / f".{target.name}{OLD_MARK}{os.getpid()}-{os.urandom(4).hex()}"
        os.rename(target, old)
        try:
            os.rename(tmp, target)
        except BaseException:
            os.rename(old, target)
            raise
    shutil.rmtree(old, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_swaps(target: Path) -> None:
    """Remove the temporary and previous trees of ``target`` left by swaps whose process was killed
    (their pid is gone); a previous tree whose ``target`` is missing (killed between the two renames
    of the fallback swap) is put back instead."""
    try:
        entries = list(os.scandir(target.parent))
    except FileNotFoundError:
        return
    for entry in entries:
        for mark in (TMP_MARK, OLD_MARK):
            prefix = f".{target.name}{mark}"
            if not entry.name.startswith(prefix):
                continue
            pid_text = entry.name[len(prefix) :].split("-", 1)[0]
            if not pid_text.isdigit() or (_pid_alive(int(pid_text)) and int(pid_text) != os.getpid()):
                continue
            if mark == OLD_MARK and not target.exists():
                with contextlib.suppress(OSError):
                    os.rename(entry.path, target)
                    continue
            shutil.rmtree(entry.path, ignore_errors=True)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_label(text: str, *, fallback: str = "x", max_len: int = 80) -> str:
    """A file-name-safe version of ``text``: ``[A-Za-z0-9._-]`` only, no leading dot, bounded length."""
    label = _UNSAFE.sub("-", text).strip("-.")
    label = re.sub(r"-{2,}", "-", label)[:max_len].strip("-.")
    return label or fallback


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
    "clean_stale_swaps",
    "make_output_dir",
    "safe_label",
    "swap_dir",
    "swap_temp_dir",
    "write_output_files",
    "write_output_text",
]
