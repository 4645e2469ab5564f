"""``release-check --release-notes NOTES`` (issue 13 §4): the section "Announced by AFAS" in every format.

Two kinds of notes: the demo's own difference written as AFAS's release notes by ``afasgov changelog
--format markdown`` (every announced change is then on accept: confirmed, and the diff finding it explains
points at its row), and AFAS's real notes (``../shared/corpus/afas-release-notes``, Profit 5, English and
Dutch), which announce a release the demo's accept does not have: rows for the integrations' connectors are
listed as not visible, the prose that names them is to be read by hand, and the HTML links the findings on
those connectors to it.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from afasgov.release.check import CheckOutcome, ReleaseCheckOptions, release_check
from afasgov.report.publish import publish
from afasgov.workspace import Workspace
from tests.conftest import demo_copy, run_afasgov_clean

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return demo_copy(tmp_path)


afasgov = run_afasgov_clean


def check(repo: Path, notes: list[Path]) -> CheckOutcome:
    ws = Workspace.open(repo / "afasgov.yaml")
    return publish(release_check(ws, ReleaseCheckOptions(offline=True, release_notes=notes)), ws)


def load(outcome: CheckOutcome) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(outcome.paths["json"].read_text(encoding="utf-8"))
    return data


def used_connectors(repo: Path) -> set[str]:
    ws = Workspace.open(repo / "afasgov.yaml")
    return {c for m in ws.manifests() for c in (*m.uses_get, *m.uses_update)}


def test_notes_written_from_the_demo_diff_confirm_it_and_point_from_each_finding(demo: Path) -> None:
    proc = afasgov(demo, "changelog", "production", "accept", "--format", "markdown")
    assert proc.returncode == 0, proc.stderr
    notes = demo / "notes" / "news-profit9.md"
    notes.parent.mkdir()
    notes.write_text(proc.stdout, encoding="utf-8")
    outcome = check(demo, [notes])
    data = load(outcome)
    announced = data["announced"]
    rows = announced["changes"]
    used = used_connectors(demo)
    assert rows and all(r["connector"] in used for r in rows)
    # the accept the notes were written from has every announced change
    assert {r["status"] for r in rows} == {"confirmed"}
    assert announced["counts"]["confirmed"] == len(rows) and announced["counts"]["unannounced"] == 0
    assert announced["counts"]["listed"] + announced["counts"]["other_connectors"] == announced["counts"]["announced"]
    assert announced["files"][0]["file"] == "notes/news-profit9.md"
    assert data["inputs"]["release notes notes/news-profit9.md"].startswith("sha256:")

    # each confirmed row names the diff finding it explains; that finding points back at the row
    changes = {c["fingerprint"]: c for c in data["changes"]}
    for r in rows:
        finding = changes[r["finding"]]
        assert (finding["id"], finding["connector"]) == (r["id"], r["connector"])
        assert "announced by AFAS" in finding["note"] and "notes/news-profit9.md:" in finding["note"]
    html = outcome.paths["html"].read_text(encoding="utf-8")
    assert '<section id="announced">' in html
    anchors = {r["source"]: r for r in rows}
    assert anchors
    for source in anchors:
        anchor = "announced-notes-news-profit9-md-" + source.rsplit(":", 1)[1]
        assert f'id="{anchor}"' in html
    assert html.count('">announced by AFAS</a>') == len({r["finding"] for r in rows})

    # the other formats: Markdown section, the note in JUnit and SARIF, the summary line
    md = outcome.paths["md"].read_text(encoding="utf-8")
    assert "### Announced by AFAS" in md and f"({len(rows)} confirmed on accept" in md
    junit = ET.parse(outcome.paths["xml"]).getroot()
    assert "announced by AFAS" in ET.tostring(junit, encoding="unicode")
    sarif = outcome.paths["sarif"].read_text(encoding="utf-8")
    assert "announced by AFAS" in sarif
    assert any(line.strip().startswith("announced by AFAS") for line in outcome.summary_lines())

    # the section informs; the verdict and counts are the diff's, validation's and audit's
    plain = load(check(demo, []))
    assert "announced" not in plain
    assert (plain["verdict"], plain["summary"]) == (data["verdict"], data["summary"])


def test_a_change_the_notes_leave_out_is_unannounced_and_has_no_note(demo: Path) -> None:
    proc = afasgov(demo, "changelog", "production", "accept", "--format", "markdown")
    lines = proc.stdout.splitlines()
    # (AFAS lists a breaking change under Breaking Changes and again in the Changelog: drop both rows)
    kept = [line for line in lines if "'KnUser/Element/Fields/XOEA'" not in line]
    assert len(kept) == len(lines) - 2
    notes = demo / "notes.md"
    notes.write_text("\n".join(kept) + "\n", encoding="utf-8")
    data = load(check(demo, [notes]))
    xoea = next(c for c in data["changes"] if c["path"] == "KnUser/Element/Fields/XOEA")
    assert "announced by AFAS" not in (xoea["note"] or "")
    assert data["announced"]["counts"]["unannounced"] >= 1
    assert data["announced"]["counts"]["unannounced_err"] >= 1  # XOEA's removal is an ERR


def test_unreadable_notes_are_exit_2_before_anything_is_written(demo: Path) -> None:
    proc = afasgov(demo, "release-check", "--offline", "--release-notes", "missing.md")
    assert proc.returncode == 2
    assert "missing.md" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (demo / "reports").exists() or not list((demo / "reports").glob("*-release-check-*"))


@pytest.fixture
def notes_dir(corpus_dir: Path) -> Path:
    d = corpus_dir / "afas-release-notes"
    if not (d / "en" / "news-profit5.md").is_file() or not (d / "nl" / "news-profit5.md").is_file():
        pytest.skip(f"no Profit 5 release notes under {d}")
    return d


@pytest.mark.corpus
def test_afas_release_notes_on_the_demo(demo: Path, notes_dir: Path) -> None:
    from afasgov.releasenotes import parse_files

    outcome = check(demo, [notes_dir / "en" / "news-profit5.md"])
    data = load(outcome)
    announced = data["announced"]
    assert announced["release"] == "Profit 5"
    assert announced["files"][0]["file"] == "en/news-profit5.md"  # no absolute path of this machine
    used = used_connectors(demo)
    notes = parse_files([notes_dir / "en" / "news-profit5.md"])
    # exactly the announced changes to the integrations' connectors are listed; the rest is counted
    expected = sorted((a.id, a.path, a.value) for a in notes.changes if a.connector in used)
    assert expected, "Profit 5 announces changes to connectors the demo integrations use (KnEmployee)"
    assert sorted((r["id"], r["path"], r["value"]) for r in announced["changes"]) == expected
    assert announced["counts"]["other_connectors"] == len(notes.changes) - len(expected)
    # the demo's accept (Profit 9) does not have Profit 5's changes
    assert {r["status"] for r in announced["changes"]} == {"not visible"}
    assert all(r["why"] for r in announced["changes"])

    # the prose naming a connector the integrations use, to read by hand, linked from its findings
    prose = announced["read_by_hand"]
    assert prose and all(set(p["connectors"]) <= used for p in prose)
    html = outcome.paths["html"].read_text(encoding="utf-8")
    for p in prose:
        assert f'id="{p["anchor"]}"' in html
        on_connector = [c for c in data["changes"] if c["connector"] in p["connectors"]]
        assert on_connector, f"the demo diff changes {p['connectors']}"
        assert html.count(f'href="#{p["anchor"]}"') == len(on_connector)

    # AFAS's Dutch notes carry the same tables: the same section
    dutch = load(check(demo, [notes_dir / "nl" / "news-profit5.md"]))["announced"]
    assert [(r["id"], r["path"], r["value"], r["status"]) for r in dutch["changes"]] == [
        (r["id"], r["path"], r["value"], r["status"]) for r in announced["changes"]]
