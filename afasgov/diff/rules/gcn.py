"""GetConnector definitions (``.gcn``): the rules live in :mod:`afasgov.gcn.diff` (their own
registry, ids ``afas-gcn-…`` and ``response-property-…``); this module turns their changes into
diff :class:`~afasgov.diff.change.Change` objects so that ``afasgov diff a.gcn b.gcn`` shares the
formats, waivers and integration impact of snapshot diffs."""

from __future__ import annotations

from typing import Any

from afasgov.diff.change import Change, fingerprint_of


def gcn_rules() -> list[Any]:
    """The ``.gcn`` rule classes (empty when :mod:`afasgov.gcn.diff` is not installed)."""
    try:
        from afasgov.gcn.diff import RULES
    except ImportError:  # pragma: no cover - the gcn package is part of afasgov
        return []
    return list(RULES)


def gcn_changes(a: Any, b: Any, *, file: str = "") -> list[Change]:
    """Diff two :class:`~afasgov.gcn.model.GcnDefinition` objects into Changes (``connector_type``
    ``gcn``, paths ``{Connector}/Fields/{output name}``)."""
    from afasgov.gcn.diff import diff_definitions

    out = []
    for g in diff_definitions(a, b):
        object_path = tuple(g.object_path) or (g.connector,)
        out.append(
            Change(
                id=g.id,
                level=g.level,
                connector_type="gcn",
                connector=g.connector,
                object_path=object_path,
                field=g.field,
                value=g.value,
                path=g.path,
                before=g.before,
                after=g.after,
                text=g.text,
                fingerprint=fingerprint_of(
                    g.id, "gcn", g.connector, object_path, g.field, g.value, g.before, g.after
                ),
                rule_level=g.level,
                file=file,
                extra={"field_id": g.field_id},
            )
        )
    out.sort(key=Change.sort_key)
    return out
