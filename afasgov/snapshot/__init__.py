"""Crawl environments into the canonical model; write and read the definitions tree (DESIGN §3).

Public API for other parts of afasgov:

* :func:`read_tree` — ``definitions/<env>/`` → :class:`~afasgov.model.EnvironmentSnapshot`;
* :func:`read_git_tree` — the same from ``GITREF:PATH`` (``git ls-tree`` + ``git cat-file``);
* :meth:`afasgov.workspace.Workspace.snapshot` reads a diff operand (environment name, directory or
  ``GITREF:PATH``) once per run;
* :func:`write_tree` — an :class:`EnvironmentSnapshot` → ``definitions/<env>/``, atomically;
* :mod:`afasgov.snapshot.crawl` — crawl live environments (``afasgov snapshot``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from afasgov.snapshot.tree import TREE_FORMAT, read_files, read_git_tree, read_tree, write_tree


def __getattr__(name: str) -> Any:
    # the tree module is imported on first use: ``afasgov snapshot`` sends its first requests
    # before it needs the YAML writer (see :mod:`afasgov.snapshot.crawl`)
    if name in __all__:
        from afasgov.snapshot import tree

        return getattr(tree, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["TREE_FORMAT", "read_files", "read_git_tree", "read_tree", "write_tree"]
