"""Connector facts the notes parser needs beyond the notes themselves: which UpdateConnector a payload
root element belongs to.

AFAS writes a property path from the payload's root element, which is not always the connector
(``AfasEmployee/…`` for ``KnEmployee``, ``FiEntryPar/…`` for ``FiEntries``, ``KnOrgunit/…`` for
``KnOrgUnit``). A row's Connector column names the connector, and then the root is simply replaced;
only rows without one need these facts. :class:`ConnectorFacts` is the small interface the parser
asks; :func:`default_facts` is AFAS's connector catalogue (:mod:`afasgov.catalogue`, generated from
AFAS's OpenAPI specs); :data:`NO_FACTS` knows nothing (the root then stands for the connector).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


class ConnectorFacts(Protocol):
    """What the parser asks about connectors."""

    def connector_for_root(self, root: str) -> str | None:
        """The UpdateConnector whose payloads start with ``root`` (``None``: unknown)."""
        ...


@dataclass(frozen=True)
class RootTable:
    """Facts from a plain table: payload root element → connector."""

    roots: Mapping[str, str] = field(default_factory=dict)

    def connector_for_root(self, root: str) -> str | None:
        return self.roots.get(root)


NO_FACTS: ConnectorFacts = RootTable()


class _Catalogue:
    """AFAS's connector catalogue, loaded when a row first needs it (most rows name their connector)."""

    def connector_for_root(self, root: str) -> str | None:
        from afasgov import catalogue

        return catalogue.connector_for_root(root)


def default_facts() -> ConnectorFacts:
    """The facts afasgov ships: AFAS's connector catalogue (:mod:`afasgov.catalogue`)."""
    return _Catalogue()


__all__ = ["NO_FACTS", "ConnectorFacts", "RootTable", "default_facts"]
