"""End to end on the demo organisation over a real loopback socket (the embedded simulator):
live ``verify``, ``promote`` from fresh snapshots, the administrator's import, and ``verify`` again.

Expectations are derived from the simulator's demo dataset (test vs production), never hard-coded."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from afasgov.config import load_config
from afasgov.demo.getconnectors import DEFAULT_OUT, check, generate
from afasgov.profit.retry import RetryPolicy
from afasgov.promote import live as live_mod
from afasgov.promote.bundle import check_bundle
from afasgov.promote.verify import is_supplied
from afasgov.sim.datasets import load_dataset
from afasgov.sim.testing import RunningSim, running_sim

from .helpers import run


def fields_of(gc: object) -> list[tuple[str, str]]:
    return [(f["id"], f["fieldId"]) for f in gc.fields]  # type: ignore[attr-defined]


def expected_differences() -> tuple[set[str], set[str]]:
    """(own connectors only in test, own connectors whose output fields differ) from the dataset."""
    ds = load_dataset("demo")
    test, prod = ds.environment("test").get_connectors, ds.environment("production").get_connectors
    own = [c for c in test if not is_supplied(c)]
    missing = {c for c in own if c not in prod}
    changed = {c for c in own if c in prod and fields_of(test[c]) != fields_of(prod[c])}
    return missing, changed


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[RunningSim, Path]]:
    with running_sim("demo") as sim:
        sim.write_config(tmp_path / "afasgov.yaml")
        generate(tmp_path / "definitions" / "getconnectors")
        monkeypatch.chdir(tmp_path)
        yield sim, tmp_path


def test_committed_demo_definitions_are_current() -> None:
    """definitions/getconnectors is what `python -m afasgov.demo.getconnectors` writes from the dataset."""
    assert check(DEFAULT_OUT) == []


def test_the_demo_has_work_to_promote() -> None:
    missing, changed = expected_differences()
    assert missing and changed


def test_verify_live(demo: tuple[RunningSim, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["verify", "test"], capsys)
    assert (code, err) == (0, "") and "verdict: CLEAN" in out
    code, out, err = run(["verify", "production", "--format", "json"], capsys)
    assert code == 1 and err == ""
    doc = json.loads(out)
    assert doc["mode"] == "live" and doc["source"].startswith("http://127.0.0.1:")
    status = {c["connector"]: c["status"] for c in doc["connectors"]}
    missing, changed = expected_differences()
    assert {c for c, s in status.items() if s == "missing"} == missing
    assert {c for c, s in status.items() if s in ("behind", "drift")} == changed
    assert {s for c, s in status.items() if c not in missing | changed} == {"ok"}
    assert doc["undefined"] == []


def test_promote_import_then_verify(demo: tuple[RunningSim, Path], capsys: pytest.CaptureFixture[str]) -> None:
    sim, root = demo
    code, _, err = run(["snapshot", "test", "production"], capsys)
    assert code == 0, err
    code, out, err = run(["promote", "--from", "test", "--to", "production"], capsys)
    assert (code, err) == (0, ""), out
    [bundle] = (root / "dist").iterdir()
    assert check_bundle(bundle) == []
    doc = json.loads((bundle / "manifest.json").read_text())
    missing, changed = expected_differences()
    imports = {i["connector"]: i for i in doc["imports"]}
    assert set(imports) == missing | changed and doc["complete"] is True
    assert all(imports[c]["status"] == "new" for c in missing)
    assert [i["order"] for i in doc["imports"]] == list(range(1, len(imports) + 1))
    assert "CHECKLIST.md" in doc["files"]

    # the administrator imports the bundle in production (here: production gets test's definitions)
    # and authorises the new connectors as the checklist says
    state = sim.state
    test_env, prod_env = state.environment("test"), state.environment("production")
    for cid, item in imports.items():
        prod_env.get_connectors[cid] = copy.deepcopy(test_env.get_connectors[cid])
        for app in item["authorise"]:
            a = prod_env.app_connectors[app]
            a.get_ids = (*a.get_ids, cid)
    state.invalidate()
    code, out, err = run(["verify", "production"], capsys)
    assert (code, err) == (0, ""), out
    assert "verdict: CLEAN" in out


def test_drift_by_hand_and_unauthorised(demo: tuple[RunningSim, Path], capsys: pytest.CaptureFixture[str]) -> None:
    sim, _ = demo
    _, changed = expected_differences()
    prod = sim.state.environment("production")
    in_sync = sorted(c for c in prod.get_connectors if not is_supplied(c) and c not in changed)
    renamed, dropped = in_sync[0], in_sync[1]
    first = prod.get_connectors[renamed].fields[0]
    old_name, first["id"] = first["id"], first["id"] + "_nieuw"
    for app in prod.app_connectors.values():
        app.get_ids = tuple(c for c in app.get_ids if c != dropped)
    sim.state.invalidate()
    code, out, _ = run(["verify", "production", "--format", "json"], capsys)
    doc = json.loads(out)
    by = {c["connector"]: c for c in doc["connectors"]}
    assert code == 1 and doc["verdict"] == "DRIFT"
    assert by[renamed]["status"] == "drift"
    assert by[renamed]["changes"] == [
        {
            "kind": "renamed",
            "field_id": first["fieldId"],
            "output_name": old_name + "_nieuw",
            "definition": old_name,
            "environment": old_name + "_nieuw",
            "text": f"field {first['fieldId']} is output as {old_name}_nieuw in production, "
            f"{old_name} in the definition",
        }
    ]
    assert by[dropped]["status"] == "missing"


def test_remote_failure_exit_3(demo: tuple[RunningSim, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, root = demo
    token = next((root / "afasgov.secrets").glob("production-legacy-portal.token"))
    wrong = "0123456789ABCDEF" * 4  # well-formed, but not the environment's token: 401
    token.write_text(f"<token><version>1</version><data>{wrong}</data></token>", encoding="utf-8")
    code, out, err = run(["verify", "production"], capsys)
    assert code == 3 and out == "" and "legacy-portal" in err
    assert len(err.strip().splitlines()) == 1 and wrong not in err and "401" in err


def test_transient_server_errors_are_retried(tmp_path: Path) -> None:
    """Seeded 500s on a third of the requests: verify still reads everything (through retries)."""
    fast = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.005, retry_after_cap=0.005)
    with running_sim("demo", fail_rate=0.3, fault_kinds=("500",), seed=7) as sim:
        config = load_config(sim.write_config(tmp_path / "afasgov.yaml"))
        env = config.environment("test")
        env = dataclasses.replace(env, app_connectors={"legacy-portal": env.app_connectors["legacy-portal"]})
        wanted = [c for c in sim.dataset.environment("test").get_connectors if not is_supplied(c)]
        view = asyncio.run(live_mod.read_live(env, wanted, retry=fast, attempts=8))
        assert sim.state.faults.injected["500"] > 0
    assert set(view.get_connectors) == set(wanted)
    assert view.blocked is not None and view.blocked["Lindeboom_Oud_Export"] is True
    assert view.requests > len(wanted) + 3


def test_committed_demo_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On the committed demo tree (snapshots + definitions): verify --offline and promote agree with the dataset."""
    repo_root = DEFAULT_OUT.parent.parent
    if not (repo_root / "definitions" / "test" / "get").is_dir():
        pytest.skip("the demo snapshots are not committed")
    monkeypatch.chdir(repo_root)
    code, out, _ = run(["verify", "test", "--offline"], capsys)
    assert code == 0, out
    code, out, _ = run(["verify", "production", "--offline", "--format", "json"], capsys)
    doc = json.loads(out)
    missing, changed = expected_differences()
    assert code == 1 and {c["connector"] for c in doc["connectors"] if c["status"] != "ok"} == missing | changed
    code, out, _ = run(
        ["promote", "--from", "test", "--to", "production", "--out", str(tmp_path), "--format", "json"], capsys
    )
    doc = json.loads(out)
    assert code == 0 and {i["connector"] for i in doc["imports"]} == missing | changed
    assert check_bundle(Path(doc["bundle"])) == []
