"""``gcn import``/``show``/``export`` with hostile names, and imports that would go back in time.

* Control characters (ANSI/VT escapes, C1 controls, bidi overrides) in connector and output names
  never reach the terminal raw: text lines escape them; YAML and JSON output stay valid and carry
  the same values (escaped by the format itself).
* A connector name outside ``[A-Za-z0-9_]`` is imported with a warning (it is part of REST URLs).
* An export older than the stored one of the same GUID (changed earlier, or exported earlier) is
  refused unless ``--allow-downgrade`` (or ``--replace``) is given; nothing is written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afasgov.cli import main
from afasgov.gcn.errors import GcnError
from afasgov.gcn.store import import_files

from .fixtures import EMPLOYEES, employees_gcn

#: what must never be written raw to a terminal
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
EVIL_NAME = "Evil\x1b[2J\x1b[31mName\u202e"
EVIL_OUTPUT = "Id\x1b]0;pwned\x07\x1b[31m\x9b31m\u202eX\x85Y"


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _evil(name: str = EVIL_NAME, output: str = EVIL_OUTPUT) -> bytes:
    fields = [dict(f) for f in EMPLOYEES["fields"]]
    fields[0]["output_name"] = output
    return employees_gcn(name=name, fields=fields, description="Demo\x1b[5m blink")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -------------------------------------------------------------------------------- control characters
def test_import_escapes_the_name_and_warns(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "evil.gcn").write_bytes(_evil())
    code, out, err = _cli(["gcn", "import", "evil.gcn"], capsys)
    assert code == 0, err
    assert not UNSAFE.search(out) and not UNSAFE.search(err)
    assert "Evil\\x1b[2J\\x1b[31mName\\u202e" in out
    assert "warning:" in err and "[A-Za-z0-9_]" in err and "Evil\\x1b[2J" in err
    code, out, err = _cli(["gcn", "export", "Evil__2J__31mName_", "--out", "dist"], capsys)
    assert code == 0, err
    assert not UNSAFE.search(out) and "Evil\\x1b[2J" in out


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_show_output_is_terminal_safe_and_keeps_the_values(
    workdir: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    (workdir / "evil.gcn").write_bytes(_evil())
    code, out, err = _cli(["gcn", "show", "evil.gcn", "--format", fmt], capsys)
    assert code == 0, err
    assert not UNSAFE.search(out)
    doc = yaml.safe_load(out) if fmt == "yaml" else json.loads(out)
    assert doc["name"] == EVIL_NAME and doc["description"] == "Demo\x1b[5m blink"
    assert doc["fields"][0]["output_name"] == EVIL_OUTPUT


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_show_of_ordinary_text_is_unchanged(
    workdir: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    (workdir / "ok.gcn").write_bytes(employees_gcn(info="Medewerkers – één koppeling"))
    code, out, _ = _cli(["gcn", "show", "ok.gcn", "--format", fmt], capsys)
    assert code == 0 and "Medewerkers – één koppeling" in out


@pytest.mark.parametrize(
    ("name", "warned"),
    [("Demo_Employees", False), ("Demo_Employees_2", False), ("Demo Employees", True), ("Demo-Emp", True),
     ("Démo", True), ("Demo/../x", True)],
)
def test_names_outside_the_rest_alphabet_are_warned(name: str, warned: bool, tmp_path: Path) -> None:
    (tmp_path / "in.gcn").write_bytes(employees_gcn(name=name))
    [result] = import_files([tmp_path / "in.gcn"], tmp_path / "store")
    assert bool(result.warnings) == warned
    if warned:
        assert "[A-Za-z0-9_]" in result.warnings[0]


NAMES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x2100)
    | st.sampled_from(["\x1b", "\x9b", "\x85", "\u202e", "\u2066", "\x07", "\x7f", "\r"]),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip(" .") != "" and s.isprintable() is not None)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES, output=NAMES)
def test_any_name_is_shown_safely(
    name: str, output: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "any.gcn"
    try:
        path.write_bytes(_evil(name, output))
    except GcnError:
        return  # not representable in a .gcn (the builder refuses it)
    for fmt in ("yaml", "json"):
        code, out, err = _cli(["gcn", "show", str(path), "--format", fmt], capsys)
        assert code == 0, err
        assert not UNSAFE.search(out)
        doc = yaml.safe_load(out) if fmt == "yaml" else json.loads(out)
        assert doc["name"] == name and doc["fields"][0]["output_name"] == output


# ------------------------------------------------------------------------------------ downgrades
OLD = employees_gcn()  # changed 2025-01-20T10:30:00, exported 2025-01-21T16:52:12
NEW = employees_gcn(changed_at="2025-02-03T08:00:00", exported_at="2025-02-04T09:00:00", info="v2")
SAME_CHANGE_LATER_EXPORT = employees_gcn(exported_at="2025-03-01T12:00:00", info="re-exported")


def _store(workdir: Path) -> Path:
    return workdir / "definitions" / "getconnectors"


def test_older_export_over_newer_is_refused(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "new.gcn").write_bytes(NEW)
    (workdir / "old.gcn").write_bytes(OLD)
    assert _cli(["gcn", "import", "new.gcn"], capsys)[0] == 0
    before = {p.name: p.read_bytes() for p in _store(workdir).iterdir()}
    code, out, err = _cli(["gcn", "import", "old.gcn"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "older" in err and "2025-01-20T10:30:00" in err and "2025-02-03T08:00:00" in err
    assert "--allow-downgrade" in err and "--replace" in err
    assert {p.name: p.read_bytes() for p in _store(workdir).iterdir()} == before


@pytest.mark.parametrize("flag", ["--allow-downgrade", "--replace"])
def test_downgrade_proceeds_with_a_flag_and_says_so(
    workdir: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    (workdir / "new.gcn").write_bytes(NEW)
    (workdir / "old.gcn").write_bytes(OLD)
    _cli(["gcn", "import", "new.gcn"], capsys)
    code, out, err = _cli(["gcn", "import", "old.gcn", flag], capsys)
    assert code == 0, err
    assert out.startswith("downgraded") and "older than the stored version" in out
    assert "warning:" in err and "older" in err
    assert (_store(workdir) / "Demo_Employees.gcn").read_bytes() == OLD


def test_same_change_but_earlier_export_is_a_downgrade(tmp_path: Path) -> None:
    (tmp_path / "later.gcn").write_bytes(SAME_CHANGE_LATER_EXPORT)
    (tmp_path / "earlier.gcn").write_bytes(OLD)
    import_files([tmp_path / "later.gcn"], tmp_path / "s")
    with pytest.raises(GcnError, match="exported 2025-01-21T16:52:12"):
        import_files([tmp_path / "earlier.gcn"], tmp_path / "s")
    [result] = import_files([tmp_path / "earlier.gcn"], tmp_path / "s", allow_downgrade=True)
    assert result.action == "downgraded" and result.warnings


def test_newer_over_older_is_an_ordinary_update(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "new.gcn").write_bytes(NEW)
    (workdir / "old.gcn").write_bytes(OLD)
    _cli(["gcn", "import", "old.gcn"], capsys)
    code, out, err = _cli(["gcn", "import", "new.gcn"], capsys)
    assert code == 0 and out.startswith("updated") and err == ""
    code, out, err = _cli(["gcn", "import", "new.gcn"], capsys)
    assert code == 0 and out.startswith("unchanged") and err == ""


def test_same_moment_other_content_is_an_update(tmp_path: Path) -> None:
    """Same ChDt and export time (e.g. a local YAML edit exported by afasgov): not a downgrade."""
    (tmp_path / "a.gcn").write_bytes(OLD)
    (tmp_path / "b.gcn").write_bytes(employees_gcn(info="other text, same moments"))
    import_files([tmp_path / "a.gcn"], tmp_path / "s")
    [result] = import_files([tmp_path / "b.gcn"], tmp_path / "s")
    assert result.action == "updated" and not result.warnings
