"""Impact sentences are paired with their changes, so a waived change is marked in 'per integration'."""

from __future__ import annotations

import dataclasses

from afasgov.release.adapters import sentences_by_change
from afasgov.release.check import impact_sentences
from afasgov.release.model import Item


def change(fp: str, level: str, *integrations: str) -> Item:
    return Item(section="diff", id="request-property-removed", level=level, text="t", path=f"K/Element/Fields/{fp}",
                integrations=integrations, fingerprint=f"sha256:{fp}")


ITEMS = [change("a", "ERR", "helloid"), change("b", "INFO", "helloid"), change("c", "WARN", "helloid", "intranet"),
         change("d", "ERR")]
IMPACTS = {"helloid": ["helloid sends a", "helloid sends c"], "intranet": ["intranet sends c"]}


def test_sentences_pair_with_err_and_warn_changes_in_order() -> None:
    pairs = sentences_by_change(ITEMS, IMPACTS)
    assert pairs == {"sha256:a": {"helloid": "helloid sends a"},
                     "sha256:c": {"helloid": "helloid sends c", "intranet": "intranet sends c"}}


def test_counts_that_do_not_line_up_are_not_trusted() -> None:
    assert sentences_by_change(ITEMS, {"helloid": ["only one"]}) == {}
    assert sentences_by_change(ITEMS, {"helloid": ["a", "b", "c"]}) == {}
    unprinted = [dataclasses.replace(ITEMS[0], fingerprint=""), *ITEMS[1:]]
    assert sentences_by_change(unprinted, IMPACTS) == {}


def test_waived_changes_are_marked_and_order_is_kept() -> None:
    pairs = sentences_by_change(ITEMS, IMPACTS)
    items = [dataclasses.replace(ITEMS[0], waived=True), *ITEMS[1:]]
    out = impact_sentences(items, pairs, ["helloid", "intranet", "finance"])
    assert out == {"helloid": ["helloid sends a (waived)", "helloid sends c"], "intranet": ["intranet sends c"],
                   "finance": []}
