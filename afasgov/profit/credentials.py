"""Credentials of an App Connector, read from its secret source and validated.

:func:`load_credentials` turns an :class:`~afasgov.config.AppConnectorConfig` into one of
:class:`ClassicCredentials`, :class:`ClientSecretCredentials` or :class:`PrivateKeyCredentials`.
Problems (missing variable, malformed token, a key that does not parse or does not fit ``alg``) are
:class:`~afasgov.errors.ConfigError` with the key path: exit 2, before any request is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from afasgov.errors import ConfigError
from afasgov.profit.tokens import ClassicToken, ClassicTokenError
from afasgov.secrets import Secret

if TYPE_CHECKING:
    # imported where a key is parsed: cryptography costs ~50 ms to import, and most runs never
    # parse a private key (classic tokens, client secrets)
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    from afasgov.config import AppConnectorConfig, EnvironmentConfig

MIN_RSA_BITS = 2048
#: what a classic token variable or file may hold (said whenever one does not parse)
ACCEPTED_TOKEN_FORMS = (
    "accepted: the token XML Profit generates (<token><version>1</version><data>64 hex</data></token), "  # noqa: S105
    "its base64 form, or either after 'AfasToken '"
)
JwtAlg = Literal["RS256", "PS256", "ES256"]


class PrivateKeyError(ValueError):
    """A private key does not parse, or does not fit the algorithm. Never contains the key."""


@dataclass(frozen=True, eq=False)
class PrivateKey:
    """A parsed signing key and the JWT ``alg`` it is used with; ``repr`` shows neither key nor PEM."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    alg: JwtAlg
    pem: Secret

    def __repr__(self) -> str:
        from cryptography.hazmat.primitives.asymmetric import rsa

        kind = "RSA" if isinstance(self.key, rsa.RSAPrivateKey) else "EC"
        return f"PrivateKey({kind} {self.key.key_size} bits, alg={self.alg}, pem=***)"

    @property
    def description(self) -> str:
        from cryptography.hazmat.primitives.asymmetric import rsa

        if isinstance(self.key, rsa.RSAPrivateKey):
            return f"RSA {self.key.key_size} bits"
        return f"EC {self.key.curve.name}"


def parse_private_key(pem: Secret, alg: str | None) -> PrivateKey:
    """Parse an unencrypted PEM private key (PKCS#8 or traditional) and check it fits ``alg``.

    ``alg`` ``None`` picks RS256 for RSA and ES256 for EC P-256. RSA needs ≥ 2048 bits; ES256 needs
    the P-256 curve (afas-api.md, private_key_jwt).
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    text = pem.reveal()
    if "-----BEGIN" not in text:
        raise PrivateKeyError("is not a PEM private key (expected a PEM 'BEGIN PRIVATE KEY' block)")
    if "ENCRYPTED" in text:
        raise PrivateKeyError(
            "is an encrypted private key; afasgov needs an unencrypted PEM key "
            "(keep it in a mode-600 file outside the repository)"
        )
    if "PRIVATE KEY-----" not in text:
        raise PrivateKeyError("holds a public key or certificate, not a private key")
    try:
        key = serialization.load_pem_private_key(text.encode("utf-8"), password=None)
    except (ValueError, TypeError):
        raise PrivateKeyError("does not parse as a PEM private key") from None
    except Exception:  # noqa: BLE001 - cryptography raises backend-specific errors on garbage
        raise PrivateKeyError("does not parse as a PEM private key") from None
    if isinstance(key, rsa.RSAPrivateKey):
        chosen = alg or "RS256"
        if chosen not in ("RS256", "PS256"):
            raise PrivateKeyError(
                f"is an RSA key, but alg {chosen} needs an EC P-256 key (use RS256 or PS256)"
            )
        if key.key_size < MIN_RSA_BITS:
            raise PrivateKeyError(f"is an RSA key of {key.key_size} bits; AFAS needs at least {MIN_RSA_BITS}")
        return PrivateKey(key=key, alg=chosen, pem=pem)  # type: ignore[arg-type]
    if isinstance(key, ec.EllipticCurvePrivateKey):
        chosen = alg or "ES256"
        if chosen != "ES256":
            raise PrivateKeyError(f"is an EC key, but alg {chosen} needs an RSA key (use ES256)")
        if not isinstance(key.curve, ec.SECP256R1):
            raise PrivateKeyError(f"is an EC key on curve {key.curve.name}; ES256 needs P-256 (secp256r1)")
        return PrivateKey(key=key, alg="ES256", pem=pem)
    raise PrivateKeyError(
        f"is a {type(key).__name__.lstrip('_')} key; AFAS accepts RSA (RS256/PS256) or EC P-256 (ES256)"
    )


@dataclass(frozen=True)
class ClassicCredentials:
    token: ClassicToken


@dataclass(frozen=True)
class ClientSecretCredentials:
    client_id: str
    secret: Secret
    method: Literal["client_secret_post", "client_secret_basic"]


@dataclass(frozen=True)
class PrivateKeyCredentials:
    client_id: str
    key: PrivateKey
    kid: str | None = None


Credentials = ClassicCredentials | ClientSecretCredentials | PrivateKeyCredentials


def load_credentials(app_connector: AppConnectorConfig) -> Credentials:
    """Read and validate the App Connector's secret; :class:`ConfigError` (exit 2) if unusable."""
    auth = app_connector.auth
    source = auth.secret_source
    secret = app_connector.secret()

    def fail(reason: str) -> ConfigError:
        return ConfigError(f"{source.describe()} {reason}", file=source.config_file, key_path=source.key_path)

    if auth.type == "classic":
        try:
            token = ClassicToken.parse(secret, name=secret.name)
        except ClassicTokenError as exc:
            raise fail(f"{exc}; {ACCEPTED_TOKEN_FORMS}") from None
        return ClassicCredentials(token=token)
    assert auth.client_id is not None
    if auth.method == "private_key_jwt":
        try:
            key = parse_private_key(secret, auth.alg)
        except PrivateKeyError as exc:
            raise fail(str(exc)) from None
        return PrivateKeyCredentials(client_id=auth.client_id, key=key, kid=auth.kid)
    assert auth.method in ("client_secret_post", "client_secret_basic")
    return ClientSecretCredentials(client_id=auth.client_id, secret=secret, method=auth.method)


class SecretsError(ConfigError):
    """Every missing or unusable secret of a run, in one error (exit 2): one round trip, not one per secret.

    The message is the configuration file and the count; :attr:`details` has one line per secret: the
    key path that names it and what is wrong (never a value)."""

    def __init__(self, problems: list[ConfigError]) -> None:
        self.problems = problems
        files = {p.file for p in problems}
        shared = files.pop() if len(files) == 1 else None
        lines = [f"{p.key_path}: {p.reason}" if shared and p.key_path else str(p) for p in problems]
        count = f"{len(problems)} secrets" if len(problems) != 1 else "1 secret"
        message = f"{count} of the selected environments are missing or unusable (fix them all, then run again)"
        super().__init__(message, file=shared)
        self.details = tuple(lines)


def load_all_credentials(
    envs: Iterable[EnvironmentConfig],
) -> dict[tuple[str, str], Credentials]:
    """The credentials of every App Connector of ``envs``, keyed by (environment, App Connector).

    Every secret is read before any request is sent; all problems are collected and raised as one
    :class:`SecretsError` (a single problem keeps its own one-line :class:`ConfigError`)."""
    loaded: dict[tuple[str, str], Credentials] = {}
    problems: list[ConfigError] = []
    for env in envs:
        for app in env.app_connectors.values():
            try:
                loaded[(env.name, app.name)] = load_credentials(app)
            except ConfigError as exc:
                problems.append(exc)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise SecretsError(problems)
    return loaded
