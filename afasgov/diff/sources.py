"""Resolve diff operands in a :class:`~afasgov.workspace.Workspace`: an environment name (its tree under the
definitions directory), a snapshot directory, ``GITREF:PATH``, or a GetConnector definition (``.gcn`` file,
definition ``.yaml``/``.json``, or the connector name, file stem or GUID of one stored under
``definitions/getconnectors/``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afasgov.errors import InputError
from afasgov.model import EnvironmentSnapshot
from afasgov.workspace import Workspace

GCN_SUFFIXES = (".gcn",)
DEFINITION_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class Operand:
    """One side of a diff."""

    spec: str
    kind: str  # "snapshot" | "gcn"
    label: str
    location: str
    sha256: str = ""
    snapshot: EnvironmentSnapshot | None = None
    definition: Any = None
    directory: Path | None = None


def _gcn(spec: str, path: Path, ws: Workspace) -> Operand:
    from afasgov.gcn.errors import GcnError
    from afasgov.gcn.store import load_definition, resolve

    store = ws.getconnectors_dir
    try:
        if path.is_file():
            definition = ws.definition(path)
            location = path
        else:
            definition = load_definition(path, definitions=store)
            location = resolve(store, spec).yaml_path
    except GcnError as exc:
        raise InputError(str(exc)) from None
    return Operand(
        spec,
        "gcn",
        getattr(definition, "name", "") or path.stem,
        str(location),
        ws.content_hash(location),
        definition=definition,
    )


def _is_stored(spec: str, ws: Workspace) -> bool:
    """True when ``spec`` names a stored GetConnector definition (by name, file stem or GUID)."""
    from afasgov.gcn.errors import GcnError
    from afasgov.gcn.store import resolve

    store = ws.getconnectors_dir
    if "/" in spec or Path(spec).suffix or not store.is_dir():
        return False
    try:
        resolve(store, spec)
    except GcnError:
        return False
    return True


def _snapshot(spec: str, ws: Workspace, label: str | None = None) -> Operand:
    entry = ws.snapshot_entry(spec)
    location = str(entry.directory) if entry.directory is not None else spec
    return Operand(spec, "snapshot", label or spec, location, entry.sha256,
                   snapshot=entry.snapshot, directory=entry.directory)


def resolve_operand(spec: str, ws: Workspace) -> Operand:
    """Read one operand (errors: :class:`InputError`/:class:`UsageError`, exit 2)."""
    from afasgov.snapshot.tree import parse_git_spec, unknown_operand

    path = Path(spec)
    env_dir = ws.definitions_dir / spec
    if "/" not in spec and env_dir.is_dir() and not path.suffix:
        return _snapshot(spec, ws, label=spec)
    if path.is_file():
        if path.suffix.lower() in GCN_SUFFIXES + DEFINITION_SUFFIXES:
            return _gcn(spec, path, ws)
        raise InputError(
            "not a snapshot directory, .gcn file or GetConnector definition (.yaml/.json)", source=spec
        )
    if path.is_dir():
        entry = ws.snapshot_entry(str(path))
        return _snapshot(str(path), ws, label=entry.snapshot.name or path.name)
    if _is_stored(spec, ws):
        return _gcn(spec, Path(spec), ws)
    if parse_git_spec(spec) is not None:
        return _snapshot(spec, ws, label=spec)
    if path.suffix:
        raise InputError("file not found", source=spec)
    raise unknown_operand(spec, ws.definitions_dir, ws.environment_names,
                          forms="a snapshot directory, GITREF:PATH or a .gcn file/definition")


__all__ = ["DEFINITION_SUFFIXES", "GCN_SUFFIXES", "Operand", "resolve_operand"]
