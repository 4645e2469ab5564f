"""Hostile notes: huge lines, broken tables, HTML, links to other hosts, binary and oversized files, and
random Markdown-like text. Always a clear error (one line, exit 2) or reported rows, never a crash."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afasgov.errors import InputError
from afasgov.releasenotes import parse_files, parse_notes
from afasgov.releasenotes.parser import MAX_FILE_BYTES, MAX_ROW_CHARS
from tests.releasenotes.conftest import run

HEAD = ("## Organisaties en personen Specification\n\n### Changelog\n\n"
        "| Description | Connector | Operation |\n| --- | --- | --- |\n")
ROW = ("| removed the request property 'KnUser/Element/Fields/XOEA' | KnUser | "
       "[POST](../../apidoc/nl/X#post-/connectors/KnUser), [PUT](../../apidoc/nl/X#put-/connectors/KnUser) |\n")

PIECES = st.sampled_from([
    "|", "| ", " | ", "---", "| --- |", "#", "## ", "### Changelog", "Specification", "\n", "\n\n", "`", "``", "```",
    "~~~", "\\", "\\|", "[", "]", "(", ")", "](", "'", "' to '", "<script>", "&lt;", "&#124;", ">", "---\n",
    "added the new optional request property '", "KnUser/Element/Fields/X", "/Element/Objects/items/",
    "endpoint added", "/connectors/", "@Id/{Id}", "POST", "DELETE", "GET", "Note:", "\u202e", "\x00", "\r",
    "documentation only", "x" * 50,
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=60).map("".join))
def test_random_markdownish_text_never_crashes(text: str) -> None:
    try:
        notes = parse_notes(text, "h.md")
    except InputError as exc:
        assert "h.md" in str(exc) and "\n" not in str(exc)
        return
    (stats,) = notes.files
    assert stats.parsed + stats.reported == stats.rows
    assert sum(len(c.sources) for c in notes.changes) == stats.parsed
    for r in notes.reported:
        assert r.source.line >= 1 and r.reason


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([ROW.rstrip("\n"), "| a | b |", "| --- | --- | --- |", "|", "| x | y | z | w |",
                                 "not a row", "### Breaking Changes", ""]), max_size=30))
def test_broken_tables_are_reported_row_by_row(lines: list[str]) -> None:
    notes = parse_notes(HEAD + "\n".join(lines) + "\n", "t.md")
    (stats,) = notes.files
    assert stats.parsed + stats.reported == stats.rows
    assert stats.rows >= sum(1 for ln in lines if ln.startswith("|") and ln != "| --- | --- | --- |") - len(lines)


def test_huge_lines_are_reported_not_matched() -> None:
    huge_row = "| removed the request property '" + "K" * (MAX_ROW_CHARS * 4) + "' | KnUser | POST |"
    huge_heading = "#" + " x" * (MAX_ROW_CHARS * 2)
    notes = parse_notes(HEAD + huge_row + "\n\n" + huge_heading + "\n" + "prose " * 500_000 + "\n", "h.md")
    (r,) = notes.reported
    assert "characters long" in r.reason and len(r.text) < 400 and r.source.line == 7
    assert notes.changes == []
    assert all(len(p.text) < 5000 for p in notes.prose)


def test_html_and_links_to_other_hosts_are_text() -> None:
    notes = parse_notes(
        "# x\n\n## <script>alert(1)</script>\n\n<img src=https://evil.example/x onerror=alert(1)>\n\n" + HEAD
        + "| removed the request property 'KnUser/Element/Fields/XOEA' | [KnUser](https://evil.example/KnUser) | "
          "[POST](https://evil.example/post) |\n"
        + "| <b>removed</b> the request property 'KnUser/Element/Fields/XOEA' | KnUser | POST |\n",
        "h.md",
    )
    (c,) = notes.changes
    assert c.connector == "KnUser" and c.operations == ("POST",) and c.endpoints == ("KnUser",)
    (r,) = notes.reported
    assert r.reason.startswith("matches no changelog wording") and "<b>" in r.text
    (p,) = notes.prose
    assert p.headings[-1] == "<script>alert(1)</script>" and "evil.example" in p.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data (a NUL byte at offset 8)"),
        ("# Nieuw in Profit 9\n".encode("utf-16"), "binary data"),
        (b"# caf\xe9\n", "not UTF-8 text (invalid byte at offset 5)"),
        (b"", "no headings and no tables"),
        (b"\xef\xbb\xbfjust text\n", "no headings and no tables"),
    ],
)
def test_files_that_are_not_notes(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        parse_files([path])
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value)


def test_special_files_missing_files_and_directories(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="release notes file not found"):
        parse_files([tmp_path / "missing.md"])
    with pytest.raises(InputError, match="is a directory"):
        parse_files([tmp_path])
    if hasattr(os, "mkfifo") and sys.platform != "win32":
        fifo = tmp_path / "fifo.md"
        os.mkfifo(fifo)
        with pytest.raises(InputError, match="not a regular file"):
            parse_files([fifo])


@pytest.mark.slow
def test_a_10_mb_file_is_read_and_a_larger_than_allowed_one_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    row = ROW.replace(" |\n", ", [DELETE](../../apidoc/nl/Organisaties%20en%20personen#delete-/connectors/KnUser/"
                      "KnUser/@UsId/{UsId}) |\n")  # as long as AFAS's longest rows
    rows = (10 * 1024 * 1024) // len(row)
    big.write_text("# New in Profit 9\n\n" + HEAD + row * rows, encoding="utf-8")
    assert big.stat().st_size > 10_000_000
    notes = parse_files([big])
    assert notes.files[0].rows == notes.files[0].parsed == rows and len(notes.changes) == 1
    assert len(notes.changes[0].sources) == rows
    junk = tmp_path / "junk.md"
    junk.write_bytes(b"|" + b"a" * (10 * 1024 * 1024))
    notes = parse_files([junk])
    assert notes.files[0].reported == 1 and notes.reported[0].reason.startswith("table without a delimiter")
    huge = tmp_path / "huge.md"
    with huge.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(InputError, match="MiB; release notes may be at most 16 MiB"):
        parse_files([huge])


@pytest.mark.e2e
def test_cli_on_hostile_notes(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = workdir / "bad.md"
    bad.write_bytes(b"\x00\x01binary")
    code, out, err = run(capsys, "release-notes", str(bad))
    assert code == 2 and out == "" and err.count("\n") == 1 and "binary data" in err and "Traceback" not in err
    hostile = workdir / "hostile.md"
    hostile.write_text(
        "# New in Profit 9\n\n## Important\n\n<script>alert(1)</script> [click](https://evil.example/x)\n"
        "`KnUser` changes.\n\n" + HEAD
        + "| removed the request property 'KnUser/Element/Fields/XOEA' | KnUser | [POST](https://evil.example/p) |\n"
        + "| <img src=x onerror=alert(1)> | KnUser | POST |\n| half a row |\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "release-notes", str(hostile), "--format", "html", "--output", "r.html")
    assert code == 1 and err == ""  # helloid sends KnUser/…/XOEA: an ERR
    page = (workdir / "r.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<img" not in page and 'href="https://evil' not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    code, out, _ = run(capsys, "release-notes", str(hostile), "--format", "markdown")
    assert "<script>" not in out and "<img" not in out and "](https://evil" not in out
