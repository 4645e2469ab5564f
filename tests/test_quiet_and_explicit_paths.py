"""``--quiet`` keeps a command's result (a requested document, or the one-line verdict of a text report) and
drops the rest;
``--waivers``/``--integrations`` given on the command line must exist (a typo must not drop every
waiver), while the configured defaults may be absent. Run on a copy of the demo repository."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from afasgov.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD = "definitions/integrations/helloid/payloads/new-user.json"
GCN = "definitions/getconnectors/Lindeboom_CRM_Relaties.gcn"


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (ROOT / "afasgov.yaml").is_file() or not (ROOT / "definitions").is_dir():
        pytest.skip("the demo repository (afasgov.yaml, definitions/) is not in this checkout")
    repo = tmp_path_factory.mktemp("demo")
    shutil.copy2(ROOT / "afasgov.yaml", repo / "afasgov.yaml")
    shutil.copytree(ROOT / "definitions", repo / "definitions")
    return repo


@pytest.fixture
def repo(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(demo_copy)
    monkeypatch.setenv("NO_COLOR", "1")
    return demo_copy


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------------------------------ --quiet
@pytest.mark.parametrize(
    "args",
    [
        ["diff", "production", "accept", "--format", "json"],
        ["diff", "production", "accept", "--format", "markdown"],
        ["gcn", "diff", GCN, "definitions/getconnectors/Lindeboom_HR_Medewerkers.gcn", "--format", "json"],
        ["changelog", "production", "accept"],
        ["changelog", "production", "accept", "--format", "json"],
        ["validate", "--env", "accept", PAYLOAD, "--format", "json"],
        ["audit", "--no-secret-scan", "--format", "sarif"],
        ["gcn", "show", GCN],
        ["gcn", "show", GCN, "--format", "json"],
        ["verify", "--offline", "production", "--format", "json"],
    ],
    ids=lambda a: " ".join(a[:4]),
)
def test_quiet_prints_the_same_document(
    repo: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out, _ = run(capsys, *args)
    qcode, qout, _ = run(capsys, "-q", *args)
    assert qout.strip(), f"-q {' '.join(args)} printed nothing"
    assert (qcode, qout) == (code, out)
    if "json" in args or "sarif" in args:
        json.loads(qout)


@pytest.mark.parametrize(
    ("args", "verdict"),
    [
        (["diff", "production", "accept"], "FAIL"),
        (["validate", "--env", "accept", PAYLOAD], "FAIL"),
        (["audit", "--no-secret-scan"], "FAIL"),
    ],
)
def test_quiet_with_output_still_prints_the_verdict(
    repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], verdict: str
) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run(capsys, "-q", *args, "--format", "json", "--output", str(target))
    assert code == 1
    assert verdict in out and f"written to {target}" in out
    assert len(out.splitlines()) == 1
    json.loads(target.read_text())


def test_quiet_verify_with_output_prints_the_verdict(
    repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "verify.txt"
    code, out, _ = run(capsys, "-q", "verify", "--offline", "production", "--output", str(target))
    assert code == 1
    assert out.strip() == f"verify production: NOT IN SYNC (report: {target})"


def test_quiet_drops_wrote_lines(repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "changes.md"
    code, out, _ = run(capsys, "changelog", "production", "accept", "--output", str(target))
    assert code == 0 and "written to" in out
    code, out, _ = run(capsys, "-q", "changelog", "production", "accept", "--output", str(target))
    assert code == 0 and out == ""
    assert target.read_text().startswith("# API changes")
    code, out, _ = run(capsys, "-q", "gcn", "export", "Lindeboom_CRM_Relaties", "--out", str(tmp_path / "x"))
    assert code == 0 and out == ""
    assert (tmp_path / "x" / "Lindeboom_CRM_Relaties.gcn").is_file()


# -------------------------------------------------------------------- explicit --waivers/--integrations
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["diff", "production", "accept", "--waivers", "nope.yaml"], "nope.yaml: waivers file not found"),
        (["diff", "production", "accept", "--integrations", "nodir"], "nodir: integrations directory not found"),
        (
            ["gcn", "diff", GCN, GCN, "--waivers", "definitions/waiver.yaml"],
            "definitions/waiver.yaml: waivers file not found",
        ),
        (["gcn", "diff", GCN, GCN, "--integrations", "nodir"], "nodir: integrations directory not found"),
        (["validate", "--env", "accept", PAYLOAD, "--waivers", "nope.yaml"], "nope.yaml: waivers file not found"),
        (["audit", "--no-secret-scan", "--waivers", "nope.yaml"], "nope.yaml: waivers file not found"),
    ],
    ids=lambda a: " ".join(a[:1]) if isinstance(a, list) else "",
)
def test_explicit_missing_paths_are_errors(
    repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    for quiet in ([], ["-q"]):
        code, out, err = run(capsys, *quiet, *args)
        assert code == 2
        assert out == ""
        assert err.strip().splitlines() == [f"afasgov: error: {message}"]


def test_explicit_existing_paths_work(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "diff", "production", "accept", "--waivers", "definitions/waivers.yaml",
        "--integrations", "definitions/integrations",
    )
    assert code == 1 and err == ""
    assert run(capsys, "validate", "--env", "accept", PAYLOAD, "--waivers", "definitions/waivers.yaml")[0] == 1


@pytest.mark.parametrize(
    "args",
    [
        ["diff", "production", "accept"],
        ["validate", "--env", "accept", PAYLOAD],
        ["audit", "--no-secret-scan"],
    ],
)
def test_configured_defaults_may_be_absent(
    demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    bare = tmp_path / "repo"
    shutil.copytree(demo_copy, bare)
    (bare / "definitions" / "waivers.yaml").unlink()
    shutil.rmtree(bare / "definitions" / "integrations")
    payload = tmp_path / "new-user.json"
    shutil.copy2(demo_copy / PAYLOAD, payload)
    monkeypatch.chdir(bare)
    monkeypatch.setenv("NO_COLOR", "1")
    argv = [str(payload) if a == PAYLOAD else a for a in args]
    code, out, err = run(capsys, *argv)
    assert code in (0, 1), err
    assert "not found" not in err
    assert out.strip()


def test_quiet_promote_keeps_its_verdict_and_bundle(repo: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "-q", "promote", "--from", "test", "--to", "production", "--out", str(tmp_path / "b"))
    assert code == 0
    assert out.splitlines()[0].startswith("promote test -> production: 4 to import")
    assert any(line.startswith("bundle: ") for line in out.splitlines())
    assert not any(line.startswith("   1. ") for line in out.splitlines())  # the per-item list is quiet
    code, out, _ = run(capsys, "-q", "promote", "--from", "test", "--to", "production", "--out",
                       str(tmp_path / "j"), "--format", "json")
    assert code == 0 and json.loads(out)["from"] == "test"
