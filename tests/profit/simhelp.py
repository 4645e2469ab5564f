"""Helpers to run the embedded simulator (afasgov.sim) with credentials the test controls."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization

sim_testing = pytest.importorskip(
    "afasgov.sim.testing", reason="the simulator (afasgov.sim) is not available"
)


def demo_dataset() -> Any:
    from afasgov.sim.datasets import load_dataset

    return copy.deepcopy(load_dataset("demo"))


def public_pem(key: Any) -> bytes:
    return bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def enable_jwt(dataset: Any, env_name: str, app: str, key: Any, *, alg: str, kid: str | None = "k1") -> str:
    """Register ``key`` for ``private_key_jwt`` on one App Connector; return its client id."""
    env = dataset.environment(env_name)
    env.oauth_methods = tuple(dict.fromkeys((*env.oauth_methods, "client_secret_basic", "private_key_jwt")))
    oauth = env.app_connectors[app].oauth
    oauth.methods = tuple(dict.fromkeys((*oauth.methods, "private_key_jwt")))
    oauth.public_key_pem = public_pem(key)
    oauth.alg = alg
    oauth.kid = kid
    return str(oauth.client_id)


def opt_in_loopback(config_path: Path) -> None:
    """Add ``allow_non_afas_host: true`` to every environment of a written config (the simulator
    serves on 127.0.0.1, which is not an AFAS host: afasgov.yaml must opt in explicitly)."""
    data = yaml.safe_load(config_path.read_text())
    for env in data["environments"].values():
        env.setdefault("allow_non_afas_host", True)
    config_path.write_text(yaml.safe_dump(data, sort_keys=False))
