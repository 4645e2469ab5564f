"""Write a release report in every format, and (re)build ``reports/index.html``.

Files: ``reports/<YYYY-MM-DD>T<HHMMSS>Z-<kind>-<scope>.{html,md,json,xml,sarif}`` (DESIGN §8), each
written atomically, and the run's artifacts (``--openapi``: ``<stem>.openapi/<environment>.json``); then the
index is rebuilt from what is in the directory.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from afasgov import __version__
from afasgov._files import atomic_write_text, write_output_files
from afasgov.errors import InputError
from afasgov.release.check import CheckOutcome
from afasgov.release.history import scan_reports
from afasgov.release.model import ReleaseReport
from afasgov.report.release import RENDERERS, render_index, render_markdown
from afasgov.workspace import Workspace

INDEX_NAME = "index.html"


def report_stem(report: ReleaseReport) -> str:
    return report.stem


def write_reports(report: ReleaseReport, reports_dir: Path, *, index: bool = True,
                  now: datetime | None = None, read: Callable[[Path], bytes] | None = None) -> dict[str, Path]:
    """Render ``report`` in every format into ``reports_dir``; return ``{ext: path}``."""
    if reports_dir.exists() and not reports_dir.is_dir():
        raise InputError("reports directory is not a directory", source=str(reports_dir))
    reports_dir.mkdir(parents=True, exist_ok=True)
    name = report_stem(report)
    paths: dict[str, Path] = {}
    # artifacts (--openapi) before the JSON that lists them: the JSON record never names a missing file
    if report.artifacts:
        for artifact in report.artifacts:
            paths[f"{artifact.kind}-{artifact.environment}"] = reports_dir / artifact.path(name)
        write_output_files((reports_dir / a.path(name), a.chunks()) for a in report.artifacts)
    # JSON first: it is the record the trend and the index read.
    for ext in ("json", "sarif", "xml"):
        paths[ext] = reports_dir / f"{name}.{ext}"
        atomic_write_text(paths[ext], RENDERERS[ext](report))
    paths["md"] = reports_dir / f"{name}.md"
    atomic_write_text(paths["md"], render_markdown(report, html_name=f"{name}.html"))
    paths["html"] = reports_dir / f"{name}.html"
    atomic_write_text(paths["html"], RENDERERS["html"](report))
    if index:
        paths["index"] = rebuild_index(reports_dir, now=now or report.finished_at, read=read)
    return paths


def publish(report: ReleaseReport, ws: Workspace) -> CheckOutcome:
    """Write a release report in every format into the workspace's reports directory and rebuild the index
    (earlier reports the check read for the trend are not read again)."""
    return CheckOutcome(report, write_reports(report, ws.reports_dir, read=ws.read))


def rebuild_index(reports_dir: Path, *, now: datetime | None = None,
                  read: Callable[[Path], bytes] | None = None) -> Path:
    """Write ``reports_dir/index.html`` listing every run found there, newest first."""
    if not reports_dir.is_dir():
        raise InputError("no reports directory (run afasgov init, or afasgov release-check first)",
                         source=str(reports_dir))
    runs = scan_reports(reports_dir, read=read)
    path = reports_dir / INDEX_NAME
    atomic_write_text(path, render_index(runs, version=__version__, now=now))
    return path


__all__ = ["INDEX_NAME", "publish", "rebuild_index", "report_stem", "write_reports"]
