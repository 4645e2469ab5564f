"""The reports directory as a history of runs: file names, the trend, and ``reports/index.html``.

Report files are named ``<YYYY-MM-DD>T<HHMMSS>Z-<kind>-<scope>.<ext>`` (DESIGN §8). One *run* is
the set of files that share a stem. The JSON file of a run is its machine-readable record: the
trend of a release check is read from the JSON reports of earlier runs of the same kind and scope,
and the index takes each run's verdict and counts from it.

Reports written by other afasgov commands (``diff``, ``audit`` … with ``--output`` into
``reports/``) are listed as well when they follow the naming scheme; their JSON ``summary``
(DESIGN §6) gives the counts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from afasgov import jsonsafe
from afasgov.errors import InputError
from afasgov.findings import LEVELS
from afasgov.release.model import RUN_ID_FORMAT, TrendPoint, parse_run_id

REPORT_EXTS = ("html", "md", "json", "xml", "sarif")
REPORT_NAME_RE = re.compile(
    r"^(?P<run>\d{4}-\d{2}-\d{2}T\d{6}Z)-(?P<rest>[A-Za-z0-9][A-Za-z0-9._-]*)\.(?P<ext>html|md|json|xml|sarif)$")
#: an artifact a JSON report lists (``<stem>.openapi/production.json``): one directory below the reports
#: directory, nothing else (the index links it)
ARTIFACT_PATH_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
#: kinds with a dash come first so that ``release-check-accept`` splits as (release-check, accept)
KNOWN_KINDS = ("release-check", "diff", "audit", "validate", "changelog", "verify", "promote", "snapshot",
               "check", "demo")
#: a report JSON larger than this is not read for the history (it is still listed)
MAX_JSON_BYTES = 50 * 1024 * 1024


def split_kind_scope(rest: str) -> tuple[str, str]:
    for kind in KNOWN_KINDS:
        if rest == kind:
            return kind, ""
        if rest.startswith(kind + "-"):
            return kind, rest[len(kind) + 1:]
    head, _, tail = rest.partition("-")
    return head, tail


def stem(run_id: str, kind: str, scope: str) -> str:
    return f"{run_id}-{kind}-{scope}" if scope else f"{run_id}-{kind}"


@dataclass
class RunEntry:
    """One run found in the reports directory."""

    run_id: str
    kind: str
    scope: str
    files: dict[str, str] = field(default_factory=dict)
    verdict: str = ""
    counts: dict[str, int] | None = None
    waived: int = 0
    fail_on: str = ""
    title: str = ""
    problem: str = ""
    #: files the run wrote next to its reports (``--openapi``), as its JSON lists them: (title, path)
    artifacts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def when(self) -> datetime | None:
        return parse_run_id(self.run_id)


def scan_reports(reports_dir: Path, *, read: Callable[[Path], bytes] | None = None) -> list[RunEntry]:
    """Every run in ``reports_dir``, newest first (files that do not follow the naming are ignored);
    ``read``: a workspace's reader (a report the run read already is not read again)."""
    runs: dict[str, RunEntry] = {}
    if not reports_dir.is_dir():
        return []
    for path in reports_dir.iterdir():
        match = REPORT_NAME_RE.match(path.name)
        if not match or not path.is_file():
            continue
        kind, scope = split_kind_scope(match["rest"])
        key = f"{match['run']}-{match['rest']}"
        entry = runs.setdefault(key, RunEntry(run_id=match["run"], kind=kind, scope=scope))
        entry.files[match["ext"]] = path.name
    for key, entry in runs.items():
        if "json" in entry.files:
            _read_summary(reports_dir / entry.files["json"], entry, read)
            # only the run's own artifacts, and only those that are there
            entry.artifacts = [(t, p) for t, p in entry.artifacts
                               if p.startswith(key + ".") and (reports_dir / p).is_file()]
    return sorted(runs.values(), key=lambda e: (e.run_id, e.kind, e.scope), reverse=True)


def _read_summary(path: Path, entry: RunEntry, read: Callable[[Path], bytes] | None = None) -> None:
    try:
        data: Any = jsonsafe.load_file(path, max_bytes=MAX_JSON_BYTES, read=read)
    except InputError as exc:
        entry.problem = f"unreadable JSON report: {exc.reason}"
        return
    if not isinstance(data, dict):
        entry.problem = "JSON report is not an object"
        return
    summary = data.get("summary")
    if isinstance(summary, dict):
        counts = {}
        for lvl in LEVELS:
            value = summary.get(lvl, 0)
            valid = isinstance(value, int) and not isinstance(value, bool) and value >= 0
            counts[lvl] = value if valid else 0
        entry.counts = counts
        waived = summary.get("waived", 0)
        entry.waived = waived if isinstance(waived, int) and not isinstance(waived, bool) else 0
    verdict = data.get("verdict")
    if isinstance(verdict, str) and verdict.upper() in ("PASS", "FAIL"):
        entry.verdict = verdict.upper()
    fail_on = data.get("fail_on")
    if isinstance(fail_on, str) and fail_on in LEVELS:
        entry.fail_on = fail_on
    artifacts = data.get("artifacts")
    for a in artifacts if isinstance(artifacts, list) else []:
        if isinstance(a, dict) and isinstance(a.get("path"), str) and ARTIFACT_PATH_RE.match(a["path"]):
            title = a.get("title")
            entry.artifacts.append((title if isinstance(title, str) and title else a["path"], a["path"]))
    base, revision = data.get("base"), data.get("revision")
    if isinstance(base, dict) and isinstance(revision, dict):
        entry.title = f"{base.get('name', '?')} → {revision.get('name', '?')}"
    elif isinstance(base, str) and isinstance(revision, str):
        entry.title = f"{base} → {revision}"


def load_history(reports_dir: Path, kind: str, scope: str, before: str, *, limit: int = 19,
                 read: Callable[[Path], bytes] | None = None) -> list[TrendPoint]:
    """Earlier runs of the same kind and scope (JSON reports with counts), oldest first."""
    points = [TrendPoint(run_id=e.run_id, counts=dict(e.counts), verdict=e.verdict, file=e.files["json"])
              for e in scan_reports(reports_dir, read=read)
              if e.kind == kind and e.scope == scope and e.run_id < before and e.counts is not None]
    points.sort(key=lambda p: p.run_id)
    return points[-limit:] if limit else points


def allocate_run_id(reports_dir: Path, moment: datetime, kind: str, scope: str) -> datetime:
    """``moment`` truncated to the second, moved on by whole seconds until no report file has that stem.

    Two runs within one second would otherwise overwrite each other's reports.
    """
    moment = moment.astimezone(UTC).replace(microsecond=0)
    for _ in range(3600):
        name = stem(moment.strftime(RUN_ID_FORMAT), kind, scope)
        if not any((reports_dir / f"{name}.{ext}").exists() for ext in REPORT_EXTS):
            return moment
        moment += timedelta(seconds=1)
    return moment


__all__ = ["REPORT_EXTS", "REPORT_NAME_RE", "RunEntry", "allocate_run_id", "load_history", "scan_reports",
           "split_kind_scope", "stem"]
