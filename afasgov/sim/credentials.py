"""Demo credentials of the simulator: documented demo values, derived at runtime, never stored.

Nothing here is a real secret, and no literal token XML or private key is kept in the repository
(the secret scan would rightly flag it). Every value is derived from a public label:

* classic token ``data`` = upper-case SHA-256 hex of ``afasgov-sim/{family}/{env slug}/{app}/token``;
* OAuth client secret = ``demo-`` + URL-safe base64 of SHA-256 of ``…/{app}/client-secret``;
* ``private_key_jwt`` key = EC P-256 with the private scalar derived from SHA-256 of ``…/{app}/ec-key``;
* OAuth ``client_id`` = a UUID5 of ``…/{app}/client-id`` (not a secret).

:func:`credential_for` returns the credential of one App Connector as a :class:`DemoCredential`
whose secret parts are :class:`afasgov.secrets.Secret`.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from afasgov.secrets import Secret

_NAMESPACE = uuid.UUID("5b0f6a52-7c2e-4d8e-9a51-0a4f6a1e2c33")
_P256_ORDER = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)


def _label(family: str, slug: str, app: str, kind: str) -> str:
    return f"afasgov-sim/{family}/{slug}/{app}/{kind}"


def classic_token_data(family: str, slug: str, app: str) -> str:
    """The 64-hex ``data`` part of the demo classic token of one App Connector."""
    return hashlib.sha256(_label(family, slug, app, "token").encode()).hexdigest().upper()


def token_xml(data: str) -> str:
    """The classic token as Profit shows it (XML with version 1)."""
    return f"<token><version>1</version><data>{data}</data></token>"


def afas_token_header(xml: str) -> str:
    """``Authorization`` header value for a classic token: ``AfasToken base64(utf8(xml))``."""
    return "AfasToken " + base64.b64encode(xml.encode("utf-8")).decode("ascii")


def client_secret(family: str, slug: str, app: str) -> str:
    digest = hashlib.sha256(_label(family, slug, app, "client-secret").encode()).digest()
    return "demo-" + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def client_id(family: str, slug: str, app: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, _label(family, slug, app, "client-id")))


@lru_cache(maxsize=512)
def ec_private_key(family: str, slug: str, app: str) -> ec.EllipticCurvePrivateKey:
    """The demo EC P-256 key of an App Connector, derived deterministically (``ec.derive_private_key``)."""
    digest = hashlib.sha256(_label(family, slug, app, "ec-key").encode()).digest()
    scalar = int.from_bytes(digest, "big") % (_P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def ec_private_key_pem(family: str, slug: str, app: str) -> bytes:
    return ec_private_key(family, slug, app).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def ec_public_key_pem(family: str, slug: str, app: str) -> bytes:
    return ec_private_key(family, slug, app).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@dataclass(frozen=True)
class DemoCredential:
    """How one App Connector of a simulated environment authenticates (demo values only).

    ``auth_type`` is ``classic`` or ``oauth``; for OAuth ``method`` is the client authentication
    the environment and client support and that ``--write-config`` uses.
    """

    environment: str
    app_connector: str
    auth_type: str
    method: str | None = None
    client_id: str | None = None
    token: Secret | None = None  # classic token XML
    client_secret: Secret | None = None
    private_key_pem: Secret | None = None
    alg: str | None = None
    kid: str | None = None

    def authorization(self) -> str:
        """The ``Authorization`` header value for a classic token (only for ``auth_type == "classic"``)."""
        if self.token is None:
            raise ValueError(f"{self.environment}/{self.app_connector} has no classic token")
        return afas_token_header(self.token.reveal())


__all__ = [
    "DemoCredential",
    "afas_token_header",
    "classic_token_data",
    "client_id",
    "client_secret",
    "ec_private_key",
    "ec_private_key_pem",
    "ec_public_key_pem",
    "token_xml",
]
