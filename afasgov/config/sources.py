"""Where a secret comes from: an environment variable, a secret file, or the OS keyring.

``afasgov.yaml`` never holds a secret itself, only *where* to find it (``token_env``,
``client_secret_file``, ``private_key_keyring`` …). A :class:`SecretSource` is that description; it
reads the value only when :meth:`SecretSource.load` is called, so commands that need no credentials
never fail on a missing variable. Every failure is a :class:`ConfigError` naming the key path and the
variable or file (never the value).

Secret files are refused when they are readable or writable by group or others (POSIX), when they
are tracked by git, when they are not regular files, or when they are larger than 64 KiB. A secret
file inside a git work tree that is neither tracked nor ignored is read, with one warning line on
stderr (once per file and process): the next ``git add -A`` would commit it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from afasgov._files import read_input
from afasgov.errors import ConfigError
from afasgov.secrets import Secret

SourceKind = Literal["env", "file", "keyring"]
#: how git sees a file: tracked (or staged), untracked and not ignored, ignored, or not in a work tree.
GitState = Literal["tracked", "untracked", "ignored", "outside"]

MAX_SECRET_FILE_BYTES = 64 * 1024


@dataclass(frozen=True)
class SecretSource:
    """Description of where one secret lives (no value inside).

    ``kind`` is ``env`` (``ref`` = variable name), ``file`` (``path`` = resolved file) or ``keyring``
    (``ref`` = ``service/username``). ``key_path`` is the config key that named it, e.g.
    ``environments.production.app_connectors.hr-sync.auth.token_env``; ``config_file`` the config.
    """

    kind: SourceKind
    ref: str
    key_path: str
    config_file: str | None = None
    path: Path | None = None
    #: strip surrounding whitespace (tokens, client secrets); PEM keys keep their layout.
    strip: bool = True

    def describe(self) -> str:
        """Human description without the value, e.g. ``environment variable AFAS_TOKEN``."""
        if self.kind == "env":
            return f"environment variable {self.ref}"
        if self.kind == "file":
            return f"file {self.path or self.ref}"
        return f"keyring entry {self.ref}"

    def _error(self, message: str) -> ConfigError:
        return ConfigError(message, file=self.config_file, key_path=self.key_path)

    def load(self, *, name: str | None = None) -> Secret:
        """Read the secret now; raise :class:`ConfigError` if it is missing or refused."""
        label = name or self.ref
        if self.kind == "env":
            value = os.environ.get(self.ref)
            if value is None:
                raise self._error(f"environment variable {self.ref} is not set")
        elif self.kind == "file":
            value = self._read_file()
        else:
            value = self._read_keyring()
        if self.strip:
            value = value.strip()
        if not value:
            raise self._error(f"{self.describe()} is empty")
        return Secret(value, name=label)

    def _read_file(self) -> str:
        path = self.path if self.path is not None else Path(self.ref).expanduser()
        try:
            st = path.stat()
        except FileNotFoundError:
            raise self._error(f"secret file {path} does not exist") from None
        except OSError as exc:
            raise self._error(f"cannot read secret file {path}: {exc.strerror}") from None
        if not stat.S_ISREG(st.st_mode):
            raise self._error(f"secret file {path} is not a regular file")
        if os.name == "posix" and st.st_mode & 0o066:
            raise self._error(
                f"secret file {path} is readable or writable by group or others "
                f"(mode {stat.S_IMODE(st.st_mode):o}); run: chmod 600 {path}"
            )
        if st.st_size > MAX_SECRET_FILE_BYTES:
            raise self._error(f"secret file {path} is larger than {MAX_SECRET_FILE_BYTES // 1024} KiB")
        state = git_state(path)
        if state == "tracked":
            raise self._error(
                f"secret file {path} is tracked by git; secrets must stay outside the repository "
                "(remove it from git, rotate the secret)"
            )
        if state == "untracked":
            warn_once(
                path,
                f"secret file {path} is inside a git work tree and not ignored: the next 'git add -A' "
                "would commit it; add it to .gitignore or move it outside the repository",
            )
        raw = read_input(path, max_bytes=MAX_SECRET_FILE_BYTES,
                         error=lambda message, where: self._error(f"secret file {where}: {message}"))
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self._error(f"secret file {path} is not UTF-8 text") from None

    def _read_keyring(self) -> str:
        service, _, username = self.ref.partition("/")
        try:
            import keyring  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            raise self._error("keyring support needs the optional package: pip install keyring") from None
        try:
            value = keyring.get_password(service, username)
        except Exception as exc:  # noqa: BLE001 - keyring backends raise anything
            raise self._error(f"keyring lookup of {self.ref} failed: {type(exc).__name__}") from None
        if value is None:
            raise self._error(f"keyring has no entry {self.ref}")
        return str(value)


class _Prepared:
    """path → git state, filled by :func:`git_states` for the duration of one run (see there)."""

    states: dict[Path, GitState] | None = None
    lock = threading.Lock()


@contextlib.contextmanager
def git_states(paths: Iterable[Path]) -> Iterator[None]:
    """Within the ``with`` block, :func:`git_state` answers for ``paths`` from one ``git ls-files`` per
    directory instead of one per file (a fleet reads thousands of secret files; keep them in few
    directories). Outside it, every call asks git again (the state may change between runs)."""
    by_dir: dict[Path, list[Path]] = {}
    for path in paths:
        try:
            resolved = Path(path).resolve()
        except OSError:
            continue
        by_dir.setdefault(resolved.parent, []).append(resolved)
    states: dict[Path, GitState] = {}
    for directory, files in by_dir.items():
        states.update(_git_states_in(directory, files))
    with _Prepared.lock:
        previous = _Prepared.states
        _Prepared.states = {**(previous or {}), **states}
    try:
        yield
    finally:
        with _Prepared.lock:
            _Prepared.states = previous


def _no_work_tree(directory: Path) -> bool:
    """True when no git work tree can contain ``directory``: no ``.git`` in it or above it (and no
    ``GIT_DIR``/``GIT_WORK_TREE`` pointing elsewhere). Saves starting git (≈ 10 ms) for secret files
    kept outside every repository, as they should be."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        return False
    return not any((d / ".git").exists() for d in (directory, *directory.parents))


def _git_states_in(directory: Path, files: list[Path]) -> dict[Path, GitState]:
    if _no_work_tree(directory):
        return dict.fromkeys(files, "outside")
    if len(files) == 1:
        return {files[0]: _git_state(files[0])}
    if not directory.is_dir():
        return {}
    try:
        result = subprocess.run(
            ["git", "--literal-pathspecs", "-C", str(directory), "ls-files", "-z", "-t", "--cached", "--others",
             "--exclude-standard", "--", *sorted({f.name for f in files})],
            capture_output=True, timeout=30, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return dict.fromkeys(files, "outside")
    if result.returncode != 0:
        return dict.fromkeys(files, "outside")
    listed: dict[str, GitState] = {}
    for entry in (e for e in result.stdout.split(b"\0") if e):
        tag, _, name = entry.partition(b" ")
        state: GitState = "untracked" if tag == b"?" else "tracked"
        key = os.fsdecode(name)
        if listed.get(key) != "tracked":
            listed[key] = state
    return {f: listed.get(f.name, "ignored") for f in files}


def git_state(path: Path) -> GitState:
    """How git sees ``path``: ``tracked`` (in the index), ``untracked`` (in a work tree, not ignored),
    ``ignored``, or ``outside`` (no work tree, git missing or failing: nothing to warn about).

    One ``git ls-files`` call (or the answer :func:`git_states` prepared); the name is a literal
    pathspec (a file called ``tok*`` is not a glob).
    """
    try:
        resolved = path.resolve()
    except OSError:
        return "outside"
    states = _Prepared.states
    if states is not None and resolved in states:
        return states[resolved]
    return _git_state(resolved)


def _git_state(resolved: Path) -> GitState:
    if _no_work_tree(resolved.parent):
        return "outside"
    try:
        result = subprocess.run(
            [
                "git",
                "--literal-pathspecs",
                "-C",
                str(resolved.parent),
                "ls-files",
                "-z",
                "-t",
                "--cached",
                "--others",
                "--exclude-standard",
                "--",
                resolved.name,
            ],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "outside"
    if result.returncode != 0:
        return "outside"  # not a work tree (or git refused: e.g. an unsafe directory owner)
    entries = [e for e in result.stdout.split(b"\0") if e]
    if not entries:
        return "ignored"  # in a work tree, listed neither as tracked nor as untracked-not-ignored
    if any(not e.startswith(b"? ") for e in entries):
        return "tracked"
    return "untracked"


def is_tracked_by_git(path: Path) -> bool:
    """True if ``path`` is tracked by a git repository that contains it (False if git is absent)."""
    return git_state(path) == "tracked"


_WARNED: set[str] = set()
_WARN_LOCK = threading.Lock()


def warn_once(path: Path, message: str) -> None:
    """Print ``afasgov: warning: <message>`` on stderr, once per ``path`` in this process."""
    key = str(path.resolve())
    with _WARN_LOCK:
        if key in _WARNED:
            return
        _WARNED.add(key)
    print(f"afasgov: warning: {message}", file=sys.stderr, flush=True)
