"""``markdown``: a GitHub-flavoured Markdown report (every value escaped, paths as code spans)."""

from __future__ import annotations

from collections.abc import Sequence

from afasgov.findings import LEVELS, Finding
from afasgov.report.document import ReportMeta, severity_of, summary, verdict, waived_count
from afasgov.report.escape import md_code, md_text


def render(findings: Sequence[Finding], doc: ReportMeta, *, color: bool = False) -> str:
    out = [f"# {md_text(doc.title)}", ""]
    for key, value in doc.header.items():
        if isinstance(value, str | int | float):
            out.append(f"- **{md_text(key)}**: {md_code(value)}")
    out.append(f"- **tool**: {md_text(doc.tool)} {md_text(doc.version)}")
    out.append(f"- **verdict**: {md_text(verdict(findings, doc.fail_on))}")
    out.append("")
    s = summary(findings)
    out += [
        "| " + " | ".join(LEVELS) + " | waived |",
        "|---|---|---|---|",
        f"| {s['ERR']} | {s['WARN']} | {s['INFO']} | {waived_count(findings)} |",
        "",
    ]
    if findings:
        out += [
            f"## {md_text(doc.items_key.capitalize())}",
            "",
            "| Level | Id | Where | Description | Waived |",
            "|---|---|---|---|---|",
        ]
        for item in findings:
            desc = md_text(item.text)
            for note in doc.details(item):
                desc += "<br>" + md_text(note)
            if item.evidence:
                desc += "<br>Evidence: " + md_text(item.evidence)
            if item.remediation:
                desc += "<br>Remediation: " + md_text(item.remediation)
            waived = (
                md_text(f"{item.waiver.reason} ({item.waiver.owner}, until {item.waiver.expires})")
                if item.waiver
                else ""
            )
            location = item.where or item.location.environment
            where = md_code(location) if location else ""
            if item.scope:
                where += ("<br>" if where else "") + md_text(item.scope)
            level = item.level + (f"<br>{md_text(severity_of(item))}" if item.severity is not None else "")
            out.append(f"| {level} | {md_code(item.id)} | {where} | {desc} | {waived} |")
        out.append("")
    for section in doc.sections:
        out += [f"## {md_text(section.title)}", ""]
        out += [f"- {md_text(line)}" for line in section.lines]
        out.append("")
    if doc.waiver_notes:
        out += ["## Waivers", ""] + [f"- {md_text(w.text())}" for w in doc.waiver_notes] + [""]
    if doc.notes:
        out += ["## Notes (what could not be seen)", ""] + [f"- {md_text(n)}" for n in doc.notes] + [""]
    if doc.inputs:
        out += ["## Inputs", "", "| Input | Location | SHA-256 |", "|---|---|---|"]
        out += [f"| {md_text(i.name)} | {md_code(i.location)} | {md_code(i.sha256)} |" for i in doc.inputs]
        out.append("")
    return "\n".join(out)
