"""``markdown``: a GitHub-flavoured Markdown report (every value escaped, paths as code spans).

Worst first; audit findings grouped per check × App Connector (:mod:`afasgov.report.groups`). The
report fits a pull-request comment: it is capped at :data:`LIMIT` characters (GitHub allows 65,536),
dropping table rows from the end and saying how many did not fit (the HTML and JSON reports have
them all), as the release report's Markdown does.
"""

from __future__ import annotations

from collections.abc import Sequence

from afasgov.findings import LEVELS, Finding
from afasgov.report.document import ReportMeta, severity_of, summary, verdict, waived_count
from afasgov.report.escape import md_code, md_text
from afasgov.report.formats.html import label, worst_first
from afasgov.report.groups import FindingGroup, group_findings

#: the size cap (GitHub's comment limit is 65,536 characters; room is left for a CI job's own lines)
LIMIT = 60_000


def _finding_row(item: Finding, doc: ReportMeta) -> str:
    desc = md_text(item.text)
    for note in doc.details(item):
        desc += "<br>" + md_text(note)
    if item.evidence:
        desc += "<br>Evidence: " + md_text(item.evidence)
    if item.remediation:
        desc += "<br>Remediation: " + md_text(item.remediation)
    waived = (md_text(f"{item.waiver.reason} ({item.waiver.owner}, until {item.waiver.expires})")
              if item.waiver else "")
    location = item.where or item.location.environment
    where = md_code(location) if location else ""
    if item.scope:
        where += ("<br>" if where else "") + md_text(item.scope)
    level = item.level + (f"<br>{md_text(severity_of(item))}" if item.severity is not None else "")
    return f"| {level} | {md_code(item.id)} | {where} | {desc} | {waived} |"


def _group_row(group: FindingGroup, doc: ReportMeta) -> str:
    if group.count == 1:
        return _finding_row(group.first, doc)
    desc = f"**{group.count}** × {md_text(group.title)}"
    desc += "".join("<br>" + md_code(line) for line in group.subject_lines)
    if group.evidence:
        desc += "<br>Evidence: " + md_text(group.evidence[0])
    if group.remediation:
        desc += "<br>Remediation: " + md_text(group.remediation)
    if group.reference:
        desc += "<br>AFAS Auditor: " + md_text(group.reference)
    waived = "<br>".join(md_text(r) for r in group.waiver_reasons)
    level = group.level + (f"<br>{md_text(group.severity)}" if group.severity else "")
    return f"| {level} | {md_code(group.id)} | {md_code(group.where)} | {desc} | {waived} |"


def render(findings: Sequence[Finding], doc: ReportMeta, *, color: bool = False, limit: int = LIMIT) -> str:
    head = [f"# {md_text(doc.title)}", ""]
    for key, value in doc.header.items():
        if isinstance(value, str | int | float):
            head.append(f"- **{md_text(label(key))}**: {md_code(value, table=False)}")
    head.append(f"- **Tool**: {md_text(doc.tool)} {md_text(doc.version)}")
    head.append(f"- **Verdict**: {md_text(verdict(findings, doc.fail_on))}")
    head.append("")
    s = summary(findings)
    head += [
        "| " + " | ".join(LEVELS) + " | waived |",
        "|---|---|---|---|",
        f"| {s['ERR']} | {s['WARN']} | {s['INFO']} | {waived_count(findings)} |",
        "",
    ]
    rows: list[str] = []
    table_head: list[str] = []
    if findings:
        grouped = any(f.kind == "audit" for f in findings)
        ordered = worst_first(findings)
        rows = ([_group_row(g, doc) for g in group_findings(ordered)] if grouped
                else [_finding_row(f, doc) for f in ordered])
        title = doc.items_key.capitalize() + (" (one row per check and App Connector)" if grouped else "")
        table_head = [f"## {md_text(title)}", "", "| Level | Id | Where | Description | Waived |",
                      "|---|---|---|---|---|"]
    tail: list[str] = []
    for section in doc.sections:
        tail += [f"## {md_text(section.title)}", ""]
        tail += [f"- {md_text(line)}" for line in section.lines]
        tail.append("")
    if doc.waiver_notes:
        tail += ["## Waivers", ""] + [f"- {md_text(w.text())}" for w in doc.waiver_notes] + [""]
    if doc.notes:
        tail += ["## Notes (what could not be seen)", ""] + [f"- {md_text(n)}" for n in doc.notes] + [""]
    inputs: list[str] = []
    if doc.inputs:
        inputs = [f"| {md_text(i.name)} | {md_code(i.location)} | {md_code(i.sha256)} |" for i in doc.inputs]
    return _fit(head, table_head, rows, tail, inputs, limit)


def _size(lines: Sequence[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _fit(head: list[str], table_head: list[str], rows: list[str], tail: list[str], inputs: list[str],
         limit: int) -> str:
    """Everything, or as many finding rows (then input rows) as fit in ``limit`` with a line saying what
    was left out."""
    inputs_head = ["## Inputs", "", "| Input | Location | SHA-256 |", "|---|---|---|"] if inputs else []
    notice_room = 200
    budget = limit - _size(head) - _size(table_head) - _size(tail) - notice_room
    kept_inputs = inputs
    if _size(inputs_head) + _size(inputs) > budget // 4:  # inputs may take a quarter of what is left
        kept_inputs = []
        for line in inputs:
            if _size(inputs_head) + _size(kept_inputs) + len(line) + 1 > budget // 4:
                break
            kept_inputs.append(line)
    budget -= _size(inputs_head) + _size(kept_inputs)
    kept_rows: list[str] = []
    for row in rows:
        if _size(kept_rows) + len(row) + 1 > budget:
            break
        kept_rows.append(row)
    out = head + table_head + kept_rows
    left_rows, left_inputs = len(rows) - len(kept_rows), len(inputs) - len(kept_inputs)
    if left_rows:
        out += ["", f"_{left_rows} more rows did not fit in a GitHub comment: see the HTML or JSON report._"]
    out += [""] if rows else []
    out += tail
    if inputs:
        out += inputs_head + kept_inputs
        if left_inputs:
            out.append(f"\n_{left_inputs} more inputs in the JSON report._")
        out.append("")
    return "\n".join(out)
