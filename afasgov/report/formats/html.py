"""``html``: one self-contained, printable page (inline CSS, no script, no network; all data escaped)."""

from __future__ import annotations

from collections.abc import Sequence

from afasgov.findings import LEVELS, Finding
from afasgov.report.document import ReportMeta, severity_of, summary, verdict, waived_count
from afasgov.report.escape import html_text as h

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;
color:#1b1b1b;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}code{font-family:ui-monospace,Consolas,monospace;
font-size:.9em;word-break:break-all}.ERR{background:#fde2e1}.WARN{background:#fff3cd}.INFO{background:#e7f1fb}
.waived{opacity:.65}.lvl{font-weight:bold}.id code{word-break:normal;white-space:nowrap}
.verdict{font-weight:bold;padding:.5rem;border:2px solid #888;display:inline-block}
.note{color:#555;font-size:.92em}@media print{body{margin:0;max-width:none}tr{page-break-inside:avoid}}
"""


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
        "<dl>",
    ]
    for key, value in doc.header.items():
        if isinstance(value, str | int | float):
            out.append(f"<dt>{h(key)}</dt><dd><code>{h(value)}</code></dd>")
    out.append(f"<dt>tool</dt><dd>{h(doc.tool)} {h(doc.version)}</dd></dl>")
    out.append(f'<p class="verdict">{h(verdict(findings, doc.fail_on))}</p>')
    out.append(
        "<table><tr>"
        + "".join(f"<th>{lvl}</th>" for lvl in LEVELS)
        + "<th>waived</th></tr><tr>"
        + "".join(f'<td class="{lvl}">{s[lvl]}</td>' for lvl in LEVELS)
        + f"<td>{waived_count(findings)}</td></tr></table>"
    )
    if findings:
        out.append(f"<h2>{h(doc.items_key.capitalize())}</h2>")
        out.append(
            "<table><tr><th>Level</th><th>Id</th><th>Where</th><th>Description</th><th>Waiver</th></tr>"
        )
        for item in findings:
            cls = f"{h(item.level)}{' waived' if item.waived else ''}"
            desc = h(item.text)
            for note in doc.details(item):
                desc += f'<div class="note">{h(note)}</div>'
            if item.evidence:
                desc += f'<div class="note">Evidence: {h(item.evidence)}</div>'
            if item.remediation:
                desc += f'<div class="note">Remediation: {h(item.remediation)}</div>'
            waiver = ""
            if item.waiver is not None:
                waiver = f"{h(item.waiver.reason)}<br>{h(item.waiver.owner)}, until {h(item.waiver.expires)}"
            where = f"<code>{h(item.where or item.location.environment)}</code>"
            if item.scope:
                where += f'<div class="note">{h(item.scope)}</div>'
            level = h(item.level) + (f"<br>{h(severity_of(item))}" if item.severity is not None else "")
            out.append(
                f'<tr class="{cls}"><td class="lvl">{level}</td><td class="id"><code>{h(item.id)}</code></td>'
                f"<td>{where}</td><td>{desc}</td><td>{waiver}</td></tr>"
            )
        out.append("</table>")
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
        out.append("<h2>Inputs</h2><table><tr><th>Input</th><th>Location</th><th>SHA-256</th></tr>")
        out += [
            f"<tr><td>{h(i.name)}</td><td><code>{h(i.location)}</code></td><td><code>{h(i.sha256)}</code>"
            "</td></tr>"
            for i in doc.inputs
        ]
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
