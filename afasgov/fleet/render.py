"""The fleet report rendered: one self-contained HTML page, Markdown and JUnit XML (JSON is
:meth:`FleetReport.dumps`).

The HTML page has no external resource (styles inline; the only script, inline and optional, sorts the
tenants × integrations table when a column header is clicked — without it the page reads the same,
in the tenants file's order). Every text that comes from a server, a tenants file or a finding is
escaped (:mod:`afasgov.report.escape`). Sections: verdict and counts, the breaking changes that hit
the most tenants, the tenants × integrations matrix (with each tenant's verdict, counts, Profit
versions and a link to its release report), tenants that could not be checked and why, Profit
versions seen, and the run (tenants file hash, shards, tool version, what could not be seen).
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import quoteattr

from afasgov.fleet.model import FleetReport, TenantResult, WideChange
from afasgov.report.escape import html_text, md_code, md_text, xml_text

#: changes listed in the HTML and Markdown (the JSON has all)
TOP_CHANGES = 50
#: tenant ids named per change before "and N more"
NAMED_TENANTS = 12
STATUS_CLASS = {"breaks": "breaks", "may break": "maybreak", "ok": "ok", "not checked": "none"}
STATUS_ORDER = {"breaks": 0, "may break": 1, "ok": 2, "not checked": 3}
VERDICT_ORDER = {"ERROR": 0, "FAIL": 1, "PASS": 2}

STYLE = """
:root{--err:#c62828;--warn:#a86400;--ok:#2e7d32;--info:#1f6fb2;--ink:#1d2329;--muted:#4a5560;--line:#d5dbe1;
--bg:#f6f8fa}
*{box-sizing:border-box}body{margin:0;color:var(--ink);background:#fff;
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
main{max-width:1220px;margin:0 auto;padding:24px 24px 48px}h1{font-size:24px;margin:0 0 4px}
h2{font-size:19px;margin:30px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
a{color:var(--info)}code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.muted{color:var(--muted)}.small{font-size:12px}
header.top{display:flex;justify-content:space-between;align-items:flex-start;gap:16px;
border-bottom:3px solid var(--ink);padding-bottom:12px}
.verdict{font-size:22px;font-weight:800;padding:8px 18px;border-radius:6px;color:#fff;white-space:nowrap}
.verdict.FAIL,.verdict.ERROR{background:var(--err)}.verdict.PASS{background:var(--ok)}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:14px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 14px;min-width:130px}
.card .n{font-size:28px;font-weight:800;line-height:1.1}.card .l{font-size:12px;color:var(--muted);
text-transform:uppercase;letter-spacing:.04em}.card.bad .n{color:var(--err)}.card.good .n{color:var(--ok)}
table{border-collapse:collapse;width:100%;margin:8px 0 14px}
th,td{border:1px solid var(--line);padding:4px 7px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:var(--bg);font-weight:700}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.scroll{max-width:100%;overflow-x:auto}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th[aria-sort=ascending]::after{content:" \\25B2"}
table.sortable th[aria-sort=descending]::after{content:" \\25BC"}
td.st{font-weight:700;white-space:nowrap;text-align:center}
td.breaks{background:#fde8e8;color:var(--err)}td.maybreak{background:#fff4e0;color:var(--warn)}
td.ok{background:#e9f5ea;color:var(--ok)}td.none{color:var(--muted);font-weight:400}
.lvl{display:inline-block;min-width:42px;text-align:center;padding:0 5px;border-radius:3px;font-weight:700;
font-size:12px;color:#fff}.lvl.ERR,.lvl.ERROR,.lvl.FAIL{background:var(--err)}.lvl.WARN{background:#e08a00}
.lvl.INFO{background:var(--info)}.lvl.PASS{background:var(--ok)}
.tag{display:inline-block;border:1px solid var(--line);border-radius:10px;padding:0 7px;font-size:11.5px;
background:var(--bg);margin:1px 2px 1px 0}
details summary{cursor:pointer;color:var(--info)}
footer{margin-top:36px;border-top:1px solid var(--line);padding-top:8px;color:var(--muted);font-size:12px}
@media print{.scroll{overflow:visible}table.sortable th::after{content:none!important}a{color:inherit}}
"""

#: sorts a table.sortable by the clicked column (numbers numerically), ties in the original order
SORT_SCRIPT = """
(function(){
function key(td){var v=td.getAttribute('data-sort');if(v===null)v=td.textContent.trim();
var n=Number(v);return(v!==''&&!isNaN(n))?[0,n]:[1,v.toLowerCase()];}
function cmp(a,b){return a[0]-b[0]||(a[1]<b[1]?-1:a[1]>b[1]?1:0);}
Array.prototype.forEach.call(document.querySelectorAll('table.sortable'),function(t){
var heads=t.tHead.rows[0].cells;
Array.prototype.forEach.call(heads,function(th,col){th.tabIndex=0;th.setAttribute('aria-sort','none');
function sort(){var asc=th.getAttribute('aria-sort')!=='ascending';
Array.prototype.forEach.call(heads,function(h){h.setAttribute('aria-sort','none');});
th.setAttribute('aria-sort',asc?'ascending':'descending');
var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){return cmp(key(a.cells[col]),key(b.cells[col]))*(asc?1:-1)||
(a.getAttribute('data-pos')-b.getAttribute('data-pos'));});
var f=document.createDocumentFragment();rows.forEach(function(r){f.appendChild(r);});body.appendChild(f);}
th.addEventListener('click',sort);
th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();sort();}});});});
})();
"""


def _e(text: object) -> str:
    return html_text(text)


def _versions(t: TenantResult, envs: Sequence[str]) -> str:
    return " → ".join(t.profit_versions.get(env, "?") for env in envs) if t.profit_versions else ""


def _envs(report: FleetReport) -> list[str]:
    envs = report.run.get("environments")
    if isinstance(envs, list) and envs:
        return [str(e) for e in envs]
    return sorted({env for t in report.tenants for env in t.profit_versions})


def _change_rows(changes: Sequence[WideChange]) -> list[str]:
    rows = []
    for w in changes[:TOP_CHANGES]:
        named = ", ".join(_e(t) for t in w.tenants[:NAMED_TENANTS])
        more = len(w.tenants) - NAMED_TENANTS
        who = named if more <= 0 else (f"<details><summary>{named} and {more} more</summary>"
                                       f"{', '.join(_e(t) for t in w.tenants[NAMED_TENANTS:])}</details>")
        rows.append(
            f'<tr><td><span class="lvl {_e(w.level)}">{_e(w.level)}</span></td>'
            f"<td>{_e(w.text)}<div class=\"small muted mono\">{_e(w.id)} · {_e(w.path)}</div></td>"
            f'<td class="num">{len(w.tenants)}</td><td>{_e(", ".join(w.integrations)) or "—"}</td>'
            f"<td class=\"small\">{who}</td></tr>"
        )
    return rows


def render_html(report: FleetReport) -> str:
    """The fleet report as one self-contained HTML page."""
    run = report.run
    s = report.summary()
    envs = _envs(report)
    integrations = report.integrations()
    changes = report.wide_changes()
    scope = " → ".join(envs) if envs else ""
    sub = [f"{s['tenants']} tenant{'s' if s['tenants'] != 1 else ''}"]
    if scope:
        sub.append(_e(scope))
    if run.get("shard"):
        sub.append(f"shard {_e(run['shard'])}")
    if run.get("shards"):
        sub.append(f"merged from {len(run['shards'])} shards")
    if run.get("tags"):
        sub.append("tags " + _e(", ".join(run["tags"])))
    if run.get("offline"):
        sub.append("committed snapshots (offline)")
    out: list[str] = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Fleet release check — {_e(report.verdict)}</title>",
        f"<style>{STYLE}</style></head><body><main>",
        '<header class="top"><div><h1>Fleet release check</h1>',
        f'<p class="muted">{" · ".join(sub)}</p></div>',
        f'<div class="verdict {_e(report.verdict)}" id="verdict">{_e(report.verdict)}</div></header>',
        '<section id="summary"><div class="cards">',
        f'<div class="card"><div class="n">{s["tenants"]}</div><div class="l">tenants</div></div>',
        f'<div class="card good"><div class="n">{s["ok"]}</div><div class="l">ok</div></div>',
        f'<div class="card{" bad" if s["findings"] else ""}"><div class="n">{s["findings"]}</div>'
        '<div class="l">with findings</div></div>',
        f'<div class="card{" bad" if s["failed"] else ""}"><div class="n">{s["failed"]}</div>'
        '<div class="l">could not be checked</div></div>',
        f'<div class="card"><div class="n">{len(changes)}</div><div class="l">distinct breaking changes</div></div>',
        "</div>",
        f"<p>{_e(report.verdict_line())}. Exit code {report.exit_code}.</p></section>",
        '<section id="changes"><h2>Breaking changes that hit the most tenants</h2>',
    ]
    if changes:
        shown = min(len(changes), TOP_CHANGES)
        out.append(f'<p class="muted">{shown} of {len(changes)} change(s), the most tenants first (ERR breaks '
                   "an integration that uses it; WARN may break one). fleet.json lists all.</p>")
        out.append('<table><thead><tr><th>Level</th><th>Change</th><th class="num">Tenants</th>'
                   "<th>Integrations</th><th>Which tenants</th></tr></thead><tbody>")
        out += _change_rows(changes)
        out.append("</tbody></table>")
    else:
        out.append("<p>No breaking or may-break change in any tenant checked.</p>")
    out.append("</section>")

    out.append('<section id="matrix"><h2>Tenants × integrations</h2>')
    out.append('<p class="muted">breaks · may break · ok · not checked. Click a column header to sort '
               "(the page reads the same without scripts).</p>")
    head = ["Tenant", "Customer", "Tags", "Verdict", "ERR", "WARN", "Profit " + (_e(scope) or "versions"),
            *[_e(n) for n in integrations], "Report"]
    numeric = {"ERR", "WARN"}
    out.append('<div class="scroll"><table class="sortable" id="tenants"><thead><tr>'
               + "".join(f'<th{" class=num" if h in numeric else ""} scope="col">{h}</th>' for h in head)
               + "</tr></thead><tbody>")
    for pos, (t, cells) in enumerate(report.matrix()):
        link = t.reports.get("html")
        report_cell = f'<a href="{_e(link)}">release report</a>' if link else "—"
        tags = "".join(f'<span class="tag">{_e(tag)}</span>' for tag in t.tags)
        out.append(
            f'<tr data-pos="{pos}"><td class="mono" data-sort="{_e(t.id)}">{_e(t.id)}</td><td>{_e(t.name)}</td>'
            f"<td>{tags}</td>"
            f'<td data-sort="{VERDICT_ORDER.get(t.verdict, 3)}"><span class="lvl {_e(t.verdict)}">'
            f"{_e(t.verdict)}</span></td>"
            f'<td class="num">{t.counts.get("ERR", 0)}</td><td class="num">{t.counts.get("WARN", 0)}</td>'
            f'<td class="mono small">{_e(_versions(t, envs))}</td>'
            + "".join(f'<td class="st {STATUS_CLASS[c]}" data-sort="{STATUS_ORDER[c]}">{_e(c)}</td>' for c in cells)
            + f"<td>{report_cell}</td></tr>"
        )
    out.append("</tbody></table></div></section>")

    failed = [t for t in report.tenants if t.status == "failed"]
    out.append('<section id="failed"><h2>Tenants that could not be checked</h2>')
    if failed:
        out.append("<table><thead><tr><th>Tenant</th><th>Customer</th><th>Stage</th><th>Environment</th>"
                   '<th class="num">Exit</th><th>Why</th></tr></thead><tbody>')
        for t in failed:
            err = t.error
            out.append(
                f'<tr><td class="mono">{_e(t.id)}</td><td>{_e(t.name)}</td><td>{_e(err.stage if err else "")}</td>'
                f'<td class="mono">{_e(err.environment if err else "")}</td>'
                f'<td class="num">{err.exit_code if err else ""}</td><td>{_e(err.message if err else "")}</td></tr>'
            )
        out.append("</tbody></table>")
    else:
        out.append("<p>Every tenant was checked.</p>")
    out.append("</section>")

    out.append('<section id="versions"><h2>Profit versions seen</h2>')
    versions = report.profit_versions()
    if versions:
        out.append('<table><thead><tr><th>Environment</th><th>Profit version</th><th class="num">Tenants</th>'
                   "</tr></thead><tbody>")
        for env, counts in versions.items():
            for version, n in counts.items():
                out.append(f'<tr><td>{_e(env)}</td><td class="mono">{_e(version)}</td><td class="num">{n}</td></tr>')
        out.append("</tbody></table>")
    else:
        out.append("<p>No environment answered.</p>")
    out.append("</section>")

    out.append('<section id="run"><h2>This run</h2><table><tbody>')
    rows = [
        ("Tenants file", f"{run.get('tenants_file', '')} ({run.get('tenants_file_sha256', '')})"),
        ("Tenants selected", f"{s['tenants']} of {run.get('tenants_total', s['tenants'])}"),
        ("Fail on", run.get("fail_on", "")),
        ("Snapshots", "committed (offline)" if run.get("offline") else "live, taken in this run"),
        ("Shard", run.get("shard") or (", ".join(run.get("shards") or []) or "—")),
        ("Started", run.get("started_at") or ""),
        ("Finished", run.get("finished_at") or ""),
        ("Tool", f"afasgov {run.get('tool_version', '')}"),
    ]
    out += [f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows]
    out.append("</tbody></table>")
    out.append('<p class="small muted">What a fleet report cannot see: tenants outside the selection (tags, '
               "shard); environments that could not be reached (listed above); everything each tenant's own "
               "release report lists under “what could not be seen”.</p></section>")
    out.append(f'<footer>afasgov {_e(run.get("tool_version", ""))} · schema afasgov.fleet-report/1</footer>')
    out.append(f"</main><script>{SORT_SCRIPT}</script></body></html>")
    return "\n".join(out) + "\n"


def render_markdown(report: FleetReport) -> str:
    """The fleet report as Markdown (a CI job summary, a pull-request comment)."""
    s = report.summary()
    envs = _envs(report)
    integrations = report.integrations()
    lines = [
        f"# Fleet release check: {report.verdict}",
        "",
        f"{md_text(report.verdict_line())}.",
        "",
        f"| tenants | ok | with findings | could not be checked |\n|---:|---:|---:|---:|\n"
        f"| {s['tenants']} | {s['ok']} | {s['findings']} | {s['failed']} |",
        "",
        "## Breaking changes that hit the most tenants",
        "",
    ]
    changes = report.wide_changes()
    if changes:
        lines += ["| level | change | tenants | integrations |", "|---|---|---:|---|"]
        for w in changes[:TOP_CHANGES]:
            lines.append(f"| {w.level} | {md_text(w.text)} ({md_code(w.path)}) | {len(w.tenants)} | "
                         f"{md_text(', '.join(w.integrations)) or '—'} |")
        if len(changes) > TOP_CHANGES:
            lines.append(f"\n{len(changes) - TOP_CHANGES} more in fleet.json.")
    else:
        lines.append("No breaking or may-break change in any tenant checked.")
    lines += ["", "## Tenants × integrations", ""]
    head = ["tenant", "customer", "verdict", "ERR", "WARN", "Profit " + " → ".join(envs), *integrations, "report"]
    lines.append("| " + " | ".join(md_text(h) for h in head) + " |")
    lines.append("|" + "|".join("---:" if h in ("ERR", "WARN") else "---" for h in head) + "|")
    for t, cells in report.matrix():
        link = t.reports.get("md") or t.reports.get("html")
        lines.append("| " + " | ".join([
            md_code(t.id), md_text(t.name), t.verdict, str(t.counts.get("ERR", 0)), str(t.counts.get("WARN", 0)),
            md_text(_versions(t, envs)), *cells, f"[report]({link})" if link else "—",
        ]) + " |")
    failed = [t for t in report.tenants if t.status == "failed"]
    lines += ["", "## Tenants that could not be checked", ""]
    if failed:
        lines += ["| tenant | customer | stage | why |", "|---|---|---|---|"]
        for t in failed:
            err = t.error
            lines.append(f"| {md_code(t.id)} | {md_text(t.name)} | {md_text(err.stage if err else '')} | "
                         f"{md_text(err.message if err else '')} |")
    else:
        lines.append("Every tenant was checked.")
    lines += ["", "## Profit versions seen", ""]
    for env, counts in report.profit_versions().items():
        lines.append(f"- {md_text(env)}: " + ", ".join(f"{md_code(v)} ({n})" for v, n in counts.items()))
    return "\n".join(lines) + "\n"


def render_junit(report: FleetReport) -> str:
    """JUnit XML: one test case per tenant (a failure for findings, an error when it could not be checked)."""
    s = report.summary()
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="afasgov fleet release check" tests="{s["tenants"]}" failures="{s["findings"]}" '
           f'errors="{s["failed"]}">',
           f'<testsuite name="fleet" tests="{s["tenants"]}" failures="{s["findings"]}" errors="{s["failed"]}">']
    for t in report.tenants:
        name = quoteattr(xml_text(f"{t.id} {t.name}"))
        out.append(f'<testcase classname="afasgov.fleet" name={name} time="{t.seconds:.3f}">')
        if t.status == "findings":
            message = quoteattr(xml_text(f"{t.counts.get('ERR', 0)} ERR, {t.counts.get('WARN', 0)} WARN"))
            body = "\n".join(xml_text(f"{c.level} {c.path}: {c.text}") for c in t.changes[:200])
            out.append(f"<failure message={message}>{_xml_body(body)}</failure>")
        elif t.status == "failed" and t.error is not None:
            out.append(f"<error message={quoteattr(xml_text(t.error.message))}>"
                       f"{_xml_body(xml_text(t.error.stage + ': ' + t.error.message))}</error>")
        out.append("</testcase>")
    out.append("</testsuite></testsuites>")
    return "\n".join(out) + "\n"


def _xml_body(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["render_html", "render_junit", "render_markdown"]
