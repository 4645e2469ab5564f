"""The demo's reports in headless Chromium (issue 14 §7–8): they answer "does every integration keep
working?" first, fit a 1280 px window, print in at most 12 A4 pages, and explain their symbols.

Measured through the DevTools protocol (:mod:`tests.release.cdp`) on the reports a real ``afasgov demo``
writes, and on ``afasgov diff``/``audit --format html`` of that demo repository.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.release.cdp import Browser, browser, chromium_path, pdf_pages

pytestmark = pytest.mark.browser

GITHUB_COMMENT_LIMIT = 65_536
REPO = Path(__file__).resolve().parents[2]


def afasgov(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFAS")} | {"NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "afasgov", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, env=env)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``afasgov demo`` once, then diff/audit of its repository as HTML and Markdown."""
    root = tmp_path_factory.mktemp("layout")
    work = root / "demo"
    result = afasgov("demo", "--dir", str(work), cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    (report,) = sorted((work / "reports").glob("*-release-check-*.html"))
    out = {"release": report, "release_json": report.with_suffix(".json"),
           "release_sarif": report.with_suffix(".sarif")}
    for name, args in (("diff", ["diff", "production", "accept"]), ("audit", ["audit", "--no-history"])):
        for fmt in ("html", "markdown", "json"):
            target = root / f"{name}.{fmt}"
            done = afasgov(*args, "--format", fmt, "--output", str(target), cwd=work)
            assert done.returncode in (0, 1) and target.is_file(), done.stderr
            out[f"{name}_{fmt}"] = target
    # the example repository's diff: waivers with long reasons, a regraded change, several notes
    target = root / "repo-diff.html"
    done = afasgov("diff", "production", "accept", "--format", "html", "--output", str(target), cwd=REPO)
    assert done.returncode == 1, done.stderr
    out["repo_diff_html"] = target
    return out


@pytest.fixture(scope="module")
def chrome() -> Iterator[Browser]:
    if chromium_path() is None:
        message = "headless Chromium not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + " — required in CI")
        pytest.skip(message)
    with browser() as b:
        yield b


# -------------------------------------------------------------------------------- page and print
@pytest.mark.parametrize("name", ["release", "diff_html", "repo_diff_html", "audit_html"])
def test_no_horizontal_overflow_at_1280_px(demo: dict[str, Path], chrome: Browser, name: str) -> None:
    chrome.open(demo[name], width=1280)
    scroll_width, inner_width = chrome.overflow()
    assert scroll_width <= inner_width, f"{name}: {scroll_width} px wide in a {inner_width} px window"


def test_the_demo_release_report_prints_in_at_most_12_pages(demo: dict[str, Path], chrome: Browser) -> None:
    chrome.open(demo["release"])
    pages = pdf_pages(chrome.pdf())
    assert 1 < pages <= 12, pages


def test_detail_cards_are_err_only_collapsed_and_printable(demo: dict[str, Path], chrome: Browser) -> None:
    chrome.open(demo["release"])
    cards = chrome.evaluate("[...document.querySelectorAll('#findings details.finding')]"
                            ".map(d => [d.dataset.level, d.open])")
    assert cards and all(level == "ERR" and not is_open for level, is_open in cards), cards
    chrome.call("Emulation.setEmulatedMedia", media="print")
    heights = chrome.evaluate("[...document.querySelectorAll('#findings details.finding dl')]"
                              ".map(e => e.getBoundingClientRect().height)")
    chrome.call("Emulation.setEmulatedMedia", media="")
    assert heights and all(h > 0 for h in heights), "collapsed cards must still print their content"


# ------------------------------------------------------------------------------ what comes first
def test_the_report_leads_with_the_integrations_and_the_release(demo: dict[str, Path], chrome: Browser) -> None:
    chrome.open(demo["release"])
    order = chrome.evaluate("[...document.querySelectorAll('main > section')].map(s => s.id)")
    assert order.index("integrations") < order.index("changes") < order.index("findings"), order
    headline = chrome.evaluate("document.querySelector('#summary').innerText")
    assert "This release breaks" in headline and "Standing security findings" in headline
    data = json.loads(demo["release_json"].read_text())
    breaking = [i["name"] for i in data["integrations"] if i["status"] == "breaks"]
    assert breaking and all(name in headline for name in breaking)
    diff_err = sum(1 for c in data["changes"] if c["level"] == "ERR" and not c["waived"])
    assert re.search(rf"\b{diff_err} breaking changes?\b", headline), headline
    verdicts = chrome.evaluate("[...document.querySelectorAll('#integrations tbody tr')].map(r => r.innerText)")
    for integration in data["integrations"]:
        row = next(r for r in verdicts if r.startswith(integration["name"]))
        assert integration["status"] in row


def test_audit_findings_are_grouped_per_check_and_app_connector(demo: dict[str, Path], chrome: Browser) -> None:
    data = json.loads(demo["release_json"].read_text())
    ac010 = [f for f in data["findings"] if f["id"] == "AC010"]
    assert len(ac010) > 10  # one JSON finding per field: counts stay exact
    sarif = json.loads(demo["release_sarif"].read_text())
    assert sum(len(r["results"]) for r in sarif["runs"]) == sum(len(data[k]) for k in ("changes", "validation",
                                                                                          "findings"))
    chrome.open(demo["release"])
    rows = chrome.evaluate("[...document.querySelectorAll('#findings tbody tr')].map(r => r.innerText)")
    groups = {(f["level"], f["app_connector"], f["waived"]) for f in ac010}
    ac010_rows = [r for r in rows if "AC010" in r]
    assert len(ac010_rows) == len(groups), ac010_rows
    field = ac010[0]["field"]
    assert any(field in r for r in ac010_rows)
    assert any(str(len([f for f in ac010 if (f["level"], f["app_connector"], f["waived"]) == g])) in " ".join(
        ac010_rows) for g in groups)


# ------------------------------------------------------------------------------- legend, heat map
def test_the_legend_explains_every_symbol(demo: dict[str, Path], chrome: Browser) -> None:
    chrome.open(demo["release"])
    legend = chrome.evaluate("document.querySelector('#legend').innerText")
    for symbol in ("ERR", "WARN", "INFO", "waived", "breaks", "at risk", "◐", "✔", "(generic)"):
        assert symbol in legend, symbol
    text = chrome.evaluate("document.body.innerText")
    if "◐" in text.replace(legend, ""):
        assert "◐" in legend


def test_the_heat_map_has_connector_columns_only_and_unclipped_labels(
        demo: dict[str, Path], chrome: Browser) -> None:
    chrome.open(demo["release"])
    labels = chrome.evaluate("[...document.querySelectorAll('#matrix-figure svg text.column')]"
                             ".map(t => [t.textContent, t.getBoundingClientRect().top, "
                             "t.ownerSVGElement.getBoundingClientRect().top])")
    assert labels
    data = json.loads(demo["release_json"].read_text())
    app_connectors = {i["app_connector"] for i in data["integrations"]} | {
        c["connector"] for c in data["changes"] if c["connector_type"] == "app-connector"}
    for text, top, svg_top in labels:
        assert text not in app_connectors, text
        assert top >= svg_top - 0.5, f"column label {text!r} is clipped at the top"


# ---------------------------------------------------------------------------- diff and audit HTML
@pytest.mark.parametrize("name", ["diff_html", "repo_diff_html"])
def test_diff_html_is_sorted_worst_first_and_readable(demo: dict[str, Path], chrome: Browser, name: str) -> None:
    chrome.open(demo[name])
    rows = chrome.evaluate("[...document.querySelectorAll('table.findings tbody tr')].map(r => "
                           "[r.dataset.level, r.classList.contains('waived'), r.getBoundingClientRect().height, "
                           "r.querySelector('td.where').getBoundingClientRect().width])")
    assert rows
    rank = {"ERR": 0, "WARN": 1, "INFO": 2}
    keys = [(waived, rank[level]) for level, waived, _, _ in rows]
    assert keys == sorted(keys), "worst first, waived last"
    heights = sorted(height for _, _, height, _ in rows)
    assert heights[len(heights) // 2] <= 75 and heights[-1] <= 140, f"rows of a few lines, not 6–10: {heights}"
    assert min(width for _, _, _, width in rows) >= 250, "the path column is wide enough to read"


def test_audit_html_shows_labels_not_raw_keys(demo: dict[str, Path], chrome: Browser) -> None:
    chrome.open(demo["audit_html"])
    text = chrome.evaluate("document.body.innerText")
    for raw in ("as_of", "rules_hash", "items_key"):
        assert raw not in text, raw
    assert "As of" in text and "Rules hash" in text


def test_audit_markdown_fits_a_github_comment(demo: dict[str, Path]) -> None:
    markdown = demo["audit_markdown"].read_text(encoding="utf-8")
    assert len(markdown) < GITHUB_COMMENT_LIMIT
    data = json.loads(demo["audit_json"].read_text())
    ac010 = [f for f in data["findings"] if f["id"] == "AC010"]
    assert ac010 and markdown.count("`AC010`") < len(ac010)  # grouped per App Connector
    assert ac010[0]["field"] in markdown  # the fields are inside the group


# ---------------------------------------------------------------------------------- screenshots
@pytest.mark.parametrize("name", ["report-screenshot.png", "diff-html-screenshot.png", "audit-html-screenshot.png"])
def test_docs_hold_a_screenshot_of_each_report(name: str) -> None:
    from tests.release.pngdecode import decode

    path = Path(__file__).resolve().parents[2] / "docs" / name
    image = decode(path.read_bytes())
    assert image.width == 1280 and 600 <= image.height <= 4000
