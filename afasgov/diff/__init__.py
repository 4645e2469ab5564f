"""The diff engine (DESIGN §5, §6): compare two snapshots (or two .gcn definitions) for breaking changes.

* :func:`diff_snapshots` — two :class:`~afasgov.model.EnvironmentSnapshot` → :class:`DiffResult`
  (sorted :class:`~afasgov.findings.Finding` objects of kind ``diff`` + notes); rules come from the
  registry (:mod:`afasgov.diff.registry`, one module per rule family in :mod:`afasgov.diff.rules`;
  reference in ``docs/rules.md``);
* :mod:`afasgov.commands.diff` — ``afasgov diff`` / ``afasgov changelog`` (operands, manifests, waivers);
* :mod:`afasgov.diff.changelog` — AFAS's release-notes table.

Payload validation (``afasgov validate``) lives in :mod:`afasgov.validate`.
"""

from __future__ import annotations

from afasgov.diff.change import change_json, fingerprint_of
from afasgov.diff.engine import DiffResult, diff_snapshots, get_path, update_path
from afasgov.diff.registry import RULES, Rule, all_rules

__all__ = [
    "RULES",
    "DiffResult",
    "Rule",
    "all_rules",
    "change_json",
    "diff_snapshots",
    "fingerprint_of",
    "get_path",
    "update_path",
]
