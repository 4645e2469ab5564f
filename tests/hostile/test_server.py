"""Hostile servers over real loopback sockets (issue 17 items 3, 7, 12, 16, 17): the simulator behind
a rewriting proxy (null lists, lost connectors, ANSI in /profitversion, the credential echoed back),
a raw socket server that drips one byte at a time, and broken CA files."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from afasgov.sim.app import create_app
from afasgov.sim.datasets import shared_dataset
from afasgov.sim.testing import running_sim

from .conftest import one_error_line, run_afasgov, run_cli

pytestmark = pytest.mark.e2e

Rewrite = Callable[[str, dict[str, str], Any], Any]


class RewritingProxy:
    """The simulator app with every JSON response of a GET passed through ``rewrite(path, headers,
    data)`` (path lower-cased; return the new data)."""

    def __init__(self, rewrite: Rewrite) -> None:
        self.inner = create_app(shared_dataset("demo"))
        self.state = self.inner.state
        self.rewrite = rewrite

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.inner(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.inner(scope, receive, capture)
        body = b"".join(chunks)
        if start.get("status") == 200 and body[:1] in (b"{", b"["):
            headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
            body = json.dumps(self.rewrite(scope["path"].lower(), headers, json.loads(body))).encode()
        out = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        out.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": out})
        await send({"type": "http.response.body", "body": body})


@contextmanager
def proxied(tmp: Path, rewrite: Rewrite) -> Iterator[Path]:
    """A running rewriting simulator and an afasgov.yaml for it in ``tmp``."""
    with running_sim(app=RewritingProxy(rewrite)) as sim:
        sim.write_config(tmp / "afasgov.yaml")
        yield tmp


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _unchanged(data: Any) -> Any:
    return data


# ---------------------------------------------------------------------------------------- item 7
def test_item07_null_connector_lists_are_refused_and_the_previous_snapshot_kept(tmp_path: Path) -> None:
    mode = {"null": ""}

    def rewrite(path: str, headers: dict[str, str], data: Any) -> Any:
        if mode["null"] == "metainfo" and path.endswith("/metainfo"):
            data["getConnectors"] = None
            data["updateConnectors"] = None
        if mode["null"] == "fields" and "/metainfo/update/" in path:
            data["fields"] = None
        return data

    with proxied(tmp_path, rewrite):
        first = run_afasgov(tmp_path, "snapshot", "production")
        assert first.returncode == 0, first.stderr
        before = _tree(tmp_path / "definitions" / "production")
        for what in ("metainfo", "fields"):
            mode["null"] = what
            result = run_afasgov(tmp_path, "snapshot", "production")
            assert result.returncode == 3, (what, result.stdout, result.stderr)
            assert "is null where AFAS sends a list" in result.stderr
            assert "previous snapshot kept" in result.stdout
            assert _tree(tmp_path / "definitions" / "production") == before


def test_item07_a_snapshot_that_loses_most_connectors_asks_for_allow_shrink(tmp_path: Path) -> None:
    mode = {"shrink": False}

    def rewrite(path: str, headers: dict[str, str], data: Any) -> Any:
        if mode["shrink"] and path.endswith("/metainfo"):
            data["getConnectors"] = data["getConnectors"][:1]
            data["updateConnectors"] = []
        return data

    with proxied(tmp_path, rewrite):
        assert run_afasgov(tmp_path, "snapshot", "production").returncode == 0
        tree = tmp_path / "definitions" / "production"
        before = _tree(tree)
        mode["shrink"] = True
        refused = run_afasgov(tmp_path, "snapshot", "production")
        assert refused.returncode == 3, refused.stderr
        line = one_error_line(refused.stderr, naming="max_connector_loss")
        assert "--allow-shrink" in line and "previous snapshot kept" in line
        assert _tree(tree) == before
        allowed = run_afasgov(tmp_path, "snapshot", "production", "--allow-shrink")
        assert allowed.returncode == 0, allowed.stderr
        # one get connector per App Connector is left, no update connector
        assert 1 <= len(list((tree / "get").iterdir())) <= 4 and not list((tree / "update").iterdir())


def test_item07_max_connector_loss_is_configurable(tmp_path: Path) -> None:
    mode = {"shrink": False}

    def rewrite(path: str, headers: dict[str, str], data: Any) -> Any:
        if mode["shrink"] and path.endswith("/metainfo"):
            data["updateConnectors"] = []
        return data

    with proxied(tmp_path, rewrite):
        config = tmp_path / "afasgov.yaml"
        assert run_afasgov(tmp_path, "snapshot", "production").returncode == 0
        mode["shrink"] = True
        config.write_text(config.read_text() + "max_connector_loss: 1.0\n")
        assert run_afasgov(tmp_path, "snapshot", "production").returncode == 0
        config.write_text(config.read_text().replace("max_connector_loss: 1.0", "max_connector_loss: 2"))
        bad = run_afasgov(tmp_path, "snapshot", "production")
        assert bad.returncode == 2
        one_error_line(bad.stderr, naming="max_connector_loss")


# --------------------------------------------------------------------------------------- item 16
ANSI_VERSION = "\x1b[2J\x1b]0;pwned\x07\x1b[31m9.0.0\x1b[0m\rOK"


def _ansi_version(path: str, headers: dict[str, str], data: Any) -> Any:
    if path.endswith("/profitversion"):
        return {"version": ANSI_VERSION}
    if path.endswith("/metainfo"):
        data["info"]["appName"] = "App\x1b[5mBlink\x1b[0m"
    return data


def test_item16_ansi_from_the_server_never_reaches_the_terminal(tmp_path: Path) -> None:
    with proxied(tmp_path, _ansi_version):
        check = run_afasgov(tmp_path, "check", "production")
        snapshot = run_afasgov(tmp_path, "snapshot", "production", "accept")
        release = run_afasgov(tmp_path, "release-check")
    assert check.returncode in (0, 3), check.stderr
    for result in (check, snapshot, release):
        assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout + result.stderr
    assert "\\x1b[2J" in check.stdout  # shown, escaped
    assert "\\x1b" in release.stdout and "release check production → accept" in release.stdout


# --------------------------------------------------------------------------------------- item 17
def _echo_credential(path: str, headers: dict[str, str], data: Any) -> Any:
    """A server that echoes the caller's credential into the metainfo it returns."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if path.endswith("/metainfo") and value:
        data["info"]["appName"] = value
        if scheme.lower() == "afastoken":
            data["info"]["group"] = base64.b64decode(value).decode()  # the token XML itself
    if "/metainfo/get/" in path and value:
        data["fields"][0]["label"] = f"token={value}"
    return data


def test_item17_an_echoed_credential_is_redacted_from_snapshots_and_output(tmp_path: Path) -> None:
    with proxied(tmp_path, _echo_credential) as root:
        secrets = [p.read_text().strip() for p in (root / "afasgov.secrets").iterdir() if p.name != ".gitignore"]
        snap = run_afasgov(root, "snapshot", "--all")
        audit = run_afasgov(root, "audit", "--no-secret-scan", "--format", "json")
        text_audit = run_afasgov(root, "audit", "--no-secret-scan")
    assert snap.returncode == 0, snap.stderr
    blob = b"".join(p.read_bytes() for p in (root / "definitions").rglob("*") if p.is_file())
    assert b"***" in blob
    forms: list[str] = []
    for secret in secrets:
        forms += [secret, base64.b64encode(secret.encode()).decode()]
    for form in forms:
        assert form.encode() not in blob
        for result in (snap, audit, text_audit):
            assert form not in result.stdout + result.stderr
    # no bearer token either: every Authorization value the server saw was redacted
    assert not re.search(rb"appName: (?!\"?\*\*\*)[A-Za-z0-9._~+/=-]{30,}", blob)


# ---------------------------------------------------------------------------------------- item 3
def _https_config(root: Path, ca_line: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "afasgov.yaml").write_text(
        "environments:\n"
        "  production:\n"
        "    tenant: '1'\n"
        "    type: production\n"
        "    base_url: https://127.0.0.1:9/1-production/ProfitRestServices\n"
        "    allow_non_afas_host: true\n"
        f"{ca_line}"
        "    app_connectors:\n"
        "      a:\n"
        "        auth: {type: classic, token_env: HOSTILE_TEST_TOKEN}\n"
    )


TOKEN = "<token><version>1</version><data>" + "AB" * 32 + "</data></token>"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["missing", "not-pem", "fifo", "directory", "garbage-pem"])
def test_item03_a_bad_ca_file_is_one_line_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    kind: str) -> None:
    monkeypatch.setenv("HOSTILE_TEST_TOKEN", TOKEN)
    ca = tmp_path / "ca.pem"
    if kind == "not-pem":
        ca.write_text("hello, not a certificate\n")
    elif kind == "fifo":
        os.mkfifo(ca)
    elif kind == "directory":
        ca.mkdir()
    elif kind == "garbage-pem":
        ca.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
    _https_config(tmp_path, f"    ca_file: {ca.name}\n")
    for args in (("check",), ("snapshot", "production")):
        code, out, err = run_cli(tmp_path, *args)
        assert code == 2, (args, out, err)
        line = one_error_line(err, naming="ca.pem")
        assert "environments.production.ca_file" in line


# --------------------------------------------------------------------------------------- item 12
@contextmanager
def dripping_server(interval: float = 0.2) -> Iterator[str]:
    """A loopback server that answers every request with a JSON body announced as 100,000 bytes and
    sent one byte every ``interval`` seconds (each byte restarts any read time-out)."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(32)
    srv.settimeout(0.2)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
                sent = 0
                while not stop.is_set() and sent < 100_000:
                    conn.sendall(b" " if sent else b"[")
                    sent += 1
                    time.sleep(interval)
            except OSError:
                return

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        srv.close()


def _drip_config(root: Path, origin: str, extra: str) -> None:
    (root / "afasgov.yaml").write_text(
        "environments:\n"
        "  production:\n"
        "    tenant: '1'\n"
        "    type: production\n"
        f"    base_url: {origin}/1-production/ProfitRestServices\n"
        "    allow_non_afas_host: true\n"
        "    timeout_seconds: 1\n"
        f"{extra}"
        "    app_connectors:\n"
        "      a:\n"
        "        auth: {type: classic, token_env: HOSTILE_TEST_TOKEN}\n"
    )


@pytest.mark.timeout(120)
def test_item12_a_server_that_drips_bytes_hits_the_request_deadline(tmp_path: Path) -> None:
    with dripping_server() as origin:
        _drip_config(tmp_path, origin, "    request_deadline_seconds: 2\n")
        result = run_afasgov(tmp_path, "snapshot", "production", env={"HOSTILE_TEST_TOKEN": TOKEN}, timeout=90)
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert "no complete answer within 2 s (request_deadline_seconds)" in result.stderr


@pytest.mark.timeout(120)
def test_item12_the_default_deadline_is_four_read_timeouts(tmp_path: Path) -> None:
    with dripping_server(interval=0.5) as origin:
        _drip_config(tmp_path, origin, "")
        result = run_afasgov(tmp_path, "check", "production", env={"HOSTILE_TEST_TOKEN": TOKEN}, timeout=90)
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert "no complete answer within 4 s (request_deadline_seconds)" in result.stdout + result.stderr


@pytest.mark.timeout(120)
def test_item12_the_environment_deadline_bounds_a_whole_snapshot(tmp_path: Path) -> None:
    with dripping_server(interval=1.0) as origin:
        _drip_config(tmp_path, origin, "    request_deadline_seconds: 3600\n    environment_deadline_seconds: 10\n")
        result = run_afasgov(tmp_path, "snapshot", "production", env={"HOSTILE_TEST_TOKEN": TOKEN}, timeout=90)
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert "did not finish within 10 s (environment_deadline_seconds)" in result.stderr
    assert not (tmp_path / "definitions").exists()


def test_deadline_keys_are_validated(tmp_path: Path) -> None:
    _drip_config(tmp_path, "http://127.0.0.1:9", "    request_deadline_seconds: 0\n")
    code, _, err = run_cli(tmp_path, "check")
    assert code == 2
    one_error_line(err, naming="environments.production.request_deadline_seconds")
    config = yaml.safe_load((tmp_path / "afasgov.yaml").read_text())
    assert config["environments"]["production"]["timeout_seconds"] == 1


# ------------------------------------------------------------------ secret files (every reader)
@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory", "huge", "not-utf8"])
def test_secret_files_that_are_special_or_hostile_are_one_line(tmp_path: Path, kind: str) -> None:
    secret = tmp_path / "a.token"
    if kind == "fifo":
        os.mkfifo(secret)
    elif kind == "dev-zero":
        secret.symlink_to("/dev/zero")
    elif kind == "directory":
        secret.mkdir()
    else:
        secret.write_bytes(b"9" * (1024 * 1024) if kind == "huge" else b"\xff\xfe token")
        secret.chmod(0o600)
    _https_config(tmp_path, "")
    config = tmp_path / "afasgov.yaml"
    config.write_text(config.read_text().replace("token_env: HOSTILE_TEST_TOKEN", f"token_file: {secret.name}"))
    code, out, err = run_cli(tmp_path, "check")
    assert code == 2, (out, err)
    assert "a.token" in out + err and "internal error" not in out + err


def test_item17_echoed_credentials_are_recognised_raw_and_json_escaped() -> None:
    from afasgov.secrets import echo_forms

    xml = TOKEN
    raw, escaped = echo_forms([xml])
    encoded = base64.b64encode(xml.encode()).decode()
    bodies = [
        json.dumps({"appName": xml}).encode(),                                  # raw
        json.dumps({"appName": xml}).replace("/", "\\/").encode(),              # \/ (PHP, .NET legacy)
        json.dumps({"appName": xml}).replace("<", "\\u003C").replace(">", "\\u003E").replace("/", "\\/").encode(),
        json.dumps({"appName": encoded}).encode(),                              # the base64 form
    ]
    for body in bodies:
        assert any(f in body for f in raw) or (b"\\" in body and any(f in body for f in escaped)), body
    assert not any(f in b'{"appName": "someone else"}' for f in raw | escaped)
