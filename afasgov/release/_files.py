"""File-name-safe labels (atomic writes: :mod:`afasgov._files`)."""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_label(text: str, *, fallback: str = "x", max_len: int = 80) -> str:
    """A file-name-safe version of ``text``: ``[A-Za-z0-9._-]`` only, no leading dot, bounded length."""
    label = _UNSAFE.sub("-", text).strip("-.")
    label = re.sub(r"-{2,}", "-", label)[:max_len].strip("-.")
    return label or fallback
