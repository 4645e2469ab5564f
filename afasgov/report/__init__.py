"""Shared renderers for every afasgov report: ``text``, ``markdown``, ``json``, ``html``, ``junit``,
``sarif`` (2.1.0) and ``github`` (workflow annotations).

Build a :class:`ReportDocument` of :class:`ReportItem`\\ s and call :func:`render` (or :func:`emit`,
which also writes ``--output`` atomically and returns the ``--fail-on`` exit code). Diff, validate and
audit all use it; waivers (:mod:`afasgov.waivers`) mark items as waived before rendering.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from afasgov._files import write_output_text as atomic_write_text
from afasgov.errors import UsageError
from afasgov.report.document import (
    LEVELS,
    SEVERITY_LEVEL,
    InputRef,
    ReportDocument,
    ReportItem,
    RuleInfo,
    Section,
    WaiverNote,
    WaiverRef,
    at_or_above,
    level_rank,
    sha256_file,
    sha256_tree,
)
from afasgov.report.formats import github, html, jsonfmt, junit, markdown, sarif, text

FORMATS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "markdown": markdown.render,
    "json": jsonfmt.render,
    "html": html.render,
    "junit": junit.render,
    "sarif": sarif.render,
    "github": github.render,
}

#: file extension per format (for ``reports/…`` file names).
EXTENSIONS = {
    "text": "txt",
    "markdown": "md",
    "json": "json",
    "html": "html",
    "junit": "xml",
    "sarif": "sarif",
    "github": "txt",
}


def render(doc: ReportDocument, fmt: str = "text", *, color: bool = False) -> str:
    """Render ``doc`` in format ``fmt`` (one of :data:`FORMATS`)."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return renderer(doc, color=color)


def emit(
    doc: ReportDocument, fmt: str, output: Path | None, echo: Callable[[str], None], *, color: bool = False,
    quiet: bool = False,
) -> int:
    """Render; write to ``output`` atomically (or pass to ``echo``); return the exit code (0/1).

    ``quiet`` (``--quiet``): a text report shrinks to its one-line result (counts and verdict); any
    other format is the result itself and is passed on whole."""
    if doc.fail_on not in LEVELS:
        raise UsageError(f"--fail-on must be one of {', '.join(LEVELS)}, not {doc.fail_on!r}")
    if quiet and output is None and fmt == "text":
        echo(f"{doc.summary_line()}; {doc.verdict()}")
        return doc.exit_code()
    rendered = render(doc, fmt, color=color and output is None and fmt == "text")
    if output is not None:
        atomic_write_text(output, rendered)
        echo(f"{doc.summary_line()}; {doc.verdict()}; written to {output}")
    else:
        echo(rendered.rstrip("\n"))
    return doc.exit_code()


__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "LEVELS",
    "SEVERITY_LEVEL",
    "InputRef",
    "ReportDocument",
    "ReportItem",
    "RuleInfo",
    "Section",
    "WaiverNote",
    "WaiverRef",
    "at_or_above",
    "atomic_write_text",
    "emit",
    "level_rank",
    "render",
    "sha256_file",
    "sha256_tree",
]
