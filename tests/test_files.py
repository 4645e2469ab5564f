"""afasgov._files: atomic writes (temp file + fsync + rename), modes, several files, failures."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov._files import (
    DEFAULT_MODE,
    atomic_write_bytes,
    atomic_write_many,
    atomic_write_text,
    write_output_text,
)
from afasgov.errors import EXIT_USAGE, InputError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_writes_bytes_and_text_creating_parents(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.bin"
    atomic_write_bytes(target, b"\x00\xff data")
    assert target.read_bytes() == b"\x00\xff data"
    text_target = tmp_path / "t" / "out.txt"
    atomic_write_text(text_target, "één\nline\n")
    assert text_target.read_bytes() == "één\nline\n".encode()  # UTF-8, LF kept as LF
    assert _names(text_target.parent) == ["out.txt"]


def test_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old and longer than the new text\n")
    atomic_write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert _names(tmp_path) == ["out.txt"]


def test_modes(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    atomic_write_text(plain, "x")
    assert _mode(plain) == DEFAULT_MODE
    reference = tmp_path / "reference.txt"
    reference.write_text("x")  # what open() gives under the same umask
    assert _mode(plain) == _mode(reference)
    secret = tmp_path / "secret.token"
    atomic_write_text(secret, "s3cret", mode=0o600)
    assert _mode(secret) == 0o600
    config = tmp_path / "afasgov.yaml"
    atomic_write_text(config, "a: 1\n", mode=0o644)
    assert _mode(config) == 0o644
    # a replaced file gets the mode asked for, not the old file's
    atomic_write_text(secret, "again")
    assert _mode(secret) == DEFAULT_MODE


def test_temporary_file_is_owner_only_while_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    atomic_write_text(tmp_path / "secret", "s3cret", mode=0o640)
    assert seen == [0o600]
    assert _mode(tmp_path / "secret") == 0o640


@pytest.mark.parametrize("where", ["fsync", "chmod", "replace"])
def test_failure_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    target = tmp_path / "out.txt"
    atomic_write_text(target, "old")

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, where, boom)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_text(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert _names(tmp_path) == ["out.txt"]


def test_interrupt_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.txt"
    atomic_write_text(target, "old")

    def interrupt(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert _names(tmp_path) == ["out.txt"]


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE/SIGXFSZ as on Linux")
def test_a_write_that_fails_half_way_leaves_no_partial_file(tmp_path: Path) -> None:
    # a real short write: the file-size limit stops the kernel after 64 KiB of 1 MiB
    target = tmp_path / "big.bin"
    target.write_bytes(b"old")
    script = textwrap.dedent(
        f"""
        import errno, resource, signal, sys
        from pathlib import Path
        from afasgov._files import atomic_write_bytes
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))
        try:
            atomic_write_bytes(Path({str(target)!r}), b"x" * (1024 * 1024))
        except OSError as exc:
            sys.exit(0 if exc.errno == errno.EFBIG else 1)
        sys.exit(2)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], check=False, timeout=60)
    assert done.returncode == 0
    assert target.read_bytes() == b"old"
    assert _names(tmp_path) == ["big.bin"]


def test_several_files_are_all_written_before_any_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "sub" / "a.gcn"
    atomic_write_many([(first, b"A1"), (second, b"B1")])
    assert (first.read_bytes(), second.read_bytes()) == (b"A1", b"B1")

    calls = 0
    real_fsync = os.fsync

    def fail_second(fd: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fail_second)
    with pytest.raises(OSError):
        atomic_write_many([(first, b"A2"), (second, b"B2")])
    monkeypatch.undo()
    # the first file's temporary was complete, but nothing was renamed and nothing is left over
    assert (first.read_bytes(), second.read_bytes()) == (b"A1", b"B1")
    assert _names(tmp_path) == ["a.yaml", "sub"]
    assert _names(tmp_path / "sub") == ["a.gcn"]


def test_a_failed_rename_in_a_set_removes_the_remaining_temporaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [(tmp_path / f"f{i}.txt", f"{i}".encode()) for i in range(3)]
    real_replace = os.replace
    calls = 0

    def fail_second(src: str, dst: str) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError(errno.EIO, "I/O error")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_second)
    with pytest.raises(OSError, match="I/O error"):
        atomic_write_many(files)
    monkeypatch.undo()
    # each rename is atomic: the first file is complete, the others do not exist; no temporaries
    assert _names(tmp_path) == ["f0.txt"]
    assert (tmp_path / "f0.txt").read_bytes() == b"0"


def test_parent_that_is_a_file_is_an_os_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError):
        atomic_write_text(tmp_path / "file" / "out.txt", "x")
    assert _names(tmp_path) == ["file"]


def test_write_output_text_turns_os_errors_into_one_line_input_errors(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    target = tmp_path / "file" / "report.json"
    with pytest.raises(InputError) as info:
        write_output_text(target, "{}")
    assert str(info.value).startswith(f"{target}: cannot write: ")
    assert "\n" not in str(info.value)
    assert info.value.exit_code == EXIT_USAGE
    write_output_text(tmp_path / "ok" / "report.json", "{}\n")
    assert (tmp_path / "ok" / "report.json").read_text() == "{}\n"


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=4096), text=st.text(max_size=500))
def test_round_trip(tmp_path_factory: pytest.TempPathFactory, data: bytes, text: str) -> None:
    directory = tmp_path_factory.mktemp("rt")
    atomic_write_bytes(directory / "b", data)
    assert (directory / "b").read_bytes() == data
    clean = text.encode("utf-8", errors="replace").decode("utf-8")
    atomic_write_text(directory / "t", clean)
    assert (directory / "t").read_bytes() == clean.encode("utf-8")
    assert _names(directory) == ["b", "t"]


@pytest.mark.parametrize("exchange", [True, False])
def test_swap_dir_replaces_a_directory_in_one_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    from afasgov import _files

    if not exchange:  # the fallback of systems without renameat2: two renames, the old tree removed
        monkeypatch.setattr(_files, "_renameat2_exchange", lambda a, b: False)
    target = tmp_path / "bundle"
    new = tmp_path / ".bundle.tmp"
    new.mkdir()
    (new / "a.txt").write_text("first")
    _files.swap_dir(new, target)  # no target yet: a rename
    assert (target / "a.txt").read_text() == "first" and not new.exists()
    newer = tmp_path / ".bundle.tmp2"
    newer.mkdir()
    (newer / "b.txt").write_text("second")
    _files.swap_dir(newer, target)
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]  # no temporary or old tree left


def test_swap_dir_puts_the_old_tree_back_when_the_second_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from afasgov import _files

    monkeypatch.setattr(_files, "_renameat2_exchange", lambda a, b: False)
    target, new = tmp_path / "t", tmp_path / ".t.tmp"
    target.mkdir()
    (target / "old.txt").write_text("old")
    new.mkdir()
    real_rename = os.rename

    def rename(src: object, dst: object) -> None:
        if str(src) == str(new):
            raise OSError(28, "No space left on device")
        real_rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(_files.os, "rename", rename)
    with pytest.raises(OSError, match="No space"):
        _files.swap_dir(new, target)
    assert (target / "old.txt").read_text() == "old"


def test_content_in_chunks_is_written_in_order_and_a_failing_producer_changes_nothing(tmp_path: Path) -> None:
    """A file's content may be chunks (a large generated file is never held whole); a producer that
    fails half-way leaves the old file and no temporary."""
    target = tmp_path / "big.json"
    atomic_write_many([(target, iter([b"{", b'"a": 1', b"}"]))])
    assert target.read_bytes() == b'{"a": 1}'

    def failing() -> Iterator[bytes]:
        yield b"partial"
        raise ValueError("renderer failed")

    with pytest.raises(ValueError, match="renderer failed"):
        atomic_write_many([(target, failing())])
    assert target.read_bytes() == b'{"a": 1}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.json"]
