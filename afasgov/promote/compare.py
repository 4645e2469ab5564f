"""Compare a GetConnector definition with what an environment says about the connector.

What both sides know is the list of output fields: the definition's output fields (display 1) give
output name + field id; ``/metainfo/get/{id}`` gives ``id`` (= output name) + ``fieldId``. Fields
are paired as the diff engine pairs them (:func:`afasgov.diff.engine.match_get_fields`): by
(output name, field id), then by output name, then by field id. What is left over is a field the
environment has and the definition has not (``added``), or the reverse (``removed``); a pair with
another output name is ``renamed``, with another field id ``renumbered``. The blocked flag is
compared when the environment's is known.
"""

from __future__ import annotations

from dataclasses import dataclass

from afasgov.diff.engine import match_get_fields
from afasgov.gcn.model import GcnDefinition
from afasgov.model import GetConnector, GetField

#: delta kinds, in report order.
KINDS = ("removed", "added", "renamed", "renumbered", "blocked", "unblocked")


@dataclass(frozen=True)
class FieldDelta:
    """One way the environment differs from the definition."""

    kind: str
    field_id: str | None
    output_name: str | None
    #: the value in the definition / in the environment (output name, field id or flag)
    definition: str | None = None
    environment: str | None = None

    def text(self, env: str = "the environment") -> str:
        fid = f" ({self.field_id})" if self.field_id else ""
        if self.kind == "removed":
            return f"output field {self.output_name}{fid} is in the definition but not in {env}"
        if self.kind == "added":
            return f"output field {self.output_name}{fid} is in {env} but not in the definition"
        if self.kind == "renamed":
            return (
                f"field {self.field_id} is output as {self.environment} in {env}, {self.definition} in the definition"
            )
        if self.kind == "renumbered":
            return (
                f"output field {self.output_name} is field {self.environment} in {env}, "
                f"{self.definition} in the definition"
            )
        if self.kind == "blocked":
            return f"the connector is blocked in {env} but not in the definition"
        return f"the connector is blocked in the definition but not in {env}"

    def to_json(self) -> dict[str, str | None]:
        return {
            "kind": self.kind,
            "field_id": self.field_id,
            "output_name": self.output_name,
            "definition": self.definition,
            "environment": self.environment,
        }


def definition_fields(definition: GcnDefinition) -> tuple[GetField, ...]:
    """The definition's output fields as metainfo-like fields (output name, field id)."""
    return tuple(GetField(id=f.output_name or f.field_id, field_id=f.field_id) for f in definition.output_fields)


def compare_fields(
    definition: GcnDefinition, connector: GetConnector, *, check_blocked: bool = True
) -> list[FieldDelta]:
    """How ``connector`` (metainfo) differs from ``definition``; empty when they match."""
    env_fields = tuple(GetField(id=f.id, field_id=f.field_id) for f in connector.fields)
    deltas: list[FieldDelta] = []
    for d, e in match_get_fields(definition_fields(definition), env_fields):
        if d is None and e is not None:
            deltas.append(FieldDelta("added", e.field_id or None, e.id, None, e.id))
        elif e is None and d is not None:
            deltas.append(FieldDelta("removed", d.field_id, d.id, d.id, None))
        elif d is not None and e is not None:
            if d.id != e.id:
                deltas.append(FieldDelta("renamed", d.field_id, e.id, d.id, e.id))
            elif e.field_id and d.field_id != e.field_id:
                deltas.append(FieldDelta("renumbered", None, d.id, d.field_id, e.field_id))
    if check_blocked and connector.blocked is not None and connector.blocked != definition.blocked:
        kind = "blocked" if connector.blocked else "unblocked"
        deltas.append(FieldDelta(kind, None, None, str(definition.blocked).lower(), str(connector.blocked).lower()))
    deltas.sort(key=lambda x: (KINDS.index(x.kind), x.output_name or "", x.field_id or ""))
    return deltas


def order_differs(definition: GcnDefinition, connector: GetConnector) -> bool:
    """Same fields in another order (JSON clients do not care; positional ones might)."""
    return [f.output_name or f.field_id for f in definition.output_fields] != [f.id for f in connector.fields]


def behind(deltas: list[FieldDelta]) -> bool:
    """The environment lacks fields of the definition and nothing else: the definition's version has
    not been imported yet (or fields were removed by hand)."""
    return bool(deltas) and all(d.kind == "removed" for d in deltas)


__all__ = ["KINDS", "FieldDelta", "behind", "compare_fields", "definition_fields", "order_differs"]
