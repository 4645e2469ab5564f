"""What a diff rule reports: a :class:`~afasgov.findings.Finding` of kind ``diff``, with exactly the JSON
shape of DESIGN §6 (:func:`change_json`) and a stable fingerprint (:func:`fingerprint_of`)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from afasgov.findings import Finding

#: connector types of DESIGN §5.
CONNECTOR_TYPES = ("get", "update", "gcn", "app-connector", "environment")

JSONValue = Any

#: the keys of a change in JSON output (DESIGN §6), in this order.
JSON_KEYS = (
    "id",
    "level",
    "connector_type",
    "connector",
    "object_path",
    "field",
    "value",
    "path",
    "before",
    "after",
    "text",
    "fingerprint",
    "waived",
    "waiver",
)


def fingerprint_of(
    rule_id: str,
    connector_type: str,
    connector: str,
    object_path: tuple[str, ...],
    field: str | None,
    value: str | None,
    before: JSONValue,
    after: JSONValue,
) -> str:
    """``sha256:`` + 16 hex digits over what identifies a change (not its level, text or waiver):
    stable across runs and independent of the order of the inputs."""
    key = json.dumps(
        [rule_id, connector_type, connector, list(object_path), field, value, before, after],
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
        default=str,
    )
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def change_json(change: Finding) -> dict[str, Any]:
    """A change as DESIGN §6 writes it: exactly :data:`JSON_KEYS`, in that order."""
    loc = change.location
    return {
        "id": change.id,
        "level": change.level,
        "connector_type": loc.connector_type,
        "connector": loc.connector,
        "object_path": list(loc.object_path),
        "field": loc.field,
        "value": loc.value,
        "path": loc.path,
        "before": change.before,
        "after": change.after,
        "text": change.text,
        "fingerprint": change.fingerprint,
        "waived": change.waived,
        "waiver": change.waiver.to_json() if change.waiver is not None else None,
    }


def sort_key(change: Finding) -> tuple[int, str, str, str, str, str]:
    """The order changes are reported in: by connector type (DESIGN §5 order), connector, path, rule."""
    loc = change.location
    return (
        CONNECTOR_TYPES.index(loc.connector_type) if loc.connector_type in CONNECTOR_TYPES else 9,
        loc.connector,
        loc.path,
        change.id,
        loc.value or "",
        change.fingerprint,
    )


__all__ = ["CONNECTOR_TYPES", "JSON_KEYS", "change_json", "fingerprint_of", "sort_key"]
