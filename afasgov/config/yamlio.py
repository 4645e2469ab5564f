"""A hostile-input-safe YAML reader for afasgov's own files (``afasgov.yaml`` and friends).

* ``yaml.SafeLoader`` only (no ``!!python/...`` tags);
* a size limit (default 1 MiB) before parsing;
* duplicate mapping keys are an error (YAML silently keeps the last one);
* anchors and aliases are refused (no alias bombs, and a config stays readable line by line).

Errors are :class:`afasgov.errors.ConfigError` with the file and the line/column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from afasgov.errors import ConfigError

MAX_YAML_BYTES = 1024 * 1024


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases (*name) are not allowed", event.start_mark
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "YAML anchors (&name) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:  # unhashable key: let the base class report it
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return ""
    return f" (line {mark.line + 1}, column {mark.column + 1})"


def safe_load_yaml(text: str, *, source: str = "<yaml>") -> Any:
    """Parse ``text`` strictly; raise :class:`ConfigError` naming ``source`` and the position."""
    if len(text.encode("utf-8", errors="replace")) > MAX_YAML_BYTES:
        raise ConfigError(f"file is larger than {MAX_YAML_BYTES // 1024} KiB", file=source)
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"invalid YAML: {problem}{_where(exc)}", file=source) from None


def read_yaml_file(path: Path) -> Any:
    """Read and strictly parse a YAML file (UTF-8); errors name the file."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ConfigError("file not found", file=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read file: {exc.strerror}", file=str(path)) from None
    if size > MAX_YAML_BYTES:
        raise ConfigError(f"file is larger than {MAX_YAML_BYTES // 1024} KiB", file=str(path))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read file: {exc.strerror}", file=str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from None
    return safe_load_yaml(text, source=str(path))
