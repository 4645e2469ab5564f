"""Counts in words: ``1 problem``, ``2 problems`` (user-facing lines never say ``1 problems``)."""

from __future__ import annotations

#: nouns whose plural is not ``+s``
_IRREGULAR = {"info": "info", "entry": "entries", "summary": "summaries", "policy": "policies"}


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``n`` and ``noun`` in the right number: ``plural(1, "file")`` → ``1 file``; ``plural(3, "file")``
    → ``3 files``; ``many`` overrides the plural form (``plural(2, "App Connector")`` → ``2 App Connectors``)."""
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {many or _IRREGULAR.get(noun) or noun + 's'}"


def singular(noun: str) -> str:
    """The singular of a plural noun used as a collection key (``problems`` → ``problem``)."""
    for one, many in _IRREGULAR.items():
        if noun == many:
            return one
    return noun[:-1] if noun.endswith("s") else noun


__all__ = ["plural", "singular"]
