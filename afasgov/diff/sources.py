"""Resolve diff operands: an environment name (its tree under the definitions directory), a snapshot
directory, ``GITREF:PATH``, or a GetConnector definition (``.gcn`` file, definition ``.yaml``/``.json``,
or the connector name, file stem or GUID of one stored under ``definitions/getconnectors/``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afasgov.errors import InputError
from afasgov.model import EnvironmentSnapshot
from afasgov.workspace import hash_path

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


def _gcn(spec: str, path: Path, definitions_dir: Path) -> Operand:
    from afasgov.gcn.errors import GcnError
    from afasgov.gcn.store import load_definition, resolve

    store = definitions_dir / "getconnectors"
    try:
        definition = load_definition(path, definitions=store)
        location = path if path.is_file() else resolve(store, spec).yaml_path
    except GcnError as exc:
        raise InputError(str(exc)) from None
    return Operand(
        spec,
        "gcn",
        getattr(definition, "name", "") or path.stem,
        str(location),
        hash_path(Path(location)),
        definition=definition,
    )


def _is_stored(spec: str, definitions_dir: Path) -> bool:
    """True when ``spec`` names a stored GetConnector definition (by name, file stem or GUID)."""
    from afasgov.gcn.errors import GcnError
    from afasgov.gcn.store import resolve

    store = definitions_dir / "getconnectors"
    if "/" in spec or Path(spec).suffix or not store.is_dir():
        return False
    try:
        resolve(store, spec)
    except GcnError:
        return False
    return True


def resolve_operand(spec: str, definitions_dir: Path, *, environments: Sequence[str] = ()) -> Operand:
    """Read one operand (errors: :class:`InputError`/:class:`UsageError`, exit 2); ``environments``: the
    configured names, for the error that lists what is known."""
    from afasgov.snapshot.tree import parse_git_spec, read_any, unknown_operand

    path = Path(spec)
    env_dir = definitions_dir / spec
    if "/" not in spec and env_dir.is_dir() and not path.suffix:
        snap = read_any(spec, definitions_dir=definitions_dir)
        return Operand(
            spec, "snapshot", spec, str(env_dir), hash_path(env_dir), snapshot=snap, directory=env_dir
        )
    if path.is_file():
        if path.suffix.lower() in GCN_SUFFIXES + DEFINITION_SUFFIXES:
            return _gcn(spec, path, definitions_dir)
        raise InputError(
            "not a snapshot directory, .gcn file or GetConnector definition (.yaml/.json)", source=spec
        )
    if path.is_dir():
        snap = read_any(path, definitions_dir=None)
        return Operand(
            spec,
            "snapshot",
            snap.name or path.name,
            str(path),
            hash_path(path),
            snapshot=snap,
            directory=path,
        )
    if _is_stored(spec, definitions_dir):
        return _gcn(spec, Path(spec), definitions_dir)
    if parse_git_spec(spec) is not None:
        snap = read_any(spec, definitions_dir=None)
        return Operand(spec, "snapshot", spec, spec, "", snapshot=snap)
    if path.suffix:
        raise InputError("file not found", source=spec)
    raise unknown_operand(spec, definitions_dir, environments,
                          forms="a snapshot directory, GITREF:PATH or a .gcn file/definition")


def snapshot_files(operand: Operand, root: Path) -> dict[tuple[str, str], str]:
    """(connector type, connector id) → the operand's snapshot file, relative to ``root`` (for SARIF)."""
    if operand.snapshot is None or operand.directory is None:
        return {}
    try:
        rel = operand.directory.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = operand.directory.as_posix()
    snap = operand.snapshot
    files = {("update", c): f"{rel}/update/{c}.yaml" for c in snap.update_connectors}
    files.update({("get", c): f"{rel}/get/{c}.yaml" for c in snap.get_connectors})
    files.update({("app-connector", n): f"{rel}/app-connectors/{n}.yaml" for n in snap.app_connectors})
    files[("environment", "environment")] = f"{rel}/environment.yaml"
    return files
