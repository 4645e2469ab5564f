"""Compare two GetConnector definitions (DESIGN §6): the ``gcn`` rule family of the one diff registry.

The rules live in :mod:`afasgov.diff.rules.gcn` (registered with every other diff rule, documented in
``docs/rules.md``); this module is the gcn package's entry point to them. :func:`diff_definitions`
returns :class:`afasgov.diff.change.Finding` objects (``connector_type`` ``gcn``), exactly what
``afasgov diff a.gcn b.gcn`` and ``afasgov gcn diff`` render; ``change.extra["field_id"]`` is the field
id of a field change.
"""

from __future__ import annotations

from afasgov.diff.rules.gcn import (
    GCN_RULES,
    LEVELS,
    SHARED,
    GcnRule,
    diff_definitions,
    gcn_rule_ids,
    rules_markdown,
    summary,
)
from afasgov.findings import Finding

#: every rule a .gcn comparison runs, in reporting order
RULES = GCN_RULES
RULES_BY_ID = {r.id: r for r in GCN_RULES}
#: the change type (kept under its former name)
GcnChange = Finding

__all__ = [
    "LEVELS",
    "RULES",
    "RULES_BY_ID",
    "SHARED",
    "GcnChange",
    "GcnRule",
    "diff_definitions",
    "gcn_rule_ids",
    "rules_markdown",
    "summary",
]
