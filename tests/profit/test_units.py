"""Units: private keys vs alg, credentials loading, limiter semantics, retry policy, check helpers."""

from __future__ import annotations

import asyncio
import random
import threading
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from afasgov.errors import ConfigError
from afasgov.profit.check import check_environments, describe_token_expiry, render_table
from afasgov.profit.credentials import (
    ClassicCredentials,
    ClientSecretCredentials,
    PrivateKeyCredentials,
    PrivateKeyError,
    load_credentials,
    parse_private_key,
)
from afasgov.profit.limits import Limiter, LimiterRegistry
from afasgov.profit.retry import RetryPolicy, parse_retry_after
from afasgov.secrets import Secret

from .conftest import Setup, make_setup, pem
from .fake_profit import FakeProfit, empty


def test_credentials_per_auth_type(setup: Setup) -> None:
    assert isinstance(load_credentials(setup.ac("classic")), ClassicCredentials)
    post = load_credentials(setup.ac("post"))
    assert isinstance(post, ClientSecretCredentials) and post.method == "client_secret_post"
    jwt_creds = load_credentials(setup.ac("jwt"))
    assert (
        isinstance(jwt_creds, PrivateKeyCredentials)
        and jwt_creds.key.alg == "ES256"
        and jwt_creds.kid == "key-1"
    )
    assert "PRIVATE" not in repr(jwt_creds) and "BEGIN" not in repr(jwt_creds)


@pytest.fixture(scope="module")
def odd_keys() -> dict[str, str]:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    p384 = ec.generate_private_key(ec.SECP384R1())
    edk = ed25519.Ed25519PrivateKey.generate()
    p256 = ec.generate_private_key(ec.SECP256R1())
    encrypted = p256.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    ).decode()
    public = (
        p256.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    traditional = p256.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    return {
        "small": pem(small),
        "p384": pem(p384),
        "ed": pem(edk),
        "encrypted": encrypted,
        "public": public,
        "traditional": traditional,
        "p256": pem(p256),
    }


@pytest.mark.parametrize(
    ("name", "alg", "reason"),
    [
        ("small", "RS256", "1024 bits; AFAS needs at least 2048"),
        ("p384", "ES256", "secp384r1; ES256 needs P-256"),
        ("p384", None, "P-256"),
        ("ed", None, "AFAS accepts RSA"),
        ("encrypted", "ES256", "encrypted private key"),
        ("public", "ES256", "public key or certificate"),
        ("p256", "RS256", "EC key, but alg RS256 needs an RSA key"),
        ("p256", "PS256", "EC key, but alg PS256"),
    ],
)
def test_private_keys_that_do_not_fit(
    odd_keys: dict[str, str], name: str, alg: str | None, reason: str
) -> None:
    with pytest.raises(PrivateKeyError, match=reason.replace("(", r"\(")) as info:
        parse_private_key(Secret(odd_keys[name]), alg)
    assert "BEGIN" not in str(info.value)


def test_rsa_key_with_es256(rsa_key: Any) -> None:
    with pytest.raises(PrivateKeyError, match="RSA key, but alg ES256"):
        parse_private_key(Secret(pem(rsa_key)), "ES256")
    assert parse_private_key(Secret(pem(rsa_key)), None).alg == "RS256"
    assert parse_private_key(Secret(pem(rsa_key)), "PS256").alg == "PS256"


def test_traditional_ec_pem_is_accepted(odd_keys: dict[str, str]) -> None:
    assert parse_private_key(Secret(odd_keys["traditional"]), None).alg == "ES256"


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "",
        "-----BEGIN PRIVATE KEY-----\nnot base64 !!\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----\n",
        "-----BEGIN RSA PRIVATE KEY-----\n" + "A" * 200 + "\n-----END RSA PRIVATE KEY-----\n",
    ],
)
def test_garbage_keys(text: str) -> None:
    with pytest.raises(PrivateKeyError):
        parse_private_key(Secret(text), None)


def test_bad_key_file_is_a_config_error_with_key_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ec_key: Any
) -> None:
    s = make_setup(tmp_path, monkeypatch, ec_key, base_url="http://127.0.0.1:9/P", alg="RS256")
    with pytest.raises(ConfigError) as info:
        load_credentials(s.ac("jwt"))
    assert info.value.key_path == "environments.production.app_connectors.jwt.auth.private_key_file"
    assert "EC key, but alg RS256" in str(info.value) and "jwt.pem" in str(info.value)


def test_malformed_classic_token_is_a_config_error(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AFASGOV_TEST_TOKEN", "<token><version>1</version><data>XYZ</data></token>")
    with pytest.raises(ConfigError, match="64 hexadecimal") as info:
        load_credentials(setup.ac("classic"))
    assert info.value.key_path == "environments.production.app_connectors.classic.auth.token_env"


# ------------------------------------------------------------------------------------ limiter
def test_limiter_bounds_concurrency_and_survives_cancellation() -> None:
    limiter = Limiter("x", 2)
    active = 0
    peak = 0

    async def work(i: int) -> None:
        nonlocal active, peak
        async with limiter:
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.001 * (i % 3))
            active -= 1

    async def main() -> None:
        tasks = [asyncio.create_task(work(i)) for i in range(30)]
        await asyncio.sleep(0)
        for t in tasks[5:15]:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(main())
    assert peak == 2 and limiter.peak == 2
    assert limiter.in_flight == 0
    asyncio.run(main())  # a second event loop reuses the same limiter
    assert limiter.in_flight == 0


def test_limiter_across_threads() -> None:
    limiter = Limiter("t", 3)
    lock = threading.Lock()
    active = [0, 0]

    async def one() -> None:
        async with limiter:
            with lock:
                active[0] += 1
                active[1] = max(active[1], active[0])
            await asyncio.sleep(0.002)
            with lock:
                active[0] -= 1

    def thread() -> None:
        async def many() -> None:
            await asyncio.gather(*(one() for _ in range(10)))

        asyncio.run(many())

    threads = [threading.Thread(target=thread) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert active[1] <= 3 and limiter.in_flight == 0 and limiter.total == 40


def test_registry_shares_lowers_and_caps_globally() -> None:
    reg = LimiterRegistry()
    a = reg.for_env("production", 8, base_url="https://1.rest.afas.online/ProfitRestServices")
    b = reg.for_env("prod-again", 5, base_url="https://1.rest.afas.online/ProfitRestServices/")
    assert a is b and a.max_in_flight == 5
    assert reg.for_env("other", 50).max_in_flight == 8  # never above AFAS's 8
    reg.set_global_max(3)
    assert a.parent is reg.global_limiter
    c = reg.for_env("third", 8)
    assert c.parent is reg.global_limiter

    async def main() -> None:
        async def one(lim: Limiter) -> None:
            async with lim:
                await asyncio.sleep(0.002)

        await asyncio.gather(*(one(x) for x in [a, c] * 10))

    asyncio.run(main())
    assert reg.global_limiter is not None and reg.global_limiter.peak == 3


# ------------------------------------------------------------------------------------ retry
def test_backoff_grows_with_jitter_and_cap() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0, rng=random.Random(1))
    for attempt, (lo, hi) in enumerate([(0.5, 1), (1, 2), (2, 4), (4, 8), (4, 8)], start=1):
        assert lo <= policy.backoff(attempt) <= hi
    assert policy.delay_after_503(4, 1) is None  # attempts exhausted
    assert policy.delay_after_503(1, None) is not None


def test_parse_retry_after() -> None:
    assert parse_retry_after({"retry_after": 7200}, {}) == 7200
    assert parse_retry_after({"retry_after": "30"}, {}) == 30
    assert parse_retry_after(None, {"retry-after": "12"}) == 12
    assert parse_retry_after(None, {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=1445412470) == 10
    assert parse_retry_after(None, {"retry-after": "garbage"}) is None
    assert parse_retry_after({"retry_after": True}, {}) is None


# ------------------------------------------------------------------------------------ check
@pytest.mark.parametrize(
    ("value", "text", "note"),
    [
        ("0", "never", "never expires"),
        ("", "never", "never expires"),
        (None, "never", "never expires"),
        ("2027-06-30T00:00:00", "2027-06-30 (545 d)", None),
        ("2026-01-10", "2026-01-10 (9 d)", "expires in 9 days"),
        ("2025-12-01", "2025-12-01 (expired)", "expired on 2025-12-01"),
        ("31-12-2026", "2026-12-31 (364 d)", None),
        ("someday", "someday", None),
    ],
)
def test_token_expiry(value: Any, text: str, note: str | None) -> None:
    shown, notes = describe_token_expiry(value, today=date(2026, 1, 1))
    assert shown == text
    assert (note is None and not notes) or (note is not None and any(note in n for n in notes))


def test_check_environments_mixed_results(setup: Setup) -> None:
    broken = FakeProfit(prefix="/ProfitRestServices")
    broken.script(empty(403), times=5)

    def factory(env: Any, ac: Any) -> httpx.AsyncBaseTransport:
        return broken.transport() if ac.name == "basic" else setup.fake.transport()

    results = asyncio.run(
        check_environments([setup.env()], transport_factory=factory, today=date(2026, 1, 1))
    )
    by = {r.app_connector: r for r in results}
    assert set(by) == {"classic", "post", "basic", "jwt"}
    assert by["basic"].ok is False and by["basic"].reachable is True and by["basic"].authenticated is False
    assert "403" in (by["basic"].error or "")
    for name in ("classic", "post", "jwt"):
        assert by[name].ok and by[name].profit_version == "22.22.5" and by[name].envid == "O12345AA"
    assert by["post"].token_expiry_text == by["jwt"].token_expiry_text == "never"
    assert by["classic"].token_expiry_text == "2027-05-01 (485 d)"  # a classic token ends then, "0" or not
    assert by["post"].access_token_lifetime == 3600 and by["classic"].access_token_lifetime is None
    assert any("classic tokens expire" in n for n in by["classic"].notes)
    table = render_table(results)
    assert table[0].startswith("ENVIRONMENT") and len(table) == 5
    assert "refused" in next(line for line in table if "basic" in line)  # 403: the IP restriction


def test_check_flags_envid_mismatch(setup: Setup) -> None:
    setup.fake.envid = "T12345AA"
    results = asyncio.run(
        check_environments([setup.env()], transport_factory=lambda e, a: setup.fake.transport())
    )
    assert all(any("does not look like a production" in n for n in r.notes) for r in results)


def test_httpcore_learns_the_async_library_without_searching_sys_path_per_request() -> None:
    """httpcore imports sniffio per request; where it is not installed, afasgov marks it absent once, so
    httpcore's answer (asyncio) costs no search of sys.path."""
    import subprocess
    import sys

    code = """
import asyncio, importlib.machinery, importlib.util
import afasgov.profit.client
from httpcore._synchronization import current_async_library
searches = []
original = importlib.machinery.PathFinder.find_spec
def counting(name, path=None, target=None):
    searches.append(name)
    return original(name, path, target)
importlib.machinery.PathFinder.find_spec = counting
async def main():
    return {current_async_library() for _ in range(50)}
print(asyncio.run(main()), len([s for s in searches if s == "sniffio"]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    libraries, searches = out.rsplit(" ", 1)
    assert libraries == "{'asyncio'}", out
    # absent: no search at all (marked once, before); installed (another package may bring it): its first
    # import only. Before: a search per call, 50 or more.
    assert int(searches) <= 1, out
