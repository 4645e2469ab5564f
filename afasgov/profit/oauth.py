"""OAuth 2 client credentials against ``{base}/oauth/token`` (afas-api.md, "OAuth").

Pure functions (no I/O) so they can be property-tested:

* :func:`build_client_assertion` — the ``private_key_jwt`` JWT: ``iss`` = ``sub`` = client id, ``aud``
  = token endpoint URL, a unique ``jti``, ``iat``, ``exp`` ≤ 60 s later; header ``alg`` (+ ``kid``).
* :func:`token_request` — form body and headers for each client authentication method.
* :func:`parse_token_response` — validate ``{"access_token", "token_type", "expires_in"}``.
"""

from __future__ import annotations

import base64
import secrets as _secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from afasgov.profit.credentials import ClientSecretCredentials, PrivateKey, PrivateKeyCredentials
from afasgov.secrets import Secret, register_secret

GRANT_TYPE = "client_credentials"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_ASSERTION_LIFETIME = 60
#: when the server omits ``expires_in`` [guess: AFAS always sends it; 3600 in the docs' example].
DEFAULT_EXPIRES_IN = 300.0


def token_url(base_url: str) -> str:
    return base_url.rstrip("/") + "/oauth/token"


def build_client_assertion(
    client_id: str,
    audience: str,
    key: PrivateKey,
    *,
    kid: str | None = None,
    now: float | None = None,
    lifetime: int = MAX_ASSERTION_LIFETIME,
    jti: str | None = None,
) -> str:
    """A fresh signed client-assertion JWT (new ``jti`` each call)."""
    if not 1 <= lifetime <= MAX_ASSERTION_LIFETIME:
        raise ValueError(f"assertion lifetime must be 1..{MAX_ASSERTION_LIFETIME} s")
    iat = int(time.time() if now is None else now)
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": jti or _secrets.token_urlsafe(24),
        "iat": iat,
        "exp": iat + lifetime,
    }
    headers: dict[str, Any] = {"typ": "JWT"}
    if kid:
        headers["kid"] = kid
    import jwt  # here: PyJWT and cryptography cost ~100 ms to import, needed only for private_key_jwt

    assertion = jwt.encode(claims, key.key, algorithm=key.alg, headers=headers)
    register_secret(assertion)
    return assertion


def basic_authorization(client_id: str, client_secret: str) -> str:
    """``Basic base64(urlenc(client_id):urlenc(client_secret))`` (RFC 6749 §2.3.1)."""
    pair = f"{quote_plus(client_id, safe='')}:{quote_plus(client_secret, safe='')}"
    encoded = base64.b64encode(pair.encode("utf-8")).decode("ascii")
    register_secret(encoded)
    return "Basic " + encoded


@dataclass(frozen=True)
class TokenRequest:
    """The form fields and extra headers of one token request. ``repr`` is redacted."""

    form: Mapping[str, str]
    headers: Mapping[str, str]

    def __repr__(self) -> str:
        return f"TokenRequest(fields={sorted(self.form)}, headers={sorted(self.headers)})"


def token_request(
    credentials: ClientSecretCredentials | PrivateKeyCredentials, url: str, *, now: float | None = None
) -> TokenRequest:
    """Exactly one client authentication, as AFAS requires (two at once is ``invalid_request``)."""
    form: dict[str, str] = {"grant_type": GRANT_TYPE}
    headers: dict[str, str] = {}
    if isinstance(credentials, PrivateKeyCredentials):
        form["client_id"] = credentials.client_id
        form["client_assertion_type"] = ASSERTION_TYPE
        form["client_assertion"] = build_client_assertion(
            credentials.client_id, url, credentials.key, kid=credentials.kid, now=now
        )
    elif credentials.method == "client_secret_basic":
        headers["Authorization"] = basic_authorization(credentials.client_id, credentials.secret.reveal())
    else:
        form["client_id"] = credentials.client_id
        form["client_secret"] = credentials.secret.reveal()
    return TokenRequest(form=form, headers=headers)


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and when it expires (``obtained_at`` on the client's monotonic clock)."""

    value: Secret
    token_type: str
    expires_in: float
    obtained_at: float

    @property
    def expires_at(self) -> float:
        return self.obtained_at + self.expires_in

    def refresh_margin(self) -> float:
        """Renew this long before expiry: 10 % of the lifetime, between 1 and 60 s."""
        return max(1.0, min(60.0, self.expires_in * 0.1))

    def usable(self, now: float) -> bool:
        return now < self.expires_at - self.refresh_margin()


class TokenResponseError(ValueError):
    """The token endpoint's 200 answer is not a valid token response (message has no token)."""


def parse_token_response(data: Any, *, obtained_at: float, name: str = "access token") -> AccessToken:
    if not isinstance(data, dict):
        raise TokenResponseError("token response is not a JSON object")
    value = data.get("access_token")
    if not isinstance(value, str) or not value or not value.isascii() or any(c.isspace() for c in value):
        raise TokenResponseError("token response has no usable access_token")
    token_type = data.get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise TokenResponseError(f"token_type is {str(token_type)[:40]!r}, expected Bearer")
    expires_in = data.get("expires_in", DEFAULT_EXPIRES_IN)
    if isinstance(expires_in, str) and expires_in.strip().isdigit():
        expires_in = int(expires_in)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or expires_in <= 0:
        raise TokenResponseError(
            f"expires_in must be a positive number of seconds, got {str(expires_in)[:40]!r}"
        )
    return AccessToken(
        value=Secret(value, name=name),
        token_type="Bearer",  # noqa: S106
        expires_in=float(expires_in),
        obtained_at=obtained_at,
    )
