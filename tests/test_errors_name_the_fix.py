"""Errors that name the fix (issue 14 §10): what is known, what to run, which host, which forms.

Each test runs the command line as a user would (a subprocess on a copy of the example repository, or
a small configuration of its own) and asserts the one error line says what to do next.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
GCN = "definitions/getconnectors/Lindeboom_CRM_Relaties.gcn"
PAYLOAD = "definitions/integrations/helloid/payloads/new-user.json"


def afasgov(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("AFAS")} | {"NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "afasgov", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, env=base | (env or {}))


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example governance repository (configuration, snapshots, definitions, waivers)."""
    copy = tmp_path_factory.mktemp("errors") / "repo"
    copy.mkdir()
    shutil.copy2(REPO / "afasgov.yaml", copy / "afasgov.yaml")
    shutil.copytree(REPO / "definitions", copy / "definitions")
    return copy


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


TOKEN = "<token><version>1</version><data>" + "AB" * 32 + "</data></token>"


def dead_server_config(root: Path, port: int) -> Path:
    """Three App Connectors of one environment on a server that is not there."""
    root.mkdir(parents=True, exist_ok=True)
    config = {"environments": {"production": {
        "tenant": "12345", "type": "production", "base_url": f"http://127.0.0.1:{port}/ProfitRestServices",
        "allow_non_afas_host": True,
        "app_connectors": {
            "a": {"auth": {"type": "classic", "token_env": "T_ONE"}},
            "b": {"auth": {"type": "classic", "token_env": "T_ONE"}},
            "c": {"auth": {"type": "oauth", "client_id": "x", "method": "client_secret_post",
                           "client_secret_env": "T_TWO"}},
        }}}}
    (root / "afasgov.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return root


# ------------------------------------------------------------------ unknown / not yet snapshotted
def test_diff_with_an_unknown_environment_lists_the_known_ones(repo: Path) -> None:
    result = afasgov("diff", "production", "staging", cwd=repo)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    for known in ("production", "test", "accept"):
        assert known in result.stderr.split("staging", 1)[1]
    assert "afasgov snapshot staging" in result.stderr


def test_diff_of_a_configured_environment_without_snapshot_says_to_snapshot_it(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    assert afasgov("init", str(root), cwd=tmp_path).returncode == 0
    result = afasgov("diff", "production", "accept", cwd=root)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "has no snapshot yet" in result.stderr and "afasgov snapshot production" in result.stderr
    validate = afasgov("validate", "x.json", "--env", "accept", cwd=root)
    assert validate.returncode == 2 and "afasgov snapshot accept" in validate.stderr


# ---------------------------------------------------------------------------- connection errors
def test_a_dead_server_is_one_line_naming_host_and_port(tmp_path: Path) -> None:
    port = closed_port()
    root = dead_server_config(tmp_path / "dead", port)
    secrets = {"T_ONE": TOKEN, "T_TWO": "client-secret-value"}
    check = afasgov("check", cwd=root, env=secrets)
    assert check.returncode == 3
    problems = [line for line in check.stderr.splitlines() if "cannot reach" in line]
    assert len(problems) == 1, check.stderr
    assert f"127.0.0.1:{port}" in problems[0] and "3 App Connectors" in problems[0]
    snapshot = afasgov("snapshot", "--all", "--out", str(tmp_path / "out"), cwd=root, env=secrets)
    assert snapshot.returncode == 3
    assert f"127.0.0.1:{port}" in next(line for line in snapshot.stderr.splitlines() if "cannot reach" in line)


# ------------------------------------------------------------- global options after the command
@pytest.mark.parametrize("option", ["--quiet", "-q", "--no-color", "--debug", "--verbose"])
def test_global_flags_are_accepted_after_the_subcommand(repo: Path, option: str) -> None:
    before = afasgov(option, "diff", "production", "accept", "--format", "json", cwd=repo)
    after = afasgov("diff", "production", "accept", "--format", "json", option, cwd=repo)
    assert after.returncode == before.returncode == 1, after.stderr
    assert after.stdout == before.stdout


def test_config_is_accepted_after_the_subcommand(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = afasgov("diff", "production", "accept", "--config", str(repo / "afasgov.yaml"), "--format", "json",
                     cwd=elsewhere)
    assert result.returncode == 1, result.stderr
    nested = afasgov("gcn", "show", str(repo / GCN), "--config", str(repo / "afasgov.yaml"), cwd=elsewhere)
    assert nested.returncode == 0, nested.stderr


# ------------------------------------------------------------------------------ malformed token
@pytest.mark.parametrize("value", ["garbage!", "PHRva2Vu", "<token><version>1</version><data>AB</data></token>"])
def test_a_malformed_token_says_which_forms_are_accepted(tmp_path: Path, value: str) -> None:
    root = dead_server_config(tmp_path / "cfg", closed_port())
    result = afasgov("check", cwd=root, env={"T_ONE": value, "T_TWO": "x"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "accepted:" in result.stderr and "<token><version>1</version><data>" in result.stderr
    assert "base64" in result.stderr and "AfasToken" in result.stderr
    assert value not in result.stderr or value == "PHRva2Vu"


# ------------------------------------------------------------------------ gcn show on other YAML
@pytest.mark.parametrize("path", ["afasgov.yaml", "definitions/waivers.yaml",
                                  "definitions/integrations/helloid.yaml"])
def test_gcn_show_on_yaml_that_is_not_a_definition_says_so(repo: Path, path: str) -> None:
    result = afasgov("gcn", "show", path, cwd=repo)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "not a GetConnector definition" in result.stderr and "guid: missing" not in result.stderr


# --------------------------------------------------------------------------- --fail-on any case
@pytest.mark.parametrize("args", [
    ["diff", "production", "accept"],
    ["gcn", "diff", GCN, GCN],
    ["validate", PAYLOAD, "--env", "accept"],
    ["audit", "accept", "--no-secret-scan"],
])
@pytest.mark.parametrize("level", ["err", "Warn", "info"])
def test_fail_on_accepts_any_case(repo: Path, args: list[str], level: str) -> None:
    result = afasgov(*args, "--fail-on", level, "--format", "json", cwd=repo)
    assert result.returncode in (0, 1), result.stderr
    upper = afasgov(*args, "--fail-on", level.upper(), "--format", "json", cwd=repo)
    assert result.returncode == upper.returncode


def test_release_check_fail_on_accepts_any_case(repo: Path) -> None:
    result = afasgov("release-check", "--offline", "--fail-on", "warn", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert "fail on WARN" in result.stdout
