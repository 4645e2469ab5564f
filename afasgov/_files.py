"""File I/O: the one bounded reader every input goes through, and atomic writes.

**Reading** (:func:`read_input`, :func:`read_input_text`): every file afasgov reads (configuration,
waivers, policy, integration manifests, payloads, snapshot files, ``.gcn`` exports and their YAML,
release history, promotion manifests, secret files, CA bundles) is opened without blocking, checked
to be a *regular file* (a FIFO, a device such as ``/dev/zero``, a socket or a directory is refused
with one line: ``<path>: is a character device, expected a regular file``), and read up to a size
cap (``file is N bytes, larger than the limit of M``). Nothing waits on a FIFO and nothing grows
without bound. Errors are one line naming the file, of the caller's exception type (``error``).

A file is written to a temporary file in the target's own directory (same file system, so the
rename is atomic), named ``.<name>.<random>.tmp``, and renamed over the target with
:func:`os.replace`. A reader sees the old file or the complete new one, never a half-written file;
any error (including ``KeyboardInterrupt``) removes the temporary file and leaves the target as
it was. Parent directories are created.

**Writing.** Policy:

* **stale temporaries**: a temporary file is named ``.<name>.<pid>-<random>.tmp``;
  :func:`remove_stale_temporaries` removes those of processes that are gone (a run killed with
  ``kill -9``), and :func:`write_output_files` calls it for every directory it writes into.
* **special files** (:func:`write_output_text`): an ``--output`` that is a FIFO, a device
  (``/dev/full``, ``/dev/null``) or ``/dev/stdout`` is written as a stream, never renamed over (the
  node stays what it was); an output that is a symbolic link to a regular file is replaced through
  the link (the link stays).
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
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from afasgov.errors import InputError

#: ``error(message, source)`` → the exception to raise (the caller's type: InputError, ConfigError …)
ErrorFactory = Callable[[str, str], Exception]

#: the default cap of :func:`read_input` (every caller passes its own where it knows better)
DEFAULT_MAX_READ_BYTES = 64 * 1024 * 1024


def input_error(message: str, source: str) -> Exception:
    """:class:`InputError` naming ``source`` (the default error of the readers)."""
    return InputError(message, source=source)


def size_limit(max_bytes: int) -> str:
    """``1 MiB``, ``64 KiB`` or ``N bytes``."""
    if max_bytes % (1024 * 1024) == 0:
        return f"{max_bytes // (1024 * 1024)} MiB"
    if max_bytes % 1024 == 0:
        return f"{max_bytes // 1024} KiB"
    return f"{max_bytes} bytes"


def too_large(size: int, max_bytes: int) -> str:
    return f"file is {size} bytes, larger than the limit of {size_limit(max_bytes)}"


def file_kind(mode: int) -> str:
    """What a non-regular file is, for messages (``a FIFO``, ``a character device`` …)."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _open_error(path: Path, exc: OSError) -> str:
    if isinstance(exc, (NotRegularFile, FileTooLarge)) or (
        isinstance(exc, IsADirectoryError) and exc.strerror and exc.strerror.startswith("is a directory")
    ):
        return str(exc.strerror)
    if isinstance(exc, FileNotFoundError):
        if os.path.islink(path):
            return "file not found (a symbolic link to a missing file)"
        return "file not found"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, expected a regular file"
    if exc.errno == errno.ELOOP:
        return "cannot read: too many levels of symbolic links"
    return f"cannot read: {exc.strerror or exc}"


class NotRegularFile(OSError):
    """A FIFO, a device or a socket where a file is read (never opened for reading: it could block or
    never end)."""


class FileTooLarge(OSError):
    """A file over the size limit of its kind."""


def read_regular(path: Path | str, *, max_bytes: int = DEFAULT_MAX_READ_BYTES) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them; errors are :class:`OSError`
    as :func:`open` raises them (:class:`FileNotFoundError`, :class:`IsADirectoryError`, …), plus
    :class:`NotRegularFile` and :class:`FileTooLarge` (their ``strerror`` is the message).

    Opened without blocking (a FIFO never hangs the open), checked with ``fstat`` on the open file
    (no race between check and read), read with a cap (a file that grows while it is read is still
    refused). The readers of a run (:meth:`afasgov.workspace.Workspace.read`) use it; commands that
    want one line per problem use :func:`read_input`.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except ValueError:  # an embedded NUL in the name
        raise OSError(errno.EINVAL, "invalid file name", str(path)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory, expected a regular file", str(path))
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(errno.EINVAL, f"is {file_kind(st.st_mode)}, expected a regular file", str(path))
        if st.st_size > max_bytes:
            raise FileTooLarge(errno.EFBIG, too_large(st.st_size, max_bytes), str(path))
        chunks: list[bytes] = []
        size = 0
        step = max(st.st_size + 1, 65536)
        while size <= max_bytes:
            chunk = os.read(fd, min(step, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise FileTooLarge(errno.EFBIG, too_large(size, max_bytes), str(path))
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


#: a run's reader of input files (``Workspace.read``): bytes, or :class:`OSError` as :func:`read_regular`
Reader = Callable[[Path], bytes]


def read_input(
    path: Path | str,
    *,
    max_bytes: int = DEFAULT_MAX_READ_BYTES,
    error: ErrorFactory = input_error,
    source: str | None = None,
    read: Reader | None = None,
) -> bytes:
    """The bytes of the regular file ``path`` (:func:`read_regular`), at most ``max_bytes`` of them; every
    problem is ``error(message, source)`` (one line; ``source`` defaults to the path).

    ``read``: the run's reader (:meth:`afasgov.workspace.Workspace.read`, which reads each input file
    once per run through :func:`read_regular`); the same checks and messages apply to what it gives.
    """
    where = source if source is not None else str(path)
    try:
        data = read_regular(path, max_bytes=max_bytes) if read is None else read(Path(path))
    except OSError as exc:
        raise error(_open_error(Path(path), exc), where) from None
    if len(data) > max_bytes:
        raise error(too_large(len(data), max_bytes), where)
    return data


def read_input_text(
    path: Path | str,
    *,
    max_bytes: int = DEFAULT_MAX_READ_BYTES,
    error: ErrorFactory = input_error,
    source: str | None = None,
) -> str:
    """:func:`read_input` decoded as UTF-8 (a leading BOM allowed): ``not UTF-8 (byte N)``."""
    where = source if source is not None else str(path)
    data = read_input(path, max_bytes=max_bytes, error=error, source=where)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 (byte {exc.start})", where) from None


def sha256_of(path: Path | str, *, error: ErrorFactory = input_error) -> str:
    """The SHA-256 (hex) of the regular file ``path``, read in chunks: a FIFO or a device is refused
    like :func:`read_input` refuses it (one line naming the file), never read."""
    import hashlib

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise error(_open_error(Path(path), exc), str(path)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise error(f"is {file_kind(st.st_mode)}, expected a regular file", str(path))
        digest = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
        return digest.hexdigest()
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror or exc}", str(path)) from None
    finally:
        os.close(fd)


def is_special(path: Path | str) -> bool:
    """True if ``path`` exists (following symbolic links) and is not a regular file or directory."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


#: ``.<name>.<pid>-<random>.tmp``: the temporary files of :func:`_write_temp`
_TEMP_RE = re.compile(r"^\..+\.(\d+)-[A-Za-z0-9_]+\.tmp$")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def remove_stale_temporaries(directory: Path | str) -> list[str]:
    """Remove the temporary files (``.<name>.<pid>-<random>.tmp``) of processes that are gone from
    ``directory``; the names removed. Those of a running process (another afasgov writing there
    right now) are left alone."""
    removed: list[str] = []
    try:
        with os.scandir(directory) as entries:
            candidates = [e for e in entries if e.name.endswith(".tmp") and e.name.startswith(".")]
    except OSError:
        return removed
    for entry in candidates:
        match = _TEMP_RE.match(entry.name)
        if match is None or _pid_alive(int(match.group(1))):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:
            continue
    return removed


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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in (data,) if isinstance(data, bytes) else data:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, DEFAULT_MODE if mode is None else mode)
    except OSError as exc:
        _unlink(tmp)
        if exc.filename is None:  # (a full disk says nothing about which file): name the target
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
        raise
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
    naming the file (exit 2, one line). Stale temporaries of killed runs in the directories written
    into are removed first (:func:`remove_stale_temporaries`)."""
    files = [(Path(p), d) for p, d in files]
    for directory in dict.fromkeys(p.parent for p, _ in files):
        remove_stale_temporaries(directory)
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
    """Defer Ctrl-C (SIGINT) and SIGTERM for the duration of the swap (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
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


def _stream_target(path: Path) -> Path | None:
    """Where an output is written as a stream (a FIFO, a device, ``/dev/stdout``), else ``None``."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode) and not os.path.islink(path):
        return None
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        return path
    real = os.path.realpath(path)
    if stat.S_ISREG(mode) and real.startswith(("/proc/", "/dev/")):
        return path  # /dev/stdout → /proc/self/fd/1 → a file the shell opened: write through it
    return None


def _is_own_stdout(path: Path) -> bool:
    try:
        return os.path.samestat(os.stat(path), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, AttributeError):  # (no real stdout: captured in a test)
        return False


def write_output_text(path: Path, text: str) -> None:
    """Write a command's output file atomically; an OS error is an :class:`InputError` naming it.

    A FIFO, a device or ``/dev/stdout`` is written as a stream (see the module docstring); a
    symbolic link to a regular file is replaced through the link."""
    path = Path(path)
    data = text.encode("utf-8")
    try:
        if _is_own_stdout(path):
            # /dev/stdout: through this process's stdout, so that its offset and buffer stay right
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
        stream = _stream_target(path)
        if stream is not None:
            with open(stream, "wb") as handle:
                handle.write(data)
                handle.flush()
            return
        if os.path.islink(path):
            path = Path(os.path.realpath(path))
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", source=str(path)) from None


__all__ = [
    "DEFAULT_MAX_READ_BYTES",
    "DEFAULT_MODE",
    "Data",
    "ErrorFactory",
    "FileTooLarge",
    "NotRegularFile",
    "Reader",
    "atomic_write_bytes",
    "atomic_write_many",
    "atomic_write_text",
    "clean_stale_swaps",
    "file_kind",
    "input_error",
    "is_special",
    "make_output_dir",
    "read_input",
    "read_input_text",
    "read_regular",
    "remove_stale_temporaries",
    "safe_label",
    "sha256_of",
    "size_limit",
    "swap_dir",
    "swap_temp_dir",
    "too_large",
    "write_output_files",
    "write_output_text",
]
