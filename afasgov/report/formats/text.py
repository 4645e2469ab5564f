"""``text``: oasdiff-style plain text for terminals (optional ANSI colour; data always cleaned)."""

from __future__ import annotations

from collections.abc import Sequence

from afasgov.findings import Finding
from afasgov.report.document import ReportMeta, severity_of, summary_line, verdict
from afasgov.report.escape import clean, one_line

_WORD = {"ERR": "error", "WARN": "warning", "INFO": "info"}
_COLOR = {"ERR": "\x1b[31m", "WARN": "\x1b[33m", "INFO": "\x1b[36m"}
_RESET = "\x1b[0m"


def _item(item: Finding, meta: ReportMeta, color: bool) -> list[str]:
    word = _WORD.get(item.level, item.level.lower())
    if item.waived:
        word = f"{word} (waived)"
    head = f"{word} [{one_line(item.id)}]"
    if color:
        head = f"{_COLOR.get(item.level, '')}{head}{_RESET}"
    where = one_line(item.where or item.location.environment)
    if where:
        head += f" at {where}"
    if item.severity is not None:
        head += f" (severity {one_line(severity_of(item))})"
    lines = [head, f"\t{one_line(item.text)}"]
    if item.scope:
        lines.append(f"\tscope: {one_line(item.scope)}")
    lines.extend(f"\t{one_line(n)}" for n in meta.details(item))
    if item.evidence:
        lines.append(f"\tevidence: {one_line(item.evidence)}")
    if item.remediation:
        lines.append(f"\tremediation: {one_line(item.remediation)}")
    if item.waiver is not None:
        lines.append(
            f"\twaived: {one_line(item.waiver.reason)} (owner {one_line(item.waiver.owner)}, "
            f"expires {item.waiver.expires})"
        )
    return lines


def render(findings: Sequence[Finding], doc: ReportMeta, *, color: bool = False) -> str:
    lines = [clean(doc.title)]
    for key, value in doc.header.items():
        if isinstance(value, str | int | float):
            lines.append(f"{key}: {one_line(value)}")
    lines.append(summary_line(findings, doc))
    lines.append("")
    for item in findings:
        lines.extend(_item(item, doc, color))
        lines.append("")
    for section in doc.sections:
        lines.append(f"{one_line(section.title)}:")
        lines.extend(f"  {one_line(ln)}" for ln in section.lines)
        lines.append("")
    if doc.waiver_notes:
        lines.append("waivers:")
        lines.extend(f"  {one_line(w.text())}" for w in doc.waiver_notes)
        lines.append("")
    if doc.notes:
        lines.append("notes:")
        lines.extend(f"  {one_line(n)}" for n in doc.notes)
        lines.append("")
    lines.append(verdict(findings, doc.fail_on))
    return "\n".join(lines) + "\n"
