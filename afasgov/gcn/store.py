"""The ``definitions/getconnectors/`` store: ``<Name>.yaml`` (readable) next to ``<Name>.gcn``
(original export bytes), keyed by connector GUID (DESIGN §3).

* :func:`import_files` reads every input completely before writing anything, then writes the files
  through temporary files and renames (:func:`afasgov._files.atomic_write_many`: no half-written
  definitions);
* :func:`export_definitions` returns the original bytes when the YAML is unchanged, otherwise the
  file re-written with the YAML's edits (:func:`afasgov.gcn.codec.apply_definition`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from afasgov import yamlsafe
from afasgov._files import make_output_dir, read_input, write_output_files
from afasgov.gcn.codec import MAX_FILE_SIZE, SIGNATURE_NOTE, GcnDocument, apply_definition, read_gcn, write_gcn
from afasgov.gcn.errors import GcnError
from afasgov.gcn.model import GcnDefinition
from afasgov.gcn.yamlio import from_yaml, to_yaml

_SAFE: Final = re.compile(r"[^A-Za-z0-9._-]")


def file_stem(name: str) -> str:
    """A safe file name for a connector id (``/``, spaces etc. become ``_``)."""
    stem = _SAFE.sub("_", name).strip(".") or "_"
    return stem[:150]


def _read(path: Path) -> bytes:
    """A ``.gcn`` or definition file through the bounded reader (regular files only, capped)."""
    return read_input(path, max_bytes=MAX_FILE_SIZE, error=_gcn_error)


def _gcn_error(message: str, source: str) -> Exception:
    return GcnError(message, source=source)


def _stored_error(message: str, source: str) -> Exception:
    return GcnError(f"cannot read the stored definition: {message}", source=source)


@dataclass(frozen=True)
class StoredEntry:
    stem: str
    guid: str
    name: str
    yaml_path: Path
    gcn_path: Path


def index(directory: Path, *, read: Callable[[Path], bytes] | None = None) -> dict[str, StoredEntry]:
    """GUID → entry for every ``*.yaml`` definition in ``directory`` (``read``: a workspace's reader)."""
    out: dict[str, StoredEntry] = {}
    if not directory.is_dir():
        return out
    for path in sorted(directory.glob("*.yaml")):
        data = yamlsafe.load_file(path, error=_stored_error, read=read)
        if not isinstance(data, dict) or not isinstance(data.get("guid"), str):
            raise GcnError("stored definition has no guid", source=str(path))
        guid = data["guid"]
        if guid in out:
            raise GcnError(
                f"connector GUID {guid} is stored twice ({out[guid].yaml_path.name} and {path.name})",
                source=str(directory),
            )
        out[guid] = StoredEntry(
            stem=path.stem,
            guid=guid,
            name=str(data.get("name") or path.stem),
            yaml_path=path,
            gcn_path=path.with_suffix(".gcn"),
        )
    return out


@dataclass(frozen=True)
class ImportResult:
    name: str
    guid: str
    action: str  # added | updated | unchanged | renamed | replaced | downgraded
    yaml_path: Path
    gcn_path: Path
    note: str = ""
    #: things the importer should know (a name outside the REST alphabet, a downgrade), one line each
    warnings: tuple[str, ...] = ()


#: what a connector id should consist of: it is the ``{name}`` of ``/connectors/{name}`` in REST URLs
REST_NAME: Final = re.compile(r"[A-Za-z0-9_]+")


def _name_warning(name: str) -> str | None:
    if REST_NAME.fullmatch(name):
        return None
    return (
        f"connector name {name!r} has characters outside [A-Za-z0-9_]: clients must URL-encode it in "
        "/connectors/{name}, and it is stored under a different file name"
    )


def _moments(d: GcnDefinition) -> str:
    changed = d.changed_at.isoformat() if d.changed_at else "unknown"
    exported = d.export.exported_at.isoformat() if d.export.exported_at else "unknown"
    return f"changed {changed}, exported {exported}"


def is_older(new: GcnDefinition, old: GcnDefinition) -> bool:
    """True when ``new`` is an earlier version than ``old`` (same connector): changed earlier
    (``ChDt``), or changed at the same moment (or unknown) and exported earlier."""
    if new.changed_at and old.changed_at and new.changed_at != old.changed_at:
        return new.changed_at < old.changed_at
    a, b = new.export, old.export
    if a.exported_at_utc and b.exported_at_utc:
        return a.exported_at_utc < b.exported_at_utc
    if a.exported_at and b.exported_at:
        return a.exported_at < b.exported_at
    return False


def _stored_definition(entry: StoredEntry) -> GcnDefinition | None:
    """The definition of the stored original export (``None`` when it cannot be read: then there is
    nothing to compare with, and the import replaces it)."""
    try:
        return read_gcn(_read(entry.gcn_path), source=str(entry.gcn_path)).definition
    except GcnError:
        return None


def import_files(
    paths: Iterable[Path], into: Path, *, replace: bool = False, allow_downgrade: bool = False
) -> list[ImportResult]:
    """Import ``.gcn`` files into ``into`` (all parsed and checked before anything is written).

    An export older than the stored version of the same connector (see :func:`is_older`) is refused
    unless ``allow_downgrade`` or ``replace``; it is then imported as ``downgraded``, with a warning.
    """
    docs: list[tuple[Path, bytes, GcnDocument]] = []
    seen: dict[str, Path] = {}
    for path in paths:
        data = _read(path)
        doc = read_gcn(data, source=str(path))
        if doc.guid in seen:
            raise GcnError(
                f"holds connector {doc.guid} ({doc.name}) like {seen[doc.guid]}; import one version "
                "at a time",
                source=str(path),
            )
        seen[doc.guid] = path
        docs.append((path, data, doc))
    existing = index(into)
    by_stem = {e.stem: e for e in existing.values()}
    writes: list[tuple[Path, bytes]] = []
    removals: list[Path] = []
    results: list[ImportResult] = []
    stems_taken: dict[str, str] = {}
    for path, data, doc in docs:
        stem = file_stem(doc.name)
        if stem in stems_taken and stems_taken[stem] != doc.guid:
            raise GcnError(f"two inputs map to the same file name {stem}.gcn", source=str(path))
        stems_taken[stem] = doc.guid
        yaml_path, gcn_path = into / f"{stem}.yaml", into / f"{stem}.gcn"
        yaml_bytes = to_yaml(doc.definition).encode("utf-8")
        occupant = by_stem.get(stem)
        previous = existing.get(doc.guid)
        note = ""
        warnings = [w for w in (_name_warning(doc.name),) if w]
        stored = _stored_definition(previous) if previous is not None else None
        downgrade = stored is not None and is_older(doc.definition, stored)
        if downgrade and not (allow_downgrade or replace):
            assert stored is not None
            raise GcnError(
                f"this export of {doc.name} [{doc.guid}] is older than the stored version (this file: "
                f"{_moments(doc.definition)}; stored: {_moments(stored)}); pass --allow-downgrade (or "
                "--replace) to import it anyway",
                source=str(path),
            )
        if occupant is not None and occupant.guid != doc.guid:
            if not replace:
                raise GcnError(
                    f"{yaml_path} holds a different connector (GUID {occupant.guid}) under the name "
                    f"{doc.name}; this file is GUID {doc.guid} (deleted and re-created in Profit?). "
                    "Pass --replace to replace it",
                    source=str(path),
                )
            action = "replaced"
            note = f"replaces connector {occupant.guid}"
        elif previous is not None and previous.stem != stem:
            action = "renamed"
            note = f"was {previous.stem}"
            removals += [previous.yaml_path, previous.gcn_path]
        elif previous is not None:
            same = (
                gcn_path.is_file()
                and _read(gcn_path) == data
                and yaml_path.is_file()
                and _read(yaml_path) == yaml_bytes
            )
            action = "unchanged" if same else "updated"
        else:
            action = "added"
        if downgrade and action != "unchanged":
            assert stored is not None
            action = "downgraded" if action == "updated" else action
            older = f"older than the stored version ({_moments(doc.definition)}; stored: {_moments(stored)})"
            note = f"{note}; {older}" if note else older
            warnings.append(f"{doc.name}: imported an export {older}")
        if action != "unchanged":
            writes += [(gcn_path, data), (yaml_path, yaml_bytes)]
        results.append(
            ImportResult(
                name=doc.name,
                guid=doc.guid,
                action=action,
                yaml_path=yaml_path,
                gcn_path=gcn_path,
                note=note,
                warnings=tuple(warnings),
            )
        )
    if writes:
        make_output_dir(into)
    write_output_files(writes)
    written = {p for p, _ in writes}
    for path in removals:
        if path not in written:
            path.unlink(missing_ok=True)
    return results


def resolve(directory: Path, name: str) -> StoredEntry:
    """A stored definition by connector name, file stem or GUID."""
    entries = index(directory)
    wanted = name.upper()
    if wanted in entries:
        return entries[wanted]
    for entry in entries.values():
        if name in (entry.name, entry.stem) or file_stem(name) == entry.stem:
            return entry
    known = ", ".join(sorted(e.name for e in entries.values())[:20]) or "none"
    raise GcnError(f"no GetConnector definition named {name!r} in {directory} (known: {known})")


@dataclass(frozen=True)
class Loaded:
    entry: StoredEntry
    original: bytes
    document: GcnDocument
    definition: GcnDefinition  # from the YAML (possibly edited)

    @property
    def edited(self) -> bool:
        return self.definition != self.document.definition


def load(entry: StoredEntry, *, read: Callable[[Path], bytes] | None = None) -> Loaded:
    """A stored definition with its original export (``read``: the workspace's reader; default: the
    bounded reader)."""
    read_bytes = read or _read
    if not entry.gcn_path.exists():
        raise GcnError(
            f"the original export {entry.gcn_path.name} is missing next to the definition; import "
            "the .gcn again",
            source=str(entry.yaml_path),
        )
    original = read_bytes(entry.gcn_path)
    doc = read_gcn(original, source=str(entry.gcn_path))
    try:
        text = read_bytes(entry.yaml_path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GcnError(f"not UTF-8 (byte {exc.start})", source=str(entry.yaml_path)) from None
    definition = from_yaml(text, source=str(entry.yaml_path))
    if definition.guid != doc.guid:
        raise GcnError(
            f"the YAML's guid {definition.guid} differs from its .gcn ({doc.guid})",
            source=str(entry.yaml_path),
        )
    return Loaded(entry=entry, original=original, document=doc, definition=definition)


@dataclass(frozen=True)
class ExportResult:
    name: str
    guid: str
    path: Path
    edited: bool
    note: str = ""


def export_bytes(loaded: Loaded) -> bytes:
    """The original bytes, or the file re-written with the YAML's edits."""
    if not loaded.edited:
        return loaded.original
    return write_gcn(apply_definition(loaded.document, loaded.definition))


def export_definitions(names: Iterable[str], directory: Path, out: Path) -> list[ExportResult]:
    """Export stored definitions to ``out/<Name>.gcn`` (all prepared before anything is written)."""
    files: list[tuple[Path, bytes]] = []
    results: list[ExportResult] = []
    for name in names:
        loaded = load(resolve(directory, name))
        data = export_bytes(loaded)
        target = out / f"{loaded.entry.stem}.gcn"
        if any(p == target for p, _ in files):
            continue
        files.append((target, data))
        results.append(
            ExportResult(
                name=loaded.definition.name,
                guid=loaded.entry.guid,
                path=target,
                edited=loaded.edited,
                note=SIGNATURE_NOTE if loaded.edited else "",
            )
        )
    make_output_dir(out)
    write_output_files(files)
    return results


def definition_from_bytes(data: bytes, path: Path) -> GcnDefinition:
    """A definition from a file's bytes: a ``.gcn`` export, or a definition ``.yaml``/``.json``."""
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise GcnError("not UTF-8 text (a .gcn file with a wrong extension?)", source=str(path)) from None
        return from_yaml(text, source=str(path))
    return read_gcn(data, source=str(path)).definition


def load_definition(
    path: Path, *, definitions: Path | None = None, read: Callable[[Path], bytes] | None = None
) -> GcnDefinition:
    """A diff/show operand: a ``.gcn`` file, a definition ``.yaml``/``.json``, or a stored name (``read``:
    the workspace's reader; default: the bounded reader, which refuses a FIFO or a device)."""
    if path.exists() and not path.is_dir():
        return definition_from_bytes((read or _read)(path), path)
    if definitions is not None and not path.suffix and len(path.parts) == 1:
        return load(resolve(definitions, str(path))).definition
    raise GcnError("no such file", source=str(path))
