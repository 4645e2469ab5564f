"""Property paths as AFAS's release notes write them → the canonical paths of DESIGN §5.

Release notes write an UpdateConnector property as an OpenAPI schema path:

* older notes (Profit 3–5) spell array levels as ``items`` segments:
  ``KnSubject/Element/Objects/items/KnSubjectLink/Element/items/Fields/ToOb``;
* the first segment is the payload's root element, which is not always the connector
  (``AfasEmployee/…`` for ``KnEmployee``, ``PtItemset/…`` for ``PtItemSet``).

The canonical path drops the ``items`` segments and starts with the connector:
``KnSubject/Element/Objects/KnSubjectLink/Element/Fields/ToOb``.
"""

from __future__ import annotations

import re

from afasgov.releasenotes.facts import ConnectorFacts

#: connector, object and field ids (as integration manifests accept them).
ID_RE = re.compile(r"^[A-Za-z0-9_@][A-Za-z0-9_.@-]{0,127}$")


class PathError(ValueError):
    """A property path that is not of the form ``Root/Element[/Objects/O/Element…]/Fields/F``."""


def strip_items(segments: list[str]) -> list[str]:
    """Drop OpenAPI's array segments (``items`` right after ``Objects`` or ``Element``)."""
    out: list[str] = []
    for seg in segments:
        if seg == "items" and out and out[-1] in ("Objects", "Element"):
            continue
        out.append(seg)
    return out


def update_location(
    path: str, connector: str | None, facts: ConnectorFacts
) -> tuple[tuple[str, ...], str | None]:
    """``(object path, field id or None)`` of an UpdateConnector property path.

    ``connector`` (from the row's Connector column) replaces the root element; without one, the
    ``facts`` say which connector the root belongs to, else the root is taken as the connector.
    """
    segments = strip_items([s for s in path.strip().strip("/").split("/")])
    if not segments or not segments[0]:
        raise PathError("empty property path")
    root = segments[0]
    cid = connector or facts.connector_for_root(root) or root
    for seg in (cid, *segments[1:]):
        if not ID_RE.match(seg):
            raise PathError(f"{seg[:60]!r} is not an AFAS id")
    object_path = [cid]
    i = 1
    bad = PathError(
        f"{path[:200]!r} is not of the form {root}/Element[/Objects/<Object>/Element…]/Fields/<FieldId>"
    )
    while i < len(segments):
        if segments[i] != "Element":
            raise bad
        i += 1
        if i == len(segments):
            return tuple(object_path), None
        if segments[i] == "Fields" and i + 2 == len(segments):
            return tuple(object_path), segments[i + 1]
        if segments[i] == "Objects" and i + 1 < len(segments):
            object_path.append(segments[i + 1])
            i += 2
            continue
        raise bad
    if len(object_path) == 1:
        raise bad
    return tuple(object_path), None


def get_location(path: str, connector: str | None) -> tuple[str, str]:
    """``(connector, output name)`` of a GetConnector path ``{C}/Fields/{name}``."""
    head, sep, name = path.strip().partition("/Fields/")
    if not sep or not name:
        raise PathError(f"{path[:200]!r} is not of the form <GetConnector>/Fields/<name>")
    cid = connector or head.strip("/")
    if not ID_RE.match(cid):
        raise PathError(f"{cid[:60]!r} is not an AFAS id")
    return cid, name


__all__ = ["ID_RE", "PathError", "get_location", "strip_items", "update_location"]
