"""The demo organisation (simulator dataset ``demo``, committed trees under ``definitions/``):
the high-risk checks fire with their AFAS Auditor cross-references, the tidy App Connector is clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from afasgov.cli import main

REPO = Path(__file__).resolve().parents[2]
DEFINITIONS = REPO / "definitions"


@pytest.fixture(scope="module")
def demo_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, object]]]:
    if not (DEFINITIONS / "production" / "_snapshot.yaml").is_file():
        pytest.skip("the demo trees under definitions/ are not present")
    from afasgov.sim.datasets import load_dataset
    from afasgov.sim.writeconfig import write_config

    tmp = tmp_path_factory.mktemp("demo")
    config = write_config(tmp / "afasgov.yaml", load_dataset("demo"), "http://127.0.0.1:9")
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["definitions_dir"] = str(DEFINITIONS)
    data["integrations_dir"] = str(tmp / "no-integrations")
    data["waivers"] = str(tmp / "waivers.yaml")
    config.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out: dict[str, list[dict[str, object]]] = {}
    for env in ("production",):
        try:
            main(
                [
                    "--config",
                    str(config),
                    "audit",
                    env,
                    "--as-of",
                    "2026-11-21",
                    "--no-secret-scan",
                    "--format",
                    "json",
                    "--output",
                    str(tmp / f"{env}.json"),
                ]
            )
        except SystemExit as exc:
            assert exc.code == 1
        out[env] = json.loads((tmp / f"{env}.json").read_text())["findings"]
    return out


def _by(findings: list[dict[str, object]], check: str) -> list[dict[str, object]]:
    return [f for f in findings if f["id"] == check]


def test_knuser_write_fires_for_the_iam_app_connector(
    demo_findings: dict[str, list[dict[str, object]]],
) -> None:
    apps = {f["app_connector"] for f in _by(demo_findings["production"], "AC005")}
    assert "iam" in apps
    assert all(f["severity"] == "critical" for f in _by(demo_findings["production"], "AC005"))


def test_legacy_portal_never_expiring_over_broad_classic_token(
    demo_findings: dict[str, list[dict[str, object]]],
) -> None:
    prod = demo_findings["production"]
    assert any(f["app_connector"] == "legacy-portal" for f in _by(prod, "AC022"))  # tokenExpiry "0"
    assert any(f["app_connector"] == "legacy-portal" for f in _by(prod, "AC001"))  # over-broad
    assert any(f["app_connector"] == "legacy-portal" for f in _by(prod, "AC029"))  # classic phase-out


def test_privacy_sensitive_fields_without_justification(
    demo_findings: dict[str, list[dict[str, object]]],
) -> None:
    prod = demo_findings["production"]
    privacy = _by(prod, "AC010") + _by(prod, "AC011")
    assert privacy
    assert {f["auditor_ref"] for f in _by(prod, "AC010")} == {"AUT-19"}
    assert all("justification" in str(f["text"]) or f["id"] == "AC011" for f in privacy)


def test_the_tidy_app_connector_is_clean(demo_findings: dict[str, list[dict[str, object]]]) -> None:
    tidy = [f for f in demo_findings["production"] if "finance-bi" in str(f["app_connector"] or "")]
    # fully clean: not even AC033, the demo names it per environment (-PRD / -TST / -ACC).
    assert tidy == [], tidy


def test_partly_covered_checks_carry_their_auditor_correspondence(
    demo_findings: dict[str, list[dict[str, object]]],
) -> None:
    """AC005 and AC022 are ◐ in the checklist: the Auditor lists UpdateConnectors without rating them
    and shows token validity without flagging a missing expiry. The findings say so."""
    prod = demo_findings["production"]
    for check, words in (("AC005", "UpdateConnectors"), ("AC022", "expiry")):
        refs = {str(f["auditor_ref"] or "") for f in _by(prod, check)}
        assert len(refs) == 1, (check, refs)
        [ref] = refs
        assert ref.startswith("Auditor ") and words in ref and ref.endswith("(◐)"), ref
