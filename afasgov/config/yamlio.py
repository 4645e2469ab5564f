"""The strict YAML reader (:mod:`afasgov.yamlsafe`) for afasgov's own files (``afasgov.yaml`` and
friends), with :class:`afasgov.errors.ConfigError` naming the file and the line/column.

Safe loading only, no tags, no anchors or aliases, no duplicate keys, UTF-8 only, at most 1 MiB.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from afasgov import yamlsafe

MAX_YAML_BYTES = 1024 * 1024


def safe_load_yaml(text: str, *, source: str = "<yaml>") -> Any:
    """Parse ``text`` strictly; raise :class:`ConfigError` naming ``source`` and the position."""
    return yamlsafe.loads(text, source, error=yamlsafe.config_error, max_bytes=MAX_YAML_BYTES)


def read_yaml_file(path: Path, *, read: Callable[[Path], bytes] | None = None) -> Any:
    """Read and strictly parse a YAML file (UTF-8); errors name the file (``read``: see
    :func:`afasgov.yamlsafe.load_file`)."""
    return yamlsafe.load_file(path, error=yamlsafe.config_error, max_bytes=MAX_YAML_BYTES, read=read)
