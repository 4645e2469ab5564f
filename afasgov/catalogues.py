"""Every rule and check of afasgov in one table, for what documents them in reports: the diff rules
(snapshots and ``.gcn`` definitions, docs/rules.md), the payload checks (docs/validate.md) and the audit
checks (docs/checks.md). :func:`rule_info` gives a rule's title, help text and documentation link (SARIF's
``help``, ``fullDescription`` and ``helpUri``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from afasgov import PROJECT_URL

#: the documentation of each catalogue, relative to the repository root
DOCS = {"diff rule": "docs/rules.md", "payload check": "docs/validate.md", "audit check": "docs/checks.md"}


def docs_url(doc: str, anchor: str) -> str:
    """The link to ``doc`` (e.g. ``docs/rules.md``) at a heading's anchor, as GitHub renders Markdown."""
    slug = re.sub(r"[^\w\- ]", "", anchor.strip().lower()).replace(" ", "-")
    return f"{PROJECT_URL}/blob/main/{doc}#{slug}"


@dataclass(frozen=True)
class RuleDoc:
    """A rule's documentation: what SARIF's rule table and the legends show."""

    id: str
    level: str
    title: str
    help: str
    help_uri: str


@cache
def entries() -> dict[str, tuple[str, Any]]:
    """Rule or check id → (catalogue kind, its entry)."""
    from afasgov.audit.registry import entries as audit_entries
    from afasgov.diff.registry import entries as diff_entries
    from afasgov.validate.checks import entries as payload_entries

    out: dict[str, tuple[str, Any]] = {}
    out.update({rid: ("diff rule", rule) for rid, rule in diff_entries().items()})
    out.update({cid: ("payload check", check) for cid, check in payload_entries().items()})
    out.update({cid: ("audit check", check) for cid, check in audit_entries().items()})
    return out


def known_rule_ids() -> dict[str, str]:
    """Every rule and check id → which catalogue it is in (``diff rule``, ``payload check``, ``audit check``)."""
    return {rule_id: kind for rule_id, (kind, _entry) in entries().items()}


def rule_info(rule_id: str) -> RuleDoc | None:
    """The documentation of ``rule_id``: title, level, help (the documentation's text, first paragraph
    first) and the link to its section of the docs; None for an id no catalogue has."""
    found = entries().get(rule_id)
    if found is None:
        return None
    kind, entry = found
    level = entry.level
    text = " ".join(entry.doc().split()) or entry.title
    anchor = rule_id if kind != "payload check" else "Checks"
    return RuleDoc(rule_id, str(level), entry.title, text, docs_url(DOCS[kind], anchor))


__all__ = ["DOCS", "RuleDoc", "docs_url", "entries", "known_rule_ids", "rule_info"]
