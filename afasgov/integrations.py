"""Integration manifests (``definitions/integrations/<name>.yaml``, DESIGN §6): who uses what.

```yaml
name: hr-sync                       # = the file name
owner: hr-team@example.org
description: HR system → Profit     # optional
app_connector:                      # the App Connector (config name) per environment,
  production: hr-sync               # or one name for every environment: `app_connector: hr-sync`
  accept: hr-sync
uses:
  get:
    Profit_Employees: [EmId, Name, EmailWork]      # output names, or "*"
  update:
    KnEmployee:                                     # field ids / paths, or "*"
      - EmId                                        # = KnEmployee/Element/Fields/EmId
      - KnEmployee/Element/Objects/AfasEmployee/Element/Fields/EmAd
      - KnEmployee/Element/Objects/KnPerson         # a whole nested object
justifications:                     # optional: why privacy-sensitive fields are needed (audit AC010)
  Profit_Employees/Fields/BSN: payroll provider needs the BSN by law (Wet LB art. 28)
```

Loading is strict (safe YAML without tags or aliases, unknown keys refused, every id printable
ASCII so that look-alike Unicode ids such as a Cyrillic ``е`` in ``KnEmployее`` are rejected; connector
ids follow :func:`afasgov.model.ids.check_connector_id`, the rule of every connector id afasgov reads).
The diff uses manifests to say which integration a change hits and to regrade levels
(:func:`afasgov.diff.impact.apply_impact`); the audit uses them as allow-lists (:meth:`Manifest.allows`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afasgov.errors import InputError
from afasgov.model.ids import check_connector_id, non_ascii_problem
from afasgov.yamlsafe import load_file as load_yaml_file

_KEYS = {"name", "owner", "description", "app_connector", "uses", "justifications"}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_FIELD_RE = re.compile(r"^[A-Za-z0-9_@][A-Za-z0-9_.@-]{0,127}$")
_OUTPUT_RE = re.compile(r"^[\x21-\x7e](?:[\x20-\x7e]{0,126}[\x21-\x7e])?$")

#: a field or object an integration declares in an UpdateConnector: (object path, field id or None).
UpdateUse = tuple[tuple[str, ...], str | None]


def _check_id(value: Any, pattern: re.Pattern[str], what: str, source: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(f"{what} must be a non-empty string", source=source)
    problem = non_ascii_problem(value)
    if problem:
        raise InputError(f"{what} {value!r} {problem}", source=source)
    if not pattern.match(value):
        raise InputError(f"{what} {value!r} is not a valid id", source=source)
    return value


def parse_update_use(connector: str, entry: str, source: str) -> UpdateUse:
    """``EmAd`` | ``Element/Fields/EmAd`` | ``{C}/Element/Objects/O/Element/Fields/F`` |
    ``{C}/Element/Objects/O``
    → (object path, field id or None for a whole object)."""
    problem = non_ascii_problem(entry)
    if problem:
        raise InputError(f"update path {entry!r} {problem}", source=source)
    if "/" not in entry:
        return (connector,), _check_id(entry, _FIELD_RE, "field id", source)
    parts = entry.split("/")
    if parts[0] == "Element":
        parts = [connector, *parts]
    if parts[0] != connector:
        raise InputError(f"update path {entry!r} must start with {connector!r} or 'Element'", source=source)
    object_path = [connector]
    i = 1
    bad = InputError(
        f"update path {entry!r} is not of the form {connector}/Element[/Objects/<Object>/Element…]"
        "/Fields/<FieldId>",
        source=source,
    )
    while i < len(parts):
        if parts[i] != "Element":
            raise bad
        i += 1
        if i == len(parts):
            return tuple(object_path), None
        if parts[i] == "Fields" and i + 2 == len(parts):
            return tuple(object_path), _check_id(parts[i + 1], _FIELD_RE, "field id", source)
        if parts[i] == "Objects" and i + 1 < len(parts):
            object_path.append(check_connector_id(parts[i + 1], what="object name", source=source))
            i += 2
            if i == len(parts):
                return tuple(object_path), None
            continue
        raise bad
    raise bad


@dataclass(frozen=True)
class Manifest:
    """One integration manifest."""

    name: str
    owner: str
    app_connector: str | Mapping[str, str]
    #: GetConnector id → output names it reads (``None`` = ``"*"``, everything).
    uses_get: Mapping[str, frozenset[str] | None]
    #: UpdateConnector id → fields/objects it sends (``None`` = ``"*"``).
    uses_update: Mapping[str, frozenset[UpdateUse] | None]
    justifications: Mapping[str, str] = dataclasses.field(default_factory=dict)
    description: str = ""
    source: str = ""

    def app_connector_for(self, *envs: str) -> str | None:
        """The App Connector this integration uses in the first of ``envs`` the manifest names."""
        if isinstance(self.app_connector, str):
            return self.app_connector
        for env in envs:
            if env in self.app_connector:
                return self.app_connector[env]
        return None

    @property
    def connector_ids(self) -> frozenset[str]:
        """Every connector the integration declares (GetConnectors and UpdateConnectors)."""
        return frozenset(self.uses_get) | frozenset(self.uses_update)

    def allows(
        self,
        connector_type: str,
        connector: str,
        field: str | None = None,
        object_path: Sequence[str] | None = None,
    ) -> bool:
        """Allow-list view (audit): does the manifest declare this connector (and field)?"""
        if connector_type in ("get", "gcn"):
            if connector not in self.uses_get:
                return False
            names = self.uses_get[connector]
            return names is None or field is None or field in names
        if connector_type == "update":
            if connector not in self.uses_update:
                return False
            uses = self.uses_update[connector]
            if uses is None or field is None:
                return True
            op = tuple(object_path or (connector,))
            return any((f == field and p == op) or (f is None and op[: len(p)] == p) for p, f in uses)
        return False

    def justification(self, connector: str, field: str) -> str | None:
        for key in (f"{connector}/Fields/{field}", f"{connector}/{field}", field):
            if key in self.justifications:
                return self.justifications[key]
        return None


def _parse(raw: Any, path: Path) -> Manifest:
    source = str(path)
    if not isinstance(raw, dict):
        raise InputError("a manifest must be a mapping", source=source)
    unknown = sorted(str(k) for k in raw if k not in _KEYS)
    if unknown:
        raise InputError(
            f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_KEYS))}", source=source
        )
    for key in ("name", "owner", "app_connector", "uses"):
        if key not in raw or raw[key] in (None, "", {}):
            raise InputError(f"missing {key!r}", source=source)
    name = _check_id(raw["name"], _NAME_RE, "name", source)
    if name != path.stem:
        raise InputError(f"name {name!r} does not match the file name {path.name!r}", source=source)
    owner = raw["owner"]
    if not isinstance(owner, str) or not owner.strip():
        raise InputError("'owner' must be non-empty text", source=source)
    description = raw.get("description") or ""
    if not isinstance(description, str):
        raise InputError("'description' must be text", source=source)
    app = raw["app_connector"]
    app_connector: str | dict[str, str]
    if isinstance(app, str):
        app_connector = _check_id(app, _NAME_RE, "app_connector", source)
    elif isinstance(app, dict) and app:
        app_connector = {
            _check_id(k, _NAME_RE, "environment name", source): _check_id(
                v, _NAME_RE, f"app_connector.{k}", source
            )
            for k, v in app.items()
        }
    else:
        raise InputError("'app_connector' must be a name or a mapping environment → name", source=source)
    uses = raw["uses"]
    if not isinstance(uses, dict):
        raise InputError("'uses' must be a mapping with 'get' and/or 'update'", source=source)
    bad_uses = sorted(str(k) for k in uses if k not in ("get", "update"))
    if bad_uses:
        raise InputError(
            f"'uses' has unknown key(s) {', '.join(bad_uses)}; allowed: get, update", source=source
        )
    uses_get: dict[str, frozenset[str] | None] = {}
    uses_update: dict[str, frozenset[UpdateUse] | None] = {}
    for kind in ("get", "update"):
        table = uses.get(kind) or {}
        if not isinstance(table, dict):
            raise InputError(
                f"'uses.{kind}' must be a mapping connector → list of ids or \"*\"", source=source
            )
        for raw_cid, entries in table.items():
            cid = check_connector_id(raw_cid, what=f"uses.{kind} connector", source=source)
            where = f"uses.{kind}.{cid}"
            if entries == "*":
                (uses_get if kind == "get" else uses_update)[cid] = None
                continue
            if not isinstance(entries, list) or not entries or not all(isinstance(e, str) for e in entries):
                raise InputError(f"'{where}' must be a non-empty list of ids or \"*\"", source=source)
            if kind == "get":
                uses_get[cid] = frozenset(
                    _check_id(e, _OUTPUT_RE, f"{where} output name", source) for e in entries
                )
            else:
                uses_update[cid] = frozenset(parse_update_use(cid, e, f"{source}: {where}") for e in entries)
    if not uses_get and not uses_update:
        raise InputError("'uses' declares no connector", source=source)
    just = raw.get("justifications") or {}
    if not isinstance(just, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in just.items()
    ):
        raise InputError("'justifications' must map field paths to non-empty reasons", source=source)
    for key in just:
        problem = non_ascii_problem(key)
        if problem:
            raise InputError(f"justification key {key!r} {problem}", source=source)
    return Manifest(
        name=name,
        owner=owner.strip(),
        app_connector=app_connector,
        uses_get=uses_get,
        uses_update=uses_update,
        justifications=dict(just),
        description=description,
        source=source,
    )


def load_manifest(path: Path, *, read: Callable[[Path], bytes] | None = None) -> Manifest:
    """Load and validate one manifest file (``read``: the workspace's reader)."""
    return _parse(load_yaml_file(Path(path), read=read), Path(path))


@dataclass
class Manifests:
    """All manifests of an integrations directory (sorted by name)."""

    manifests: list[Manifest] = dataclasses.field(default_factory=list)
    directory: str = ""

    def __iter__(self) -> Iterator[Manifest]:
        return iter(self.manifests)

    def __len__(self) -> int:
        return len(self.manifests)

    def __bool__(self) -> bool:
        return bool(self.manifests)

    def by_name(self) -> dict[str, Manifest]:
        return {m.name: m for m in self.manifests}


def load_manifests(
    directory: Path | None, *, required: bool = False, read: Callable[[Path], bytes] | None = None
) -> Manifests:
    """Every ``*.yaml``/``*.yml`` directly in ``directory`` (missing directory = no manifests, unless
    ``required`` — a path given on the command line —: then it is an :class:`InputError`)."""
    if directory is None:
        return Manifests()
    directory = Path(directory)
    if not directory.exists():
        if required:
            raise InputError("integrations directory not found", source=str(directory))
        return Manifests(directory=str(directory))
    if not directory.is_dir():
        raise InputError("is not a directory", source=str(directory))
    # (not only regular files: a FIFO, a directory or a link to /dev/zero is refused by the reader)
    files = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))
    manifests = [load_manifest(p, read=read) for p in files]
    seen: dict[str, str] = {}
    for m in manifests:
        if m.name in seen:
            raise InputError(f"integration {m.name!r} is declared twice ({seen[m.name]})", source=m.source)
        seen[m.name] = m.source
    return Manifests(sorted(manifests, key=lambda m: m.name), directory=str(directory))


__all__ = [
    "Manifest",
    "Manifests",
    "UpdateUse",
    "load_manifest",
    "load_manifests",
    "parse_update_use",
]
