"""A stored definition's YAML is read strictly: an unknown key (a mistyped edit) is an error naming
its key path, never silently dropped (which would export the original bytes as if nothing changed)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov.cli import main
from afasgov.gcn.codec import read_gcn
from afasgov.gcn.errors import GcnError
from afasgov.gcn.store import import_files
from afasgov.gcn.yamlio import from_dict, from_yaml, to_dict, to_yaml

from .fixtures import employees_gcn

DEFINITION = read_gcn(employees_gcn()).definition


def _data() -> dict[str, Any]:
    return copy.deepcopy(to_dict(DEFINITION))


def _error(data: Any) -> str:
    with pytest.raises(GcnError) as info:
        from_dict(data, source="Demo_Employees.yaml")
    text = str(info.value)
    assert text.startswith("Demo_Employees.yaml: ") and "\n" not in text and info.value.exit_code == 2
    return text


def test_every_key_the_writer_writes_is_read() -> None:
    assert from_dict(_data()) == DEFINITION
    assert from_yaml(to_yaml(DEFINITION)) == DEFINITION


@pytest.mark.parametrize(
    ("edit", "path", "hint"),
    [
        (lambda d: d.update(descripton="x"), "descripton", "description"),
        (lambda d: d["flags"].update(blockd=True), "flags.blockd", "blocked"),
        (lambda d: d["fields"][2].update(ouput_name="Mail"), "fields[2].ouput_name", "output_name"),
        (lambda d: d["fields"][0].update(lable="Nr"), "fields[0].lable", "label"),
        (lambda d: d["filters"][0]["all"][0].update(operater="!="), "filters[0].all[0].operater", "operator"),
        (lambda d: d["filters"][0].update(any=[]), "filters[0].any", None),
        (lambda d: d["history"].update(changed_on="2025-01-01"), "history.changed_on", None),
        (lambda d: d["data_collection"].update(main_tabel="Kn.Bcn"), "data_collection.main_tabel", "main_table"),
        (lambda d: d["aliases"][0].update(visble=False), "aliases[0].visble", "visible"),
        (lambda d: d["localized"].update(description={"1043": "x"}), "localized.description", "descriptions"),
        (lambda d: d["export"].update(exported="x"), "export.exported", None),
        (lambda d: d.update({1: "x"}), "1", None),
    ],
)
def test_unknown_key_is_refused_with_its_path(edit: Any, path: str, hint: str | None) -> None:
    data = _data()
    edit(data)
    text = _error(data)
    assert f"{path}: unknown key" in text, text
    if hint:
        assert f"(did you mean '{hint}'?)" in text, text
    if path in ("1", "filters[0].any"):  # nothing close: the keys that are known there
        assert "(known here: " in text, text


def test_derived_keys_the_writer_writes_are_accepted() -> None:
    data = _data()
    assert "generation" in data["export"]  # written for readers, derived from format_version
    data["export"]["generation"] = "G3"
    assert from_dict(data) == DEFINITION


def _mappings(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every mapping of the document whose keys are fixed (not the lcid → text maps)."""
    out: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        out.append((path, node))
        for key, value in node.items():
            if key in ("labels", "column_headers", "descriptions", "infos"):
                continue
            out += _mappings(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _mappings(value, f"{path}[{i}]")
    return out


@settings(max_examples=80, deadline=None)
@given(which=st.integers(0, 10_000), key=st.from_regex(r"[a-z_]{1,12}", fullmatch=True))
def test_any_unknown_key_anywhere_is_named(which: int, key: str) -> None:
    data = _data()
    mappings = _mappings(data)
    path, mapping = mappings[which % len(mappings)]
    if key in mapping or (path == "export" and key == "generation"):
        return
    mapping[key] = "typo"
    assert f"{f'{path}.{key}' if path else key}: unknown key" in _error(data)


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_mistyped_edit_is_not_exported_as_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.gcn").write_bytes(employees_gcn())
    store = tmp_path / "definitions" / "getconnectors"
    import_files([tmp_path / "in.gcn"], store)
    stored = store / "Demo_Employees.yaml"
    doc = yaml.safe_load(stored.read_text(encoding="utf-8"))
    doc["fields"][2]["ouput_name"] = "Mail"  # meant: output_name
    stored.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    code, out, err = _cli(["gcn", "export", "Demo_Employees", "--out", "dist"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "fields[2].ouput_name: unknown key" in err and "did you mean 'output_name'" in err
    assert "getconnectors/Demo_Employees.yaml: " in err
    assert not (tmp_path / "dist").exists()
    code, _, err = _cli(["gcn", "show", str(stored)], capsys)
    assert code == 2 and "fields[2].ouput_name" in err
