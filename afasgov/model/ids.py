"""What an AFAS connector id is: the one rule for every id afasgov reads, from AFAS or from a person.

``[A-Za-z0-9_]`` then up to 199 of ``[A-Za-z0-9_.-]``: what AFAS's metainfo uses and what becomes a file
name under ``definitions/``. Ids written by hand (integration manifests, the policy) are NFKC-normalised
first, so a full-width ``ＫｎＵｓｅｒ`` names the real ``KnUser``; a character that is still not ASCII
afterwards (a Cyrillic ``е`` in ``KnUsеr``) is refused with its code point and name, so a look-alike
cannot slip past an allow-list.
"""

from __future__ import annotations

import re
import unicodedata

from afasgov.errors import InputError

CONNECTOR_ID_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,199}$")


def non_ascii_problem(text: str) -> str | None:
    """Why ``text`` is not plain printable ASCII (naming the first other character), or None."""
    for pos, ch in enumerate(text):
        if ord(ch) > 0x7E or ord(ch) < 0x20:
            name = unicodedata.name(ch, "control character")
            folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            hint = f", looks like {folded!r}" if folded else ""
            return (f"contains U+{ord(ch):04X} {name} at position {pos}{hint}: ids must be plain ASCII "
                    "(look-alikes are refused)")
    return None


def check_connector_id(value: object, *, what: str = "connector id", source: str | None = None) -> str:
    """``value`` (NFKC-normalised) when it is a connector id; :class:`InputError` naming ``what`` otherwise."""
    if not isinstance(value, str) or not value:
        raise InputError(f"{what} must be a non-empty string, got {value!r}", source=source)
    normal = unicodedata.normalize("NFKC", value)
    problem = non_ascii_problem(normal)
    if problem:
        raise InputError(f"{what} {value!r} {problem}", source=source)
    if not CONNECTOR_ID_RE.match(normal):
        raise InputError(
            f"{what} {value!r} is not a connector id (a letter, digit or '_', then letters, digits, '_', '.', "
            "'-'; at most 200 characters)",
            source=source,
        )
    return normal


__all__ = ["CONNECTOR_ID_RE", "check_connector_id", "non_ascii_problem"]
