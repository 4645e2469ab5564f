"""Write a release report in every format, and (re)build ``reports/index.html``.

Files: ``reports/<YYYY-MM-DD>T<HHMMSS>Z-<kind>-<scope>.{html,md,json,xml,sarif}`` (DESIGN §8), each
written atomically; then the index is rebuilt from what is in the directory.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from afasgov import __version__
from afasgov._files import atomic_write_text
from afasgov.errors import InputError
from afasgov.release.history import scan_reports, stem
from afasgov.release.model import ReleaseReport
from afasgov.report.release import RENDERERS, render_index, render_markdown

INDEX_NAME = "index.html"


def report_stem(report: ReleaseReport) -> str:
    return stem(report.run_id, report.kind, report.scope)


def write_reports(report: ReleaseReport, reports_dir: Path, *, index: bool = True,
                  now: datetime | None = None) -> dict[str, Path]:
    """Render ``report`` in every format into ``reports_dir``; return ``{ext: path}``."""
    if reports_dir.exists() and not reports_dir.is_dir():
        raise InputError("reports directory is not a directory", source=str(reports_dir))
    reports_dir.mkdir(parents=True, exist_ok=True)
    name = report_stem(report)
    paths: dict[str, Path] = {}
    # JSON first: it is the record the trend and the index read.
    for ext in ("json", "sarif", "xml"):
        paths[ext] = reports_dir / f"{name}.{ext}"
        atomic_write_text(paths[ext], RENDERERS[ext](report))
    paths["md"] = reports_dir / f"{name}.md"
    atomic_write_text(paths["md"], render_markdown(report, html_name=f"{name}.html"))
    paths["html"] = reports_dir / f"{name}.html"
    atomic_write_text(paths["html"], RENDERERS["html"](report))
    if index:
        paths["index"] = rebuild_index(reports_dir, now=now or report.finished_at)
    return paths


def rebuild_index(reports_dir: Path, *, now: datetime | None = None) -> Path:
    """Write ``reports_dir/index.html`` listing every run found there, newest first."""
    if not reports_dir.is_dir():
        raise InputError("no reports directory (run afasgov init, or afasgov release-check first)",
                         source=str(reports_dir))
    runs = scan_reports(reports_dir)
    path = reports_dir / INDEX_NAME
    atomic_write_text(path, render_index(runs, version=__version__, now=now))
    return path


__all__ = ["INDEX_NAME", "rebuild_index", "report_stem", "write_reports"]
