"""The fleet report rendered: self-contained HTML (hostile names stay text), Markdown, JUnit; and in
headless Chromium with 300 tenants: no horizontal overflow at 1280 px, the sort works."""

from __future__ import annotations

import dataclasses
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from afasgov.fleet.model import FleetReport
from afasgov.fleet.render import render_html, render_junit, render_markdown
from tests.fleet.sample import sample_fleet, tenant
from tests.release.test_browser import CONSOLE_PROBLEM, run_browser

HOSTILE = '<script>alert(1)</script> "Acme" & <img src=x onerror=alert(2)> | *bold* \x1b[31m'


def hostile_fleet() -> FleetReport:
    report = sample_fleet(20)
    t = tenant(99, random.Random(1), name=HOSTILE)
    return FleetReport([*report.tenants, dataclasses.replace(t, tags=("<b>tag</b>",))], run=report.run)


def test_html_is_self_contained_and_escapes_everything() -> None:
    html = render_html(hostile_fleet())
    assert not re.search(r"(?i)\b(src|href)\s*=\s*[\"']?(https?:)?//", html)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>tag" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\x1b" not in html
    assert html.count("<script>") == 1  # the inline sorter, nothing else
    for section in ("summary", "changes", "matrix", "failed", "versions", "run", "verdict"):
        assert f'id="{section}"' in html


def test_markdown_escapes_table_cells() -> None:
    md = render_markdown(hostile_fleet()).splitlines()
    header = next(line for line in md if line.startswith("| tenant |"))
    row = next(line for line in md if "Acme" in line and line.startswith("| `"))
    cells = re.compile(r"(?<!\\)\|")
    assert len(cells.findall(row)) == len(cells.findall(header))  # the customer's '|' cannot add a column
    assert "<script>" not in "\n".join(md) and "\x1b" not in "\n".join(md)


def test_junit_counts() -> None:
    report = sample_fleet(120)
    root = ET.fromstring(render_junit(report))
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == 120
    assert len([c for c in cases if c.find("failure") is not None]) == report.count("findings")
    assert len([c for c in cases if c.find("error") is not None]) == report.count("failed")
    assert ET.fromstring(render_junit(hostile_fleet())) is not None


MEASURE = """<script>
(function(){var d=document.documentElement;
var out=document.createElement('pre');out.id='measure';
out.textContent=JSON.stringify({scrollWidth:d.scrollWidth,clientWidth:d.clientWidth,
bodyScrollWidth:document.body.scrollWidth,rows:document.querySelectorAll('#tenants tbody tr').length,
ms:performance.now()});document.body.appendChild(out);
var th=document.querySelectorAll('#tenants thead th')[4];th.click();th.click();
var first=document.querySelector('#tenants tbody tr td.num');out.setAttribute('data-first-err',first.textContent);
})();
</script></body>"""


@pytest.mark.browser
def test_300_tenants_in_chromium_fit_1280_px_and_sort(tmp_path: Path) -> None:
    import json

    report = sample_fleet(300)
    page = tmp_path / "fleet.html"
    # the page's own measurement, appended after the report's own script (so its sorter is installed)
    page.write_text(render_html(report).replace("</body>", MEASURE, 1), encoding="utf-8")
    result = run_browser(["--window-size=1280,900", "--enable-logging=stderr", "--v=0", "--dump-dom",
                          page.as_uri()], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'<pre id="measure"[^>]*>(.*?)</pre>', result.stdout, re.S)
    assert found, result.stdout[-2000:]
    measured = json.loads(found.group(1).replace("&quot;", '"'))
    assert measured["rows"] == 300
    assert measured["scrollWidth"] <= measured["clientWidth"] <= 1280, measured  # no horizontal overflow
    # clicking the ERR header twice sorts descending: the first row has the most ERR findings
    most = max(t.counts.get("ERR", 0) for t in report.tenants)
    assert f'data-first-err="{most}"' in result.stdout
    problems = [line for line in result.stderr.splitlines() if CONSOLE_PROBLEM.search(line)]
    assert not problems, problems
