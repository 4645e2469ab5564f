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
from collections.abc import Iterator
from typing import Any

from afasgov.snapshot.yamlio import cached_scalar

FORMATS = ("json", "yaml")
#: the levels of mappings written entry by entry when streaming (document → components → schemas)
STREAM_DEPTH = 3
#: characters per streamed chunk
CHUNK = 1 << 20

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


def _json_parts(value: Any, indent: str, depth: int) -> Iterator[str]:
    """:func:`_json` as a stream: the top ``depth`` levels of mappings entry by entry, below that one
    string per entry (a connector's schema, a path)."""
    if depth == 0 or not isinstance(value, dict) or not value or _flat(value):
        out: list[str] = []
        _json(value, indent, out)
        yield "".join(out)
        return
    inner = indent + "  "
    first = True
    for key, item in value.items():
        yield ("{\n" if first else ",\n") + inner + _encode(key) + ": "
        yield from _json_parts(item, inner, depth - 1)
        first = False
    yield "\n" + indent + "}"


def to_json(doc: Any) -> bytes:
    return b"".join(iter_json(doc))


def iter_json(doc: Any) -> Iterator[bytes]:
    """:func:`to_json` in chunks of about :data:`CHUNK` characters."""
    yield from _batched(_json_parts(doc, "", STREAM_DEPTH), "\n")


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


def _yaml_parts(value: Any, indent: str, depth: int) -> Iterator[str]:
    """:func:`_yaml` as a stream (the top ``depth`` levels of mappings entry by entry)."""
    if depth == 0 or not isinstance(value, dict):
        out: list[str] = []
        _yaml(value, indent, out)
        yield "".join(out)
        return
    for key, item in value.items():
        head = f"{indent}{_scalar(key)}:"
        if isinstance(item, (dict, list)) and item and not _flat(item):
            yield head + "\n"
            yield from _yaml_parts(item, indent + "  ", depth - 1)
        else:
            yield f"{head} {_scalar(item)}\n"


def to_yaml(doc: Any) -> bytes:
    return b"".join(iter_yaml(doc))


def iter_yaml(doc: Any) -> Iterator[bytes]:
    """:func:`to_yaml` in chunks of about :data:`CHUNK` characters."""
    if not isinstance(doc, (dict, list)) or not doc or _flat(doc):
        yield (_scalar(doc) + "\n").encode("utf-8")
        return
    yield from _batched(_yaml_parts(doc, "", STREAM_DEPTH), "")


def _batched(parts: Iterator[str], end: str) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= CHUNK:
            yield "".join(buffer).encode("utf-8")
            buffer.clear()
            size = 0
    buffer.append(end)
    yield "".join(buffer).encode("utf-8")


def iter_render(doc: Any, fmt: str) -> Iterator[bytes]:
    """``doc`` as ``json`` or ``yaml``, in chunks: a writer that writes each chunk before taking the
    next never holds the whole text (a synthetic:2000 document is 60 MB)."""
    if fmt == "json":
        return iter_json(doc)
    if fmt == "yaml":
        return iter_yaml(doc)
    raise ValueError(f"unknown format {fmt!r}")


def render(doc: Any, fmt: str) -> bytes:
    """``doc`` as ``json`` or ``yaml`` bytes."""
    return b"".join(iter_render(doc, fmt))


__all__ = ["FORMATS", "iter_json", "iter_render", "iter_yaml", "render", "to_json", "to_yaml"]
