"""Shared renderers for every afasgov report: ``text``, ``markdown``, ``json``, ``html``, ``junit``,
``sarif`` (2.1.0) and ``github`` (workflow annotations).

Every renderer takes a list of :class:`~afasgov.findings.Finding` s (waivers applied, see
:meth:`afasgov.waivers.WaiverSet.waive`) and the run's :class:`ReportMeta`; :func:`render` picks the
format, :func:`emit` also writes ``--output`` atomically and returns the ``--fail-on`` exit code. Diff,
validate, audit and the release check all use them. The release report's own HTML and Markdown (with
integrations, trend and waiver register) are in :mod:`afasgov.report.release`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from afasgov._files import write_output_text as atomic_write_text
from afasgov.errors import UsageError
from afasgov.findings import FAIL_ON, Finding
from afasgov.report.document import (
    InputRef,
    ReportMeta,
    RuleInfo,
    Section,
    exit_code,
    failing,
    summary,
    summary_line,
    verdict,
)
from afasgov.report.formats import github, gitlab, html, jsonfmt, junit, markdown, sarif, text

Renderer = Callable[..., str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "markdown": markdown.render,
    "json": jsonfmt.render,
    "html": html.render,
    "junit": junit.render,
    "sarif": sarif.render,
    "github": github.render,
    "gitlab": gitlab.render,
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
    "gitlab": "json",
}


def render(findings: Sequence[Finding], meta: ReportMeta, fmt: str = "text", *, color: bool = False) -> str:
    """Render ``findings`` of the run ``meta`` in format ``fmt`` (one of :data:`FORMATS`)."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return renderer(findings, meta, color=color)


def emit(
    findings: Sequence[Finding],
    meta: ReportMeta,
    fmt: str,
    output: Path | None,
    echo: Callable[[str], None],
    *,
    color: bool = False,
    quiet: bool = False,
) -> int:
    """Render; write to ``output`` atomically (or pass to ``echo``); return the exit code (0/1).

    ``quiet`` (``--quiet``): a text report shrinks to its one-line result (counts and verdict); any
    other format is the result itself and is passed on whole."""
    if meta.fail_on not in FAIL_ON:
        raise UsageError(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {meta.fail_on!r}")
    if quiet and output is None and fmt == "text":
        echo(f"{summary_line(findings, meta)}; {verdict(findings, meta.fail_on)}")
        return exit_code(findings, meta.fail_on)
    rendered = render(findings, meta, fmt, color=color and output is None and fmt == "text")
    if output is not None:
        atomic_write_text(output, rendered)
        echo(f"{summary_line(findings, meta)}; {verdict(findings, meta.fail_on)}; written to {output}")
    else:
        echo(rendered.rstrip("\n"))
    return exit_code(findings, meta.fail_on)


__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "InputRef",
    "ReportMeta",
    "RuleInfo",
    "Section",
    "atomic_write_text",
    "emit",
    "exit_code",
    "failing",
    "render",
    "summary",
    "summary_line",
    "verdict",
]
