"""AFAS's release-notes table: ``| Description | Connector | Operation |``, breaking changes first.

AFAS publishes each release's API changes per specification as a "Breaking Changes" table and a
"Changelog" table with oasdiff's English wording; ``afasgov changelog`` writes the same tables for two
snapshots (ERR changes — by the rule's own level — are the breaking ones)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from afasgov.diff.change import Change
from afasgov.diff.registry import all_rules
from afasgov.report.escape import md_line


def cell(text: object) -> str:
    """A Markdown table cell (:func:`afasgov.report.escape.md_line`, the one escaper): AFAS's wording
    stays readable, nothing in server text becomes a link, mention, emphasis or HTML."""
    return md_line(text)


def rows(changes: Sequence[Change]) -> list[tuple[str, str, str, str]]:
    """(level, description, connector, operation) in AFAS's order: by connector, then description."""
    rules = all_rules()
    out = []
    for c in changes:
        rule = rules.get(c.id)
        op = rule.operations(c) if rule is not None else ("GET" if c.connector_type in ("get", "gcn") else "")
        out.append((c.rule_level or c.level, c.text, c.connector, op))
    out.sort(key=lambda r: (r[2], r[1]))
    return out


def _table(selected: list[tuple[str, str, str, str]]) -> list[str]:
    lines = ["| Description | Connector | Operation |", "| --- | --- | --- |"]
    lines += [f"| {cell(d)} | {cell(c)} | {cell(o)} |" for _, d, c, o in selected]
    return lines


def render_markdown(changes: Sequence[Change], base: str, revision: str) -> str:
    all_rows = rows(changes)
    breaking = [r for r in all_rows if r[0] == "ERR"]
    out = [f"# API changes from {cell(base)} to {cell(revision)}", ""]
    if breaking:
        out += ["## Breaking Changes", "", *_table(breaking), ""]
    out += ["## Changelog", ""]
    out += [*_table(all_rows), ""] if all_rows else ["No changes for this release.", ""]
    return "\n".join(out)


def render_json(changes: Sequence[Change], base: str, revision: str) -> str:
    data = {
        "tool": "afasgov",
        "base": base,
        "revision": revision,
        "changelog": [
            {"breaking": lvl == "ERR", "description": d, "connector": c, "operation": o}
            for lvl, d, c, o in rows(changes)
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
