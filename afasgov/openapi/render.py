"""Deterministic bytes of an exported document: JSON or YAML, UTF-8, LF, keys in the order built.

JSON: two-space indentation, non-ASCII as is, one trailing newline. YAML: block style, every key
and string quoted unless it is a plain word that no YAML 1.1 or 1.2 loader reads as anything but a
string (``afasgov.snapshot.yamlio.scalar``), no anchors or aliases even where the document shares an
object between two places (the export shares field schemas between POST and PUT), and flow ``[]``
/ ``{}`` for empty collections. Both read back to the same data (a test checks it).
"""

from __future__ import annotations

import json
from typing import Any

from afasgov.snapshot.yamlio import cached_scalar

FORMATS = ("json", "yaml")


def to_json(doc: Any) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _scalar(value: Any) -> str:
    if isinstance(value, float):
        return json.dumps(value)
    return cached_scalar(value)


def _emit(value: Any, indent: str, out: list[str]) -> None:
    """``value`` (a non-empty mapping or list) as block lines, each starting with ``indent``."""
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{indent}{_scalar(key)}:"
            if isinstance(item, (dict, list)) and item:
                out.append(head + "\n")
                _emit(item, indent + "  ", out)
            else:
                out.append(f"{head} {_inline(item)}\n")
        return
    for item in value:
        if isinstance(item, dict) and item:
            # the first key goes on the dash's line
            lines: list[str] = []
            _emit(item, indent + "  ", lines)
            lines[0] = f"{indent}- " + lines[0][len(indent) + 2:]
            out.extend(lines)
        elif isinstance(item, list) and item:
            lines = []
            _emit(item, indent + "  ", lines)
            lines[0] = f"{indent}- " + lines[0][len(indent) + 2:]
            out.extend(lines)
        else:
            out.append(f"{indent}- {_inline(item)}\n")


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def to_yaml(doc: Any) -> bytes:
    out: list[str] = []
    _emit(doc, "", out)
    return "".join(out).encode("utf-8")


def render(doc: Any, fmt: str) -> bytes:
    """``doc`` as ``json`` or ``yaml`` bytes."""
    if fmt == "json":
        return to_json(doc)
    if fmt == "yaml":
        return to_yaml(doc)
    raise ValueError(f"unknown format {fmt!r}")


__all__ = ["FORMATS", "render", "to_json", "to_yaml"]
