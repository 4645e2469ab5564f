"""The inputs of one run, each read once.

(Being built up: content hashing first.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

#: files of a tree that change on every snapshot without the remote state changing (left out of its hash)
VOLATILE = frozenset({"_snapshot.yaml"})


def content_hash(content: bytes | Mapping[str, bytes]) -> str:
    """``sha256:<hex>`` of a file's bytes, or of a tree (``relative path → bytes``): the sorted relative
    paths and each file's SHA-256, volatile files (``_snapshot.yaml``) left out, so the same remote state
    always gives the same hash. The one content hash of every input afasgov reports."""
    if isinstance(content, bytes | bytearray | memoryview):
        return "sha256:" + hashlib.sha256(content).hexdigest()
    digest = hashlib.sha256()
    for rel in sorted(content, key=lambda r: r.split("/")):  # path order: a directory's files together
        if rel.rsplit("/", 1)[-1] in VOLATILE:
            continue
        digest.update(rel.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(content[rel]).digest())
    return "sha256:" + digest.hexdigest()


def tree_files(root: Path) -> dict[str, bytes]:
    """Every regular file under ``root`` (dot-files and dot-directories left out): relative path → bytes."""
    out: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        out[rel.as_posix()] = path.read_bytes()
    return out


def hash_path(path: Path) -> str:
    """:func:`content_hash` of a file or a directory tree on disk."""
    if path.is_dir():
        return content_hash(tree_files(path))
    return content_hash(path.read_bytes())


__all__ = ["VOLATILE", "content_hash", "hash_path", "tree_files"]
