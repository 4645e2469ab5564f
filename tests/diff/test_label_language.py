"""A difference in label language is not a change: labels and descriptions follow Accept-Language.

Two snapshots read in different languages (nl-nl vs en-us) have different labels everywhere; the diff
must not report them and must say in a note why labels were not compared. Read in the same language,
the same label edits are reported.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from afasgov.cli import main
from afasgov.diff.engine import diff_snapshots
from afasgov.model import CodeValue, EnvironmentSnapshot
from afasgov.snapshot import write_tree
from tests.diff.builders import base_snapshot, copy, map_get_field, map_update_field

#: the rules that compare display text (labels, descriptions).
LABEL_RULES = {
    "afas-request-property-label-changed",
    "afas-response-property-label-changed",
    "afas-connector-description-changed",
    "afas-request-property-enum-value-description-changed",
}


def relabelled(s: EnvironmentSnapshot, name: str, language: str) -> EnvironmentSnapshot:
    """``s`` as read in another language: every kind of display text differs, nothing else does."""
    out = copy(s, name)
    out.language = language
    map_update_field(out, "KnEmployee", (), "EmAd", lambda f: dataclasses.replace(f, label="Work email"))
    map_update_field(out, "KnEmployee", ("KnPerson",), "FiNm", lambda f: dataclasses.replace(f, label="First name"))
    map_update_field(
        out,
        "KnEmployee",
        (),
        "ViGe",
        lambda f: dataclasses.replace(f, label="Gender", values=(CodeValue("M", "Male"), CodeValue("V", "Female"))),
    )
    map_get_field(out, "Profit_Employees", "Salary", lambda f: dataclasses.replace(f, label="Salary"))
    out.update_connectors["KnSubject"] = dataclasses.replace(
        out.update_connectors["KnSubject"], description="File item"
    )
    out.get_connectors["Profit_Employees"] = dataclasses.replace(
        out.get_connectors["Profit_Employees"], description="Employees"
    )
    return out


def test_same_language_reports_every_label_change() -> None:
    base = base_snapshot("production")
    rev = relabelled(base, "accept", "nl-nl")
    result = diff_snapshots(base, rev)
    ids = [c.id for c in result.changes]
    assert set(ids) == LABEL_RULES
    assert ids.count("afas-request-property-label-changed") == 3
    assert ids.count("afas-request-property-enum-value-description-changed") == 2
    assert ids.count("afas-connector-description-changed") == 2
    assert not any("language" in n for n in result.notes)
    # the language is compared case-insensitively: nl-NL and nl-nl are the same language
    rev.language = "NL-nl"
    assert [c.id for c in diff_snapshots(base, rev).changes] == ids


def test_different_language_is_not_a_change_and_a_note_says_why() -> None:
    base = base_snapshot("production")
    rev = relabelled(base, "accept", "en-us")
    result = diff_snapshots(base, rev)
    assert result.changes == []
    assert len(result.notes) == 1
    note = result.notes[0]
    assert "labels and descriptions were not compared" in note
    assert "'nl-nl'" in note and "'en-us'" in note
    assert "production" in note and "accept" in note


def test_different_language_still_reports_real_changes() -> None:
    base = base_snapshot("production")
    rev = relabelled(base, "accept", "en-us")
    map_update_field(rev, "KnEmployee", (), "Note", lambda f: dataclasses.replace(f, length=255, label="Note"))
    map_update_field(
        rev,
        "KnEmployee",
        (),
        "ViGe",
        lambda f: dataclasses.replace(f, values=(*(f.values or ()), CodeValue("X", "Other"))),
    )
    ids = sorted(c.id for c in diff_snapshots(base, rev).changes)
    assert ids == ["request-property-enum-value-added", "request-property-max-length-set"]


@pytest.mark.parametrize("missing", ["base", "revision"])
def test_unknown_language_on_one_side_compares_labels(missing: str) -> None:
    """Without a language on one side there is no evidence of a language difference: compare."""
    base = base_snapshot("production")
    rev = relabelled(base, "accept", "nl-nl")
    if missing == "base":
        base.language = ""
    else:
        rev.language = ""
    result = diff_snapshots(base, rev)
    assert {c.id for c in result.changes} == LABEL_RULES
    assert result.notes == []


# ------------------------------------------------------------------------------------------------ CLI
def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().out


@pytest.fixture
def trees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """definitions/production (nl-nl), definitions/accept-en (en-us), definitions/accept-nl (nl-nl),
    the two accepts with the same relabelling."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    prod = base_snapshot("production")
    write_tree(prod, tmp_path / "definitions")
    write_tree(relabelled(prod, "accept-en", "en-us"), tmp_path / "definitions")
    write_tree(relabelled(prod, "accept-nl", "nl-nl"), tmp_path / "definitions")
    return tmp_path


def test_cli_nl_vs_en_reports_no_label_changes_and_says_why(
    trees: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _cli(capsys, "diff", "production", "accept-en", "--format", "json", "--fail-on", "INFO")
    data = json.loads(out)
    assert code == 0
    assert data["changes"] == []
    notes = [n for n in data["notes"] if "labels and descriptions were not compared" in n]
    assert len(notes) == 1 and "'nl-nl'" in notes[0] and "'en-us'" in notes[0]
    code, text = _cli(capsys, "diff", "production", "accept-en")
    assert code == 0
    assert "labels and descriptions were not compared" in text
    assert "label-changed" not in text


def test_cli_same_language_reports_label_changes(trees: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _cli(capsys, "diff", "production", "accept-nl", "--format", "json", "--fail-on", "INFO")
    data = json.loads(out)
    assert code == 1  # INFO changes and --fail-on INFO
    assert {c["id"] for c in data["changes"]} == LABEL_RULES
    assert not any("labels and descriptions were not compared" in n for n in data["notes"])
    labels = {c["path"]: (c["before"], c["after"]) for c in data["changes"] if c["id"].endswith("label-changed")}
    assert labels["KnEmployee/Element/Fields/EmAd"] == ("E-mail werk", "Work email")
