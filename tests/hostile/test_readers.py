"""Hostile input files, for every kind of file afasgov reads (issue 17 items 1, 2, 4, 5, 9, 11 and
the "every reader" property): one line naming the file and exit 2 — never exit 70, never a hang."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import copy_demo, one_error_line, run_afasgov, run_cli

HUGE = "9" * 5000
DEEP_YAML = "[" * 5000 + "]" * 5000
DEEP_JSON = "[" * 100_000 + "]" * 100_000
GCN = sorted((Path(__file__).resolve().parents[2] / "definitions" / "getconnectors").glob("*.gcn"))[0]


@dataclass(frozen=True)
class Kind:
    """One kind of input file: where it goes in the demo repository and the command that reads it."""

    name: str
    file: str
    args: tuple[str, ...]
    #: the file's text around a hostile scalar value ("{}")
    template: str
    yaml: bool = True

    def place(self, root: Path, data: bytes) -> Path:
        path = root / self.file
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.exists():
            path.unlink()
        path.write_bytes(data)
        return path

    def with_value(self, value: str) -> bytes:
        return self.template.replace("{}", value).encode("utf-8")


KINDS = [
    Kind("config", "hostile.yaml", ("--config", "hostile.yaml", "diff", "production", "accept"),
         "definitions_dir: {}\n"),
    Kind("waivers", "w.yaml", ("diff", "production", "accept", "--waivers", "w.yaml"),
         "waivers:\n  - id: x\n    path: '*'\n    reason: r\n    owner: o\n    expires: {}\n"),
    Kind("policy", "p.yaml", ("audit", "accept", "--no-secret-scan", "--policy", "p.yaml"), "version: {}\n"),
    Kind("manifest", "integ/m.yaml", ("diff", "production", "accept", "--integrations", "integ"),
         "name: m\nowner: {}\n"),
    Kind("snapshot", "definitions/accept/environment.yaml", ("diff", "production", "accept"),
         "profit_version: {}\n"),
    Kind("gcn-yaml", "d.yaml", ("gcn", "show", "d.yaml"), "guid: {}\n"),
    Kind("payload-json", "p.json", ("validate", "p.json", "--env", "production"),
         '{"KnUser": {"Element": {"Fields": {"MtCd": {}}}}}', yaml=False),
    Kind("payload-xml", "p.xml", ("validate", "p.xml", "--env", "production"),
         "<KnUser><Element><Fields><MtCd>{}</MtCd></Fields></Element></KnUser>", yaml=False),
    Kind("gcn", "x.gcn", ("gcn", "show", "x.gcn"), "{}", yaml=False),
    Kind("gcn-import", "y.gcn", ("gcn", "import", "y.gcn", "--into", "gc"), "{}", yaml=False),
]
YAML_KINDS = [k for k in KINDS if k.yaml]
BY_NAME = {k.name: k for k in KINDS}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_demo(tmp_path_factory.mktemp("pristine"))


def _fresh(pristine: Path, tmp: Path) -> Path:
    import shutil

    root = tmp / "repo"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(pristine, root, symlinks=True)
    return root


def _refused(root: Path, kind: Kind) -> str:
    code, _, err = run_cli(root, *kind.args)
    assert code == 2, (kind.name, code, err[:500])
    return one_error_line(err, naming=kind.file)


# ---------------------------------------------------------------------------------------- item 1
@pytest.mark.parametrize("kind", [*YAML_KINDS, BY_NAME["payload-json"]], ids=lambda k: k.name)
def test_item01_an_integer_of_5000_digits_is_exit_2_naming_the_file(pristine: Path, tmp_path: Path,
                                                                    kind: Kind) -> None:
    root = _fresh(pristine, tmp_path)
    kind.place(root, kind.with_value(HUGE))
    line = _refused(root, kind)
    assert "4300 digits" in line


def test_item01_a_huge_integer_in_a_snapshot_file_in_the_fast_reader_subset(pristine: Path, tmp_path: Path) -> None:
    root = _fresh(pristine, tmp_path)
    target = root / "definitions" / "accept" / "update" / "KnUser.yaml"
    text = target.read_text()
    target.write_text(text.replace("length: 50", f"length: {HUGE}", 1))
    code, _, err = run_cli(root, "diff", "production", "accept")
    assert code == 2
    assert "4300 digits" in one_error_line(err, naming="accept/update/KnUser.yaml")


# ---------------------------------------------------------------------------------------- item 2
@pytest.mark.parametrize("kind", YAML_KINDS, ids=lambda k: k.name)
def test_item02_an_impossible_unquoted_date_is_exit_2_naming_the_file(pristine: Path, tmp_path: Path,
                                                                      kind: Kind) -> None:
    root = _fresh(pristine, tmp_path)
    kind.place(root, kind.with_value("2030-02-30"))
    line = _refused(root, kind)
    assert "invalid date '2030-02-30'" in line and "line " in line


def test_item02_the_demo_waivers_with_an_impossible_expiry(demo: Path) -> None:
    waivers = demo / "definitions" / "waivers.yaml"
    waivers.write_text(waivers.read_text().replace("expires: 2027-03-31", "expires: 2030-02-30", 1))
    code, _, err = run_cli(demo, "diff", "production", "accept")
    assert code == 2
    assert "day is out of range" in one_error_line(err, naming="waivers.yaml")


# ---------------------------------------------------------------------------------------- item 4
@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html", "junit", "sarif", "github"])
def test_item04_a_lone_surrogate_in_a_json_payload_key_is_exit_2_in_every_format(demo: Path, fmt: str) -> None:
    (demo / "s.json").write_text('{"KnUser": {"Element": {"Fields": {"\\ud800": 1, "MtCd": 1}}}}')
    code, out, err = run_cli(demo, "validate", "s.json", "--env", "production", "--format", fmt)
    assert code == 2 and out == ""
    assert "lone surrogate" in one_error_line(err, naming="s.json")


def test_item04_surrogate_pairs_are_one_character_and_fine(demo: Path) -> None:
    (demo / "ok.json").write_text('{"KnUser": {"Element": {"Fields": {"UsId": "\\ud83d\\ude00"}}}}')
    code, _, err = run_cli(demo, "validate", "ok.json", "--env", "production", "--format", "json")
    assert code in (0, 1), err


# ---------------------------------------------------------------------------------------- item 5
def test_item05_deeply_nested_json_in_reports_does_not_crash_report_index_or_release_check(demo: Path) -> None:
    reports = demo / "reports"
    reports.mkdir()
    bad = reports / "2026-01-01T000000Z-release-check-production-vs-accept.json"
    bad.write_text(DEEP_JSON)
    for name in ("html", "md"):
        bad.with_suffix("." + name).write_text("x")
    code, _, err = run_cli(demo, "report", "index")
    assert code == 0, err
    index = (reports / "index.html").read_text()
    assert "nested too deeply" in index or "nested more than" in index
    code, _, err = run_cli(demo, "release-check", "--offline")
    assert code in (0, 1), err
    assert "internal error" not in err


# ---------------------------------------------------------------------------------------- item 9
def test_item09_duplicate_keys_in_a_hand_edited_snapshot_file_are_refused(demo: Path) -> None:
    target = demo / "definitions" / "accept" / "environment.yaml"
    text = target.read_text()
    first = text.splitlines()[0]
    target.write_text(text + first.replace(first.split(":", 1)[1], " 99.0.0") + "\n")
    code, _, err = run_cli(demo, "diff", "production", "accept")
    assert code == 2
    assert "duplicate key" in one_error_line(err, naming="accept/environment.yaml")


# --------------------------------------------------------------------------------------- item 11
SPECIAL: dict[str, Callable[[Path], None]] = {
    "fifo": lambda p: os.mkfifo(p),
    "dev-zero": lambda p: p.symlink_to("/dev/zero"),
    "directory": lambda p: p.mkdir(),
    "dangling-link": lambda p: p.symlink_to(p.parent / "missing-target"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("special", sorted(SPECIAL))
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_item11_special_files_as_input_are_refused_at_once(pristine: Path, tmp_path: Path, kind: Kind,
                                                           special: str) -> None:
    root = _fresh(pristine, tmp_path)
    path = root / kind.file
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    SPECIAL[special](path)
    code, _, err = run_cli(root, *kind.args)
    assert code == 2, (code, err)
    one_error_line(err, naming=kind.file.rsplit("/", 1)[-1])


@pytest.mark.timeout(60)
def test_item11_the_issue_reproductions(demo: Path) -> None:
    """``--config /dev/zero``, ``validate /dev/zero``, waivers.yaml → /dev/zero, a FIFO as config and
    in ``gcn import``: each one line, exit 2, within seconds (no OOM, no hang)."""
    assert run_cli(demo, "--config", "/dev/zero", "diff", "production", "accept")[0] == 2
    code, _, err = run_cli(demo, "validate", "/dev/zero", "--env", "production")
    assert code == 2 and "character device" in one_error_line(err, naming="/dev/zero")
    waivers = demo / "definitions" / "waivers.yaml"
    waivers.unlink()
    waivers.symlink_to("/dev/zero")
    code, _, err = run_cli(demo, "diff", "production", "accept")
    assert code == 2 and "character device" in one_error_line(err, naming="waivers.yaml")
    os.mkfifo(demo / "fifo.yaml")
    os.mkfifo(demo / "fifo.gcn")
    code, _, err = run_cli(demo, "--config", "fifo.yaml", "diff", "production", "accept")
    assert code == 2 and "FIFO" in one_error_line(err, naming="fifo.yaml")
    code, _, err = run_cli(demo, "gcn", "import", "fifo.gcn", "--into", "gc")
    assert code == 2 and "FIFO" in one_error_line(err, naming="fifo.gcn")


@pytest.mark.timeout(60)
def test_item11_a_fifo_config_in_a_subprocess_does_not_hang(demo: Path) -> None:
    os.mkfifo(demo / "fifo.yaml")  # nobody ever writes to it: a blocking open or read would hang
    result = run_afasgov(demo, "--config", "fifo.yaml", "diff", "production", "accept", timeout=60)
    assert result.returncode == 2
    assert "FIFO" in one_error_line(result.stderr, naming="fifo.yaml")


# ---------------------------------------------------------------------------- every reader
HOSTILE_VALUES = {"huge-int": HUGE, "bad-date": "2030-02-30", "deep": DEEP_YAML}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("value", sorted(HOSTILE_VALUES))
@pytest.mark.parametrize("kind", YAML_KINDS, ids=lambda k: k.name)
def test_every_yaml_reader_refuses_hostile_values_with_one_line(pristine: Path, tmp_path: Path, kind: Kind,
                                                                value: str) -> None:
    root = _fresh(pristine, tmp_path)
    kind.place(root, kind.with_value(HOSTILE_VALUES[value]))
    _refused(root, kind)


JSON_VALUES = {"huge-int": HUGE, "deep": DEEP_JSON, "surrogate": '"\\udfff"', "nan": "NaN"}


@pytest.mark.parametrize("value", sorted(JSON_VALUES))
def test_every_json_reader_refuses_hostile_values_with_one_line(pristine: Path, tmp_path: Path, value: str) -> None:
    root = _fresh(pristine, tmp_path)
    kind = BY_NAME["payload-json"]
    kind.place(root, kind.with_value(JSON_VALUES[value]))
    _refused(root, kind)


def _surrogate_yaml(kind: Kind) -> bytes:
    # UTF-8 cannot carry a lone surrogate: as bytes it is invalid UTF-8, as an escape libyaml refuses it
    return kind.with_value('"\\ud800"')


@pytest.mark.parametrize("kind", YAML_KINDS, ids=lambda k: k.name)
def test_every_yaml_reader_refuses_surrogates(pristine: Path, tmp_path: Path, kind: Kind) -> None:
    root = _fresh(pristine, tmp_path)
    kind.place(root, _surrogate_yaml(kind))
    _refused(root, kind)
    kind.place(root, kind.with_value("x").replace(b"x", b"\xed\xa0\x80"))  # a surrogate encoded as UTF-8
    assert "not UTF-8" in _refused(root, kind)


_STRUCTURE = st.sampled_from([b"", b"[", b"{", b"- ", b": ", b"\n", b"<", b">", b"'", b'"', b"!!", b"&a ", b"*a",
                              b"\xff", b"\x00", b"9" * 50, b"2030-02-30", b"\\ud800", b"~", b"#"])
HOSTILE_BYTES = st.one_of(st.binary(max_size=400), st.lists(_STRUCTURE, max_size=40).map(b"".join))


@pytest.mark.timeout(300)
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=HOSTILE_BYTES)
def test_every_reader_random_bytes_never_crash_and_name_the_file(pristine: Path, tmp_path: Path, kind: Kind,
                                                                 data: bytes) -> None:
    """Random and YAML/JSON-shaped bytes in every kind of input: the command either accepts them
    (0/1) or says in one line, naming the file, what is wrong (2) — never 70, never a traceback."""
    root = _fresh(pristine, tmp_path)
    kind.place(root, data)
    code, _, err = run_cli(root, *kind.args)
    assert code in (0, 1, 2), (code, err[:500])
    assert "internal error" not in err and "Traceback" not in err
    if code == 2:
        line = one_error_line(err)
        assert kind.file.rsplit("/", 1)[-1] in line or "definitions" in line, line


def test_json_and_yaml_readers_are_the_safe_ones() -> None:
    """A tripwire: every JSON reader of files goes through afasgov.jsonsafe (json.loads elsewhere
    only parses afasgov's own output or server responses, which the client guards)."""
    root = Path(__file__).resolve().parents[2] / "afasgov"
    allowed = {"jsonsafe.py", "profit/client.py", "report/release.py", "snapshot/yamlio.py",
               "catalogue/__init__.py", "catalogue/build.py"}  # (package data; the corpus, a build tool)
    offenders = [
        p.relative_to(root).as_posix()
        for p in root.rglob("*.py")
        if "json.loads(" in p.read_text(encoding="utf-8") and p.relative_to(root).as_posix() not in allowed
        and "sim" not in p.parts
    ]
    assert offenders == []
    assert json.loads("1") == 1
