"""AFAS's own release notes (Profit 3, 4, 5; English and Dutch; ../shared/corpus, read in place): every
table row is parsed or reported, hand-picked rows of each template give the diff's ids and paths, and
both languages announce the same changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from afasgov.releasenotes import AnnouncedChange, ReleaseNotes, parse_files
from afasgov.releasenotes.model import BREAKING, CHANGELOG, SCOPE_DELETE, SCOPE_SUB_ENDPOINT

pytestmark = pytest.mark.corpus

#: per file: table rows, parsed, reported, prose sections, announced changes (after merging).
COUNTS = {
    "en/news-profit3.md": (621, 621, 0, 5, 205),
    "en/news-profit4.md": (119, 116, 3, 5, 90),
    "en/news-profit5.md": (422, 421, 1, 3, 355),
    "nl/news-profit3.md": (621, 621, 0, 6, 205),
    "nl/news-profit4.md": (119, 116, 3, 5, 90),
    "nl/news-profit5.md": (422, 421, 1, 2, 355),
}


def _data_rows(path: Path) -> int:
    """Table data rows counted independently of the parser: pipe lines minus header + delimiter."""
    lines = path.read_text(encoding="utf-8").splitlines()
    pipes = sum(1 for ln in lines if ln.lstrip().startswith("|"))
    delimiters = sum(1 for ln in lines if re.fullmatch(r"\|(\s*-{3,}\s*\|)+", ln.strip()))
    return pipes - 2 * delimiters


@pytest.fixture(scope="module")
def parsed(notes_dir: Path) -> dict[str, ReleaseNotes]:
    return {name: parse_files([notes_dir / name]) for name in COUNTS}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_every_row_is_parsed_or_reported(name: str, parsed: dict[str, ReleaseNotes], notes_dir: Path) -> None:
    notes = parsed[name]
    (stats,) = notes.files
    rows, ok, reported, prose, changes = COUNTS[name]
    assert stats.rows == _data_rows(notes_dir / name) == rows
    assert (stats.parsed, stats.reported, stats.prose, len(notes.changes)) == (ok, reported, prose, changes)
    assert stats.parsed + stats.reported == stats.rows
    assert len(notes.reported) == reported
    assert sum(len(c.sources) for c in notes.changes) == stats.parsed  # every parsed row is in one change
    for r in notes.reported:
        assert r.source.file.endswith(name) and r.source.line > 0 and r.reason and r.text.startswith("|")


def test_both_languages_announce_the_same_changes(parsed: dict[str, ReleaseNotes]) -> None:
    for n in (3, 4, 5):
        en, nl = parsed[f"en/news-profit{n}.md"], parsed[f"nl/news-profit{n}.md"]
        assert [c.key for c in en.changes] == [c.key for c in nl.changes]
        assert [(c.operations, c.modules, c.sections) for c in en.changes] == [
            (c.operations, c.modules, c.sections) for c in nl.changes
        ]
        assert [r.reason for r in en.reported] == [r.reason for r in nl.reported]


def _one(notes: ReleaseNotes, rule: str, path: str, value: str | None = None) -> AnnouncedChange:
    hits = [c for c in notes.changes if c.id == rule and c.path == path and c.value == value]
    assert len(hits) == 1, (rule, path, value, [c.key for c in notes.changes if c.path == path])
    return hits[0]


def _lines(c: AnnouncedChange) -> list[int]:
    return [s.line for s in c.sources]


def test_request_property_templates(parsed: dict[str, ReleaseNotes]) -> None:
    p3, p4, p5 = (parsed[f"en/news-profit{n}.md"] for n in (3, 4, 5))
    # /items/ segments of the older notes are dropped
    c = _one(p5, "new-optional-request-property", "KnSubject/Element/Objects/KnSubjectLink/Element/Fields/ToOb")
    assert (c.level, c.connector_type, c.connector, c.field) == ("INFO", "update", "KnSubject", "ToOb")
    assert c.object_path == ("KnSubject", "KnSubjectLink")
    assert c.operations == ("POST", "PUT") and c.modules == ("Dossiers en bijlagen en workflows",)
    assert c.sections == (CHANGELOG,) and _lines(c) == [50]
    c = _one(p5, "request-property-enum-value-added",
             "KnSubject/Element/Objects/KnSubjectLink/Element/Fields/SfTp", "66")
    assert c.level == "INFO" and _lines(c) == [51]
    # removed code: listed under Breaking Changes and again under Changelog → one change
    c = _one(p5, "request-property-enum-value-removed", "FbPurchaseSales/Element/Fields/VaOp", "01")
    assert c.level == "ERR" and c.sections == (BREAKING, CHANGELOG) and c.breaking and len(c.sources) == 2
    # repeated per operation (one row for POST, one for PUT) → one change with both
    c = _one(p3, "request-property-removed", "KnUser/Element/Fields/Pw")
    assert c.operations == ("POST", "PUT") and _lines(c) == [515, 519] and c.level == "ERR"
    # the payload root element (AfasEmployee) stands for the connector (KnEmployee)
    c = _one(p4, "new-required-request-property",
             "KnEmployee/Element/Objects/AfasIdentityDocument/Element/Fields/ViTy")
    assert c.connector == "KnEmployee" and c.operations == ("POST",) and c.level == "ERR"
    # … also where the root differs from the connector only in case (PtItemset for PtItemSet)
    c = _one(p3, "new-optional-request-property", "PtItemSet/Element/Fields/PtItpAcHi")
    assert 151 in _lines(c)
    # the same path under another connector is another change (KnEmployeeGUID shares AfasEmployee)
    assert {c.connector for c in p3.changes if c.path.endswith("/Objects/AfasContract/Element/Fields/ViPp")} == {
        "KnEmployee", "KnEmployeeGUID"}
    c = _one(p4, "request-property-became-required",
             "FiContract/Element/Objects/FiContractline/Element/Fields/VaRV")
    assert c.level == "ERR" and c.operations == ("POST",)
    # rows repeated per endpoint (/connectors/FiContract and /connectors/FiContract/FiContractline)
    c = _one(p3, "new-optional-request-property", "FiContract/Element/Objects/FiContractline/Element/Fields/APBF")
    assert set(c.endpoints) == {"FiContract", "FiContract/FiContractline"} and len(c.sources) == 3
    c = _one(p3, "request-property-max-length-increased", "FiFixedAssets/Element/Fields/Ds")
    assert (c.before, c.after, c.level) == ("80", "120", "INFO")
    # the wording plus AFAS's own note: the note is kept as a remark
    c = _one(p3, "new-required-request-property", "KnSalesRelationOrg/Element/Fields/CdDa")
    assert c.remarks and c.remarks[0].startswith("Note:") and _lines(c) == [510]


def test_objects_endpoints_and_paths(parsed: dict[str, ReleaseNotes]) -> None:
    p3, p4, p5 = (parsed[f"en/news-profit{n}.md"] for n in (3, 4, 5))
    # a new nested object, worded as a request property at the object's path
    c = _one(p3, "afas-request-object-added", "KnEmployee/Element/Objects/AfasPeriodiek")
    assert c.field is None and c.object_path == ("KnEmployee", "AfasPeriodiek") and len(c.sources) == 10
    c = _one(p5, "afas-request-object-added",
             "HrOnboarding/Element/Objects/AfasOnboard/Element/Objects/OnboardAttachment")
    assert c.connector == "HrOnboarding"  # the rows write AfasPerson/…
    # a new connector announced per operation → one endpoint-added with every operation
    c = _one(p3, "endpoint-added", "FiIVY")
    assert (c.connector_type, c.operations, _lines(c)) == ("update", ("POST", "PUT", "DELETE"), [114, 115, 116])
    c = _one(p4, "endpoint-added", "FbPurchaseSales")
    assert c.operations == ("POST", "PUT", "DELETE") and c.scope == ""
    # a DELETE endpoint of an existing connector: its own change, DELETE-only
    c = _one(p3, "endpoint-added", "FbUnitBasicItem/FbUnitBasicItem/@VaIt,@BiUn/{VaIt},{BiUn}")
    assert c.connector == "FbUnitBasicItem" and c.scope == SCOPE_DELETE and c.delete_only
    c = _one(p5, "api-path-removed-without-deprecation", "KnAddress/KnAddress/@Ad/{Ad}")
    assert c.level == "ERR" and c.sections == (BREAKING, CHANGELOG) and c.remarks  # "documentation only"
    # the same DELETE endpoint announced in two modules: one change, both modules
    c = _one(p3, "endpoint-added", "KnOrgEmrFun/KnOrgEmrFun/@CmId,@FuId/{CmId},{FuId}")
    assert c.modules == ("Medewerker en contract", "Werkgever")
    # a standard GetConnector
    c = _one(p3, "endpoint-added", "Profit_Rooster_Ouderverlof")
    assert c.connector_type == "get" and c.operations == ("GET",)
    # a nested object's own endpoint (/connectors/PtProject/PtTailSpend)
    c = _one(p3, "endpoint-added", "PtProject/PtTailSpend")
    assert c.scope == SCOPE_SUB_ENDPOINT and c.connector == "PtProject"


def test_reported_rows_and_prose(parsed: dict[str, ReleaseNotes]) -> None:
    p3, p4 = parsed["en/news-profit3.md"], parsed["en/news-profit4.md"]
    assert [(r.source.line, r.reason.split(":")[0]) for r in p4.reported] == [
        (84, "OpenAPI documentation only"),
        (85, "OpenAPI documentation only"),
        (228, "OpenAPI documentation only"),
    ]
    assert all(r.module for r in p4.reported)
    confrontation = next(p for p in p3.prose if p.source.line == 22)
    assert confrontation.breaking and "FbConfrontation" in confrontation.mentions
    assert confrontation.headings[-1].startswith("Breaking")
    # "No changes for this release." is not prose to read
    assert not any(p.module and not p.text.strip() for p in p3.prose)
    assert all(not p.headings[0].endswith("Specification") or p.text for p in p3.prose)


def test_all_notes_together(notes_dir: Path) -> None:
    """Several files: one announcement; the same change announced twice is one change."""
    files = [notes_dir / "en" / f"news-profit{n}.md" for n in (3, 4, 5)]
    notes = parse_files(files)
    assert [f.file for f in notes.files] == [str(f) for f in files]
    assert notes.rows == sum(COUNTS[f"en/news-profit{n}.md"][0] for n in (3, 4, 5))
    assert len({c.key for c in notes.changes}) == len(notes.changes)
    assert len(notes.changes) <= sum(COUNTS[f"en/news-profit{n}.md"][4] for n in (3, 4, 5))

