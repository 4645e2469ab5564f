"""Regenerate the report screenshots in docs/: ``python -m tests.release.screenshots``.

Runs ``afasgov demo`` in a temporary directory, renders ``diff`` and ``audit --format html`` of that
demo repository, and photographs the top of each page in headless Chromium at 1280 px wide
(``docs/report-screenshot.png``, ``docs/diff-html-screenshot.png``, ``docs/audit-html-screenshot.png``).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.release.cdp import browser

DOCS = Path(__file__).resolve().parents[2] / "docs"
WIDTH = 1280
MAX_HEIGHT = 2000


def _afasgov(*args: str, cwd: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "afasgov", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"afasgov {' '.join(args)}: exit {done.returncode}\n{done.stderr}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="afasgov-shots-") as tmp:
        root = Path(tmp)
        work = root / "demo"
        _afasgov("demo", "--dir", str(work), cwd=root)
        pages = {"report-screenshot.png": sorted((work / "reports").glob("*-release-check-*.html"))[-1]}
        for name, args in (("diff", ["diff", "production", "accept"]), ("audit", ["audit", "--no-history"])):
            target = root / f"{name}.html"
            _afasgov(*args, "--format", "html", "--output", str(target), cwd=work)
            pages[f"{name}-html-screenshot.png"] = target
        with browser() as chrome:
            for name, page in pages.items():
                chrome.open(page, width=WIDTH, height=MAX_HEIGHT)
                (DOCS / name).write_bytes(chrome.screenshot(full_page=True, max_height=MAX_HEIGHT))
                print(f"wrote docs/{name}")


if __name__ == "__main__":
    main()
