"""``afasgov gcn check``: is every given ``.gcn`` export and stored definition importable?

Used as a pre-commit hook (``.pre-commit-hooks.yaml``) so a damaged export never reaches the
repository. For each file:

* a ``.gcn`` export must read completely (:func:`~afasgov.gcn.codec.read_gcn`): a file that git
  converted as text (U+FFFD bytes), a truncated or re-zipped export, an unknown format version fail;
* a stored definition (``<Name>.yaml`` beside ``<Name>.gcn``, as ``afasgov gcn import`` writes them)
  must load with its export (same GUID) and export again — the YAML's edits applied to the original
  (:func:`~afasgov.gcn.store.export_bytes`) — into a file that reads back;
* a definition YAML without its ``.gcn`` cannot be exported, so it fails too.

Nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from afasgov.errors import InputError
from afasgov.gcn.codec import read_gcn
from afasgov.gcn.errors import GcnError
from afasgov.gcn.store import StoredEntry, export_bytes, load
from afasgov.gcn.yamlio import from_yaml

GCN_SUFFIX = ".gcn"
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class FileCheck:
    """The outcome for one file: ``problem`` is empty when the file passes."""

    path: Path
    problem: str = ""
    name: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def _problem(exc: InputError, path: Path) -> str:
    """The error's reason, naming the file it concerns when that is not ``path`` itself."""
    source = exc.source or ""
    if source and Path(source) != path:
        return f"{Path(source).name}: {exc.reason}"
    return exc.reason


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise GcnError(f"cannot read: {exc.strerror or type(exc).__name__}", source=str(path)) from None


def _check_pair(yaml_path: Path, gcn_path: Path) -> str:
    """Load the stored pair and export it (the YAML's edits applied); the connector's name."""
    try:
        text = _read_bytes(yaml_path).decode("utf-8")
    except UnicodeDecodeError:
        raise GcnError("not UTF-8 text", source=str(yaml_path)) from None
    definition = from_yaml(text, source=str(yaml_path))
    entry = StoredEntry(stem=yaml_path.stem, guid=definition.guid, name=definition.name,
                        yaml_path=yaml_path, gcn_path=gcn_path)
    loaded = load(entry)
    data = export_bytes(loaded)
    if data is not loaded.original:  # re-written with edits: it must read back
        read_gcn(data, source=f"{gcn_path} (re-written with the YAML's edits)")
    return loaded.definition.name


def check_file(path: Path) -> FileCheck:
    """Check one ``.gcn`` export or definition YAML (see the module docstring)."""
    suffix = path.suffix.lower()
    try:
        if suffix == GCN_SUFFIX:
            doc = read_gcn(_read_bytes(path), source=str(path))
            sibling = next((path.with_suffix(s) for s in YAML_SUFFIXES if path.with_suffix(s).is_file()), None)
            name = _check_pair(sibling, path) if sibling is not None else doc.name
            return FileCheck(path, name=name)
        if suffix in YAML_SUFFIXES:
            gcn_path = path.with_suffix(GCN_SUFFIX)
            if not gcn_path.is_file():
                return FileCheck(path, f"the original export {gcn_path.name} is missing next to the definition "
                                       "(import the .gcn again with `afasgov gcn import`)")
            return FileCheck(path, name=_check_pair(path, gcn_path))
        return FileCheck(path, f"not a .gcn export or a definition .yaml (suffix {path.suffix or 'none'!r})")
    except InputError as exc:
        return FileCheck(path, _problem(exc, path))


def check_files(paths: Iterable[Path]) -> list[FileCheck]:
    """:func:`check_file` for each path, in order, each path once."""
    seen: set[Path] = set()
    out: list[FileCheck] = []
    for path in paths:
        if path in seen:
            continue
        seen.add(path)
        out.append(check_file(path))
    return out


__all__ = ["FileCheck", "check_file", "check_files"]
