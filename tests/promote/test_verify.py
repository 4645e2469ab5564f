"""``verify``: statuses on hand-built snapshots, rendering, and the offline command's exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from afasgov.promote.definitions import load_definitions
from afasgov.promote.verify import render_json, render_text, verify_snapshot, verify_view

from .helpers import get_connector, repo, run, snapshot, store_definitions

A = [("Id", "U001"), ("Name", "U002"), ("Mail", "U003")]
B = [("Code", "U001"), ("Desc", "U002")]
C = [("Nr", "U001")]


@pytest.fixture
def defs(tmp_path: Path):  # type: ignore[no-untyped-def]
    store_definitions(
        tmp_path / "gc",
        {"Demo_A": A, "Demo_B": B, "Demo_C": C, "Demo_D": C},
        scratch=tmp_path / "s",
        blocked=["Demo_D"],
    )
    return load_definitions(tmp_path / "gc")


def test_statuses(defs) -> None:  # type: ignore[no-untyped-def]
    env = snapshot(
        "production",
        {
            "Demo_A": A[:2],  # behind: Mail not imported yet
            "Demo_B": [("Code", "U001"), ("Text", "U002")],  # drift: renamed by hand
            "Demo_D": C,  # ok (blocked, flag unknown)
            "Demo_E": C,  # own connector without definition
            "Profit_Functions": C,  # supplied: never listed as undefined
        },
    )  # Demo_C: missing
    report = verify_snapshot(defs, env, source="definitions/production")
    status = {e.connector: e.status for e in report.entries}
    assert status == {"Demo_A": "behind", "Demo_B": "drift", "Demo_C": "missing", "Demo_D": "ok"}
    assert [e.connector for e in report.entries] == ["Demo_B", "Demo_A", "Demo_C", "Demo_D"]
    assert report.undefined == ["Demo_E"]
    assert report.summary == {"drift": 1, "behind": 1, "missing": 1, "unchecked": 0, "ok": 1}
    assert report.exit_code == 1 and report.verdict == "DRIFT"
    entry = {e.connector: e for e in report.entries}
    assert [d.kind for d in entry["Demo_B"].deltas] == ["renamed"]
    assert entry["Demo_A"].deltas[0].output_name == "Mail"
    assert report.taken_at == "2026-11-01T08:00:00Z" and "offline" in report.notes[0]


def test_clean_environment(defs) -> None:  # type: ignore[no-untyped-def]
    env = snapshot("test", {"Demo_A": A, "Demo_B": B, "Demo_C": C, "Demo_D": C})
    report = verify_snapshot(defs, env, source="x")
    assert report.clean and report.exit_code == 0 and report.verdict == "CLEAN"
    assert {e.status for e in report.entries} == {"ok"}


def test_blocked_flags_and_unreadable_connectors(defs) -> None:  # type: ignore[no-untyped-def]
    conns = {
        "Demo_A": get_connector("Demo_A", A),
        "Demo_B": get_connector("Demo_B", B),
        "Demo_C": get_connector("Demo_C", C),
    }
    listed = {k.lower(): k for k in [*conns, "Demo_D"]}
    # Demo_C blocked in the environment (ProfitGetConnectoren) but not in the definition: drift;
    # Demo_D blocked in both and its metainfo answered 500: unchecked, not a failure.
    report = verify_view(
        defs,
        environment="test",
        mode="live",
        source="http://x",
        connectors=conns,
        listed=listed,
        unreadable={"Demo_D": "500"},
        blocked={"Demo_C": True, "Demo_D": True},
    )
    status = {e.connector: e.status for e in report.entries}
    assert status == {"Demo_A": "ok", "Demo_B": "ok", "Demo_C": "drift", "Demo_D": "unchecked"}
    assert report.exit_code == 1
    # the same, but Demo_D is not blocked in the environment: its definition says it is -> drift
    report = verify_view(
        defs,
        environment="test",
        mode="live",
        source="http://x",
        connectors=conns,
        listed=listed,
        unreadable={"Demo_D": "500"},
        blocked={"Demo_D": False},
    )
    d = next(e for e in report.entries if e.connector == "Demo_D")
    assert d.status == "drift" and d.deltas[0].kind == "unblocked"


def test_case_insensitive_ids(defs) -> None:  # type: ignore[no-untyped-def]
    env = snapshot("test", {"DEMO_A": A, "demo_b": B, "Demo_C": C, "Demo_D": C})
    report = verify_snapshot(defs, env, source="x")
    assert report.clean and {e.connector for e in report.entries} >= {"DEMO_A", "demo_b"}
    assert report.undefined == []


def test_render_text_and_json(defs) -> None:  # type: ignore[no-untyped-def]
    env = snapshot("production", {"Demo_A": A[:2], "Demo_B": B, "Demo_D": C})
    report = verify_snapshot(defs, env, source="definitions/production")
    text = render_text(report)
    assert text.splitlines()[0] == "verify production (offline: definitions/production)"
    assert "Demo_A" in text and "behind" in text and "output field Mail (U003)" in text
    assert text.rstrip().endswith("(1 behind, 1 missing, 2 ok)")
    doc = json.loads(render_json(report))
    assert doc["command"] == "verify" and doc["mode"] == "offline" and doc["verdict"] == "NOT IN SYNC"
    assert doc["summary"]["missing"] == 1
    a = next(c for c in doc["connectors"] if c["connector"] == "Demo_A")
    assert a["guid"] and a["definition"] == "Demo_A.yaml"
    assert a["changes"] == [
        {
            "kind": "removed",
            "field_id": "U003",
            "output_name": "Mail",
            "definition": "Mail",
            "environment": None,
            "text": "output field Mail (U003) is in the definition but not in production",
        }
    ]


# ------------------------------------------------------------------------------------------ command
@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return repo(
        tmp_path,
        [snapshot("test", {"Demo_A": A, "Demo_B": B}), snapshot("production", {"Demo_A": A[:2], "Demo_B": B})],
        {"Demo_A": A, "Demo_B": B},
    )


def test_offline_command(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["verify", "test", "--offline"], capsys)
    assert (code, err) == (0, "") and "verdict: CLEAN (2 ok)" in out
    code, out, _ = run(["verify", "production", "--offline", "--format", "json"], capsys)
    assert code == 1 and json.loads(out)["summary"]["behind"] == 1
    code, out, _ = run(
        ["verify", "production", "--offline", "--output", "reports/verify.json", "--format", "json"], capsys
    )
    assert code == 1 and "NOT IN SYNC" in out
    assert json.loads((workdir / "reports" / "verify.json").read_text())["environment"] == "production"


def test_offline_bad_inputs(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["verify", "staging", "--offline"], capsys)
    assert code == 2 and "unknown environment 'staging'" in err and "production" in err
    code, _, err = run(["verify", "../etc", "--offline"], capsys)
    assert code == 2 and "not an environment name" in err
    (workdir / "definitions" / "getconnectors" / "Demo_B.gcn").write_bytes(b"\xef\xbf\xbd" * 40)
    code, _, err = run(["verify", "test", "--offline"], capsys)
    assert code == 2 and "Demo_B.gcn" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_configured_environment_without_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    repo(tmp_path, [snapshot("test", {"Demo_A": A})], {"Demo_A": A})
    code, _, err = run(["verify", "production", "--offline"], capsys)
    assert code == 2 and "afasgov snapshot production" in err


def test_live_unknown_environment(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["verify", "staging"], capsys)
    assert code == 2 and "unknown environment 'staging'" in err


def test_live_missing_secret_is_a_configuration_error(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AFASGOV_PROMOTE_TEST_TOKEN", raising=False)
    code, _, err = run(["verify", "test"], capsys)
    assert code == 2 and "AFASGOV_PROMOTE_TEST_TOKEN" in err
