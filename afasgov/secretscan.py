"""Secret scan of the repository: working tree and git history (feeds the audit checks AC024–AC026, AC018/19/29/30).

What it looks for (security checklist AC024–AC026, AC029/AC030):

* classic tokens: ``<token><version>1</version><data>`` + 64 hex, its base64 form (prefix
  ``PHRva2VuPjx2ZXJzaW9uPj…``), a 64-hex string next to the word "token", an XML-escaped token in
  a SOAP body, ``AfasToken`` followed by the raw token XML (plain text in the header);
* private keys (PEM ``-----BEGIN … PRIVATE KEY-----``), OAuth client secrets written as values,
  ``Authorization:`` headers with a real credential (logs, dumps, HAR files);
* client-side weaknesses: TLS verification off / TLS < 1.2, ``take=-1``, slow URL operators.

Only fingerprints (``sha256:`` + 16 hex of the secret; a classic token has the same fingerprint in
XML and base64 form) and locations are kept; the matched text itself never leaves this module.
The scan is bounded: a time budget (incomplete scans are reported as such), a per-file size cap,
binary files (a NUL byte in the first 8 KiB, e.g. ``.gcn``) are skipped, and history is read with
one ``git cat-file --batch`` stream, skipping blobs already scanned in the working tree.

Scope: the directory scanned (the governance repository: the directory of ``afasgov.yaml``) and
below, never an enclosing project. Its git history is read only when that directory is the root of
its own repository; inside another project's work tree (``afasgov demo`` run in a checkout) the
history is that project's and is left alone, and a directory the project git-ignores is walked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 2 * 1024 * 1024
DEFAULT_TIME_BUDGET = 60.0
BINARY_SNIFF = 8192
MAX_COMMIT_LOOKUPS = 50

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".hypothesis",
        "dist",
        "build",
        ".eggs",
    }
)
LOG_SUFFIXES = (".log", ".har", ".out", ".dump", ".trace", ".pcap", ".txt.gz")
LOG_DIRS = frozenset({"log", "logs", "reports", "dumps", "dump", "traces"})

SECRET_KINDS = frozenset(
    {
        "classic-token",
        "classic-token-b64",
        "token-hex",
        "private-key",
        "client-secret",
        "auth-header",
        "plain-header",
        "soap-token",
    }
)
KIND_TEXT = {
    "classic-token": "classic token (XML)",
    "classic-token-b64": "classic token (base64)",
    "token-hex": "64-hex token value next to 'token'",
    "private-key": "private key (PEM)",
    "client-secret": "OAuth client secret value",
    "auth-header": "Authorization header with a credential",
    "plain-header": "classic token sent as plain text in the AfasToken header",
    "soap-token": "classic token in a SOAP body",
    "tls-weak": "TLS verification off or TLS < 1.2",
    "http-afas": "AFAS URL over http",
    "take-all": "take=-1 (everything)",
    "slow-operator": "slow filter operator in a URL",
}

# ---- patterns (bytes; each guarded by a cheap substring test) -----------------------------------
_XML = re.compile(rb"<token>\s*<version>\d+</version>\s*<data>([0-9A-Fa-f]{64})</data>\s*</token>")
_B64 = re.compile(rb"PHRva2VuPjx2ZXJzaW9uPj[A-Za-z0-9+/]{40,}={0,2}")
_SOAP = re.compile(
    rb"&lt;token&gt;\s*&lt;version&gt;\d+&lt;/version&gt;\s*&lt;data&gt;([0-9A-Fa-f]{64})", re.I
)
_PLAIN = re.compile(rb"AfasToken\s+<token>", re.I)
_KEY = re.compile(rb"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----")
#: the credential must be base64/base64url/JWT-shaped up to a delimiter (not ``base64(utf8(…))`` prose).
_AUTH = re.compile(
    rb"authorization[\"']?\s*[:=,]\s*[\"']?(afastoken|bearer|basic)\s+([A-Za-z0-9+/=._~-]+)(?![^\s\"'<>,;)\]}])",
    re.I,
)
_SECRET = re.compile(rb"client[_-]?secret[\"']?\s*[:=]\s*[\"']?([^\s\"',;{}()\[\]<>]+)", re.I)
_HEX = re.compile(rb"token[^\n]{0,40}?(?<![0-9A-Fa-f])([0-9A-Fa-f]{64})(?![0-9A-Fa-f])", re.I)
_BASE64_BODY = re.compile(rb"(?:Proc-Type:[^\n]*|DEK-Info:[^\n]*|[A-Za-z0-9+/=])+")
_PEM_LINES = re.compile(rb"(?:\s*[A-Za-z0-9+/=]{16,})+")
_HASH_WORDS = re.compile(rb"sha-?256|sha1|hash|digest|checksum|fingerprint|commit|integrity", re.I)
_TAKE = re.compile(rb"[?&]take=-1\b", re.I)
_OP = re.compile(rb"operatortypes=([0-9,;%]+(?:2C|3B)?[0-9,;%A-Fa-f]*)", re.I)
#: client-side TLS weaknesses: (lower-case literal that must occur, pattern starting with it).
_TLS: tuple[tuple[bytes, re.Pattern[bytes]], ...] = tuple(
    (trigger, re.compile(pattern))
    for trigger, pattern in (
        (b"verify", rb"verify\s*=\s*False\b"),
        (b"_create_unverified_context", rb"ssl\._create_unverified_context"),
        (b"cert_none", rb"CERT_NON[E]\b"),
        (b"-skipcertificatecheck", rb"-SkipCertificateChec[k]\b"),
        (b"curl", rb"curl\b[^\n]*?\s(?:-k|--insecure)\b"),
        (b"servercertificatevalidationcallback", rb"ServerCertificateValidationCallback\s*=\s*\{\s*\$true"),
        (b"insecureskipverify", rb"InsecureSkipVerify:\s*true"),
        (b"rejectunauthorized", rb"rejectUnauthorized:\s*false"),
        (b"node_tls_reject_unauthorized", rb"NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*[\"']?0"),
        (b"securityprotocol", rb"SecurityProtocol[^\n]{0,200}?(?:\bSsl3\b|\bTls\b(?!1)|\bTls11\b)"),
        (b"protocol_tlsv1", rb"PROTOCOL_TLS[v]1(?:_1)?\b"),
        (b"tlsversion.tlsv1", rb"TLSVersion\.TLS[v]1(?:_1)?\b"),
    )
)
_HTTP_AFAS = re.compile(rb"http://\d{5}\.(?:rest|resttest|restaccept|restcursus|soap)\.afas\.online", re.I)
_PLACEHOLDER = re.compile(
    r"^[$%{<*]|\.\.\.|…|^(?i:x+|changeme|example|redacted|secret|none|null|true|false)$"
    r"|^[A-Z][A-Z0-9_]*$|^[A-Za-z_]\w{0,30}(?:\.[A-Za-z_]\w{0,30})+$"
)


def fingerprint(kind: str, value: bytes) -> str:
    return "sha256:" + hashlib.sha256(kind.encode() + b":" + value).hexdigest()[:16]


def _token_fp(hex_data: bytes) -> str:
    return fingerprint("afas-token", hex_data.upper())


def _entropy(text: str) -> float:
    if not text:
        return 0.0
    counts = {c: text.count(c) for c in set(text)}
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _decode_token_b64(value: bytes) -> bytes | None:
    """The 64-hex data of a base64 classic token, or None."""
    padded = value + b"=" * (-len(value) % 4)
    try:
        raw = base64.b64decode(padded, validate=False)
    except (binascii.Error, ValueError):
        return None
    m = _XML.search(raw)
    return m.group(1) if m else None


@dataclass(frozen=True)
class ScanHit:
    """One match: kind, where (file and line; commit for history), fingerprint — never the text."""

    kind: str
    file: str
    line: int = 0
    commit: str = ""
    fingerprint: str = ""
    detail: str = ""

    @property
    def location(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} @ {self.commit}" if self.commit else where

    @property
    def key(self) -> str:
        return self.fingerprint or f"{self.kind}:{self.file}:{self.detail}"

    @property
    def in_history(self) -> bool:
        return bool(self.commit)

    @property
    def in_log(self) -> bool:
        parts = self.file.lower().split("/")
        return self.file.lower().endswith(LOG_SUFFIXES) or any(p in LOG_DIRS for p in parts[:-1])

    def describe(self) -> str:
        text = KIND_TEXT.get(self.kind, self.kind)
        where = f"in git history ({self.location})" if self.commit else f"at {self.location}"
        fp = f", fingerprint {self.fingerprint}" if self.fingerprint else ""
        detail = f" ({self.detail})" if self.detail else ""
        return f"{text}{detail} {where}{fp}"


@dataclass
class ScanResult:
    """Outcome of one scan (counts are reported, so a partial scan is never taken for a pass)."""

    root: str = ""
    hits: list[ScanHit] = field(default_factory=list)
    files_scanned: int = 0
    skipped_binary: int = 0
    skipped_large: int = 0
    blobs_scanned: int = 0
    history_scanned: bool = False
    complete: bool = True
    elapsed: float = 0.0
    notes: list[str] = field(default_factory=list)

    def hits_of(self, *kinds: str) -> list[ScanHit]:
        return [h for h in self.hits if h.kind in kinds]

    def summary(self) -> str:
        text = (
            f"{self.files_scanned} files scanned ({self.skipped_binary} binary and {self.skipped_large} "
            f"over {MAX_FILE_BYTES // 1024 // 1024} MiB skipped)"
        )
        if self.history_scanned:
            text += f", {self.blobs_scanned} historical blobs"
        return text + f", {self.elapsed:.2f} s" + ("" if self.complete else ", INCOMPLETE (time budget)")


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _at_keyword(
    pattern: re.Pattern[bytes], data: bytes, low: bytes, keyword: bytes
) -> Iterator[re.Match[bytes]]:
    """``pattern`` (which starts with ``keyword``, case-insensitive) matched only where ``keyword``
    occurs: a case-insensitive regex *search* cannot skip ahead like ``bytes.find`` can."""
    pos = low.find(keyword)
    while pos != -1:
        m = pattern.match(data, pos)
        if m:
            yield m
            pos = low.find(keyword, max(m.end(), pos + 1))
        else:
            pos = low.find(keyword, pos + 1)


def scan_bytes(data: bytes, path: str) -> Iterator[ScanHit]:
    """All hits in one file's content (``path`` is only recorded, never opened)."""
    low = data.lower()
    if b"<token>" in low:
        for m in _XML.finditer(data):
            yield ScanHit("classic-token", path, _line_of(data, m.start()), fingerprint=_token_fp(m.group(1)))
        for m in _PLAIN.finditer(data):
            yield ScanHit("plain-header", path, _line_of(data, m.start()))
    if b"PHRva2Vu" in data:
        for m in _B64.finditer(data):
            hexdata = _decode_token_b64(m.group(0))
            if hexdata is not None:
                yield ScanHit(
                    "classic-token-b64", path, _line_of(data, m.start()), fingerprint=_token_fp(hexdata)
                )
    if b"&lt;token&gt;" in low:
        for m in _SOAP.finditer(data):
            yield ScanHit("soap-token", path, _line_of(data, m.start()), fingerprint=_token_fp(m.group(1)))
    if b"private key-----" in low:
        for m in _KEY.finditer(data):
            end = data.find(b"-----END", m.end(), m.end() + 16384)
            if end != -1:
                body = b"".join(data[m.end() : end].split())
                if not _BASE64_BODY.fullmatch(body):
                    continue  # prose or code between the markers, not a key
            else:  # a truncated key still leaks: its leading base64 lines
                lead = _PEM_LINES.match(data, m.end())
                body = b"".join(lead.group(0).split()) if lead else b""
            if len(body) < 64:
                continue
            yield ScanHit(
                "private-key",
                path,
                _line_of(data, m.start()),
                fingerprint=fingerprint("key", body),
                detail=(m.group(1).decode("ascii", "replace").strip() or "PKCS#8"),
            )
    if b"authorization" in low:
        for m in _at_keyword(_AUTH, data, low, b"authorization"):
            value = m.group(2)
            text = value.decode("latin-1")
            if len(value) < 16 or _PLACEHOLDER.search(text) or b"***" in value:
                continue
            scheme = m.group(1).decode("ascii").lower()
            hexdata = _decode_token_b64(value) if scheme == "afastoken" else None
            fp = _token_fp(hexdata) if hexdata else fingerprint(scheme, value)
            yield ScanHit("auth-header", path, _line_of(data, m.start()), fingerprint=fp, detail=scheme)
    if b"client" in low:
        for m in _at_keyword(_SECRET, data, low, b"client"):
            text = m.group(1).decode("latin-1")
            if (
                len(text) < 16
                or _PLACEHOLDER.search(text)
                or _entropy(text) < 3.0
                or not re.search(r"\d", text)
                or not re.search(r"[A-Za-z]", text)
            ):
                continue
            yield ScanHit(
                "client-secret",
                path,
                _line_of(data, m.start()),
                fingerprint=fingerprint("secret", m.group(1)),
            )
    if b"token" in low:
        for m in _at_keyword(_HEX, data, low, b"token"):
            context = data[max(0, m.start() - 40) : m.end()]
            if (
                _HASH_WORDS.search(context)
                or b"<data>" in m.group(0).lower()
                or _entropy(m.group(1).decode("ascii").upper()) < 3.0
            ):
                continue
            yield ScanHit("token-hex", path, _line_of(data, m.start()), fingerprint=_token_fp(m.group(1)))
    if b"take=-1" in low:
        for m in _TAKE.finditer(data):
            yield ScanHit("take-all", path, _line_of(data, m.start()), detail="take=-1")
    if b"operatortypes=" in low:
        for m in _OP.finditer(data):
            raw = m.group(1).decode("ascii", "replace").replace("%2C", ",").replace("%2c", ",")
            raw = raw.replace("%3B", ";").replace("%3b", ";")
            ops = {int(x) for x in re.split(r"[,;]", raw) if x.isdigit()}
            slow = sorted(ops & {6, 10, 11, 12, 13, 14, 15})
            if slow:
                yield ScanHit(
                    "slow-operator",
                    path,
                    _line_of(data, m.start()),
                    detail="operatortypes " + ",".join(map(str, slow)),
                )
    for trigger, pattern in _TLS:
        if trigger in low:
            for m in pattern.finditer(data):
                detail = re.sub(r"\s+", " ", m.group(0).decode("latin-1"))[:60]
                yield ScanHit("tls-weak", path, _line_of(data, m.start()), detail=detail)
    if b"http://" in low:
        for m in _HTTP_AFAS.finditer(data):
            yield ScanHit("http-afas", path, _line_of(data, m.start()), detail="http://…afas.online")


# ---- file enumeration ---------------------------------------------------------------------------
def _git(root: Path, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def git_toplevel(root: Path) -> Path | None:
    proc = _git(root, "rev-parse", "--show-toplevel", timeout=20)
    if proc is None or proc.returncode != 0:
        return None
    return Path(proc.stdout.decode("utf-8", "replace").strip())


def _names(proc: subprocess.CompletedProcess[bytes]) -> set[str]:
    return {n for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n}


def list_files(root: Path) -> tuple[list[str], bool]:
    """Repository-relative paths (tracked + untracked-not-ignored in git; else a filtered walk)."""
    names, _, scope = _list_files(root)
    return names, scope.is_git


@dataclass(frozen=True)
class _Scope:
    """Where ``root`` stands in git: the scan covers ``root`` and below, never an enclosing project.

    ``is_git``: files are listed by git (tracked + untracked-not-ignored); ``own_history``: ``root`` is
    the top of its work tree, so the history is its own; ``enclosing``: the work tree ``root`` lies
    inside (its history belongs to another project and is not scanned)."""

    is_git: bool
    own_history: bool
    enclosing: Path | None = None


def _scope(root: Path) -> _Scope:
    top = git_toplevel(root)
    if top is None:
        return _Scope(is_git=False, own_history=False)
    if top.resolve() == root.resolve():
        return _Scope(is_git=True, own_history=True)
    ignored = _git(root, "check-ignore", "-q", ".", timeout=20)
    # a directory the enclosing project ignores (``afasgov demo``'s ./demo-run/ in a checkout) is not
    # in git at all: its files are found by walking it
    return _Scope(is_git=not (ignored is not None and ignored.returncode == 0), own_history=False, enclosing=top)


def _list_files(root: Path) -> tuple[list[str], set[str], _Scope]:
    """(paths relative to ``root``, the untracked ones among them — all of them outside git —, scope)."""
    scope = _scope(root)
    if scope.is_git:
        tracked = _git(root, "ls-files", "-z", "--cached")
        others = _git(root, "ls-files", "-z", "--others", "--exclude-standard")
        if tracked is not None and others is not None and tracked.returncode == 0 and others.returncode == 0:
            untracked = _names(others) - _names(tracked)
            return sorted(_names(tracked) | untracked), untracked, scope
        scope = _Scope(is_git=False, own_history=False, enclosing=scope.enclosing)
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        rel = os.path.relpath(dirpath, root)
        for name in sorted(filenames):
            out.append(name if rel == "." else f"{rel}/{name}".replace(os.sep, "/"))
    return out, set(out), scope


def normalise_excludes(paths: Iterable[str]) -> list[str]:
    """Repository-relative directory (or file) paths, ``/``-separated, without leading ``./`` or
    trailing ``/``; empty and ``.`` entries dropped (they would exclude everything)."""
    out: list[str] = []
    for raw in paths:
        text = str(raw).replace("\\", "/").strip().strip("/")
        while text.startswith("./"):
            text = text[2:]
        if text and text != "." and text not in out:
            out.append(text)
    return out


def _excluded(name: str, excludes: list[str]) -> bool:
    return any(name == e or name.startswith(e + "/") for e in excludes)


def _relative_files(root: Path, files: Iterable[Path]) -> set[str]:
    """``files`` that lie inside ``root``, as repository-relative paths."""
    out: set[str] = set()
    base = root.resolve()
    for f in files:
        try:
            out.add(Path(f).expanduser().resolve().relative_to(base).as_posix())
        except (ValueError, OSError):
            continue
    return out


def _read(
    path: Path, result: ScanResult, max_bytes: int, read: Callable[[Path], bytes] | None = None
) -> bytes | None:
    try:
        if path.is_symlink() or not path.is_file():
            return None
        size = path.stat().st_size
        if size > max_bytes:
            result.skipped_large += 1
            return None
        if read is not None:
            data = read(path)[: max_bytes + 1]
        else:
            with path.open("rb") as fh:
                data = fh.read(max_bytes + 1)
    except OSError:
        return None
    if b"\0" in data[:BINARY_SNIFF]:
        result.skipped_binary += 1
        return None
    return data


def _working_tree_blob_ids(root: Path) -> set[str]:
    proc = _git(root, "ls-files", "-s", "-z")
    ids: set[str] = set()
    if proc is not None and proc.returncode == 0:
        for entry in proc.stdout.split(b"\0"):
            parts = entry.split(b" ")
            if len(parts) >= 2:
                ids.add(parts[1].decode("ascii", "replace"))
    return ids


def _history_blobs(root: Path) -> dict[str, str]:
    """blob id -> one path it had, for every blob reachable from any ref."""
    proc = _git(root, "rev-list", "--all", "--objects", timeout=300)
    if proc is None or proc.returncode != 0:
        return {}
    blobs: dict[str, str] = {}
    for line in proc.stdout.decode("utf-8", "surrogateescape").splitlines():
        sha, _, name = line.partition(" ")
        if name and sha not in blobs:
            blobs[sha] = name
    return blobs


def _first_commit(root: Path, blob: str) -> str:
    proc = _git(root, "log", "--all", "--reverse", "--format=%h", f"--find-object={blob}", timeout=60)
    if proc is None or proc.returncode != 0:
        return blob[:12]
    lines = proc.stdout.decode("ascii", "replace").split()
    return lines[0] if lines else blob[:12]


def _scan_history(
    root: Path, result: ScanResult, deadline: float, max_bytes: int, excludes: list[str] | None = None
) -> None:
    known = _working_tree_blob_ids(root)
    blobs = {sha: name for sha, name in _history_blobs(root).items() if not _excluded(name, excludes or [])}
    # trees and commits are listed too: ask cat-file for type+size, then only read small blobs.
    todo = [b for b in blobs if b not in known]
    if not todo:
        result.history_scanned = True
        return
    try:
        proc = subprocess.Popen(
            ["git", "-C", str(root), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        result.notes.append("git history not scanned: git not runnable")
        return
    assert proc.stdin is not None and proc.stdout is not None

    def feed() -> None:
        try:
            for sha in todo:
                proc.stdin.write(sha.encode() + b"\n")  # type: ignore[union-attr]
            proc.stdin.close()  # type: ignore[union-attr]
        except (BrokenPipeError, ValueError, OSError):
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    found: dict[tuple[str, str], ScanHit] = {}
    lookups = 0
    stdout = proc.stdout
    try:
        for _ in todo:
            header = stdout.readline()
            if not header:
                break
            parts = header.split()
            if len(parts) < 3:
                continue  # "<sha> missing"
            sha, kind, size = parts[0].decode(), parts[1], int(parts[2])
            body = stdout.read(size)
            stdout.read(1)  # trailing LF
            if kind != b"blob":
                continue
            if time.monotonic() > deadline:
                result.complete = False
                result.notes.append("git history scan stopped at the time budget")
                break
            result.blobs_scanned += 1
            if size > max_bytes:
                result.skipped_large += 1
                continue
            if b"\0" in body[:BINARY_SNIFF]:
                result.skipped_binary += 1
                continue
            hits = list(scan_bytes(body, blobs[sha]))
            if not hits:
                continue
            commit = _first_commit(root, sha) if lookups < MAX_COMMIT_LOOKUPS else sha[:12]
            lookups += 1
            for h in hits:
                k = (h.key, h.file)
                if k not in found:
                    found[k] = ScanHit(h.kind, h.file, h.line, commit or sha[:12], h.fingerprint, h.detail)
    finally:
        proc.kill()
        proc.wait()
        writer.join(timeout=5)
    result.history_scanned = result.complete
    result.hits.extend(found.values())


def scan_repository(
    root: Path,
    *,
    history: bool = True,
    time_budget: float = DEFAULT_TIME_BUDGET,
    max_file_bytes: int = MAX_FILE_BYTES,
    exclude: Iterable[str] = (),
    secret_files: Iterable[Path] = (),
    read: Callable[[Path], bytes] | None = None,
) -> ScanResult:
    """Scan ``root`` (and, if it is a git work tree and ``history``, every blob in its history).

    ``exclude``: repository-relative paths left out of the working tree and the history (afasgov's own
    reports directory and ``dist/`` by default in :func:`afasgov.audit.runner.run_audit`).
    ``secret_files``: the secret files the configuration names (``token_file``, ``client_secret_file``,
    ``private_key_file``): while untracked they are where secrets belong and are not scanned (a note
    asks for a ``.gitignore`` entry); tracked, they are scanned like any file. Nothing else is
    assumed to be a secret store: an untracked key file that git does not ignore is reported.
    ``read`` (a workspace's reader) reads working-tree files, so a file the run read already is not read
    again.
    """
    start = time.monotonic()
    deadline = start + time_budget
    result = ScanResult(root=str(root))
    names, untracked, scope = _list_files(root)
    is_git = scope.is_git
    excludes = normalise_excludes(exclude)
    if excludes:
        kept = [n for n in names if not _excluded(n, excludes)]
        result.notes.append(
            f"not scanned (excluded): {', '.join(e + '/' for e in excludes)} — "
            f"{len(names) - len(kept)} file(s) in the working tree"
            + (" and their git history" if history and is_git else "")
        )
        names = kept
    configured = _relative_files(root, secret_files)
    current: set[tuple[str, str]] = set()
    stores: list[str] = []
    for i, name in enumerate(names):
        if time.monotonic() > deadline:
            result.complete = False
            result.notes.append(
                f"working-tree scan stopped at the time budget after {i} of {len(names)} files"
            )
            break
        if name in untracked and name in configured:
            stores.append(name)
            continue
        data = _read(root / name, result, max_file_bytes, read)
        if data is None:
            continue
        result.files_scanned += 1
        for hit in scan_bytes(data, name):
            result.hits.append(hit)
            current.add((hit.key, hit.file))
    if stores:
        result.notes.append(
            f"{len(stores)} secret file(s) named in the configuration not scanned ({', '.join(stores[:3])}"
            + (", …" if len(stores) > 3 else "")
            + ")"
            + ("; they are untracked but not git-ignored: add them to .gitignore" if is_git else "")
        )
    if history and scope.own_history and result.complete:
        _scan_history(root, result, deadline, max_file_bytes, excludes)
        # a secret still in the working tree is reported there; history adds only what was removed.
        result.hits = [h for h in result.hits if not (h.commit and (h.key, h.file) in current)]
    elif history and scope.enclosing is not None:
        result.notes.append(
            "git history not scanned: the scanned directory lies inside another project's git repository "
            "(not at its root), whose history is that project's; only this directory and below were scanned"
        )
    elif history and not is_git:
        result.notes.append("git history not scanned: not a git repository")
    result.elapsed = time.monotonic() - start
    return result


# ---- given files and the git index (``afasgov secret-scan``, the pre-commit hook) ---------------
def _scan_data(data: bytes, name: str, result: ScanResult, max_bytes: int) -> None:
    if len(data) > max_bytes:
        result.skipped_large += 1
        return
    if b"\0" in data[:BINARY_SNIFF]:
        result.skipped_binary += 1
        return
    result.files_scanned += 1
    result.hits.extend(h for h in scan_bytes(data, name) if h.kind in SECRET_KINDS)


def scan_paths(paths: Iterable[Path], *, max_file_bytes: int = MAX_FILE_BYTES) -> ScanResult:
    """Scan exactly these files for secrets (not the client-side weaknesses); hits name them as given.
    Directories, symlinks and missing files are left out (a pre-commit hook passes staged files)."""
    start = time.monotonic()
    result = ScanResult(root=".")
    for path in paths:
        data = _read(Path(path), result, max_file_bytes)
        if data is not None:
            result.files_scanned += 1
            result.hits.extend(h for h in scan_bytes(data, Path(path).as_posix()) if h.kind in SECRET_KINDS)
    result.elapsed = time.monotonic() - start
    return result


def scan_staged(root: Path, *, max_file_bytes: int = MAX_FILE_BYTES) -> ScanResult:
    """Scan what is staged for the next commit: the index's content of every added, copied, modified or
    renamed file (not the working tree's, which may differ). Paths are repository-relative."""
    start = time.monotonic()
    result = ScanResult(root=str(root))
    proc = _git(root, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR")
    if proc is None or proc.returncode != 0:
        raise OSError(f"{root}: not a git work tree (git diff --cached failed)")
    top = git_toplevel(root) or root
    for name in sorted(_names(proc)):
        blob = _git(top, "cat-file", "blob", f":{name}")
        if blob is None or blob.returncode != 0:
            result.notes.append(f"{name}: could not read the staged content")
            continue
        _scan_data(blob.stdout, name, result, max_file_bytes)
    result.elapsed = time.monotonic() - start
    return result
