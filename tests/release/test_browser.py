"""The HTML report in a real browser: headless Chromium renders it without console errors, the key
sections are in the DOM, and the screenshot is not blank (and shows the red FAIL verdict).

Skips with a reason where Chromium is missing — except in CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
from pathlib import Path

import pytest

from afasgov.report.publish import write_reports
from afasgov.report.release import render_html
from tests.release.pngdecode import decode
from tests.release.sample import sample_report

pytestmark = pytest.mark.browser

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
         "--hide-scrollbars", "--mute-audio"]
KEY_SECTIONS = ("summary", "integrations", "changes", "validation", "findings", "waivers", "scope",
                "not-seen", "reproducibility", "signoff", "verdict")
#: console/renderer problems as Chromium logs them with --enable-logging=stderr
CONSOLE_PROBLEM = re.compile(r"CONSOLE\(\d+\)|Uncaught|Refused to|Failed to load resource|ERR_[A-Z_]+")


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"):
        found = shutil.which(name)
        if found:
            return found
    message = "headless Chromium not installed (Debian: apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message + " — required in CI")
    pytest.skip(message)


def run_browser(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reports = tmp_path_factory.mktemp("reports")
    return write_reports(sample_report(), reports)["html"]


def test_dom_has_the_key_sections_and_no_console_errors(report_file: Path, tmp_path: Path) -> None:
    result = run_browser(["--enable-logging=stderr", "--v=0", "--dump-dom", report_file.as_uri()], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    for section in KEY_SECTIONS:
        assert f'id="{section}"' in dom, section
    assert "Release check: production → accept" in dom
    assert "<script" not in dom.lower()  # nothing executable, even escaped labels stay text
    problems = [line for line in result.stderr.splitlines() if CONSOLE_PROBLEM.search(line)]
    assert not problems, problems


def test_screenshot_is_not_blank_and_shows_the_verdict(report_file: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    result = run_browser(["--window-size=1100,1400", f"--screenshot={shot}", report_file.as_uri()], tmp_path)
    assert shot.is_file(), result.stderr[-2000:]
    image = decode(shot.read_bytes())
    assert (image.width, image.height) == (1100, 1400)
    samples = [image.pixel(x, y)[:3] for y in range(0, image.height, 5) for x in range(0, image.width, 5)]
    luminance = [0.299 * r + 0.587 * g + 0.114 * b for r, g, b in samples]
    assert statistics.pvariance(luminance) > 100, "screenshot looks blank"
    assert len(set(samples)) > 50, "screenshot has almost no distinct colours"
    # the FAIL verdict badge (#c62828) and the level bars are painted
    red = sum(1 for r, g, b in samples if abs(r - 0xC6) < 12 and abs(g - 0x28) < 12 and abs(b - 0x28) < 12)
    assert red > 20


def test_print_to_pdf_works(report_file: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    result = run_browser(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", report_file.as_uri()], tmp_path)
    assert pdf.is_file(), result.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 2  # several printed pages


def test_html_without_network_access_is_complete(report_file: Path) -> None:
    html = report_file.read_text()
    assert render_html(sample_report()) == html
    assert not re.search(r"(?i)\b(src|href)\s*=\s*[\"']?(https?:)?//", html)
