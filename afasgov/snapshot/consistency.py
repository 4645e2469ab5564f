"""``afasgov snapshot --check``: is a committed snapshot tree consistent?

A tree is consistent when it reads (every file parses, ids match file names, every connector an App
Connector lists has its file: :func:`~afasgov.snapshot.tree.read_files`) and when writing what was
read gives the same bytes (:func:`~afasgov.snapshot.tree.render_files`): a hand edit, a merge that
kept both sides, a reordered field or a missing file shows up as a file that afasgov would write
differently, with the first line that differs. Used as a pre-commit hook (``.pre-commit-hooks.yaml``).
Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from afasgov.errors import InputError
from afasgov.snapshot.tree import SNAPSHOT_FILE, DirSource, read_files, render_files


@dataclass(frozen=True)
class TreeCheck:
    """The outcome for one environment's tree: ``problems`` is empty when it is consistent."""

    path: Path
    problems: tuple[str, ...] = ()
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def first_difference(actual: bytes, expected: bytes) -> int:
    """The 1-based line number of the first line that differs."""
    a, b = actual.split(b"\n"), expected.split(b"\n")
    for number, (x, y) in enumerate(zip(a, b, strict=False), start=1):
        if x != y:
            return number
    return min(len(a), len(b)) + (0 if len(a) == len(b) else 1)


def check_tree(path: Path) -> TreeCheck:
    """Read ``path`` (one environment's tree) and compare it with what afasgov would write for it."""
    try:
        files = DirSource(path).files()
        snapshot = read_files(files, str(path))
        expected = dict(render_files(snapshot))
    except InputError as exc:
        return TreeCheck(path, (str(exc),))
    problems: list[str] = []
    for rel in sorted(set(files) | set(expected)):
        if rel not in files:
            problems.append(f"{path / rel}: missing (afasgov snapshot writes it)")
        elif rel not in expected:
            problems.append(f"{path / rel}: not part of a snapshot tree")
        elif files[rel] != expected[rel]:
            line = first_difference(files[rel], expected[rel])
            problems.append(f"{path / rel}:{line}: not as afasgov snapshot writes it (edited by hand or merged?); "
                            "restore it from git or re-run 'afasgov snapshot'")
    return TreeCheck(path, tuple(problems), files=len(files))


def snapshot_trees(definitions: Path) -> list[Path]:
    """The environment trees under ``definitions`` (directories holding ``_snapshot.yaml``), sorted."""
    if not definitions.is_dir():
        return []
    return sorted(p for p in definitions.iterdir() if p.is_dir() and (p / SNAPSHOT_FILE).is_file())


__all__ = ["TreeCheck", "check_tree", "first_difference", "snapshot_trees"]
