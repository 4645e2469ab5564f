"""Renderers of the release report: HTML, Markdown, JSON, JUnit XML, SARIF 2.1.0, and the index.

* HTML: one self-contained file (inline CSS and SVG, no scripts, no external resources, a CSP that
  forbids them), readable without JavaScript and printable; every value is escaped by Jinja2's
  autoescaping, SVG text by :mod:`afasgov.report.svg`.
* Markdown: fits a pull-request comment — capped at :data:`MARKDOWN_LIMIT` characters (GitHub allows
  65,536); what does not fit is counted and left to the HTML report. Cell text is escaped for
  Markdown and inline HTML, and ``@`` is neutralised so that labels cannot mention people.
* JSON: :meth:`ReleaseReport.to_json` (schema ``afasgov.release-report/1``, documented in
  ``docs/reports.md``).
* JUnit: one ``testcase`` per item (failure at or above ``fail_on``, skipped when waived);
* SARIF 2.1.0: one run, a rule per rule/check id, results with stable ``partialFingerprints``,
  waived items as ``suppressions``, the input hashes as ``artifacts``.

JUnit and SARIF come from the shared renderers of :mod:`afasgov.report` (the release report's findings with
the run described by :func:`to_document`), so every afasgov report has the same CI shape.
Everything that leaves through a renderer passes :func:`afasgov.secrets.redact` once more.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import jinja2
import markupsafe

from afasgov.findings import LEVELS, Finding
from afasgov.release.history import REPORT_EXTS, RunEntry
from afasgov.release.model import SECTION_TITLES, SECTIONS, IntegrationImpact, ReleaseReport, iso, item_json
from afasgov.report import svg
from afasgov.report.document import InputRef, ReportMeta, RuleInfo
from afasgov.report.escape import md_code, md_line
from afasgov.report.groups import FindingGroup, group_findings
from afasgov.report.ruledocs import as_rule_info
from afasgov.secrets import redact

MARKDOWN_LIMIT = 60_000
MATRIX_COLUMNS = 30
MARKDOWN_IMPACTS = 8
#: announced changes the Markdown lists (worst first, confirmed first); the HTML and JSON have all
MARKDOWN_ANNOUNCED = 25

_env: jinja2.Environment | None = None


def _jinja() -> jinja2.Environment:
    global _env  # noqa: PLW0603 - one cached, immutable environment
    if _env is None:
        _env = jinja2.Environment(
            loader=jinja2.PackageLoader("afasgov.report", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=False,
            lstrip_blocks=False,
            keep_trailing_newline=True,
            finalize=_finalize,
        )
    return _env


def _finalize(value: object) -> object:
    """Every ``{{ … }}`` value is scrubbed of secrets *before* it is HTML-escaped."""
    if isinstance(value, markupsafe.Markup):  # already-safe markup (the SVG pictures) stays markup
        return markupsafe.Markup(_CONTROL.sub("", redact(str(value))))  # noqa: S704 - was Markup already
    return _CONTROL.sub("", redact(value)) if isinstance(value, str) else value


def _delta(value: int) -> str:
    return f"+{value}" if value > 0 else ("±0" if value == 0 else f"−{-value}")


def _delta_class(value: int) -> str:
    return "delta-up" if value > 0 else ("delta-down" if value < 0 else "")


def matrix_connectors(report: ReleaseReport) -> tuple[list[str], int]:
    """Connectors with ERR/WARN changes that affect an integration, most affected first; and the total."""
    totals: Counter[str] = Counter()
    for integ in report.integrations:
        for name, (_, count) in integ.connectors.items():
            totals[name] += count
    ordered = sorted(totals, key=lambda n: (-totals[n], n))
    return ordered[:MATRIX_COLUMNS], len(ordered)


# ------------------------------------------------------------------------------------------ HTML
#: how many fields/connectors a findings row lists before "… N more" (an ERR card lists them all)
ROW_SUBJECTS = 12
_STATUS_ORDER = {"breaks": 0, "at risk": 1, "ok": 2}


@dataclass(frozen=True)
class ReleaseView:
    """What the release report leads with, computed once for the HTML and Markdown renderers."""

    broken: list[str]
    at_risk: list[str]
    integrations: list[IntegrationImpact]
    diff_err: int
    diff_warn: int
    payloads_refused: int
    audit_err: int
    audit_warn: int
    audit_info: int
    audit_groups: int
    app_connectors: list[str]
    changes_main: list[Finding]
    changes_rest: list[Finding]
    groups: list[FindingGroup]
    cards: list[FindingGroup]
    row_subjects: int = ROW_SUBJECTS


def release_view(report: ReleaseReport) -> ReleaseView:
    """The headline figures (this release vs the standing security findings), the integrations worst
    first, the changes split into what breaks and the rest, and the audit findings grouped."""
    diff = report.section_items("diff")
    audit = report.section_items("audit")
    groups = group_findings(audit)
    unwaived_audit = [f for f in audit if not f.waived]
    return ReleaseView(
        broken=[i.name for i in report.integrations if i.status == "breaks"],
        at_risk=[i.name for i in report.integrations if i.status == "at risk"],
        integrations=sorted(report.integrations, key=lambda i: (_STATUS_ORDER.get(i.status, 3), i.name)),
        diff_err=report.counts("diff")["ERR"],
        diff_warn=report.counts("diff")["WARN"],
        payloads_refused=sum(i.payloads_failed for i in report.integrations),
        audit_err=report.counts("audit")["ERR"],
        audit_warn=report.counts("audit")["WARN"],
        audit_info=report.counts("audit")["INFO"],
        audit_groups=len([g for g in groups if not g.waived]),
        app_connectors=sorted({a.strip() for f in unwaived_audit for a in f.location.app_connector.split(",")
                               if a.strip()}),
        changes_main=[f for f in diff if not f.waived and f.level in ("ERR", "WARN")],
        changes_rest=[f for f in diff if f.waived or f.level not in ("ERR", "WARN")],
        groups=groups,
        cards=[g for g in groups if g.level == "ERR" and not g.waived],
    )


def auditor_short(reference: str) -> str:
    """What a findings row shows of the AFAS Auditor correspondence: the message id where there is one
    (``AUT-19 (generic)``, ``STRUCT-27/28``), else the mark (✔ or ◐) that ends the Auditor note; the card
    and the title attribute keep the whole note."""
    if not reference:
        return "✘"
    if re.match(r"^[A-Z]+-\d", reference):
        return reference
    mark = re.search(r"\(([✔◐])\)$", reference)
    return mark.group(1) if mark else reference


def render_html(report: ReleaseReport) -> str:
    counts = report.counts()
    columns, total_columns = matrix_connectors(report)
    payloads_checked = sum(i.payloads_checked for i in report.integrations)
    html = _jinja().get_template("release.html.j2").render(
        r=report,
        v=release_view(report),
        levels=LEVELS,
        sections=SECTIONS,
        section_titles=SECTION_TITLES,
        counts=counts,
        waived=report.waived_count(),
        section_counts={s: report.counts(s) for s in SECTIONS},
        section_waived={s: report.waived_count(s) for s in SECTIONS},
        trend=report.trend(),
        failing=report.failing,
        started=iso(report.started_at),
        finished=iso(report.finished_at),
        breaking_integrations=sum(1 for i in report.integrations if i.status == "breaks"),
        risky_integrations=sum(1 for i in report.integrations if i.status == "at risk"),
        trend_svg=svg.trend_chart(report.points()),
        matrix_svg=svg.impact_matrix(report.integrations, columns),
        matrix_columns=columns,
        matrix_cut=total_columns if total_columns > len(columns) else 0,
        payloads_checked=payloads_checked,
        inputs=sorted(report.inputs.items()),
        svg=svg,
        auditor_short=auditor_short,
        why_fallback=why_fallback,
        delta=_delta,
        delta_class=_delta_class,
        announced_links=announced_links(report),
        prose_links=report.announced.connector_prose() if report.announced is not None else {},
    )
    return redact(html)


def announced_links(report: ReleaseReport) -> dict[str, str]:
    """Fingerprint of a diff finding → the anchor of the announced change it confirms (first row)."""
    out: dict[str, str] = {}
    for row in report.announced.changes if report.announced is not None else ():
        if row.finding:
            out.setdefault(row.finding, row.anchor)
    return out


def render_index(runs: Sequence[RunEntry], *, version: str, now: datetime | None = None,
                 history_limit: int = 20) -> str:
    """``reports/index.html``: every run newest first with its verdict and links to its files."""
    latest = next((r for r in runs if r.kind == "release-check"), None)
    trend_svg = ""
    if latest is not None:
        from afasgov.release.model import TrendPoint

        same = [r for r in runs if r.kind == latest.kind and r.scope == latest.scope and r.counts is not None]
        points = [TrendPoint(r.run_id, r.counts or {}, r.verdict) for r in reversed(same[:history_limit])]
        if len(points) >= 2:
            trend_svg = svg.trend_chart(points).replace("(this run)", "(latest)")
            trend_svg = trend_svg.replace(">this run<", ">latest<")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    html = _jinja().get_template("index.html.j2").render(
        runs=list(runs), latest=latest, levels=LEVELS, version=version, updated=iso(moment),
        exts=REPORT_EXTS, trend_svg=trend_svg,
        ext_names={"html": "HTML", "md": "Markdown", "json": "JSON", "xml": "JUnit", "sarif": "SARIF"},
    )
    return redact(html)


# -------------------------------------------------------------------------------------- Markdown
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def md(text: object) -> str:
    """Text for a one-line Markdown table cell (:func:`afasgov.report.escape.md_line`, the one escaper)."""
    return md_line(text)


class _Capped:
    """Collects Markdown blocks until the size limit; counts what is left out."""

    def __init__(self, limit: int, reserve: int) -> None:
        self.limit = limit - reserve
        self.parts: list[str] = []
        self.size = 0
        self.left_out = 0

    def add(self, text: str) -> bool:
        if self.size + len(text) + 1 > self.limit:
            return False
        self.parts.append(text)
        self.size += len(text) + 1
        return True

    def table(self, header: str, rows: Sequence[str], *, what: str) -> None:
        if not rows:
            return
        if not self.add(header):
            self.left_out += len(rows)
            return
        for n, row in enumerate(rows):
            if not self.add(row):
                self.force(f"\n_… {len(rows) - n} more {what} in the HTML report._")
                return

    def force(self, text: str) -> None:
        """Add a short note even past the limit (the reserve covers it)."""
        self.parts.append(text)
        self.size += len(text) + 1


def render_markdown(report: ReleaseReport, *, limit: int = MARKDOWN_LIMIT, html_name: str = "") -> str:
    """A pull-request comment: the verdict, what this release breaks (per integration, then its breaking
    changes and refused payloads), then the standing security findings grouped per check × App Connector;
    size-capped."""
    counts = report.counts()
    view = release_view(report)
    mark = "❌" if report.verdict == "FAIL" else "✅"
    payloads = sum(i.payloads_checked for i in report.integrations)
    if view.broken:
        breaks = (f"**{len(view.broken)} of {len(report.integrations)} integrations** "
                  f"({md(', '.join(view.broken))})")
    elif report.integrations:
        breaks = "**no integration**"
    else:
        breaks = "no integration manifests:"
    head = [
        f"## {mark} afasgov release check: **{report.verdict}** — {md(report.base.name)} → "
        f"{md(report.revision.name)}",
        "",
        f"**This release breaks** {breaks}: {view.diff_err} breaking change{'s' if view.diff_err != 1 else ''}, "
        f"{view.diff_warn} that may break, {view.payloads_refused} of {payloads} recorded "
        f"payload{'s' if payloads != 1 else ''} refused on {md(report.revision.name)}.",
        "",
        f"**Standing security findings** (not caused by this release): {view.audit_err} ERR · {view.audit_warn} "
        f"WARN · {view.audit_info} INFO, in {view.audit_groups} finding{'s' if view.audit_groups != 1 else ''} "
        f"(one per check and App Connector) on {len(view.app_connectors)} App "
        f"Connector{'s' if len(view.app_connectors) != 1 else ''}.",
        "",
        " · ".join(f"**{counts[lvl]} {lvl}**" for lvl in LEVELS)
        + f" · {report.waived_count()} waived · fail on {report.fail_on}"
        + (f" · Profit {md(report.revision.profit_version)} on {md(report.revision.name)}"
           if report.revision.profit_version else ""),
    ]
    trend = report.trend()
    if trend is not None and report.previous is not None:
        head.append("")
        head.append(f"Trend since {md_code(report.previous.run_id)}: "
                    + ", ".join(f"{lvl} {_delta(trend[lvl])}" for lvl in LEVELS))
    footer = _md_footer(report, html_name)
    out = _Capped(limit, reserve=len(footer) + 600)
    out.add("\n".join(head))

    if report.integrations:
        out.add("\n### Verdict per integration\n")
        rows = [f"| {md(i.name)} | **{i.status}** | {md(_why(i))} | "
                f"{i.payloads_checked - i.payloads_failed}/{i.payloads_checked} | {md(i.owner)} |"
                for i in view.integrations]
        out.table("| Integration | Status | Why | Payloads valid | Owner |\n|---|---|---|---:|---|", rows,
                  what="integrations")

    release = [i for i in report.items if i.kind != "audit" and not i.waived and i.level in ("ERR", "WARN")]
    out.add("\n### This release: breaking changes and refused payloads\n")
    if release:
        out.table("| Level | Section | Rule | Where | What | Integrations |\n|---|---|---|---|---|---|",
                  [_md_row(i) for i in release], what="errors and warnings")
    else:
        out.add("Nothing that breaks or may break.")

    groups = [g for g in view.groups if not g.waived]
    if groups:
        out.add(f"\n### Standing security findings on {md(report.revision.name)}\n")
        out.table("| Level | Check | App Connector | Findings | AFAS Auditor |\n|---|---|---|---|---|",
                  [_md_group_row(g) for g in groups], what="security findings")

    if report.announced is not None:
        _md_announced(out, report)

    infos = [i for i in report.items if i.kind != "audit" and not i.waived and i.level == "INFO"]
    waived = [i for i in report.items if i.waived]
    for title, items in (("INFO item", infos), ("waived item", waived)):
        if not items:
            continue
        plural = "s" if len(items) != 1 else ""
        if out.add(f"\n<details><summary>{len(items)} {title}{plural}</summary>\n"):
            out.table("| Level | Section | Rule | Where | What | Integrations |\n|---|---|---|---|---|---|",
                      [_md_row(i) for i in items], what=title + "s")
            out.add("\n</details>")
        else:
            out.left_out += len(items)

    if report.not_seen:
        out.add("\n### Not seen\n")
        for n, line in enumerate(report.not_seen):
            if not out.add(f"- {md(line)}"):
                out.force(f"- _… {len(report.not_seen) - n} more in the HTML report._")
                break
    if out.left_out:
        out.force(f"\n_{out.left_out} more lines did not fit in this comment: see the HTML report._")
    out.parts.append(footer)
    return redact("\n".join(out.parts) + "\n")


def _md_announced(out: _Capped, report: ReleaseReport) -> None:
    """"Announced by AFAS": the counts, the prose to read by hand, the announced changes (ERR/WARN first)."""
    a = report.announced
    assert a is not None
    out.add(f"\n### Announced by AFAS: {md(a.release)}\n")
    out.add(md(a.summary(report.revision.name)) + f" ({md(a.scope)}; the verdict is the diff's).")
    if a.prose:
        out.table("\n| Read by hand | Where | Connectors | Integrations |\n|---|---|---|---|",
                  [f"| {'**breaking** ' if p.breaking else ''}{md(p.title)} | {md_code(p.source)} | "
                   f"{md(', '.join(p.connectors))} | {md(', '.join(p.integrations))} |" for p in a.prose],
                  what="prose items")
    rows = sorted(a.changes, key=lambda c: (LEVELS.index(c.level) if c.level in LEVELS else 9,
                                            c.status != "confirmed"))
    shown = rows[:MARKDOWN_ANNOUNCED]
    header = f"\n| Level | Announced | On {md(report.revision.name)} | Where | Integrations |\n|---|---|---|---|---|"
    out.table(header, [f"| {c.level} | {md(c.text)} | {md(c.status)}{': ' + md(c.why) if c.why else ''} | "
                       f"{md_code(c.source)} | {md(', '.join(c.integrations))} |" for c in shown],
              what="announced changes")
    if len(rows) > len(shown):
        out.force(f"\n_… {len(rows) - len(shown)} more announced changes in the HTML report._")


def _why(integration: IntegrationImpact) -> str:
    """What this release changes for an integration, in one Markdown cell."""
    shown = integration.impacts[:MARKDOWN_IMPACTS]
    more = len(integration.impacts) - len(shown)
    text = "; ".join([*shown, *integration.notes]) or why_fallback(integration)
    return text + (f" (… {more} more)" if more else "")


def why_fallback(integration: IntegrationImpact) -> str:
    """When no sentence says what changes for an integration: its counts, or that nothing it uses changes."""
    if integration.status == "ok":
        return "nothing it uses changes"
    counts = ", ".join(f"{n} {lvl}" for lvl, n in integration.counts.items() if n and lvl in ("ERR", "WARN"))
    return f"{counts} in the changes below" if counts else ""


def _md_group_row(group: FindingGroup) -> str:
    if group.count == 1:
        what = md(group.first.text)
        if group.own_subject:
            what += " " + md_code(" · ".join(group.subject_lines))
    else:
        shown, more = group.subject_summary(ROW_SUBJECTS * 4)
        what = f"**{group.count}** " + md_code(" · ".join(shown)) + (f" … {more} more" if more else "")
    return (f"| {group.level} | {md_code(group.id)} {md(group.title)} | {md(group.app_where)} | {what} | "
            f"{md(auditor_short(group.reference))} |")


def _md_row(item: Finding) -> str:
    loc = item.location
    where = item.path or loc.connector
    if item.kind == "audit" and loc.connector_type != "file":
        where = " / ".join(p for p in (loc.environment, loc.app_connector, loc.path or loc.connector) if p)
    if item.kind == "validation" and loc.file:
        where = f"{loc.file}: {where}" if where else loc.file
    what = item.title + ": " + item.text if item.kind == "audit" and item.title else item.text
    if item.waived and item.waiver is not None:
        what += f" (waived: {item.waiver.reason})"
    return (f"| {item.level} | {item.kind} | {md_code(item.id)} | {md_code(where)} | {md(what)} | "
            f"{md(', '.join(item.integrations))} |")


def _md_footer(report: ReleaseReport, html_name: str) -> str:
    digest = ", ".join(f"{md(k)} {md_code(v[:19])}" for k, v in sorted(report.inputs.items())[:4])
    parts = [f"afasgov {md(report.tool_version)}", f"run {md_code(report.run_id)}"]
    if html_name:
        parts.append(f"full report: {md_code(html_name)}")
    if digest:
        parts.append(f"inputs: {digest}")
    return "\n<sub>" + " · ".join(parts) + "</sub>"


# ------------------------------------------------------------------------------------------ JSON
def render_json(report: ReleaseReport) -> str:
    return redact(report.to_json_text())


# --------------------------------------------------------------------------- JUnit and SARIF
def details(item: Finding) -> tuple[str, ...]:
    """The lines under a finding's text in the release report's JUnit and SARIF."""
    loc = item.location
    notes = [f"section: {item.kind}"]
    if item.integrations:
        notes.append("integrations: " + ", ".join(item.integrations))
    if item.kind == "validation" and loc.file:
        notes.append(f"payload: {loc.file}")
    if item.kind == "audit":
        where = " / ".join(p for p in (loc.environment, loc.app_connector) if p)
        if where:
            notes.append(f"where: {where}")
        if item.evidence:
            notes.append(f"evidence: {item.evidence}")
        if item.remediation:
            notes.append(f"remediation: {item.remediation}")
        if item.reference:
            notes.append(f"AFAS Auditor: {item.reference}")
    if item.notes:
        notes.append("; ".join(item.notes))
    return tuple(notes)


def to_document(report: ReleaseReport) -> ReportMeta:
    """The release report as the run of :mod:`afasgov.report`'s renderers (for JUnit and SARIF, rendered like
    every other afasgov report); its findings are ``report.items``."""
    rules: dict[str, RuleInfo] = {rid: as_rule_info(doc) for rid, doc in report.rules.items()}
    for item in report.items:
        if item.id not in rules:
            rules[item.id] = RuleInfo(item.id, item.level, item.title or item.id, item.remediation)
    return ReportMeta(
        kind=report.kind,
        title=f"afasgov release check {report.base.name} -> {report.revision.name} ({report.run_id})",
        items_key="items",
        item_json=lambda f: item_json(f, report.waivers),
        details=details,
        version=report.tool_version,
        header={"base": report.base.name, "revision": report.revision.name, "run": report.run_id,
                "verdict": report.verdict, "scope": report.scope},
        inputs=[InputRef(name=name, location=name, sha256=digest)
                for name, digest in sorted(report.inputs.items())],
        rules=rules,
        notes=[f"not seen: {n}" for n in report.not_seen] + list(report.notes)
        + ([report.announced.summary(report.revision.name)] if report.announced is not None else [])
        + [f"{s} not run: {why}" for s, why in report.skipped.items()],
        fail_on=report.fail_on,
    )


def render_junit(report: ReleaseReport) -> str:
    """JUnit XML via the shared renderer (:mod:`afasgov.report.formats.junit`)."""
    from afasgov.report import render as render_document

    return render_document(report.items, to_document(report), "junit")


def render_sarif(report: ReleaseReport) -> str:
    """SARIF 2.1.0 via the shared renderer (:mod:`afasgov.report.formats.sarif`), plus the run's
    ``automationDetails`` id (kind/scope/run) so code scanning can tell runs apart."""
    from afasgov.report import render as render_document

    data = json.loads(render_document(report.items, to_document(report), "sarif"))
    for run in data.get("runs", []):
        run["automationDetails"] = {"id": f"afasgov/{report.kind}/{report.scope}/{report.run_id}"}
        run.setdefault("properties", {})["verdict"] = report.verdict
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[ReleaseReport], str]] = {
    "html": render_html,
    "json": render_json,
    "xml": render_junit,
    "sarif": render_sarif,
}

__all__ = ["MARKDOWN_LIMIT", "RENDERERS", "md", "render_html", "render_index", "render_json",
           "render_junit", "render_markdown", "render_sarif"]
