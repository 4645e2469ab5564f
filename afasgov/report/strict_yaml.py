"""Strict, safe YAML for hand-written inputs (waivers, integration manifests).

Safe loading only, and stricter than ``yaml.safe_load``: no explicit tags at all (``!!python/…``,
``!custom``, even ``!!str``), no anchors or aliases (no "billion laughs"), no duplicate keys, UTF-8
only, and a size limit. Errors are :class:`afasgov.errors.InputError` naming file, line and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from afasgov.errors import InputError

MAX_BYTES = 5 * 1024 * 1024


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "unknown position"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "mapping keys must be plain scalars", key_node.start_mark
                ) from None
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def loads_strict(text: str, source: str) -> Any:
    """Parse ``text`` strictly (see module docstring); ``source`` names it in errors."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            tag = getattr(event, "tag", None)
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise InputError(
                    f"YAML anchors and aliases are not allowed ({_where(event.start_mark)})", source=source
                )
            if tag is not None and not isinstance(event, yaml.DocumentStartEvent):
                raise InputError(
                    f"YAML tag {tag!r} is not allowed: only plain YAML is read ({_where(event.start_mark)})",
                    source=source,
                )
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except InputError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"invalid YAML: {problem} ({_where(mark)})", source=source) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", source=source) from None
    except RecursionError:
        raise InputError("invalid YAML: nested too deeply", source=source) from None


def load_yaml_file(path: Path) -> Any:
    """Read and strictly parse one YAML file."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"file too large ({size} bytes; limit {MAX_BYTES})", source=source)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", source=source) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a YAML file", source=source) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=source) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 (byte {exc.start})", source=source) from None
    return loads_strict(text, source)


__all__ = ["MAX_BYTES", "load_yaml_file", "loads_strict"]
