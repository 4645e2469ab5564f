"""The one strict, safe YAML reader for the YAML afasgov reads from people and tools.

Used for ``afasgov.yaml``, audit policies, waivers, integration manifests, the simulator's
datasets, the ``.yaml`` definitions of GetConnectors and the PyYAML fallback of the definitions
tree (:mod:`afasgov.snapshot.yamlio` keeps its own fast reader for the files it writes itself).

Stricter than ``yaml.safe_load``:

* safe construction only, and no explicit tags at all (``!!python/…``, ``!custom``, even
  ``!!str``): only plain YAML;
* no anchors or aliases (no "billion laughs", and every value reads where it stands);
* no duplicate mapping keys (YAML silently keeps the last one); keys must be plain scalars;
* UTF-8 only (a leading BOM is allowed), no lone surrogates, and a size limit before anything
  is parsed; files are read by the bounded reader :func:`afasgov._files.read_input` (a FIFO or
  ``/dev/zero`` is refused, never read);
* an integer of more than 4300 digits or an impossible date (``2030-02-30``) is an error naming
  its line, not a crash;
* at most :data:`MAX_DEPTH` levels of nesting, checked before anything is composed (libyaml's
  composer recurses in C: a hostile ``[[[[…`` would otherwise crash the process).

``strict=False`` allows safe tags and anchors (the result is what ``yaml.safe_load`` gives), but
still refuses duplicate keys and everything below the first two points. The definitions tree's
fallback reader uses it; the tree reader checks types and refuses shared (aliased) containers itself.

libyaml (``CSafeLoader``) is used where available: one pass over the parser's events checks tags,
anchors and depth, then the document is loaded with the duplicate-key check. On afasgov's own
files that costs about 1.5 times a plain ``yaml.load(…, CSafeLoader)``, and is 6 to 14 times
faster than the pure-Python strict loaders it replaced.

Errors are one line and never a traceback. The exception type is the caller's: ``error`` builds
it from ``(message, source)`` (:func:`input_error`, the default, gives
:class:`~afasgov.errors.InputError`; :func:`config_error` gives
:class:`~afasgov.errors.ConfigError`). The messages are ``file not found``, ``is a directory,
expected a YAML file``, ``cannot read: <reason>``, ``file is N bytes, larger than the limit of
1 MiB``, ``not UTF-8 (byte N)`` and ``invalid YAML: <problem> (line L, column C)``, where the
problem is PyYAML's, or ``anchors and aliases are not allowed``, ``explicit YAML tag '!x' is not
allowed (only plain YAML is read)``, ``duplicate key 'k'``, ``mapping keys must be plain
scalars``, ``nested too deeply``, ``integer of more than 4300 digits``, ``invalid date '…'``; a
lone surrogate is ``not valid Unicode: lone surrogate at character N``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Final

import yaml

from afasgov._files import ErrorFactory, Reader, read_input, too_large
from afasgov.errors import ConfigError, InputError

#: the default size limit (a hand-written afasgov file is far smaller)
DEFAULT_MAX_BYTES: Final = 5 * 1024 * 1024
#: the deepest nesting of sequences and mappings read (afasgov's files need fewer than 20 levels)
MAX_DEPTH: Final = 200

#: libyaml's safe loader where available, else the pure-Python one (same results)
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NESTING_START: Final = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_NESTING_END: Final = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
_CORE: Final = "tag:yaml.org,2002:"


def input_error(message: str, source: str) -> Exception:
    """:class:`InputError` naming ``source`` (the default)."""
    return InputError(message, source=source)


def config_error(message: str, source: str) -> Exception:
    """:class:`ConfigError` naming ``source`` as the file."""
    return ConfigError(message, file=source)


class _Refused(Exception):
    """A problem found before or while loading: ``problem`` and the mark it stands at."""

    def __init__(self, problem: str, mark: Any = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.mark = mark


_SURROGATE: Final = re.compile("[\ud800-\udfff]")
#: Python's limit on int() of a decimal string (``sys.get_int_max_str_digits``), 4300 by default
_INT_DIGITS: Final = getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300


class _SafeLoader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, refusing duplicate and non-scalar mapping keys, integers Python will not
    convert and impossible dates (each with its position)."""

    def construct_int_checked(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.construct_yaml_int(node)
        except ValueError:
            raise _Refused(f"integer of more than {_INT_DIGITS} digits", node.start_mark) from None

    def construct_timestamp_checked(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise _Refused(f"invalid date {_short(node.value)}: {exc}", node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:
                raise _Refused("mapping keys must be plain scalars", key_node.start_mark) from None
            if duplicate:
                raise _Refused(f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


_SafeLoader.add_constructor("tag:yaml.org,2002:int", _SafeLoader.construct_int_checked)
_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _SafeLoader.construct_timestamp_checked)
_StrictLoader = _SafeLoader


def _short(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _where(mark: Any) -> str:
    return f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""


def _check_events(text: str, *, strict: bool) -> None:
    """Depth (always), anchors, aliases and tags (``strict``), from the parser's events alone."""
    depth = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if strict:
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise _Refused("anchors and aliases are not allowed", event.start_mark)
            tag = getattr(event, "tag", None)
            if tag is not None:
                tag = "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag
                raise _Refused(f"explicit YAML tag {tag!r} is not allowed (only plain YAML is read)", event.start_mark)
        if isinstance(event, _NESTING_START):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused("nested too deeply", event.start_mark)
        elif isinstance(event, _NESTING_END):
            depth -= 1


def loads(
    text: str | bytes,
    source: str,
    *,
    error: ErrorFactory = input_error,
    max_bytes: int = DEFAULT_MAX_BYTES,
    strict: bool = True,
) -> Any:
    """Parse one YAML document (strictly unless ``strict=False``, see the module docstring); errors
    name ``source``.

    ``text`` may be bytes (decoded as UTF-8, BOM allowed). An empty document is ``None``.
    """
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise error(too_large(len(text), max_bytes), source)
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise error(f"not UTF-8 (byte {exc.start})", source) from None
    else:
        if len(text) * 4 > max_bytes:  # a str can only be over the limit when this holds
            size = len(text.encode("utf-8", errors="surrogatepass"))
            if size > max_bytes:
                raise error(too_large(size, max_bytes), source)
        lone = _SURROGATE.search(text)
        if lone is not None:
            raise error(f"not valid Unicode: lone surrogate at character {lone.start()}", source)
    try:
        _check_events(text, strict=strict)
        return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader
    except _Refused as exc:
        raise error(f"invalid YAML: {exc.problem}{_where(exc.mark)}", source) from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc).splitlines()[0]
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        raise error(f"invalid YAML: {problem}{_where(mark)}", source) from None
    except RecursionError:  # the pure-Python composer, where libyaml is missing
        raise error("invalid YAML: nested too deeply", source) from None
    except (ValueError, OverflowError) as exc:  # a constructor's own complaint (e.g. bad base64)
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise error(f"invalid YAML: {first}", source) from None


def load_file(
    path: Path | str,
    *,
    error: ErrorFactory = input_error,
    max_bytes: int = DEFAULT_MAX_BYTES,
    strict: bool = True,
    read: Reader | None = None,
) -> Any:
    """Read (:func:`afasgov._files.read_input`: regular files only, size-capped; ``read``: a workspace's
    reader, so each input file is read once per run) and parse one YAML file as :func:`loads` does;
    errors name the file."""
    source = str(path)
    raw = read_input(path, max_bytes=max_bytes, error=error, source=source, read=read)
    return loads(raw, source, error=error, max_bytes=max_bytes, strict=strict)


__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_DEPTH",
    "ErrorFactory",
    "config_error",
    "input_error",
    "load_file",
    "loads",
]
