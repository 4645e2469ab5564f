"""Deterministic bytes of an exported document: JSON or YAML, UTF-8, LF, keys in the order built.

Layout: a mapping or list holding only scalars and lists of scalars (a field's schema, a ``$ref``, a
``required`` list) is written on one line; everything else is indented, one entry per line. So a
field is one line, and ``git diff`` of two exports shows one line per changed field — and writing
100,000 fields takes a second, where a fully indented document takes the pure-Python JSON encoder
half a minute.

JSON: two-space indentation, non-ASCII as is, one trailing newline. YAML: block style, the one-line
nodes in flow style (their JSON text, which YAML reads as the same data: characters YAML does not
allow raw are ``\\u`` escapes); keys and strings of block lines are quoted unless they are plain
words no YAML 1.1 or 1.2 loader reads as anything but a string; no anchors or aliases even where the
document shares an object between two places (the export shares field schemas between POST and
PUT). Both read back to the same data (a test checks it).
"""

from __future__ import annotations

import json
import re
from typing import Any

from afasgov.snapshot.yamlio import cached_scalar

FORMATS = ("json", "yaml")

_encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), allow_nan=False).encode
#: characters YAML refuses raw or folds (inside the JSON strings of flow nodes; JSON leaves them raw)
_YAML_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _flat(value: Any) -> bool:
    """A mapping or list of scalars and lists of scalars (written on one line)."""
    items = value.values() if isinstance(value, dict) else value
    for v in items:
        if isinstance(v, dict):
            return False
        if isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v):
            return False
    return True


def _json(value: Any, indent: str, out: list[str]) -> None:
    """``value`` after a key (or at the start): its text, continuing the current line."""
    if not isinstance(value, (dict, list)) or not value or _flat(value):
        out.append(_encode(value))
        return
    inner = indent + "  "
    if isinstance(value, dict):
        out.append("{")
        first = True
        for key, item in value.items():
            out.append(("\n" if first else ",\n") + inner + _encode(key) + ": ")
            _json(item, inner, out)
            first = False
        out.append("\n" + indent + "}")
    else:
        out.append("[")
        first = True
        for item in value:
            out.append(("\n" if first else ",\n") + inner)
            _json(item, inner, out)
            first = False
        out.append("\n" + indent + "]")


def to_json(doc: Any) -> bytes:
    out: list[str] = []
    _json(doc, "", out)
    out.append("\n")
    return "".join(out).encode("utf-8")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _flow(value: Any) -> str:
    """A one-line node as YAML flow (its JSON text)."""
    text = _encode(value)
    return _YAML_RAW.sub(_escape, text) if _YAML_RAW.search(text) else text


def _scalar(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return _flow(value)
    if isinstance(value, float):
        return json.dumps(value)
    return cached_scalar(value)


def _yaml(value: Any, indent: str, out: list[str]) -> None:
    """``value`` (a non-empty mapping or list that is not one-line) as block lines starting with ``indent``."""
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{indent}{_scalar(key)}:"
            if isinstance(item, (dict, list)) and item and not _flat(item):
                out.append(head + "\n")
                _yaml(item, indent + "  ", out)
            else:
                out.append(f"{head} {_scalar(item)}\n")
        return
    for item in value:
        if isinstance(item, (dict, list)) and item and not _flat(item):
            lines: list[str] = []
            _yaml(item, indent + "  ", lines)
            lines[0] = f"{indent}- " + lines[0][len(indent) + 2:]  # the first entry on the dash's line
            out.extend(lines)
        else:
            out.append(f"{indent}- {_scalar(item)}\n")


def to_yaml(doc: Any) -> bytes:
    if not isinstance(doc, (dict, list)) or not doc or _flat(doc):
        return (_scalar(doc) + "\n").encode("utf-8")
    out: list[str] = []
    _yaml(doc, "", out)
    return "".join(out).encode("utf-8")


def render(doc: Any, fmt: str) -> bytes:
    """``doc`` as ``json`` or ``yaml`` bytes."""
    if fmt == "json":
        return to_json(doc)
    if fmt == "yaml":
        return to_yaml(doc)
    raise ValueError(f"unknown format {fmt!r}")


__all__ = ["FORMATS", "render", "to_json", "to_yaml"]
