"""ProfitClient against the in-process fake (httpx.MockTransport): auth, endpoints, errors, retries."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from afasgov.config import parse_config
from afasgov.errors import RemoteError, UsageError
from afasgov.profit import errors as E
from afasgov.profit.client import ProfitClient, SyncProfitClient
from afasgov.profit.limits import Limiter
from afasgov.profit.retry import RetryPolicy
from afasgov.profit.urls import Filter

from .conftest import CLIENT_SECRET, TOKEN_B64, TOKEN_DATA, TOKEN_XML, Setup
from .fake_profit import empty, error_500, error_503, json_response

pytestmark = pytest.mark.anyio

AUTHS = ["classic", "post", "basic", "jwt"]


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def client(s: Setup, ac: str = "classic", *, retry: RetryPolicy | None = None, **kw: Any) -> ProfitClient:
    return ProfitClient(
        s.env(),
        s.ac(ac),
        transport=s.fake.transport(),
        retry=retry or RetryPolicy(sleep=Sleeps()),
        limiter=kw.pop("limiter", Limiter("t", 8)),
        **kw,
    )


def api_requests(s: Setup) -> list[httpx.Request]:
    return [r for r in s.fake.requests if not r.url.path.endswith("/oauth/token")]


def token_requests(s: Setup) -> list[httpx.Request]:
    return [r for r in s.fake.requests if r.url.path.endswith("/oauth/token")]


@pytest.mark.parametrize("ac", AUTHS)
async def test_every_auth_method_reads_metainfo_and_version(setup: Setup, ac: str) -> None:
    async with client(setup, ac) as c:
        meta = await c.metainfo()
        assert meta["info"]["envid"] == "O12345AA"
        assert await c.profit_version() == "22.22.5"
        get = await c.get_metainfo("Profit_Functions")
        assert get["name"] == "Profit_Functions"
        upd = await c.update_metainfo("KnSubject")
        assert upd["name"] == "KnSubject"
    assert len(api_requests(setup)) == 4
    assert len(token_requests(setup)) == (0 if ac == "classic" else 1)


async def test_classic_header_is_base64_of_token_xml(setup: Setup) -> None:
    async with client(setup, "classic") as c:
        await c.metainfo()
    header = setup.fake.requests[0].headers["authorization"]
    assert header == f"AfasToken {TOKEN_B64}"
    assert TOKEN_DATA not in header  # never the plain token


async def test_classic_token_given_as_base64_sends_the_same_header(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AFASGOV_TEST_TOKEN", TOKEN_B64 + "\n")
    async with client(setup, "classic") as c:
        await c.metainfo()
    assert setup.fake.requests[0].headers["authorization"] == f"AfasToken {TOKEN_B64}"


async def test_standard_headers(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, ec_key: Any) -> None:
    from .conftest import make_setup

    s = make_setup(
        tmp_path,
        monkeypatch,
        ec_key,
        base_url="http://127.0.0.1:9/ProfitRestServices",
        extra_env={"integration_id": "12345_678901", "language": "nl-NL"},
    )
    async with client(s, "post") as c:
        await c.metainfo()
    req = api_requests(s)[0]
    assert req.headers["accept"] == "application/json"
    assert req.headers["accept-language"] == "nl-nl"
    assert req.headers["integrationid"] == "12345_678901"
    assert req.headers["user-agent"].startswith("afasgov/")
    assert req.url.path == "/ProfitRestServices/metainfo"


async def test_default_headers_have_no_integration_id(setup: Setup) -> None:
    async with client(setup) as c:
        await c.metainfo()
    assert "integrationid" not in setup.fake.requests[0].headers
    assert setup.fake.requests[0].headers["accept-language"] == "en-us"


async def test_client_secret_post_form(setup: Setup) -> None:
    async with client(setup, "post") as c:
        await c.metainfo()
    tok = token_requests(setup)[0]
    form = parse_qs(tok.content.decode())
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": ["afasgov-test-client"],
        "client_secret": [CLIENT_SECRET],
    }
    assert "authorization" not in tok.headers
    assert tok.headers["content-type"] == "application/x-www-form-urlencoded"
    assert api_requests(setup)[0].headers["authorization"].startswith("Bearer ")


async def test_client_secret_basic_header(setup: Setup) -> None:
    async with client(setup, "basic") as c:
        await c.metainfo()
    tok = token_requests(setup)[0]
    assert parse_qs(tok.content.decode()) == {"grant_type": ["client_credentials"]}
    scheme, _, value = tok.headers["authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(value).decode() == f"afasgov-test-client:{CLIENT_SECRET}"


async def test_private_key_jwt_new_assertion_per_token_request(setup: Setup) -> None:
    now = [1000.0]
    async with client(setup, "jwt", clock=lambda: now[0]) as c:
        await c.metainfo()
        now[0] += 3600  # the access token has expired on the client's clock
        await c.metainfo()
        assert c.token_requests == 2
    forms = [parse_qs(r.content.decode()) for r in token_requests(setup)]
    assert len(forms) == 2
    assertions = [f["client_assertion"][0] for f in forms]
    assert assertions[0] != assertions[1]
    assert len(setup.fake.seen_jti) == 2
    assert forms[0]["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
    assert "client_secret" not in forms[0]


async def test_access_token_cached_until_shortly_before_expiry(setup: Setup) -> None:
    now = [0.0]
    async with client(setup, "post", clock=lambda: now[0]) as c:
        await c.metainfo()
        now[0] = 3600 - 61  # 10 % of 3600 s is capped to a 60 s margin
        await c.metainfo()
        assert c.token_requests == 1
        now[0] = 3600 - 59
        await c.metainfo()
        assert c.token_requests == 2


async def test_concurrent_requests_share_one_token_request(setup: Setup) -> None:
    setup.fake.latency = 0.01
    async with client(setup, "post") as c:
        await asyncio.gather(*(c.metainfo() for _ in range(10)))
        assert c.token_requests == 1


async def test_reauthenticates_once_on_401(setup: Setup) -> None:
    async with client(setup, "post") as c:
        await c.metainfo()
        setup.fake.revoke_access_tokens()
        assert (await c.metainfo())["info"]["appName"] == "Fake App"
        assert c.token_requests == 2


async def test_persistent_401_after_reauthentication_fails(setup: Setup) -> None:
    setup.fake.script(empty(401), path_contains="/metainfo", times=5)
    async with client(setup, "post") as c:
        with pytest.raises(E.AuthenticationError) as info:
            await c.metainfo()
        assert c.token_requests == 2
    assert len(api_requests(setup)) == 2
    assert info.value.exit_code == 3
    assert "production/post" in str(info.value)
    assert "/ProfitRestServices/metainfo" in str(info.value)


async def test_classic_401_is_not_retried(setup: Setup) -> None:
    setup.fake.classic_tokens.clear()
    async with client(setup, "classic") as c:
        with pytest.raises(E.AuthenticationError, match="classic token"):
            await c.metainfo()
    assert len(setup.fake.requests) == 1


@pytest.mark.parametrize(
    ("response", "cls"),
    [
        (empty(403), E.IPRestrictedError),
        (empty(404), E.NotFoundError),
        (empty(413), E.RequestTooLargeError),
        (empty(418), E.HTTPStatusError),
    ],
)
async def test_status_mapping(setup: Setup, response: httpx.Response, cls: type[Exception]) -> None:
    setup.fake.script(response, path_contains="/metainfo")
    sleeps = Sleeps()
    async with client(setup, retry=RetryPolicy(sleep=sleeps)) as c:
        with pytest.raises(cls) as info:
            await c.metainfo()
    assert type(info.value) is cls
    assert sleeps.calls == []  # 4xx are never retried
    assert len(setup.fake.requests) == 1
    assert "\n" not in str(info.value)


async def test_ip_restriction_of_the_whole_app_connector(setup: Setup) -> None:
    setup.fake.forbidden = True
    async with client(setup, "jwt") as c:
        with pytest.raises(E.IPRestrictedError, match="IP restriction"):
            await c.metainfo()


async def test_500_carries_afas_error_fields(setup: Setup) -> None:
    setup.fake.script(error_500("Connector is blocked", -2147180999), path_contains="/metainfo")
    sleeps = Sleeps()
    async with client(setup, retry=RetryPolicy(sleep=sleeps)) as c:
        with pytest.raises(E.ProfitServerError) as info:
            await c.get_metainfo("Profit_Functions")
    err = info.value
    assert err.external_message == "Connector is blocked"
    assert err.error_number == -2147180999
    assert err.profit_log_reference == "3A4C00D1"
    assert err.status == 500
    assert sleeps.calls == []  # 500 is not retried
    assert "Connector is blocked" in str(err) and "3A4C00D1" in str(err)


async def test_500_without_body(setup: Setup) -> None:
    setup.fake.script(empty(500), path_contains="/metainfo")
    async with client(setup) as c:
        with pytest.raises(E.ProfitServerError, match="no AFAS error body") as info:
            await c.metainfo()
    assert info.value.external_message is None


async def test_503_is_retried_honouring_retry_after(setup: Setup) -> None:
    setup.fake.script(error_503(retry_after=7), path_contains="/metainfo", times=2)
    sleeps = Sleeps()
    async with client(setup, retry=RetryPolicy(sleep=sleeps, max_attempts=4)) as c:
        assert (await c.metainfo())["info"]
    assert len(sleeps.calls) == 2
    assert all(7 <= s <= 7.25 for s in sleeps.calls)


async def test_503_retry_after_is_capped(setup: Setup) -> None:
    setup.fake.script(error_503(retry_after=200), path_contains="/metainfo")
    sleeps = Sleeps()
    async with client(setup, retry=RetryPolicy(sleep=sleeps, retry_after_cap=30)) as c:
        await c.metainfo()
    assert len(sleeps.calls) == 1 and 30 <= sleeps.calls[0] <= 30.25


async def test_503_maintenance_window_fails_at_once(setup: Setup) -> None:
    setup.fake.script(error_503(retry_after=7200), path_contains="/metainfo")
    sleeps = Sleeps()
    async with client(setup, retry=RetryPolicy(sleep=sleeps)) as c:
        with pytest.raises(E.ServiceUnavailableError) as info:
            await c.metainfo()
    assert sleeps.calls == []
    assert info.value.retry_after == 7200
    assert "Maintenance" in str(info.value)


async def test_503_persisting_gives_up_after_bounded_attempts(setup: Setup) -> None:
    setup.fake.script(empty(503, {"Retry-After": "2"}), path_contains="/metainfo", times=10)
    sleeps = Sleeps()
    async with client(setup, retry=RetryPolicy(sleep=sleeps, max_attempts=3)) as c:
        with pytest.raises(E.ServiceUnavailableError) as info:
            await c.metainfo()
    assert len(setup.fake.requests) == 3
    assert len(sleeps.calls) == 2
    assert info.value.retry_after == 2


async def test_transport_failure_is_retried_with_growing_backoff(setup: Setup) -> None:
    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    setup.fake.script(drop, path_contains="/metainfo", times=3)
    sleeps = Sleeps()
    policy = RetryPolicy(sleep=sleeps, max_attempts=4, base_delay=1.0)
    async with client(setup, retry=policy) as c:
        assert (await c.metainfo())["info"]
    assert len(sleeps.calls) == 3
    assert 0.5 <= sleeps.calls[0] <= 1.0 and 1.0 <= sleeps.calls[1] <= 2.0 and 2.0 <= sleeps.calls[2] <= 4.0


async def test_transport_failure_gives_up(setup: Setup) -> None:
    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError("connection reset by peer", request=request)

    setup.fake.script(drop, times=10)
    async with client(setup, retry=RetryPolicy(sleep=Sleeps(), max_attempts=2)) as c:
        with pytest.raises(E.TransportError, match="reset by peer") as info:
            await c.metainfo()
    assert isinstance(info.value, RemoteError)
    assert len(setup.fake.requests) == 2


async def test_timeout_is_a_transport_error(setup: Setup) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    setup.fake.script(slow, times=10)
    async with client(setup, retry=RetryPolicy(sleep=Sleeps(), max_attempts=2)) as c:
        with pytest.raises(E.TimeoutError_):
            await c.metainfo()


async def test_redirect_is_never_followed(setup: Setup) -> None:
    setup.fake.script(httpx.Response(302, headers={"Location": "https://evil.example/steal?token=abc"}))
    async with client(setup, "classic") as c:
        with pytest.raises(E.RedirectError) as info:
            await c.metainfo()
    assert len(setup.fake.requests) == 1
    assert "evil.example/steal" in str(info.value)
    assert "token=abc" not in str(info.value)


@pytest.mark.parametrize(
    ("response", "cls", "match"),
    [
        (
            httpx.Response(
                200,
                content=b"<!DOCTYPE html><html><body>Login</body></html>",
                headers={"Content-Type": "text/html"},
            ),
            E.HTMLResponseError,
            "HTML",
        ),
        (
            httpx.Response(200, content=b"<html>", headers={"Content-Type": "application/octet-stream"}),
            E.HTMLResponseError,
            "HTML",
        ),
        (
            httpx.Response(
                200, content=b'{"info": {"envid": "O1', headers={"Content-Type": "application/json"}
            ),
            E.InvalidJSONError,
            "truncated",
        ),
        (
            httpx.Response(200, content=b'{"info": nope}', headers={"Content-Type": "application/json"}),
            E.InvalidJSONError,
            "Expecting value",
        ),
        (
            httpx.Response(200, content=b"", headers={"Content-Type": "application/json"}),
            E.InvalidJSONError,
            "empty",
        ),
        (
            httpx.Response(200, content=b"[1, 2]", headers={"Content-Type": "application/json"}),
            E.InvalidJSONError,
            "JSON object",
        ),
        (
            httpx.Response(200, content=b"\xff\xfe{}", headers={"Content-Type": "application/json"}),
            E.InvalidJSONError,
            "UTF-8",
        ),
        (
            httpx.Response(
                200, content=b"[" * 100_000 + b"]" * 100_000, headers={"Content-Type": "application/json"}
            ),
            E.InvalidJSONError,
            "nested",
        ),
    ],
)
async def test_bad_responses(
    setup: Setup, response: httpx.Response, cls: type[Exception], match: str
) -> None:
    setup.fake.script(response, path_contains="/metainfo")
    async with client(setup) as c:
        with pytest.raises(cls, match=match):
            await c.metainfo()


async def test_profitversion_without_version(setup: Setup) -> None:
    setup.fake.script(json_response(200, {"v": 1}), path_contains="/profitversion")
    async with client(setup) as c:
        with pytest.raises(E.InvalidJSONError, match="version"):
            await c.profit_version()


@pytest.mark.parametrize("declared", [True, False])
async def test_oversized_response_is_capped(setup: Setup, declared: bool) -> None:
    big = json.dumps({"rows": ["x" * 1000] * 200}).encode()

    async def stream() -> Any:
        for i in range(0, len(big), 4096):
            yield big[i : i + 4096]

    headers = {"Content-Type": "application/json"}
    if declared:
        response = httpx.Response(200, content=big, headers=headers)
    else:
        response = httpx.Response(200, content=stream(), headers=headers)
    setup.fake.script(response, path_contains="/metainfo")
    async with client(setup, max_response_bytes=50_000) as c:
        with pytest.raises(E.ResponseTooLargeError, match="50000"):
            await c.metainfo()


async def test_get_rows_query_parameters(setup: Setup) -> None:
    async with client(setup) as c:
        page = await c.get_rows(
            "Profit_Functions",
            skip=10,
            take=5,
            order_by=["-Id"],
            filters=[[Filter("Name", "=", "f3"), Filter("Id", 4, "3")], [Filter("Name", "empty")]],
        )
    assert page["skip"] == 10
    req = setup.fake.requests[0]
    assert req.url.path == "/ProfitRestServices/connectors/Profit_Functions"
    q = parse_qs(req.url.query.decode(), keep_blank_values=True)
    assert q["skip"] == ["10"] and q["take"] == ["5"] and q["orderbyfieldids"] == ["-Id"]
    assert q["filterfieldids"] == ["Name,Id;Name"]
    assert q["filtervalues"] == ["f3,3;"]
    assert q["operatortypes"] == ["1,4;8"]


async def test_iter_rows_pages_through_everything(setup: Setup) -> None:
    async with client(setup) as c:
        rows = [r async for r in c.iter_rows("Profit_Functions", order_by=["Id"], page_size=100)]
    assert [r["Id"] for r in rows] == list(range(250))
    takes = [parse_qs(r.url.query.decode())["skip"][0] for r in setup.fake.requests]
    assert takes == ["0", "100", "200"]


async def test_iter_rows_exact_multiple_and_max_rows(setup: Setup) -> None:
    setup.fake.rows["Profit_Functions"] = [{"Id": i} for i in range(200)]
    async with client(setup) as c:
        rows = [r async for r in c.iter_rows("Profit_Functions", order_by=["Id"], page_size=100)]
        assert len(rows) == 200
        limited = [
            r async for r in c.iter_rows("Profit_Functions", order_by=["Id"], page_size=30, max_rows=45)
        ]
        assert [r["Id"] for r in limited] == list(range(45))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"take": -1, "order_by": ["Id"]}, "take=-1"),
        ({"take": 0, "order_by": ["Id"]}, "take"),
        ({"skip": -1, "take": 10, "order_by": ["Id"]}, "skip"),
        ({"take": 10, "order_by": []}, "order_by is required"),
        ({"take": 10, "order_by": ["Id"], "filters": [Filter("Name", "=", "a,b")]}, "cannot express"),
        ({"take": 10, "order_by": ["Id"], "filters": [Filter("Name", "~", "a")]}, "operator"),
        ({"take": 1_000_000, "order_by": ["Id"]}, "too large"),
    ],
)
async def test_get_rows_refuses_bad_paging(setup: Setup, kwargs: dict[str, Any], match: str) -> None:
    async with client(setup) as c:
        with pytest.raises(UsageError, match=match):
            await c.get_rows("Profit_Functions", **kwargs)
    assert setup.fake.requests == []


async def test_too_long_query_is_refused_locally(setup: Setup) -> None:
    filters = [Filter("Name", "=", "v" * 40) for _ in range(60)]
    async with client(setup) as c:
        with pytest.raises(UsageError, match="2049"):
            await c.get_rows("Profit_Functions", take=10, order_by=["Id"], filters=filters)
    assert setup.fake.requests == []


@pytest.mark.parametrize("bad", ["", "../metainfo", "a/b", "x?y=1", "Kn\nSubject", ".."])
async def test_connector_ids_cannot_escape_the_path(setup: Setup, bad: str) -> None:
    async with client(setup) as c:
        with pytest.raises(UsageError):
            await c.get_metainfo(bad)
    assert setup.fake.requests == []


@pytest.mark.parametrize(("ac", "cls"), [("post", E.InvalidClientError), ("basic", E.InvalidClientError)])
async def test_wrong_client_secret(
    setup: Setup, monkeypatch: pytest.MonkeyPatch, ac: str, cls: type[Exception]
) -> None:
    monkeypatch.setenv("AFASGOV_TEST_SECRET", "a-wrong-secret-value")
    async with client(setup, ac) as c:
        with pytest.raises(cls, match="invalid_client") as info:
            await c.metainfo()
    assert "a-wrong-secret-value" not in str(info.value)
    assert info.value.status == (401 if ac == "basic" else 400)  # type: ignore[attr-defined]


async def test_unknown_jwt_client_is_invalid_client(setup: Setup) -> None:
    del setup.fake.oauth_clients["afasgov-jwt-client"]
    async with client(setup, "jwt") as c:
        with pytest.raises(E.InvalidClientError):
            await c.metainfo()


async def test_invalid_request_from_token_endpoint(setup: Setup) -> None:
    setup.fake.script(
        json_response(400, {"error": "invalid_request", "error_description": "duplicate client_id"}),
        path_contains="/oauth/token",
    )
    async with client(setup, "post") as c:
        with pytest.raises(E.InvalidRequestError, match="duplicate client_id"):
            await c.metainfo()


async def test_other_oauth_error(setup: Setup) -> None:
    setup.fake.script(json_response(400, {"error": "unauthorized_client"}), path_contains="/oauth/token")
    async with client(setup, "post") as c:
        with pytest.raises(E.OAuthError, match="unauthorized_client"):
            await c.metainfo()


@pytest.mark.parametrize(
    "body",
    [
        {"token_type": "Bearer", "expires_in": 3600},
        {"access_token": "abc def", "expires_in": 3600},
        {"access_token": "abcdef", "token_type": "mac", "expires_in": 3600},
        {"access_token": "abcdef", "expires_in": -5},
        {"access_token": "abcdef", "expires_in": "soon"},
    ],
)
async def test_malformed_token_response(setup: Setup, body: dict[str, Any]) -> None:
    setup.fake.script(json_response(200, body), path_contains="/oauth/token")
    async with client(setup, "post") as c:
        with pytest.raises(E.InvalidJSONError):
            await c.metainfo()


async def test_token_endpoint_503_is_retried_with_a_new_assertion(setup: Setup) -> None:
    setup.fake.script(error_503(retry_after=1), path_contains="/oauth/token")
    async with client(setup, "jwt") as c:
        await c.metainfo()
        assert c.token_requests == 2
    assertions = [parse_qs(r.content.decode())["client_assertion"][0] for r in token_requests(setup)]
    assert len(set(assertions)) == 2


async def test_limit_per_environment_is_shared_across_clients(setup: Setup) -> None:
    setup.fake.latency = 0.02
    limiter = Limiter("production", 3)
    async with client(setup, "classic", limiter=limiter) as a, client(setup, "post", limiter=limiter) as b:
        await asyncio.gather(*(x.metainfo() for x in [a, b] * 12))
    assert setup.fake.peak_in_flight <= 3
    assert limiter.peak == 3
    assert limiter.in_flight == 0


async def test_errors_never_contain_secrets(setup: Setup) -> None:
    setup.fake.script(error_500(f"echo {TOKEN_XML} {CLIENT_SECRET} {TOKEN_B64}"), path_contains="/metainfo")
    async with client(setup, "post") as c:
        with pytest.raises(E.ProfitServerError) as info:
            await c.metainfo()
    text = str(info.value) + repr(info.value)
    for secret in (TOKEN_XML, CLIENT_SECRET, TOKEN_B64, TOKEN_DATA):
        assert secret not in text
    assert repr(c.access_token).count("***") >= 1


async def test_get_json_generic_path(setup: Setup) -> None:
    async with client(setup) as c:
        assert (await c.get_json("/profitversion"))["version"] == "22.22.5"
        with pytest.raises(UsageError):
            await c.get_json("https://elsewhere/x")


def test_sync_wrapper(setup: Setup) -> None:
    with SyncProfitClient(
        setup.env(), setup.ac("jwt"), transport=setup.fake.transport(), limiter=Limiter("s", 2)
    ) as c:
        assert c.profit_version() == "22.22.5"
        assert c.metainfo()["info"]["envid"] == "O12345AA"
        assert c.authenticate().access_token_lifetime == 3600
        assert len(list(c.iter_rows("Profit_Functions", order_by=["Id"], page_size=100))) == 250
        assert c.get_rows("Profit_Functions", take=3, order_by=["Id"])["rows"][2]["Id"] == 2


async def test_sync_wrapper_refuses_running_loop(setup: Setup) -> None:
    with pytest.raises(RuntimeError):
        SyncProfitClient(setup.env(), setup.ac("classic"), transport=setup.fake.transport())


def test_missing_secret_is_a_config_error_before_any_request(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    from afasgov.errors import ConfigError

    monkeypatch.delenv("AFASGOV_TEST_SECRET")
    with pytest.raises(ConfigError) as info:
        ProfitClient(setup.env(), setup.ac("post"), transport=setup.fake.transport())
    assert info.value.key_path == "environments.production.app_connectors.post.auth.client_secret_env"
    assert "AFASGOV_TEST_SECRET" in str(info.value)
    assert setup.fake.requests == []


def test_any_case_base_url_is_kept(tmp_path: Any) -> None:
    cfg = parse_config(
        {"environments": {"p": {"tenant": "12345", "type": "accept"}}}, path=tmp_path / "a.yaml"
    )
    assert cfg.environment("p").base_url == "https://12345.restaccept.afas.online/ProfitRestServices"


async def test_a_cookie_the_server_sets_is_sent_back_and_a_response_without_one_is_not_parsed_for_cookies(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client's cookie jar skips httpx's cookie parsing (per response, costly) where a response sets no
    cookie; a cookie that is set (a load balancer's affinity) is kept and sent back, as httpx does."""
    parsed: list[str] = []
    real = httpx.Cookies.extract_cookies

    def counting(self: httpx.Cookies, response: httpx.Response) -> None:
        parsed.append(response.url.path)
        real(self, response)

    monkeypatch.setattr(httpx.Cookies, "extract_cookies", counting)
    meta = json.dumps({"getConnectors": [], "updateConnectors": [], "info": {"envid": "O12345AA"}})
    setup.fake.script(httpx.Response(200, headers={"content-type": "application/json",
                                                   "set-cookie": "affinity=node7; Path=/"}, text=meta),
                      path_contains="/metainfo")
    async with client(setup, "classic") as c:
        await c.metainfo()
        assert await c.profit_version() == "22.22.5"
        await c.get_metainfo("Profit_Functions")
    first, second, third = api_requests(setup)
    assert "cookie" not in first.headers
    assert second.headers["cookie"] == third.headers["cookie"] == "affinity=node7"
    assert parsed == [first.url.path]  # only the response that set a cookie was parsed
