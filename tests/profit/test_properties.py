"""Property tests (hypothesis): classic-token encoding, JWT claims, URL and query building."""

from __future__ import annotations

import base64
import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afasgov.config.hosts import HOST_LABELS, base_url_for, is_afas_host
from afasgov.profit.credentials import PrivateKey, parse_private_key
from afasgov.profit.oauth import MAX_ASSERTION_LIFETIME, basic_authorization, build_client_assertion
from afasgov.profit.tokens import ClassicToken, ClassicTokenError
from afasgov.profit.urls import (
    Filter,
    check_connector_id,
    endpoint_path,
    query_string,
    rows_params,
)
from afasgov.secrets import Secret

from .conftest import pem

hex64 = st.text(alphabet="0123456789abcdefABCDEF", min_size=64, max_size=64)
versions = st.integers(min_value=0, max_value=9999)
PROFILE = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROFILE
@given(data=hex64, version=versions, ws=st.sampled_from(["", " ", "\n", "\r\n  ", "\t"]))
def test_token_xml_and_base64_forms_are_equivalent(data: str, version: int, ws: str) -> None:
    xml = f"<token><version>{version}</version><data>{data}</data></token>"
    pretty = f"{ws}<token>{ws}<version>{version}</version>{ws}<data>{data}</data>{ws}</token>{ws}"
    b64 = base64.b64encode(xml.encode()).decode()
    parsed = [
        ClassicToken.parse(x) for x in (xml, pretty, b64, b64.rstrip("="), f"AfasToken {b64}", b64 + "\n")
    ]
    headers = {t.header_value().reveal() for t in parsed}
    assert headers == {f"AfasToken {b64}"}
    assert base64.b64decode(parsed[0].encoded().reveal()).decode() == xml
    assert data not in repr(parsed[0]) and data not in str(parsed[0].xml)


@PROFILE
@given(data=st.text(alphabet="0123456789ABCDEFG", min_size=0, max_size=80), version=versions)
def test_token_data_must_be_exactly_64_hex(data: str, version: int) -> None:
    xml = f"<token><version>{version}</version><data>{data}</data></token>"
    valid = len(data) == 64 and "G" not in data
    for text in (xml, base64.b64encode(xml.encode()).decode()):
        if valid:
            assert ClassicToken.parse(text).version == version
        else:
            with pytest.raises(ClassicTokenError) as info:
                ClassicToken.parse(text)
            if len(data) >= 8:
                assert data not in str(info.value)


@PROFILE
@given(st.text(max_size=200))
def test_arbitrary_text_is_a_token_or_a_clean_error(text: str) -> None:
    try:
        token = ClassicToken.parse(text)
    except ClassicTokenError as exc:
        assert len(str(exc)) < 200
        if len(text) > 8:
            assert text.strip() not in str(exc)
    else:
        assert token.header_value().reveal().startswith("AfasToken PHRva2VuPjx2ZXJzaW9uPj")


@PROFILE
@given(st.binary(max_size=200))
def test_arbitrary_base64_is_refused_unless_a_token(blob: bytes) -> None:
    text = base64.b64encode(blob).decode()
    try:
        ClassicToken.parse(text)
    except ClassicTokenError:
        return
    assert blob.strip().startswith(b"<token>")


@pytest.fixture(scope="module")
def keys() -> dict[str, PrivateKey]:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    r = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    e = ec.generate_private_key(ec.SECP256R1())
    return {
        "RS256": parse_private_key(Secret(pem(r)), "RS256"),
        "PS256": parse_private_key(Secret(pem(r)), "PS256"),
        "ES256": parse_private_key(Secret(pem(e)), None),
    }


client_ids = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=60)
tenants = st.text(alphabet="0123456789", min_size=5, max_size=6)


@PROFILE
@given(
    alg=st.sampled_from(["RS256", "PS256", "ES256"]),
    client_id=client_ids,
    tenant=tenants,
    now=st.integers(min_value=1_700_000_000, max_value=2_000_000_000),
    kid=st.none() | client_ids,
    lifetime=st.integers(min_value=1, max_value=MAX_ASSERTION_LIFETIME),
)
def test_jwt_claims(
    keys: dict[str, PrivateKey],
    alg: str,
    client_id: str,
    tenant: str,
    now: int,
    kid: str | None,
    lifetime: int,
) -> None:
    key = keys[alg]
    aud = base_url_for(tenant, "accept") + "/oauth/token"
    first = build_client_assertion(client_id, aud, key, kid=kid, now=now, lifetime=lifetime)
    second = build_client_assertion(client_id, aud, key, kid=kid, now=now, lifetime=lifetime)
    header = jwt.get_unverified_header(first)
    assert header["alg"] == alg and header.get("kid") == kid
    public: Any = key.key.public_key()
    claims = jwt.decode(
        first,
        public,
        algorithms=[alg],
        audience=aud,
        issuer=client_id,
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["sub"] == claims["iss"] == client_id
    assert claims["aud"] == aud
    assert claims["iat"] == now and 0 < claims["exp"] - claims["iat"] <= 60
    assert (
        jwt.decode(
            second, public, algorithms=[alg], audience=aud, options={"verify_exp": False, "verify_iat": False}
        )["jti"]
        != claims["jti"]
    )
    assert len(claims["jti"]) >= 16


def test_jwt_lifetime_bounds(keys: dict[str, PrivateKey]) -> None:
    with pytest.raises(ValueError):
        build_client_assertion("c", "https://x/oauth/token", keys["ES256"], lifetime=61)
    token = build_client_assertion("c", "https://x/oauth/token", keys["ES256"])
    claims = jwt.decode(
        token, keys["ES256"].key.public_key(), algorithms=["ES256"], audience="https://x/oauth/token"
    )
    assert abs(claims["iat"] - time.time()) < 5 and claims["exp"] - claims["iat"] == 60


@PROFILE
@given(client_id=st.text(min_size=1, max_size=40), secret=st.text(min_size=1, max_size=60))
def test_basic_authorization_round_trip(client_id: str, secret: str) -> None:
    from urllib.parse import unquote_plus

    value = basic_authorization(client_id, secret)
    assert value.startswith("Basic ")
    cid, sep, sec = base64.b64decode(value[6:]).decode().partition(":")
    assert sep == ":" and unquote_plus(cid) == client_id and unquote_plus(sec) == secret


@PROFILE
@given(tenant=tenants, env_type=st.sampled_from(sorted(HOST_LABELS)))
def test_base_urls(tenant: str, env_type: str) -> None:
    url = base_url_for(tenant, env_type)
    parts = urlsplit(url)
    assert parts.scheme == "https" and parts.path == "/ProfitRestServices"
    assert parts.hostname == f"{tenant}.{HOST_LABELS[env_type]}.afas.online"
    assert is_afas_host(parts.hostname)


ids = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=60)


@PROFILE
@given(connector=ids)
def test_endpoint_paths_never_escape(connector: str) -> None:
    try:
        cid = check_connector_id(connector)
    except ValueError:
        return
    path = endpoint_path("metainfo", "get", cid)
    segments = path.split("/")
    assert segments[:3] == ["", "metainfo", "get"] and len(segments) == 4
    assert unquote(segments[3]) == connector
    assert "?" not in path and "#" not in path


field_ids = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,15}", fullmatch=True)
values = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters=",;", min_codepoint=32), max_size=20
)


@PROFILE
@given(
    skip=st.integers(0, 10**6),
    take=st.integers(1, 10**4),
    order=st.lists(field_ids, min_size=1, max_size=3),
    groups=st.lists(
        st.lists(st.tuples(field_ids, st.integers(1, 15), values), min_size=1, max_size=3), max_size=3
    ),
)
def test_rows_query_round_trip(
    skip: int, take: int, order: list[str], groups: list[list[tuple[str, int, str]]]
) -> None:
    filters = [[Filter(f, op, v) for f, op, v in g] for g in groups]
    params = rows_params(skip=skip, take=take, order_by=order, filters=filters or None)
    q = parse_qs(query_string(params), keep_blank_values=True)
    assert q["skip"] == [str(skip)] and q["take"] == [str(take)] and q["orderbyfieldids"] == [",".join(order)]
    if not groups:
        assert "filterfieldids" not in q
        return
    f_groups = [g.split(",") for g in q["filterfieldids"][0].split(";")]
    v_groups = [g.split(",") for g in q["filtervalues"][0].split(";")]
    o_groups = [g.split(",") for g in q["operatortypes"][0].split(";")]
    assert f_groups == [[f for f, _, _ in g] for g in groups]
    assert o_groups == [[str(op) for _, op, _ in g] for g in groups]
    assert v_groups == [["" if op in (8, 9) else v for _, op, v in g] for g in groups]


@PROFILE
@given(take=st.integers(max_value=0))
def test_non_positive_take_refused(take: int) -> None:
    with pytest.raises(ValueError):
        rows_params(skip=0, take=take, order_by=["Id"])
