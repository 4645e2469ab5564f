"""Every finding points at a file and a line of the repository (for SARIF, GitHub annotations, GitLab
Code Quality): :class:`Locator` fills :attr:`Location.file <afasgov.findings.Location.file>` (relative to
the repository root) and :attr:`~afasgov.findings.Location.line` (1-based) from what the finding names.

* a connector, object or field → the snapshot file that holds it (``definitions/<env>/update/KnUser.yaml``)
  and the line of that connector, nested object, field or code value; a field the revision removed is
  found in the base tree when that is a directory, else the line of the object or connector that held it;
* an App Connector's scope (the App Connector and one connector, no field), the App Connector itself →
  ``definitions/<env>/app-connectors/<name>.yaml``, at the connector's entry or the first line;
* a ``.gcn`` definition → its definition YAML (``definitions/getconnectors/<Name>.yaml``), at the field;
* the configuration → ``afasgov.yaml`` at the App Connector's key; the environment → ``environment.yaml``;
* a file (the secret scan, a payload) → that file, at the line the finding carries; a JSON payload problem
  at the line of its field's key (XML problems carry the parser's line);
* a connector no file holds any more (removed, and the base is a ``GITREF:PATH``) → the revision's
  ``environment.yaml``.

Lines are found in the YAML node tree (:func:`yaml.compose`, which records where each node starts), so they
follow the file as written, whatever its formatting. Files are read once per run. Nothing is guessed: a
finding whose file cannot be found keeps what it had.

A line is a function of the file's content and of what is asked, so the answers are kept for the process
(:data:`_LINES`, keyed on a digest of the bytes): a fleet's tenants mostly hold the same connector files,
and each of those is composed once, not once per tenant.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from afasgov.errors import InputError
from afasgov.findings import Finding, Location

if TYPE_CHECKING:
    from afasgov.config import Config
    from afasgov.workspace import Workspace

_OBJECTS = re.compile(r"/Element/Objects/([^/]+)")
_MAX_BYTES = 8 * 1024 * 1024
_T = TypeVar("_T")


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's composer where available (the same nodes and marks as PyYAML's, ≈4× faster: a fleet's
    release checks locate thousands of findings in snapshot files), without tag resolution: lines need no
    tags, and PyYAML resolves every scalar's with regular expressions in Python."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return ""


_COMPOSER: type[yaml.SafeLoader] = _LineLoader
#: (digest of a file's bytes, composer, question) → answer, for every locator of the process (see the
#: module docstring); cleared when it holds this many answers (each is a few small values)
_LINES: dict[tuple[Any, ...], Any] = {}
_LINES_MAX = 100_000
_MISSING = object()


def repository_root(start: Path) -> Path:
    """The git work tree that holds ``start`` (the nearest parent with ``.git``), else ``start``."""
    here = start.resolve()
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return here


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.Node):
                return v
    return None


def _item(node: yaml.Node | None, list_key: str, keys: Sequence[str], wanted: str) -> yaml.Node | None:
    """The item of the sequence ``list_key`` whose ``keys[i]`` scalar is ``wanted``."""
    seq = _child(node, list_key)
    if not isinstance(seq, yaml.SequenceNode):
        return None
    for entry in seq.value:
        for key in keys:
            value = _child(entry, key)
            if isinstance(value, yaml.ScalarNode) and value.value == wanted and isinstance(entry, yaml.Node):
                return entry
    return None


def _match(node: yaml.Node | None, list_key: str, keys: Sequence[str], wanted: str) -> yaml.Node | None:
    """The scalar that matched in :func:`_item` (its line is where the name is written)."""
    entry = _item(node, list_key, keys, wanted)
    for key in keys:
        value = _child(entry, key)
        if isinstance(value, yaml.ScalarNode) and value.value == wanted:
            return value
    return None


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 0


class Locator:
    """Fills file and line of findings.

    ``trees`` maps an environment name to its snapshot tree; ``default_trees`` are tried, in order, for
    findings without an environment (a diff: revision first, then base). ``root`` is the directory the
    findings' relative paths are relative to (afasgov.yaml's); ``repository`` the root SARIF URIs are
    relative to (default: the git work tree holding ``root``)."""

    def __init__(
        self,
        root: Path,
        *,
        trees: Mapping[str, Path] | None = None,
        default_trees: Sequence[Path] = (),
        gcn_dir: Path | None = None,
        config_path: Path | None = None,
        repository: Path | None = None,
        read: Callable[[Path], bytes] | None = None,
    ) -> None:
        self.root = root.resolve()
        self.repository = (repository or repository_root(self.root)).resolve()
        self.trees = {k: Path(v) for k, v in (trees or {}).items()}
        self.default_trees = [Path(t) for t in default_trees]
        self.gcn_dir = gcn_dir
        self.config_path = config_path
        #: how files are read (a workspace reads each input once per run: :meth:`Workspace.read`); without
        #: one, each file once per locator (its digest, node tree and lines come from the same bytes)
        self._read = read or self._read_once
        self._files: dict[Path, bytes] = {}
        self._docs: dict[Path, yaml.Node | None] = {}
        self._texts: dict[Path, list[str] | None] = {}
        self._digests: dict[Path, bytes | None] = {}

    @classmethod
    def for_config(cls, config: Config, *, default_trees: Sequence[Path] = (),
                   read: Callable[[Path], bytes] | None = None) -> Locator:
        """A locator for the repository of ``config``: each environment's tree under ``definitions_dir``,
        its ``getconnectors/`` and ``afasgov.yaml``."""
        definitions = Path(config.definitions_dir)
        trees = {name: definitions / name for name in config.environments}
        if definitions.is_dir():  # the configured ones are there already (no stat per tenant of a fleet)
            trees.update({p.name: p for p in definitions.iterdir()
                          if p.name not in trees and (p / "_snapshot.yaml").is_file()})
        return cls(Path(config.root), trees=trees, default_trees=default_trees, gcn_dir=definitions / "getconnectors",
                   config_path=Path(config.path) if config.path else None, read=read)

    @classmethod
    def for_workspace(cls, ws: Workspace, *, default_trees: Sequence[Path] = ()) -> Locator:
        """A locator for the workspace's repository (its configuration's, else the current directory's)."""
        if ws.has_config:
            return cls.for_config(ws.config, default_trees=default_trees, read=ws.read)
        return cls(ws.root, default_trees=default_trees, gcn_dir=ws.getconnectors_dir, read=ws.read)

    # ------------------------------------------------------------------------------- public
    def locate_all(self, findings: Iterable[Finding]) -> list[Finding]:
        return [self.locate(f) for f in findings]

    def locate(self, finding: Finding) -> Finding:
        loc = finding.location
        if loc.file and loc.line:
            found: tuple[Path, int] | None = (self._resolve(loc.file) or Path(loc.file), loc.line)
        else:
            found = self._find(finding) or self._environment_fallback(loc)
        if found is None:
            return finding
        path, line = found
        rel = self._relative(path)
        if rel == loc.file and line == loc.line:
            return finding
        return dataclasses.replace(finding, location=dataclasses.replace(loc, file=rel, line=max(line, 1)))

    # ------------------------------------------------------------------------------ finding
    def _find(self, finding: Finding) -> tuple[Path, int] | None:
        loc = finding.location
        kind = loc.connector_type
        if loc.file:
            path = self._resolve(loc.file)
            if path is None:
                return None
            if finding.kind == "validation" or kind in ("file", "config", "policy"):
                return path, self._file_line(path, finding)
            if kind in ("get", "update"):
                better = self._in_trees(loc, first=path)
                if better is not None:
                    return better
                return path, self._connector_line(path, loc)
            if kind == "app-connector":
                return self._app_in_trees(path, loc)
            if kind == "environment":
                key = loc.field or (loc.path.rsplit("/", 1)[-1] if "/" in loc.path else "")
                return path, self._key_line(path, [key] if key else [])
            if kind == "gcn":
                definition = path.with_suffix(".yaml") if path.suffix.lower() == ".gcn" else path
                if definition.is_file() and definition.suffix.lower() in (".yaml", ".yml"):
                    return definition, self._gcn_field_line(definition, loc.field)
            return path, self._file_line(path, finding)
        single_app = loc.app_connector if loc.app_connector and "," not in loc.app_connector else ""
        if kind in ("get", "update") and loc.connector:
            if single_app and loc.field is None and finding.kind == "audit":
                app = self._app_file(loc.environment, single_app)
                if app is not None:
                    return app, self._app_line(app, loc.connector)
            return self._in_trees(loc)
        if kind == "policy" and single_app:
            app = self._app_file(loc.environment, single_app)
            return (app, self._app_line(app, loc.connector)) if app is not None else None
        if kind == "app-connector" and (single_app or loc.connector):
            app = self._app_file(loc.environment, single_app or loc.connector)
            if app is not None:
                return app, self._app_line(app, loc.field or "")
        if kind == "config" and self.config_path is not None and self.config_path.is_file():
            keys = ["environments", loc.environment, "app_connectors", single_app] if single_app else (
                ["environments", loc.environment] if loc.environment else [])
            return self.config_path, self._key_line(self.config_path, [k for k in keys if k])
        if kind == "gcn" and loc.connector:
            return self._gcn(loc)
        if kind == "environment":
            key = loc.field or (loc.path.rsplit("/", 1)[-1] if "/" in loc.path else "")
            for tree in self._trees(loc.environment):
                path = tree / "environment.yaml"
                if path.is_file():
                    return path, self._key_line(path, [key] if key else [])
        return None

    def _environment_fallback(self, loc: Location) -> tuple[Path, int] | None:
        """A finding about something no file of the trees holds any more (a connector a diff against a
        ``GITREF:PATH`` base lost): the environment's ``environment.yaml``, so it still has a place."""
        if loc.file or loc.connector_type not in ("get", "update", "app-connector", "environment"):
            return None
        for tree in self._trees(loc.environment):
            path = tree / "environment.yaml"
            if path.is_file():
                return path, self._key_line(path, ["name"])
        return None

    def _trees(self, environment: str) -> list[Path]:
        if environment and environment in self.trees:
            return [self.trees[environment]]
        return list(self.default_trees)

    def _in_trees(self, loc: Location, *, first: Path | None = None) -> tuple[Path, int] | None:
        """The snapshot file of the connector where the field (object, value) is; else the first file of the
        connector that exists, at the deepest line found."""
        candidates = [first] if first is not None else []
        sub = "update" if loc.connector_type == "update" else "get"
        candidates += [t / sub / f"{loc.connector}.yaml" for t in self._trees(loc.environment)]
        fallback: tuple[Path, int] | None = None
        for path in candidates:
            if not path.is_file():
                continue
            line, complete = self._connector_line_full(path, loc)
            if complete:
                return path, line
            if fallback is None:
                fallback = (path, line)
        return fallback

    # ------------------------------------------------------------------------------- lines
    def _connector_line(self, path: Path, loc: Location) -> int:
        return self._connector_line_full(path, loc)[0]

    def _connector_line_full(self, path: Path, loc: Location) -> tuple[int, bool]:
        """(line, whether everything the location names was found) in a snapshot connector file."""
        objects = tuple(loc.object_path[1:]) or tuple(_OBJECTS.findall(loc.path))
        return self._memo(path, ("connector", loc.connector_type, objects, loc.field, loc.value),
                          lambda: self._connector_line_uncached(path, loc, objects))

    def _connector_line_uncached(self, path: Path, loc: Location, objects: Sequence[str]) -> tuple[int, bool]:
        doc = self._doc(path)
        if doc is None:
            return 1, False
        node: yaml.Node | None = doc
        line = self._key_line_uncached(path, ["id"])
        for name in objects:
            node = _item(node, "objects", ("name",), name)
            if node is None:
                return line, False
            line = _line(node)
        if loc.field is not None:
            keys = ("field_id",) if loc.connector_type == "update" else ("id", "field_id")
            node = _item(node, "fields", keys, loc.field)
            if node is None:
                return line, False
            line = _line(node)
            if loc.value is not None:
                value = _item(node, "values", ("id",), loc.value)
                if value is None:
                    return line, False
                line = _line(value)
        return line, True

    def _app_file(self, environment: str, name: str) -> Path | None:
        for tree in self._trees(environment):
            path = tree / "app-connectors" / f"{name}.yaml"
            if path.is_file():
                return path
        return None

    def _app_in_trees(self, path: Path, loc: Location) -> tuple[Path, int]:
        """A scope change (the connector in ``value``): the App Connector file that lists it — the revision's,
        else the base's when it is a directory — at its entry; else the revision's first line."""
        connector = loc.value or loc.field or ""
        if connector:
            for candidate in [path, *(t / "app-connectors" / path.name for t in self.default_trees)]:
                if candidate.is_file():
                    line = self._app_entry(candidate, connector)
                    if line:
                        return candidate, line
        return path, self._key_line(path, ["name"])

    def _app_line(self, path: Path, connector: str) -> int:
        """The connector's entry in an App Connector file; else the App Connector's ``name:``."""
        return self._app_entry(path, connector) or self._key_line(path, ["name"])

    def _app_entry(self, path: Path, connector: str) -> int:
        return self._memo(path, ("app", connector), lambda: self._app_entry_uncached(path, connector))

    def _app_entry_uncached(self, path: Path, connector: str) -> int:
        doc = self._doc(path)
        if connector:
            for list_key in ("get_connectors", "update_connectors"):
                node = _item(doc, list_key, ("id",), connector)
                if node is not None:
                    return _line(node)
        return 0

    def _key_line(self, path: Path, keys: Sequence[str]) -> int:
        return self._memo(path, ("key", tuple(keys)), lambda: self._key_line_uncached(path, keys))

    def _key_line_uncached(self, path: Path, keys: Sequence[str]) -> int:
        node = self._doc(path)
        line = 1
        for key in keys:
            if not isinstance(node, yaml.MappingNode):
                break
            found = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
            if found is None:
                break
            line, node = _line(found[0]), found[1]
        return line

    def _gcn(self, loc: Location) -> tuple[Path, int] | None:
        from afasgov.gcn.store import file_stem

        candidates = []
        if loc.path.endswith((".yaml", ".yml")):
            candidates.append(self.root / loc.path)
        if self.gcn_dir is not None:
            candidates.append(self.gcn_dir / f"{file_stem(loc.connector)}.yaml")
        for path in candidates:
            if path.is_file():
                return path, self._gcn_field_line(path, loc.field)
        return None

    def _gcn_field_line(self, path: Path, field: str | None) -> int:
        """The field's output name (or id) in a definition YAML; without a field, its ``name:``."""
        if not field:
            return self._key_line(path, ["name"])

        def answer() -> int:
            found = _match(self._doc(path), "fields", ("output_name", "id"), field)
            return _line(found) or self._key_line_uncached(path, ["name"])

        return self._memo(path, ("gcn", field), answer)

    def _file_line(self, path: Path, finding: Finding) -> int:
        """A file finding without a line: a JSON payload's field key, else the first line."""
        field = finding.location.field
        if field and path.suffix.lower() == ".json":
            lines = self._text(path) or []
            pattern = re.compile(r'"' + re.escape(field) + r'"\s*:')
            for number, text in enumerate(lines, start=1):
                if pattern.search(text):
                    return number
        return 1

    # ------------------------------------------------------------------------------- files
    def _resolve(self, name: str) -> Path | None:
        path = Path(name)
        candidates = [path] if path.is_absolute() else [self.root / path, self.repository / path, Path.cwd() / path]
        return next((c for c in candidates if c.is_file()), None)

    def _relative(self, path: Path) -> str:
        resolved = path.resolve()
        try:
            return resolved.relative_to(self.repository).as_posix()
        except ValueError:
            return resolved.as_posix()

    def _memo(self, path: Path, question: tuple[Any, ...], answer: Callable[[], _T]) -> _T:
        """``answer()``, or what it gave before for the same question about the same content."""
        digest = self._digest(path)
        if digest is None:
            return answer()
        key = (digest, _COMPOSER, *question)
        found = _LINES.get(key, _MISSING)
        if found is _MISSING:
            if len(_LINES) >= _LINES_MAX:
                _LINES.clear()
            found = _LINES[key] = answer()
        return found  # type: ignore[no-any-return]

    def _digest(self, path: Path) -> bytes | None:
        if path not in self._digests:
            try:
                self._digests[path] = hashlib.sha256(self._read(path)).digest()
            except (OSError, InputError):
                self._digests[path] = None
        return self._digests[path]

    def _read_once(self, path: Path) -> bytes:
        if path not in self._files:
            self._files[path] = path.read_bytes()
        return self._files[path]

    def _doc(self, path: Path) -> yaml.Node | None:
        if path not in self._docs:
            try:
                data = self._read(path)[:_MAX_BYTES]
                self._docs[path] = yaml.compose(data.decode("utf-8"), Loader=_COMPOSER)
            except (OSError, InputError, UnicodeDecodeError, yaml.YAMLError):
                self._docs[path] = None
        return self._docs[path]

    def _text(self, path: Path) -> list[str] | None:
        if path not in self._texts:
            try:
                self._texts[path] = self._read(path)[:_MAX_BYTES].decode("utf-8", "replace").split("\n")
            except (OSError, InputError):
                self._texts[path] = None
        return self._texts[path]


__all__ = ["Locator", "repository_root"]
