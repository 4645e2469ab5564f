"""The public corpus (read in place): every .gcn parses and round-trips byte for byte; successive
versions of the t4e connectors diff to their real changes."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from afasgov.diff.rules.gcn import diff_definitions
from afasgov.gcn import zipmember
from afasgov.gcn.codec import encode_member, read_gcn, write_gcn
from afasgov.gcn.filters import parse_filter
from afasgov.gcn.model import GcnDefinition
from afasgov.gcn.store import export_definitions, import_files
from afasgov.gcn.yamlio import from_yaml, to_yaml

pytestmark = pytest.mark.corpus


def _t4e(corpus_dir: Path, prefix: str, name: str) -> GcnDefinition:
    matches = sorted((corpus_dir / "gcn" / "t4e").glob(f"{prefix}*_{name}.gcn"))
    assert len(matches) == 1, (prefix, name, matches)
    return read_gcn(matches[0].read_bytes(), source=matches[0].name).definition


def test_corpus_is_there(gcn_corpus_files: list[Path]) -> None:
    generations = {read_gcn(p.read_bytes()).format_version for p in gcn_corpus_files}
    assert generations == {5, 7, 8}
    assert len(gcn_corpus_files) >= 50


def test_every_file_round_trips_byte_exactly(gcn_corpus_files: list[Path]) -> None:
    for path in gcn_corpus_files:
        data = path.read_bytes()
        doc = read_gcn(data, source=path.name)
        assert write_gcn(doc) == data, path.name
        # the member itself is regenerated from the parsed items, not copied
        assert encode_member(doc) == doc.member, path.name


def test_format5_deflate_is_zlib6(gcn_corpus_files: list[Path]) -> None:
    checked = 0
    for path in gcn_corpus_files:
        doc = read_gcn(path.read_bytes())
        if doc.format_version == 5:
            assert zipmember.deflate(doc.member) == doc.zip.compressed, path.name
            checked += 1
    assert checked >= 30


def test_zip_extras_regenerate(gcn_corpus_files: list[Path]) -> None:
    for path in gcn_corpus_files:
        doc = read_gcn(path.read_bytes())
        times = zipmember.ntfs_filetimes(doc.zip.central_extra)
        assert times is not None
        assert zipmember.make_extras(doc.zip.name, *times) == (doc.zip.local_extra, doc.zip.central_extra)
        assert doc.definition.export.exported_at is not None


def test_yaml_round_trip_and_filters(gcn_corpus_files: list[Path]) -> None:
    for path in gcn_corpus_files:
        doc = read_gcn(path.read_bytes())
        d = doc.definition
        assert from_yaml(to_yaml(d)) == d, path.name
        # logical invariants from gcn-format.md
        assert [f.field_id for f in d.output_fields] == [
            f.field_id for f in sorted(d.fields, key=lambda f: f.order) if f.display == 1
        ]
        assert sorted(f.order for f in d.fields) == list(range(1, len(d.fields) + 1))
        for group in d.filters:
            for crit in group.criteria:
                assert d.get_field(crit.field_id) is not None
        view = next(s for s in doc.layout.statements if s.table == "AfasMdView")
        text = view.get("AfasMdFilterData")
        assert isinstance(text, str)
        assert parse_filter(text).encode() == text


def test_logical_content_is_generation_independent(corpus_dir: Path) -> None:
    # the same connector exported as format 5 (2022-04-22) and format 7 (2023-10-10), unchanged in between
    g1 = _t4e(corpus_dir, "2022-04-22_720c1f0c", "T4E_HelloID_Groups_v2")
    g2 = _t4e(corpus_dir, "2023-10-10_bc75dcc6", "T4E_HelloID_Groups_v2")
    assert (g1.export.format_version, g2.export.format_version) == (5, 7)
    assert diff_definitions(g1, g2) == []
    assert g1.fields == g2.fields and g1.filters == g2.filters


def test_known_values_of_one_file(corpus_dir: Path) -> None:
    path = corpus_dir / "gcn" / "afas" / "SH_AUDIT_Plannen.gcn"
    d = read_gcn(path.read_bytes()).definition
    assert d.guid == "D88607F538BA4610A164DFCFA39D92B8"
    assert (d.name, d.product, d.system, d.data_collection, d.main_table) == (
        "SH_AUDIT_Plannen",
        "Pay",
        "Hr",
        "B_CPl09",
        "Hr.Cpl",
    )
    assert d.export.format_version == 8 and d.export.generation == "G3"
    assert d.created_at is not None and d.created_at.isoformat() == "2024-01-10T08:12:51"
    assert d.output_names == ("Werkgever", "Jaar", "Periode", "PlanId", "Afwijkend_betaalplan", "Aantal")
    assert d.export.exported_at is not None and d.export.exported_at.isoformat() == "2025-01-21T16:52:12"


# ----------------------------------------------------------------------------- successive versions
def _ids(changes: list) -> list[tuple[str, str | None]]:  # type: ignore[type-arg]
    return [(c.id, c.extra["field_id"]) for c in changes]


def test_users_2020_09_to_10_02(corpus_dir: Path) -> None:
    a = _t4e(corpus_dir, "2020-09-24", "T4E_HelloID_Users")
    b = _t4e(corpus_dir, "2020-10-02_2c85165f", "T4E_HelloID_Users")
    changes = diff_definitions(a, b)
    removed = {c.extra["field_id"]: c.before for c in changes if c.id == "response-optional-property-removed"}
    assert removed == {"U006": "Mobielnr_werk", "U028": "Telefoonnr_werk"}
    renamed = {
        c.extra["field_id"]: (c.before, c.after) for c in changes if c.id == "afas-response-property-renamed"
    }
    assert renamed == {"U002": ("Nummer", "Persoonsnummer"), "U008": ("Email_werk", "Email_werk_gebruiker")}
    added = {c.extra["field_id"]: c.after for c in changes if c.id == "response-optional-property-added"}
    assert added == {"U015": "Mobielnr_werk", "U016": "Telefoonnr_werk", "U027": "Email_werk"}
    assert b.get_field("U027").source == "Kn.Bcn.EmAd"  # type: ignore[union-attr]
    assert {c.level for c in changes if c.id == "response-optional-property-removed"} == {"ERR"}


def test_users_displayname_source_change(corpus_dir: Path) -> None:
    a = _t4e(corpus_dir, "2020-10-02_2c85165f", "T4E_HelloID_Users")
    b = _t4e(corpus_dir, "2020-10-06_17a5062b", "T4E_HelloID_Users")
    changes = diff_definitions(a, b)
    source = [c for c in changes if c.id == "afas-gcn-field-source-changed"]
    assert len(source) == 1 and source[0].extra["field_id"] == "U023"
    assert source[0].before == "Kn.Bcn.Is via Bcn" and source[0].after == "Kn.Emp.Nm via Bcn.KnEmp2"
    assert ("response-optional-property-removed", "U003") in _ids(changes)
    assert ("afas-response-property-renamed", "U023") in _ids(changes)


def test_groups_filter_added_then_changed(corpus_dir: Path) -> None:
    a = _t4e(corpus_dir, "2020-09-24", "T4E_HelloID_Groups")
    b = _t4e(corpus_dir, "2020-10-02_ccfe0882", "T4E_HelloID_Groups")
    c = _t4e(corpus_dir, "2020-10-07", "T4E_HelloID_Groups")
    first = diff_definitions(a, b)
    assert _ids(first) == [("afas-gcn-filter-added", None), ("afas-gcn-field-added", "U002")]
    assert b.filter_text() == "(U002 =0)"
    second = diff_definitions(b, c)
    assert _ids(second) == [("afas-gcn-filter-changed", None)]
    assert second[0].after == [["U001 !=iedereen", "U002 =0"]]
    assert c.get_field("U002").source == "Kn.Grp.Bl"  # type: ignore[union-attr]


def test_positions_v2_fields_removed_and_demoted(corpus_dir: Path) -> None:
    a = _t4e(corpus_dir, "2022-04-22_720c1f0c", "T4E_HelloID_Positions_v2")
    b = _t4e(corpus_dir, "2022-04-22_a92da329", "T4E_HelloID_Positions_v2")
    changes = diff_definitions(a, b)
    removed = {c.extra["field_id"]: c.after for c in changes if c.id == "response-optional-property-removed"}
    assert removed == {
        "U015": None,
        "U016": None,
        "U023": None,
        "U018": None,
        "U019": None,
        "U017": None,
        "U024": "filter-only",
    }
    assert ("afas-gcn-filter-changed", None) in _ids(changes)
    assert len(a.output_fields) - len(b.output_fields) == 7


def test_users_v2_rename_and_filter_window(corpus_dir: Path) -> None:
    a = _t4e(corpus_dir, "2022-01-07", "T4E_HelloID_Users_v2")
    b = _t4e(corpus_dir, "2022-04-22_720c1f0c", "T4E_HelloID_Users_v2")
    changes = diff_definitions(a, b)
    # sorted as a snapshot diff is: the connector's own changes first, then by path
    assert _ids(changes) == [("afas-gcn-filter-changed", None), ("afas-response-property-renamed", "U028")]
    assert changes[1].before == "E-mail" and changes[1].after == "Email_portal"
    assert changes[1].path == "T4E_HelloID_Users_v2/Fields/E-mail"
    assert "DDm1@" in changes[0].text and "DDm3@" in changes[0].text


def test_same_name_different_connector(corpus_dir: Path) -> None:
    a = _t4e(corpus_dir, "2022-04-22_720c1f0c", "T4E_HelloID_Users_v2")
    b = _t4e(corpus_dir, "2023-10-10_bc75dcc6", "T4E_HelloID_Users_v2")
    assert a.name == b.name and a.guid != b.guid
    changes = diff_definitions(a, b)
    replaced = [c for c in changes if c.id == "afas-gcn-connector-replaced"]
    assert len(replaced) == 1 and replaced[0].level == "ERR" and replaced[0].path == a.name


def test_reexport_without_changes_is_no_change(corpus_dir: Path) -> None:
    a = _t4e(corpus_dir, "2023-04-26", "T4E_HelloID_Employments_v2")
    b = _t4e(corpus_dir, "2023-05-01", "T4E_HelloID_Employments_v2")
    assert diff_definitions(a, b) == []


# ------------------------------------------------------------------ import → export: zero differences
def test_import_whole_corpus_and_export_back(gcn_corpus_files: list[Path], tmp_path: Path) -> None:
    by_snapshot: dict[str, list[Path]] = {}
    for path in gcn_corpus_files:
        key = path.parent.name + "/" + path.name[:19] if path.parent.name == "t4e" else path.parent.name
        by_snapshot.setdefault(key, []).append(path)
    compared = 0
    for index, (_key, files) in enumerate(sorted(by_snapshot.items())):
        tree = tmp_path / f"tree{index}"
        results = import_files(files, tree)
        assert {r.action for r in results} == {"added"}
        out = tmp_path / f"out{index}"
        exported = export_definitions([r.guid for r in results], tree, out)
        assert not any(e.edited for e in exported)
        for result, path in zip(results, files, strict=True):
            exported_file = out / result.gcn_path.name
            assert filecmp.cmp(exported_file, path, shallow=False), path.name
            compared += 1
    assert compared == len(gcn_corpus_files)
