"""``github``: GitHub Actions workflow commands (``::error file=…,title=…::message``)."""

from __future__ import annotations

from collections.abc import Sequence

from afasgov.findings import Finding
from afasgov.report.document import ReportMeta, summary_line, verdict
from afasgov.report.escape import gh_data, gh_property

_COMMAND = {"ERR": "error", "WARN": "warning", "INFO": "notice"}


def render(findings: Sequence[Finding], doc: ReportMeta, *, color: bool = False) -> str:
    lines = []
    for item in findings:
        command = "notice" if item.waived else _COMMAND.get(item.level, "notice")
        props = []
        if item.location.file:
            props.append(f"file={gh_property(item.location.file)}")
            if item.location.line:
                props.append(f"line={item.location.line}")
        where = item.where or item.location.environment
        title = f"{item.id}" + (f" ({where})" if where else "")
        props.append(f"title={gh_property(title)}")
        message = f"[{item.level}{' waived' if item.waived else ''}] {item.text}"
        if where:
            message += f"\nwhere: {where}" + (f" ({item.scope})" if item.scope else "")
        details = doc.details(item)
        if details:
            message += "\n" + "\n".join(details)
        lines.append(f"::{command} {','.join(props)}::{gh_data(message)}")
    for note in doc.waiver_notes:
        lines.append(f"::warning title={gh_property('waiver')}::{gh_data(note.text())}")
    outcome = summary_line(findings, doc) + "; " + verdict(findings, doc.fail_on)
    lines.append(f"::notice title={gh_property(doc.title)}::{gh_data(outcome)}")
    return "\n".join(lines) + "\n"
