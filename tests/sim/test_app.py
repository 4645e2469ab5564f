"""The simulator's endpoints, shapes, errors and headers (in-process, through httpx)."""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx
import pytest

from afasgov.sim.app import sim_state
from afasgov.sim.credentials import afas_token_header, token_xml

from .conftest import ACCEPT, ORIGIN, PROD, TEST, auth

AFAS_HEADERS = ("x-afas-proxy-version", "x-afas-proxy-stats", "strict-transport-security", "cache-control",
                "x-content-type-options", "x-frame-options", "access-control-allow-origin")
UPDATE_FIELD_KEYS = ["fieldId", "primaryKey", "dataType", "label", "mandatory", "length", "decimals",
                     "decimalFieldId", "notzero", "controlType", "values"]
GET_FIELD_KEYS = ["id", "fieldId", "dataType", "label", "length", "controlType", "decimals", "decimalsFieldId"]


def _error500(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 500
    body = r.json()
    assert set(body) == {"externalMessage", "errorNumber", "profitLogReference"}
    assert isinstance(body["errorNumber"], int) and body["errorNumber"] < 0
    assert re.fullmatch(r"[0-9A-F]{32}", body["profitLogReference"])
    return body


def _empty(r: httpx.Response, status: int) -> None:
    assert r.status_code == status
    assert r.content == b""
    assert r.headers["content-length"] == "0"


# ----------------------------------------------------------------------------------------- metainfo
def test_metainfo_lists_the_callers_scope_sorted_by_description(client: httpx.Client) -> None:
    r = client.get(f"{PROD}/metainfo", headers=auth("production", "hr-export"))
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"updateConnectors", "getConnectors", "info"}
    assert body["updateConnectors"] == []
    ids = [c["id"] for c in body["getConnectors"]]
    assert sorted(ids) == sorted(["Lindeboom_HR_Pensioenexport", "Lindeboom_HR_Salarissen", "Profit_Functions"])
    descriptions = [c["description"].lower() for c in body["getConnectors"]]
    assert descriptions == sorted(descriptions)
    assert body["info"] == {"envid": "O12345AA", "appName": "PensioenPartner export",
                            "group": "AuthorizationGroup 120 (12345.PENSIOEN)",
                            "tokenExpiry": "2027-05-01T00:00:00"}


def test_metainfo_of_the_over_broad_connector_lists_everything(client: httpx.Client) -> None:
    body = client.get(f"{PROD}/metainfo", headers=auth()).json()
    assert len(body["updateConnectors"]) >= 40
    assert len(body["getConnectors"]) >= 20
    assert body["info"]["tokenExpiry"] == "0"
    assert "ProfitGetConnectoren" in {c["id"] for c in body["getConnectors"]}


@pytest.mark.parametrize("path", ["/metainfo", "/MetaInfo", "/METAINFO", "/Metainfo/Update/knuser",
                                  "/metainfo/UPDATE/KnUser", "/MetaInfo/get/t4e_helloid_users", "/ProfitVersion",
                                  "/profitversion", "/Connectors/T4E_HELLOID_USERS"])
def test_paths_are_case_insensitive(client: httpx.Client, path: str) -> None:
    r = client.get(f"{ORIGIN}/12345-Production/profitrestservices{path}", headers=auth())
    assert r.status_code == 200, r.text


def test_update_metainfo_shape(client: httpx.Client) -> None:
    body = client.get(f"{PROD}/metainfo/update/KnSalesRelationPer", headers=auth()).json()
    assert list(body) == ["name", "description", "fields", "objects"]
    assert body["name"] == "KnSalesRelationPer"

    def check(element: dict[str, Any], depth: int) -> int:
        for f in element["fields"]:
            assert list(f) == UPDATE_FIELD_KEYS
            assert f["dataType"] in {"string", "int", "decimal", "boolean", "date", "blob"}
            assert f["values"] is None or all(set(v) == {"id", "description"} for v in f["values"])
        return max([depth] + [check(o, depth + 1) for o in element["objects"]])

    assert check(body, 0) == 2  # KnSalesRelationPer > KnPerson > KnBankAccount
    person = next(o for o in body["objects"] if o["name"] == "KnPerson")
    assert {o["name"] for o in person["objects"]} == {"KnBankAccount", "KnBasicAddressAdr", "KnContact"}


def test_get_metainfo_shape(client: httpx.Client) -> None:
    body = client.get(f"{PROD}/metainfo/get/Profit_Administrations", headers=auth()).json()
    assert body["name"] == "Profit_Administrations"
    assert [list(f) for f in body["fields"]] == [GET_FIELD_KEYS] * 3
    assert body["fields"][0]["id"] == "AdminId" and body["fields"][0]["fieldId"] == "U002"


def test_custom_fields_have_afas_ids(client: httpx.Client) -> None:
    body = client.get(f"{PROD}/metainfo/update/KnPerson", headers=auth()).json()
    custom = [f["fieldId"] for f in body["fields"] if re.fullmatch(r"U[0-9A-F]{32}", f["fieldId"])]
    assert len(custom) == 2


@pytest.mark.parametrize(("header", "label"), [(None, "Gebruiker"), ("nl-nl", "Gebruiker"), ("en-us", "User"),
                                               ("en-GB,nl;q=0.5", "User"), ("de-de", "Gebruiker"),
                                               ("fr-fr, en;q=0.8", "User")])
def test_accept_language_chooses_labels(client: httpx.Client, header: str | None, label: str) -> None:
    headers = auth() | ({"Accept-Language": header} if header else {})
    body = client.get(f"{PROD}/metainfo/update/KnUser", headers=headers).json()
    assert body["description"] == label
    uid = next(f for f in body["fields"] if f["fieldId"] == "UsId")
    assert uid["label"] == label


def test_profit_version_per_environment(client: httpx.Client) -> None:
    versions = {env: client.get(f"{base}/profitversion", headers=auth(env)).json() for env, base in
                (("production", PROD), ("test", TEST), ("accept", ACCEPT))}
    assert versions == {"production": {"version": "8.2.4"}, "test": {"version": "8.2.4"},
                        "accept": {"version": "9.0.1"}}


def test_afas_headers_on_success_and_error(client: httpx.Client) -> None:
    for r in (client.get(f"{PROD}/metainfo", headers=auth()), client.get(f"{PROD}/metainfo"),
              client.get(f"{PROD}/nothing-here", headers=auth())):
        for name in AFAS_HEADERS:
            assert name in r.headers, (r.status_code, name)
        assert r.headers["x-afas-proxy-version"] == "4.3.0.0"
        assert r.headers["strict-transport-security"] == "max-age=31536000"


def test_options_preflight(client: httpx.Client) -> None:
    r = client.options(f"{PROD}/metainfo")
    assert r.status_code == 200
    assert "GET" in r.headers["access-control-allow-methods"]


# -------------------------------------------------------------------------------------------- 401
@pytest.mark.parametrize("authorization", [
    None,
    "",
    "AfasToken",
    "AfasToken !!!not-base64!!!",
    "AfasToken " + base64.b64encode(b"not xml at all").decode(),
    afas_token_header(token_xml("0" * 64)),
    afas_token_header("<token><version>2</version><data>" + "A" * 64 + "</data></token>"),
    "Bearer unknown-token",
    "Basic dXNlcjpwYXNz",
])
def test_401_has_an_empty_body(client: httpx.Client, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    _empty(client.get(f"{PROD}/metainfo", headers=headers), 401)


def test_token_of_another_environment_is_refused(client: httpx.Client) -> None:
    _empty(client.get(f"{ACCEPT}/metainfo", headers=auth("production")), 401)


def test_token_data_is_case_insensitive_hex(client: httpx.Client) -> None:
    header = auth()["Authorization"]
    xml = base64.b64decode(header.split()[1]).decode()
    lower = re.sub(r"<data>(\w+)</data>", lambda m: f"<data>{m.group(1).lower()}</data>", xml)
    assert client.get(f"{PROD}/metainfo", headers={"Authorization": afas_token_header(lower)}).status_code == 200


def test_plain_text_classic_token_is_a_500(client: httpx.Client) -> None:
    xml = base64.b64decode(auth()["Authorization"].split()[1]).decode()
    body = _error500(client.get(f"{PROD}/metainfo", headers={"Authorization": f"AfasToken {xml}"}))
    assert "Base64" in body["externalMessage"]


def test_expired_classic_tokens_are_refused(make_client: Any) -> None:
    """hr-export's classic token expires 2027-05-01T00:00:00 (AFAS's phase-out date); legacy-portal's
    never ("0"). Expiry is judged on the dataset's "today" (the demo's: 2026-11-21) or ``as_of``."""
    assert sim_state(make_client().app).as_of == "2026-11-21"
    for as_of, status in (("2027-04-30T23:59:59", 200), (None, 200), ("2027-05-01T00:00:01", 401),
                          ("2031-01-01", 401)):
        c = make_client(as_of=as_of)
        r = c.get(f"{PROD}/metainfo", headers=auth("production", "hr-export"))
        if status == 401:
            _empty(r, 401)
        else:
            assert r.status_code == status
        assert c.get(f"{PROD}/metainfo", headers=auth("production", "legacy-portal")).status_code == 200


# -------------------------------------------------------------------------------------------- 403
def test_ip_restriction_per_app_connector(make_client: Any) -> None:
    outside = make_client(client_ip="192.0.2.10")
    _empty(outside.get(f"{PROD}/metainfo", headers=auth("production", "hr-export")), 403)
    assert outside.get(f"{PROD}/metainfo", headers=auth("production", "legacy-portal")).status_code == 200
    partner = make_client(client_ip="198.51.100.23", app=outside.app)
    assert partner.get(f"{PROD}/metainfo", headers=auth("production", "hr-export")).status_code == 200


def test_invalid_token_from_outside_is_401_not_403(make_client: Any) -> None:
    outside = make_client(client_ip="192.0.2.10")
    _empty(outside.get(f"{PROD}/metainfo"), 401)


# -------------------------------------------------------------------------------------------- 404
@pytest.mark.parametrize("url", [f"{PROD}/nothing", f"{ORIGIN}/99999-production/ProfitRestServices/metainfo",
                                 f"{ORIGIN}/12345-training/ProfitRestServices/metainfo",
                                 f"{ORIGIN}/12345-production/OtherServices/metainfo", f"{ORIGIN}/",
                                 f"{PROD}/metainfo/get", f"{PROD}/metainfo/other/KnUser", f"{PROD}/oauth/authorize"])
def test_unknown_urls_are_404(client: httpx.Client, url: str) -> None:
    _empty(client.get(url, headers=auth()), 404)


def test_query_string_over_2049_characters_is_404(client: httpx.Client) -> None:
    base = f"{PROD}/connectors/T4E_HelloID_Users?take=1&filtervalues="
    ok = client.get(base + "x" * (2049 - len("take=1&filtervalues=")) + "&filterfieldids=Naam&operatortypes=6",
                    headers=auth())
    assert ok.status_code == 404  # the whole query counts: this one is longer than 2,049
    just = "take=1&filterfieldids=Naam&operatortypes=6&filtervalues="
    exact = client.get(f"{PROD}/connectors/T4E_HelloID_Users?{just}{'x' * (2049 - len(just))}", headers=auth())
    assert exact.status_code == 200
    over = client.get(f"{PROD}/connectors/T4E_HelloID_Users?{just}{'x' * (2050 - len(just))}", headers=auth())
    _empty(over, 404)


# -------------------------------------------------------------------------------------------- 413
def test_request_too_large_is_413(make_client: Any) -> None:
    c = make_client(max_body_bytes=1024)
    _empty(c.post(f"{PROD}/oauth/token", content=b"x" * 1025,
                  headers={"Content-Type": "application/x-www-form-urlencoded"}), 413)
    assert c.post(f"{PROD}/oauth/token", content=b"grant_type=client_credentials",
                  headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 400


# -------------------------------------------------------------------------------------------- 500
def test_unauthorised_connector_is_500(client: httpx.Client) -> None:
    body = _error500(client.get(f"{PROD}/metainfo/update/KnUser", headers=auth("production", "hr-export")))
    assert "KnUser" in body["externalMessage"]
    _error500(client.get(f"{PROD}/metainfo/get/T4E_HelloID_Users", headers=auth("production", "hr-export")))
    _error500(client.get(f"{PROD}/connectors/T4E_HelloID_Users", headers=auth("production", "hr-export")))


def test_unknown_connector_is_500(client: httpx.Client) -> None:
    _error500(client.get(f"{PROD}/metainfo/update/KnDoesNotExist", headers=auth()))
    _error500(client.get(f"{PROD}/connectors/Nope", headers=auth()))


def test_blocked_connector_is_500_but_its_metainfo_is_readable(client: httpx.Client) -> None:
    body = _error500(client.get(f"{PROD}/connectors/Lindeboom_Oud_Export", headers=auth()))
    assert "geblokkeerd" in body["externalMessage"]
    english = _error500(client.get(f"{PROD}/connectors/Lindeboom_Oud_Export",
                                   headers=auth() | {"Accept-Language": "en-us"}))
    assert "blocked" in english["externalMessage"]
    assert client.get(f"{PROD}/metainfo/get/Lindeboom_Oud_Export", headers=auth()).status_code == 200


def test_blocking_at_runtime(make_client: Any) -> None:
    c = make_client()
    assert c.get(f"{PROD}/connectors/Profit_Functions", headers=auth()).status_code == 200
    sim_state(c.app).set_blocked("production", "Profit_Functions")
    _error500(c.get(f"{PROD}/connectors/Profit_Functions", headers=auth()))
    rows = c.get(f"{PROD}/connectors/ProfitGetConnectoren?skip=-1&take=-1", headers=auth()).json()["rows"]
    assert {r["Naam"]: r["Geblokkeerd"] for r in rows}["Profit_Functions"] is True


@pytest.mark.parametrize("query", ["skip=abc", "take=1.5", "skip=-2", "take=-5", "skip=-1&take=10", "skip=0&take=-1",
                                   "filterfieldids=Nope&filtervalues=x&operatortypes=1",
                                   "filterfieldids=Naam&filtervalues=x&operatortypes=16",
                                   "filterfieldids=Naam&filtervalues=x&operatortypes=eq",
                                   "filterfieldids=Naam,Email&filtervalues=x&operatortypes=1",
                                   "filtervalues=x", "orderbyfieldids=Nope", "orderbyfieldids=-Nope",
                                   "filterfieldids=Geblokkeerd&filtervalues=maybe&operatortypes=1"])
def test_bad_queries_are_500(client: httpx.Client, query: str) -> None:
    _error500(client.get(f"{PROD}/connectors/T4E_HelloID_Users?{query}", headers=auth()))


def test_query_errors_follow_accept_language(client: httpx.Client) -> None:
    url = f"{PROD}/connectors/T4E_HelloID_Users?filterfieldids=Nope&filtervalues=x&operatortypes=1"
    dutch = _error500(client.get(url, headers=auth() | {"Accept-Language": "nl-NL"}))["externalMessage"]
    english = _error500(client.get(url, headers=auth() | {"Accept-Language": "en-US"}))["externalMessage"]
    assert "bestaat niet" in dutch and "does not exist" in english and "Nope" in dutch and "Nope" in english
    bad_take = _error500(client.get(f"{PROD}/connectors/T4E_HelloID_Users?take=x",
                                    headers=auth() | {"Accept-Language": "en"}))
    assert bad_take["externalMessage"] == "The value 'x' for 'take' is not an integer."


def test_update_connector_calls_are_not_executed(client: httpx.Client) -> None:
    _error500(client.post(f"{PROD}/connectors/KnUser", json={"KnUser": {}}, headers=auth()))


# -------------------------------------------------------------------------------------------- 503
def test_maintenance_is_503_with_retry_after(make_client: Any) -> None:
    c = make_client()
    sim_state(c.app).set_maintenance("accept")
    r = c.get(f"{ACCEPT}/metainfo", headers=auth("accept"))
    assert r.status_code == 503
    assert r.headers["retry-after"] == "7200"
    body = r.json()
    assert body["retry_after"] == 7200
    assert body["error"]["code"] == "503" and body["error"]["message"]
    assert c.get(f"{PROD}/metainfo", headers=auth()).status_code == 200  # other environments still serve
    sim_state(c.app).set_maintenance("accept", False)
    assert c.get(f"{ACCEPT}/metainfo", headers=auth("accept")).status_code == 200
