"""The simulator over real loopback sockets: running_sim, `afasgov sim`, --write-config + check."""

from __future__ import annotations

import re
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from afasgov.sim.testing import classic_authorization, fetch_access_token, running_sim

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "afasgov"]


def test_running_sim_serves_every_environment_over_a_socket() -> None:
    with running_sim("demo") as sim, httpx.Client(timeout=10) as c:
        assert sim.origin.startswith("http://127.0.0.1:")
        for env in ("production", "test", "accept"):
            base = sim.base_url_for(env)
            assert base == sim.base_url("12345", env)
            r = c.get(f"{base}/metainfo", headers={"Authorization": classic_authorization(env, "legacy-portal")})
            assert r.status_code == 200 and r.json()["info"]["envid"][0] == {"production": "O"}.get(env, env[0].upper())
        token = fetch_access_token(c, sim.base_url_for("accept"), sim.credential("accept", "finance-bi"))
        r = c.get(f"{sim.base_url_for('accept')}/connectors/Lindeboom_Fin_Budget?take=3",
                  headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and len(r.json()["rows"]) == 3
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{sim.origin}/", timeout=2)


def test_dropped_connections_over_a_socket() -> None:
    with running_sim("demo", fail_rate=1.0, fault_kinds=("drop",)) as sim, httpx.Client(timeout=10) as c:
        with pytest.raises(httpx.RemoteProtocolError):
            c.get(f"{sim.base_url_for('production')}/metainfo")
        sim.state.faults.fail_rate = 0.0
        assert c.get(f"{sim.base_url_for('production')}/profitversion").status_code == 401


def test_write_config_files_and_modes(tmp_path: Path) -> None:
    from afasgov.config import load_config

    with running_sim("demo") as sim:
        path = sim.write_config(tmp_path / "afasgov.yaml")
        text = path.read_text()
        secrets_dir = tmp_path / "afasgov.secrets"
        assert stat.S_IMODE(secrets_dir.stat().st_mode) == 0o700
        assert (secrets_dir / ".gitignore").read_text() == "*\n"  # never committed by accident
        files = sorted(f for f in secrets_dir.iterdir() if f.name != ".gitignore")
        assert len(files) == 12
        for f in files:
            assert stat.S_IMODE(f.stat().st_mode) == 0o600
            value = f.read_text().strip()
            assert value and value not in text  # secrets never in the config itself
        assert "PRIVATE KEY" not in text and "<token>" not in text
        config = load_config(path)
        assert set(config.environments) == {"production", "test", "accept"}
        assert config.environments["accept"].base_url == sim.base_url_for("accept")
        assert not list(tmp_path.glob(".*.tmp"))


def test_written_secrets_are_ignored_inside_a_git_work_tree(tmp_path: Path) -> None:
    """Inside a repository, the demo credentials are git-ignored: no 'would be committed' warning."""
    from afasgov.config import git_state

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with running_sim("demo") as sim:
        sim.write_config(tmp_path / "afasgov.yaml")
    secret_files = [f for f in (tmp_path / "afasgov.secrets").iterdir() if f.name != ".gitignore"]
    assert secret_files
    assert {git_state(f) for f in secret_files} == {"ignored"}
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path,
                            capture_output=True, text=True, check=True).stdout
    assert "afasgov.secrets" not in status


def _start_cli(*args: str, cwd: Path) -> tuple[subprocess.Popen[str], list[str]]:
    proc = subprocess.Popen([*CLI, "sim", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if "ready" in line:
            break
    return proc, lines


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_prints_base_urls_and_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    proc, lines = _start_cli("--port", "0", cwd=tmp_path)
    try:
        urls = [m.group(0) for line in lines for m in [re.search(r"http://127\.0\.0\.1:\d+/\S+", line)] if m]
        assert [u.rsplit("/", 2)[1] for u in urls] == ["12345-production", "12345-test", "12345-accept"]
        assert httpx.get(urls[0] + "/metainfo", timeout=5).status_code == 401
    finally:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "stopped" in out


def test_write_config_then_check_succeeds_for_every_app_connector(tmp_path: Path) -> None:
    proc, lines = _start_cli("--write-config", "x.yaml", "--seed", "3", cwd=tmp_path)
    try:
        assert any("wrote" in line for line in lines)
        check = subprocess.run([*CLI, "--config", "x.yaml", "check"], cwd=tmp_path, capture_output=True, text=True,
                               timeout=120)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
    assert check.returncode == 0, check.stdout + check.stderr
    rows = [line for line in check.stdout.splitlines() if re.match(r"^(production|test|accept)\s", line)]
    assert len(rows) == 12 and all(line.rstrip().endswith("ok") for line in rows)
    for f in (tmp_path / "x.secrets").iterdir():  # no secret in anything printed
        assert f.read_text().strip() not in check.stdout + "\n".join(lines)


def test_write_config_overwrites_only_its_own_file_unless_forced(tmp_path: Path) -> None:
    from afasgov.errors import UsageError
    from afasgov.sim.datasets import load_dataset
    from afasgov.sim.writeconfig import write_config

    data, origin = load_dataset("demo"), "http://127.0.0.1:9"
    path = tmp_path / "afasgov.yaml"
    write_config(path, data, origin)
    write_config(path, data, "http://127.0.0.1:10")  # its own file: rewritten
    assert "127.0.0.1:10" in path.read_text(encoding="utf-8")
    for text in ("environments: {}\n", "", "#  Written by `afasgov sim --write-config`\n"):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(UsageError, match="exists and was not written by afasgov sim"):
            write_config(path, data, origin)
        assert path.read_text(encoding="utf-8") == text
    write_config(path, data, origin, force=True)
    assert path.read_text(encoding="utf-8").startswith("# Written by `afasgov sim --write-config`")
    with running_sim() as sim:  # the test helper keeps overwriting (tests rewrite their own configs)
        path.write_text("environments: {}\n", encoding="utf-8")
        assert sim.write_config(path) == path and sim.origin in path.read_text(encoding="utf-8")


def test_write_config_creates_missing_directories_and_removes_them_on_failure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--write-config /tmp/sim/afasgov.yaml`` works on a fresh machine (README); a failed write leaves
    no directory behind."""
    from afasgov.errors import UsageError
    from afasgov.sim import writeconfig
    from afasgov.sim.datasets import load_dataset

    data = load_dataset("demo")
    path = tmp_path / "fresh" / "sim" / "afasgov.yaml"
    assert writeconfig.write_config(path, data, "http://127.0.0.1:9") == path
    assert path.is_file() and (path.parent / "afasgov.secrets" / ".gitignore").is_file()

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writeconfig, "atomic_write_text", disk_full)
    with pytest.raises(UsageError, match="No space left on device"):
        writeconfig.write_config(tmp_path / "other" / "sim" / "afasgov.yaml", data, "http://127.0.0.1:9")
    assert not (tmp_path / "other").exists()


def test_cli_force_overwrites_an_existing_config(tmp_path: Path) -> None:
    (tmp_path / "afasgov.yaml").write_text("environments: {}\n", encoding="utf-8")
    proc, lines = _start_cli("--write-config", "afasgov.yaml", "--force", cwd=tmp_path)
    try:
        assert any("wrote" in line for line in lines), lines
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
    assert (tmp_path / "afasgov.yaml").read_text(encoding="utf-8").startswith("# Written by `afasgov sim")


def test_port_in_use_is_a_usage_error(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run([*CLI, "sim", "--port", str(port)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert r.returncode == 2
    assert f"127.0.0.1:{port} is already in use" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(("args", "message"), [(["--dataset", "nope"], "unknown dataset"),
                                               (["--fail-rate", "1.5"], "--fail-rate"),
                                               (["--latency-ms", "-1"], "--latency-ms"),
                                               (["--port", "70000"], "--port"),
                                               (["--write-config", "file/x.yaml"], "file is not a directory"),
                                               (["--write-config", "file/sub/x.yaml"], "file is not a directory"),
                                               (["--write-config", "afasgov.yaml"],
                                                "afasgov.yaml exists and was not written by afasgov sim; choose "
                                                "another path or pass --force")])
def test_bad_options_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    (tmp_path / "afasgov.yaml").write_text("environments: {}\n", encoding="utf-8")
    r = subprocess.run([*CLI, "sim", *args], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert (tmp_path / "afasgov.yaml").read_text(encoding="utf-8") == "environments: {}\n"
    assert not (tmp_path / "afasgov.secrets").exists()
    assert message in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_no_literal_secrets_in_the_simulator_sources() -> None:
    from afasgov.secrets import SECRET_PATTERNS

    patterns = SECRET_PATTERNS[:3]  # classic token XML, its base64 form, PEM private keys
    for root in (REPO / "afasgov" / "sim", REPO / "docs", REPO / "tests" / "sim"):
        for path in root.rglob("*"):
            if path.is_file() and path.suffix in (".py", ".yaml", ".md"):
                text = path.read_text(encoding="utf-8")
                assert not [p.pattern for p in patterns if p.search(text)], path
