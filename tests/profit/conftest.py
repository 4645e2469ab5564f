"""Fixtures for the client tests: keys, sentinel secrets, configurations, the fake Profit API."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from afasgov.config import Config, parse_config

from .fake_profit import FakeProfit, OAuthClient

TOKEN_DATA = "5EC2E7AB" * 8
TOKEN_XML = f"<token><version>1</version><data>{TOKEN_DATA}</data></token>"
TOKEN_B64 = base64.b64encode(TOKEN_XML.encode()).decode()
CLIENT_ID = "afasgov-test-client"
CLIENT_SECRET = "sentinel-CLIENT-secret-Zq81xP0w"
JWT_CLIENT_ID = "afasgov-jwt-client"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def pem(key: Any) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@dataclass
class Setup:
    """A fake environment plus a matching configuration (secrets in env vars / files)."""

    fake: FakeProfit
    config: Config
    tmp: Path

    def env(self, name: str = "production") -> Any:
        return self.config.environment(name)

    def ac(self, name: str, env: str = "production") -> Any:
        return self.config.environment(env).app_connectors[name]


def app_connectors_yaml(key_file: Path, *, alg: str = "ES256") -> dict[str, Any]:
    return {
        "classic": {"auth": {"type": "classic", "token_env": "AFASGOV_TEST_TOKEN"}},
        "post": {
            "auth": {
                "type": "oauth",
                "client_id": CLIENT_ID,
                "method": "client_secret_post",
                "client_secret_env": "AFASGOV_TEST_SECRET",
            }
        },
        "basic": {
            "auth": {
                "type": "oauth",
                "client_id": CLIENT_ID,
                "method": "client_secret_basic",
                "client_secret_env": "AFASGOV_TEST_SECRET",
            }
        },
        "jwt": {
            "auth": {
                "type": "oauth",
                "client_id": JWT_CLIENT_ID,
                "method": "private_key_jwt",
                "private_key_file": str(key_file),
                "alg": alg,
                "kid": "key-1",
            }
        },
    }


def make_setup(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    key: Any,
    *,
    base_url: str,
    alg: str = "ES256",
    extra_env: dict[str, Any] | None = None,
    fake: FakeProfit | None = None,
    write: bool = False,
) -> Setup:
    key_file = tmp_path / "keys" / "jwt.pem"
    key_file.parent.mkdir(exist_ok=True)
    key_file.write_text(pem(key))
    key_file.chmod(0o600)
    monkeypatch.setenv("AFASGOV_TEST_TOKEN", TOKEN_XML)
    monkeypatch.setenv("AFASGOV_TEST_SECRET", CLIENT_SECRET)
    prefix_path = base_url.split("://", 1)[1].split("/", 1)
    prefix = "/" + prefix_path[1] if len(prefix_path) > 1 else ""
    fake = fake or FakeProfit(prefix=prefix)
    fake.add_classic(TOKEN_XML)
    fake.add_client(
        OAuthClient(CLIENT_ID, secret=CLIENT_SECRET, methods=("client_secret_post", "client_secret_basic"))
    )
    fake.add_client(OAuthClient(JWT_CLIENT_ID, public_key=key.public_key(), methods=("private_key_jwt",)))
    fake.rows["Profit_Functions"] = [{"Id": i, "Name": f"f{i}"} for i in range(250)]
    env: dict[str, Any] = {
        "tenant": "12345",
        "type": "production",
        "base_url": base_url,
        "allow_non_afas_host": True,
        "app_connectors": app_connectors_yaml(key_file, alg=alg),
    }
    env.update(extra_env or {})
    data = {"environments": {"production": env}}
    path = tmp_path / "afasgov.yaml"
    if write:
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    config = parse_config(data, path=path)
    return Setup(fake=fake, config=config, tmp=tmp_path)


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ec_key: ec.EllipticCurvePrivateKey) -> Setup:
    """A fake at ``http://127.0.0.1:9/ProfitRestServices`` used through ``httpx.MockTransport``."""
    return make_setup(tmp_path, monkeypatch, ec_key, base_url="http://127.0.0.1:9/ProfitRestServices")
