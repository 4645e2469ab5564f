"""The OAuth access-token cache shared by clients of one process (afasgov.profit.tokencache).

End to end against the simulator over a loopback socket (the simulator counts the access tokens it
issues), plus the cache's own concurrency semantics: single flight across tasks and threads, a
cancelled requester handing over, failures shared, expiry, 401 invalidation.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from afasgov.config import Config, load_config
from afasgov.profit import errors as E
from afasgov.profit.client import ProfitClient, SyncProfitClient
from afasgov.profit.oauth import AccessToken
from afasgov.profit.retry import RetryPolicy
from afasgov.profit.tokencache import TokenCache, TokenKey, shared_token_cache, token_cache_for
from afasgov.secrets import Secret

from .simhelp import opt_in_loopback, sim_testing

pytestmark = pytest.mark.anyio


async def no_sleep(_s: float) -> None:
    return None


FAST = RetryPolicy(sleep=no_sleep, max_attempts=2)


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Config]]:
    with sim_testing.running_sim("demo", latency_ms=5) as running:
        path = running.write_config(tmp_path_factory.mktemp("tokencache") / "afasgov.yaml")
        opt_in_loopback(path)
        yield running, load_config(path)


def issued(sim: Any) -> int:
    return int(sim.state.tokens.issued)


def client(config: Config, env: str, app: str, **kw: Any) -> ProfitClient:
    e = config.environment(env)
    return ProfitClient(e, e.app_connectors[app], retry=FAST, **kw)


# ------------------------------------------------------------------------------ against the simulator
async def test_many_clients_of_one_app_connector_request_one_token(sim: tuple[Any, Config]) -> None:
    running, config = sim
    before = issued(running)
    for _ in range(5):  # one after the other, each closed before the next (check, snapshot, verify …)
        async with client(config, "production", "finance-bi") as c:
            assert (await c.metainfo())["info"]["envid"] == "O12345AA"
    clients = [client(config, "production", "finance-bi") for _ in range(20)]  # and all at once
    try:
        metas = await asyncio.gather(*(c.metainfo() for c in clients))
        assert all(m["info"]["appName"].startswith("Power BI") for m in metas)
        assert sum(c.token_requests for c in clients) == 0
        assert clients[0].access_token is clients[-1].access_token is not None
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    assert issued(running) - before == 1


async def test_concurrent_first_use_by_many_clients_is_one_token_request(sim: tuple[Any, Config]) -> None:
    running, config = sim
    before = issued(running)
    cache = TokenCache()
    clients = [client(config, "test", "iam", token_cache=cache) for _ in range(12)]
    try:
        await asyncio.gather(*(c.metainfo() for c in clients))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    assert issued(running) - before == 1
    assert sum(c.token_requests for c in clients) == 1
    assert cache.requests() == 1


async def test_each_environment_and_app_connector_has_its_own_token(sim: tuple[Any, Config]) -> None:
    running, config = sim
    cache = TokenCache()
    before = issued(running)
    pairs = [("production", "finance-bi"), ("production", "iam"), ("test", "finance-bi"), ("production", "iam")]
    tokens = []
    for env, app in pairs:
        async with client(config, env, app, token_cache=cache) as c:
            meta = await c.metainfo()
            assert meta["info"]["envid"][0] == {"production": "O", "test": "T"}[env]
            tokens.append(c.access_token)
    assert issued(running) - before == 3
    assert tokens[1] is tokens[3]
    assert len({id(t) for t in tokens}) == 3


async def test_a_401_invalidates_the_shared_token_once(sim: tuple[Any, Config]) -> None:
    running, config = sim
    cache = TokenCache()
    a = client(config, "production", "iam", token_cache=cache)
    b = client(config, "production", "iam", token_cache=cache)
    try:
        await a.metainfo()
        await b.metainfo()
        old = a.access_token
        before = issued(running)
        running.state.tokens.revoke_all()  # AFAS revoked the tokens: every client gets a 401
        await asyncio.gather(a.metainfo(), b.metainfo(), a.profit_version(), b.profit_version())
        assert issued(running) - before == 1  # one re-authentication for all of them
        assert a.access_token is b.access_token is not old
        # a second revocation: again exactly one new token
        running.state.tokens.revoke_all()
        await b.metainfo()
        await a.metainfo()
        assert issued(running) - before == 2
    finally:
        await a.aclose()
        await b.aclose()


async def test_wrong_secret_does_not_reuse_the_right_one(sim: tuple[Any, Config]) -> None:
    """The key includes (a digest of) the credential: a bad secret fails, it never rides on a good token."""
    running, config = sim
    env = config.environment("production")
    ac = env.app_connectors["iam"]
    async with ProfitClient(env, ac, retry=FAST) as good:
        await good.metainfo()
    from afasgov.profit.credentials import ClientSecretCredentials

    creds = ClientSecretCredentials(
        client_id=str(ac.auth.client_id), secret=Secret("not-the-secret"), method="client_secret_post"
    )
    async with ProfitClient(env, ac, retry=FAST, credentials=creds) as bad:
        with pytest.raises(E.InvalidClientError):
            await bad.metainfo()
    assert running.state.requests > 0


def test_sync_clients_in_threads_share_one_token(sim: tuple[Any, Config]) -> None:
    running, config = sim
    env = config.environment("accept")  # accept: finance-bi signs a private_key_jwt assertion
    cache = TokenCache()
    before = issued(running)
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []
    envids: list[str] = []

    def work() -> None:
        try:
            with SyncProfitClient(env, env.app_connectors["finance-bi"], retry=FAST, token_cache=cache) as c:
                barrier.wait(timeout=30)
                envids.append(c.metainfo()["info"]["envid"])
                envids.append(c.metainfo()["info"]["envid"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert envids == ["A12345AA"] * 12
    assert issued(running) - before == 1
    assert cache.requests() == 1


async def test_network_clients_share_the_process_cache_and_transport_clients_their_own(
    sim: tuple[Any, Config],
) -> None:
    _, config = sim
    import httpx

    env = config.environment("production")
    async with ProfitClient(env, env.app_connectors["iam"]) as c:
        assert c.token_cache is shared_token_cache()
    transport = httpx.MockTransport(lambda r: httpx.Response(500))
    async with ProfitClient(env, env.app_connectors["iam"], transport=transport) as c1, ProfitClient(
        env, env.app_connectors["iam"], transport=transport
    ) as c2:
        assert c1.token_cache is c2.token_cache is token_cache_for(transport)
        assert c1.token_cache is not shared_token_cache()
    other = httpx.MockTransport(lambda r: httpx.Response(500))
    assert token_cache_for(other) is not token_cache_for(transport)


# ------------------------------------------------------------------------------ the cache itself
KEY = TokenKey("production", "x", "http://127.0.0.1:9/P", "cid", "client_secret_post", "digest", "clock")


def token(obtained_at: float = 0.0, expires_in: float = 3600.0, value: str = "t") -> AccessToken:
    return AccessToken(Secret(value), "Bearer", expires_in, obtained_at)


async def test_single_flight_and_reuse() -> None:
    cache = TokenCache()
    calls = 0

    async def fetch() -> AccessToken:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return token(value=f"t{calls}")

    got = await asyncio.gather(*(cache.get(KEY, lambda: 0.0, fetch) for _ in range(10)))
    assert calls == 1 and len({id(t) for t in got}) == 1
    assert await cache.get(KEY, lambda: 100.0, fetch) is got[0]
    assert calls == 1 and cache.requests(KEY) == 1 and cache.peek(KEY) is got[0]
    assert "t1" not in repr(cache) and repr(cache) == "TokenCache(1 keys, 1 tokens)"


async def test_expired_and_stale_tokens_are_replaced() -> None:
    cache = TokenCache()
    values = iter(["a", "b", "c", "d"])

    async def fetch() -> AccessToken:
        return token(value=next(values))

    first = await cache.get(KEY, lambda: 0.0, fetch)
    assert (await cache.get(KEY, lambda: 3600 - 61, fetch)) is first  # within the 60 s margin: kept
    second = await cache.get(KEY, lambda: 3600 - 59, fetch)  # about to expire: replaced
    assert second is not first and second.value.reveal() == "b"
    # a 401 with `first` (already replaced by another client) does not request again
    assert await cache.get(KEY, lambda: 0.0, fetch, stale=first) is second
    third = await cache.get(KEY, lambda: 0.0, fetch, stale=second)
    assert third.value.reveal() == "c" and cache.requests(KEY) == 3
    cache.invalidate(KEY)
    assert cache.peek(KEY) is None
    assert (await cache.get(KEY, lambda: 0.0, fetch)).value.reveal() == "d"
    cache.clear()
    assert cache.peek(KEY) is None


async def test_a_failed_request_is_shared_then_retried() -> None:
    cache = TokenCache()
    calls = 0

    async def failing() -> AccessToken:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise ValueError("refused")

    results = await asyncio.gather(
        *(cache.get(KEY, lambda: 0.0, failing) for _ in range(5)), return_exceptions=True
    )
    assert calls == 1 and all(isinstance(r, ValueError) for r in results)

    async def ok() -> AccessToken:
        return token(value="ok")

    assert (await cache.get(KEY, lambda: 0.0, ok)).value.reveal() == "ok"  # the next caller tries again


async def test_a_cancelled_requester_hands_over_to_a_waiter() -> None:
    cache = TokenCache()
    started = asyncio.Event()
    calls = 0

    async def fetch() -> AccessToken:
        nonlocal calls
        calls += 1
        if calls == 1:
            started.set()
            await asyncio.sleep(10)
        return token(value=f"t{calls}")

    owner = asyncio.create_task(cache.get(KEY, lambda: 0.0, fetch))
    await started.wait()
    waiter = asyncio.create_task(cache.get(KEY, lambda: 0.0, fetch))
    await asyncio.sleep(0)
    owner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await owner
    got = await asyncio.wait_for(waiter, 5)
    assert got.value.reveal() == "t2" and calls == 2


async def test_a_cancelled_waiter_does_not_disturb_the_others() -> None:
    cache = TokenCache()
    release = asyncio.Event()

    async def fetch() -> AccessToken:
        await release.wait()
        return token(value="shared")

    owner = asyncio.create_task(cache.get(KEY, lambda: 0.0, fetch))
    await asyncio.sleep(0)
    w1 = asyncio.create_task(cache.get(KEY, lambda: 0.0, fetch))
    w2 = asyncio.create_task(cache.get(KEY, lambda: 0.0, fetch))
    await asyncio.sleep(0)
    w1.cancel()
    release.set()
    assert (await owner).value.reveal() == "shared"
    assert (await w2) is cache.peek(KEY)
    with pytest.raises(asyncio.CancelledError):
        await w1
    assert cache.requests(KEY) == 1


def test_threads_with_their_own_event_loops_share_one_request() -> None:
    cache = TokenCache()
    calls = 0
    lock = threading.Lock()
    barrier = threading.Barrier(8)
    got: list[AccessToken] = []

    async def fetch() -> AccessToken:
        nonlocal calls
        with lock:
            calls += 1
        await asyncio.sleep(0.05)
        return token(value="threaded")

    def work() -> None:
        barrier.wait(timeout=10)
        got.append(asyncio.run(cache.get(KEY, lambda: 0.0, fetch)))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(got) == 8 and calls == 1 and len({id(t) for t in got}) == 1


def test_key_never_shows_the_credential_digest() -> None:
    assert "digest" not in repr(KEY) and "production" in repr(KEY)
