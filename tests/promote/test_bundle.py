"""The promotion bundle: contents, checksums, checklist, atomicity, and the ``promote`` command."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from afasgov.errors import InputError, UsageError
from afasgov.gcn import read_gcn
from afasgov.promote import bundle as bundle_mod
from afasgov.promote.bundle import check_bundle, write_bundle
from afasgov.promote.definitions import ReviewedDefinition, load_definitions
from afasgov.promote.plan import plan_promotion

from .helpers import repo, run, snapshot, store_definitions

A1 = [("Id", "U001"), ("Name", "U002")]
A2 = [*A1, ("Mail", "U003")]
B1 = [("Code", "U001"), ("Desc", "U002")]
B2 = [("Code", "U001")]
C = [("Nr", "U001")]
DAY = dt.date(2026, 3, 9)
NOW = dt.datetime(2026, 3, 9, 14, 30, tzinfo=dt.UTC)


def make_plan(tmp_path: Path, defs: dict[str, list[tuple[str, str]]] | None = None):  # type: ignore[no-untyped-def]
    source = snapshot(
        "test", {"Demo_A": A2, "Demo_B": B2, "Demo_New": C, "Demo_Wip": A2}, scopes={"iam": ["Demo_A", "Demo_New"]}
    )
    target = snapshot("production", {"Demo_A": A1, "Demo_B": B1, "Demo_Wip": A1}, scopes={"iam": ["Demo_A"]})
    store_definitions(
        tmp_path / "gc",
        defs if defs is not None else {"Demo_A": A2, "Demo_B": B2, "Demo_New": C},
        scratch=tmp_path / "s",
    )
    return plan_promotion(source, target, load_definitions(tmp_path / "gc"))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_bundle_contents_and_checksums(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    path = write_bundle(plan, tmp_path / "dist", date=DAY, now=NOW)
    assert path == tmp_path / "dist" / "promote-test-to-production-2026-03-09"
    files = sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())
    assert files == [
        "CHECKLIST.md",
        "SHA256SUMS",
        "gcn/01-Demo_New.gcn",
        "gcn/02-Demo_A.gcn",
        "gcn/03-Demo_B.gcn",
        "manifest.json",
    ]
    assert [p.name for p in (tmp_path / "dist").iterdir()] == [path.name]  # no temporary leftovers
    # every .gcn is the stored export, byte for byte, and reads back as its connector
    for rel, name in (("gcn/01-Demo_New.gcn", "Demo_New"), ("gcn/03-Demo_B.gcn", "Demo_B")):
        data = (path / rel).read_bytes()
        assert data == (tmp_path / "gc" / f"{name}.gcn").read_bytes()
        assert read_gcn(data).definition.name == name
    # SHA256SUMS and the manifest agree with the files (computed here independently)
    sums = dict(reversed(line.split("  ", 1)) for line in (path / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == set(files) - {"SHA256SUMS"}
    for rel, digest in sums.items():
        assert sha((path / rel).read_bytes()) == digest
    doc = json.loads((path / "manifest.json").read_text())
    assert doc["format"] == "afasgov-promotion/1" and (doc["from"], doc["to"], doc["date"]) == (
        "test",
        "production",
        "2026-03-09",
    )
    assert doc["created_at"] == "2026-03-09T14:30:00Z" and doc["complete"] is False
    assert [(i["order"], i["connector"], i["file"]) for i in doc["imports"]] == [
        (1, "Demo_New", "gcn/01-Demo_New.gcn"),
        (2, "Demo_A", "gcn/02-Demo_A.gcn"),
        (3, "Demo_B", "gcn/03-Demo_B.gcn"),
    ]
    for item in doc["imports"]:
        data = (path / item["file"]).read_bytes()
        assert item["sha256"] == sha(data) == doc["files"][item["file"]] and item["size"] == len(data)
        assert item["guid"] == read_gcn(data).definition.guid
        assert item["written_by_afasgov"] is True and item["import_verified"] is False
    assert doc["files"]["CHECKLIST.md"] == sha((path / "CHECKLIST.md").read_bytes())
    assert [e["connector"] for e in doc["export_by_hand"]] == ["Demo_Wip"]
    assert doc["import_unverified"] == ["Demo_New", "Demo_A", "Demo_B"]
    assert check_bundle(path) == []


def test_checklist_content(tmp_path: Path) -> None:
    path = write_bundle(make_plan(tmp_path), tmp_path / "dist", date=DAY, now=NOW)
    text = (path / "CHECKLIST.md").read_text(encoding="utf-8")
    assert text.startswith("# Promote GetConnectors: test → production (2026-03-09)")
    assert "sha256sum -c SHA256SUMS" in text
    order = [text.index(f"### {n}. {c}") for n, c in ((1, "Demo_New"), (2, "Demo_A"), (3, "Demo_B"))]
    assert order == sorted(order)
    doc = json.loads((path / "manifest.json").read_text())
    for item in doc["imports"]:
        assert f"`{item['file']}`" in text and item["sha256"] in text and item["guid"] in text
    assert "authorise the same in **production**" in text and "`iam`" in text
    assert "This bundle is incomplete" in text and "**Demo_Wip**" in text
    assert "unverified" in text and "afasgov verify production" in text
    assert "| 3 | gcn/03-Demo_B.gcn | Demo_B | changed | ERR |" in text


def test_complete_bundle_says_nothing_is_missing(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, {"Demo_A": A2, "Demo_B": B2, "Demo_New": C, "Demo_Wip": A2})
    path = write_bundle(plan, tmp_path / "dist", date=DAY, now=NOW)
    text = (path / "CHECKLIST.md").read_text(encoding="utf-8")
    assert "incomplete" not in text and "Nothing: every differing GetConnector is in the bundle." in text
    assert json.loads((path / "manifest.json").read_text())["complete"] is True


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077, 0o002])
def test_bundle_modes_follow_the_umask(tmp_path: Path, umask: int) -> None:
    """The bundle directory is not left owner-only (as a temporary directory is): like every file
    and sub-directory in it, it gets the mode the umask gives."""
    plan = make_plan(tmp_path)
    previous = os.umask(umask)
    try:
        path = write_bundle(plan, tmp_path / "dist", date=DAY, now=NOW)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o777 & ~umask
    assert stat.S_IMODE((path / "gcn").stat().st_mode) == 0o777 & ~umask
    for f in path.rglob("*"):
        if f.is_file():
            assert stat.S_IMODE(f.stat().st_mode) == 0o666 & ~umask, f.name
    assert check_bundle(path) == []


def test_replaced_bundle_gets_the_umask_mode_too(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    previous = os.umask(0o022)
    try:
        write_bundle(plan, tmp_path / "dist", date=DAY, now=NOW)
        path = write_bundle(plan, tmp_path / "dist", date=DAY, now=NOW, replace=True)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o755
    assert [p.name for p in (tmp_path / "dist").iterdir()] == [path.name]


def test_failure_leaves_no_partial_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = make_plan(tmp_path)
    calls = {"n": 0}
    original = ReviewedDefinition.gcn_bytes

    def flaky(self: ReviewedDefinition) -> bytes:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return original(self)

    monkeypatch.setattr(ReviewedDefinition, "gcn_bytes", flaky)
    with pytest.raises(InputError, match="cannot write the bundle: disk full"):  # exit 2, one line
        write_bundle(plan, tmp_path / "dist", date=DAY, now=NOW)
    assert list((tmp_path / "dist").iterdir()) == []


def test_interrupt_while_writing_the_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = make_plan(tmp_path)

    def boom(*a: object, **k: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(bundle_mod, "manifest", boom)
    with pytest.raises(KeyboardInterrupt):
        write_bundle(plan, tmp_path / "dist", date=DAY, now=NOW)
    assert list((tmp_path / "dist").iterdir()) == []


def test_existing_bundle_is_kept_unless_replaced(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    path = write_bundle(plan, tmp_path / "dist", date=DAY, now=NOW)
    (path / "note.txt").write_text("mine")
    with pytest.raises(UsageError, match="--replace"):
        write_bundle(plan, tmp_path / "dist", date=DAY, now=NOW)
    assert (path / "note.txt").exists()
    again = write_bundle(plan, tmp_path / "dist", date=DAY, now=NOW, replace=True)
    assert again == path and not (path / "note.txt").exists() and check_bundle(path) == []
    assert [p.name for p in (tmp_path / "dist").iterdir()] == [path.name]


def test_check_bundle_finds_tampering(tmp_path: Path) -> None:
    path = write_bundle(make_plan(tmp_path), tmp_path / "dist", date=DAY, now=NOW)
    gcn = path / "gcn" / "02-Demo_A.gcn"
    data = gcn.read_bytes()
    gcn.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))
    (path / "extra.gcn").write_bytes(b"x")
    problems = check_bundle(path)
    assert "gcn/02-Demo_A.gcn: checksum mismatch" in problems and "extra.gcn: not listed in SHA256SUMS" in problems
    (path / "SHA256SUMS").write_text("nonsense\n")
    assert "SHA256SUMS line 1 is malformed" in check_bundle(path)
    (path / "SHA256SUMS").unlink()
    assert check_bundle(path) == ["SHA256SUMS is missing"]


# ------------------------------------------------------------------------------------------ command
@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return repo(
        tmp_path,
        [
            snapshot("test", {"Demo_A": A2, "Demo_B": B2, "Demo_Wip": A2}),
            snapshot("production", {"Demo_A": A1, "Demo_B": B1, "Demo_Wip": A1}),
        ],
        {"Demo_A": A2, "Demo_B": B2, "Demo_Wip": A2},
    )


def test_promote_command(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["promote", "--from", "test", "--to", "production"], capsys)
    assert (code, err) == (0, "")
    [bundle] = (workdir / "dist").iterdir()
    assert bundle.name.startswith("promote-test-to-production-") and check_bundle(bundle) == []
    assert "3 to import, 0 to export by hand" in out and f"bundle: {bundle}" in out
    doc = json.loads((bundle / "manifest.json").read_text())
    assert doc["definitions"] == "definitions/getconnectors"  # relative: no absolute paths in the bundle
    code, _, err = run(["promote", "--from", "test", "--to", "production"], capsys)
    assert code == 2 and "--replace" in err
    code, out, _ = run(
        [
            "promote",
            "--from",
            "test",
            "--to",
            "production",
            "--replace",
            "--format",
            "json",
            "--only",
            "Demo_A",
            "--out",
            "elsewhere",
        ],
        capsys,
    )
    doc = json.loads(out)
    assert code == 0 and [i["connector"] for i in doc["imports"]] == ["Demo_A"]
    assert (workdir / doc["bundle"]).parent == workdir / "elsewhere" and check_bundle(workdir / doc["bundle"]) == []


def test_promote_incomplete_exits_1(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "definitions" / "getconnectors" / "Demo_Wip.yaml").unlink()
    (workdir / "definitions" / "getconnectors" / "Demo_Wip.gcn").unlink()
    code, out, _ = run(["promote", "--from", "test", "--to", "production"], capsys)
    assert code == 1 and "incomplete: 1 differing GetConnector(s)" in out and "export Demo_Wip" in out
    [bundle] = (workdir / "dist").iterdir()
    assert json.loads((bundle / "manifest.json").read_text())["complete"] is False


def test_promote_nothing_to_do(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from afasgov.snapshot import read_tree, write_tree

    s = read_tree(workdir / "definitions" / "test")
    s.name = "copy"
    write_tree(s, workdir / "definitions")
    code, out, _ = run(["promote", "--from", "test", "--to", "copy"], capsys)
    assert code == 0 and "nothing to promote" in out and not (workdir / "dist").exists()


def test_promote_bad_inputs(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["promote", "--from", "test", "--to", "test"], capsys)
    assert code == 2 and "same environment" in err
    code, _, err = run(["promote", "--from", "staging", "--to", "production"], capsys)
    assert code == 2 and "--from: unknown environment 'staging'" in err
    code, _, err = run(["promote", "--from", "test"], capsys)
    assert code == 2 and "--to" in err
    (workdir / "definitions" / "getconnectors" / "Demo_A.yaml").write_text("guid: 12\nname: [", encoding="utf-8")
    code, _, err = run(["promote", "--from", "test", "--to", "production"], capsys)
    assert code == 2 and "Demo_A.yaml" in err and len(err.strip().splitlines()) == 1
    assert not (workdir / "dist").exists()
    (workdir / "definitions" / "production" / "get" / "Demo_A.yaml").write_text("id: [", encoding="utf-8")
    code, _, err = run(["promote", "--from", "test", "--to", "production"], capsys)
    assert code == 2 and "Traceback" not in err


def test_promote_out_directory_that_cannot_be_created(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "file").write_text("x", encoding="utf-8")
    code, out, err = run(["promote", "--from", "test", "--to", "production", "--out", "file/pb"], capsys)
    assert code == 2 and out == "" and err == "afasgov: error: file/pb: cannot create directory: Not a directory\n"
    assert not (workdir / "dist").exists()


def test_bundle_write_error_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = make_plan(tmp_path)

    def refuse(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(bundle_mod, "_write", refuse)
    with pytest.raises(InputError, match="cannot write the bundle: No space left on device"):
        write_bundle(plan, tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == []
