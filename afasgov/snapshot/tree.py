"""The definitions tree of DESIGN §3: write an :class:`EnvironmentSnapshot`, read it back.

Layout (one directory per environment)::

    <definitions>/<environment>/
      _snapshot.yaml              format, taken_at, afasgov version, base URL, language, profit
                                  version, tolerances applied (the only volatile file)
      environment.yaml            name, type, tenant, envid, profit_version, language
      app-connectors/<name>.yaml  info (app_name, group, token_expiry, envid), auth type,
                                  authorised get/update connectors (sorted by id)
      get/<ConnectorId>.yaml      /metainfo/get/{id}, normalised (fields in AFAS order)
      update/<ConnectorId>.yaml   /metainfo/update/{id}, nested objects kept nested

Writing is deterministic (fixed key order, LF, UTF-8, no aliases; see :mod:`.yamlio`) and atomic:
the new tree is built in a hidden temporary directory beside the target and swapped in only when
complete (``renameat2(RENAME_EXCHANGE)`` on Linux, else two renames with Ctrl-C deferred), so an
interrupted or failed run leaves the previous tree untouched. Reading is strict: unknown keys,
wrong types, YAML tags and trees of another format version are :class:`InputError` (exit 2).
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afasgov import __version__
from afasgov._files import clean_stale_swaps, read_input, swap_dir, swap_temp_dir
from afasgov.errors import InputError, UsageError
from afasgov.model.normalise import CONNECTOR_ID_RE
from afasgov.model.types import (
    AppConnectorScope,
    CodeValue,
    ConnectorRef,
    EnvironmentSnapshot,
    GetConnector,
    GetField,
    SnapshotMeta,
    UpdateConnector,
    UpdateField,
    UpdateObject,
)
from afasgov.snapshot import yamlio

#: written into ``_snapshot.yaml``; a tree with another value is refused with a clear message.
TREE_FORMAT = "afasgov-definitions/1"
SNAPSHOT_FILE = "_snapshot.yaml"
ENVIRONMENT_FILE = "environment.yaml"
APP_DIR = "app-connectors"
GET_DIR = "get"
UPDATE_DIR = "update"


# ========================================================================================= write
def _update_field_doc(f: UpdateField) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "field_id": f.field_id,
        "label": f.label,
        "data_type": f.data_type,
        "length": f.length,
        "decimals": f.decimals,
        "decimals_field_id": f.decimals_field_id,
        "mandatory": f.mandatory,
        "primary_key": f.primary_key,
        "not_zero": f.not_zero,
        "control_type": f.control_type,
    }
    if f.values is not None:
        doc["values"] = [{"id": c.id, "description": c.description} for c in f.values]
    return doc


def _object_doc(
    name_key: str,
    name: str,
    fields: tuple[UpdateField, ...],
    objects: tuple[UpdateObject, ...],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {name_key: name}
    if extra:
        doc.update(extra)
    doc["fields"] = [_update_field_doc(f) for f in fields]
    if objects:
        doc["objects"] = [_object_doc("name", o.name, o.fields, o.objects) for o in objects]
    return doc


def update_connector_doc(c: UpdateConnector) -> dict[str, Any]:
    """The YAML document of ``update/<id>.yaml``."""
    return _object_doc("id", c.id, c.fields, c.objects, {"description": c.description})


def get_connector_doc(c: GetConnector) -> dict[str, Any]:
    """The YAML document of ``get/<id>.yaml``."""
    return {
        "id": c.id,
        "description": c.description,
        "blocked": c.blocked,
        "fields": [
            {
                "id": f.id,
                "field_id": f.field_id,
                "label": f.label,
                "data_type": f.data_type,
                "length": f.length,
                "decimals": f.decimals,
                "decimals_field_id": f.decimals_field_id,
                "control_type": f.control_type,
            }
            for f in c.fields
        ],
    }


# The connector files are most of a tree and are rendered while requests are in flight, so they
# get a direct renderer: the same bytes as ``yamlio.emit(update_connector_doc(c))`` (a property
# test checks it), without building a document first (≈2× faster).
_scalar = yamlio.cached_scalar


def _int(value: int) -> str:
    return str(value) if type(value) is int else yamlio.scalar(value)


def _bool(value: bool | None) -> str:
    return "true" if value is True else "false" if value is False else yamlio.scalar(value)


def _render_update_fields(fields: tuple[UpdateField, ...], indent: str, out: list[str]) -> None:
    dash, sub = indent + "- ", indent + "  "
    for f in fields:
        out.append(
            f"{dash}field_id: {_scalar(f.field_id)}\n"
            f"{sub}label: {_scalar(f.label)}\n"
            f"{sub}data_type: {_scalar(f.data_type)}\n"
            f"{sub}length: {_int(f.length)}\n"
            f"{sub}decimals: {_int(f.decimals)}\n"
            f"{sub}decimals_field_id: {_scalar(f.decimals_field_id)}\n"
            f"{sub}mandatory: {_bool(f.mandatory)}\n"
            f"{sub}primary_key: {_bool(f.primary_key)}\n"
            f"{sub}not_zero: {_bool(f.not_zero)}\n"
            f"{sub}control_type: {_int(f.control_type)}\n"
        )
        if f.values is not None:
            if not f.values:
                out.append(f"{sub}values: []\n")
                continue
            out.append(f"{sub}values:\n")
            out.append(_render_codes(f.values, sub))


#: (id of a code list, indent) → (the list, its YAML): normalising shares one tuple among the fields
#: that repeat a list (countries, currencies …), so each is rendered once per indent (the list is held
#: so that its id stays its own)
_RENDERED_CODES: dict[tuple[int, str], tuple[tuple[CodeValue, ...], str]] = {}


def _render_codes(values: tuple[CodeValue, ...], sub: str) -> str:
    key = (id(values), sub)
    hit = _RENDERED_CODES.get(key)
    if hit is not None and hit[0] is values:
        return hit[1]
    vdash, vsub = sub + "- ", sub + "  "
    text = "".join(f"{vdash}id: {_scalar(c.id)}\n{vsub}description: {_scalar(c.description)}\n" for c in values)
    if len(values) > 8:
        if len(_RENDERED_CODES) >= 1024:
            _RENDERED_CODES.clear()
        _RENDERED_CODES[key] = (values, text)
    return text


def _render_fields_and_objects(
    fields: tuple[UpdateField, ...], objects: tuple[UpdateObject, ...], indent: str, out: list[str]
) -> None:
    if fields:
        out.append(f"{indent}fields:\n")
        _render_update_fields(fields, indent, out)
    else:
        out.append(f"{indent}fields: []\n")
    if objects:
        out.append(f"{indent}objects:\n")
        for o in objects:
            out.append(f"{indent}- name: {_scalar(o.name)}\n")
            _render_fields_and_objects(o.fields, o.objects, indent + "  ", out)


#: id of a connector → (the connector, its YAML): the crawl hands the same (frozen) connector to every
#: environment that answered alike (``afasgov.snapshot.crawl._NORMALISED``), rendered once
_RENDERED_UPDATES: dict[int, tuple[UpdateConnector, bytes]] = {}


def render_update(c: UpdateConnector) -> bytes:
    """``update/<id>.yaml``: the bytes of ``yamlio.emit(update_connector_doc(c))``, faster."""
    hit = _RENDERED_UPDATES.get(id(c))
    if hit is not None and hit[0] is c:
        return hit[1]
    out = [f"id: {_scalar(c.id)}\ndescription: {_scalar(c.description)}\n"]
    _render_fields_and_objects(c.fields, c.objects, "", out)
    data = "".join(out).encode("utf-8")
    if len(_RENDERED_UPDATES) >= 1024:
        _RENDERED_UPDATES.clear()
    _RENDERED_UPDATES[id(c)] = (c, data)
    return data


def render_get(c: GetConnector) -> bytes:
    """``get/<id>.yaml``: the bytes of ``yamlio.emit(get_connector_doc(c))``, faster."""
    out = [f"id: {_scalar(c.id)}\ndescription: {_scalar(c.description)}\nblocked: {_bool(c.blocked)}\n"]
    if not c.fields:
        out.append("fields: []\n")
    else:
        out.append("fields:\n")
        for f in c.fields:
            out.append(
                f"- id: {_scalar(f.id)}\n"
                f"  field_id: {_scalar(f.field_id)}\n"
                f"  label: {_scalar(f.label)}\n"
                f"  data_type: {_scalar(f.data_type)}\n"
                f"  length: {_int(f.length)}\n"
                f"  decimals: {_int(f.decimals)}\n"
                f"  decimals_field_id: {_scalar(f.decimals_field_id)}\n"
                f"  control_type: {_int(f.control_type)}\n"
            )
    return "".join(out).encode("utf-8")


def app_connector_doc(a: AppConnectorScope) -> dict[str, Any]:
    """The YAML document of ``app-connectors/<name>.yaml``."""
    return {
        "name": a.name,
        "auth_type": a.auth_type,
        "info": {"app_name": a.app_name, "group": a.group, "token_expiry": a.token_expiry, "envid": a.envid},
        "get_connectors": [
            {"id": r.id, "description": r.description} for r in sorted(a.get_connectors, key=lambda r: r.id)
        ],
        "update_connectors": [
            {"id": r.id, "description": r.description}
            for r in sorted(a.update_connectors, key=lambda r: r.id)
        ],
    }


def environment_doc(s: EnvironmentSnapshot) -> dict[str, Any]:
    return {
        "name": s.name,
        "type": s.type,
        "tenant": s.tenant,
        "envid": s.envid,
        "profit_version": s.profit_version,
        "language": s.language,
    }


def snapshot_doc(s: EnvironmentSnapshot) -> dict[str, Any]:
    m = s.meta
    return {
        "format": TREE_FORMAT,
        "environment": s.name,
        "taken_at": m.taken_at,
        "afasgov_version": m.afasgov_version,
        "base_url": m.base_url,
        "language": m.language,
        "profit_version": s.profit_version,
        "warnings": list(m.warnings),
    }


def _check_name(kind: str, name: str) -> None:
    if not isinstance(name, str) or not CONNECTOR_ID_RE.match(name):
        raise InputError(f"{kind} name {name!r} cannot be a file name (letters, digits, '_', '.', '-')")


def _casefold_clash(names: list[str], kind: str, env: str) -> None:
    seen: dict[str, str] = {}
    for n in names:
        other = seen.setdefault(n.lower(), n)
        if other != n:
            raise InputError(
                f"environment {env!r}: {kind} {other!r} and {n!r} differ only in case; "
                "their files would collide on case-insensitive file systems"
            )


def render_files(snapshot: EnvironmentSnapshot) -> Iterator[tuple[str, bytes]]:
    """Yield ``(relative path, bytes)`` of every file of the snapshot's tree, in a fixed order."""
    s = snapshot
    _check_snapshot_names(s)
    yield SNAPSHOT_FILE, yamlio.emit(snapshot_doc(s)).encode("utf-8")
    yield ENVIRONMENT_FILE, yamlio.emit(environment_doc(s)).encode("utf-8")
    for name in sorted(s.app_connectors):
        yield f"{APP_DIR}/{name}.yaml", yamlio.emit(app_connector_doc(s.app_connectors[name])).encode("utf-8")
    for cid in sorted(s.get_connectors):
        yield f"{GET_DIR}/{cid}.yaml", render_get(s.get_connectors[cid])
    for cid in sorted(s.update_connectors):
        yield f"{UPDATE_DIR}/{cid}.yaml", render_update(s.update_connectors[cid])


def _check_snapshot_names(s: EnvironmentSnapshot) -> None:
    _check_name("environment", s.name)
    for kind, names in (
        ("app connector", list(s.app_connectors)),
        ("get connector", list(s.get_connectors)),
        ("update connector", list(s.update_connectors)),
    ):
        for n in names:
            _check_name(kind, n)
        _casefold_clash(names, kind, s.name)


@dataclass(frozen=True)
class TreeChanges:
    """What a new snapshot changed in an environment's tree (relative paths; ``_snapshot.yaml``, which
    changes every run, is left out). ``previous`` is false for a first snapshot."""

    previous: bool
    files: int
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def _tree_files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file() and not p.is_symlink()}


def compare_trees(old: Path, new: Path) -> TreeChanges:
    """Files of ``new`` added, changed (other bytes) or removed relative to ``old`` (absent: a first snapshot)."""
    new_files = {k: v for k, v in _tree_files(new).items() if k != SNAPSHOT_FILE}
    if not old.is_dir():
        return TreeChanges(previous=False, files=len(new_files))
    old_files = {k: v for k, v in _tree_files(old).items() if k != SNAPSHOT_FILE}
    changed = [k for k in sorted(new_files.keys() & old_files.keys())
               if not filecmp.cmp(new_files[k], old_files[k], shallow=False)]
    return TreeChanges(previous=True, files=len(new_files), added=tuple(sorted(new_files.keys() - old_files.keys())),
                       changed=tuple(changed), removed=tuple(sorted(old_files.keys() - new_files.keys())))


class TreeWriter:
    """Build one environment's tree in a temporary directory, file by file, then swap it in.

    The crawl writes each connector's file as soon as its metainfo arrives (so rendering overlaps
    the network waits); :meth:`finish` writes the remaining files and swaps the complete tree in
    atomically; :meth:`abort` (or leaving the ``with`` block with an exception, including
    ``KeyboardInterrupt`` and cancellation) removes the temporary directory and leaves the
    previous tree as it was.
    """

    def __init__(self, definitions_dir: Path | str, environment: str, *, keep: bool = False) -> None:
        _check_name("environment", environment)
        #: with ``keep``: every file written, relative path → bytes (handed to a workspace)
        self.files: dict[str, bytes] | None = {} if keep else None
        self.parent = Path(definitions_dir)
        self.environment = environment
        self.target = self.parent / environment
        self.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_swaps(self.target)
        if self.target.exists() and not self.target.is_dir():
            raise UsageError(f"{self.target} exists and is not a directory")
        self.tmp: Path | None = swap_temp_dir(self.target)
        for sub in (APP_DIR, GET_DIR, UPDATE_DIR):
            (self.tmp / sub).mkdir()
        self._written: dict[str, set[str]] = {GET_DIR: set(), UPDATE_DIR: set()}
        self._lower: dict[str, dict[str, str]] = {GET_DIR: {}, UPDATE_DIR: {}}
        #: set by :meth:`finish`: what the new tree changed in the previous one
        self.changes: TreeChanges | None = None

    def __enter__(self) -> TreeWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc_type is not None:
            self.abort()

    def _write(self, rel: str, data: bytes) -> None:
        if self.tmp is None:
            raise RuntimeError("tree writer already finished or aborted")
        with open(self.tmp / rel, "wb") as fh:
            fh.write(data)
        if self.files is not None:
            self.files[rel] = data

    def _connector(self, sub: str, cid: str, kind: str, data: bytes) -> None:
        _check_name(kind, cid)
        other = self._lower[sub].setdefault(cid.lower(), cid)
        if other != cid:
            raise InputError(
                f"environment {self.environment!r}: {kind} {other!r} and {cid!r} differ only in "
                "case; their files would collide on case-insensitive file systems"
            )
        self._write(f"{sub}/{cid}.yaml", data)
        self._written[sub].add(cid)

    def add_get(self, connector: GetConnector) -> None:
        self._connector(GET_DIR, connector.id, "get connector", render_get(connector))

    def add_update(self, connector: UpdateConnector) -> None:
        self._connector(UPDATE_DIR, connector.id, "update connector", render_update(connector))

    def finish(
        self, snapshot: EnvironmentSnapshot, *, before_swap: Callable[[Path], None] | None = None
    ) -> Path:
        """Write the files not written yet, check the tree matches ``snapshot``, swap it in."""
        try:
            if snapshot.name != self.environment:
                raise UsageError(f"snapshot of {snapshot.name!r} given to the writer of {self.environment!r}")
            _check_snapshot_names(snapshot)
            for cid in sorted(set(snapshot.get_connectors) - self._written[GET_DIR]):
                self.add_get(snapshot.get_connectors[cid])
            for cid in sorted(set(snapshot.update_connectors) - self._written[UPDATE_DIR]):
                self.add_update(snapshot.update_connectors[cid])
            extra = (self._written[GET_DIR] - set(snapshot.get_connectors)) | (
                self._written[UPDATE_DIR] - set(snapshot.update_connectors)
            )
            if extra:
                raise UsageError(f"connector files written that are not in the snapshot: {sorted(extra)}")
            for name in sorted(snapshot.app_connectors):
                self._write(
                    f"{APP_DIR}/{name}.yaml",
                    yamlio.emit(app_connector_doc(snapshot.app_connectors[name])).encode("utf-8"),
                )
            self._write(ENVIRONMENT_FILE, yamlio.emit(environment_doc(snapshot)).encode("utf-8"))
            self._write(SNAPSHOT_FILE, yamlio.emit(snapshot_doc(snapshot)).encode("utf-8"))
            assert self.tmp is not None
            if before_swap is not None:
                before_swap(self.tmp)
            self.changes = compare_trees(self.target, self.tmp)
            swap_dir(self.tmp, self.target)
            self.tmp = None
        except BaseException:
            self.abort()
            raise
        return self.target

    def abort(self) -> None:
        """Remove the temporary directory (the previous tree stays as it was)."""
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None


def previous_scopes(tree: Path) -> dict[str, dict[str, list[str]]]:
    """App Connector → ``{"get": [ids], "update": [ids]}`` as the tree at ``tree`` recorded them (the
    crawl's head start on a refresh); ``{}`` when there is no such tree."""
    out: dict[str, dict[str, list[str]]] = {}
    directory = Path(tree) / APP_DIR
    if not directory.is_dir():
        return out
    for path in sorted(directory.glob("*.yaml")):
        doc = yamlio.load(path.read_bytes(), str(path))
        if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
            continue
        scope: dict[str, list[str]] = {}
        for kind in ("get", "update"):
            refs = doc.get(f"{kind}_connectors")
            scope[kind] = [r["id"] for r in refs if isinstance(r, dict) and isinstance(r.get("id"), str)] \
                if isinstance(refs, list) else []
        out[doc["name"]] = scope
    return out


def write_tree(
    snapshot: EnvironmentSnapshot,
    definitions_dir: Path | str,
    *,
    before_swap: Callable[[Path], None] | None = None,
) -> Path:
    """Write ``snapshot`` to ``<definitions_dir>/<name>/`` atomically; return that directory.

    ``before_swap`` (tests) is called with the complete temporary directory just before it is
    swapped in. On any exception (including ``KeyboardInterrupt``) the temporary directory is
    removed and the previous tree is left as it was.
    """
    _check_snapshot_names(snapshot)
    with TreeWriter(definitions_dir, snapshot.name) as writer:
        return writer.finish(snapshot, before_swap=before_swap)


# ========================================================================================== read
class _Reader:
    """Strict conversion of loaded YAML documents into model objects."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.seen: set[int] = set()

    def fail(self, file: str, message: str) -> InputError:
        return InputError(message, source=f"{self.source}/{file}")

    def mapping(
        self, file: str, value: object, where: str, keys: frozenset[str], required: frozenset[str]
    ) -> dict[str, Any]:
        if type(value) is not dict:
            raise self.fail(file, f"{where}: expected a mapping, got {_tname(value)}")
        ident = id(value)
        if ident in self.seen:
            raise self.fail(file, f"{where}: YAML aliases are not allowed in the definitions tree")
        self.seen.add(ident)
        if not keys.issuperset(value):
            extra = sorted(str(k) for k in value if k not in keys)
            raise self.fail(
                file, f"{where}: unknown key(s) {', '.join(extra)} (written by another tool version?)"
            )
        if not required.issubset(value):
            missing = sorted(k for k in required if k not in value)
            raise self.fail(file, f"{where}: missing key(s) {', '.join(missing)}")
        return value

    def text(self, file: str, value: object, where: str) -> str:
        if type(value) is not str:
            raise self.fail(file, f"{where}: expected a string, got {_tname(value)}")
        return value

    def opt_text(self, file: str, value: object, where: str) -> str | None:
        return None if value is None else self.text(file, value, where)

    def integer(self, file: str, value: object, where: str) -> int:
        if type(value) is not int:
            raise self.fail(file, f"{where}: expected an integer, got {_tname(value)}")
        return value

    def boolean(self, file: str, value: object, where: str) -> bool:
        if type(value) is not bool:
            raise self.fail(file, f"{where}: expected true or false, got {_tname(value)}")
        return value

    def items(self, file: str, value: object, where: str) -> list[Any]:
        if type(value) is not list:
            raise self.fail(file, f"{where}: expected a list, got {_tname(value)}")
        ident = id(value)
        if ident in self.seen:
            raise self.fail(file, f"{where}: YAML aliases are not allowed in the definitions tree")
        self.seen.add(ident)
        return value


def _tname(value: object) -> str:
    return "null" if value is None else type(value).__name__


_K_SNAPSHOT = frozenset(
    {
        "format",
        "environment",
        "taken_at",
        "afasgov_version",
        "base_url",
        "language",
        "profit_version",
        "warnings",
    }
)
_K_ENV = frozenset({"name", "type", "tenant", "envid", "profit_version", "language"})
_K_APP = frozenset({"name", "auth_type", "info", "get_connectors", "update_connectors"})
_K_INFO = frozenset({"app_name", "group", "token_expiry", "envid"})
_K_REF = frozenset({"id", "description"})
_K_GET = frozenset({"id", "description", "blocked", "fields"})
_K_GET_FIELD = frozenset(
    {"id", "field_id", "label", "data_type", "length", "decimals", "decimals_field_id", "control_type"}
)
_K_UPDATE = frozenset({"id", "description", "fields", "objects"})
_K_OBJECT = frozenset({"name", "fields", "objects"})
_K_UPDATE_FIELD = frozenset(
    {
        "field_id",
        "label",
        "data_type",
        "length",
        "decimals",
        "decimals_field_id",
        "mandatory",
        "primary_key",
        "not_zero",
        "control_type",
        "values",
    }
)
_K_CODE = frozenset({"id", "description"})
_NONE: frozenset[str] = frozenset()
_REQ_UPDATE_FIELD = _K_UPDATE_FIELD - {"values"}


def _read_update_fields(r: _Reader, file: str, raw: object, where: str) -> tuple[UpdateField, ...]:
    out: list[UpdateField] = []
    seen: set[str] = set()
    for i, item in enumerate(r.items(file, raw, f"{where}.fields")):
        w = f"{where}.fields[{i}]"
        d = r.mapping(file, item, w, _K_UPDATE_FIELD, _REQ_UPDATE_FIELD)
        fid = r.text(file, d["field_id"], f"{w}.field_id")
        if fid in seen:
            raise r.fail(file, f"{w}: duplicate field id {fid!r}")
        seen.add(fid)
        values: tuple[CodeValue, ...] | None = None
        raw_values = d.get("values")
        if raw_values is not None:
            codes = []
            for j, c in enumerate(r.items(file, raw_values, f"{w}.values")):
                cd = r.mapping(file, c, f"{w}.values[{j}]", _K_CODE, _K_CODE)
                codes.append(
                    CodeValue(
                        id=r.text(file, cd["id"], f"{w}.values[{j}].id"),
                        description=r.text(file, cd["description"], f"{w}.values[{j}].description"),
                    )
                )
            values = tuple(codes)
        out.append(
            UpdateField(
                field_id=fid,
                label=r.text(file, d["label"], f"{w}.label"),
                data_type=r.text(file, d["data_type"], f"{w}.data_type"),
                length=r.integer(file, d["length"], f"{w}.length"),
                decimals=r.integer(file, d["decimals"], f"{w}.decimals"),
                decimals_field_id=r.text(file, d["decimals_field_id"], f"{w}.decimals_field_id"),
                mandatory=r.boolean(file, d["mandatory"], f"{w}.mandatory"),
                primary_key=r.boolean(file, d["primary_key"], f"{w}.primary_key"),
                not_zero=r.boolean(file, d["not_zero"], f"{w}.not_zero"),
                control_type=r.integer(file, d["control_type"], f"{w}.control_type"),
                values=values,
            )
        )
    return tuple(out)


def _read_objects(r: _Reader, file: str, raw: object, where: str, depth: int) -> tuple[UpdateObject, ...]:
    if raw is None:
        return ()
    if depth > 64:
        raise r.fail(file, f"{where}: objects nested too deeply")
    out: list[UpdateObject] = []
    for i, item in enumerate(r.items(file, raw, f"{where}.objects")):
        w = f"{where}.objects[{i}]"
        d = r.mapping(file, item, w, _K_OBJECT, frozenset({"name", "fields"}))
        out.append(
            UpdateObject(
                name=r.text(file, d["name"], f"{w}.name"),
                fields=_read_update_fields(r, file, d["fields"], w),
                objects=_read_objects(r, file, d.get("objects"), w, depth + 1),
            )
        )
    return tuple(out)


def _read_update(r: _Reader, file: str, doc: object) -> UpdateConnector:
    d = r.mapping(file, doc, "document", _K_UPDATE, frozenset({"id", "description", "fields"}))
    return UpdateConnector(
        id=r.text(file, d["id"], "id"),
        description=r.text(file, d["description"], "description"),
        fields=_read_update_fields(r, file, d["fields"], "document"),
        objects=_read_objects(r, file, d.get("objects"), "document", 1),
    )


def _read_get(r: _Reader, file: str, doc: object) -> GetConnector:
    d = r.mapping(file, doc, "document", _K_GET, _K_GET)
    blocked = d["blocked"]
    if blocked is not None:
        blocked = r.boolean(file, blocked, "blocked")
    fields: list[GetField] = []
    seen: set[str] = set()
    for i, item in enumerate(r.items(file, d["fields"], "fields")):
        w = f"fields[{i}]"
        f = r.mapping(file, item, w, _K_GET_FIELD, _K_GET_FIELD)
        fid = r.text(file, f["id"], f"{w}.id")
        if fid in seen:
            raise r.fail(file, f"{w}: duplicate field id {fid!r}")
        seen.add(fid)
        fields.append(
            GetField(
                id=fid,
                field_id=r.text(file, f["field_id"], f"{w}.field_id"),
                label=r.text(file, f["label"], f"{w}.label"),
                data_type=r.text(file, f["data_type"], f"{w}.data_type"),
                length=r.integer(file, f["length"], f"{w}.length"),
                decimals=r.integer(file, f["decimals"], f"{w}.decimals"),
                decimals_field_id=r.text(file, f["decimals_field_id"], f"{w}.decimals_field_id"),
                control_type=r.integer(file, f["control_type"], f"{w}.control_type"),
            )
        )
    return GetConnector(
        id=r.text(file, d["id"], "id"),
        description=r.text(file, d["description"], "description"),
        fields=tuple(fields),
        blocked=blocked,
    )


def _read_refs(r: _Reader, file: str, raw: object, where: str) -> tuple[ConnectorRef, ...]:
    refs = []
    for i, item in enumerate(r.items(file, raw, where)):
        d = r.mapping(file, item, f"{where}[{i}]", _K_REF, _K_REF)
        refs.append(
            ConnectorRef(
                id=r.text(file, d["id"], f"{where}[{i}].id"),
                description=r.text(file, d["description"], f"{where}[{i}].description"),
            )
        )
    return tuple(refs)


def _read_app(r: _Reader, file: str, doc: object) -> AppConnectorScope:
    d = r.mapping(file, doc, "document", _K_APP, _K_APP)
    info = r.mapping(file, d["info"], "info", _K_INFO, _K_INFO)
    return AppConnectorScope(
        name=r.text(file, d["name"], "name"),
        app_name=r.text(file, info["app_name"], "info.app_name"),
        group=r.text(file, info["group"], "info.group"),
        token_expiry=r.opt_text(file, info["token_expiry"], "info.token_expiry"),
        envid=r.text(file, info["envid"], "info.envid"),
        auth_type=r.text(file, d["auth_type"], "auth_type"),
        get_connectors=_read_refs(r, file, d["get_connectors"], "get_connectors"),
        update_connectors=_read_refs(r, file, d["update_connectors"], "update_connectors"),
    )


class FileSource:
    """Where a tree's files come from: a directory, or a git tree (``GITREF:PATH``)."""

    label: str

    def files(self) -> dict[str, bytes]:  # pragma: no cover - interface
        raise NotImplementedError


class DirSource(FileSource):
    """A tree on disk; ``read`` (a workspace's reader) reads each file instead of :func:`open`."""

    def __init__(self, path: Path, read: Callable[[Path], bytes] | None = None) -> None:
        self.path = path
        self.label = str(path)
        self.read = read

    def files(self) -> dict[str, bytes]:
        root = self.path
        if not root.is_dir():
            raise InputError("no snapshot here (not a directory)", source=str(root))
        out: dict[str, bytes] = {}
        with os.scandir(root) as top:
            entries = sorted(top, key=lambda e: e.name)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                with os.scandir(entry.path) as sub:
                    for f in sub:
                        if f.name.startswith("."):
                            continue
                        if f.is_dir():
                            raise InputError(f"unexpected directory {entry.name}/{f.name}", source=str(root))
                        out[f"{entry.name}/{f.name}"] = read_input(
                            f.path, max_bytes=yamlio.MAX_FILE_BYTES, source=f"{root}/{entry.name}/{f.name}",
                            read=self.read,
                        )
            else:  # (a FIFO or a device is refused by the reader, never read)
                out[entry.name] = read_input(entry.path, max_bytes=yamlio.MAX_FILE_BYTES,
                                             source=f"{root}/{entry.name}", read=self.read)
        return out


def read_files(files: Mapping[str, bytes], source: str) -> EnvironmentSnapshot:
    """Build the model from a tree's files (``relative path → bytes``)."""
    r = _Reader(source)
    if SNAPSHOT_FILE not in files:
        raise InputError(
            f"not a snapshot tree: {SNAPSHOT_FILE} is missing (run 'afasgov snapshot')", source=source
        )
    snap = yamlio.load(files[SNAPSHOT_FILE], f"{source}/{SNAPSHOT_FILE}")
    if type(snap) is dict and snap.get("format") != TREE_FORMAT:
        fmt = snap.get("format")
        raise r.fail(
            SNAPSHOT_FILE,
            f"tree format {fmt!r} is not {TREE_FORMAT!r} (written by another "
            f"afasgov version; re-run 'afasgov snapshot' with afasgov {__version__})",
        )
    sd = r.mapping(SNAPSHOT_FILE, snap, "document", _K_SNAPSHOT, _K_SNAPSHOT)
    warnings = tuple(
        r.text(SNAPSHOT_FILE, w, "warnings[]") for w in r.items(SNAPSHOT_FILE, sd["warnings"], "warnings")
    )
    meta = SnapshotMeta(
        taken_at=r.text(SNAPSHOT_FILE, sd["taken_at"], "taken_at"),
        afasgov_version=r.text(SNAPSHOT_FILE, sd["afasgov_version"], "afasgov_version"),
        base_url=r.text(SNAPSHOT_FILE, sd["base_url"], "base_url"),
        language=r.text(SNAPSHOT_FILE, sd["language"], "language"),
        warnings=warnings,
    )
    if ENVIRONMENT_FILE not in files:
        raise InputError(f"{ENVIRONMENT_FILE} is missing", source=source)
    r.seen = set()
    ed = r.mapping(
        ENVIRONMENT_FILE,
        yamlio.load(files[ENVIRONMENT_FILE], f"{source}/{ENVIRONMENT_FILE}"),
        "document",
        _K_ENV,
        _K_ENV,
    )
    snapshot = EnvironmentSnapshot(
        name=r.text(ENVIRONMENT_FILE, ed["name"], "name"),
        type=r.text(ENVIRONMENT_FILE, ed["type"], "type"),
        tenant=r.text(ENVIRONMENT_FILE, ed["tenant"], "tenant"),
        envid=r.text(ENVIRONMENT_FILE, ed["envid"], "envid"),
        profit_version=r.text(ENVIRONMENT_FILE, ed["profit_version"], "profit_version"),
        language=r.text(ENVIRONMENT_FILE, ed["language"], "language"),
        meta=meta,
    )
    if sd["environment"] != snapshot.name:
        raise r.fail(
            SNAPSHOT_FILE,
            f"environment {sd['environment']!r} does not match {ENVIRONMENT_FILE} ({snapshot.name!r})",
        )
    apps: dict[str, AppConnectorScope] = {}
    gets: dict[str, GetConnector] = {}
    updates: dict[str, UpdateConnector] = {}
    for rel in sorted(files):
        if rel in (SNAPSHOT_FILE, ENVIRONMENT_FILE):
            continue
        sub, _, name = rel.partition("/")
        if not name.endswith(".yaml") or sub not in (APP_DIR, GET_DIR, UPDATE_DIR) or "/" in name:
            raise InputError(f"unexpected file {rel!r} in a snapshot tree", source=source)
        stem = name[:-5]
        doc = yamlio.load(files[rel], f"{source}/{rel}")
        r.seen = set()  # alias detection is per document (ids of freed objects are reused)
        if sub == GET_DIR:
            g = _read_get(r, rel, doc)
            if g.id != stem:
                raise r.fail(rel, f"id {g.id!r} does not match the file name")
            gets[stem] = g
        elif sub == UPDATE_DIR:
            u = _read_update(r, rel, doc)
            if u.id != stem:
                raise r.fail(rel, f"id {u.id!r} does not match the file name")
            updates[stem] = u
        else:
            a = _read_app(r, rel, doc)
            if a.name != stem:
                raise r.fail(rel, f"name {a.name!r} does not match the file name")
            apps[stem] = a
    _check_consistent(source, apps, gets, updates)
    snapshot.app_connectors = apps
    snapshot.get_connectors = gets
    snapshot.update_connectors = updates
    return snapshot


def _check_consistent(
    source: str,
    apps: Mapping[str, AppConnectorScope],
    gets: Mapping[str, GetConnector],
    updates: Mapping[str, UpdateConnector],
) -> None:
    """Every connector an App Connector lists has its file: a tree missing one is incomplete (a
    hand edit, a bad merge), not an environment where the connector was removed."""
    missing: list[tuple[str, str, str]] = []  # (missing file, listed by, connector id)
    for name in sorted(apps):
        for sub, refs, present in (
            (GET_DIR, apps[name].get_connectors, gets),
            (UPDATE_DIR, apps[name].update_connectors, updates),
        ):
            missing.extend(
                (f"{sub}/{ref.id}.yaml", f"{APP_DIR}/{name}.yaml", ref.id) for ref in refs if ref.id not in present
            )
    if missing:
        rel, listed_by, cid = missing[0]
        others = len({m[0] for m in missing}) - 1
        more = f" (and {others} more connector file{'s' if others != 1 else ''})" if others else ""
        raise InputError(
            f"{source}/{rel} is missing{more}, but {listed_by} lists {rel.split('/')[0]} connector "
            f"{cid!r}: an incomplete tree (restore it from git or re-run 'afasgov snapshot')"
        )


def read_tree(path: Path | str) -> EnvironmentSnapshot:
    """Read ``<definitions>/<environment>/`` back into an :class:`EnvironmentSnapshot`."""
    p = Path(path)
    return read_files(DirSource(p).files(), str(p))


# =================================================================================== git sources
def parse_git_spec(spec: str) -> tuple[str, str] | None:
    """``GITREF:PATH`` → ``(ref, path)``; None when ``spec`` is not of that form."""
    ref, sep, path = spec.partition(":")
    if not sep or not ref or not path or ("/" in ref and Path(spec).exists()):
        return None
    if len(ref) == 1 and ref.isalpha():  # a Windows drive letter
        return None
    return ref, path


def _git(args: list[str], cwd: Path, source: str, *, input_bytes: bytes | None = None) -> bytes:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, input=input_bytes, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed (needed for GITREF:PATH)") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(
            f"git {args[0]} failed: {message[-1] if message else proc.returncode}", source=source
        )
    return proc.stdout


def git_files(ref: str, path: str, *, repo: Path | str = ".") -> dict[str, bytes]:
    """The files under ``path`` at ``ref`` (``git ls-tree`` + one ``git cat-file --batch``)."""
    source = f"{ref}:{path}"
    cwd = Path(repo)
    if ref.startswith("-"):
        raise UsageError(f"{source}: a git ref cannot start with '-'")
    root = _git(["rev-parse", "--show-toplevel"], cwd, source).decode().strip()
    prefix = _git(["rev-parse", "--show-prefix"], cwd, source).decode().strip()
    full = os.path.normpath(prefix + path).replace(os.sep, "/").strip("/")
    if full.startswith("..") or full == ".":
        raise InputError("path is outside the repository", source=source)
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", ref, "--", full + "/"], Path(root), source)
    entries: list[tuple[str, str]] = []
    for raw in listing.split(b"\0"):
        if not raw:
            continue
        meta, _, name = raw.partition(b"\t")
        _mode, kind, sha = meta.decode().split()
        rel = name.decode("utf-8", "surrogateescape")[len(full) + 1 :]
        if kind != "blob" or any(part.startswith(".") for part in rel.split("/")):
            continue
        entries.append((rel, sha))
    if not entries:
        raise InputError("no snapshot tree at this git ref and path", source=source)
    out = _git(
        ["cat-file", "--batch"],
        Path(root),
        source,
        input_bytes="".join(f"{sha}\n" for _, sha in entries).encode(),
    )
    files: dict[str, bytes] = {}
    pos = 0
    for rel, _sha in entries:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        start = header_end + 1
        files[rel] = out[start : start + size]
        pos = start + size + 1
    return files


def read_git_tree(spec: str, *, repo: Path | str = ".") -> EnvironmentSnapshot:
    """Read a snapshot tree from ``GITREF:PATH`` (e.g. ``main:definitions/production``)."""
    parsed = parse_git_spec(spec)
    if parsed is None:
        raise UsageError(f"{spec!r} is not of the form GITREF:PATH")
    ref, path = parsed
    return read_files(git_files(ref, path, repo=repo), spec)


def unknown_operand(
    text: str, definitions_dir: Path | str | None, environments: Sequence[str] = (), *, forms: str
) -> UsageError:
    """The error for an operand that is no snapshot: it names the environments that have one (and those
    configured), and the command that makes one (``afasgov snapshot ENV``)."""
    where = Path(definitions_dir) if definitions_dir is not None else Path("definitions")
    if "/" in text or os.sep in text:
        return UsageError(f"{text!r} does not exist: expected {forms}")
    try:
        snapshotted = sorted(d.name for d in where.iterdir() if (d / "_snapshot.yaml").is_file())
    except OSError:
        snapshotted = []
    if text in environments and text not in snapshotted:
        return UsageError(
            f"environment {text!r} has no snapshot yet under {where}: run `afasgov snapshot {text}` first"
        )
    known = f"environments with a snapshot under {where}: {', '.join(snapshotted) or 'none'}"
    pending = [e for e in environments if e not in snapshotted]
    if pending:
        known += f"; configured without one: {', '.join(pending)}"
    return UsageError(
        f"{text!r} is not a known environment ({known}), nor {forms}; a new environment needs "
        f"`afasgov snapshot {text}` first"
    )


__all__ = [
    "TREE_FORMAT",
    "TreeChanges",
    "TreeWriter",
    "app_connector_doc",
    "compare_trees",
    "get_connector_doc",
    "git_files",
    "parse_git_spec",
    "read_files",
    "read_git_tree",
    "read_tree",
    "render_files",
    "render_get",
    "render_update",
    "unknown_operand",
    "update_connector_doc",
    "write_tree",
]
