"""``github``: GitHub Actions workflow commands (``::error file=…,title=…::message``)."""

from __future__ import annotations

from afasgov.report.document import ReportDocument
from afasgov.report.escape import gh_data, gh_property

_COMMAND = {"ERR": "error", "WARN": "warning", "INFO": "notice"}


def render(doc: ReportDocument, *, color: bool = False) -> str:
    lines = []
    for item in doc.items:
        command = "notice" if item.waived else _COMMAND.get(item.level, "notice")
        props = []
        if item.file:
            props.append(f"file={gh_property(item.file)}")
            if item.line:
                props.append(f"line={item.line}")
        where = item.where or item.environment
        title = f"{item.id}" + (f" ({where})" if where else "")
        props.append(f"title={gh_property(title)}")
        message = f"[{item.level}{' waived' if item.waived else ''}] {item.text}"
        if where:
            message += f"\nwhere: {where}" + (f" ({item.scope})" if item.scope else "")
        if item.notes:
            message += "\n" + "\n".join(item.notes)
        lines.append(f"::{command} {','.join(props)}::{gh_data(message)}")
    for note in doc.waiver_notes:
        lines.append(f"::warning title={gh_property('waiver')}::{gh_data(note.text())}")
    lines.append(
        f"::notice title={gh_property(doc.title)}::{gh_data(doc.summary_line() + '; ' + doc.verdict())}"
    )
    return "\n".join(lines) + "\n"
