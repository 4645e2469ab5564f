"""The one JSON reader for JSON afasgov reads from files (payloads, release history, promotion
manifests): one line naming the file for every way a document can be hostile or broken.

:func:`loads` is :func:`json.loads` plus:

* UTF-8 only (a leading BOM is allowed): ``not UTF-8 (byte N)``;
* syntax errors with line and column: ``invalid JSON: Expecting value (line 1, column 5)``;
* an integer of more than 4300 digits (Python refuses to convert it): ``invalid JSON: integer of
  more than 4300 digits``, not a crash;
* ``NaN``, ``Infinity`` and ``-Infinity`` (not JSON, though Python accepts them) are refused;
* a lone surrogate escape (``"\\ud800"``: not a Unicode character, it cannot be written as UTF-8
  later) is refused: ``not valid Unicode: lone surrogate escape``; pairs (``"\\ud83d\\ude00"``) are
  one character and fine;
* nesting: the C parser's own recursion limit is an error (``nested too deeply``), and with
  ``max_depth`` the document is refused when it nests deeper than that (so code that walks it
  recursively never hits Python's recursion limit).

:func:`load_file` reads the file with the bounded reader (:func:`afasgov._files.read_input`: regular
files only, size-capped) first. The normal path costs what :func:`json.loads` costs: the checks run
only when a cheap test on the text says they might apply.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from afasgov._files import ErrorFactory, Reader, input_error, read_input, too_large

#: the default cap of :func:`load_file`
DEFAULT_MAX_BYTES: Final = 64 * 1024 * 1024
#: the default nesting limit of :func:`loads` (afasgov's own documents need fewer than 20 levels)
MAX_DEPTH: Final = 200
_INT_DIGITS: Final = getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300
_SURROGATE_ESCAPE: Final = re.compile(r"\\[uU][dD][89a-fA-F]")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_CONSTANTS: Final = {"NaN", "Infinity", "-Infinity"}


class _Refused(Exception):
    pass


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"invalid JSON: {name} is not a JSON number")


def _deeper_than(value: Any, limit: int) -> bool:
    """True if ``value`` nests more than ``limit`` containers deep (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def _has_lone_surrogate(value: Any) -> bool:
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def loads(
    data: bytes | str,
    source: str,
    *,
    error: ErrorFactory = input_error,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int | None = MAX_DEPTH,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
) -> Any:
    """Parse one JSON document (see the module docstring); every error is one line naming ``source``."""
    if isinstance(data, bytes):
        if len(data) > max_bytes:
            raise error(too_large(len(data), max_bytes), source)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise error(f"not UTF-8 (byte {exc.start})", source) from None
    else:
        text = data
        lone = _SURROGATE.search(text)
        if lone is not None:
            raise error(f"not valid Unicode: lone surrogate at character {lone.start()}", source)
    try:
        value = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=object_pairs_hook)
    except _Refused as exc:
        raise error(str(exc), source) from None
    except json.JSONDecodeError as exc:
        raise error(f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", source) from None
    except RecursionError:
        raise error("invalid JSON: nested too deeply", source) from None
    except ValueError:  # int() of a number with too many digits
        raise error(f"invalid JSON: integer of more than {_INT_DIGITS} digits", source) from None
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(value):
        raise error("not valid Unicode: lone surrogate escape (\\ud800-\\udfff) in a string", source)
    if (
        max_depth is not None
        and isinstance(value, dict | list)
        and text.count("[") + text.count("{") > max_depth
        and _deeper_than(value, max_depth)
    ):
        raise error(f"invalid JSON: nested more than {max_depth} levels deep", source)
    return value


def load_file(
    path: Path | str,
    *,
    error: ErrorFactory = input_error,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int | None = MAX_DEPTH,
    source: str | None = None,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
    read: Reader | None = None,
) -> Any:
    """Read ``path`` with the bounded reader (``read``: a workspace's reader) and parse it as
    :func:`loads` does."""
    where = source if source is not None else str(path)
    raw = read_input(path, max_bytes=max_bytes, error=error, source=where, read=read)
    return loads(raw, where, error=error, max_bytes=max_bytes, max_depth=max_depth,
                 object_pairs_hook=object_pairs_hook)


__all__ = ["DEFAULT_MAX_BYTES", "MAX_DEPTH", "load_file", "loads"]
