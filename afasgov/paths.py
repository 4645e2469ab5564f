"""Paths in reports: relative to the configuration's directory, the home directory as ``~``.

Reports are committed and read on other machines, and a terminal line with ``/home/jane/work/repo/…``
says more about the machine than about the finding. Every command that prints or writes paths of the
repository (``afasgov audit``'s "checked" and "not seen" lines, ``afasgov release-check``'s reports)
passes them through :func:`portable_paths`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from pathlib import Path


def portable_paths(root: Path) -> Callable[[str], str]:
    """A function that writes ``root`` (the configuration's directory) relative and the home directory as ``~``.

    Reports are committed and read on other machines: ``/work/repo/definitions/policy.yaml`` becomes
    ``definitions/policy.yaml``, ``/work/repo`` alone becomes ``.``, ``/home/jane/.afasgov/key.pem``
    becomes ``~/.afasgov/key.pem``. Only whole path prefixes are replaced (``/work/repo2`` stays).
    """
    prefixes: dict[str, str] = {}
    for candidate in (root, root.absolute(), root.resolve()):
        text = candidate.as_posix()
        if text not in ("", "/", "."):
            prefixes[text] = "."
    with contextlib.suppress(RuntimeError, KeyError):
        home = Path.home()
        for candidate in (home, home.resolve()):
            text = candidate.as_posix()
            if text not in ("", "/", ".") and text not in prefixes:
                prefixes[text] = "~"
    if not prefixes:
        return lambda line: line
    ordered = sorted(prefixes, key=len, reverse=True)
    pattern = re.compile("(?<![\\w.~/-])(" + "|".join(re.escape(p) for p in ordered) + ")(/|(?![\\w.-]))")

    def replace(match: re.Match[str]) -> str:
        short = prefixes[match.group(1)]
        if match.group(2) == "/":
            return "" if short == "." else short + "/"
        return short

    return lambda line: pattern.sub(replace, line) if line else line


__all__ = ["portable_paths"]
