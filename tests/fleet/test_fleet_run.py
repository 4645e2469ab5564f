"""``afasgov release-check --fleet`` end to end against the simulator over a real loopback socket: every
tenant checked, its report linked; a tenant with a wrong token reported while the others go on; shards
merged equal the unsharded run; 20 % injected faults give the fault-free fleet.json; --tags, --offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from afasgov.fleet.model import comparable
from afasgov.sim.app import create_app
from afasgov.sim.serve import running_sim
from afasgov.sim.writeconfig import write_fleet_config

pytestmark = pytest.mark.e2e

DATASET = "synthetic:6"
TENANTS = 5


def afasgov(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CI="1", NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "afasgov", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600, env=env)


def fleet_json(directory: Path) -> dict[str, Any]:
    return dict(json.loads((directory / "fleet.json").read_text()))


@pytest.fixture(scope="module")
def dataset() -> Any:
    from afasgov.sim.datasets import load_dataset

    return load_dataset(DATASET, tenants=TENANTS)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, dataset: Any) -> dict[str, Any]:
    """A fault-free, unsharded run (its directory and fleet.json)."""
    work = tmp_path_factory.mktemp("ref")
    with running_sim(app=create_app(dataset)) as sim:
        write_fleet_config(work / "afasgov.yaml", dataset, sim.origin)
        result = afasgov(work, "release-check", "--fleet", "--output", "out")
    assert result.returncode == 1, result.stderr  # the synthetic accept breaks things: findings
    assert "Traceback" not in result.stderr
    return {"dir": work / "out", "doc": fleet_json(work / "out"), "stdout": result.stdout, "work": work}


def test_every_tenant_is_checked_and_linked(reference: dict[str, Any]) -> None:
    doc, out = reference["doc"], reference["dir"]
    assert doc["summary"] == {"tenants": TENANTS, "ok": 0, "findings": TENANTS, "failed": 0}
    assert [t["id"] for t in doc["tenants"]] == [str(20001 + i) for i in range(TENANTS)]
    for t in doc["tenants"]:
        assert set(t["profit_versions"]) == {"production", "accept"}
        for rel in t["reports"].values():
            assert (out / rel).is_file()
        report = json.loads((out / t["reports"]["json"]).read_text())
        assert report["base"]["name"] == f"{t['id']}-production" and report["base"]["source"] == "live"
    assert doc["changes"] and doc["changes"][0]["tenant_count"] == TENANTS  # the same release everywhere
    assert (out / "fleet.html").is_file() and (out / "fleet.xml").is_file()
    assert doc["verdict"] == "FAIL" and doc["exit_code"] == 1
    assert reference["stdout"].strip().splitlines()[-1].startswith("FAIL: 5 tenants")
    # the trees are where the fleet keeps them
    assert (reference["work"] / "definitions" / "fleet" / "20001-accept" / "_snapshot.yaml").is_file()


def test_a_tenant_with_a_wrong_token_is_reported_and_the_others_go_on(tmp_path: Path, dataset: Any,
                                                                      reference: dict[str, Any]) -> None:
    with running_sim(app=create_app(dataset)) as sim:
        write_fleet_config(tmp_path / "afasgov.yaml", dataset, sim.origin)
        secrets = tmp_path / "afasgov.secrets"
        # another tenant's token: well-formed, refused by this environment (401)
        (secrets / "20003-accept-admin.token").write_text((secrets / "20001-accept-admin.token").read_text())
        result = afasgov(tmp_path, "release-check", "--fleet", "--output", "out")
    assert result.returncode == 1, result.stderr
    assert "tenant 20003" in result.stderr and "Traceback" not in result.stderr
    doc = fleet_json(tmp_path / "out")
    failed = [t for t in doc["tenants"] if t["status"] == "failed"]
    assert [t["id"] for t in failed] == ["20003"]
    error = failed[0]["error"]
    assert error["environment"] == "20003-accept" and error["exit_code"] == 3 and error["stage"] == "snapshot"
    assert "401" in error["message"] or "token" in error["message"]
    others = [t for t in doc["tenants"] if t["id"] != "20003"]
    ref = {t["id"]: t for t in comparable(reference["doc"])["tenants"]}
    assert [{k: v for k, v in t.items() if k != "seconds"} for t in others] == [ref[t["id"]] for t in others]


def test_every_tenant_failing_is_exit_3(tmp_path: Path, dataset: Any) -> None:
    with running_sim(app=create_app(dataset)) as sim:
        write_fleet_config(tmp_path / "afasgov.yaml", dataset, sim.origin)
    # the simulator is gone: nothing answers
    result = afasgov(tmp_path, "release-check", "--fleet", "--output", "out")
    assert result.returncode == 3, result.stderr
    assert fleet_json(tmp_path / "out")["summary"]["failed"] == TENANTS


def test_shards_merged_equal_the_unsharded_run(tmp_path: Path, dataset: Any, reference: dict[str, Any]) -> None:
    with running_sim(app=create_app(dataset)) as sim:
        write_fleet_config(tmp_path / "afasgov.yaml", dataset, sim.origin)
        for k in (1, 2, 3):
            result = afasgov(tmp_path, "release-check", "--fleet", "--shard", f"{k}/3", "--output", f"shard-{k}")
            assert result.returncode in (0, 1), result.stderr
    sizes = [len(fleet_json(tmp_path / f"shard-{k}")["tenants"]) for k in (1, 2, 3)]
    assert sum(sizes) == TENANTS
    result = afasgov(tmp_path, "fleet", "merge", "shard-1", "shard-2", "shard-3", "--output", "merged")
    assert result.returncode == 1, result.stderr
    merged = fleet_json(tmp_path / "merged")
    assert comparable(merged) == comparable(reference["doc"])
    for t in merged["tenants"]:
        assert (tmp_path / "merged" / t["reports"]["html"]).is_file()


def test_twenty_percent_faults_give_the_fault_free_fleet_json(tmp_path: Path, dataset: Any,
                                                             reference: dict[str, Any]) -> None:
    with running_sim(app=create_app(dataset, fail_rate=0.2, seed=7, retry_after=0)) as sim:
        write_fleet_config(tmp_path / "afasgov.yaml", dataset, sim.origin)
        result = afasgov(tmp_path, "release-check", "--fleet", "--output", "out")
        assert sim.state.requests > 0
    assert result.returncode == 1, result.stderr
    assert comparable(fleet_json(tmp_path / "out")) == comparable(reference["doc"])


def test_tags_and_offline(tmp_path: Path, dataset: Any, reference: dict[str, Any]) -> None:
    work = reference["work"]
    tenants = work / "fleet" / "tenants.yaml"
    text = tenants.read_text()
    tagged = text.replace("- synthetic\n", "- synthetic\n  - eu\n", 2)  # the first two tenants
    tenants.write_text(tagged)
    try:
        result = afasgov(work, "release-check", "--fleet", "--offline", "--tags", "eu", "--output",
                         str(tmp_path / "offline"))
    finally:
        tenants.write_text(text)
    assert result.returncode == 1, result.stderr
    doc = fleet_json(tmp_path / "offline")
    assert [t["id"] for t in doc["tenants"]] == ["20001", "20002"]
    assert doc["run"]["offline"] is True and doc["run"]["tags"] == ["eu"]
    ref = {t["id"]: t for t in comparable(reference["doc"])["tenants"]}
    # the committed trees are the ones the live run wrote: the same findings
    assert [{k: v for k, v in t.items() if k not in ("seconds", "tags")} for t in doc["tenants"]] == [
        {k: v for k, v in ref[i].items() if k != "tags"} for i in ("20001", "20002")]
    report = json.loads((tmp_path / "offline" / "20001" / "release-check.json").read_text())
    assert report["base"]["source"] == "committed"


def test_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "afasgov.yaml").write_text("environments: {}\n")
    result = afasgov(tmp_path, "release-check", "--fleet")
    assert result.returncode == 2 and "no fleet: section" in result.stderr
    result = afasgov(tmp_path, "release-check", "--shard", "1/2")
    assert result.returncode == 2 and "go with --fleet" in result.stderr
    for option in (["--openapi"], ["--release-notes", "notes.md"]):
        result = afasgov(tmp_path, "release-check", "--fleet", *option)
        assert result.returncode == 2 and "not with --fleet" in result.stderr, option
    result = afasgov(tmp_path, "release-check", "--fleet", "--shard", "3/2")
    assert result.returncode == 2 and "--shard" in result.stderr
