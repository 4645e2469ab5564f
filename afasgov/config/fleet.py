"""A partner's fleet: ``fleet:`` in ``afasgov.yaml`` and the tenants file it names (issue 15 §1).

::

    fleet:
      tenants: fleet/tenants.yaml           # id, name, tags (and per-tenant overrides) per tenant
      environments: [production, accept]    # the environments every tenant has (types)
      auth:                                 # the App Connectors every tenant has; secrets by template
        helloid: {type: classic, token_env: "AFAS_{tenant}_{ENV}_TOKEN"}
        bi: {type: oauth, client_id: "bi-{tenant}", client_secret_file: "/run/secrets/{tenant}/{env}/bi"}

Templates may use ``{tenant}`` (the tenant id), ``{env}`` (the environment type), ``{app}`` (the App
Connector) and their upper-case forms ``{TENANT}``, ``{ENV}``, ``{APP}`` (upper case, ``-`` → ``_``,
for variable names). Every ``*_env``, ``*_file`` and ``*_keyring`` reference, ``client_id``, ``kid``,
``base_url`` and ``integration_id`` is a template. The secrets rules are those of any environment
(:mod:`afasgov.config.sources`): names of variables or files only, files mode 600 and not tracked.

:func:`parse_fleet_spec` validates the section when ``afasgov.yaml`` is loaded, templates included
(expanded for a sample tenant): a typo fails before any tenant is read. :func:`load_fleet` reads the
tenants file (only fleet commands do) into :class:`Fleet`: one :class:`Tenant` per entry, each with
an :class:`~afasgov.config.EnvironmentConfig` per environment, named ``{tenant}-{env}``. Every error
names the file, the key path and the tenant (``tenants[17] (12345 Acme BV).tags[0]: …``).
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afasgov.config.hosts import ENVIRONMENT_TYPES, base_url_for
from afasgov.config.model import DEFAULT_LANGUAGE, MAX_IN_FLIGHT, AppConnectorConfig, AuthConfig, EnvironmentConfig
from afasgov.config.sources import SecretSource
from afasgov.config.yamlio import read_yaml_file
from afasgov.errors import ConfigError, UsageError

FLEET_KEYS = (
    "tenants",
    "environments",
    "auth",
    "base_url",
    "allow_non_afas_host",
    "integration_id",
    "language",
    "max_in_flight",
    "timeout_seconds",
    "ca_file",
    "definitions_dir",
    "reports_dir",
)
TENANT_KEYS = ("id", "name", "tags", "environments", "auth")
#: the fleet's default environments (a release week compares production with accept)
DEFAULT_ENVIRONMENTS = ("production", "accept")
PLACEHOLDERS = ("tenant", "env", "app", "TENANT", "ENV", "APP")
#: keys of an App Connector's ``auth`` that are templates
TEMPLATE_SUFFIXES = ("_env", "_file", "_keyring")
TEMPLATE_KEYS = ("client_id", "kid")
#: the tenant used to check the templates when ``afasgov.yaml`` is loaded
SAMPLE_TENANT = "12345"

_TENANT_ID_RE = re.compile(r"^[0-9]{1,12}$")
_TAG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")
MAX_NAME = 200


@dataclass(frozen=True)
class FleetSpec:
    """The validated ``fleet:`` section (templates not expanded)."""

    tenants_file: Path
    environments: tuple[str, ...]
    #: App Connector name → its ``auth`` mapping as written (templates), validated for a sample tenant
    auth: Mapping[str, Mapping[str, Any]]
    definitions_dir: Path
    reports_dir: Path
    base_url: str | None = None
    allow_non_afas_host: bool = False
    integration_id: str | None = None
    language: str = DEFAULT_LANGUAGE
    max_in_flight: int = MAX_IN_FLIGHT
    timeout_seconds: float = 120.0
    ca_file: Path | None = None
    config_file: str | None = None
    root: Path = field(default_factory=Path.cwd)


@dataclass(frozen=True)
class Tenant:
    """One tenant (customer) of the fleet."""

    id: str
    name: str
    tags: tuple[str, ...]
    #: environment type → its configuration (name ``{id}-{type}``), in the fleet's order
    environments: Mapping[str, EnvironmentConfig]
    #: ``tenants[i]`` in the tenants file
    key_path: str
    #: ``i``: the tenant's place in the tenants file (the fleet report's order)
    position: int = 0

    @property
    def label(self) -> str:
        return f"{self.id} {self.name}"


@dataclass(frozen=True)
class Fleet:
    """The tenants of a fleet, in file order."""

    spec: FleetSpec
    tenants: tuple[Tenant, ...]

    def tenant(self, tenant_id: str) -> Tenant:
        for t in self.tenants:
            if t.id == tenant_id:
                return t
        raise UsageError(f"unknown tenant {tenant_id!r} in {self.spec.tenants_file}")

    def select(self, tags: Iterable[str] = (), shard: tuple[int, int] | None = None) -> list[Tenant]:
        """The tenants having every tag in ``tags`` (all when empty), of shard ``(k, n)`` if given."""
        wanted = set(tags)
        out = [t for t in self.tenants if wanted <= set(t.tags)]
        if shard is not None:
            k, n = shard
            out = [t for t in out if shard_of(t.id, n) == k]
        return out


def shard_of(tenant_id: str, shards: int) -> int:
    """The shard (1-based) of a tenant among ``shards``: from a hash of its id only, so a tenant
    stays in its shard however the list grows or is reordered."""
    digest = hashlib.sha256(tenant_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards + 1


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` (1 ≤ K ≤ N ≤ 1000) → ``(K, N)``; a :class:`UsageError` otherwise."""
    k, sep, n = text.partition("/")
    if not sep or not k.strip().isdigit() or not n.strip().isdigit():
        raise UsageError(f"--shard {text!r}: expected K/N, e.g. 2/4")
    kk, nn = int(k), int(n)
    if not 1 <= nn <= 1000 or not 1 <= kk <= nn:
        raise UsageError(f"--shard {text!r}: K must be between 1 and N, N between 1 and 1000")
    return kk, nn


# ------------------------------------------------------------------------------------ templates
class _Values(dict[str, str]):
    pass


def _upper(s: str) -> str:
    return s.upper().replace("-", "_").replace(".", "_")


def _values(tenant: str, env: str, app: str) -> _Values:
    return _Values(tenant=tenant, env=env, app=app, TENANT=_upper(tenant), ENV=_upper(env), APP=_upper(app))


_FORMATTER = string.Formatter()


def check_template(value: str) -> str | None:
    """``None`` if ``value`` is a valid template, else what is wrong with it."""
    try:
        parsed = list(_FORMATTER.parse(value))
    except ValueError as exc:
        return f"is not a valid template ({exc}; write {{{{ and }}}} for literal braces)"
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            return f"unknown placeholder {{{name}}} (use {', '.join('{' + p + '}' for p in PLACEHOLDERS)})"
        if spec or conversion:
            return f"placeholder {{{name}}} takes no format spec or conversion"
    return None


def expand(value: str, values: Mapping[str, str]) -> str:
    """Fill a template checked by :func:`check_template`."""
    if "{" not in value and "}" not in value:
        return value
    return value.format_map(values)


def _is_template_key(key: str) -> bool:
    return key in TEMPLATE_KEYS or key.endswith(TEMPLATE_SUFFIXES)


# -------------------------------------------------------------------------------- afasgov.yaml
def parse_fleet_spec(raw: Any, *, file: str | None, root: Path, definitions_dir: Path, reports_dir: Path) -> FleetSpec:
    """Validate ``fleet:`` (from :func:`afasgov.config.loader.parse_config`)."""
    from afasgov.config import loader as L

    ctx = L._Ctx(file)
    data = L._mapping(ctx, raw, "fleet", FLEET_KEYS)
    tenants_file = L._path(ctx, data, "tenants", "fleet", root=root, default=None)
    if tenants_file is None:
        raise ctx.err("fleet.tenants", "is required (the path of the tenants file, e.g. fleet/tenants.yaml)")
    envs = _environment_types(ctx, data.get("environments"), "fleet.environments", DEFAULT_ENVIRONMENTS)
    auth_raw = L._mapping(ctx, data.get("auth"), "fleet.auth", None)
    if not auth_raw:
        raise ctx.err("fleet.auth", "is required: the App Connectors every tenant has, e.g. "
                      'helloid: {type: classic, token_env: "AFAS_{tenant}_{ENV}_TOKEN"}')
    auth: dict[str, Mapping[str, Any]] = {}
    for app, spec in auth_raw.items():
        kp = f"fleet.auth.{app}"
        L._name(ctx, app, kp, "App Connector")
        mapping = L._mapping(ctx, spec, kp, None)
        _check_templates(ctx, mapping, kp)
        auth[app] = dict(mapping)
    base_url = L._str(ctx, data, "base_url", "fleet")
    integration_id = L._str(ctx, data, "integration_id", "fleet")
    for key, value in (("base_url", base_url), ("integration_id", integration_id)):
        if value is not None and (problem := check_template(value)):
            raise ctx.err(f"fleet.{key}", problem)
    language = L._str(ctx, data, "language", "fleet", default=DEFAULT_LANGUAGE, pattern=L._LANGUAGE_RE,
                      what="a language tag such as nl-nl or en-us")
    max_in_flight = L._int(ctx, data, "max_in_flight", "fleet", default=MAX_IN_FLIGHT, lo=1, hi=MAX_IN_FLIGHT)
    timeout = data.get("timeout_seconds", 120)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 1 <= timeout <= 900:
        raise ctx.err("fleet.timeout_seconds", f"must be a number of seconds between 1 and 900, got {timeout!r}")
    spec = FleetSpec(
        tenants_file=tenants_file,
        environments=envs,
        auth=auth,
        definitions_dir=L._path(ctx, data, "definitions_dir", "fleet", root=root, default=None)
        or definitions_dir / "fleet",
        reports_dir=L._path(ctx, data, "reports_dir", "fleet", root=root, default=None) or reports_dir / "fleet",
        base_url=base_url,
        allow_non_afas_host=L._bool(ctx, data, "allow_non_afas_host", "fleet", False),
        integration_id=integration_id,
        language=(language or DEFAULT_LANGUAGE).lower(),
        max_in_flight=max_in_flight or MAX_IN_FLIGHT,
        timeout_seconds=float(timeout),
        ca_file=L._path(ctx, data, "ca_file", "fleet", root=root, default=None),
        config_file=file,
        root=root,
    )
    # every template, expanded for a sample tenant, must give a valid environment
    builder = _Builder(spec)
    for env_type in envs:
        for app in spec.auth:
            builder.L._auth(ctx, _expanded(spec.auth[app], _values(SAMPLE_TENANT, env_type, app)),
                            f"fleet.auth.{app}", root)
        builder.environment(SAMPLE_TENANT, "", env_type, {}, "fleet")
    return spec


def _check_templates(ctx: Any, mapping: Mapping[str, Any], kp: str) -> None:
    for key, value in mapping.items():
        if isinstance(key, str) and _is_template_key(key) and isinstance(value, str):
            problem = check_template(value)
            if problem:
                raise ctx.err(f"{kp}.{key}", problem)


def _environment_types(ctx: Any, raw: Any, kp: str, default: tuple[str, ...]) -> tuple[str, ...]:
    if raw is None:
        return default
    if not isinstance(raw, list) or not raw:
        raise ctx.err(kp, f"must be a non-empty list of environment types ({', '.join(ENVIRONMENT_TYPES)})")
    out: list[str] = []
    for i, item in enumerate(raw):
        if item not in ENVIRONMENT_TYPES:
            raise ctx.err(f"{kp}[{i}]", f"must be one of {', '.join(ENVIRONMENT_TYPES)}, got {item!r}")
        if item in out:
            raise ctx.err(f"{kp}[{i}]", f"{item!r} is listed twice")
        out.append(item)
    return tuple(out)


# ------------------------------------------------------------------------------- tenants file
@dataclass(frozen=True)
class _Plan:
    """One App Connector's ``auth`` template, validated once (for a sample tenant): expanding it for a
    tenant only fills in and checks the templated values (500 tenants load in well under 0.5 s)."""

    app: str
    template: Mapping[str, Any]
    auth: AuthConfig  # of the sample tenant: type, method, alg, which secret source
    source_key: str  # e.g. token_env


class _Builder:
    """Expands the fleet's templates for one tenant and environment into an EnvironmentConfig."""

    def __init__(self, spec: FleetSpec) -> None:
        self.spec = spec
        from afasgov.config import loader

        self.L = loader
        self.ctx = loader._Ctx(spec.config_file)
        self.plans: dict[str, _Plan] = {}

    def _plan(self, app: str) -> _Plan:
        plan = self.plans.get(app)
        if plan is None:
            template = self.spec.auth[app]
            values = _values(SAMPLE_TENANT, self.spec.environments[0], app)
            sample = self.L._auth(self.ctx, _expanded(template, values), f"fleet.auth.{app}", self.spec.root)
            source_key = next(k for k in template if k.endswith(TEMPLATE_SUFFIXES) and template[k] is not None)
            plan = self.plans[app] = _Plan(app, template, sample, source_key)
        return plan

    def _auth(self, plan: _Plan, values: Mapping[str, str], kp: str) -> AuthConfig:
        """``plan`` for one tenant: the templated values filled in and checked like ``_auth`` does."""
        L, ctx, t = self.L, self.ctx, plan.template
        sample = plan.auth
        key = plan.source_key
        ref = expand(t[key], values)
        key_kp = f"{kp}.{key}"
        source = sample.secret_source
        if source.kind == "env":
            if not L._ENV_VAR_RE.match(ref):
                raise ctx.err(key_kp, f"is not an environment variable name: {ref[:60]!r}")
            new_source = SecretSource(kind="env", ref=ref, key_path=key_kp, config_file=ctx.file, strip=source.strip)
        elif source.kind == "file":
            if not ref.strip() or "\x00" in ref:
                raise ctx.err(key_kp, "must be a file path")
            path = Path(ref).expanduser()
            new_source = SecretSource(kind="file", ref=ref, key_path=key_kp, config_file=ctx.file,
                                      path=path if path.is_absolute() else self.spec.root / path, strip=source.strip)
        else:
            service, sep, user = ref.partition("/")
            if not sep or not service or not user:
                raise ctx.err(key_kp, "must be SERVICE/USERNAME of a keyring entry")
            new_source = SecretSource(kind="keyring", ref=ref, key_path=key_kp, config_file=ctx.file,
                                      strip=source.strip)
        client_id = sample.client_id
        if client_id is not None:
            client_id = expand(t["client_id"], values)
            if not L._CLIENT_ID_RE.match(client_id):
                raise ctx.err(f"{kp}.client_id", f"is not a client id (printable ASCII, no spaces): {client_id!r}")
        kid = sample.kid
        if kid is not None:
            kid = expand(t["kid"], values)
            if not L._HEADER_VALUE_RE.match(kid):
                raise ctx.err(f"{kp}.kid", f"is not a key id (printable ASCII): {kid!r}")
        return AuthConfig(
            type=sample.type,
            key_path=kp,
            method=sample.method,
            client_id=client_id,
            alg=sample.alg,
            kid=kid,
            token=new_source if sample.token is not None else None,
            client_secret=new_source if sample.client_secret is not None else None,
            private_key=new_source if sample.private_key is not None else None,
        )

    def environment(
        self, tenant: str, name: str, env_type: str, overrides: Mapping[str, Mapping[str, Any]], where: str
    ) -> EnvironmentConfig:
        L, spec, ctx = self.L, self.spec, self.ctx
        env_name = f"{tenant}-{env_type}"
        tag = f" (tenant {tenant}{' ' + name if name else ''}, {env_type})"[:120] if where != "fleet" else ""
        values = _values(tenant, env_type, "")
        base_url = base_url_for(tenant, env_type)
        overridden = spec.base_url is not None
        if spec.base_url is not None:
            base_url = L._check_base_url(ctx, expand(spec.base_url, values), "fleet.base_url" + tag,
                                         spec.allow_non_afas_host)
        integration_id = None
        if spec.integration_id is not None:
            integration_id = expand(spec.integration_id, values)
            if not L._HEADER_VALUE_RE.match(integration_id):
                raise ctx.err("fleet.integration_id" + tag, f"is not a header value: {integration_id!r}")
        apps: dict[str, AppConnectorConfig] = {}
        for app in spec.auth:
            app_values = _Values(values, app=app, APP=_upper(app))
            override = overrides.get(app)
            if override:
                kp = f"{where}.auth.{app} ({env_type})"
                merged = dict(_expanded(spec.auth[app], app_values))
                merged.update(_expanded({k: v.get(env_type) if isinstance(v, dict) else v
                                         for k, v in override.items()}, app_values))
                try:
                    auth = L._auth(ctx, merged, kp, spec.root)
                except ConfigError as exc:
                    raise ConfigError(exc.reason, file=str(spec.tenants_file), key_path=exc.key_path) from None
            else:
                kp = f"fleet.auth.{app}{tag}"
                auth = self._auth(self._plan(app), app_values, kp)
            apps[app] = AppConnectorConfig(
                name=app, auth=auth, key_path=kp, environment=env_name, config_file=spec.config_file
            )
        return EnvironmentConfig(
            name=env_name,
            tenant=tenant,
            type=env_type,  # type: ignore[arg-type]
            base_url=base_url,
            base_url_overridden=overridden,
            integration_id=integration_id,
            language=spec.language,
            max_in_flight=spec.max_in_flight,
            app_connectors=apps,
            allow_non_afas_host=spec.allow_non_afas_host,
            timeout_seconds=spec.timeout_seconds,
            ca_file=spec.ca_file,
            key_path=f"{where} ({env_type})",
            config_file=spec.config_file,
        )


def _expanded(mapping: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, Any]:
    return {k: expand(v, values) if isinstance(v, str) and _is_template_key(k) else v for k, v in mapping.items()}


def load_fleet(spec: FleetSpec) -> Fleet:
    """Read and validate the tenants file of ``spec``."""
    from afasgov.config import loader as L

    file = str(spec.tenants_file)
    ctx = L._Ctx(file)
    data = read_yaml_file(spec.tenants_file)
    top = L._mapping(ctx, data, "", ("tenants",))
    raw = top.get("tenants")
    if not isinstance(raw, list):
        raise ctx.err("tenants", "must be a list of tenants (- id: \"12345\"\\n  name: …)")
    builder = _Builder(spec)
    tenants: list[Tenant] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw):
        tenants.append(_tenant(ctx, builder, spec, item, i, seen))
    return Fleet(spec=spec, tenants=tuple(tenants))


def _tenant(ctx: Any, builder: _Builder, spec: FleetSpec, item: Any, i: int, seen: dict[str, int]) -> Tenant:
    from afasgov.config import loader as L

    kp = f"tenants[{i}]"
    if not isinstance(item, dict):
        raise ctx.err(kp, f"must be a mapping with id, name and tags, got {L._type_name(item)}")
    tid = item.get("id")
    if isinstance(tid, int) and not isinstance(tid, bool):
        raise ctx.err(f"{kp}.id", f'must be a string, got an integer (quote it: id: "{tid}")')
    if not isinstance(tid, str) or not _TENANT_ID_RE.match(tid):
        raise ctx.err(f"{kp}.id", f'must be the AFAS environment number as a string (e.g. "12345"), got {tid!r}')
    name_raw = item.get("name")
    label = f"{tid}" + (f" {name_raw}" if isinstance(name_raw, str) and name_raw else "")
    kp = f"tenants[{i}] ({label[:80]})"
    for key in item:
        if key not in TENANT_KEYS:
            import difflib

            hint = difflib.get_close_matches(str(key), TENANT_KEYS, n=1)
            suffix = f" (did you mean '{hint[0]}'?)" if hint else f" (allowed: {', '.join(TENANT_KEYS)})"
            raise ctx.err(f"{kp}.{key}", f"unknown key{suffix}")
    if tid in seen:
        raise ctx.err(f"{kp}.id", f"tenant {tid} is listed twice (also tenants[{seen[tid]}])")
    seen[tid] = i
    if not isinstance(name_raw, str) or not name_raw.strip():
        raise ctx.err(f"{kp}.name", "is required: the customer's name")
    if len(name_raw) > MAX_NAME or any(ord(c) < 32 or ord(c) == 127 for c in name_raw):
        raise ctx.err(f"{kp}.name", f"must be at most {MAX_NAME} printable characters")
    tags_raw = item.get("tags", [])
    if tags_raw is None:
        tags_raw = []
    if not isinstance(tags_raw, list):
        raise ctx.err(f"{kp}.tags", f"must be a list of tags, got {L._type_name(tags_raw)}")
    tags: list[str] = []
    for j, tag in enumerate(tags_raw):
        if not isinstance(tag, str) or not _TAG_RE.match(tag):
            raise ctx.err(f"{kp}.tags[{j}]", f"must be a tag of letters, digits, '.', '_', ':', '/', '-', got {tag!r}")
        if tag not in tags:
            tags.append(tag)
    envs = _environment_types(ctx, item.get("environments"), f"{kp}.environments", spec.environments)
    overrides_raw = L._mapping(ctx, item.get("auth"), f"{kp}.auth", tuple(spec.auth))
    overrides: dict[str, Mapping[str, Any]] = {}
    for app, override in overrides_raw.items():
        mapping = L._mapping(ctx, override, f"{kp}.auth.{app}", None)
        for key, value in mapping.items():  # a value per environment: {production: …, accept: …}
            if isinstance(value, dict):
                for env_type, one in value.items():
                    if env_type not in envs:
                        raise ctx.err(f"{kp}.auth.{app}.{key}.{env_type}",
                                      f"is not one of the tenant's environments ({', '.join(envs)})")
                    if not isinstance(one, str):
                        raise ctx.err(f"{kp}.auth.{app}.{key}.{env_type}", f"must be a string, got {one!r}")
                missing = [e for e in envs if e not in value]
                if missing:
                    raise ctx.err(f"{kp}.auth.{app}.{key}", f"has no value for {', '.join(missing)}")
        _check_templates(ctx, {k: v for k, v in mapping.items() if not isinstance(v, dict)}, f"{kp}.auth.{app}")
        overrides[app] = mapping
    environments = {
        env_type: builder.environment(tid, name_raw.strip(), env_type, overrides, kp) for env_type in envs
    }
    return Tenant(id=tid, name=name_raw.strip(), tags=tuple(tags), environments=environments, key_path=kp,
                  position=i)


__all__ = [
    "DEFAULT_ENVIRONMENTS",
    "Fleet",
    "FleetSpec",
    "Tenant",
    "check_template",
    "expand",
    "load_fleet",
    "parse_fleet_spec",
    "parse_shard",
    "shard_of",
]
