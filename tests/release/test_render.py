"""Release report renderers: golden Markdown and JSON, escaping, size cap, JUnit/SARIF validity."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from afasgov.findings import Finding, Location
from afasgov.release.model import ReleaseReport
from afasgov.report.release import render_html, render_json, render_junit, render_markdown, render_sarif
from tests.release.sample import HOSTILE, sample_report

GOLDEN = Path(__file__).parent / "golden"
SCHEMAS = Path(__file__).parent.parent / "report" / "schemas"
UPDATE = os.environ.get("AFASGOV_UPDATE_GOLDEN") == "1"
TOKEN_DATA = "AB" * 32


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"golden file {path} missing (set AFASGOV_UPDATE_GOLDEN=1 to create it)"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"


def test_markdown_golden() -> None:
    golden("release.md", render_markdown(sample_report(), html_name="report.html"))


def test_json_golden() -> None:
    golden("release.json", render_json(sample_report()))


def test_rendering_is_deterministic_and_independent_of_item_order() -> None:
    a = sample_report()
    b = sample_report()
    b.items = list(reversed(b.items))
    b.__post_init__()
    for render in (render_json, render_markdown, render_html, render_sarif, render_junit):
        assert render(a) == render(b)


def test_json_content() -> None:
    data = json.loads(render_json(sample_report()))
    assert data["schema"] == "afasgov.release-report/1"
    assert data["verdict"] == "FAIL"
    assert data["summary"] == {"ERR": 5, "WARN": 0, "INFO": 2, "waived": 1}
    assert data["trend"]["delta"] == {"ERR": 2, "WARN": -1, "INFO": 0}
    assert data["trend"]["previous_run"] == "2026-09-30T120000Z"
    assert data["run_id"] == "2026-10-01T120000Z"
    # diff changes carry the DESIGN §6 keys
    change = data["changes"][0]
    for key in ("id", "level", "connector_type", "connector", "object_path", "field", "value", "path",
                "before", "after", "text", "fingerprint", "waived", "waiver"):
        assert key in change
    finding = data["findings"][0]
    for key in ("id", "severity", "evidence", "remediation", "auditor", "environment", "app_connector"):
        assert key in finding
    assert data["integrations"][0]["status"] == "breaks"
    assert {w["status"] for w in data["waivers"]} == {"active", "expired"}
    assert data["inputs"]["definitions/accept"].startswith("sha256:")


@pytest.mark.parametrize("render", [render_json, render_markdown, render_html, render_sarif, render_junit])
def test_secrets_never_reach_a_report(render: object) -> None:
    text = render(sample_report())  # type: ignore[operator]
    assert TOKEN_DATA not in text
    assert "<token>" not in text


def test_markdown_escapes_hostile_labels() -> None:
    text = render_markdown(sample_report())
    assert "<script>" not in text
    assert "@everyone" not in text
    assert "\x1b" not in text
    for line in text.splitlines():
        if line.startswith("| ") and "script" in line:
            # the hostile '|' cannot add a column: escaped pipes do not count
            cells = re.split(r"(?<!\\)\|", line)
            header_cells = 8 if "Level" in line else len(cells)
            assert len(cells) in (header_cells, 7, 8), line


def test_markdown_is_capped_and_says_what_was_left_out() -> None:
    report = sample_report()
    extra = [Finding(id="request-property-removed", level="ERR", text=f"removed field F{n} " * 5, kind="diff",
                     location=Location(path=f"KnBig/Element/Fields/F{n}", connector="KnBig")) for n in range(3000)]
    big = ReleaseReport(scope=report.scope, started_at=report.started_at, finished_at=report.finished_at,
                        tool_version="9.9.9", base=report.base, revision=report.revision, items=extra)
    text = render_markdown(big, limit=20_000)
    assert len(text) <= 20_000
    assert "more errors and warnings in the HTML report" in text
    assert text.rstrip().endswith("</sub>")
    full = render_markdown(big)
    assert len(full) <= 60_000


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        for k, v in attrs:
            if k == "id" and v:
                self.ids.add(v)


def test_html_is_self_contained_and_escaped() -> None:
    html = render_html(sample_report())
    parser = _Collector()
    parser.feed(html)
    assert "script" not in parser.tags
    assert not any(k.startswith("on") for k, _ in parser.attrs)  # no event handlers
    assert not any(k in ("src", "href") and v and re.match(r"(?i)(https?:|//)", v) for k, v in parser.attrs)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert {"summary", "integrations", "changes", "validation", "findings", "waivers", "scope", "not-seen",
            "reproducibility", "signoff", "verdict", "trend-figure", "matrix-figure"} <= parser.ids
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\x1b" not in html
    # the pictures are inline SVG
    assert html.count("<svg") >= 3


def test_html_shows_evidence_remediation_and_auditor_ref() -> None:
    html = render_html(sample_report())
    assert "Remove KnUser unless this is an approved IAM integration." in html
    assert "AUT-19" in html
    assert "updateConnectors: [KnUser, KnEmployee]" in html
    assert "IP restrictions of App Connectors" in html
    assert "sha256:" + "a" * 64 in html


def test_first_run_has_no_trend() -> None:
    report = sample_report(history=False)
    assert report.trend() is None
    assert json.loads(render_json(report))["trend"] is None
    assert "First run of this check" in render_html(report)


def test_junit_is_valid_and_counts_failures() -> None:
    lxml = pytest.importorskip("lxml.etree")
    text = render_junit(sample_report())
    doc = lxml.fromstring(text.encode("utf-8"))
    schema_path = SCHEMAS / "junit-10.xsd"
    if schema_path.is_file():
        schema = lxml.XMLSchema(lxml.parse(str(schema_path)))
        assert schema.validate(doc), schema.error_log
    assert int(doc.get("failures")) == 5
    assert len(doc.findall(".//skipped")) == 1


def test_sarif_is_valid_2_1_0() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(render_sarif(sample_report()))
    schema_path = SCHEMAS / "sarif-schema-2.1.0.json"
    if schema_path.is_file():
        jsonschema.validate(data, json.loads(schema_path.read_text()))
    run = data["runs"][0]
    assert run["automationDetails"]["id"] == "afasgov/release-check/production-vs-accept/2026-10-01T120000Z"
    levels = [r["level"] for r in run["results"]]
    assert levels.count("error") == 5
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert len(suppressed) == 1
    located = [r for r in run["results"] if r.get("locations")]
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for r in located for loc in r["locations"]
            if "physicalLocation" in loc]
    assert "definitions/accept/update/KnEmployee.yaml" in uris


def test_verdict_pass_when_everything_failing_is_waived() -> None:
    report = sample_report()
    report.items = [i for i in report.items if i.level != "ERR"]
    assert report.verdict == "PASS"
    assert report.verdict_line().startswith("PASS: 0 ERR")
    report.fail_on = "INFO"
    assert report.verdict == "FAIL"


def test_hostile_constant_is_really_hostile() -> None:
    assert "<script>" in HOSTILE and "|" in HOSTILE and "\x1b" in HOSTILE


def test_every_markdown_report_is_capped_for_a_github_comment() -> None:
    """``diff``/``validate``/``audit --format markdown`` fit GitHub's 65,536-character comment limit like
    the release report: rows are dropped from the end and the report says how many (issue 14 §8)."""
    from afasgov.findings import Finding, Location
    from afasgov.report import ReportMeta, render

    findings = [Finding(id="request-property-removed", level="ERR", kind="diff",
                        text=f"removed the request property 'KnEmployee/Element/Fields/F{n:05d}'",
                        location=Location(connector="KnEmployee", path=f"KnEmployee/Element/Fields/F{n:05d}"),
                        fingerprint=f"sha256:{n:016x}") for n in range(3000)]
    text = render(findings, ReportMeta(kind="diff", title="afasgov diff a → b"), "markdown")
    assert len(text) < 65_536
    shown = text.count("| ERR | `request-property-removed`")
    assert 0 < shown < 3000
    assert f"_{3000 - shown} more rows did not fit in a GitHub comment" in text
    small = render(findings[:3], ReportMeta(kind="diff", title="afasgov diff a → b"), "markdown")
    assert small.count("| ERR | `request-property-removed`") == 3 and "did not fit" not in small


def _with_field_findings(count: int) -> ReleaseReport:
    from afasgov.findings import Severity

    report = sample_report(hostile=False)
    fields = [Finding(id="AC010", level="ERR", kind="audit", title="Privacy-sensitive field without justification",
                      text=f"salary field F{n:03d} exposed without a recorded justification",
                      severity=Severity.HIGH, reference="AUT-19",
                      location=Location(environment="accept", app_connector="legacy-portal", connector="HrCompMut",
                                        field=f"F{n:03d}", path=f"HrCompMut/Element/Fields/F{n:03d}"),
                      fingerprint=f"sha256:{n:016x}") for n in range(count)]
    return ReleaseReport(scope=report.scope, started_at=report.started_at, finished_at=report.finished_at,
                         tool_version=report.tool_version, base=report.base, revision=report.revision,
                         items=[*report.items, *fields], integrations=report.integrations, waivers=report.waivers)


def test_markdown_leads_with_the_release_and_groups_standing_findings() -> None:
    """Issue 14 §7: the verdict per integration and the release's breaking changes come first, then the
    standing security findings, one row per check × App Connector with the fields inside."""
    text = render_markdown(_with_field_findings(40))
    assert text.index("This release breaks") < text.index("Standing security findings")
    assert text.index("### Verdict per integration") < text.index("### This release") < text.index(
        "### Standing security findings")
    rows = [line for line in text.splitlines() if line.startswith("| ERR |") and "`AC010`" in line
            and "legacy-portal" in line]
    assert len(rows) == 1 and "**40**" in rows[0] and "F000" in rows[0] and "F039" in rows[0]
    data = json.loads(render_json(_with_field_findings(40)))
    assert len([f for f in data["findings"] if f["app_connector"] == "legacy-portal"]) == 40  # one JSON entry each


def test_html_groups_standing_findings_with_err_cards_only() -> None:
    html = render_html(_with_field_findings(40))
    assert html.count('<details class="finding') == len(re.findall(r'<details class="finding ERR"', html))
    assert html.count("HrCompMut: F000, F001") == 2  # the row (first fields) and the card (every field)
    assert "F039" in html
    assert 'id="legend"' in html and "◐" in html
