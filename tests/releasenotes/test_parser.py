"""The notes reader on small hand-written documents: structure, cells, merging, and what gets reported."""

from __future__ import annotations

import pytest

from afasgov.errors import InputError
from afasgov.releasenotes import parse_notes
from afasgov.releasenotes.facts import NO_FACTS, RootTable
from afasgov.releasenotes.model import BREAKING, CHANGELOG
from afasgov.releasenotes.parser import inline_text, operations_of, split_cells

HEADER = "| Description | Connector | Operation |\n| --- | --- | --- |\n"


def doc(*rows: str, module: str = "Organisaties en personen", section: str = "Changelog", pre: str = "") -> str:
    return f"# New in Profit 9\n\n## {module} Specification\n\n### {section}\n\n{pre}{HEADER}" + "\n".join(rows) + "\n"


def test_cells_escapes_links_and_code() -> None:
    cells = split_cells(r"| a \| b | `c` | [POST](x#post-/c), [PUT](y) |")
    assert cells == [r"a \| b", "`c`", "[POST](x#post-/c), [PUT](y)"]
    assert inline_text(r"a \| b") == "a | b"
    assert inline_text("`KnUser`") == "KnUser"
    assert inline_text("[PUT](../../apidoc/nl/X#put-/connectors/KnUser)") == "PUT"
    assert inline_text("&lt;b&gt; &amp; x") == "<b> & x"
    assert inline_text(r"\[x\]  y ") == "[x] y"
    assert operations_of("[POST](a), [PUT](b), [DELETE](c)") == ("POST", "PUT", "DELETE")
    assert operations_of("POST, PUT") == ("POST", "PUT") and operations_of("") == ()
    assert operations_of("[POSTAL](x)") == ()


def test_front_matter_headings_modules_and_sections() -> None:
    text = (
        "---\ntitle: Nieuw in Profit 9\ndate: 2026-01-05\n---\n\nIntro text.\n\n"
        "## Belangrijke wijzigingen\n\n### KnUser\n\n`KnUser` krijgt een nieuw veld.\n\n"
        "## Organisaties en personen Specification\n\n### Breaking Changes\n\n" + HEADER
        + "| removed the request property 'KnUser/Element/Fields/XOEA' | KnUser | [POST](a), [PUT](b) |\n\n"
        "### Changelog\n\n" + HEADER
        + "| removed the request property 'KnUser/Element/Fields/XOEA' | KnUser | POST, PUT |\n"
        "| added the new optional request property 'KnUser/Element/Fields/MfaR' | KnUser | POST, PUT |\n\n"
        "## Artikelen Specification\n\nNo changes for this release.\n"
    )
    notes = parse_notes(text, "n.md")
    (stats,) = notes.files
    assert (stats.title, stats.date, stats.rows, stats.parsed, stats.reported, stats.prose) == (
        "Nieuw in Profit 9", "2026-01-05", 3, 3, 0, 1)
    removed, added = sorted(notes.changes, key=lambda c: c.id)[::-1]
    assert removed.id == "request-property-removed" and removed.sections == (BREAKING, CHANGELOG)
    assert [s.line for s in removed.sources] == [20, 26] and removed.modules == ("Organisaties en personen",)
    assert added.id == "new-optional-request-property" and added.sections == (CHANGELOG,)
    (prose,) = notes.prose
    assert prose.headings == ("Belangrijke wijzigingen", "KnUser") and prose.source.line == 10
    assert "KnUser" in prose.mentions and not prose.breaking


def test_prose_in_a_table_section_is_a_remark_on_its_rows() -> None:
    notes = parse_notes(doc("| api path removed without deprecation | KnAddress/KnAddress/@Ad/{Ad} | [DELETE](x) |",
                            pre="> This is change in documentation only; API hasn't changed.\n\n"), "n.md")
    (c,) = notes.changes
    assert c.remarks == ("This is change in documentation only; API hasn't changed.",)
    assert notes.prose == [] and c.delete_only
    # text after the last table of a section is not the table's remark: it is read by hand
    notes = parse_notes(doc("| api path removed without deprecation | KnAddress/KnAddress/@Ad/{Ad} | DELETE |")
                        + "\n> KnX: not in AFAS's connector catalogue.\n", "n.md")
    assert notes.changes[0].remarks == ()
    (p,) = notes.prose
    assert p.text == "KnX: not in AFAS's connector catalogue." and p.source.line == 11


def test_rows_that_are_not_understood_are_reported_with_file_and_line() -> None:
    notes = parse_notes(
        doc(
            "| api tag 'X' added | FiIVY | [POST](a) |",
            "| removed the schema 'HrX_POST' |  |  |",
            "| something AFAS never wrote | KnUser | POST |",
            "| removed the request property 'KnUser/Element/Nope/XOEA' | KnUser | POST |",
            "| removed the request property 'KnUser/Element/Fields/XOEA' | KnUser |",
            "| removed the request property 'KnUser/Element/Fields/XOEA' | KnUser | POST | extra |",
            "| endpoint added | K n U s e r | POST |",
            "| endpoint added |  | POST |",
            "|  | KnUser | POST |",
        ),
        "n.md",
    )
    reasons = [(r.source.line, r.reason) for r in notes.reported]
    assert [line for line, _ in reasons] == list(range(9, 18))
    assert reasons[0][1].startswith("OpenAPI documentation only: tags")
    assert reasons[1][1].startswith("OpenAPI documentation only: schemas")
    assert reasons[2][1].startswith("matches no changelog wording")
    assert "is not of the form KnUser/Element" in reasons[3][1]
    assert reasons[4][1].startswith("row has 2 cell(s), the table has 3")
    assert reasons[5][1].startswith("row has 4 cell(s)")
    assert "does not name a connector" in reasons[6][1]
    assert "names no connector" in reasons[7][1]
    assert reasons[8][1] == "empty description"
    assert notes.changes == [] and notes.files[0].rows == 9 and notes.files[0].reported == 9
    assert all(r.module == "Organisaties en personen" and r.section == CHANGELOG for r in notes.reported)


def test_root_element_without_a_connector_column_uses_the_facts() -> None:
    row = ("| added the new optional request property "
           "'FiEntryPar/Element/Objects/items/FiEntries/Element/items/Fields/X' |  |  |")
    (c,) = parse_notes(doc(row), "n.md", facts=RootTable({"FiEntryPar": "FiEntries"})).changes
    assert c.connector == "FiEntries" and c.path == "FiEntries/Element/Objects/FiEntries/Element/Fields/X"
    (c,) = parse_notes(doc(row), "n.md", facts=NO_FACTS).changes  # no facts: the root stands for the connector
    assert c.connector == "FiEntryPar"
    (c,) = parse_notes(doc(row), "n.md").changes  # AFAS's connector catalogue knows FiEntryPar
    assert c.connector == "FiEntries"
    (c,) = parse_notes(doc(row.replace("|  |  |", "| FiEntries | POST |")), "n.md").changes
    assert c.connector == "FiEntries"


def test_a_delete_endpoint_folds_into_the_new_connector_it_belongs_to() -> None:
    notes = parse_notes(
        doc("| endpoint added | /connectors/PtTariff | [POST](a) |",
            "| endpoint added | /connectors/PtTariff | [PUT](a) |",
            "| endpoint added | /connectors/PtTariff/PtTariff/@Id/{Id} | [DELETE](a) |",
            "| endpoint added | /connectors/KnX/KnX/@Id/{Id} | [DELETE](a) |"),
        "n.md",
    )
    delete, whole = notes.changes
    assert (whole.path, whole.operations, whole.scope) == ("PtTariff", ("POST", "PUT", "DELETE"), "")
    assert len(whole.sources) == 3
    assert (delete.path, delete.connector, delete.delete_only) == ("KnX/KnX/@Id/{Id}", "KnX", True)


def test_the_changelog_we_write_today_and_the_grouped_one_both_read() -> None:
    flat = (
        "# API changes from production to accept\n\n## Breaking Changes\n\n" + HEADER
        + "| removed the request property 'KnUser/Element/Fields/XOEA' | KnUser | POST, PUT |\n\n"
        "## Changelog\n\n" + HEADER
        + "| removed the request property 'KnUser/Element/Fields/XOEA' | KnUser | POST, PUT |\n"
    )
    grouped = doc("| removed the request property 'KnUser/Element/Fields/XOEA' | KnUser | POST, PUT |")
    a, b = parse_notes(flat, "a.md"), parse_notes(grouped, "b.md")
    assert [c.key for c in a.changes] == [c.key for c in b.changes]
    assert a.changes[0].sections == (BREAKING, CHANGELOG) and a.changes[0].modules == ()
    assert a.files[0].title == "API changes from production to accept"


@pytest.mark.parametrize("text", ["", "just some text\nwithout structure\n", "```\n| a | b |\n```\n"])
def test_a_document_without_headings_or_tables_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match="not AFAS release notes"):
        parse_notes(text, "x.md")
