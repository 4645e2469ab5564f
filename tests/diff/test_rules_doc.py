"""docs/rules.md is generated from the registry and committed: it must be current."""

from __future__ import annotations

from pathlib import Path

from afasgov.diff.registry import all_rules
from afasgov.diff.rulesdoc import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_committed_rules_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/rules.md is stale: run python -m afasgov.diff.rulesdoc --write docs/rules.md"
    )


def test_reference_documents_every_rule() -> None:
    text = render()
    for rid, rule in all_rules().items():
        assert f"### {rid}" in text and rule.doc().splitlines()[0] in text
