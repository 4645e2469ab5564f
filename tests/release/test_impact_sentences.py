"""Impact sentences belong to their changes (recorded by the impact analysis, never paired up again by
counting), so a waived change is marked in 'per integration'."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from afasgov.diff.engine import diff_snapshots
from afasgov.diff.impact import apply_impact
from afasgov.findings import Finding, Location, WaiverRef
from afasgov.integrations import load_manifests
from afasgov.release.check import impact_sentences
from tests.diff.builders import base_snapshot, copy, map_update_field


def change(fp: str, level: str, *integrations: str) -> Finding:
    return Finding(id="request-property-removed", level=level, text="t", kind="diff",
                   location=Location(connector_type="update", connector="K", path=f"K/Element/Fields/{fp}"),
                   integrations=integrations, fingerprint=f"sha256:{fp}")


ITEMS = [change("a", "ERR", "helloid"), change("b", "INFO", "helloid"), change("c", "WARN", "helloid", "intranet"),
         change("d", "ERR")]
PAIRS = {"sha256:a": {"helloid": "helloid sends a"},
         "sha256:c": {"helloid": "helloid sends c", "intranet": "intranet sends c"}}


def test_waived_changes_are_marked_and_order_is_kept() -> None:
    waiver = WaiverRef(reason="r", owner="o", expires="2099-01-01", fingerprint="sha256:a")
    items = [dataclasses.replace(ITEMS[0], waiver=waiver), *ITEMS[1:]]
    out = impact_sentences(items, PAIRS, ["helloid", "intranet", "finance"])
    assert out == {"helloid": ["helloid sends a (waived)", "helloid sends c"], "intranet": ["intranet sends c"],
                   "finance": []}


def test_the_impact_analysis_records_each_changes_sentence(tmp_path: Path) -> None:
    (tmp_path / "hr-sync.yaml").write_text(
        "name: hr-sync\nowner: hr@example.org\napp_connector: hr-sync\n"
        "uses:\n  update:\n    KnEmployee: [EmAd, Note]\n", encoding="utf-8")
    a = base_snapshot("production")
    b = copy(a, "accept")
    map_update_field(b, "KnEmployee", (), "EmAd", lambda f: None)  # ERR, used
    map_update_field(b, "KnEmployee", (), "NoZe", lambda f: None)  # ERR, unused: downgraded, no sentence
    result = apply_impact(diff_snapshots(a, b).changes, load_manifests(tmp_path), base_name="production",
                          revision_name="accept")
    by_path = {c.location.path: c for c in result.changes}
    removed = by_path["KnEmployee/Element/Fields/EmAd"]
    assert result.sentences == {removed.fingerprint: {"hr-sync": result.impacts["hr-sync"][0]}}
    assert result.impacts["hr-sync"] == ["hr-sync sends KnEmployee/Element/Fields/EmAd, which accept removed"]
    assert by_path["KnEmployee/Element/Fields/NoZe"].fingerprint not in result.sentences
