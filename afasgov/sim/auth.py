"""Authentication as AFAS Profit does it: classic tokens and OAuth client credentials.

* Classic: ``Authorization: AfasToken base64(utf8(<token><version>1</version><data>HEX</data></token>))``.
  A token sent as plain XML (not base64) is refused with HTTP 500, as AFAS does since end 2025.
* OAuth: ``POST {base}/oauth/token`` with ``grant_type=client_credentials`` and exactly one client
  authentication (``client_secret_post``, ``client_secret_basic``, ``private_key_jwt``) among those
  the environment's release supports. ``private_key_jwt`` assertions are verified with the registered
  public key (RS256/PS256/ES256), ``aud`` must be the token endpoint URL, ``iss`` = ``sub`` =
  ``client_id``, ``exp`` at most 5 minutes after ``iat``, and a ``jti`` is accepted once.
  The access token is opaque, valid for ``token_lifetime`` seconds (AFAS: 3600).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from afasgov.sim.model import AppConnectorDef, EnvironmentDef

_TOKEN_RE = re.compile(r"^\s*<token>\s*<version>\s*(\d+)\s*</version>\s*<data>\s*([0-9A-Fa-f]{16,})\s*</data>"
                       r"\s*</token>\s*$", re.S)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
JWT_ALGS = ("RS256", "PS256", "ES256")
MAX_ASSERTION_LIFETIME = 300
CLOCK_SKEW = 30


class PlainTextToken(Exception):
    """A classic token sent as plain text: AFAS answers 500."""


@dataclass(frozen=True)
class Caller:
    """Who is calling: the App Connector and how it authenticated."""

    app: AppConnectorDef
    auth_type: str  # classic | oauth


@dataclass
class OAuthError(Exception):
    """An OAuth error response (RFC 6749 §5.2)."""

    error: str
    description: str = ""
    status: int = 400
    basic_challenge: bool = False

    def body(self) -> dict[str, str]:
        out = {"error": self.error}
        if self.description:  # AFAS omits an empty description (never null)
            out["error_description"] = self.description
        return out


class IpRestricted(Exception):
    """The App Connector does not accept calls from this address: 403."""


def classic_caller(env: EnvironmentDef, value: str, *, today: str | None = None) -> Caller | None:
    """The App Connector whose classic token ``value`` (after ``AfasToken``) is, or ``None`` (401).

    A token past its ``tokenExpiry`` (judged on ``today``, default the real date) is refused."""
    value = value.strip()
    if value.lstrip().startswith("<"):
        raise PlainTextToken
    try:
        xml = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    m = _TOKEN_RE.match(xml)
    if not m or m.group(1) != "1":
        return None
    data = m.group(2).upper()
    for app in env.app_connectors.values():
        if app.classic_token and hmac.compare_digest(app.classic_token, data):
            if _expired(app.token_expiry, today):
                return None
            return Caller(app, "classic")
    return None


def _expired(expiry: str, today: str | None = None) -> bool:
    """``expiry`` (``YYYY-MM-DD[THH:MM:SS]``, ``"0"`` = never) has passed on ``today`` (default: now, UTC)."""
    if not expiry or expiry == "0":
        return False
    now = today if today else time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    if len(now) == 10:
        now += "T00:00:00"
    return expiry[:19] < now


def _load_public_key(pem: bytes) -> Any:
    return serialization.load_pem_public_key(pem)


def _alg_fits(alg: str, key: Any) -> bool:
    if alg == "ES256":
        return isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"
    if alg in ("RS256", "PS256"):
        return isinstance(key, rsa.RSAPublicKey) and key.key_size >= 2048
    return False


class TokenService:
    """Issues and checks OAuth access tokens; remembers used ``jti`` values (thread-safe)."""

    def __init__(self, token_lifetime: int = 3600, today: str | None = None) -> None:
        self.token_lifetime = token_lifetime
        #: the date client-secret expiry is judged on (``None``: the real date)
        self.today = today
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, str, float]] = {}  # token -> (env slug, app name, expires)
        self._jtis: dict[tuple[str, str], float] = {}
        #: access tokens issued so far (tests and benchmarks count token requests with it)
        self.issued = 0

    # ---------------------------------------------------------------------------- bearer tokens
    def bearer_caller(self, env: EnvironmentDef, token: str) -> Caller | None:
        with self._lock:
            entry = self._tokens.get(token.strip())
        if entry is None:
            return None
        slug, app_name, expires = entry
        if slug != env.slug or time.time() >= expires:
            return None
        app = env.app_connectors.get(app_name)
        if app is None or app.oauth is None:
            return None
        return Caller(app, "oauth")

    def revoke_all(self) -> None:
        with self._lock:
            self._tokens.clear()

    def _issue(self, env: EnvironmentDef, app: AppConnectorDef) -> dict[str, Any]:
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = time.time()
            self._tokens = {k: v for k, v in self._tokens.items() if v[2] > now} if len(self._tokens) > 10_000 \
                else self._tokens
            self._tokens[token] = (env.slug, app.name, now + self.token_lifetime)
            self.issued += 1
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime}

    # ---------------------------------------------------------------------------- token endpoint
    def token_request(self, env: EnvironmentDef, body: bytes, content_type: str, authorization: str | None,
                      audiences: list[str], client_host: str | None) -> dict[str, Any]:
        """Handle ``POST /oauth/token``; returns the token response or raises :class:`OAuthError`."""
        if "application/x-www-form-urlencoded" not in content_type.lower():
            raise OAuthError("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
        except (UnicodeDecodeError, ValueError):
            raise OAuthError("invalid_request", "malformed form body") from None
        form: dict[str, str] = {}
        for key, value in pairs:
            if key in form:
                raise OAuthError("invalid_request", f"duplicate parameter: {key}")
            form[key] = value
        grant = form.get("grant_type")
        if not grant:
            raise OAuthError("invalid_request", "missing parameter: grant_type")
        if grant != "client_credentials":
            raise OAuthError("unsupported_grant_type", f"unsupported grant_type: {grant}")
        basic = authorization is not None and authorization.strip().lower().startswith("basic ")
        methods = [m for m, present in (("client_secret_basic", basic),
                                        ("client_secret_post", "client_secret" in form),
                                        ("private_key_jwt", "client_assertion" in form)) if present]
        if len(methods) > 1:
            raise OAuthError("invalid_request", "more than one client authentication method used")
        if not methods:
            if "client_id" not in form:
                raise OAuthError("invalid_request", "missing parameter: client_id")
            raise OAuthError("invalid_client", "client authentication missing")
        method = methods[0]
        if method not in env.oauth_methods:
            raise OAuthError("invalid_request", f"client authentication method {method} is not supported")
        if method == "client_secret_basic":
            app = self._basic(env, authorization or "", form)
        elif method == "client_secret_post":
            app = self._secret(env, form.get("client_id", ""), form["client_secret"], method)
        else:
            app = self._assertion(env, form, audiences)
        if not app.ip_allowed(client_host):
            raise IpRestricted
        return self._issue(env, app)

    def _client(self, env: EnvironmentDef, client_id: str) -> AppConnectorDef | None:
        for app in env.app_connectors.values():
            if app.oauth and app.oauth.client_id == client_id:
                return app
        return None

    def _secret(self, env: EnvironmentDef, client_id: str, secret: str, method: str,
                challenge: bool = False) -> AppConnectorDef:
        if not client_id:
            raise OAuthError("invalid_request", "missing parameter: client_id")
        app = self._client(env, client_id)
        ok = (app is not None and app.oauth is not None and app.oauth.secret is not None
              and method in app.oauth.methods
              and hmac.compare_digest(app.oauth.secret.encode(), secret.encode())
              and not _expired(app.oauth.secret_expires or "", self.today))
        if not ok or app is None:
            raise OAuthError("invalid_client", "client authentication failed",
                             status=401 if challenge else 400, basic_challenge=challenge)
        return app

    def _basic(self, env: EnvironmentDef, authorization: str, form: dict[str, str]) -> AppConnectorDef:
        try:
            raw = base64.b64decode(authorization.strip()[6:].strip(), validate=True).decode("utf-8")
            user, _, password = raw.partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise OAuthError("invalid_client", "malformed Basic credentials", status=401,
                             basic_challenge=True) from None
        client_id, secret = unquote(user.replace("+", " ")), unquote(password.replace("+", " "))
        if "client_id" in form and form["client_id"] != client_id:
            raise OAuthError("invalid_request", "client_id differs from the Basic credentials")
        return self._secret(env, client_id, secret, "client_secret_basic", challenge=True)

    def _assertion(self, env: EnvironmentDef, form: dict[str, str], audiences: list[str]) -> AppConnectorDef:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise OAuthError("invalid_request", "client_assertion_type must be " + ASSERTION_TYPE)
        assertion = form["client_assertion"]
        failed = OAuthError("invalid_client", "client assertion rejected")
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise failed from None
        client_id = str(claims.get("iss", ""))
        if "client_id" in form and form["client_id"] != client_id:
            raise OAuthError("invalid_request", "client_id differs from the assertion's iss")
        app = self._client(env, client_id)
        if app is None or app.oauth is None or app.oauth.public_key_pem is None:
            raise failed
        alg = header.get("alg")
        key = _load_public_key(app.oauth.public_key_pem)
        if alg not in JWT_ALGS or not _alg_fits(str(alg), key):
            raise OAuthError("invalid_client", f"alg {alg} does not fit the registered key")
        if app.oauth.kid and header.get("kid") not in (None, app.oauth.kid):
            raise failed
        try:
            verified = jwt.decode(assertion, key, algorithms=[str(alg)], audience=audiences,
                                  leeway=CLOCK_SKEW, options={"require": ["iss", "sub", "aud", "exp", "iat",
                                                                         "jti"]})
        except jwt.PyJWTError:
            raise failed from None
        if verified.get("sub") != client_id:
            raise failed
        iat, exp = verified["iat"], verified["exp"]
        if not isinstance(iat, int | float) or not isinstance(exp, int | float) \
                or exp - iat > MAX_ASSERTION_LIFETIME or iat > time.time() + CLOCK_SKEW:
            raise OAuthError("invalid_client", "assertion lifetime exceeds 5 minutes or iat is in the future")
        jti = str(verified["jti"])
        with self._lock:
            now = time.time()
            if len(self._jtis) > 10_000:
                self._jtis = {k: v for k, v in self._jtis.items() if v > now - CLOCK_SKEW}
            if (client_id, jti) in self._jtis:
                raise OAuthError("invalid_client", "jti has been used before")
            self._jtis[(client_id, jti)] = float(exp)
        return app
