"""Writing a fleet report directory, reading shard directories, merging them (``afasgov fleet merge``).

A fleet report directory (``reports/fleet/<stamp>/``) holds ``fleet.json``, ``fleet.html``, ``fleet.md``
and ``fleet.xml`` (JUnit) and one directory per tenant checked, ``<tenant>/``, with that tenant's
release report; the tenant entries of ``fleet.json`` link to them relative to the directory. A shard
writes the same layout; merging copies every tenant directory of every shard into the merged
directory, so the merged report is complete and its links work as the unsharded run's do.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from afasgov._files import make_output_dir, write_output_files
from afasgov.errors import InputError
from afasgov.fleet.model import FLEET_JSON, FleetReport, merge
from afasgov.fleet.render import render_html, render_junit, render_markdown
from afasgov.jsonsafe import load_file

#: a fleet.json larger than this is refused (500 tenants with every change listed is a few MiB)
MAX_FLEET_JSON_BYTES = 256 * 1024 * 1024
FILES = {"json": FLEET_JSON, "html": "fleet.html", "md": "fleet.md", "xml": "fleet.xml"}


def render_all(report: FleetReport) -> dict[str, bytes]:
    """Format → the bytes of its file."""
    return {
        "json": report.dumps().encode("utf-8"),
        "html": render_html(report).encode("utf-8"),
        "md": render_markdown(report).encode("utf-8"),
        "xml": render_junit(report).encode("utf-8"),
    }


def write_fleet_report(report: FleetReport, directory: Path) -> dict[str, Path]:
    """Write the four fleet files into ``directory`` (all or nothing); return format → path."""
    make_output_dir(directory)
    rendered = render_all(report)
    paths = {fmt: directory / FILES[fmt] for fmt in FILES}
    write_output_files([(paths[fmt], rendered[fmt]) for fmt in FILES])
    return paths


def read_fleet_report(directory: Path) -> FleetReport:
    """The ``fleet.json`` of a fleet report (or shard) directory; an :class:`InputError` naming it."""
    path = directory / FLEET_JSON if directory.is_dir() else directory
    source = str(path)
    if not path.exists():
        raise InputError("no fleet.json here (is this a fleet report or shard directory?)", source=source)
    doc = load_file(path, max_bytes=MAX_FLEET_JSON_BYTES, source=source)
    return FleetReport.from_json(doc, source=source)


def merge_directories(shards: Sequence[Path], output: Path) -> tuple[FleetReport, dict[str, Path]]:
    """Merge the shard directories into ``output``: tenant report directories copied, fleet files
    written from the merged report."""
    reports = [(str(d), read_fleet_report(d)) for d in shards]
    merged = merge(reports)
    output_resolved = output.resolve()
    for (source, report), directory in zip(reports, shards, strict=True):
        base = directory if directory.is_dir() else directory.parent
        for t in report.tenants:
            for rel in {Path(p).parts[0] for p in t.reports.values() if p and not Path(p).is_absolute()}:
                if rel in ("..", ".") or "/" in rel or "\\" in rel:
                    raise InputError(f"tenant {t.id}: report path {rel!r} leaves the shard directory", source=source)
                src = base / rel
                if not src.is_dir() or src.resolve() == output_resolved / rel:
                    continue
                shutil.copytree(src, output / rel, dirs_exist_ok=True)
    return merged, write_fleet_report(merged, output)


__all__ = ["FILES", "merge_directories", "read_fleet_report", "render_all", "write_fleet_report"]
