"""Sentinel secrets: run representative commands with a recognisable classic token, client secret and
private key against the simulator; none of them, nor their base64 forms, may appear in stdout,
stderr, the debug log or any file the commands write."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric import ec

from .conftest import pem

pytestmark = pytest.mark.e2e

SENTINEL_DATA = "5E471BE15E471BE1" * 4
SENTINEL_XML = f"<token><version>1</version><data>{SENTINEL_DATA}</data></token>"
SENTINEL_SECRET = "SENTINEL-client-secret-7f3Kq9Zt2W"
WRONG_SECRET = "SENTINEL-wrong-secret-88aa77bb66"


def forms(value: str) -> list[str]:
    """The value and the encodings it could leak in."""
    raw = value.encode()
    out = {
        value,
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        base64.b64encode(raw).decode().rstrip("="),
    }
    return sorted(out)


def pem_fragments(pem_text: str) -> list[str]:
    """Every base64 line of the PEM body (each is a piece of the key) plus the whole PEM."""
    lines = [ln for ln in pem_text.splitlines() if ln and not ln.startswith("-----")]
    return [pem_text.strip(), *[ln for ln in lines if len(ln) >= 16]]


@pytest.fixture(scope="module")
def sentinel_env(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from .simhelp import demo_dataset, enable_jwt, sim_testing

    key = ec.generate_private_key(ec.SECP256R1())
    key_pem = pem(key)
    dataset = demo_dataset()
    for env in dataset.environments.values():
        env.app_connectors["legacy-portal"].classic_token = SENTINEL_DATA
        env.app_connectors["iam"].oauth.secret = SENTINEL_SECRET
    jwt_client = enable_jwt(dataset, "accept", "finance-bi", key, alg="ES256")
    work = tmp_path_factory.mktemp("sentinel")
    secrets = tmp_path_factory.mktemp("secrets-outside")
    for name, text in {"token.xml": SENTINEL_XML, "fin.pem": key_pem}.items():
        (secrets / name).write_text(text)
        (secrets / name).chmod(0o600)
    with sim_testing.running_sim(dataset) as sim:
        iam_ids = {name: sim.credential(name, "iam").client_id for name in ("production", "accept")}
        envs: dict[str, Any] = {}
        for name in ("production", "accept"):
            iam_id = iam_ids[name]
            envdef = sim.dataset.environment(name)
            acs: dict[str, Any] = {
                "legacy-portal": {"auth": {"type": "classic", "token_file": str(secrets / "token.xml")}},
                "iam": {
                    "auth": {
                        "type": "oauth",
                        "client_id": iam_id,
                        "method": "client_secret_post",
                        "client_secret_env": "AFASGOV_SENTINEL_SECRET",
                    }
                },
            }
            if name == "accept":
                acs["iam-basic"] = {
                    "auth": {
                        "type": "oauth",
                        "client_id": iam_id,
                        "method": "client_secret_basic",
                        "client_secret_env": "AFASGOV_SENTINEL_SECRET",
                    }
                }
                acs["finance-bi"] = {
                    "auth": {
                        "type": "oauth",
                        "client_id": jwt_client,
                        "method": "private_key_jwt",
                        "private_key_file": str(secrets / "fin.pem"),
                        "alg": "ES256",
                        "kid": "k1",
                    }
                }
            envs[name] = {
                "tenant": envdef.tenant,
                "type": envdef.type,
                "base_url": sim.base_url_for(name),
                "allow_non_afas_host": True,
                "app_connectors": acs,
            }
        (work / "afasgov.yaml").write_text(yaml.safe_dump({"environments": envs}, sort_keys=False))
        yield {"dir": work, "key_pem": key_pem, "iam_ids": list(iam_ids.values())}


def run_logged(
    cwd: Path, log: Path, *args: str, secret: str = SENTINEL_SECRET
) -> subprocess.CompletedProcess[str]:
    """Run the CLI with DEBUG logging of every logger (httpx, afasgov) into ``log``."""
    code = (
        "import logging, sys; logging.basicConfig(level=logging.DEBUG, filename=sys.argv[1]); "
        "from afasgov.cli import main; main(sys.argv[2:])"
    )
    env = {**os.environ, "AFASGOV_SENTINEL_SECRET": secret}
    return subprocess.run(
        [sys.executable, "-c", code, str(log), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_no_sentinel_secret_anywhere(sentinel_env: Any) -> None:
    work: Path = sentinel_env["dir"]
    log = work.parent / f"{work.name}-debug.log"
    outputs: list[str] = []
    codes: dict[str, int] = {}

    def run(name: str, *args: str, secret: str = SENTINEL_SECRET) -> subprocess.CompletedProcess[str]:
        result = run_logged(work, log, *args, secret=secret)
        outputs.extend([result.stdout, result.stderr])
        codes[name] = result.returncode
        return result

    ok = run("check", "check")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    run("check-json", "--debug", "check", "--format", "json")
    bad = run("check-wrong-secret", "--debug", "--verbose", "check", "accept", secret=WRONG_SECRET)
    assert bad.returncode == 3
    assert "invalid_client" in bad.stderr
    # representative commands of the other parts, as far as they exist (exit codes are theirs to test)
    run("snapshot", "--debug", "snapshot", "--all")
    run(
        "audit",
        "--debug",
        "audit",
        "--format",
        "json",
        "--output",
        str(work / "reports" / "audit.json"),
        "--no-history",
    )

    assert ok.stdout.count(" ok") >= 5
    needles = [
        *forms(SENTINEL_XML),
        *forms(SENTINEL_DATA),
        *forms(SENTINEL_SECRET),
        *forms(WRONG_SECRET),
        *pem_fragments(sentinel_env["key_pem"]),
    ]
    for iam_id in sentinel_env["iam_ids"]:
        needles += [*forms(f"{iam_id}:{SENTINEL_SECRET}"), *forms(f"{iam_id}:{WRONG_SECRET}")]
    haystacks: dict[str, str] = {f"output {i}": text for i, text in enumerate(outputs)}
    haystacks["debug log"] = log.read_text(errors="replace") if log.exists() else ""
    written = [p for p in work.rglob("*") if p.is_file() and p.name != "afasgov.yaml"]
    for path in written:
        haystacks[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    assert haystacks["debug log"], "the debug log should not be empty (httpx logs every request)"
    for where, text in haystacks.items():
        for needle in needles:
            assert needle not in text, f"a sentinel secret leaked into {where} (commands: {codes})"
