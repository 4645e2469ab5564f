"""OAuth client credentials as AFAS Profit 8/9 implement them (in-process)."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from afasgov.sim.app import sim_state
from afasgov.sim.testing import client_assertion, demo_credential, token_request_data

from .conftest import ACCEPT, PROD, TEST

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _token(c: httpx.Client, base: str, data: dict[str, str] | str, headers: dict[str, str] | None = None
           ) -> httpx.Response:
    return c.post(f"{base}/oauth/token", data=data if isinstance(data, dict) else None,
                  content=data if isinstance(data, str) else None, headers=(headers or {}) | FORM)


def _oauth_error(r: httpx.Response, status: int, error: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == error
    assert "error_description" not in body or (isinstance(body["error_description"], str) and body["error_description"])
    assert r.headers["cache-control"].startswith("no-store")
    return body


def _secret_form(env: str = "production", app: str = "iam") -> dict[str, str]:
    cred = demo_credential(env, app)
    assert cred.client_id and cred.client_secret
    return {"grant_type": "client_credentials", "client_id": cred.client_id,
            "client_secret": cred.client_secret.reveal()}


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def test_client_secret_post_issues_a_bearer_token(client: httpx.Client) -> None:
    r = _token(client, PROD, _secret_form())
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    meta = client.get(f"{PROD}/metainfo", headers=bearer).json()
    assert {c["id"] for c in meta["updateConnectors"]} == {"KnUser", "KnEmployee"}
    assert meta["info"]["appName"] == "HelloID IAM"
    # a token is bound to its environment
    assert client.get(f"{TEST}/metainfo", headers=bearer).status_code == 401


def test_each_environment_has_its_own_client_secret(client: httpx.Client) -> None:
    form = _secret_form("production") | {"client_id": _secret_form("test")["client_id"]}
    _oauth_error(_token(client, TEST, form), 400, "invalid_client")


@pytest.mark.parametrize(("change", "error"), [
    ({"client_secret": "wrong"}, "invalid_client"),
    ({"client_id": "unknown-client"}, "invalid_client"),
    ({"grant_type": "authorization_code"}, "unsupported_grant_type"),
    ({"grant_type": None}, "invalid_request"),
    ({"client_id": None}, "invalid_request"),
    ({"client_secret": None}, "invalid_client"),
])
def test_token_request_errors(client: httpx.Client, change: dict[str, str | None], error: str) -> None:
    form = {k: v for k, v in (_secret_form() | change).items() if v is not None}
    _oauth_error(_token(client, PROD, form), 400, error)


def test_duplicate_parameter_is_invalid_request(client: httpx.Client) -> None:
    form = _secret_form()
    body = "&".join(f"{k}={v}" for k, v in form.items()) + "&grant_type=client_credentials"
    _oauth_error(_token(client, PROD, body), 400, "invalid_request")


def test_two_client_authentications_are_invalid_request(client: httpx.Client) -> None:
    form = _secret_form("accept")
    _oauth_error(_token(client, ACCEPT, form, _basic(form["client_id"], form["client_secret"])), 400,
                 "invalid_request")


def test_wrong_content_type_is_invalid_request(client: httpx.Client) -> None:
    r = client.post(f"{PROD}/oauth/token", json=_secret_form())
    _oauth_error(r, 400, "invalid_request")


def test_basic_is_a_profit_9_feature(client: httpx.Client) -> None:
    form = _secret_form("production")
    _oauth_error(_token(client, PROD, {"grant_type": "client_credentials"},
                        _basic(form["client_id"], form["client_secret"])), 400, "invalid_request")
    accept = _secret_form("accept")
    r = _token(client, ACCEPT, {"grant_type": "client_credentials"},
               _basic(accept["client_id"], accept["client_secret"]))
    assert r.status_code == 200, r.text


def test_basic_with_a_wrong_secret_is_401_with_a_challenge(client: httpx.Client) -> None:
    accept = _secret_form("accept")
    r = _token(client, ACCEPT, {"grant_type": "client_credentials"}, _basic(accept["client_id"], "wrong"))
    _oauth_error(r, 401, "invalid_client")
    assert r.headers["www-authenticate"].startswith("Basic")


def test_basic_credentials_are_url_decoded(client: httpx.Client) -> None:
    accept = _secret_form("accept")
    encoded = accept["client_secret"].replace("-", "%2D")
    r = _token(client, ACCEPT, {"grant_type": "client_credentials"}, _basic(accept["client_id"], encoded))
    assert r.status_code == 200


def test_token_endpoint_honours_ip_restrictions(make_client: Any) -> None:
    outside = make_client(client_ip="192.0.2.99")
    r = _token(outside, PROD, _secret_form())
    assert r.status_code == 403 and r.content == b""


def test_expired_access_tokens_are_refused(make_client: Any) -> None:
    c = make_client(token_lifetime=0)
    token = _token(c, PROD, _secret_form()).json()["access_token"]
    assert c.get(f"{PROD}/metainfo", headers={"Authorization": f"Bearer {token}"}).status_code == 401


@pytest.mark.parametrize(("as_of", "ok"), [("2027-04-29", True), ("2027-04-30T00:00:01", False), (None, True)])
def test_expired_client_secrets_are_refused(make_client: Any, as_of: str | None, ok: bool) -> None:
    """finance-bi's secret expires 2027-04-30T00:00:00; the demo's own "today" is 2026-11-21."""
    c = make_client(as_of=as_of)
    r = _token(c, PROD, _secret_form("production", "finance-bi"))
    if ok:
        assert r.status_code == 200
    else:
        _oauth_error(r, 400, "invalid_client")
        assert _token(c, PROD, _secret_form("production", "iam")).status_code == 200  # no expiry date


# ----------------------------------------------------------------------------------- private_key_jwt
def _assertion_form(assertion: str, client_id: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_id": client_id, "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion}


def test_private_key_jwt_on_accept(client: httpx.Client) -> None:
    cred = demo_credential("accept", "finance-bi")
    assert cred.method == "private_key_jwt" and cred.alg == "ES256"
    form, headers = token_request_data(cred, f"{ACCEPT}/oauth/token")
    r = _token(client, ACCEPT, form, headers)
    assert r.status_code == 200, r.text
    meta = client.get(f"{ACCEPT}/metainfo", headers={"Authorization": f"Bearer {r.json()['access_token']}"}).json()
    assert meta["updateConnectors"] == [] and len(meta["getConnectors"]) == 3


def test_jti_reuse_is_rejected(client: httpx.Client) -> None:
    cred = demo_credential("accept", "finance-bi")
    assert cred.client_id
    assertion = client_assertion(cred, f"{ACCEPT}/oauth/token", jti=str(uuid.uuid4()))
    assert _token(client, ACCEPT, _assertion_form(assertion, cred.client_id)).status_code == 200
    body = _oauth_error(_token(client, ACCEPT, _assertion_form(assertion, cred.client_id)), 400, "invalid_client")
    assert "jti" in body["error_description"]


def test_public_afas_token_url_is_an_accepted_audience(client: httpx.Client) -> None:
    cred = demo_credential("accept", "finance-bi")
    assert cred.client_id
    aud = "https://12345.restaccept.afas.online/ProfitRestServices/oauth/token"
    r = _token(client, ACCEPT, _assertion_form(client_assertion(cred, aud), cred.client_id))
    assert r.status_code == 200


@pytest.mark.parametrize("tamper", ["aud", "lifetime", "expired", "future_iat", "other_key", "kid", "iss_mismatch",
                                    "assertion_type", "hs256", "none", "garbage"])
def test_bad_assertions_are_rejected(client: httpx.Client, tamper: str) -> None:
    cred = demo_credential("accept", "finance-bi")
    assert cred.client_id and cred.private_key_pem
    url = f"{ACCEPT}/oauth/token"
    now = int(time.time())
    form_id = cred.client_id
    assertion_type = ASSERTION_TYPE
    if tamper == "aud":
        assertion = client_assertion(cred, f"{PROD}/oauth/token")
    elif tamper == "lifetime":
        assertion = client_assertion(cred, url, lifetime=301)
    elif tamper == "expired":
        assertion = client_assertion(cred, url, iat=now - 400, lifetime=120)
    elif tamper == "future_iat":
        assertion = client_assertion(cred, url, iat=now + 600)
    elif tamper == "other_key":
        other = ec.generate_private_key(ec.SECP256R1())
        pem = other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
        assertion = jwt.encode({"iss": form_id, "sub": form_id, "aud": url, "iat": now, "exp": now + 60,
                                "jti": str(uuid.uuid4())}, pem, algorithm="ES256")
    elif tamper == "kid":
        assertion = client_assertion(cred, url, kid="some-other-key")
    elif tamper == "iss_mismatch":
        form_id = demo_credential("accept", "iam").client_id or ""
        assertion = client_assertion(cred, url)
    elif tamper == "assertion_type":
        assertion = client_assertion(cred, url)
        assertion_type = "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"
    elif tamper == "hs256":  # the key-confusion attack: HMAC with the public key as secret
        public = serialization.load_pem_private_key(cred.private_key_pem.reveal().encode(), None).public_key()
        secret = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
        import hashlib
        import hmac
        import json
        claims = {"iss": form_id, "sub": form_id, "aud": url, "iat": now, "exp": now + 60, "jti": str(uuid.uuid4())}
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        sig = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        assertion = f"{header}.{payload}." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode()
    elif tamper == "none":
        assertion = jwt.encode({"iss": form_id, "sub": form_id, "aud": url, "iat": now, "exp": now + 60,
                                "jti": str(uuid.uuid4())}, None, algorithm="none")  # type: ignore[arg-type]
    else:
        assertion = "not.a.jwt"
    form = _assertion_form(assertion, form_id) | {"client_assertion_type": assertion_type}
    r = _token(client, ACCEPT, form)
    assert r.status_code == 400
    assert r.json()["error"] in ("invalid_client", "invalid_request")


def test_private_key_jwt_is_not_offered_on_profit_8(client: httpx.Client) -> None:
    cred = demo_credential("accept", "finance-bi")
    assert cred.client_id
    r = _token(client, PROD, _assertion_form(client_assertion(cred, f"{PROD}/oauth/token"), cred.client_id))
    _oauth_error(r, 400, "invalid_request")


def test_rs256_and_ps256_with_a_registered_rsa_key(make_client: Any) -> None:
    c = make_client()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    client_id = sim_state(c.app).register_public_key("accept", "iam", pub, kid="rsa-1")
    url = f"{ACCEPT}/oauth/token"
    for alg in ("RS256", "PS256"):
        now = int(time.time())
        assertion = jwt.encode({"iss": client_id, "sub": client_id, "aud": url, "iat": now, "exp": now + 60,
                                "jti": str(uuid.uuid4())}, key, algorithm=alg, headers={"kid": "rsa-1"})
        assert _token(c, ACCEPT, _assertion_form(assertion, client_id)).status_code == 200, alg
    # an EC assertion does not fit a registered RSA key
    other = ec.generate_private_key(ec.SECP256R1())
    now = int(time.time())
    assertion = jwt.encode({"iss": client_id, "sub": client_id, "aud": url, "iat": now, "exp": now + 60,
                            "jti": str(uuid.uuid4())}, other, algorithm="ES256")
    _oauth_error(_token(c, ACCEPT, _assertion_form(assertion, client_id)), 400, "invalid_client")


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_rsa_keys_under_2048_bits_are_refused(make_client: Any) -> None:
    c = make_client()
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    client_id = sim_state(c.app).register_public_key("accept", "iam", pub)
    now = int(time.time())
    assertion = jwt.encode({"iss": client_id, "sub": client_id, "aud": f"{ACCEPT}/oauth/token", "iat": now,
                            "exp": now + 60, "jti": str(uuid.uuid4())}, key, algorithm="RS256")
    _oauth_error(_token(c, ACCEPT, _assertion_form(assertion, client_id)), 400, "invalid_client")
