"""End to end over real loopback sockets: the client and `afasgov check` against the embedded
simulator (each auth method), and transport failures against hand-made servers (TLS, truncation)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from afasgov.config import load_config, parse_config
from afasgov.profit import errors as E
from afasgov.profit.client import ProfitClient
from afasgov.profit.limits import Limiter
from afasgov.profit.retry import RetryPolicy

from .conftest import TOKEN_XML, make_setup
from .servers import closed_port, raw_server, self_signed_cert, serve_asgi

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]


async def no_sleep(_s: float) -> None:
    return None


FAST = RetryPolicy(sleep=no_sleep, max_attempts=2)


def afasgov(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "afasgov", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
    )


# ------------------------------------------------------------------------------------ simulator
@pytest.fixture(scope="module")
def sim_with_jwt(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    from .simhelp import demo_dataset, enable_jwt, opt_in_loopback, sim_testing

    dataset = demo_dataset()
    keys = {
        "ES256": ec.generate_private_key(ec.SECP256R1()),
        "RS256": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }
    jwt_client = enable_jwt(dataset, "accept", "iam", keys["ES256"], alg="ES256")
    with sim_testing.running_sim(dataset) as sim:
        tmp = tmp_path_factory.mktemp("sim")
        path = sim.write_config(tmp / "afasgov.yaml")
        opt_in_loopback(path)
        yield {"sim": sim, "dir": tmp, "config": path, "keys": keys, "jwt_client": jwt_client}


def sim_config(ctx: dict[str, Any], tmp_path: Path, auth: dict[str, Any], env_name: str = "accept") -> Any:
    sim = ctx["sim"]
    envdef = sim.dataset.environment(env_name)
    data = {
        "environments": {
            env_name: {
                "tenant": envdef.tenant,
                "type": envdef.type,
                "base_url": sim.base_url_for(env_name),
                "allow_non_afas_host": True,
                "app_connectors": {"x": {"auth": auth}},
            }
        }
    }
    return parse_config(data, path=tmp_path / "afasgov.yaml")


def secret_file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    path.chmod(0o600)
    return str(path)


async def read_everything(env: Any, ac: Any) -> dict[str, Any]:
    async with ProfitClient(env, ac, retry=FAST, limiter=Limiter("e2e", 8)) as c:
        meta = await c.metainfo()
        version = await c.profit_version()
        gets = [g["id"] for g in meta["getConnectors"]]
        upds = [u["id"] for u in meta["updateConnectors"]]
        first_get = await c.get_metainfo(gets[0]) if gets else None
        first_upd = await c.update_metainfo(upds[0]) if upds else None
        return {"meta": meta, "version": version, "get": first_get, "update": first_upd}


async def test_sim_classic_token(sim_with_jwt: Any, tmp_path: Path) -> None:
    cred = sim_with_jwt["sim"].credential("production", "legacy-portal")
    path = secret_file(tmp_path, "t", cred.token.reveal())
    cfg = sim_config(sim_with_jwt, tmp_path, {"type": "classic", "token_file": path}, "production")
    env = cfg.environment("production")
    out = await read_everything(env, env.app_connectors["x"])
    assert out["meta"]["info"]["envid"].startswith("O")
    assert out["get"]["fields"] and out["update"]["fields"] is not None
    assert out["version"].count(".") >= 1


@pytest.mark.parametrize("method", ["client_secret_post", "client_secret_basic"])
async def test_sim_client_secret(sim_with_jwt: Any, tmp_path: Path, method: str) -> None:
    cred = sim_with_jwt["sim"].credential("accept", "iam")
    path = secret_file(tmp_path, "s", cred.client_secret.reveal())
    cfg = sim_config(
        sim_with_jwt,
        tmp_path,
        {"type": "oauth", "client_id": cred.client_id, "method": method, "client_secret_file": path},
    )
    env = cfg.environment("accept")
    out = await read_everything(env, env.app_connectors["x"])
    assert out["meta"]["info"]["envid"].startswith("A")


async def test_sim_private_key_jwt(sim_with_jwt: Any, tmp_path: Path) -> None:
    from .conftest import pem

    path = secret_file(tmp_path, "k.pem", pem(sim_with_jwt["keys"]["ES256"]))
    cfg = sim_config(
        sim_with_jwt,
        tmp_path,
        {
            "type": "oauth",
            "client_id": sim_with_jwt["jwt_client"],
            "method": "private_key_jwt",
            "private_key_file": path,
            "alg": "ES256",
            "kid": "k1",
        },
    )
    env = cfg.environment("accept")
    async with ProfitClient(env, env.app_connectors["x"], retry=FAST) as c:
        await c.metainfo()
        c.forget_access_token()  # force a second token request: a fresh assertion (new jti) must be accepted
        await c.metainfo()
        assert c.token_requests == 2


async def test_sim_wrong_key_is_invalid_client(sim_with_jwt: Any, tmp_path: Path) -> None:
    from .conftest import pem

    path = secret_file(tmp_path, "k.pem", pem(sim_with_jwt["keys"]["RS256"]))
    cfg = sim_config(
        sim_with_jwt,
        tmp_path,
        {
            "type": "oauth",
            "client_id": sim_with_jwt["jwt_client"],
            "method": "private_key_jwt",
            "private_key_file": path,
            "alg": "RS256",
        },
    )
    env = cfg.environment("accept")
    async with ProfitClient(env, env.app_connectors["x"], retry=FAST) as c:
        with pytest.raises(E.InvalidClientError):
            await c.metainfo()


async def test_sim_wrong_classic_token_is_401(sim_with_jwt: Any, tmp_path: Path) -> None:
    path = secret_file(tmp_path, "t", TOKEN_XML)
    cfg = sim_config(sim_with_jwt, tmp_path, {"type": "classic", "token_file": path}, "production")
    env = cfg.environment("production")
    async with ProfitClient(env, env.app_connectors["x"], retry=FAST) as c:
        with pytest.raises(E.AuthenticationError, match="401"):
            await c.metainfo()


async def test_sim_unknown_connector_is_500(sim_with_jwt: Any, tmp_path: Path) -> None:
    cred = sim_with_jwt["sim"].credential("production", "legacy-portal")
    path = secret_file(tmp_path, "t", cred.token.reveal())
    cfg = sim_config(sim_with_jwt, tmp_path, {"type": "classic", "token_file": path}, "production")
    env = cfg.environment("production")
    async with ProfitClient(env, env.app_connectors["x"], retry=FAST) as c:
        with pytest.raises((E.ProfitServerError, E.NotFoundError)):
            await c.get_metainfo("NoSuchConnector_XYZ")


def test_check_command_against_sim(sim_with_jwt: Any) -> None:
    result = afasgov("check", cwd=sim_with_jwt["dir"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["ENVIRONMENT", "APP", "CONNECTOR"]
    rows = [ln for ln in lines[1:] if ln and not ln.startswith(" ") and "checked" not in ln]
    envs = sim_with_jwt["sim"].environments
    expected = sum(len(sim_with_jwt["sim"].dataset.environment(e).app_connectors) for e in envs)
    assert len(rows) == expected
    assert all(row.rstrip().endswith("ok") for row in rows)
    assert "checked: all ok" in result.stdout
    assert result.stderr == ""


def test_check_json_and_selected_environment(sim_with_jwt: Any) -> None:
    result = afasgov("check", "accept", "--format", "json", cwd=sim_with_jwt["dir"])
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["ok"] is True
    assert {r["environment"] for r in doc["results"]} == {"accept"}
    for r in doc["results"]:
        assert r["reachable"] and r["authenticated"] and r["profit_version"]
        assert r["envid"].startswith("A")
        if r["auth"].startswith("oauth"):
            assert r["access_token_lifetime"] > 0


def test_check_quiet_keeps_the_document_and_the_verdict(sim_with_jwt: Any) -> None:
    result = afasgov("-q", "check", "accept", "--format", "json", cwd=sim_with_jwt["dir"])
    assert result.returncode == 0, result.stderr
    assert {r["environment"] for r in json.loads(result.stdout)["results"]} == {"accept"}
    result = afasgov("-q", "check", "accept", cwd=sim_with_jwt["dir"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].endswith("1 environment checked: all ok")


def test_check_all_auth_methods_in_one_config(sim_with_jwt: Any, tmp_path: Path) -> None:
    from .conftest import pem

    sim = sim_with_jwt["sim"]
    iam = sim.credential("accept", "iam")
    legacy = sim.credential("accept", "legacy-portal")
    envdef = sim.dataset.environment("accept")
    files = {
        "t": legacy.token.reveal(),
        "s": iam.client_secret.reveal(),
        "k.pem": pem(sim_with_jwt["keys"]["ES256"]),
    }
    for name, text in files.items():
        secret_file(tmp_path, name, text)
    config = {
        "environments": {
            "acc": {
                "tenant": envdef.tenant,
                "type": "accept",
                "base_url": sim.base_url_for("accept"),
                "allow_non_afas_host": True,
                "app_connectors": {
                    "classic": {"auth": {"type": "classic", "token_file": "t"}},
                    "post": {
                        "auth": {
                            "type": "oauth",
                            "client_id": iam.client_id,
                            "method": "client_secret_post",
                            "client_secret_file": "s",
                        }
                    },
                    "basic": {
                        "auth": {
                            "type": "oauth",
                            "client_id": iam.client_id,
                            "method": "client_secret_basic",
                            "client_secret_file": "s",
                        }
                    },
                    "jwt": {
                        "auth": {
                            "type": "oauth",
                            "client_id": sim_with_jwt["jwt_client"],
                            "method": "private_key_jwt",
                            "private_key_file": "k.pem",
                            "alg": "ES256",
                            "kid": "k1",
                        }
                    },
                },
            }
        }
    }
    (tmp_path / "afasgov.yaml").write_text(yaml.safe_dump(config))
    result = afasgov("check", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert {r["auth"]: r["authenticated"] for r in doc["results"]} == {
        "classic": True,
        "oauth/client_secret_post": True,
        "oauth/client_secret_basic": True,
        "oauth/private_key_jwt": True,
    }


def test_check_maintenance_is_exit_3(sim_with_jwt: Any, tmp_path: Path) -> None:
    sim = sim_with_jwt["sim"]
    state = sim.state
    if not hasattr(state, "set_maintenance"):
        pytest.skip("simulator has no maintenance switch")
    cfg_text = sim_with_jwt["config"].read_text()
    (tmp_path / "afasgov.yaml").write_text(cfg_text)
    secrets_dir = sim_with_jwt["dir"] / "afasgov.secrets"
    (tmp_path / "afasgov.secrets").symlink_to(secrets_dir)
    state.set_maintenance("test", True)
    try:
        result = afasgov("check", "test", cwd=tmp_path)
    finally:
        state.set_maintenance("test", False)
    assert result.returncode == 3
    assert "503" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------------------------ check exit codes
def write_fake_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: Any, base_url: str) -> Any:
    return make_setup(tmp_path, monkeypatch, key, base_url=base_url, write=True)


def test_check_unreachable_environment_is_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ec_key: Any
) -> None:
    write_fake_config(tmp_path, monkeypatch, ec_key, f"http://127.0.0.1:{closed_port()}/ProfitRestServices")
    result = afasgov("check", cwd=tmp_path)
    assert result.returncode == 3
    assert "unreachable" in result.stdout
    assert "cannot reach AFAS Profit" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_missing_variable_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ec_key: Any
) -> None:
    write_fake_config(tmp_path, monkeypatch, ec_key, f"http://127.0.0.1:{closed_port()}/ProfitRestServices")
    monkeypatch.delenv("AFASGOV_TEST_SECRET")
    result = afasgov("check", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    # both App Connectors reading the variable are named in one error (issue 14 §6)
    assert result.stderr.count("afasgov: error:") == 1 and "2 secrets" in result.stderr
    assert "environments.production.app_connectors.post.auth.client_secret_env" in result.stderr
    assert "environments.production.app_connectors.basic.auth.client_secret_env" in result.stderr
    assert "AFASGOV_TEST_SECRET is not set" in result.stderr


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("<token><version>1</version><data>ABC</data></token>", "64 hexadecimal"),
        ("not a token at all!", "neither the token XML"),
        ("PHRva2VuPg==", "does not have the expected shape"),
    ],
)
def test_check_malformed_token_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ec_key: Any, value: str, reason: str
) -> None:
    write_fake_config(tmp_path, monkeypatch, ec_key, f"http://127.0.0.1:{closed_port()}/ProfitRestServices")
    monkeypatch.setenv("AFASGOV_TEST_TOKEN", value)
    result = afasgov("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "auth.token_env" in result.stderr and reason in result.stderr
    assert value not in result.stderr


def test_check_bad_config_and_unknown_env_are_exit_2(tmp_path: Path) -> None:
    (tmp_path / "afasgov.yaml").write_text("environments:\n  p: {tenant: 12345, type: production}\n")
    result = afasgov("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "environments.p.tenant" in result.stderr and "quote it" in result.stderr
    (tmp_path / "afasgov.yaml").write_text("environments:\n  p: {tenant: '12345', type: production}\n")
    result = afasgov("check", "nope", cwd=tmp_path)
    assert result.returncode == 2 and "unknown environment 'nope'" in result.stderr
    result = afasgov("--config", str(tmp_path / "missing.yaml"), "check", cwd=tmp_path)
    assert result.returncode == 2 and "file not found" in result.stderr


# ------------------------------------------------------------------------------------ transport failures
def fake_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: Any, base_url: str, **extra: Any) -> Any:
    s = make_setup(tmp_path, monkeypatch, key, base_url=base_url, extra_env=extra)
    return s


async def test_unreachable_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ec_key: Any) -> None:
    s = fake_env(tmp_path, monkeypatch, ec_key, f"http://127.0.0.1:{closed_port()}/ProfitRestServices")
    async with ProfitClient(s.env(), s.ac("classic"), retry=FAST) as c:
        with pytest.raises(E.TransportError, match="cannot reach") as info:
            await c.metainfo()
    assert not isinstance(info.value, E.TLSError)


async def test_tls_verification_failure_and_success_with_ca_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ec_key: Any
) -> None:
    certfile, keyfile = self_signed_cert(tmp_path)
    s0 = make_setup(tmp_path, monkeypatch, ec_key, base_url="https://127.0.0.1/ProfitRestServices")
    with serve_asgi(s0.fake.asgi(), certfile=certfile, keyfile=keyfile) as origin:
        url = f"{origin}/ProfitRestServices"
        s = make_setup(tmp_path, monkeypatch, ec_key, base_url=url, fake=s0.fake)
        async with ProfitClient(s.env(), s.ac("post"), retry=FAST) as c:
            with pytest.raises(E.TLSError, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
                await c.metainfo()
        s2 = make_setup(
            tmp_path, monkeypatch, ec_key, base_url=url, fake=s0.fake, extra_env={"ca_file": str(certfile)}
        )
        assert "custom-ca" in s2.env().flags
        async with ProfitClient(s2.env(), s2.ac("jwt"), retry=FAST) as c:
            assert (await c.metainfo())["info"]["envid"] == "O12345AA"


async def test_plain_http_to_tls_port_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ec_key: Any
) -> None:
    certfile, keyfile = self_signed_cert(tmp_path)
    s0 = make_setup(tmp_path, monkeypatch, ec_key, base_url="http://127.0.0.1/ProfitRestServices")
    with serve_asgi(s0.fake.asgi(), certfile=certfile, keyfile=keyfile) as origin:
        url = origin.replace("https://", "http://") + "/ProfitRestServices"
        s = make_setup(tmp_path, monkeypatch, ec_key, base_url=url, fake=s0.fake)
        async with ProfitClient(s.env(), s.ac("classic"), retry=FAST) as c:
            with pytest.raises(E.ProfitError):
                await c.metainfo()


def http_response(
    status: str, body: bytes, *, length: int | None = None, ctype: str = "application/json"
) -> bytes:
    n = len(body) if length is None else length
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {n}\r\n"
        "Connection: close\r\n\r\n".encode()
        + body
    )


@pytest.mark.parametrize(
    ("answer", "cls", "match"),
    [
        (http_response("200 OK", b'{"info": {"envid": "O1', length=500), E.TransportError, "cannot reach"),
        (None, E.TransportError, "cannot reach"),
        (
            http_response("502 Bad Gateway", b"<html><body>Bad gateway</body></html>", ctype="text/html"),
            E.HTTPStatusError,
            "502 HTML page",
        ),
        (
            http_response("200 OK", b"<html><body>Sign in</body></html>", ctype="text/html"),
            E.HTMLResponseError,
            "HTML",
        ),
        (http_response("200 OK", b'{"info": {"envid": "O1'), E.InvalidJSONError, "truncated"),
        (
            http_response("301 Moved Permanently", b"", ctype="text/plain").replace(
                b"Connection: close", b"Location: http://10.0.0.1/steal\r\nConnection: close"
            ),
            E.RedirectError,
            "10.0.0.1",
        ),
        (http_response("401 Unauthorized", b""), E.AuthenticationError, "401"),
    ],
)
async def test_hand_made_server_answers(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    ec_key: Any,
    answer: bytes | None,
    cls: type[Exception],
    match: str,
) -> None:
    requests: list[bytes] = []

    def respond(head: bytes) -> bytes | None:
        requests.append(head)
        return answer

    with raw_server(respond) as origin:
        s = fake_env(tmp_path, monkeypatch, ec_key, f"{origin}/ProfitRestServices")
        async with ProfitClient(s.env(), s.ac("classic"), retry=FAST) as c:
            with pytest.raises(cls, match=match) as info:
                await c.metainfo()
    assert type(info.value) is cls or issubclass(type(info.value), cls)
    assert "\n" not in str(info.value)
    retried = cls is E.TransportError
    assert len(requests) == (2 if retried else 1)
    assert requests[0].startswith(b"GET /ProfitRestServices/metainfo HTTP/1.1")


async def test_fake_over_socket_with_every_auth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ec_key: Any
) -> None:
    s0 = make_setup(tmp_path, monkeypatch, ec_key, base_url="http://127.0.0.1/ProfitRestServices")
    with serve_asgi(s0.fake.asgi()) as origin:
        s = make_setup(tmp_path, monkeypatch, ec_key, base_url=f"{origin}/ProfitRestServices", fake=s0.fake)
        for name in ("classic", "post", "basic", "jwt"):
            async with ProfitClient(s.env(), s.ac(name), retry=FAST) as c:
                assert await c.profit_version() == "22.22.5"
                rows = [r async for r in c.iter_rows("Profit_Functions", order_by=["Id"], page_size=100)]
                assert len(rows) == 250


def test_sim_written_config_loads(sim_with_jwt: Any) -> None:
    cfg = load_config(sim_with_jwt["config"])
    assert set(cfg.environments) == set(sim_with_jwt["sim"].environments)
