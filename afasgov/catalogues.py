"""Every rule and check of afasgov in one table, for what documents them in reports: the diff rules
(snapshots and ``.gcn`` definitions, docs/rules.md), the payload checks (docs/validate.md) and the audit
checks (docs/checks.md). :func:`rule_info` gives a rule's title, help text and documentation link (SARIF's
``help``, ``fullDescription`` and ``helpUri``)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from afasgov import PROJECT_URL
from afasgov.report.document import RuleInfo

#: the documentation of each catalogue, relative to the repository root
DOCS = {"diff rule": "docs/rules.md", "payload check": "docs/validate.md", "audit check": "docs/checks.md"}


def docs_url(doc: str, anchor: str) -> str:
    """The link to ``doc`` (e.g. ``docs/rules.md``) at a heading's anchor, as GitHub renders Markdown."""
    slug = re.sub(r"[^\w\- ]", "", anchor.strip().lower()).replace(" ", "-")
    return f"{PROJECT_URL}/blob/main/{doc}#{slug}"


@cache
def entries() -> dict[str, tuple[str, Any]]:
    """Rule or check id → (catalogue kind, its entry)."""
    from afasgov.audit.registry import all_checks
    from afasgov.diff.registry import all_rules_by_id
    from afasgov.validate.checks import CHECKS

    out: dict[str, tuple[str, Any]] = {}
    out.update({rid: ("diff rule", rule) for rid, rule in all_rules_by_id().items()})
    out.update({cid: ("payload check", check) for cid, check in CHECKS.items()})
    for check in all_checks():
        out[check.id] = ("audit check", check)
    return out


def rule_info(rule_id: str) -> RuleInfo | None:
    """The documentation of ``rule_id``: title, level, help (the documentation's text, first paragraph
    first) and the link to its section of the docs; None for an id no catalogue has."""
    found = entries().get(rule_id)
    if found is None:
        return None
    kind, entry = found
    severity = getattr(entry, "severity", None)
    level = severity.level if severity is not None and hasattr(severity, "level") else getattr(entry, "level", "")
    text = " ".join(entry.doc().split()) or entry.title
    anchor = rule_id if kind != "payload check" else "Checks"
    return RuleInfo(rule_id, str(level), entry.title, text, docs_url(DOCS[kind], anchor))


def documented(rules: Mapping[str, RuleInfo], ids: Iterable[str] = ()) -> dict[str, RuleInfo]:
    """``rules`` (and a :func:`rule_info` for each of ``ids`` not among them), each with its help text and
    documentation link filled in from the catalogue where it had none."""
    out = dict(rules)
    for rule_id in ids:
        if rule_id not in out:
            info = rule_info(rule_id)
            if info is not None:
                out[rule_id] = info
    for rule_id, info in out.items():
        known = rule_info(rule_id)
        if known is not None:
            out[rule_id] = dataclasses.replace(info, help=info.help or known.help,
                                               help_uri=info.help_uri or known.help_uri)
    return out


__all__ = ["DOCS", "docs_url", "documented", "entries", "rule_info"]
