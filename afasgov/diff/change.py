"""A change found by the diff engine, with exactly the JSON shape of DESIGN §6."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from afasgov.report.document import WaiverRef

#: connector types of DESIGN §5.
CONNECTOR_TYPES = ("get", "update", "gcn", "app-connector", "environment")

JSONValue = Any


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


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between BASE and REVISION, as one rule reports it.

    ``level`` is the level after integration regrading; ``rule_level`` the rule's own level.
    ``notes`` say why a level was regraded and which integrations are hit; ``file`` is the snapshot
    file of the connector in REVISION (or BASE when it is gone), for SARIF/GitHub locations.
    """

    id: str
    level: str
    connector_type: str
    connector: str
    object_path: tuple[str, ...]
    field: str | None
    value: str | None
    path: str
    before: JSONValue
    after: JSONValue
    text: str
    fingerprint: str
    waived: bool = False
    waiver: WaiverRef | None = None
    rule_level: str = ""
    notes: tuple[str, ...] = ()
    file: str = ""
    extra: dict[str, Any] = dc_field(default_factory=dict, compare=False, hash=False)

    def to_json(self) -> dict[str, Any]:
        """Exactly the keys of DESIGN §6, in that order."""
        return {
            "id": self.id,
            "level": self.level,
            "connector_type": self.connector_type,
            "connector": self.connector,
            "object_path": list(self.object_path),
            "field": self.field,
            "value": self.value,
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "text": self.text,
            "fingerprint": self.fingerprint,
            "waived": self.waived,
            "waiver": self.waiver.to_json() if self.waiver is not None else None,
        }

    def sort_key(self) -> tuple[int, str, str, str, str, str]:
        return (
            CONNECTOR_TYPES.index(self.connector_type) if self.connector_type in CONNECTOR_TYPES else 9,
            self.connector,
            self.path,
            self.id,
            self.value or "",
            self.fingerprint,
        )


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

__all__ = ["CONNECTOR_TYPES", "JSON_KEYS", "Change", "fingerprint_of"]
