"""``afasgov gcn show|import|export|diff`` in-process through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from afasgov.cli import main

from .fixtures import EMPLOYEES, employees_gcn


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "Demo_Employees.gcn").write_bytes(employees_gcn())
    fields = [*EMPLOYEES["fields"][:2], {**EMPLOYEES["fields"][2], "output_name": "WorkEmail"}]
    (tmp_path / "exports" / "Demo_Employees_v2.gcn").write_bytes(employees_gcn(fields=fields, filters=[]))
    return tmp_path


def test_show_yaml_and_json(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["gcn", "show", "exports/Demo_Employees.gcn"], capsys)
    assert code == 0
    doc = yaml.safe_load(out)
    assert doc["name"] == "Demo_Employees" and doc["fields"][0]["source"] == "Kn.Bcn.BcCo"
    code, out, _ = run(["gcn", "show", "exports/Demo_Employees.gcn", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["flags"]["apply_authorisation"] is True


def test_import_export_round_trip(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["gcn", "import", "exports/Demo_Employees.gcn"], capsys)
    assert code == 0 and out.startswith("added")
    target = workdir / "definitions" / "getconnectors"
    assert sorted(p.name for p in target.iterdir()) == ["Demo_Employees.gcn", "Demo_Employees.yaml"]
    code, out, _ = run(["gcn", "import", "exports/Demo_Employees.gcn"], capsys)
    assert out.startswith("unchanged")
    code, out, err = run(["gcn", "export", "Demo_Employees", "--out", "dist"], capsys)
    assert code == 0 and "original bytes" in out and err == ""
    assert (workdir / "dist" / "Demo_Employees.gcn").read_bytes() == employees_gcn()
    # edit the YAML: the export is re-written and says that importing it is unverified
    yaml_path = target / "Demo_Employees.yaml"
    yaml_path.write_text(
        yaml_path.read_text(encoding="utf-8").replace("output_name: Email", "output_name: Mail"),
        encoding="utf-8",
    )
    code, out, err = run(["gcn", "export", "Demo_Employees", "--out", "dist2"], capsys)
    assert code == 0 and "re-written with edits" in out and "unverified" in err


def test_import_uses_config_definitions_dir(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "afasgov.yaml").write_text("definitions_dir: defs\nenvironments: {}\n", encoding="utf-8")
    code, _out, err = run(["gcn", "import", "exports/Demo_Employees.gcn"], capsys)
    assert code == 0, err
    assert (workdir / "defs" / "getconnectors" / "Demo_Employees.yaml").is_file()


def test_import_same_guid_twice_and_rename(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["gcn", "import", "exports/Demo_Employees.gcn", "exports/Demo_Employees_v2.gcn"], capsys
    )
    assert code == 2 and "import one version at a time" in err
    assert not (workdir / "definitions").exists()  # nothing half-written


def test_import_refuses_other_connector_under_same_name(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["gcn", "import", "exports/Demo_Employees.gcn"], capsys)[0] == 0
    other = workdir / "other.gcn"
    other.write_bytes(employees_gcn(guid="0123456789ABCDEF0123456789ABCDEF"))
    code, _, err = run(["gcn", "import", str(other)], capsys)
    assert code == 2 and "different connector" in err and "--replace" in err
    code, out, _ = run(["gcn", "import", str(other), "--replace"], capsys)
    assert code == 0 and out.startswith("replaced")


def test_bad_input_exit_2_one_line(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = workdir / "bad.gcn"
    bad.write_bytes(employees_gcn()[:500])
    code, out, err = run(["gcn", "import", str(bad), "exports/Demo_Employees.gcn"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "truncated" in err
    assert not (workdir / "definitions").exists()
    mangled = workdir / "mangled.gcn"
    mangled.write_bytes(employees_gcn().decode("utf-8", "replace").encode("utf-8"))
    code, _, err = run(["gcn", "show", str(mangled)], capsys)
    assert code == 2 and "*.gcn binary" in err


def test_diff_text_json_and_exit_codes(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = "exports/Demo_Employees.gcn", "exports/Demo_Employees_v2.gcn"
    code, out, _ = run(["gcn", "diff", a, b], capsys)
    assert code == 1
    assert "error [afas-response-property-renamed] at Demo_Employees/Fields/Email" in out
    assert "response-optional-property-removed" in out and "afas-gcn-filter-removed" in out
    code, out, _ = run(["gcn", "diff", a, b, "--format", "json", "--fail-on", "INFO"], capsys)
    assert code == 1
    doc = json.loads(out)
    assert doc["summary"]["ERR"] == 2
    assert {c["id"] for c in doc["changes"]} >= {"response-optional-property-removed"}
    assert all(c["connector_type"] == "gcn" and len(c["fingerprint"]) == 23 for c in doc["changes"])
    assert run(["gcn", "diff", a, a], capsys)[0] == 0
    # a stored definition (by name) against a file
    run(["gcn", "import", a], capsys)
    code, out, _ = run(["gcn", "diff", "Demo_Employees", b, "--fail-on", "WARN"], capsys)
    assert code == 1 and "afas-response-property-renamed" in out


def test_import_into_an_impossible_directory_exit_2(workdir: Path) -> None:
    from afasgov.errors import InputError
    from afasgov.gcn.store import import_files

    (workdir / "file").write_text("not a directory", encoding="utf-8")
    for into in (workdir / "file", workdir / "file" / "sub"):
        with pytest.raises(InputError, match="cannot create directory") as exc:
            import_files([workdir / "exports" / "Demo_Employees.gcn"], into)
        assert exc.value.source == str(into) and exc.value.exit_code == 2
    assert (workdir / "file").read_text(encoding="utf-8") == "not a directory"


def test_import_into_a_directory_under_a_file_names_it(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "file").write_text("x", encoding="utf-8")
    code, _, err = run(["gcn", "import", "exports/Demo_Employees.gcn", "--into", "file/sub"], capsys)
    assert code == 2 and err == "afasgov: error: file/sub: cannot create directory: Not a directory\n"


def test_export_to_an_impossible_directory_exit_2(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["gcn", "import", "exports/Demo_Employees.gcn"], capsys)[0] == 0
    (workdir / "file").write_text("x", encoding="utf-8")
    code, out, err = run(["gcn", "export", "Demo_Employees", "--out", "file/sub"], capsys)
    assert code == 2 and out == "" and err == "afasgov: error: file/sub: cannot create directory: Not a directory\n"
