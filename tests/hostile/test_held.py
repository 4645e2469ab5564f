"""Hostile inputs that already held before issue 17 and had no test of their own: a gzip bomb from
the server and two snapshots of one environment at the same time (docs/security.md lists the rest,
with the tests elsewhere in tests/ that cover them)."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from afasgov.sim.testing import running_sim
from afasgov.snapshot.tree import read_tree

from .conftest import one_error_line, run_afasgov

pytestmark = pytest.mark.e2e

TOKEN = "<token><version>1</version><data>" + "AB" * 32 + "</data></token>"


@contextmanager
def gzip_bomb_server() -> Iterator[str]:
    """Answers every request with 200 and a gzip body of ~100 KB that inflates to 200 MB of JSON."""
    body = gzip.compress(b"[" + b" " * (200 * 1024 * 1024) + b"]", compresslevel=9)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.2)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                try:
                    conn.settimeout(5)
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                                 + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
                except OSError:
                    continue

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        srv.close()


@pytest.mark.timeout(180)
def test_a_gzip_bomb_is_capped_not_inflated(tmp_path: Path) -> None:
    with gzip_bomb_server() as origin:
        (tmp_path / "afasgov.yaml").write_text(
            "environments:\n  production:\n    tenant: '1'\n    type: production\n"
            f"    base_url: {origin}/1-production/ProfitRestServices\n    allow_non_afas_host: true\n"
            "    app_connectors:\n      a:\n        auth: {type: classic, token_env: HOSTILE_TEST_TOKEN}\n"
        )
        result = run_afasgov(tmp_path, "snapshot", "production", env={"HOSTILE_TEST_TOKEN": TOKEN}, timeout=150)
    assert result.returncode == 3, result.stderr
    assert "exceeds the cap" in one_error_line(result.stderr)


@pytest.mark.timeout(300)
def test_two_snapshots_of_one_environment_at_once_leave_one_complete_tree(tmp_path: Path) -> None:
    with running_sim("demo", latency_ms=5) as sim:
        sim.write_config(tmp_path / "afasgov.yaml")
        env = dict(os.environ, AFASGOV_NO_PROGRESS="1")
        procs = [subprocess.Popen([sys.executable, "-m", "afasgov", "snapshot", "production"], cwd=tmp_path,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                 for _ in range(2)]
        outcomes = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outcomes
    assert sorted(os.listdir(tmp_path / "definitions")) == ["production"]  # no temporary left
    snapshot = read_tree(tmp_path / "definitions" / "production")
    assert snapshot.get_connectors and snapshot.update_connectors
