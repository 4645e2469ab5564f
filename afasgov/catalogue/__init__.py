"""AFAS's connector catalogue: facts from AFAS's public OpenAPI specifications.

For every UpdateConnector AFAS documents: the module(s) whose spec documents it (with the display
name AFAS's release notes head the module with: ``## <Module> Specification``), the payload's root
element (``FiEntries`` payloads start with ``FiEntryPar``), the operations AFAS offers (POST, PUT,
DELETE), the key fields of its DELETE path, and the nested objects that can be POSTed on their own.
For every GetConnector a spec documents: its module(s).

The data (``connectors.json`` next to this file) is generated from AFAS's specs by
``python -m afasgov.catalogue.regenerate`` (see :mod:`afasgov.catalogue.build`); a test fails when it
is stale. It holds facts only (names, methods, modules) and where they come from
(:func:`provenance`).

A connector the catalogue does not know (a custom connector, one of a module the specs leave out,
or one newer than the specs) gives ``None``: callers fall back to what they did without the
catalogue and say so.

::

    >>> from afasgov import catalogue
    >>> info = catalogue.update_connector("FiEntries")
    >>> info.root, info.operations                       # doctest: +SKIP
    ('FiEntryPar', ('POST',))
    >>> catalogue.connector_for_root("FiEntryPar")       # doctest: +SKIP
    'FiEntries'
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

DATA_FILE = "connectors.json"


@dataclass(frozen=True, slots=True)
class Module:
    """One AFAS API specification ("module"): ``name`` as the release notes head it, ``spec`` the
    spec's file name in AFAS's repository."""

    name: str
    spec: str


@dataclass(frozen=True, slots=True)
class UpdateConnectorInfo:
    """What AFAS documents about one UpdateConnector."""

    name: str
    #: every module whose spec documents the connector (a few are in two), sorted by name.
    modules: tuple[Module, ...]
    #: the payload's root element (``{"<root>": {"Element": …}}``, ``<root><Element>…``).
    root: str
    #: the operations AFAS offers, in the order POST, PUT, DELETE.
    operations: tuple[str, ...]
    #: the key fields of the DELETE path (``/connectors/{name}/{root}/@K1,@K2/{K1},{K2}``).
    delete_keys: tuple[str, ...] = ()
    #: nested objects AFAS documents a POST of their own for (``/connectors/{name}/{object}``).
    subrecords: tuple[str, ...] = ()

    @property
    def module(self) -> Module:
        """The first of :attr:`modules`."""
        return self.modules[0]

    def offers(self, operation: str) -> bool:
        """Whether AFAS offers ``operation`` (POST, PUT or DELETE; any case)."""
        return operation.upper() in self.operations


@dataclass(frozen=True, slots=True)
class GetConnectorInfo:
    """A GetConnector a spec documents (its ``rows``), with the module(s) that document it."""

    name: str
    modules: tuple[Module, ...]

    @property
    def module(self) -> Module:
        return self.modules[0]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where the catalogue's facts come from."""

    repository: str
    path: str
    spec_version: str | None
    commit: str | None
    date: str | None
    languages: tuple[str, ...]
    #: sha256 over the input files' names and hashes (``inputs``).
    inputs_sha256: str
    inputs: Mapping[str, str]

    def describe(self) -> str:
        """One line for reports and notes."""
        when = ", ".join(x for x in (f"commit {self.commit}" if self.commit else "", self.date or "") if x)
        version = f" version {self.spec_version}" if self.spec_version else ""
        return (f"{self.repository} {self.path}{version}" + (f" ({when})" if when else "")
                + f", inputs {self.inputs_sha256[:19]}")


class Catalogue:
    """The catalogue's facts, indexed (build one with :meth:`from_document`, or use :func:`load`)."""

    def __init__(
        self,
        modules: tuple[Module, ...],
        updates: Mapping[str, UpdateConnectorInfo],
        gets: Mapping[str, GetConnectorInfo],
        provenance: Provenance,
    ) -> None:
        self.modules = modules
        self.updates = dict(updates)
        self.gets = dict(gets)
        self._provenance = provenance
        roots: dict[str, list[str]] = {}
        for info in self.updates.values():
            roots.setdefault(info.root, []).append(info.name)
        #: root element → connector, for roots exactly one connector has.
        self.roots = {root: names[0] for root, names in roots.items() if len(names) == 1}

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Catalogue:
        modules = tuple(Module(m["name"], m["spec"]) for m in doc["modules"])
        by_name = {m.name: m for m in modules}
        updates = {
            name: UpdateConnectorInfo(
                name=name,
                modules=tuple(by_name[m] for m in u["modules"]),
                root=u["root"],
                operations=tuple(u["operations"]),
                delete_keys=tuple(u.get("delete_keys", ())),
                subrecords=tuple(u.get("subrecords", ())),
            )
            for name, u in doc["update_connectors"].items()
        }
        gets = {
            name: GetConnectorInfo(name=name, modules=tuple(by_name[m] for m in g["modules"]))
            for name, g in doc["get_connectors"].items()
        }
        p = doc["provenance"]
        prov = Provenance(
            repository=p["repository"],
            path=p["path"],
            spec_version=p.get("spec_version"),
            commit=p.get("commit"),
            date=p.get("date"),
            languages=tuple(p.get("languages", ())),
            inputs_sha256=p["inputs_sha256"],
            inputs=dict(p.get("inputs", {})),
        )
        return cls(modules, updates, gets, prov)

    def update_connector(self, name: str) -> UpdateConnectorInfo | None:
        """What AFAS documents about UpdateConnector ``name`` (``None``: not documented)."""
        return self.updates.get(name)

    def connector_for_root(self, root: str) -> str | None:
        """The UpdateConnector whose payloads start with ``root`` (``None``: no documented connector,
        or several)."""
        return self.roots.get(root)

    def get_connector(self, name: str) -> GetConnectorInfo | None:
        """The GetConnector ``name`` if a spec documents it."""
        return self.gets.get(name)

    def module_of(self, name: str) -> tuple[Module, ...]:
        """The modules documenting connector ``name`` (update or get; ``()`` when unknown)."""
        info = self.updates.get(name) or self.gets.get(name)
        return info.modules if info is not None else ()

    def provenance(self) -> Provenance:
        return self._provenance


@functools.cache
def load() -> Catalogue:
    """The catalogue shipped with afasgov (read once)."""
    data = resources.files(__name__).joinpath(DATA_FILE).read_bytes()
    return Catalogue.from_document(json.loads(data))


def update_connector(name: str) -> UpdateConnectorInfo | None:
    """What AFAS documents about UpdateConnector ``name`` (``None`` for custom or undocumented ones)."""
    return load().update_connector(name)


def connector_for_root(root: str) -> str | None:
    """The UpdateConnector whose payloads start with root element ``root`` (``None`` if unknown)."""
    return load().connector_for_root(root)


def get_connector(name: str) -> GetConnectorInfo | None:
    """The GetConnector ``name`` if AFAS's specs document it (``None`` otherwise)."""
    return load().get_connector(name)


def modules() -> tuple[Module, ...]:
    """Every module, sorted by name as the release notes list them."""
    return load().modules


def provenance() -> Provenance:
    """Where the shipped catalogue comes from (repository, path, version, commit/date, input hash)."""
    return load().provenance()


__all__ = [
    "Catalogue",
    "GetConnectorInfo",
    "Module",
    "Provenance",
    "UpdateConnectorInfo",
    "connector_for_root",
    "get_connector",
    "load",
    "modules",
    "provenance",
    "update_connector",
]
