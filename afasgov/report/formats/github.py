"""``github``: GitHub Actions workflow commands (``::error file=…,line=…,title=…::message``).

Each finding is an annotation on its file and line (the same file and line as in SARIF: findings are
located by :mod:`afasgov.locate`). GitHub shows at most 10 annotations of each level (error, warning,
notice) per step and drops the rest silently, so at most that many are written per level — the most
severe findings first, in report order — and the last notice, the run's outcome, says how many of each
level were not annotated (the full list is in the other formats)."""

from __future__ import annotations

from collections.abc import Sequence

from afasgov.findings import Finding
from afasgov.report.document import ReportMeta, summary_line, verdict
from afasgov.report.escape import gh_data, gh_property

_COMMAND = {"ERR": "error", "WARN": "warning", "INFO": "notice"}
#: GitHub's limit: annotations of one level per step
LIMIT = 10
_NOUN = {"error": "error", "warning": "warning", "notice": "notice"}


def _annotation(item: Finding, doc: ReportMeta) -> tuple[str, str]:
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
    return command, f"::{command} {','.join(props)}::{gh_data(message)}"


def render(findings: Sequence[Finding], doc: ReportMeta, *, color: bool = False) -> str:
    buckets: dict[str, list[str]] = {"error": [], "warning": [], "notice": []}
    for item in findings:
        command, line = _annotation(item, doc)
        buckets[command].append(line)
    for note in doc.waiver_notes:
        buckets["warning"].append(f"::warning title={gh_property('waiver')}::{gh_data(note.text())}")
    lines: list[str] = []
    left_out: dict[str, int] = {}
    for command, entries in buckets.items():
        cap = LIMIT - 1 if command == "notice" else LIMIT  # the last notice is the outcome
        lines += entries[:cap]
        if len(entries) > cap:
            left_out[command] = len(entries) - cap
    outcome = summary_line(findings, doc) + "; " + verdict(findings, doc.fail_on)
    if left_out:
        rest = ", ".join(f"{n} {_NOUN[c]}{'s' if n != 1 else ''}" for c, n in left_out.items())
        outcome += f"; not annotated (GitHub shows {LIMIT} per level per step): {rest}; see the full report"
    lines.append(f"::notice title={gh_property(doc.title)}::{gh_data(outcome)}")
    return "\n".join(lines) + "\n"
