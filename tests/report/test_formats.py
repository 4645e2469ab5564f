"""The shared renderers: schema-valid SARIF 2.1.0 and JUnit, escaping per format, exact JSON shape, atomic
output, --fail-on semantics."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from afasgov.diff.change import JSON_KEYS, change_json
from afasgov.diff.engine import diff_snapshots
from afasgov.findings import Finding, Location, WaiverRef
from afasgov.report import FORMATS, InputRef, ReportMeta, RuleInfo, Section, atomic_write_text
from afasgov.report import emit as emit_findings
from afasgov.report import render as render_findings
from afasgov.report.escape import clean, gh_data, gh_property, md_code, md_text
from afasgov.waivers import WaiverNote
from tests.diff.builders import base_snapshot, copy, map_update_field

SCHEMAS = Path(__file__).parent / "schemas"
HOSTILE = "<script>alert(1)</script> \x1b[31mred\x1b[0m | *bold* [x](javascript:y) `tick` \x00nul\u202eevil\n::error::x"


Doc = tuple[list[Finding], ReportMeta]


def render(doc: Doc, fmt: str, *, color: bool = False) -> str:
    return render_findings(doc[0], doc[1], fmt, color=color)


def emit(doc: Doc, fmt: str, output: Path | None, echo: Callable[[str], None]) -> int:
    return emit_findings(doc[0], doc[1], fmt, output, echo)


def _doc(*, waived: bool = False) -> Doc:
    a = base_snapshot()
    b = copy(a)
    map_update_field(b, "KnEmployee", (), "EmAd", lambda f: None)
    map_update_field(
        b,
        "KnEmployee",
        (),
        "ViGe",
        lambda f: type(f)(f.field_id, label=HOSTILE, data_type=f.data_type, length=f.length, values=f.values),
    )
    items = diff_snapshots(
        a, b, files={("update", "KnEmployee"): "definitions/accept/update/KnEmployee.yaml"}
    ).changes
    if waived:
        w = WaiverRef(reason="known", owner="team", expires="2099-01-01", fingerprint=items[0].fingerprint)
        items[0] = items[0].with_waiver(w)
    return items, ReportMeta(
        kind="diff",
        title="afasgov diff production → accept",
        item_json=change_json,
        header={"base": "production", "revision": "accept"},
        inputs=[InputRef("base", "definitions/production", "sha256:" + "0" * 64)],
        rules={i.id: RuleInfo(i.id, i.level, i.title, "help text") for i in items},
        notes=["labels not compared"],
        sections=[Section("Integration hr-sync", (HOSTILE,))],
        waiver_notes=[WaiverNote("expired", WaiverRef("r", "o", "2020-01-01", id="x", path="*"), 1)],
    )


def test_sarif_validates_against_the_2_1_0_schema() -> None:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    for waived in (False, True):
        log = json.loads(render(_doc(waived=waived), "sarif"))
        jsonschema.validate(log, schema)
        assert log["version"] == "2.1.0"
        results = log["runs"][0]["results"]
        assert {r["ruleId"] for r in results} == {
            "request-property-removed",
            "afas-request-property-label-changed",
        }
        assert all(r["partialFingerprints"]["afasgovFingerprint/v1"].startswith("sha256:") for r in results)
        assert any("suppressions" in r for r in results) is waived
        assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
            "KnEmployee.yaml"
        )
    empty = json.loads(render(([], ReportMeta(kind="diff", title="t")), "sarif"))
    jsonschema.validate(empty, schema)


def test_sarif_schema_rejects_a_broken_log() -> None:
    """The schema file really constrains (guards against a vacuous validation)."""
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    log = json.loads(render(_doc(), "sarif"))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, schema)


def _xsd() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "junit-10.xsd")))


def test_junit_validates_against_the_junit_xsd() -> None:
    xsd = _xsd()
    for doc in (_doc(), _doc(waived=True), ([], ReportMeta(kind="diff", title="empty"))):
        tree = etree.fromstring(render(doc, "junit").encode())
        assert xsd.validate(tree), xsd.error_log
    tree = etree.fromstring(render(_doc(), "junit").encode())
    assert tree.get("failures") == "1"  # the removed property is ERR; the label change is INFO
    broken = etree.fromstring(b"<testsuites><testsuite name='x'/></testsuites>")
    assert not xsd.validate(broken)


def test_junit_fail_on_info_fails_everything_unwaived() -> None:
    doc = _doc(waived=True)
    doc[1].fail_on = "INFO"
    tree = etree.fromstring(render(doc, "junit").encode())
    assert tree.get("failures") == "1"
    assert len(tree.findall(".//skipped")) == 1


def test_html_is_self_contained_and_escaped() -> None:
    html = render(_doc(), "html")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\x1b" not in html and "\x00" not in html and "\u202e" not in html
    assert not re.search(r"(src|href)\s*=", html)
    assert "Content-Security-Policy" in html and "What could not be seen" in html
    etree.fromstring(html.encode(), etree.HTMLParser())  # parses


def test_markdown_is_escaped() -> None:
    md = render(_doc(), "markdown")
    assert "<script>" not in md and "\x1b" not in md
    assert "[x](javascript" not in md
    for line in md.splitlines():
        if line.startswith("| ") and "afas-request-property-label-changed" in line:
            assert line.count(" | ") == 4  # the hostile label's pipe does not add a column
    assert md_text("a|b") == "a\\|b" and md_code("x`y|z") == "``x`y\\|z``"


def test_text_has_no_terminal_escapes_from_data() -> None:
    out = render(_doc(), "text")
    assert "\x1b" not in out and "\\x1b" in out
    assert "\x00" not in out and "\u202e" not in out
    coloured = render(_doc(), "text", color=True)
    assert "\x1b[31m" in coloured  # our own colour only
    assert clean("a\x1b]0;title\x07b") == "a\\x1b]0;title\\x07b"


def test_github_annotations_cannot_be_injected() -> None:
    out = render(_doc(), "github")
    lines = out.splitlines()
    assert all(line.startswith("::") for line in lines)
    assert not any(line.startswith("::error::x") for line in lines)
    assert "%0A::error::x" in out
    assert lines[0].startswith("::error file=definitions/accept/update/KnEmployee.yaml,title=")
    assert gh_property("a,b:c%") == "a%2Cb%3Ac%25" and gh_data("1\n2\r") == "1%0A2%0D"


def test_json_has_the_design_shape() -> None:
    data = json.loads(render(_doc(), "json"))
    assert list(data)[:5] == ["tool", "base", "revision", "summary", "changes"]
    assert data["summary"] == {"ERR": 1, "WARN": 0, "INFO": 1}
    for change in data["changes"]:
        assert tuple(change) == JSON_KEYS


def test_every_format_renders_and_exit_codes_follow_fail_on(tmp_path: Path) -> None:
    for fmt in FORMATS:
        assert render(_doc(), fmt)
    doc = _doc(waived=True)  # the ERR is waived; an INFO remains
    lines: list[str] = []
    for fail_on, code in (("ERR", 0), ("WARN", 0), ("INFO", 1)):
        doc[1].fail_on = fail_on
        assert emit(doc, "json", tmp_path / f"r-{fail_on}.json", lines.append) == code
    doc = _doc()
    doc[1].fail_on = "ERR"
    assert emit(doc, "text", None, lines.append) == 1


def test_atomic_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out" / "report.json"
    atomic_write_text(target, "old")
    import os

    def boom(*a: object, **k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    from afasgov.errors import InputError

    with pytest.raises(InputError, match="No space left"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_secrets_are_redacted_in_every_format() -> None:
    token = "<token><version>1</version><data>" + "AB12" * 16 + "</data></token>"
    finding = Finding(id="AC024", level="ERR", text=f"found {token}", kind="audit", evidence=token,
                      location=Location(connector_type="file", path="x.xml:1", file="x.xml", line=1))
    doc = ([finding], ReportMeta(kind="audit", title="t", item_json=lambda f: {"evidence": f.evidence}))
    for fmt in FORMATS:
        assert "AB12AB12" not in render(doc, fmt), fmt
