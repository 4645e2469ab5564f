"""``afasgov diff`` and ``afasgov changelog`` end to end over real snapshot trees."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from afasgov.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_diff_text_and_exit_codes(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", "production", "accept")
    assert code == 1
    assert "error [request-property-removed] at KnEmployee/Element/Fields/EmAd" in out
    assert "removed the request property 'KnEmployee/Element/Fields/EmAd'" in out
    assert "6 changes: 2 errors, 1 warning, 3 info" in out
    assert run(capsys, "diff", "production", "production")[0] == 0
    assert run(capsys, "diff", "accept", "accept", "--fail-on", "INFO")[0] == 0


def test_json_output_file_and_fail_on(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", "production", "accept", "--format", "json", "--output", "r/diff.json")
    assert code == 1 and "written to r/diff.json" in out
    data = json.loads((workdir / "r/diff.json").read_text())
    assert data["base"] == "production" and data["revision"] == "accept"
    assert data["summary"] == {"ERR": 2, "WARN": 1, "INFO": 3}
    ids = [c["id"] for c in data["changes"]]
    assert "afas-response-property-renamed" in ids and "afas-profit-version-changed" in ids
    # a directory operand gives the same changes
    _, out2, _ = run(
        capsys, "diff", "definitions/production", str(workdir / "definitions/accept"), "--format", "json"
    )
    assert [c["fingerprint"] for c in json.loads(out2)["changes"]] == [
        c["fingerprint"] for c in data["changes"]
    ]


def test_waivers_waive_and_expired_ones_are_reported(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(run(capsys, "diff", "production", "accept", "--format", "json")[1])
    removed = next(c for c in data["changes"] if c["id"] == "request-property-removed")
    (workdir / "definitions/waivers.yaml").write_text(f"""waivers:
  - fingerprint: {removed["fingerprint"]}
    reason: hr-sync stopped sending EmAd
    owner: hr-team
    expires: 2099-12-31
  - id: afas-response-property-renamed
    path: "Profit_Employees/**"
    reason: old waiver
    owner: bi-team
    expires: 2001-01-01
""")
    code, out, _ = run(capsys, "diff", "production", "accept", "--format", "json")
    data = json.loads(out)
    assert code == 1  # the rename is still ERR: its waiver expired
    waived = [c for c in data["changes"] if c["waived"]]
    assert [c["id"] for c in waived] == ["request-property-removed"]
    assert waived[0]["waiver"]["owner"] == "hr-team"
    assert data["waivers"][0]["status"] == "expired" and data["waivers"][0]["matched"] == 1
    (workdir / "definitions/waivers.yaml").write_text(
        (workdir / "definitions/waivers.yaml").read_text().replace("2001-01-01", "2099-01-01")
    )
    code, out, _ = run(capsys, "diff", "production", "accept")
    assert code == 0 and "error (waived) [afas-response-property-renamed]" in out


def test_integration_manifests_regrade_and_report_impact(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = workdir / "definitions/integrations"
    d.mkdir()
    (d / "hr-sync.yaml").write_text("""name: hr-sync
owner: hr-team@example.org
app_connector: hr-sync
uses:
  update:
    KnEmployee: [EmId, EmAd, Note, KnEmployee/Element/Objects/KnPerson/Element/Fields/FiNm]
  get:
    Profit_Employees: [EmId, Mail]
""")
    _, out, _ = run(capsys, "diff", "production", "accept", "--format", "json")
    data = json.loads(out)
    by_id = {c["id"]: c for c in data["changes"]}
    assert by_id["request-property-max-length-set"]["level"] == "ERR"  # WARN on a declared field → ERR
    assert by_id["afas-response-property-renamed"]["level"] == "WARN"  # ERR nobody uses → WARN
    assert by_id["request-property-removed"]["level"] == "ERR"
    assert (
        "hr-sync sends KnEmployee/Element/Fields/EmAd, which accept removed"
        in data["integrations"]["hr-sync"]["impact"]
    )
    assert data["unknown_references"] == [
        "hr-sync: reads Profit_Employees/Fields/Mail, which exists in no snapshot (production, accept)"
    ]
    _, out, _ = run(capsys, "diff", "production", "accept", "--no-downgrade", "--format", "json")
    assert {c["id"]: c for c in json.loads(out)["changes"]}["afas-response-property-renamed"][
        "level"
    ] == "ERR"
    _code, out, _ = run(capsys, "diff", "production", "accept")
    assert "regraded ERR → WARN: no integration manifest uses it" in out
    assert "Integration hr-sync:" in out


def test_changelog_is_afas_release_notes_table(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "changelog", "production", "accept")
    assert code == 0
    lines = out.splitlines()
    # KnEmployee is in none of AFAS's published specs ("Medewerker en contract" is not among them)
    assert "## Other connectors" in lines and "### Breaking Changes" in lines and "### Changelog" in lines
    assert "| Description | Connector | Operation |" in lines
    assert (
        "| removed the request property 'KnEmployee/Element/Fields/EmAd' | KnEmployee | POST, PUT |" in lines
    )
    assert (
        "| added the new 'X' enum value to the request property 'KnEmployee/Element/Fields/ViGe' | KnEmployee "
        "| POST, PUT |"
    ) in lines
    assert (
        "| added the new optional request property 'KnEmployee/Element/Fields/EmA2' | KnEmployee | POST, PUT |"
        in lines
    )
    other = lines[lines.index("## Other connectors") :]
    breaking = other[other.index("### Breaking Changes") : other.index("### Changelog")]
    assert (
        sum(1 for ln in breaking if ln.startswith("| ") and "Description" not in ln and "---" not in ln) == 2
    )
    code, out, _ = run(capsys, "changelog", "production", "production")
    assert "No changes for this release." in out
    code, out, _ = run(capsys, "changelog", "production", "accept", "--format", "json")
    assert json.loads(out)["changelog"][0]["operation"]


@pytest.mark.parametrize("case", ["other-version", "missing", "corrupt-yaml", "yaml-tag", "not-a-tree"])
def test_bad_inputs_exit_2(workdir: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    target = "accept"
    acc = workdir / "definitions/accept"
    if case == "other-version":
        snap = acc / "_snapshot.yaml"
        text = snap.read_text()
        assert "afasgov-definitions/1" in text
        snap.write_text(text.replace("afasgov-definitions/1", "afasgov-definitions/99"))
    elif case == "missing":
        target = "staging"
    elif case == "corrupt-yaml":
        (acc / "update/KnEmployee.yaml").write_text("name: KnEmployee\nfields: [unclosed\n")
    elif case == "yaml-tag":
        (acc / "update/KnEmployee.yaml").write_text("!!python/object/apply:os.system ['echo hi']\n")
    elif case == "not-a-tree":
        target = str(workdir / "plain.txt")
        (workdir / "plain.txt").write_text("hello")
    code, out, err = run(capsys, "diff", "production", target)
    assert code == 2, (out, err)
    assert err.startswith("afasgov: error: ") and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_bad_waivers_and_manifests_exit_2(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "w.yaml").write_text(
        "waivers:\n  - id: x\n    reason: r\n    owner: o\n    expires: 2030-01-01\n"
    )
    code, _, err = run(capsys, "diff", "production", "accept", "--waivers", "w.yaml")
    assert code == 2 and "needs 'fingerprint', or both 'id' and 'path'" in err
    d = workdir / "ints"
    d.mkdir()
    (d / "crm.yaml").write_text(
        'name: crm\nowner: o\napp_connector: crm\nuses:\n  update:\n    KnEmployее: "*"\n'
    )
    code, _, err = run(capsys, "diff", "production", "accept", "--integrations", "ints")
    assert code == 2 and "U+0435 CYRILLIC SMALL LETTER IE" in err


def test_gitref_operand(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
        "PATH": "/usr/bin:/bin",
        "HOME": str(workdir),
    }
    for cmd in (["init", "-q", "-b", "main"], ["add", "definitions"], ["commit", "-q", "-m", "snap"]):
        subprocess.run(["git", *cmd], cwd=workdir, check=True, env=env)
    shutil.rmtree(workdir / "definitions/accept")
    code, out, _ = run(
        capsys, "diff", "main:definitions/production", "main:definitions/accept", "--format", "json"
    )
    assert code == 1
    assert json.loads(out)["summary"] == {"ERR": 2, "WARN": 1, "INFO": 3}


def test_gcn_operands(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    files = sorted((corpus_dir / "gcn").rglob("*.gcn"))
    if len(files) < 2:
        pytest.skip("need two .gcn files")
    code, out, _ = run(capsys, "diff", str(files[0]), str(files[0]), "--format", "json")
    assert code == 0 and json.loads(out)["changes"] == []
    code, out, _ = run(capsys, "diff", str(files[0]), str(files[-1]), "--format", "json")
    changes = json.loads(out)["changes"]
    assert changes and all(c["connector_type"] == "gcn" for c in changes)
    assert code in (0, 1)
    code, _, _err = run(capsys, "diff", str(files[0]), "production")
    assert code == 2
