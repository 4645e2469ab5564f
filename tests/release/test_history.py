"""The reports directory: file names, trend from earlier JSON reports, index.html, atomic writes."""

from __future__ import annotations

import json
import re
import xml.dom.minidom
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov.release.history import allocate_run_id, load_history, scan_reports, split_kind_scope
from afasgov.release.model import IntegrationImpact, TrendPoint
from afasgov.report import svg
from afasgov.report.publish import rebuild_index, write_reports
from tests.release.sample import STARTED, sample_report

NAME = "2026-10-01T120000Z-release-check-production-vs-accept"


def test_write_reports_names_every_format(tmp_path: Path) -> None:
    paths = write_reports(sample_report(history=False), tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {f"{NAME}.{ext}" for ext in
                                                    ("html", "md", "json", "xml", "sarif")} | {"index.html"}
    assert paths["html"] == tmp_path / f"{NAME}.html"
    assert not list(tmp_path.glob(".*"))  # no temporary files left


def test_trend_reads_previous_json_reports(tmp_path: Path) -> None:
    first = sample_report(history=False)
    write_reports(first, tmp_path)
    later = STARTED + timedelta(days=1)
    history = load_history(tmp_path, "release-check", first.scope, before=later.strftime("%Y-%m-%dT%H%M%SZ"))
    assert [p.run_id for p in history] == ["2026-10-01T120000Z"]
    assert dict(history[0].counts) == first.counts()
    assert history[0].verdict == "FAIL"
    # other scopes and later runs do not count
    assert load_history(tmp_path, "release-check", "other", before="2099-01-01T000000Z") == []
    assert load_history(tmp_path, "release-check", first.scope, before="2026-10-01T120000Z") == []


def test_corrupt_or_hostile_json_reports_do_not_break_the_history(tmp_path: Path) -> None:
    write_reports(sample_report(history=False), tmp_path)
    (tmp_path / "2026-10-02T000000Z-release-check-production-vs-accept.json").write_text("{not json")
    (tmp_path / "2026-10-03T000000Z-release-check-production-vs-accept.json").write_text("[1, 2]")
    (tmp_path / "2026-10-04T000000Z-release-check-production-vs-accept.json").write_text(
        json.dumps({"summary": {"ERR": -5, "WARN": "x", "INFO": True}, "verdict": "<b>PWNED</b>"}))
    (tmp_path / "2026-10-05T000000Z-release-check-production-vs-accept.json").write_bytes(b"\xff\xfe\x00")
    (tmp_path / "not-a-report.json").write_text("{}")
    runs = scan_reports(tmp_path)
    assert [r.run_id for r in runs][:4] == ["2026-10-05T000000Z", "2026-10-04T000000Z", "2026-10-03T000000Z",
                                            "2026-10-02T000000Z"]
    by_id = {r.run_id: r for r in runs}
    assert by_id["2026-10-02T000000Z"].problem.startswith("unreadable JSON")
    assert by_id["2026-10-03T000000Z"].problem == "JSON report is not an object"
    assert by_id["2026-10-04T000000Z"].counts == {"ERR": 0, "WARN": 0, "INFO": 0}
    assert by_id["2026-10-04T000000Z"].verdict == ""
    index = rebuild_index(tmp_path).read_text()
    assert "PWNED" not in index
    assert index.count('<tr><td class="mono nowrap">') == 5


def test_index_lists_runs_newest_first_with_verdicts(tmp_path: Path) -> None:
    for n in range(3):
        report = sample_report(history=False)
        report.started_at = STARTED + timedelta(hours=n)
        report.finished_at = report.started_at + timedelta(seconds=3)
        if n == 2:
            report.items = [i for i in report.items if i.level != "ERR"]
        write_reports(report, tmp_path)
    # a diff report written by `afasgov diff --output reports/…` is listed too
    (tmp_path / "2026-10-01T130500Z-diff-production-accept.json").write_text(
        json.dumps({"tool": "afasgov", "base": "production", "revision": "accept",
                    "summary": {"ERR": 1, "WARN": 0, "INFO": 0}, "changes": []}))
    index = rebuild_index(tmp_path).read_text()
    rows = re.findall(r'<tr><td class="mono nowrap">.*?</tr>', index, re.S)
    run_ids = [row.split(">")[2].split("<")[0] for row in rows]
    assert run_ids == sorted(run_ids, reverse=True)
    assert run_ids[0] == "2026-10-01T140000Z"
    by_id = dict(zip(run_ids, rows, strict=True))
    assert ">PASS<" in by_id["2026-10-01T140000Z"] and ">FAIL<" in by_id["2026-10-01T130000Z"]
    assert run_ids[1] == "2026-10-01T130500Z"  # the diff report sits between them
    assert any("production → accept" in row and ">diff<" in row for row in rows)
    assert "Latest release check" in index and 'href="2026-10-01T140000Z-release-check' in index
    assert "<script" not in index


def test_report_index_without_reports_dir_is_an_input_error(tmp_path: Path) -> None:
    import pytest

    from afasgov.errors import InputError

    with pytest.raises(InputError):
        rebuild_index(tmp_path / "missing")


def test_two_runs_in_one_second_do_not_overwrite_each_other(tmp_path: Path) -> None:
    report = sample_report(history=False)
    write_reports(report, tmp_path)
    moment = allocate_run_id(tmp_path, STARTED + timedelta(microseconds=500), "release-check", report.scope)
    assert moment == STARTED + timedelta(seconds=1)
    other = allocate_run_id(tmp_path, STARTED, "release-check", "another-scope")
    assert other == STARTED


def test_split_kind_scope() -> None:
    assert split_kind_scope("release-check-production-vs-accept") == ("release-check", "production-vs-accept")
    assert split_kind_scope("diff-production-accept") == ("diff", "production-accept")
    assert split_kind_scope("audit") == ("audit", "")
    assert split_kind_scope("custom-x") == ("custom", "x")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({"ERR": st.integers(0, 5000), "WARN": st.integers(0, 50),
                                       "INFO": st.integers(0, 3)}), min_size=0, max_size=25),
       st.text(max_size=30))
def test_trend_chart_is_well_formed_svg_for_any_counts(counts: list[dict[str, int]], name: str) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    points = [TrendPoint((base + timedelta(days=n)).strftime("%Y-%m-%dT%H%M%SZ"), c)
              for n, c in enumerate(counts)]
    picture = svg.trend_chart(points)
    xml.dom.minidom.parseString(picture)  # well-formed
    assert "NaN" not in picture and "inf" not in picture
    impact = IntegrationImpact(name=name or "x", connectors={name or "c": ("ERR", 1), "<&>": ("WARN", 2)})
    matrix = svg.impact_matrix([impact], [name or "c", "<&>"])
    xml.dom.minidom.parseString(matrix)
