"""``--summary-json PATH`` of ``release-check`` and ``audit``: which reports *this* run wrote.

CI jobs publish a run's reports by reading this file, never by picking the newest file in
``reports/`` (which, after a run that failed with exit 2 or 3, is yesterday's). The file is written
(atomically) however the run ends — with its reports, or with none and the error that stopped it::

    {"tool": "afasgov", "version": "0.1.0", "command": "release-check", "exit_code": 1,
     "verdict": "FAIL", "summary": {"ERR": 3, "WARN": 5, "INFO": 12},
     "reports": {"html": "reports/…-release-check-production-vs-accept.html", "sarif": "…", …},
     "error": null}

``reports`` maps a format name (``html``, ``markdown``, ``json``, ``junit``, ``sarif``, ``text``,
``github``, ``gitlab``, and ``index`` for ``reports/index.html``) to a path, relative to the current
directory when the file is below it. An empty ``reports`` means this run wrote none (the command
printed its result, or stopped with ``error``). A usage error caught before the command starts (an
unknown option) writes no summary: a missing file means the same as an empty ``reports``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afasgov import __version__
from afasgov.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, AfasgovError

#: the file extension of each report → the format name used in the summary
EXTENSION_FORMAT: Mapping[str, str] = {
    "html": "html", "md": "markdown", "json": "json", "xml": "junit", "sarif": "sarif", "txt": "text",
    "index": "index",
}

_ORDER = {name: i for i, name in enumerate(("html", "markdown", "json", "junit", "sarif", "text", "github", "gitlab",
                                            "index"))}



@dataclass
class RunSummary:
    """What one run of a command produced; filled in by the command, written by :func:`summary_json`."""

    command: str
    exit_code: int = 0
    verdict: str = ""
    summary: dict[str, int] = field(default_factory=dict)
    reports: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    def add_report(self, fmt: str, path: Path) -> None:
        self.reports[fmt] = display_path(path)

    def to_json(self) -> dict[str, Any]:
        return {
            "tool": "afasgov",
            "version": __version__,
            "command": self.command,
            "exit_code": self.exit_code,
            "verdict": self.verdict or None,
            "summary": self.summary,
            "reports": dict(sorted(self.reports.items(), key=lambda kv: (_ORDER.get(kv[0], 99), kv[0]))),
            "error": self.error,
        }


def display_path(path: Path) -> str:
    """``path`` relative to the current directory when it is below it, else absolute; ``/`` separated."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def _write(path: Path, run: RunSummary) -> None:
    from afasgov._files import write_output_text

    write_output_text(path, json.dumps(run.to_json(), indent=2, ensure_ascii=False) + "\n")


@contextmanager
def summary_json(path: Path | None, command: str) -> Iterator[RunSummary]:
    """Yield a :class:`RunSummary` for the command to fill; write it to ``path`` (if given) when the
    command returns *or* raises. An error is recorded (redacted, one line) with its exit code and the
    run's reports are reset: a report half-way through a failed run is not this run's result."""
    run = RunSummary(command)
    if path is None:
        yield run
        return
    try:
        yield run
    except AfasgovError as exc:
        from afasgov.secrets import redact

        run.exit_code, run.error, run.reports = exc.exit_code, redact(str(exc)), {}
        _write(path, run)
        raise
    except KeyboardInterrupt:
        run.exit_code, run.error, run.reports = EXIT_INTERRUPTED, "interrupted", {}
        _write(path, run)
        raise
    except Exception as exc:
        run.exit_code, run.error, run.reports = EXIT_INTERNAL, f"internal error: {type(exc).__name__}", {}
        _write(path, run)
        raise
    _write(path, run)


__all__ = ["EXTENSION_FORMAT", "RunSummary", "display_path", "summary_json"]
