"""Deterministic YAML for the definitions tree: a hand-tuned emitter and a matching fast reader.

The tree is written by :mod:`afasgov.snapshot.tree` in a small, fixed subset of YAML (block
mappings and indentless block sequences, one key per line; scalars plain when unambiguous, else
double-quoted with JSON-compatible escapes). Emitting that subset by hand is several times faster
than PyYAML's emitter, and the reader recognises exactly that subset with a line parser that is
several times faster than even libyaml's loader. Anything outside the subset (a hand edit, a
comment, another tool's YAML) is read by :func:`afasgov.yamlsafe.loads` with ``strict=False``
(PyYAML's safe loader, libyaml where available, with a depth limit), so the result is always what
a YAML 1.1 safe loader would give; tests check both paths agree.

Only ``str``, ``int``, ``bool``, ``None``, ``list`` and ``dict`` are ever produced by the fast
path; the safe loader may produce other types (dates, bytes), which the tree reader rejects.
"""

from __future__ import annotations

import json
import re
from typing import Any

from afasgov import yamlsafe
from afasgov.errors import InputError

#: a tree file larger than this is refused (a connector's metainfo is far smaller).
MAX_FILE_BYTES = 64 * 1024 * 1024

#: plain (unquoted) scalars: start with a letter or '_', then letters, digits and ``_ . - / ( )``,
#: spaces inside; Latin letters with diacritics allowed. Such a scalar can never be read as a
#: number, a date or a merge key, and the reserved words below are quoted.
_PLAIN_RE = re.compile(
    r"[A-Za-z_](?:[A-Za-z0-9_ .\-/()\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]*"
    r"[A-Za-z0-9_.\-/()\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f])?"
)
_RESERVED = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"})
#: characters YAML refuses or folds raw (C0 controls are escaped by json.dumps already).
_ESCAPE_RE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_INT_RE = re.compile(r"-?(?:0|[1-9][0-9]*)")
_KEY_RE = re.compile(r"[a-z_][a-z0-9_]*")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def scalar(value: object) -> str:
    """One scalar as YAML text (str, int, bool, None)."""
    if isinstance(value, str):
        if _PLAIN_RE.fullmatch(value) and value.lower() not in _RESERVED:
            return value
        text = json.dumps(value, ensure_ascii=False)
        return _ESCAPE_RE.sub(_escape, text)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    raise TypeError(f"cannot emit {type(value).__name__} as a tree scalar")


_SCALARS: dict[str, str] = {}
#: the memo of :func:`cached_scalar` is dropped when it grows past this many strings
_SCALARS_MAX = 65536


#: only strings up to this length are memoised (the memo stays small whatever the input)
_SCALARS_MAX_LEN = 200


def cached_scalar(value: object) -> str:
    """:func:`scalar`, memoised for short strings (labels, data types and codes repeat a lot)."""
    if type(value) is str and len(value) <= _SCALARS_MAX_LEN:
        text = _SCALARS.get(value)
        if text is None:
            if len(_SCALARS) >= _SCALARS_MAX:
                _SCALARS.clear()
            text = _SCALARS[value] = scalar(value)
        return text
    return scalar(value)


def emit(data: dict[str, Any]) -> str:
    """A mapping (of scalars, mappings, lists of mappings or scalars) as block YAML, LF line ends."""
    out: list[str] = []
    _emit_map(data, "", "", out)
    return "".join(out)


def _emit_map(data: dict[str, Any], first: str, indent: str, out: list[str]) -> None:
    prefix = first
    for key, value in data.items():
        if isinstance(value, dict):
            if value:
                out.append(f"{prefix}{key}:\n")
                _emit_map(value, indent + "  ", indent + "  ", out)
            else:
                out.append(f"{prefix}{key}: {{}}\n")
        elif isinstance(value, list):
            if not value:
                out.append(f"{prefix}{key}: []\n")
            else:
                out.append(f"{prefix}{key}:\n")
                for item in value:
                    if isinstance(item, dict) and item:
                        _emit_map(item, indent + "- ", indent + "  ", out)
                    elif isinstance(item, (dict, list)):
                        raise TypeError("tree lists hold scalars or non-empty mappings only")
                    else:  # (read back by the YAML loader, not the fast path: used for short lists)
                        out.append(f"{indent}- {scalar(item)}\n")
        else:
            out.append(f"{prefix}{key}: {scalar(value)}\n")
        prefix = indent


# ------------------------------------------------------------------------------------------ read
class _NotSubset(Exception):
    """The text is not in the emitter's subset: use the YAML loader."""


_BAD_IN_QUOTES = re.compile("[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _scalar(text: str) -> Any:
    first = text[0]
    if first == '"':
        if len(text) < 2 or text[-1] != '"' or _BAD_IN_QUOTES.search(text) or "\t" in text:
            raise _NotSubset
        try:
            value = json.loads(text)
        except ValueError:
            raise _NotSubset from None
        if not isinstance(value, str):
            raise _NotSubset
        # JSON joins surrogate pairs (\ud83d\ude00); YAML would not: stay out of the subset.
        if "\\ud" in text.lower():
            raise _NotSubset
        return value
    if text == "null":
        return None
    if text == "true":
        return True
    if text == "false":
        return False
    if text == "[]":
        return []
    if text == "{}":
        return {}
    if first == "-" or first.isdigit():
        if _INT_RE.fullmatch(text) and len(text) <= 4300:  # (longer: the YAML loader says why not)
            return int(text)
        raise _NotSubset
    if _PLAIN_RE.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    raise _NotSubset


_LINE_RE = re.compile(r"^( *)(- )?([a-z_][a-z0-9_]*):(?: (.+))?$", re.M)
_MUTABLE = frozenset({"[]", "{}"})


def _fast_load(text: str) -> dict[str, Any]:
    """Parse text in the emitter's subset; raise :class:`_NotSubset` for anything else."""
    if not text.endswith("\n") or "\r" in text or "\t" in text:
        raise _NotSubset
    found = _LINE_RE.findall(text)
    if len(found) != text.count("\n"):  # some line is not "key: value" / "key:" / "- key: …"
        raise _NotSubset
    # tokens: (column of the key, is a list item (dash at column-2), key, value or _NESTED)
    tokens: list[tuple[int, bool, str, Any]] = []
    append = tokens.append
    cache: dict[str, Any] = {}
    for indent, dash, key, raw in found:
        if key in _RESERVED:
            raise _NotSubset
        if raw:
            value = cache.get(raw, _NESTED)
            if value is _NESTED:
                value = _scalar(raw)
                if raw not in _MUTABLE:
                    cache[raw] = value
        else:
            value = _NESTED
        if dash:
            append((len(indent) + 2, True, key, value))
        else:
            append((len(indent), False, key, value))
    if not tokens or tokens[0][0] != 0 or tokens[0][1]:
        raise _NotSubset
    result, pos = _parse_map(tokens, 0, 0)
    if pos != len(tokens):
        raise _NotSubset
    return result


_NESTED: Any = object()


def _parse_map(tokens: list[tuple[int, bool, str, Any]], pos: int, col: int) -> tuple[dict[str, Any], int]:
    """Entries at ``col``; the first may carry the list dash that opened this mapping."""
    result: dict[str, Any] = {}
    n = len(tokens)
    first = True
    while pos < n:
        tcol, item, key, value = tokens[pos]
        if tcol != col or (item and not first):
            break
        first = False
        if key in result:
            raise _NotSubset
        pos += 1
        if value is not _NESTED:
            if value.__class__ is list:
                value = []
            elif value.__class__ is dict:
                value = {}
            result[key] = value
            continue
        if pos >= n:
            raise _NotSubset
        ncol, nitem, _, _ = tokens[pos]
        if nitem and ncol == col + 2:  # indentless sequence: dashes at this key's column
            items: list[Any] = []
            sub = col + 2
            while pos < n and tokens[pos][0] == sub and tokens[pos][1]:
                mapping, pos = _parse_map(tokens, pos, sub)
                items.append(mapping)
            result[key] = items
        elif not nitem and ncol == col + 2:
            result[key], pos = _parse_map(tokens, pos, col + 2)
        else:
            raise _NotSubset
    return result, pos


def load(data: bytes, source: str) -> Any:
    """Safe-load one tree file: the fast path for the emitter's subset, else the YAML safe loader.

    Errors (not UTF-8, invalid YAML, unknown tags, too large) raise :class:`InputError` naming
    ``source``.
    """
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"file is {len(data)} bytes (limit {MAX_FILE_BYTES})", source=source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 (byte {exc.start})", source=source) from None
    try:
        return _fast_load(text)
    except _NotSubset:
        pass
    except RecursionError:
        raise InputError("nested too deeply", source=source) from None
    # plain safe loading (the tree reader checks types and refuses aliased containers itself)
    return yamlsafe.loads(text, source, max_bytes=MAX_FILE_BYTES, strict=False)


__all__ = ["MAX_FILE_BYTES", "cached_scalar", "emit", "load", "scalar"]
