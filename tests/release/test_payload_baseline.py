"""release-check grades the recorded payloads by what changed (issue 11 §2), as ``validate --baseline``.

Each recorded payload is validated against accept *and* production in one call of
:func:`afasgov.validate.baseline.validate_payloads` on the run's workspace: a problem the payload also has
against production is INFO ("also against production": production accepts it today); what is new on
accept keeps its level and names the change that caused it. Tested on the demo organisation's committed
snapshots and on AFAS's own request examples (``../shared/corpus/afas-openapi``) against snapshots
built from the same specs.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from afasgov.model import EnvironmentSnapshot, UpdateConnector
from afasgov.release.check import ReleaseCheckOptions, release_check
from afasgov.release.model import ReleaseReport
from afasgov.validate import validate_bytes
from afasgov.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def run(config: Path) -> ReleaseReport:
    return release_check(Workspace.open(config), ReleaseCheckOptions(offline=True))


def validation(report: ReleaseReport) -> list[dict[str, Any]]:
    data = report.to_json()["validation"]
    assert isinstance(data, list)
    return data


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "afasgov.yaml", tmp_path / "afasgov.yaml")
    shutil.copytree(ROOT / "definitions", tmp_path / "definitions")
    return tmp_path


def test_demo_payloads_new_problems_keep_their_level_with_the_cause(demo: Path) -> None:
    # a field neither production nor accept has: production refuses it too, so this release changes nothing
    legacy = demo / "definitions" / "integrations" / "intranet" / "payloads" / "legacy.json"
    legacy.write_text(json.dumps({"KnSubject": {"Element": {"Fields": {"StId": 12, "Ds": "kort", "XxOld": "1"}}}}),
                      encoding="utf-8")
    report = run(demo / "afasgov.yaml")
    problems = {(v["payload"], v["id"]): v for v in validation(report)}

    old = problems[("definitions/integrations/intranet/payloads/legacy.json", "payload-unknown-field")]
    assert old["level"] == "INFO" and old["text"].endswith("(also against production)")
    assert old["integrations"] == ["intranet"] and old["environment"] == "accept"

    shortened = problems[("definitions/integrations/intranet/payloads/announcement.json", "payload-value-too-long")]
    assert shortened["level"] == "ERR"
    assert shortened["text"].startswith("accept now refuses this (the field was shortened from 255 to 200)")
    removed = problems[("definitions/integrations/helloid/payloads/new-user.json", "payload-unknown-field")]
    assert removed["level"] == "ERR" and "(the field was removed)" in removed["text"]

    # a payload that only has what production accepts today is not refused by this release
    intranet = next(i for i in report.integrations if i.name == "intranet")
    assert (intranet.payloads_checked, intranet.payloads_failed) == (3, 1)
    assert any("graded against production" in n for n in report.notes)
    assert any("validated against accept and production" in c for c in report.checked)


def test_demo_payload_refused_only_by_production_is_not_reported(demo: Path) -> None:
    # accept adds KnUser's MfaR: a payload that sends it is refused by production today and accepted by
    # accept, so this release breaks nothing for it (the report shows what accept refuses)
    new = demo / "definitions" / "integrations" / "helloid" / "payloads" / "mfa.json"
    new_user = demo / "definitions" / "integrations" / "helloid" / "payloads" / "new-user.json"
    data = json.loads(new_user.read_text(encoding="utf-8"))
    del data["KnUser"]["Element"]["Fields"]["XOEA"]  # (accept removes it: that is the other test)
    data["KnUser"]["Element"]["Fields"]["MfaR"] = True
    new.write_text(json.dumps(data), encoding="utf-8")
    production = Workspace.open(demo / "afasgov.yaml").snapshot("production")
    assert {p.id for p in validate_bytes(new.read_bytes(), production)} == {"payload-unknown-field"}
    report = run(demo / "afasgov.yaml")
    assert not [v for v in validation(report) if v["payload"].endswith("mfa.json")]


# ------------------------------------------------------------------------------------- corpus
CONFIG = {
    "environments": {
        env: {"tenant": "12345", "type": env,
              "app_connectors": {"portal": {"auth": {"type": "classic", "token_env": f"T_{env.upper()}"}}}}
        for env in ("production", "accept")
    },
}
#: AFAS's examples of FiContract (module "Budgetten en activa"): one that sends a field 6.6.9's metainfo
#: does not have (``Prol``: tests/validate/test_corpus_examples.py lists it), and one without problems.
EXAMPLES = ("'Minimaal'", "'Minimaal Zonder Contractregel'")


@pytest.mark.corpus
def test_corpus_examples_pre_existing_problems_are_info_and_a_removed_field_is_err(
        openapi_dir: Path, tmp_path: Path) -> None:
    from afasgov.snapshot import write_tree
    from tests.afas_openapi import request_examples, snapshot_from_specs

    examples = [e for e in request_examples(openapi_dir)
                if e.connector == "FiContract" and e.method == "POST" and e.key.endswith(EXAMPLES)]
    assert len(examples) == 2, [e.key for e in examples]
    specs = snapshot_from_specs(openapi_dir)
    conn = specs.update_connectors["FiContract"]
    production = EnvironmentSnapshot(name="production", type="production", profit_version=specs.profit_version,
                                     update_connectors={"FiContract": conn})
    # accept: AFAS removed PoNo (both examples send it) and shortened PoKi below what they send
    fields = tuple(dataclasses.replace(f, length=10) if f.field_id == "PoKi" else f
                   for f in conn.fields if f.field_id != "PoNo")
    assert len(fields) == len(conn.fields) - 1
    accept = EnvironmentSnapshot(name="accept", type="accept", profit_version="next",
                                 update_connectors={"FiContract": UpdateConnector(conn.id, conn.description, fields,
                                                                                  conn.objects)})
    root = tmp_path / "repo"
    (root / "definitions" / "integrations" / "contracts" / "payloads").mkdir(parents=True)
    (root / "afasgov.yaml").write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    for snap in (production, accept):
        write_tree(snap, root / "definitions")
    (root / "definitions" / "integrations" / "contracts.yaml").write_text(yaml.safe_dump(
        {"name": "contracts", "owner": "finance@example.org", "app_connector": "portal",
         "uses": {"update": {"FiContract": "*"}}}), encoding="utf-8")
    names = {}
    for n, ex in enumerate(examples):
        name = f"example-{n}.json"
        (root / "definitions" / "integrations" / "contracts" / "payloads" / name).write_bytes(ex.payload())
        names[name] = ex

    # what production itself refuses of each example (the baseline the release check grades by)
    before = {name: {(p.id, p.path) for p in validate_bytes(ex.payload(), production)} for name, ex in names.items()}
    assert before["example-0.json"], "the 'Minimaal' example sends a field 6.6.9 does not have (Prol)"
    assert not before["example-1.json"]

    report = run(root / "afasgov.yaml")
    items = validation(report)
    for name in names:
        got = [v for v in items if v["payload"] == f"definitions/integrations/contracts/payloads/{name}"]
        old = [v for v in got if (v["id"], v["path"]) in before[name]]
        new = [v for v in got if (v["id"], v["path"]) not in before[name]]
        # everything production refuses already: INFO, said so
        assert {(v["id"], v["path"]) for v in old} == before[name]
        assert all(v["level"] == "INFO" and v["text"].endswith("(also against production)") for v in old), old
        # what this release changes: the removed field and the shortened one, ERR with their cause
        causes = {v["path"]: v["text"] for v in new if v["level"] == "ERR"}
        assert set(causes) == {"FiContract/Element/Fields/PoNo", "FiContract/Element/Fields/PoKi"}, new
        assert "(the field was removed)" in causes["FiContract/Element/Fields/PoNo"]
        assert "(the field was shortened from " in causes["FiContract/Element/Fields/PoKi"]
        assert all(v["level"] == "ERR" for v in new), new
    impact = report.integrations[0]
    assert (impact.payloads_checked, impact.payloads_failed) == (2, 2)
