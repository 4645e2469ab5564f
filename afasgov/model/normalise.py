"""Raw AFAS metainfo JSON → the canonical model (rules: ``docs/model.md``).

The functions here take the parsed JSON of ``/metainfo``, ``/metainfo/get/{id}``,
``/metainfo/update/{id}``, ``/profitversion`` and rows of ``ProfitGetConnectoren`` and return model
objects. Unexpected shapes raise :class:`MetainfoError` (exit 2) naming the environment, the
connector and the field (as a DESIGN §5 path); variations AFAS is known to have are tolerated and
reported through a :class:`Tolerances` collector, never silently.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from afasgov.errors import EXIT_REMOTE, InputError
from afasgov.model.ids import CONNECTOR_ID_RE
from afasgov.model.types import (
    DATA_TYPES,
    AppConnectorScope,
    CodeValue,
    ConnectorRef,
    GetConnector,
    GetField,
    UpdateConnector,
    UpdateField,
    UpdateObject,
)

#: connector ids become file names (``get/<Id>.yaml``): letters, digits, ``_ . -``, not starting
#: with a dot, at most 200 characters. Anything else is refused (path traversal, odd characters).
#: App Connector names (from afasgov.yaml) become file names too.
APP_CONNECTOR_NAME_RE = CONNECTOR_ID_RE

#: limits against hostile or runaway documents ("huge documents" are refused, never half-used).
MAX_FIELDS_PER_CONNECTOR = 50_000
MAX_OBJECT_DEPTH = 32
MAX_CODES_PER_FIELD = 100_000
MAX_STRING_LENGTH = 100_000
MAX_CONNECTORS = 100_000

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


class MetainfoError(InputError):
    """AFAS metainfo with an unexpected shape; names environment, connector and field."""

    def __init__(
        self, message: str, *, environment: str, connector: str | None = None, field: str | None = None
    ) -> None:
        self.environment = environment
        self.connector = connector
        self.field = field
        where = f"environment {environment!r}"
        if connector:
            where += f", connector {connector!r}"
        if field:
            where += f", field {field!r}"
        super().__init__(message, source=where)


class NullListError(MetainfoError):
    """A connector or field list that is ``null``: the server's answer is refused (exit 3, a remote
    failure), so the previous snapshot is kept instead of being replaced by an empty one."""

    exit_code = EXIT_REMOTE


class Tolerances:
    """Collects the tolerances applied (missing optional keys, odd spellings …) as report lines.

    Missing optional keys are counted per connector and key, so a release that drops ``notzero``
    everywhere gives one line per connector, not one per field.
    """

    def __init__(self) -> None:
        self._missing: dict[tuple[str, str, str], int] = defaultdict(int)
        self._lines: set[str] = set()

    def missing(self, env: str, connector: str, key: str) -> None:
        self._missing[(env, connector, key)] += 1

    def note(self, line: str) -> None:
        self._lines.add(line)

    def absorb(self, other: Tolerances) -> None:
        """Take over what ``other`` collected."""
        for key, n in other._missing.items():
            self._missing[key] += n
        self._lines |= other._lines

    def lines(self) -> tuple[str, ...]:
        out = set(self._lines)
        for (env, connector, key), n in self._missing.items():
            out.add(
                f"environment {env!r}, connector {connector!r}: {n} field(s) without {key!r} (default used)"
            )
        return tuple(sorted(out))

    def __len__(self) -> int:
        return len(self._lines) + len(self._missing)


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Ctx:
    """Where we are, for error messages and tolerance notes."""

    __slots__ = ("connector", "env", "kind", "tol")

    def __init__(self, env: str, connector: str, kind: str, tol: Tolerances) -> None:
        self.env = env
        self.connector = connector
        self.kind = kind
        self.tol = tol

    def error(self, message: str, field: str | None = None) -> MetainfoError:
        return MetainfoError(
            message, environment=self.env, connector=f"{self.kind} {self.connector}", field=field
        )

    def text(self, value: object, key: str, field: str | None) -> str:
        if type(value) is str and value.isascii() and len(value) <= MAX_STRING_LENGTH:
            return value  # the common case, decided without the checks below
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.error(f"{key!r} must be a string, got {_type_name(value)} {_short(value)}", field)
        return self.clean(value, key, field)

    def clean(self, value: str, key: str, field: str | None) -> str:
        if len(value) > MAX_STRING_LENGTH:
            raise self.error(f"{key!r} is {len(value)} characters long (limit {MAX_STRING_LENGTH})", field)
        if value.isascii():
            return value
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.tol.note(
                f"environment {self.env!r}, connector {self.kind} {self.connector!r}: "
                f"{key!r} of {field or 'the connector'} had unpaired surrogates "
                "(replaced by U+FFFD)"
            )
            return _SURROGATE_RE.sub("\ufffd", value)
        return value

    def integer(self, value: object, key: str, field: str) -> int:
        if type(value) is int:
            return value
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return int(value)
        raise self.error(f"{key!r} must be an integer, got {_type_name(value)} {_short(value)}", field)

    def boolean(self, value: object, key: str, field: str) -> bool:
        if type(value) is bool:
            return value
        raise self.error(f"{key!r} must be true or false, got {_type_name(value)} {_short(value)}", field)


def _ident(ctx: _Ctx, value: object, key: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ctx.error(f"{key!r} must be a non-empty string, got {_type_name(value)} {_short(value)}", where)
    if _CONTROL_RE.search(value) or len(value) > 1000:
        raise ctx.error(f"{key!r} {_short(value)} contains control characters or is too long", where)
    return ctx.clean(value, key, where)


def _data_type(ctx: _Ctx, raw: Mapping[str, Any], path: str) -> str:
    if "dataType" not in raw:
        raise ctx.error("'dataType' is missing", path)
    value = raw["dataType"]
    if not isinstance(value, str) or not value:
        raise ctx.error(
            f"'dataType' must be a non-empty string, got {_type_name(value)} {_short(value)}", path
        )
    if value in DATA_TYPES:
        return value
    lowered = value.lower()
    if lowered in DATA_TYPES:
        ctx.tol.note(
            f"environment {ctx.env!r}, connector {ctx.kind} {ctx.connector!r}: dataType "
            f"{value!r} read as {lowered!r}"
        )
        return lowered
    value = ctx.clean(value, "dataType", path)
    ctx.tol.note(
        f"environment {ctx.env!r}, connector {ctx.kind} {ctx.connector!r}: unknown dataType "
        f"{value!r} at {path} (kept as is)"
    )
    return value


def _check_connector_id(ctx: _Ctx, connector_id: str) -> None:
    if not isinstance(connector_id, str) or not CONNECTOR_ID_RE.match(connector_id):
        raise ctx.error(
            f"connector id {_short(connector_id)} is not a valid connector id "
            "(letters, digits, '_', '.', '-'; at most 200 characters)"
        )


def _document(ctx: _Ctx, raw: object) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ctx.error(f"metainfo must be a JSON object, got {_type_name(raw)}")
    name = raw.get("name")
    if name is not None and not isinstance(name, str):
        raise ctx.error(f"'name' must be a string, got {_type_name(name)}")
    if isinstance(name, str) and name != ctx.connector:
        ctx.tol.note(
            f"environment {ctx.env!r}, connector {ctx.kind} {ctx.connector!r}: metainfo names "
            f"itself {name!r} (the id from /metainfo is kept)"
        )
    return raw


def _list(ctx: _Ctx, raw: Mapping[str, Any], key: str, where: str | None, *, required: bool) -> list[Any]:
    if key not in raw:
        if required:
            raise ctx.error(f"{key!r} is missing", where)
        return []
    value = raw[key]
    if value is None:  # AFAS sends [] for "none": a null would silently empty the snapshot
        raise NullListError(
            f"{key!r} is null where AFAS sends a list; refused (read as empty it would remove every "
            f"{'connector' if key.endswith('Connectors') else 'field or object'} it should list)",
            environment=ctx.env, connector=f"{ctx.kind} {ctx.connector}", field=where,
        )
    if not isinstance(value, list):
        raise ctx.error(f"{key!r} must be a list, got {_type_name(value)}", where)
    return value


# ------------------------------------------------------------------------------------------- get
_GET_DEFAULTS: tuple[tuple[str, str], ...] = (
    ("fieldId", "field_id"),
    ("label", "label"),
    ("length", "length"),
    ("decimals", "decimals"),
    ("controlType", "control_type"),
)


def normalise_get(
    raw: object, *, environment: str, connector: str, tolerances: Tolerances | None = None
) -> GetConnector:
    """``/metainfo/get/{connector}`` → :class:`GetConnector` (``blocked`` left unknown)."""
    tol = tolerances if tolerances is not None else Tolerances()
    ctx = _Ctx(environment, connector, "get", tol)
    _check_connector_id(ctx, connector)
    doc = _document(ctx, raw)
    description = ctx.text(doc.get("description"), "description", None)
    raw_fields = _list(ctx, doc, "fields", None, required=True)
    if len(raw_fields) > MAX_FIELDS_PER_CONNECTOR:
        raise ctx.error(f"{len(raw_fields)} fields (limit {MAX_FIELDS_PER_CONNECTOR})")
    fields: list[GetField] = []
    seen: set[str] = set()
    for index, rf in enumerate(raw_fields):
        if type(rf) is not dict and not isinstance(rf, Mapping):
            raise ctx.error(f"field #{index + 1} must be an object, got {_type_name(rf)}")
        fid = _ident(ctx, rf.get("id"), "id", f"field #{index + 1}")
        path = f"{connector}/Fields/{fid}"
        if fid in seen:
            raise ctx.error("duplicate field id", path)
        seen.add(fid)
        for key, _attr in _GET_DEFAULTS:
            if key not in rf:
                tol.missing(environment, f"get {connector}", key)
        if "decimalsFieldId" in rf:
            dec_field = rf["decimalsFieldId"]
        elif "decimalFieldId" in rf:  # the update spelling, seen in the wild: accepted silently
            dec_field = rf["decimalFieldId"]
        else:
            dec_field = None
            tol.missing(environment, f"get {connector}", "decimalsFieldId")
        fields.append(
            GetField(
                id=fid,
                field_id=ctx.text(rf.get("fieldId"), "fieldId", path),
                label=ctx.text(rf.get("label"), "label", path),
                data_type=_data_type(ctx, rf, path),
                length=ctx.integer(rf.get("length", 0), "length", path),
                decimals=ctx.integer(rf.get("decimals", 0), "decimals", path),
                decimals_field_id=ctx.text(dec_field, "decimalsFieldId", path),
                control_type=ctx.integer(rf.get("controlType", 0), "controlType", path),
            )
        )
    return GetConnector(id=connector, description=description, fields=tuple(fields))


# ---------------------------------------------------------------------------------------- update
_UPDATE_OPTIONAL = ("label", "length", "decimals", "mandatory", "primaryKey", "controlType")
_UPDATE_OPTIONAL_SET = frozenset(_UPDATE_OPTIONAL)


#: code lists already normalised, by their raw (id, description) pairs: AFAS repeats its large lists
#: (countries, currencies, municipalities: hundreds of codes) on many fields of many connectors. Only lists
#: that needed no tolerance are kept, so a hit gives exactly what normalising again would.
_CODE_LISTS: dict[tuple[tuple[object, object], ...], tuple[CodeValue, ...]] = {}
MAX_CACHED_CODE_LISTS = 1024


def _codes(ctx: _Ctx, value: object, path: str) -> tuple[CodeValue, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise ctx.error(f"'values' must be a list or null, got {_type_name(value)}", path)
    if not value:
        return None
    if len(value) > MAX_CODES_PER_FIELD:
        raise ctx.error(f"'values' has {len(value)} codes (limit {MAX_CODES_PER_FIELD})", path)
    key: tuple[tuple[object, object], ...] | None
    try:
        key = tuple([(item.get("id"), item.get("description")) for item in value]) if len(value) > 8 else None
        cached = _CODE_LISTS.get(key) if key is not None else None
    except (AttributeError, TypeError):  # not objects, or unhashable ids: the checks below say what is wrong
        key = cached = None
    if cached is not None:
        return cached
    notes = len(ctx.tol)
    codes = _check_codes(ctx, value, path)
    if key is not None and len(ctx.tol) == notes:
        if len(_CODE_LISTS) >= MAX_CACHED_CODE_LISTS:
            _CODE_LISTS.clear()
        _CODE_LISTS[key] = codes
    return codes


def _check_codes(ctx: _Ctx, value: list[Any], path: str) -> tuple[CodeValue, ...]:
    codes: list[CodeValue] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        if type(item) is not dict and not isinstance(item, Mapping):
            raise ctx.error(f"code #{index + 1} of 'values' must be an object, got {_type_name(item)}", path)
        code = item.get("id")
        if type(code) is int:
            code = str(code)
        if type(code) is not str or not code.isascii() or len(code) > MAX_STRING_LENGTH:
            if not isinstance(code, str):
                raise ctx.error(
                    f"code #{index + 1} of 'values': 'id' must be a string, got "
                    f"{_type_name(code)} {_short(code)}",
                    path,
                )
            code = ctx.clean(code, "values.id", path)
        if code in seen:
            ctx.tol.note(
                f"environment {ctx.env!r}, connector {ctx.kind} {ctx.connector!r}: duplicate code "
                f"{code!r} in 'values' of {path} (first kept)"
            )
            continue
        seen.add(code)
        codes.append(
            CodeValue(id=code, description=ctx.text(item.get("description"), "values.description", path))
        )
    return tuple(codes)


def _update_fields(
    ctx: _Ctx, raw_fields: list[Any], prefix: str, counter: list[int]
) -> tuple[UpdateField, ...]:
    fields: list[UpdateField] = []
    seen: set[str] = set()
    env = ctx.env
    ckey = f"update {ctx.connector}"
    tol = ctx.tol
    for index, rf in enumerate(raw_fields):
        if type(rf) is not dict and not isinstance(rf, Mapping):
            raise ctx.error(
                f"field #{index + 1} of {prefix or 'the connector'} must be an object, got {_type_name(rf)}"
            )
        fid = _ident(ctx, rf.get("fieldId"), "fieldId", f"{prefix}Element/Fields/#{index + 1}")
        path = f"{prefix}Element/Fields/{fid}"
        if fid in seen:
            raise ctx.error("duplicate field id", path)
        seen.add(fid)
        if not rf.keys() >= _UPDATE_OPTIONAL_SET:
            for key in _UPDATE_OPTIONAL:
                if key not in rf:
                    tol.missing(env, ckey, key)
        if "decimalFieldId" in rf:
            dec_field = rf["decimalFieldId"]
        elif "decimalsFieldId" in rf:  # the get spelling: accepted silently
            dec_field = rf["decimalsFieldId"]
        else:
            dec_field = None
            tol.missing(env, ckey, "decimalFieldId")
        if "notzero" in rf:
            not_zero = rf["notzero"]
        elif "notZero" in rf:
            not_zero = rf["notZero"]
        else:
            not_zero = False
            tol.missing(env, ckey, "notzero")
        fields.append(
            UpdateField(
                field_id=fid,
                label=ctx.text(rf.get("label"), "label", path),
                data_type=_data_type(ctx, rf, path),
                length=ctx.integer(rf.get("length", 0), "length", path),
                decimals=ctx.integer(rf.get("decimals", 0), "decimals", path),
                decimals_field_id=ctx.text(dec_field, "decimalFieldId", path),
                mandatory=ctx.boolean(rf.get("mandatory", False), "mandatory", path),
                primary_key=ctx.boolean(rf.get("primaryKey", False), "primaryKey", path),
                not_zero=ctx.boolean(not_zero, "notzero", path),
                control_type=ctx.integer(rf.get("controlType", 0), "controlType", path),
                values=_codes(ctx, rf.get("values"), path),
            )
        )
    counter[0] += len(fields)
    if counter[0] > MAX_FIELDS_PER_CONNECTOR:
        raise ctx.error(f"more than {MAX_FIELDS_PER_CONNECTOR} fields")
    return tuple(fields)


def _update_objects(
    ctx: _Ctx, raw_objects: list[Any], prefix: str, depth: int, counter: list[int]
) -> tuple[UpdateObject, ...]:
    if raw_objects and depth > MAX_OBJECT_DEPTH:
        raise ctx.error(f"objects nested deeper than {MAX_OBJECT_DEPTH} levels", prefix)
    objects: list[UpdateObject] = []
    seen: set[str] = set()
    for index, ro in enumerate(raw_objects):
        if not isinstance(ro, Mapping):
            raise ctx.error(
                f"object #{index + 1} of {prefix or 'the connector'} must be an object, got {_type_name(ro)}"
            )
        name = _ident(ctx, ro.get("name"), "name", f"{prefix}Element/Objects/#{index + 1}")
        path = f"{prefix}Element/Objects/{name}/"
        if name in seen:
            raise ctx.error("duplicate object name", path.rstrip("/"))
        seen.add(name)
        fields = _update_fields(
            ctx, _list(ctx, ro, "fields", path.rstrip("/"), required=False), path, counter
        )
        nested = _update_objects(
            ctx, _list(ctx, ro, "objects", path.rstrip("/"), required=False), path, depth + 1, counter
        )
        objects.append(UpdateObject(name=name, fields=fields, objects=nested))
    return tuple(objects)


def normalise_update(
    raw: object, *, environment: str, connector: str, tolerances: Tolerances | None = None
) -> UpdateConnector:
    """``/metainfo/update/{connector}`` → :class:`UpdateConnector`, nested objects kept nested."""
    tol = tolerances if tolerances is not None else Tolerances()
    ctx = _Ctx(environment, connector, "update", tol)
    _check_connector_id(ctx, connector)
    doc = _document(ctx, raw)
    description = ctx.text(doc.get("description"), "description", None)
    counter = [0]
    prefix = f"{connector}/"
    fields = _update_fields(ctx, _list(ctx, doc, "fields", None, required=True), prefix, counter)
    objects = _update_objects(ctx, _list(ctx, doc, "objects", None, required=False), prefix, 1, counter)
    return UpdateConnector(id=connector, description=description, fields=fields, objects=objects)


# -------------------------------------------------------------------------------------- metainfo
def _refs(ctx: _Ctx, doc: Mapping[str, Any], key: str) -> tuple[ConnectorRef, ...]:
    items = _list(ctx, doc, key, None, required=True)
    if len(items) > MAX_CONNECTORS:
        raise ctx.error(f"{key!r} lists {len(items)} connectors (limit {MAX_CONNECTORS})")
    refs: dict[str, ConnectorRef] = {}
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ctx.error(f"{key}[{index}] must be an object, got {_type_name(item)}")
        cid = item.get("id")
        if not isinstance(cid, str) or not CONNECTOR_ID_RE.match(cid):
            raise ctx.error(f"{key}[{index}]: {_short(cid)} is not a valid connector id")
        if cid in refs:
            ctx.tol.note(
                f"environment {ctx.env!r}, app connector {ctx.connector!r}: {cid!r} listed twice "
                f"in {key!r} (once kept)"
            )
            continue
        refs[cid] = ConnectorRef(
            id=cid, description=ctx.text(item.get("description"), "description", f"{key}[{index}]")
        )
    return tuple(refs[k] for k in sorted(refs))


def normalise_metainfo(
    raw: object,
    *,
    environment: str,
    app_connector: str,
    auth_type: str = "",
    tolerances: Tolerances | None = None,
) -> AppConnectorScope:
    """``/metainfo`` of one App Connector → :class:`AppConnectorScope` (lists sorted by id)."""
    tol = tolerances if tolerances is not None else Tolerances()
    ctx = _Ctx(environment, app_connector, "app", tol)
    if not APP_CONNECTOR_NAME_RE.match(app_connector):
        raise ctx.error("App Connector name must be letters, digits, '_', '.', '-' (it becomes a file name)")
    if not isinstance(raw, Mapping):
        raise ctx.error(f"/metainfo must be a JSON object, got {_type_name(raw)}")
    info = raw.get("info")
    if info is None:
        tol.note(f"environment {environment!r}, app connector {app_connector!r}: /metainfo has no 'info'")
        info = {}
    if not isinstance(info, Mapping):
        raise ctx.error(f"'info' must be an object, got {_type_name(info)}")
    expiry = info.get("tokenExpiry")
    if expiry is not None and not isinstance(expiry, str):
        if type(expiry) is int:
            expiry = str(expiry)
        else:
            raise ctx.error(f"'info.tokenExpiry' must be a string, got {_type_name(expiry)}")
    return AppConnectorScope(
        name=app_connector,
        app_name=ctx.text(info.get("appName"), "info.appName", None),
        group=ctx.text(info.get("group"), "info.group", None),
        token_expiry=expiry,
        envid=ctx.text(info.get("envid"), "info.envid", None),
        auth_type=auth_type,
        get_connectors=_refs(ctx, raw, "getConnectors"),
        update_connectors=_refs(ctx, raw, "updateConnectors"),
    )


def normalise_profit_version(raw: object, *, environment: str) -> str:
    """``/profitversion`` → the version string (``{"version": "22.22.5"}``)."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("version"), str) or not raw["version"]:
        raise MetainfoError(
            f'/profitversion must be {{"version": "…"}}, got {_short(raw)}', environment=environment
        )
    return str(raw["version"])


def blocked_flags(rows: Iterable[object], *, environment: str) -> dict[str, bool]:
    """Rows of ``ProfitGetConnectoren`` (``Naam``, ``Omschrijving``, ``Geblokkeerd``) → id → blocked."""
    flags: dict[str, bool] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise MetainfoError(
                f"row #{index + 1} must be an object, got {_type_name(row)}",
                environment=environment,
                connector="get ProfitGetConnectoren",
            )
        name = row.get("Naam")
        blocked = row.get("Geblokkeerd")
        if not isinstance(name, str) or not name:
            raise MetainfoError(
                f"row #{index + 1}: 'Naam' must be a non-empty string",
                environment=environment,
                connector="get ProfitGetConnectoren",
            )
        if type(blocked) is not bool:
            raise MetainfoError(
                f"row #{index + 1} ({name!r}): 'Geblokkeerd' must be true or false, got "
                f"{_type_name(blocked)}",
                environment=environment,
                connector="get ProfitGetConnectoren",
            )
        flags[name] = flags.get(name, False) or blocked
    return flags


__all__ = [
    "CONNECTOR_ID_RE",
    "MAX_FIELDS_PER_CONNECTOR",
    "MAX_OBJECT_DEPTH",
    "MetainfoError",
    "NullListError",
    "Tolerances",
    "blocked_flags",
    "normalise_get",
    "normalise_metainfo",
    "normalise_profit_version",
    "normalise_update",
]
