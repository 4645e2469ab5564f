"""Organisation policy (``definitions/policy.yaml``), allow-lists and what the API cannot show.

The policy file is optional. It declares limits (max connectors per App Connector, token
validity), allow-lists per App Connector, approved sensitive write scopes, large/sensitive tables,
dedicated system users, IP rules, the token list, OAuth secret issue dates and justifications for
privacy-sensitive fields. Integration manifests (``definitions/integrations/*.yaml``) add what each
integration uses; together they drive the allow-list checks (AC002–AC004) and the justification
register (AC010/AC011).

The loader is strict because the policy is a security control: YAML tags, anchors/aliases and
duplicate keys are refused, the file is capped at 1 MiB, unknown keys are errors, connector ids are
NFKC-normalised and checked by :mod:`afasgov.model.ids` (the rule snapshots and manifests use, so a
Cyrillic ``KnUsеr`` cannot slip past an allow-list), and wildcards are refused for UpdateConnectors.
Any violation is an :class:`~afasgov.errors.InputError` (exit 2) naming the file and key.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from afasgov import yamlsafe
from afasgov._files import read_regular
from afasgov.errors import InputError
from afasgov.model.ids import check_connector_id

MAX_POLICY_BYTES = 1 << 20
#: AFAS Connect's test IPs ([AUD]): must be removed from IP rules after go-live (AC035).
AFAS_CONNECT_IPS = ("52.174.142.76", "52.174.142.140")

DEFAULT_LARGE_TABLES = ("Hr.RCo", "Kn.Emp", "Kn.Bcn", "Hr.Ess", "Hr.Etc", "Fi.Mut", "Fi.Fmu", "Kn.Usr")


def load_yaml_strict(
    path: Path, *, max_bytes: int = MAX_POLICY_BYTES, read: Callable[[Path], bytes] | None = None
) -> Any:
    """Parse a small YAML document strictly (:mod:`afasgov.yamlsafe`: no tags, no aliases, no
    duplicate keys) with the policy's own size cap."""
    return yamlsafe.load_file(path, max_bytes=max_bytes, read=read)


# ------------------------------------------------------------------------------- id validation
def validate_connector_id(value: Any, *, source: str, where: str, wildcard: bool = False) -> str:
    """An AFAS connector id (:func:`afasgov.model.ids.check_connector_id`); ``*`` only if ``wildcard``."""
    if not isinstance(value, str) or not value:
        raise InputError(f"{where}: connector id must be a non-empty string, got {value!r}", source=source)
    if value == "*" and wildcard:
        return value
    if "*" in value or "?" in value:
        kind = "UpdateConnectors" if not wildcard else "connector ids (only a bare '*' is allowed)"
        raise InputError(f"{where}: wildcard {value!r} is not allowed for {kind}", source=source)
    return check_connector_id(value, what=f"{where}: connector id", source=source)


# ---------------------------------------------------------------------------------------- model
@dataclass(frozen=True)
class Justification:
    """A recorded reason for using a privacy-sensitive field (AC010/AC011)."""

    target: str  # field id, output name, Connector/…/Field path, or System.Table.Field
    purpose: str = ""
    legal_basis: str = ""
    connector: str = ""


@dataclass(frozen=True)
class TokenRecord:
    """One token of an App Connector's token list (not visible through the API; AC027)."""

    issued: date | None = None
    last_used: date | None = None
    description: str = ""


@dataclass
class Policy:
    """The organisation's declarations. Every field is optional; absent = "not declared"."""

    source: str = ""
    sha256: str = ""
    partner: bool = False
    max_get_connectors: int = 10
    max_update_connectors: int = 3
    max_token_validity_days: int | None = None
    secret_validity_days: int = 180
    token_expiry_warning_days: int = 30
    allow: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    approved_write: dict[str, tuple[str, ...]] = field(default_factory=dict)
    large_tables: tuple[str, ...] = DEFAULT_LARGE_TABLES
    system_users: tuple[str, ...] | None = None
    ip_rules: dict[str, tuple[str, ...]] | None = None
    go_live: dict[str, date] = field(default_factory=dict)
    tokens: dict[str, tuple[TokenRecord, ...]] | None = None
    oauth_secrets: dict[str, tuple[date, int | None]] = field(default_factory=dict)
    justified_fields: tuple[Justification, ...] = ()
    justified_aggregations: tuple[str, ...] = ()
    maintainers: tuple[str, ...] = ()
    takes: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def lookup(mapping: dict[str, Any] | None, env: str, name: str, app_name: str = "") -> Any:
        """Per-App-Connector value: key ``env/name``, then ``name``, then ``info.appName``."""
        if not mapping:
            return None
        for key in (f"{env}/{name}", name, f"{env}/{app_name}" if app_name else "", app_name):
            if key and key in mapping:
                return mapping[key]
        return None

    def is_approved(self, connector: str, env: str, name: str, app_name: str) -> bool:
        apps = self.approved_write.get(connector, ())
        return any(k in apps for k in (f"{env}/{name}", name, app_name) if k)


_TOP_KEYS = {
    "version",
    "partner",
    "limits",
    "allow",
    "approved_write",
    "large_tables",
    "system_users",
    "ip_rules",
    "go_live",
    "tokens",
    "oauth_secrets",
    "justified_fields",
    "justified_aggregations",
    "maintainers",
    "takes",
}
_LIMIT_KEYS = {
    "max_get_connectors",
    "max_update_connectors",
    "max_token_validity_days",
    "secret_validity_days",
    "token_expiry_warning_days",
}


def _as_date(value: Any, *, source: str, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise InputError(f"{where}: {value!r} is not a date (YYYY-MM-DD)", source=source)


def _as_mapping(value: Any, *, source: str, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise InputError(f"{where}: expected a mapping with string keys", source=source)
    return value


def _as_list(value: Any, *, source: str, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{where}: expected a list", source=source)
    return value


def _as_int(value: Any, *, source: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{where}: expected a non-negative integer, got {value!r}", source=source)
    return value


def _strs(value: Any, *, source: str, where: str) -> tuple[str, ...]:
    items = _as_list(value, source=source, where=where)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise InputError(f"{where}[{i}]: expected a string, got {item!r}", source=source)
    return tuple(items)


def parse_justifications(value: Any, *, source: str, where: str) -> tuple[Justification, ...]:
    """``[{field, connector?, purpose, legal_basis?}]`` or ``{field: purpose}``."""
    out: list[Justification] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, dict):
                out.append(
                    Justification(
                        target=str(k),
                        purpose=str(v.get("purpose", "")),
                        legal_basis=str(v.get("legal_basis", "") or ""),
                        connector=str(v.get("connector", "") or ""),
                    )
                )
            else:
                out.append(Justification(target=str(k), purpose=str(v or "")))
        return tuple(out)
    for i, raw in enumerate(_as_list(value, source=source, where=where)):
        item = _as_mapping(raw, source=source, where=f"{where}[{i}]")
        target = item.get("field")
        if not isinstance(target, str) or not target:
            raise InputError(f"{where}[{i}].field: required", source=source)
        purpose = item.get("purpose") or item.get("reason") or ""
        if not str(purpose).strip():
            raise InputError(f"{where}[{i}].purpose: a justification needs a purpose", source=source)
        connector = item.get("connector") or ""
        if connector:
            connector = validate_connector_id(connector, source=source, where=f"{where}[{i}].connector")
        out.append(
            Justification(
                target=target,
                purpose=str(purpose),
                legal_basis=str(item.get("legal_basis") or ""),
                connector=str(connector),
            )
        )
    return tuple(out)


#: a manifest justification (free text) counts as citing a legal basis when it names a law.
LEGAL_BASIS_RE = re.compile(
    r"(?i)\b(?:wet|law|act|art(?:\.|ikel|icle)|avg|gdpr|uavg|regulation|besluit|verordening|legal basis"
    r"|wettelijk|statutory)\b"
)


def manifest_justifications(justifications: Mapping[str, str]) -> tuple[Justification, ...]:
    """An integration manifest's ``justifications`` (field → reason) as justifications: a key
    ``Connector/Fields/Id`` (or ``Connector/Id``) also covers ``Id`` of that connector, and a reason that
    names a law (``Wet …``, ``art. …``, ``AVG``/``GDPR`` …) also counts as the legal basis AC011 asks for."""
    out: list[Justification] = []
    for key, reason in justifications.items():
        text = str(reason)
        legal = text if LEGAL_BASIS_RE.search(text) else ""
        connector, _, field_id = str(key).rpartition("/")
        connector = connector.split("/", 1)[0] if connector else ""
        out.append(Justification(target=str(key), purpose=text, legal_basis=legal,
                                 connector=connector if field_id else ""))
        if connector and field_id and str(key) != field_id:
            out.append(Justification(target=field_id, purpose=text, legal_basis=legal, connector=connector))
    return tuple(out)


def parse_policy(data: Any, *, source: str) -> Policy:
    """Validate a parsed policy document (see ``docs/audit.md`` for the schema)."""
    doc = _as_mapping(data, source=source, where="(top level)")
    unknown = sorted(set(doc) - _TOP_KEYS)
    if unknown:
        raise InputError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_TOP_KEYS))})", source=source)
    p = Policy(source=source)
    if "partner" in doc:
        if not isinstance(doc["partner"], bool):
            raise InputError("partner: expected true or false", source=source)
        p.partner = doc["partner"]
    limits = _as_mapping(doc.get("limits"), source=source, where="limits")
    bad = sorted(set(limits) - _LIMIT_KEYS)
    if bad:
        raise InputError(f"limits: unknown key {bad[0]!r}", source=source)
    for key in _LIMIT_KEYS & set(limits):
        setattr(p, key, _as_int(limits[key], source=source, where=f"limits.{key}"))
    for app, raw_entry in _as_mapping(doc.get("allow"), source=source, where="allow").items():
        entry = _as_mapping(raw_entry, source=source, where=f"allow.{app}")
        extra = sorted(set(entry) - {"get", "update"})
        if extra:
            raise InputError(f"allow.{app}: unknown key {extra[0]!r} (get, update)", source=source)
        p.allow[app] = {
            "get": tuple(
                validate_connector_id(c, source=source, where=f"allow.{app}.get[{i}]", wildcard=True)
                for i, c in enumerate(_as_list(entry.get("get"), source=source, where=f"allow.{app}.get"))
            ),
            "update": tuple(
                validate_connector_id(c, source=source, where=f"allow.{app}.update[{i}]")
                for i, c in enumerate(
                    _as_list(entry.get("update"), source=source, where=f"allow.{app}.update")
                )
            ),
        }
    for conn, apps in _as_mapping(doc.get("approved_write"), source=source, where="approved_write").items():
        cid = validate_connector_id(conn, source=source, where=f"approved_write.{conn}")
        p.approved_write[cid] = _strs(apps, source=source, where=f"approved_write.{conn}")
    if "large_tables" in doc:
        tables = _strs(doc["large_tables"], source=source, where="large_tables")
        for i, tbl in enumerate(tables):
            if not re.fullmatch(r"[A-Za-z]{2,3}\.[A-Za-z0-9]+", tbl):
                raise InputError(
                    f"large_tables[{i}]: {tbl!r} is not System.Table (e.g. Hr.RCo)", source=source
                )
        p.large_tables = tables
    if "system_users" in doc:
        p.system_users = _strs(doc["system_users"], source=source, where="system_users")
    if "ip_rules" in doc:
        p.ip_rules = {}
        for app, rules in _as_mapping(doc["ip_rules"], source=source, where="ip_rules").items():
            addrs = _strs(rules, source=source, where=f"ip_rules.{app}")
            for i, a in enumerate(addrs):
                try:
                    ipaddress.ip_network(a, strict=False)
                except ValueError:
                    raise InputError(
                        f"ip_rules.{app}[{i}]: {a!r} is not an IP address or network", source=source
                    ) from None
            p.ip_rules[app] = addrs
    for app, when in _as_mapping(doc.get("go_live"), source=source, where="go_live").items():
        p.go_live[app] = _as_date(when, source=source, where=f"go_live.{app}")
    if "tokens" in doc:
        p.tokens = {}
        for app, toks in _as_mapping(doc["tokens"], source=source, where="tokens").items():
            records = []
            for i, raw_t in enumerate(_as_list(toks, source=source, where=f"tokens.{app}")):
                t = _as_mapping(raw_t, source=source, where=f"tokens.{app}[{i}]")
                records.append(
                    TokenRecord(
                        issued=_as_date(t["issued"], source=source, where=f"tokens.{app}[{i}].issued")
                        if t.get("issued")
                        else None,
                        last_used=_as_date(
                            t["last_used"], source=source, where=f"tokens.{app}[{i}].last_used"
                        )
                        if t.get("last_used")
                        else None,
                        description=str(t.get("description", "")),
                    )
                )
            p.tokens[app] = tuple(records)
    for app, raw_sec in _as_mapping(doc.get("oauth_secrets"), source=source, where="oauth_secrets").items():
        sec = _as_mapping(raw_sec, source=source, where=f"oauth_secrets.{app}")
        if "issued" not in sec:
            raise InputError(f"oauth_secrets.{app}.issued: required", source=source)
        validity = sec.get("validity_days")
        p.oauth_secrets[app] = (
            _as_date(sec["issued"], source=source, where=f"oauth_secrets.{app}.issued"),
            _as_int(validity, source=source, where=f"oauth_secrets.{app}.validity_days")
            if validity is not None
            else None,
        )
    p.justified_fields = parse_justifications(
        doc.get("justified_fields"), source=source, where="justified_fields"
    )
    p.justified_aggregations = _strs(
        doc.get("justified_aggregations"), source=source, where="justified_aggregations"
    )
    p.maintainers = _strs(doc.get("maintainers"), source=source, where="maintainers")
    for conn, take in _as_mapping(doc.get("takes"), source=source, where="takes").items():
        cid = validate_connector_id(conn, source=source, where=f"takes.{conn}")
        if isinstance(take, bool) or not isinstance(take, int):
            raise InputError(f"takes.{conn}: expected an integer", source=source)
        p.takes[cid] = take
    return p


def load_policy(path: Path, *, read: Callable[[Path], bytes] | None = None) -> Policy:
    """Load and validate a policy file (its hash recorded for the report); the file is read once."""
    raw: list[bytes] = []

    def keep(p: Path) -> bytes:
        raw.append(read(p) if read is not None else read_regular(p, max_bytes=MAX_POLICY_BYTES))
        return raw[-1]

    data = load_yaml_strict(path, read=keep)
    policy = parse_policy(data if data is not None else {}, source=str(path))
    policy.sha256 = hashlib.sha256(raw[0]).hexdigest()
    return policy


def policy_from_text(text: str, *, source: str = "policy.yaml") -> Policy:
    """Parse a policy from YAML text (strict, as :func:`load_policy`)."""
    data = yamlsafe.loads(text, source, max_bytes=MAX_POLICY_BYTES)
    policy = parse_policy(data if data is not None else {}, source=source)
    policy.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return policy
