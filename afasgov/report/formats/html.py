"""``html``: one self-contained, printable page (inline CSS, no script, no network; all data escaped).

Worst first (unwaived ERR, WARN, INFO, then the waived ones); a fixed table layout that wraps long
paths instead of widening the page; the header's keys as words (``as_of`` → "As of"); a legend of the
levels. Audit findings are grouped per check × App Connector (:mod:`afasgov.report.groups`), the
fields inside one row; every other finding is a row of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from afasgov.findings import LEVELS, Finding, level_rank
from afasgov.report.document import ReportMeta, severity_of, summary, verdict, waived_count
from afasgov.report.escape import html_text as h
from afasgov.report.groups import FindingGroup, group_findings

_CSS = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;
color:#1b1b1b;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;margin:.5rem 0;table-layout:fixed}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f3f3f3}code{font-family:ui-monospace,Consolas,monospace;font-size:.88em}
.meta{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.1rem 1rem;margin:.5rem 0}
.meta dt{color:#555}.meta dd{margin:0;overflow-wrap:anywhere}
.counts{width:auto;table-layout:auto}.counts td,.counts th{min-width:5rem;text-align:right}
tr.ERR td.lvl{background:#fde2e1}tr.WARN td.lvl{background:#fff3cd}tr.INFO td.lvl{background:#e7f1fb}
.lvl{font-weight:bold}tr.waived td{color:#666;background:#fafafa}
.rule{font-family:ui-monospace,Consolas,monospace;font-size:.82em;color:#555}
.verdict{font-weight:bold;padding:.5rem;border:2px solid #888;display:inline-block}
.note{color:#555;font-size:.9em}.where code{font-size:.85em}
.legend{font-size:.9em;color:#333}
@media print{body{margin:0;max-width:none;font-size:10pt}tr{page-break-inside:avoid}}
"""

#: header keys as people read them (others: the key with spaces, capitalised)
LABELS = {
    "as_of": "As of",
    "rules_hash": "Rules hash",
    "environments": "Environments",
    "checks": "Checks",
    "base": "Base",
    "revision": "Revision",
    "environment": "Environment",
    "payloads": "Payloads",
    "baseline": "Baseline",
    "run": "Run",
    "verdict": "Verdict",
    "scope": "Scope",
}


def label(key: str) -> str:
    """``as_of`` → ``As of``."""
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def worst_first(findings: Sequence[Finding]) -> list[Finding]:
    """Unwaived before waived, then ERR, WARN, INFO; the given order otherwise (stable)."""
    return sorted(findings, key=lambda f: (f.waived, level_rank(f.level)))


def _finding_row(item: Finding, doc: ReportMeta) -> str:
    desc = h(item.text)
    desc += f'<div class="rule">{h(item.id)}</div>'
    for note in doc.details(item):
        desc += f'<div class="note">{h(note)}</div>'
    if item.evidence:
        desc += f'<div class="note">Evidence: {h(item.evidence)}</div>'
    if item.remediation:
        desc += f'<div class="note">Remediation: {h(item.remediation)}</div>'
    if item.waiver is not None:
        desc += (f'<div class="note">Waived: {h(item.waiver.reason)} ({h(item.waiver.owner)}, until '
                 f"{h(item.waiver.expires)})</div>")
    where = f"<code>{h(item.where or item.location.environment)}</code>"
    if item.scope:
        where += f'<div class="note">{h(item.scope)}</div>'
    level = h(item.level) + (f"<br>{h(severity_of(item))}" if item.severity is not None else "")
    return _row(item.level, item.waived, level, desc, where)


def _group_row(group: FindingGroup, doc: ReportMeta) -> str:
    if group.count == 1:
        return _finding_row(group.first, doc)
    desc = f"<strong>{group.count}</strong> × {h(group.title)}"
    desc += f'<div class="rule">{h(group.id)}</div>'
    desc += "".join(f'<div class="note"><code>{h(line)}</code></div>' for line in group.subject_lines)
    if group.evidence:
        more = f" (and {len(group.evidence) - 1} more)" if len(group.evidence) > 1 else ""
        desc += f'<div class="note">Evidence: {h(group.evidence[0])}{more}</div>'
    if group.remediation:
        desc += f'<div class="note">Remediation: {h(group.remediation)}</div>'
    if group.reference:
        desc += f'<div class="note">AFAS Auditor: {h(group.reference)}</div>'
    for reason in group.waiver_reasons:
        desc += f'<div class="note">Waived: {h(reason)}</div>'
    level = h(group.level) + (f"<br>{h(group.severity)}" if group.severity else "")
    return _row(group.level, group.waived, level, desc, f"<code>{h(group.where)}</code>")


def _row(level: str, waived: bool, level_html: str, desc: str, where: str) -> str:
    cls = f"{h(level)}{' waived' if waived else ''}"
    return (f'<tr class="{cls}" data-level="{h(level)}"><td class="lvl">{level_html}</td>'
            f'<td class="what">{desc}</td><td class="where">{where}</td></tr>')


def render(findings: Sequence[Finding], doc: ReportMeta, *, color: bool = False) -> str:
    s = summary(findings)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{h(doc.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{h(doc.title)}</h1>",
        '<dl class="meta">',
    ]
    for key, value in doc.header.items():
        if isinstance(value, str | int | float):
            out.append(f"<dt>{h(label(key))}</dt><dd><code>{h(value)}</code></dd>")
    out.append(f"<dt>Tool</dt><dd>{h(doc.tool)} {h(doc.version)}</dd></dl>")
    out.append(f'<p class="verdict">{h(verdict(findings, doc.fail_on))}</p>')
    out.append(
        '<table class="counts"><tr>'
        + "".join(f"<th>{lvl}</th>" for lvl in LEVELS)
        + "<th>waived</th></tr><tr>"
        + "".join(f"<td>{s[lvl]}</td>" for lvl in LEVELS)
        + f"<td>{waived_count(findings)}</td></tr></table>"
    )
    if findings:
        grouped = any(f.kind == "audit" for f in findings)
        rows = [_group_row(g, doc) for g in group_findings(worst_first(findings))] if grouped else [
            _finding_row(f, doc) for f in worst_first(findings)]
        title = doc.items_key.capitalize()
        if grouped:
            title += f" ({len(findings)}, one row per check and App Connector)"
        out.append(f"<h2>{h(title)}</h2>")
        where_width = "20%" if grouped else "34%"  # App Connectors are short; diff paths are long
        out.append(f'<table class="findings"><colgroup><col style="width:5.5rem"><col><col style="width:{where_width}">'
                   "</colgroup><thead><tr><th>Level</th><th>What</th><th>Where</th></tr></thead><tbody>")
        out += rows
        out.append("</tbody></table>")
        out.append('<p class="legend">ERR breaks an integration or is a critical/high risk; WARN may break or is '
                   "a medium risk; INFO is an addition or a low risk. Waived items (accepted in waivers.yaml) "
                   "come last, greyed, and never fail a run. Worst first.</p>")
    for section in doc.sections:
        out.append(
            f"<h2>{h(section.title)}</h2><ul>" + "".join(f"<li>{h(x)}</li>" for x in section.lines) + "</ul>"
        )
    if doc.waiver_notes:
        out.append(
            "<h2>Waivers</h2><ul>" + "".join(f"<li>{h(w.text())}</li>" for w in doc.waiver_notes) + "</ul>"
        )
    out.append("<h2>What could not be seen</h2>")
    if doc.notes:
        out.append("<ul>" + "".join(f"<li>{h(n)}</li>" for n in doc.notes) + "</ul>")
    else:
        out.append("<p>Nothing: every input was read completely.</p>")
    if doc.inputs:
        out.append('<h2>Inputs</h2><table><colgroup><col style="width:22%"><col style="width:38%"><col>'
                   "</colgroup><tr><th>Input</th><th>Location</th><th>SHA-256</th></tr>")
        out += [
            f"<tr><td>{h(i.name)}</td><td><code>{h(i.location)}</code></td><td><code>{h(i.sha256)}</code>"
            "</td></tr>"
            for i in doc.inputs
        ]
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
