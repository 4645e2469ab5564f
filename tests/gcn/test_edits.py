"""Edits of a definition are written into the raw layer and re-parse with exactly those changes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov.gcn.codec import apply_definition, read_gcn, write_gcn
from afasgov.gcn.errors import GcnError
from afasgov.gcn.model import GcnCriterion, GcnDefinition, GcnFilterGroup
from afasgov.gcn.store import export_definitions, import_files
from afasgov.gcn.yamlio import to_yaml

from .fixtures import employees_gcn


def _one_per_generation(files: list[Path]) -> dict[int, Path]:
    out: dict[int, Path] = {}
    for path in files:
        version = read_gcn(path.read_bytes()).format_version
        out.setdefault(version, path)
    return out


def _edited(d: GcnDefinition, text: str = "Nieuw é") -> GcnDefinition:
    first = d.output_fields[0]
    fields = tuple(
        dataclasses.replace(f, output_name="RenamedOutput", label=text, column_header="Kop")
        if f.field_id == first.field_id
        else f
        for f in d.fields
    )
    filters = (*d.filters, GcnFilterGroup((GcnCriterion(first.field_id, 7, "x@y~z\r\n"),)))
    return dataclasses.replace(
        d,
        fields=fields,
        description=d.description + " (edited)",
        info=f"Uitleg {text}",
        blocked=not d.blocked,
        filters=filters,
    )


def _check_edit(data: bytes) -> None:
    doc = read_gcn(data)
    new = _edited(doc.definition)
    written = write_gcn(apply_definition(doc, new))
    again = read_gcn(written)
    assert again.definition == new
    assert again.format_version == doc.format_version
    # the signature and header identity stay; the header description follows Ds
    assert again.header[15] == doc.header[15]
    assert again.header[3] == new.description
    # undoing the edit gives back an equivalent definition
    assert read_gcn(write_gcn(apply_definition(again, doc.definition))).definition == doc.definition


def test_edits_on_corpus_files(gcn_corpus_files: list[Path]) -> None:
    picked = _one_per_generation(gcn_corpus_files)
    assert set(picked) == {5, 7, 8}
    for path in picked.values():
        _check_edit(path.read_bytes())


def test_edits_on_built_fixture() -> None:
    _check_edit(employees_gcn())


def test_unchanged_definition_writes_identical_bytes() -> None:
    data = employees_gcn()
    doc = read_gcn(data)
    same = apply_definition(doc, dataclasses.replace(doc.definition))
    assert same is doc and write_gcn(same) == data


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda d: dataclasses.replace(d, guid="0" * 32), "guid cannot change"),
        (lambda d: dataclasses.replace(d, fields=d.fields[1:]), "removed: U001"),
        (lambda d: dataclasses.replace(d, data_collection="B_Xyz00"), "data_collection cannot be edited"),
        (
            lambda d: dataclasses.replace(
                d, fields=(dataclasses.replace(d.fields[0], source="Kn.Bcn.Nm"), *d.fields[1:])
            ),
            "fields[0].source",
        ),
        (
            lambda d: dataclasses.replace(
                d,
                fields=tuple(
                    dataclasses.replace(f, output_name="X") if not f.is_output else f for f in d.fields
                ),
            ),
            "not an output field",
        ),
        (
            lambda d: dataclasses.replace(
                d,
                fields=tuple(
                    dataclasses.replace(f, output_name="Same") if f.is_output else f for f in d.fields
                ),
            ),
            "used twice",
        ),
        (
            lambda d: dataclasses.replace(d, filters=(GcnFilterGroup((GcnCriterion("U999", 1, "x"),)),)),
            "U999 is not selected",
        ),
    ],
)
def test_unsupported_edits(change, needle: str) -> None:  # type: ignore[no-untyped-def]
    doc = read_gcn(employees_gcn())
    with pytest.raises(GcnError) as info:
        apply_definition(doc, change(doc.definition))
    assert needle in str(info.value)


def test_non_ansi_text_in_format5_is_refused(gcn_corpus_files: list[Path]) -> None:
    picked = _one_per_generation(gcn_corpus_files)
    for version in (5, 7):
        doc = read_gcn(picked[version].read_bytes(), source=picked[version].name)
        edited = apply_definition(doc, dataclasses.replace(doc.definition, info="漢字"))
        with pytest.raises(GcnError, match="Windows-1252"):
            write_gcn(edited)
    doc8 = read_gcn(picked[8].read_bytes())
    data = write_gcn(apply_definition(doc8, dataclasses.replace(doc8.definition, info="漢字")))
    assert read_gcn(data).definition.info == "漢字"


names = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x24F, blacklist_categories=("Cs",)),
    min_size=1,
    max_size=20,
)


@settings(max_examples=40, deadline=None)
@given(
    new_names=st.lists(names, min_size=4, max_size=4, unique=True),
    blocked=st.booleans(),
    label=st.none() | names,
    value=names,
    operator=st.integers(1, 15),
)
def test_random_edits_round_trip(
    new_names: list[str], blocked: bool, label: str | None, value: str, operator: int
) -> None:
    doc = read_gcn(employees_gcn())
    d = doc.definition
    outputs = iter(new_names)
    fields = tuple(
        dataclasses.replace(f, output_name=next(outputs), label=label) if f.is_output else f for f in d.fields
    )
    filters = (GcnFilterGroup((GcnCriterion("U004", operator, value), GcnCriterion("U001", 1, value))),)
    new = dataclasses.replace(d, fields=fields, blocked=blocked, filters=filters)
    assert read_gcn(write_gcn(apply_definition(doc, new))).definition == new


def test_export_of_edited_yaml(tmp_path: Path) -> None:
    source = tmp_path / "in" / "Demo_Employees.gcn"
    source.parent.mkdir()
    source.write_bytes(employees_gcn())
    tree = tmp_path / "defs"
    [result] = import_files([source], tree)
    yaml_path = result.yaml_path
    text = yaml_path.read_text(encoding="utf-8")
    assert "output_name: Email\n" in text
    yaml_path.write_text(
        text.replace("output_name: Email\n", "output_name: WorkEmail\n").replace(
            "  blocked: false", "  blocked: true"
        ),
        encoding="utf-8",
    )
    [exported] = export_definitions(["Demo_Employees"], tree, tmp_path / "out")
    assert exported.edited and "unverified" in exported.note
    d = read_gcn(exported.path.read_bytes()).definition
    assert d.blocked and "WorkEmail" in d.output_names and "Email" not in d.output_names
    # untouched YAML exports the original bytes
    yaml_path.write_text(text, encoding="utf-8")
    [again] = export_definitions(["Demo_Employees"], tree, tmp_path / "out2")
    assert not again.edited and again.path.read_bytes() == source.read_bytes()


def test_export_refuses_unsupported_yaml_edit(tmp_path: Path) -> None:
    source = tmp_path / "Demo_Employees.gcn"
    source.write_bytes(employees_gcn())
    tree = tmp_path / "defs"
    [result] = import_files([source], tree)
    text = result.yaml_path.read_text(encoding="utf-8").replace("source: Kn.Bcn.EmAd", "source: Kn.Bcn.MbNr")
    result.yaml_path.write_text(text, encoding="utf-8")
    with pytest.raises(GcnError, match="source cannot be edited"):
        export_definitions(["Demo_Employees"], tree, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_yaml_of_built_fixture_is_stable() -> None:
    d = read_gcn(employees_gcn()).definition
    assert to_yaml(d) == to_yaml(read_gcn(employees_gcn()).definition)
