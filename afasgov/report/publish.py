"""Write a release report in every format, and (re)build ``reports/index.html``.

Files: ``reports/<YYYY-MM-DD>T<HHMMSS>Z-<kind>-<scope>.{html,md,json,xml,sarif}`` (DESIGN §8), each
written atomically; then the index is rebuilt from what is in the directory.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from afasgov import __version__
from afasgov._files import sha256_of, write_output_files
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
    paths = {ext: reports_dir / f"{name}.{ext}" for ext in ("json", "sarif", "xml", "md", "html")}
    texts = {ext: RENDERERS[ext](report) for ext in ("json", "sarif", "xml", "html")}
    texts["md"] = render_markdown(report, html_name=f"{name}.html")
    # all or nothing: every file is written to its temporary first, then they are renamed (a full
    # disk leaves no partial report set; the error names the file, exit 2)
    write_output_files([(paths[ext], texts[ext].encode("utf-8")) for ext in paths])
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
    write_output_files([(path, render_index(runs, version=__version__, now=now).encode("utf-8"))])
    return path


def sha256_file(path: Path) -> str:
    return "sha256:" + sha256_of(path)  # regular files only: a FIFO never hangs the hash


def tree_hash(root: Path, *, exclude: frozenset[str] = frozenset({"_snapshot.yaml"})) -> str:
    """SHA-256 over the relative paths and bytes of every file under ``root`` (sorted).

    Volatile files (``_snapshot.yaml``: snapshot time, tool version) are left out, so the same
    remote state gives the same hash.
    """
    digest = hashlib.sha256()
    if root.is_file():
        return sha256_file(root)
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name not in exclude
                   and not any(part.startswith(".") for part in p.relative_to(root).parts))
    for path in files:
        rel = path.relative_to(root).as_posix()
        digest.update(rel.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return "sha256:" + digest.hexdigest()


__all__ = ["INDEX_NAME", "rebuild_index", "report_stem", "sha256_file", "tree_hash", "write_reports"]
