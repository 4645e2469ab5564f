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

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), allow_nan=False)
#: CPython's C encoder, made once: JSONEncoder.encode makes one per call, a third of the time here
_C_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODE = (None if _C_MAKE_ENCODER is None else _C_MAKE_ENCODER(
    None, _ENCODER.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, False))


def _encode(value: Any) -> str:
    """``value`` as one line of JSON."""
    if _C_ENCODE is not None:
        return "".join(_C_ENCODE(value, 0))
    return _ENCODER.encode(value)  # pragma: no cover - Pythons without the C encoder


_KEYS: dict[str, str] = {}
#: characters YAML refuses raw or folds (inside the JSON strings of flow nodes; JSON leaves them raw)
_YAML_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _key(key: str) -> str:
    """A key's JSON text (keys repeat: field ids, "type", "properties", …)."""
    text = _KEYS.get(key)
    if text is None:
        if len(_KEYS) > 65536:
            _KEYS.clear()
        text = _KEYS[key] = _encode(key)
    return text


def _nested(items: Any) -> bool:
    """Whether a list holds a mapping or a list (a loop: faster than any() on long code lists)."""
    for x in items:  # noqa: SIM110
        if type(x) is dict or type(x) is list:
            return True
    return False


def _flat(value: Any) -> bool:
    """A mapping or list of scalars and lists of scalars (written on one line)."""
    for v in value.values() if type(value) is dict else value:
        if type(v) is dict or (type(v) is list and _nested(v)):
            return False
    return True


def _json(value: Any, indent: str, out: list[str]) -> None:
    """``value`` after a key (or at the start): its text, continuing the current line."""
    kind = type(value)
    if kind is dict:
        if value:
            for v in value.values():
                if type(v) is dict or (type(v) is list and _nested(v)):
                    break
            else:
                out.append(_encode(value))
                return
            inner = indent + "  "
            sep = "\n" + inner
            out.append("{")
            for key, item in value.items():
                out.append(sep + _key(key) + ": ")
                _json(item, inner, out)
                sep = ",\n" + inner
            out.append("\n" + indent + "}")
            return
    elif kind is list and value and _nested(value):
        inner = indent + "  "
        sep = "\n" + inner
        out.append("[")
        for item in value:
            out.append(sep)
            _json(item, inner, out)
            sep = ",\n" + inner
        out.append("\n" + indent + "]")
        return
    out.append(_encode(value))


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
        yield ("{\n" if first else ",\n") + inner + _key(key) + ": "
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
    """A one-line node as YAML flow: its JSON text (the characters YAML does not take raw are escaped
    per chunk, see :func:`iter_yaml`)."""
    return _encode(value)


def _scalar(value: Any) -> str:
    kind = type(value)
    if kind is dict or kind is list:
        return _flow(value)
    if kind is float:
        return json.dumps(value)
    return cached_scalar(value)


def _block(value: Any) -> bool:
    """Written as block lines below its key (a non-empty mapping or list that is not one-line)."""
    kind = type(value)
    return (kind is dict or kind is list) and bool(value) and not _flat(value)


def _yaml(value: Any, indent: str, out: list[str]) -> None:
    """``value`` (a non-empty mapping or list that is not one-line) as block lines starting with ``indent``."""
    if type(value) is dict:
        inner = indent + "  "
        for key, item in value.items():
            if _block(item):
                out.append(f"{indent}{_scalar(key)}:\n")
                _yaml(item, inner, out)
            else:
                out.append(f"{indent}{_scalar(key)}: {_scalar(item)}\n")
        return
    for item in value:
        if _block(item):
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
        if _block(item):
            yield head + "\n"
            yield from _yaml_parts(item, indent + "  ", depth - 1)
        else:
            yield f"{head} {_scalar(item)}\n"


def to_yaml(doc: Any) -> bytes:
    return b"".join(iter_yaml(doc))


def iter_yaml(doc: Any) -> Iterator[bytes]:
    """:func:`to_yaml` in chunks of about :data:`CHUNK` characters."""
    parts: Iterator[str]
    if type(doc) in (dict, list) and doc and not _flat(doc):
        parts = _yaml_parts(doc, "", STREAM_DEPTH)
    else:
        parts = iter([_scalar(doc) + "\n"])
    for chunk in _batched_text(parts, ""):
        # only inside strings (flow nodes' JSON strings; block scalars are escaped already)
        yield (_YAML_RAW.sub(_escape, chunk) if _YAML_RAW.search(chunk) else chunk).encode("utf-8")


def _batched_text(parts: Iterator[str], end: str) -> Iterator[str]:
    buffer: list[str] = []
    size = 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= CHUNK:
            yield "".join(buffer)
            buffer.clear()
            size = 0
    buffer.append(end)
    yield "".join(buffer)


def _batched(parts: Iterator[str], end: str) -> Iterator[bytes]:
    for chunk in _batched_text(parts, end):
        yield chunk.encode("utf-8")


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
