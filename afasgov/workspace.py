"""The inputs of one run, each read once: :class:`Workspace`.

Every command that looks at the repository (diff, validate, audit, verify, promote, release-check) takes
a workspace instead of loading files itself. It finds and reads ``afasgov.yaml`` and, lazily and at most
once each,

* snapshots (:meth:`Workspace.snapshot`: an environment's tree under ``definitions/``, a snapshot
  directory or ``GITREF:PATH``), or handed over in memory by the crawl that just made them
  (:meth:`Workspace.add_snapshot`: release-check does not read back what it crawled);
* ``.gcn`` GetConnector definitions (:meth:`Workspace.definitions`);
* integration manifests and their recorded payloads (:meth:`Workspace.manifests`,
  :meth:`Workspace.payloads`);
* waivers (:meth:`Workspace.waivers`), the organisation policy (:meth:`Workspace.policy`) and the secret
  scan of the repository (:meth:`Workspace.secret_scan`, which reads no file the run read already).

Every file goes through :meth:`Workspace.read` (bytes cached per run), so each input file is opened once
per run however many parts of a command need it, and every input has one content hash
(:func:`content_hash`: a file's SHA-256, a tree's over its relative paths and file hashes, volatile
``_snapshot.yaml`` left out), listed by :meth:`Workspace.inputs`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from afasgov._files import read_input, read_regular
from afasgov.errors import ConfigError, InputError

if TYPE_CHECKING:
    from afasgov.config import Config
    from afasgov.gcn.model import GcnDefinition
    from afasgov.integrations import Manifest, Manifests
    from afasgov.model import EnvironmentSnapshot
    from afasgov.policy import Policy
    from afasgov.secretscan import ScanResult
    from afasgov.waivers import WaiverSet

#: files of a tree that change on every snapshot without the remote state changing (left out of its hash)
VOLATILE = frozenset({"_snapshot.yaml"})
#: no single input afasgov reads is larger than this (snapshot files are capped at 64 MiB each)
MAX_INPUT_BYTES = 64 * 1024 * 1024
POLICY_FILE = "policy.yaml"
PAYLOAD_SUFFIXES = (".json", ".xml")


def content_hash(content: bytes | Mapping[str, bytes]) -> str:
    """``sha256:<hex>`` of a file's bytes, or of a tree (``relative path → bytes``): the relative paths in
    path order and each file's SHA-256, volatile files (``_snapshot.yaml``) left out, so the same remote
    state always gives the same hash. The one content hash of every input afasgov reports."""
    if isinstance(content, bytes | bytearray | memoryview):
        return "sha256:" + hashlib.sha256(content).hexdigest()
    digest = hashlib.sha256()
    for rel in sorted(content, key=lambda r: r.split("/")):  # path order: a directory's files together
        if rel.rsplit("/", 1)[-1] in VOLATILE:
            continue
        digest.update(rel.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(content[rel]).digest())
    return "sha256:" + digest.hexdigest()


def tree_files(root: Path, read: Callable[[Path], bytes] | None = None) -> dict[str, bytes]:
    """Every regular file under ``root`` (dot-files and dot-directories left out): relative path → bytes."""
    out: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or path.is_symlink() or not path.is_file():
            continue
        out[rel.as_posix()] = read(path) if read is not None else read_regular(path, max_bytes=MAX_INPUT_BYTES)
    return out


def hash_path(path: Path) -> str:
    """:func:`content_hash` of a file or a directory tree on disk (outside a workspace)."""
    if path.is_dir():
        return content_hash(tree_files(path))
    return content_hash(read_input(path))  # regular files only, capped: a FIFO never hangs the hash


@dataclass(frozen=True)
class StoredDefinition:
    """A GetConnector definition of the repository: what it says, where, and its content hash (of the
    original ``.gcn`` export where there is one, else of the file read)."""

    definition: GcnDefinition
    path: Path
    sha256: str
    #: ``path`` relative to the repository root (POSIX), as findings name it
    rel: str = ""


@dataclass
class Snapshot:
    """A snapshot in the workspace: the model, its tree's files (relative path → bytes) and where it came
    from (a directory, ``GITREF:PATH``, or the crawl of this run)."""

    snapshot: EnvironmentSnapshot
    files: Mapping[str, bytes]
    directory: Path | None
    spec: str
    live: bool = False

    @property
    def sha256(self) -> str:
        return content_hash(self.files) if self.directory is not None or self.live else ""


class Workspace:
    """The inputs of one run (see the module docstring)."""

    def __init__(
        self,
        *,
        root: Path,
        definitions_dir: Path,
        integrations_dir: Path | None = None,
        waivers_path: Path | None = None,
        reports_dir: Path | None = None,
        policy_path: Path | None = None,
        config: Config | None = None,
        waivers_required: bool = False,
        integrations_required: bool = False,
        policy_required: bool = False,
    ) -> None:
        self.root = root
        self.definitions_dir = definitions_dir
        self.integrations_dir = integrations_dir
        self.waivers_path = waivers_path
        self.reports_dir = reports_dir if reports_dir is not None else root / "reports"
        self.policy_path = policy_path
        self._config = config
        self.waivers_required = waivers_required
        self.integrations_required = integrations_required
        self.policy_required = policy_required
        self._bytes: dict[Path, bytes] = {}
        self._hashes: dict[Path, str] = {}
        self._snapshots: dict[str, Snapshot] = {}
        self._definitions: dict[tuple[Path, ...], list[StoredDefinition]] = {}
        self._manifests: Manifests | None = None
        self._payloads: dict[str, list[Path]] = {}
        self._waivers: WaiverSet | None = None
        self._policy: tuple[Policy, str | None] | None = None
        self._scans: dict[tuple[Any, ...], ScanResult] = {}

    # ---------------------------------------------------------------------------------- opening
    @classmethod
    def open(
        cls,
        config_path: Path | None = None,
        *,
        require_config: bool = True,
        waivers: Path | None = None,
        integrations: Path | None = None,
        policy: Path | None = None,
    ) -> Workspace:
        """The workspace of ``config_path`` (``--config``) or of the ``afasgov.yaml`` found upwards from the
        current directory, read through the workspace. Without one (and no ``--config``), unless
        ``require_config``: the current directory with ``definitions/`` as its definitions directory, so
        plain directories and ``.gcn`` files can be compared anywhere. ``waivers``/``integrations``/
        ``policy`` given on the command line replace the configured ones and must exist."""
        from afasgov.config.loader import find_config, load_config

        found = config_path if config_path is not None else find_config()
        if found is None and not require_config:
            cwd = Path.cwd()
            return cls(
                root=cwd,
                definitions_dir=cwd / "definitions",
                integrations_dir=integrations or cwd / "definitions" / "integrations",
                waivers_path=waivers or cwd / "definitions" / "waivers.yaml",
                policy_path=policy,
                waivers_required=waivers is not None,
                integrations_required=integrations is not None,
                policy_required=policy is not None,
            )
        reader = _Reader()
        config = load_config(found, read=reader.read)
        ws = cls.from_config(config, waivers=waivers, integrations=integrations, policy=policy)
        ws._bytes.update(reader.files)
        if config.path is not None and reader.files:
            ws._bytes.setdefault(Path(config.path).absolute(), next(iter(reader.files.values())))
        return ws

    @classmethod
    def from_config(
        cls,
        config: Config,
        *,
        waivers: Path | None = None,
        integrations: Path | None = None,
        policy: Path | None = None,
    ) -> Workspace:
        """The workspace of a loaded configuration (see :meth:`open` for the overrides)."""
        return cls(
            root=config.root,
            definitions_dir=config.definitions_dir,
            integrations_dir=integrations or config.integrations_dir,
            waivers_path=waivers or config.waivers,
            reports_dir=config.reports_dir,
            policy_path=policy,
            config=config,
            waivers_required=waivers is not None,
            integrations_required=integrations is not None,
            policy_required=policy is not None,
        )

    def override(
        self, *, waivers: Path | None = None, integrations: Path | None = None, policy: Path | None = None
    ) -> None:
        """Command-line paths replacing the configured ones (they must exist); before they are read."""
        if waivers is not None:
            self.waivers_path, self.waivers_required, self._waivers = waivers, True, None
        if integrations is not None:
            self.integrations_dir, self.integrations_required, self._manifests = integrations, True, None
            self._payloads.clear()
        if policy is not None:
            self.policy_path, self.policy_required, self._policy = policy, True, None

    @property
    def config(self) -> Config:
        """The configuration (:class:`ConfigError` when the workspace has none)."""
        if self._config is None:
            raise ConfigError(
                f"no afasgov.yaml found in {Path.cwd()} or its parents (run `afasgov init`, or pass --config PATH)"
            )
        return self._config

    @property
    def has_config(self) -> bool:
        return self._config is not None

    @property
    def environment_names(self) -> tuple[str, ...]:
        """The configured environments (none without a configuration), for errors that list them."""
        return tuple(self._config.environments) if self._config is not None else ()

    # ---------------------------------------------------------------------------------- reading
    def read(self, path: Path) -> bytes:
        """The bytes of a file, read once per run through the bounded reader
        (:func:`afasgov._files.read_regular`: regular files only, at most :data:`MAX_INPUT_BYTES`;
        :class:`OSError` as it raises it). Callers with a smaller limit check it on what they get."""
        key = Path(path).absolute()
        data = self._bytes.get(key)
        if data is None:
            data = read_regular(key, max_bytes=MAX_INPUT_BYTES)
            self._bytes[key] = data
        return data

    def content_hash(self, path: Path) -> str:
        """The content hash of a file or a tree of this workspace: from the bytes read (through
        :meth:`read`) or, for a snapshot tree, handed over by the crawl."""
        key = Path(path).absolute()
        if key not in self._hashes:
            entry = next((s for s in self._snapshots.values()
                          if s.directory is not None and s.directory.absolute() == key), None)
            if entry is not None:
                self._hashes[key] = entry.sha256
            elif key.is_dir():
                self._hashes[key] = content_hash(tree_files(key, self.read))
            else:
                self._hashes[key] = content_hash(self.read(key))
        return self._hashes[key]

    def rel(self, path: Path | str) -> str:
        """``path`` relative to the repository root (POSIX), or as it is when it lies outside."""
        p = Path(path)
        try:
            return p.absolute().relative_to(self.root.absolute()).as_posix()
        except ValueError:
            try:
                return p.resolve().relative_to(self.root.resolve()).as_posix()
            except (ValueError, OSError):
                return p.as_posix()

    # -------------------------------------------------------------------------------- snapshots
    def add_snapshot(self, snapshot: EnvironmentSnapshot, files: Mapping[str, bytes]) -> None:
        """Hand over a snapshot the crawl of this run just made (and wrote to ``definitions/<name>/``): later
        uses of that environment take this one instead of reading the tree back."""
        directory = self.definitions_dir / snapshot.name
        entry = Snapshot(snapshot, dict(files), directory, snapshot.name, live=True)
        self._snapshots[snapshot.name] = entry
        for rel, data in files.items():  # what the crawl wrote is what a later read would find
            self._bytes[(directory / rel).absolute()] = data

    def has_live_snapshot(self, name: str) -> bool:
        """True when this run's crawl handed over the snapshot of environment ``name``."""
        entry = self._snapshots.get(name)
        return entry is not None and entry.live

    def forget_snapshot(self, name: str) -> None:
        """Drop a snapshot handed over (or read) and its files' bytes: a fleet run checks one tenant after
        another on one workspace, and keeps only the inputs shared by all of them."""
        entry = self._snapshots.pop(name, None)
        if entry is None or entry.directory is None:
            return
        directory = entry.directory.absolute()
        for rel in entry.files:
            self._bytes.pop(directory / rel, None)
        self._hashes.pop(directory, None)

    def snapshot_entry(self, spec: str) -> Snapshot:
        """The snapshot ``spec`` names: an environment (its tree under the definitions directory), a snapshot
        directory, or ``GITREF:PATH``; read once."""
        from afasgov.model.normalise import CONNECTOR_ID_RE
        from afasgov.snapshot.tree import DirSource, git_files, parse_git_spec, read_files, unknown_operand

        text = str(spec)
        if text in self._snapshots:
            return self._snapshots[text]
        env_dir = self.definitions_dir / text
        directory: Path | None = None
        if CONNECTOR_ID_RE.match(text) and env_dir.is_dir():
            directory = env_dir
        elif Path(text).is_dir():
            directory = Path(text)
        if directory is not None:
            files = DirSource(directory, self.read).files()
            entry = Snapshot(read_files(files, str(directory)), files, directory, text)
        elif (parsed := parse_git_spec(text)) is not None:
            files = git_files(*parsed)
            entry = Snapshot(read_files(files, text), files, None, text)
        else:
            raise unknown_operand(text, self.definitions_dir, self.environment_names,
                                  forms="a snapshot directory or GITREF:PATH")
        self._snapshots[text] = entry
        return entry

    def snapshot(self, spec: str) -> EnvironmentSnapshot:
        """:meth:`snapshot_entry`'s model."""
        return self.snapshot_entry(spec).snapshot

    def environment_snapshot(self, name: str, *, hint: str = "") -> EnvironmentSnapshot:
        """The snapshot of a named environment (:class:`InputError` naming ``definitions/<name>`` and how to
        make one when there is none)."""
        if name not in self._snapshots:
            path = self.definitions_dir / name
            if not path.is_dir():
                raise InputError(f"no snapshot of {name} ({hint or f'run `afasgov snapshot {name}`'})",
                                 source=str(path))
        return self.snapshot(name)

    def snapshot_names(self) -> list[str]:
        """Environments with a snapshot tree under the definitions directory (sorted)."""
        d = self.definitions_dir
        if not d.is_dir():
            return []
        return sorted(p.name for p in d.iterdir() if p.is_dir() and (p / "_snapshot.yaml").is_file())

    def snapshot_files(self, spec: str) -> dict[tuple[str, str], str]:
        """(connector type, connector id) → the snapshot's file for it, relative to the repository root
        (locations of findings; empty for a git snapshot)."""
        entry = self.snapshot_entry(spec)
        if entry.directory is None:
            return {}
        rel = self.rel(entry.directory)
        snap = entry.snapshot
        files = {("update", c): f"{rel}/update/{c}.yaml" for c in snap.update_connectors}
        files.update({("get", c): f"{rel}/get/{c}.yaml" for c in snap.get_connectors})
        files.update({("app-connector", n): f"{rel}/app-connectors/{n}.yaml" for n in snap.app_connectors})
        files[("environment", "environment")] = f"{rel}/environment.yaml"
        return files

    # ------------------------------------------------------------------------------ definitions
    @property
    def getconnectors_dir(self) -> Path:
        return self.definitions_dir / "getconnectors"

    def definitions(self, paths: Sequence[Path] = ()) -> list[StoredDefinition]:
        """GetConnector definitions: ``.gcn`` files, definition ``.yaml`` files, or directories of them
        (default: ``definitions/getconnectors``; a ``.gcn`` beside its ``.yaml`` counts once)."""
        from afasgov.gcn.store import definition_from_bytes

        sources = tuple(paths) or ((self.getconnectors_dir,) if self.getconnectors_dir.is_dir() else ())
        if sources in self._definitions:
            return self._definitions[sources]
        files: list[Path] = []
        for p in sources:
            if p.is_dir():
                yamls = sorted(p.glob("*.yaml"))
                stems = {y.stem for y in yamls}
                files += yamls + [g for g in sorted(p.glob("*.gcn")) if g.stem not in stems]
            elif p.exists():
                files.append(p)
            else:
                raise InputError("no such file or directory", source=str(p))
        out: list[StoredDefinition] = []
        for f in files:
            definition = definition_from_bytes(self._read_input(f, "gcn"), f)
            original = f.with_suffix(".gcn")
            digest = self.content_hash(original if original.is_file() else f)
            out.append(StoredDefinition(definition, f, digest, self.rel(f)))
        self._definitions[sources] = out
        return out

    def definition(self, path: Path) -> GcnDefinition:
        """One definition file (a diff or show operand), read once."""
        from afasgov.gcn.store import definition_from_bytes

        return definition_from_bytes(self._read_input(path, "gcn"), path)

    def _read_input(self, path: Path, kind: str) -> bytes:
        try:
            return self.read(path)
        except FileNotFoundError:
            raise InputError("file not found", source=str(path)) from None
        except IsADirectoryError:
            raise InputError("is a directory", source=str(path)) from None
        except OSError as exc:
            if kind == "gcn":
                from afasgov.gcn.errors import GcnError

                raise GcnError(f"cannot read: {exc.strerror}", source=str(path)) from None
            raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None

    # -------------------------------------------------------------------------------- manifests
    def manifests(self) -> Manifests:
        """The integration manifests (none when the directory does not exist, unless it was given on the
        command line)."""
        from afasgov.integrations import load_manifests

        if self._manifests is None:
            self._manifests = load_manifests(
                self.integrations_dir, required=self.integrations_required, read=self.read
            )
        return self._manifests

    def payloads(self, manifest: Manifest) -> list[Path]:
        """The recorded payloads of an integration (``<integrations>/<name>/payloads/*.json|*.xml``)."""
        if manifest.name not in self._payloads:
            directory = (self.integrations_dir or self.definitions_dir / "integrations") / manifest.name / "payloads"
            # every entry with a payload suffix, not only regular files: a dangling link, a directory
            # named x.json or a link to /dev/zero is an unreadable payload (an error), never skipped
            found = sorted(p for p in directory.iterdir()
                           if p.suffix.lower() in PAYLOAD_SUFFIXES and not p.name.startswith(".")) \
                if directory.is_dir() else []
            self._payloads[manifest.name] = found
        return self._payloads[manifest.name]

    # ---------------------------------------------------------------------------- waivers, policy
    def waivers(self) -> WaiverSet:
        """The waivers file (an empty set when there is none, unless it was given on the command line)."""
        from afasgov.waivers import load_waivers

        if self._waivers is None:
            self._waivers = load_waivers(self.waivers_path, required=self.waivers_required, read=self.read)
        return self._waivers

    def policy(self) -> tuple[Policy, str | None]:
        """The organisation policy and, when there is none, what the audit could therefore not see: the
        ``--policy`` file, else ``policy:`` of ``afasgov.yaml`` (a file or inline), else
        ``definitions/policy.yaml``, else the defaults."""
        from afasgov.policy import Policy, load_policy, parse_policy

        if self._policy is not None:
            return self._policy
        path = self.policy_path
        config = self._config
        if path is None and config is not None and config.policy is not None:
            self._policy = (parse_policy(dict(config.policy), source=f"{config.path}: policy"), None)
            return self._policy
        if path is None:
            path = (config.policy_file if config is not None else None) or (self.definitions_dir / POLICY_FILE)
            if not path.is_file():
                self._policy = (Policy(), (
                    f"no policy file ({path}): defaults used (max 10 GetConnectors, 3 UpdateConnectors; "
                    "no allow-lists, IP rules, token list or system users declared)"))
                return self._policy
        if not path.is_file():
            raise InputError("policy file not found", source=str(path))
        policy = load_policy(path, read=self.read)
        self._policy = (policy, None)
        return self._policy

    # ------------------------------------------------------------------------------ secret scan
    def secret_scan(
        self,
        *,
        history: bool = True,
        time_budget: float | None = None,
        exclude: Sequence[str] = (),
        secret_files: Sequence[Path] = (),
    ) -> ScanResult:
        """The secret scan of the repository (once per set of options); files this run read already are not
        read again."""
        from afasgov.secretscan import DEFAULT_TIME_BUDGET, scan_repository

        key = (history, time_budget, tuple(exclude), tuple(secret_files))
        if key not in self._scans:
            self._scans[key] = scan_repository(
                self.root,
                history=history,
                time_budget=DEFAULT_TIME_BUDGET if time_budget is None else time_budget,
                exclude=exclude,
                secret_files=secret_files,
                read=self.read,
            )
        return self._scans[key]


class _Reader:
    """Reads the configuration before the workspace exists (its bytes are handed over to it)."""

    def __init__(self) -> None:
        self.files: dict[Path, bytes] = {}

    def read(self, path: Path) -> bytes:
        key = Path(path).absolute()
        if key not in self.files:
            self.files[key] = read_regular(key, max_bytes=MAX_INPUT_BYTES)
        return self.files[key]


__all__ = [
    "MAX_INPUT_BYTES",
    "VOLATILE",
    "Snapshot",
    "StoredDefinition",
    "Workspace",
    "content_hash",
    "hash_path",
    "tree_files",
]
