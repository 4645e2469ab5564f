"""Find, read and strictly validate ``afasgov.yaml`` (DESIGN §2; reference: docs/configuration.md).

Every problem is a :class:`afasgov.errors.ConfigError` with the file, the key path (e.g.
``environments.production.app_connectors.hr-sync.auth.token_env``) and what is wrong: unknown keys
(with a "did you mean"), wrong types, bad values, missing required keys, conflicting secret sources.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from afasgov.config.hosts import ENVIRONMENT_TYPES, base_url_for, is_afas_host, is_loopback_host
from afasgov.config.model import (
    DEFAULT_ENVIRONMENT_DEADLINE,
    DEFAULT_LANGUAGE,
    DEFAULT_MAX_CONNECTOR_LOSS,
    JWT_ALGS,
    MAX_IN_FLIGHT,
    OAUTH_METHODS,
    AppConnectorConfig,
    AuthConfig,
    Config,
    EnvironmentConfig,
)
from afasgov.config.sources import SecretSource, SourceKind
from afasgov.config.yamlio import read_yaml_file
from afasgov.errors import ConfigError

CONFIG_NAME = "afasgov.yaml"

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TENANT_RE = re.compile(r"^[0-9]{1,12}$")
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_HEADER_VALUE_RE = re.compile(r"^[\x21-\x7e]{1,200}$")
_CLIENT_ID_RE = re.compile(r"^[\x21-\x7e]{1,256}$")
_ENV_VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")

TOP_KEYS = (
    "definitions_dir",
    "reports_dir",
    "integrations_dir",
    "waivers",
    "environments",
    "policy",
    "max_in_flight_total",
    "max_connector_loss",
    "levels",
    "fleet",
)
ENV_KEYS = (
    "tenant",
    "type",
    "base_url",
    "allow_non_afas_host",
    "integration_id",
    "language",
    "max_in_flight",
    "timeout_seconds",
    "request_deadline_seconds",
    "environment_deadline_seconds",
    "ca_file",
    "app_connectors",
)
AC_KEYS = ("auth", "description")
SOURCE_SUFFIXES: tuple[SourceKind, ...] = ("env", "file", "keyring")
CLASSIC_KEYS = ("type", "token_env", "token_file", "token_keyring")
OAUTH_KEYS = (
    "type",
    "client_id",
    "method",
    "alg",
    "kid",
    "client_secret_env",
    "client_secret_file",
    "client_secret_keyring",
    "private_key_env",
    "private_key_file",
    "private_key_keyring",
    "secret_issued",
    "secret_validity_days",
)


def find_config(start: Path | None = None) -> Path | None:
    """The first ``afasgov.yaml`` in ``start`` (default: cwd) or one of its parents."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None = None, *, read: Callable[[Path], bytes] | None = None) -> Config:
    """Load ``path`` (``--config``) or the ``afasgov.yaml`` found upwards from the current directory
    (``read``: the workspace's reader, see :class:`afasgov.workspace.Workspace`)."""
    if path is None:
        found = find_config()
        if found is None:
            raise ConfigError(
                f"no {CONFIG_NAME} found in {Path.cwd()} or its parents "
                "(run `afasgov init`, or pass --config PATH)"
            )
        path = found
    path = Path(path).expanduser()
    if path.is_dir():
        raise ConfigError("is a directory, expected a YAML file", file=str(path))
    data = read_yaml_file(path, read=read)
    return parse_config(data, path=path.resolve())


class _Ctx:
    def __init__(self, file: str | None) -> None:
        self.file = file

    def err(self, key_path: str, message: str) -> ConfigError:
        return ConfigError(message, file=self.file, key_path=key_path or None)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def _mapping(ctx: _Ctx, value: Any, key_path: str, allowed: tuple[str, ...] | None) -> dict[str, Any]:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise ctx.err(key_path, f"must be a mapping, got {_type_name(value)}")
    for key in value:
        if not isinstance(key, str):
            raise ctx.err(key_path, f"keys must be strings, got {_type_name(key)} {key!r}")
        if allowed is not None and key not in allowed:
            hint = difflib.get_close_matches(key, allowed, n=1)
            suffix = f" (did you mean '{hint[0]}'?)" if hint else f" (allowed: {', '.join(allowed)})"
            raise ctx.err(_join(key_path, key), f"unknown key{suffix}")
    return cast(dict[str, Any], value)


def _join(key_path: str, key: str) -> str:
    return f"{key_path}.{key}" if key_path else key


def _str(
    ctx: _Ctx,
    data: Mapping[str, Any],
    key: str,
    key_path: str,
    *,
    required: bool = False,
    default: str | None = None,
    pattern: re.Pattern[str] | None = None,
    what: str = "",
) -> str | None:
    kp = _join(key_path, key)
    if key not in data or data[key] is None:
        if required:
            raise ctx.err(kp, "is required")
        return default
    value = data[key]
    if not isinstance(value, str):
        extra = ""
        if isinstance(value, int) and not isinstance(value, bool):
            extra = f' (quote it: {key}: "{value}")'
        raise ctx.err(kp, f"must be a string, got {_type_name(value)}{extra}")
    if pattern is not None and not pattern.match(value):
        raise ctx.err(kp, f"is not {what or 'valid'}: {value!r}"[:300])
    return value


def _bool(ctx: _Ctx, data: Mapping[str, Any], key: str, key_path: str, default: bool) -> bool:
    if key not in data or data[key] is None:
        return default
    value = data[key]
    if not isinstance(value, bool):
        raise ctx.err(_join(key_path, key), f"must be true or false, got {_type_name(value)}")
    return value


def _number(ctx: _Ctx, data: Mapping[str, Any], key: str, kp: str, *, default: float | None, lo: float,
            hi: float, what: str) -> float | None:
    """An optional number (int or float, not a boolean) between ``lo`` and ``hi``."""
    if key not in data:
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise ctx.err(_join(kp, key), f"must be {what}, got {value!r}")
    return float(value)


def _int(
    ctx: _Ctx, data: Mapping[str, Any], key: str, key_path: str, *, default: int | None, lo: int, hi: int
) -> int | None:
    if key not in data or data[key] is None:
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ctx.err(_join(key_path, key), f"must be an integer, got {_type_name(value)}")
    if not lo <= value <= hi:
        raise ctx.err(_join(key_path, key), f"must be between {lo} and {hi}, got {value}")
    return value


def _date(ctx: _Ctx, data: Mapping[str, Any], key: str, key_path: str) -> dt.date | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ctx.err(_join(key_path, key), f"must be a date (YYYY-MM-DD), got {value!r}")


def _path(
    ctx: _Ctx, data: Mapping[str, Any], key: str, key_path: str, *, root: Path, default: str | None
) -> Path | None:
    value = _str(ctx, data, key, key_path, default=default)
    if value is None:
        return None
    if not value.strip() or "\x00" in value:
        raise ctx.err(_join(key_path, key), "must be a non-empty path")
    p = Path(value).expanduser()
    return p if p.is_absolute() else root / p


def _name(ctx: _Ctx, name: Any, key_path: str, what: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ctx.err(
            key_path,
            f"{what} name {name!r} must be 1-64 letters, digits, '.', '_' or '-' "
            "and start with a letter or digit",
        )
    return name


def parse_config(data: Any, *, path: Path | None, root: Path | None = None) -> Config:
    """Validate parsed YAML ``data`` into a :class:`Config` (``root`` defaults to the file's dir)."""
    ctx = _Ctx(str(path) if path else None)
    if root is None:
        root = path.parent if path is not None else Path.cwd()
    top = _mapping(ctx, data, "", TOP_KEYS)
    definitions = _path(ctx, top, "definitions_dir", "", root=root, default="definitions")
    reports = _path(ctx, top, "reports_dir", "", root=root, default="reports")
    integrations = _path(ctx, top, "integrations_dir", "", root=root, default="definitions/integrations")
    waivers = _path(ctx, top, "waivers", "", root=root, default="definitions/waivers.yaml")
    assert definitions and reports and integrations and waivers
    policy_file: Path | None = None
    policy: dict[str, Any] | None = None
    raw_policy = top.get("policy")
    if isinstance(raw_policy, dict):
        policy = _mapping(ctx, raw_policy, "policy", None)
    elif raw_policy is not None:
        policy_file = _path(ctx, top, "policy", "", root=root, default=None)
    total = _int(ctx, top, "max_in_flight_total", "", default=None, lo=1, hi=10_000)
    loss = _number(ctx, top, "max_connector_loss", "", default=DEFAULT_MAX_CONNECTOR_LOSS, lo=0.0, hi=1.0,
                   what="a share between 0 and 1 (0.5 = half of the connectors)")
    levels = _levels(ctx, top.get("levels"))
    fleet = None
    if top.get("fleet") is not None:
        from afasgov.config.fleet import parse_fleet_spec

        fleet = parse_fleet_spec(top["fleet"], file=ctx.file, root=root, definitions_dir=definitions,
                                 reports_dir=reports)
    envs_raw = _mapping(ctx, top.get("environments"), "environments", None)
    environments: dict[str, EnvironmentConfig] = {}
    for env_name, env_data in envs_raw.items():
        kp = f"environments.{env_name}"
        _name(ctx, env_name, kp, "environment")
        environments[env_name] = _environment(ctx, env_name, env_data, kp, root)
    return Config(
        path=path,
        root=root,
        definitions_dir=definitions,
        reports_dir=reports,
        integrations_dir=integrations,
        waivers=waivers,
        environments=environments,
        policy_file=policy_file,
        policy=policy,
        max_in_flight_total=total,
        max_connector_loss=DEFAULT_MAX_CONNECTOR_LOSS if loss is None else loss,
        levels=levels,
        fleet=fleet,
    )


OFF = "off"
#: the values ``levels:`` accepts (after case folding); applied by :mod:`afasgov.levels`
LEVEL_VALUES = ("ERR", "WARN", "INFO", OFF)


def parse_level_value(value: object) -> str | None:
    """A ``levels:`` value → ``ERR`` | ``WARN`` | ``INFO`` | ``off``; None when it is none of them.
    YAML's false (a bare ``off``/``no``) means ``off``."""
    if value is False:
        return OFF
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.upper() in LEVEL_VALUES[:3]:
        return text.upper()
    return OFF if text.lower() == OFF else None


def _levels(ctx: _Ctx, raw: Any) -> dict[str, str]:
    """``levels:`` rule id → ERR | WARN | INFO | off (any case); the ids are checked by afasgov.levels."""
    data = _mapping(ctx, raw, "levels", None)
    out: dict[str, str] = {}
    for rule_id, value in data.items():
        if not isinstance(rule_id, str) or not rule_id.strip():
            raise ctx.err("levels", f"rule id {rule_id!r} must be text (a rule or check id)")
        level = parse_level_value(value)
        if level is None:
            raise ctx.err(f"levels.{rule_id}", f"must be ERR, WARN, INFO or off, not {value!r}")
        out[rule_id] = level
    return out


def _environment(ctx: _Ctx, name: str, raw: Any, kp: str, root: Path) -> EnvironmentConfig:
    data = _mapping(ctx, raw, kp, ENV_KEYS)
    tenant = _str(
        ctx,
        data,
        "tenant",
        kp,
        required=True,
        pattern=_TENANT_RE,
        what='an environment number (digits, e.g. "12345")',
    )
    env_type = _str(ctx, data, "type", kp, required=True)
    if env_type not in ENVIRONMENT_TYPES:
        raise ctx.err(_join(kp, "type"), f"must be one of {', '.join(ENVIRONMENT_TYPES)}, got {env_type!r}")
    assert tenant is not None
    allow_foreign = _bool(ctx, data, "allow_non_afas_host", kp, False)
    override = _str(ctx, data, "base_url", kp)
    base_url = base_url_for(tenant, env_type)
    if override is not None:
        base_url = _check_base_url(ctx, override, _join(kp, "base_url"), allow_foreign)
    integration_id = _str(
        ctx,
        data,
        "integration_id",
        kp,
        pattern=_HEADER_VALUE_RE,
        what="a header value (printable ASCII, no spaces, e.g. 12345_123456)",
    )
    language = _str(
        ctx,
        data,
        "language",
        kp,
        default=DEFAULT_LANGUAGE,
        pattern=_LANGUAGE_RE,
        what="a language tag such as nl-nl or en-us",
    )
    max_in_flight = _int(ctx, data, "max_in_flight", kp, default=MAX_IN_FLIGHT, lo=1, hi=MAX_IN_FLIGHT)
    timeout = data.get("timeout_seconds", 120)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 1 <= timeout <= 900:
        raise ctx.err(
            _join(kp, "timeout_seconds"), f"must be a number of seconds between 1 and 900, got {timeout!r}"
        )
    request_deadline = _number(ctx, data, "request_deadline_seconds", kp, default=None, lo=1, hi=3600,
                               what="a number of seconds between 1 and 3600")
    env_deadline = _number(ctx, data, "environment_deadline_seconds", kp, default=DEFAULT_ENVIRONMENT_DEADLINE,
                           lo=10, hi=86_400, what="a number of seconds between 10 and 86400")
    ca_file = _path(ctx, data, "ca_file", kp, root=root, default=None)
    acs_raw = _mapping(ctx, data.get("app_connectors"), _join(kp, "app_connectors"), None)
    app_connectors: dict[str, AppConnectorConfig] = {}
    for ac_name, ac_data in acs_raw.items():
        ac_kp = f"{kp}.app_connectors.{ac_name}"
        _name(ctx, ac_name, ac_kp, "App Connector")
        ac = _mapping(ctx, ac_data, ac_kp, AC_KEYS)
        if "auth" not in ac:
            raise ctx.err(_join(ac_kp, "auth"), "is required")
        description = _str(ctx, ac, "description", ac_kp)
        auth = _auth(ctx, ac["auth"], _join(ac_kp, "auth"), root)
        app_connectors[ac_name] = AppConnectorConfig(
            name=ac_name,
            auth=auth,
            key_path=ac_kp,
            environment=name,
            config_file=ctx.file,
            description=description,
        )
    assert language is not None and max_in_flight is not None
    return EnvironmentConfig(
        name=name,
        tenant=tenant,
        type=env_type,  # type: ignore[arg-type]
        base_url=base_url,
        base_url_overridden=override is not None,
        integration_id=integration_id,
        language=language.lower(),
        max_in_flight=max_in_flight,
        app_connectors=app_connectors,
        allow_non_afas_host=allow_foreign,
        timeout_seconds=float(timeout),
        request_deadline_seconds=request_deadline if request_deadline is not None else 4.0 * float(timeout),
        environment_deadline_seconds=DEFAULT_ENVIRONMENT_DEADLINE if env_deadline is None else env_deadline,
        ca_file=ca_file,
        key_path=kp,
        config_file=ctx.file,
    )


def _check_base_url(ctx: _Ctx, url: str, kp: str, allow_foreign: bool) -> str:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ctx.err(kp, f"is not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        raise ctx.err(
            kp, "must be an absolute http(s) URL such as https://12345.rest.afas.online/ProfitRestServices"
        )
    if parts.username is not None or parts.password is not None:
        raise ctx.err(kp, "must not contain a user name or password")
    if parts.query or parts.fragment:
        raise ctx.err(kp, "must not contain a query string or fragment")
    if scheme == "http" and not is_loopback_host(host):
        raise ctx.err(
            kp,
            f"http:// is only allowed for loopback hosts (127.0.0.1, ::1, localhost), not {host}; "
            "use https://",
        )
    if not is_afas_host(host) and not allow_foreign:
        raise ctx.err(
            kp,
            f"host {host} is not an AFAS host (*.afas.online); set allow_non_afas_host: true "
            "in this environment to use it (it will be flagged by the audit)",
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = parts.path.rstrip("/")
    return f"{scheme}://{netloc}{path}"


def _auth(ctx: _Ctx, raw: Any, kp: str, root: Path) -> AuthConfig:
    data = _mapping(ctx, raw, kp, None)
    auth_type = _str(ctx, data, "type", kp, required=True)
    if auth_type == "classic":
        for key in data:
            if key in OAUTH_KEYS and key not in CLASSIC_KEYS:
                raise ctx.err(_join(kp, key), "only applies to type oauth, not classic")
        _mapping(ctx, data, kp, CLASSIC_KEYS)
        token = _source(ctx, data, "token", kp, root, strip=True, required=True)
        return AuthConfig(type="classic", key_path=kp, token=token)
    if auth_type != "oauth":
        raise ctx.err(_join(kp, "type"), f"must be classic or oauth, got {auth_type!r}")
    for key in data:
        if key in CLASSIC_KEYS and key not in OAUTH_KEYS:
            raise ctx.err(_join(kp, key), "only applies to type classic, not oauth")
    _mapping(ctx, data, kp, OAUTH_KEYS)
    client_id = _str(
        ctx,
        data,
        "client_id",
        kp,
        required=True,
        pattern=_CLIENT_ID_RE,
        what="a client id (printable ASCII, no spaces)",
    )
    method = _str(ctx, data, "method", kp, default="client_secret_post")
    if method not in OAUTH_METHODS:
        raise ctx.err(_join(kp, "method"), f"must be one of {', '.join(OAUTH_METHODS)}, got {method!r}")
    alg = _str(ctx, data, "alg", kp)
    kid = _str(ctx, data, "kid", kp, pattern=_HEADER_VALUE_RE, what="a key id (printable ASCII)")
    if method == "private_key_jwt":
        _forbid(ctx, data, kp, "client_secret", "private_key_jwt uses private_key_*")
        for key in ("secret_issued", "secret_validity_days"):
            if data.get(key) is not None:
                raise ctx.err(_join(kp, key), "only applies to a client secret, not to private_key_jwt")
        pkey = _source(ctx, data, "private_key", kp, root, strip=False, required=True)
        if alg is not None and alg not in JWT_ALGS:
            raise ctx.err(_join(kp, "alg"), f"must be one of {', '.join(JWT_ALGS)}, got {alg!r}")
        return AuthConfig(
            type="oauth",
            key_path=kp,
            method="private_key_jwt",
            client_id=client_id,
            alg=alg,
            kid=kid,
            private_key=pkey,
        )
    for key in ("alg", "kid"):
        if data.get(key) is not None:
            raise ctx.err(_join(kp, key), f"only applies to method private_key_jwt, not {method}")
    _forbid(ctx, data, kp, "private_key", f"{method} uses client_secret_*")
    secret = _source(ctx, data, "client_secret", kp, root, strip=True, required=True)
    return AuthConfig(
        type="oauth",
        key_path=kp,
        method=method,  # type: ignore[arg-type]
        client_id=client_id,
        client_secret=secret,
        secret_issued=_date(ctx, data, "secret_issued", kp),
        secret_validity_days=_int(ctx, data, "secret_validity_days", kp, default=None, lo=1, hi=36500),
    )


def _forbid(ctx: _Ctx, data: Mapping[str, Any], kp: str, prefix: str, reason: str) -> None:
    for suffix in SOURCE_SUFFIXES:
        key = f"{prefix}_{suffix}"
        if data.get(key) is not None:
            raise ctx.err(_join(kp, key), f"not allowed here ({reason})")


def _source(
    ctx: _Ctx, data: Mapping[str, Any], prefix: str, kp: str, root: Path, *, strip: bool, required: bool
) -> SecretSource | None:
    given = [s for s in SOURCE_SUFFIXES if data.get(f"{prefix}_{s}") is not None]
    if len(given) > 1:
        keys = " and ".join(f"{prefix}_{s}" for s in given)
        raise ctx.err(kp, f"{keys} are both set; give exactly one source for the {prefix.replace('_', ' ')}")
    if not given:
        if required:
            raise ctx.err(
                kp,
                f"needs {prefix}_env or {prefix}_file (or {prefix}_keyring); "
                "secrets are never written in afasgov.yaml",
            )
        return None
    kind = given[0]
    key = f"{prefix}_{kind}"
    key_kp = _join(kp, key)
    value = _str(ctx, data, key, kp)
    assert value is not None
    if kind == "env":
        if not _ENV_VAR_RE.match(value):
            raise ctx.err(
                key_kp,
                f"is not an environment variable name: {value[:60]!r}"
                + (" (put the variable's NAME here, not the secret)" if len(value) > 40 else ""),
            )
        return SecretSource(kind="env", ref=value, key_path=key_kp, config_file=ctx.file, strip=strip)
    if kind == "file":
        if not value.strip() or "\x00" in value:
            raise ctx.err(key_kp, "must be a file path")
        p = Path(value).expanduser()
        resolved = p if p.is_absolute() else root / p
        return SecretSource(
            kind="file", ref=value, key_path=key_kp, config_file=ctx.file, path=resolved, strip=strip
        )
    service, sep, username = value.partition("/")
    if not sep or not service or not username:
        raise ctx.err(key_kp, "must be SERVICE/USERNAME of a keyring entry")
    return SecretSource(kind="keyring", ref=value, key_path=key_kp, config_file=ctx.file, strip=strip)
