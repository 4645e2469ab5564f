"""One finding model for everything afasgov checks: diff rules (snapshots and ``.gcn`` definitions),
payload checks and audit checks all produce :class:`Finding` objects, and every renderer takes a list
of them.

* :data:`LEVELS` (``ERR`` > ``WARN`` > ``INFO``), :func:`level_rank`, :func:`at_or_above`: the levels
  ``--fail-on`` compares; defined here and nowhere else.
* :class:`Severity` and :data:`SEVERITY_LEVEL`: the audit's severities (critical … info) and the
  level each maps to (DESIGN §7: critical, high → ERR; medium → WARN; low, info → INFO).
* :class:`Location`: where a finding is, as data (environment, App Connector, connector type and id,
  object path, field, value, the canonical path of DESIGN §5, and a file + line where there is one).
  Renderers read these fields; no code renders a location to text and parses it back.
* :class:`Finding`: what one rule or check found at one location (its text separate from detection
  data such as ``before``/``after`` and ``evidence``), with a stable ``fingerprint``, the integrations
  it affects and, once waivers are applied, the :class:`WaiverRef` that covers it.
* :class:`CatalogueEntry`: the interface of every rule and check (diff rules, ``.gcn`` rules, payload
  checks, audit checks): ``id``, ``level``, ``title``, ``remediation`` and ``doc()`` (the docstring is
  the documentation). Each registry exposes ``entries() -> dict[str, CatalogueEntry]``.

This module sits low in the data flow (it imports only :mod:`afasgov.errors`), so every layer can
produce findings and the report layer can render them (``docs/architecture.md``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from enum import StrEnum
from typing import Any, Final, Protocol

from afasgov.errors import UsageError

#: levels from most to least severe; ``--fail-on`` compares against this order.
LEVELS: Final[tuple[str, ...]] = ("ERR", "WARN", "INFO")
_RANK: Final[Mapping[str, int]] = {lvl: i for i, lvl in enumerate(LEVELS)}

#: where a finding comes from (the release report's sections, in report order).
KINDS: Final[tuple[str, ...]] = ("diff", "validation", "audit")


def level_rank(level: str) -> int:
    """0 for ERR, 1 for WARN, 2 for INFO; an unknown level ranks below INFO."""
    return _RANK.get(level, len(LEVELS))


#: ``--fail-on none``: report everything, never fail (exit 0 whatever was found)
FAIL_ON_NONE: Final = "none"
#: every value ``--fail-on`` takes (any case), as levels
FAIL_ON: Final[tuple[str, ...]] = (*LEVELS, FAIL_ON_NONE)


def at_or_above(level: str, threshold: str) -> bool:
    """True when ``level`` is as severe as ``threshold`` or more (ERR ≥ WARN ≥ INFO); never for the
    threshold ``none`` (``--fail-on none``)."""
    if threshold == FAIL_ON_NONE:
        return False
    return level_rank(level) <= level_rank(threshold)


class Severity(StrEnum):
    """The security checklist's severities, most severe first."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def level(self) -> str:
        """``ERR`` | ``WARN`` | ``INFO`` (DESIGN §7)."""
        return SEVERITY_LEVEL[self.value]

    @property
    def rank(self) -> int:
        """0 for critical … 4 for info (sort key)."""
        return list(Severity).index(self)


#: audit severities (DESIGN §7) → the level ``--fail-on`` compares.
SEVERITY_LEVEL: Final[Mapping[str, str]] = {
    "critical": "ERR",
    "high": "ERR",
    "medium": "WARN",
    "low": "INFO",
    "info": "INFO",
}


def level_of_severity(severity: str) -> str:
    """The level of a severity name (case-insensitive); an unknown name counts as ``WARN``."""
    return SEVERITY_LEVEL.get(severity.strip().lower(), "WARN")


def parse_fail_on(value: str) -> str:
    """``--fail-on``: a level (ERR/WARN/INFO), a severity (critical … info) → the level; ``none`` → ``none``.
    Any case."""
    text = value.strip()
    if text.upper() in LEVELS:
        return text.upper()
    if text.lower() in SEVERITY_LEVEL:
        return SEVERITY_LEVEL[text.lower()]
    if text.lower() == FAIL_ON_NONE:
        return FAIL_ON_NONE
    raise UsageError(
        f"--fail-on: {value!r} is not one of ERR, WARN, INFO, none, critical, high, medium, low, info")


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding is.

    ``connector_type`` is ``get`` | ``update`` | ``gcn`` | ``app-connector`` | ``environment`` (DESIGN §5),
    or for audit findings also ``config`` | ``file`` | ``policy``. ``object_path`` lists the object names
    from the connector (first = connector id); ``path`` is the canonical path (DESIGN §5) or, for a finding
    in a repository file, ``file:line`` (with `` @ <commit>`` for git history). ``file``/``line`` locate the
    finding in a file of the repository where one is known (a snapshot file, a ``.gcn`` definition, a
    recorded payload, a file the secret scan read), relative to the repository root; ``line`` 0 = unknown.
    """

    environment: str = ""
    app_connector: str = ""
    connector_type: str = ""
    connector: str = ""
    object_path: tuple[str, ...] = ()
    field: str | None = None
    value: str | None = None
    path: str = ""
    file: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class WaiverRef:
    """How a finding was waived: the public fields of the waiver that covers it."""

    reason: str
    owner: str
    expires: str
    fingerprint: str | None = None
    id: str | None = None
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.fingerprint is not None:
            data["fingerprint"] = self.fingerprint
        if self.id is not None:
            data["id"] = self.id
        if self.path is not None:
            data["path"] = self.path
        data.update(reason=self.reason, owner=self.owner, expires=self.expires)
        return data


@dataclass(frozen=True, slots=True)
class Finding:
    """What one rule or check found at one :class:`Location`.

    ``level`` is the level the finding counts at (a diff change regraded by integration use, an audit
    finding's severity mapped by :data:`SEVERITY_LEVEL`); ``rule_level`` the rule's own level. ``text`` is
    the one-line message; ``before``/``after`` (diff), ``evidence`` (audit, redacted) and ``notes`` (why a
    level was regraded, which integrations use it) are data beside it. ``fingerprint`` is stable across
    runs (it never includes the level, the text or the waiver). ``extra`` holds facts a rule family adds
    for its own consumers (the ``.gcn`` field id of a field change).
    """

    id: str
    level: str
    text: str
    kind: str
    location: Location = Location()
    title: str = ""
    severity: Severity | None = None
    before: Any = None
    after: Any = None
    evidence: str = ""
    remediation: str = ""
    #: the AFAS AppConnector Auditor message (or how far the Auditor goes) an audit finding matches
    reference: str = ""
    #: the integrations (manifest names) this finding affects: a diff change they use, their payload
    integrations: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    rule_level: str = ""
    fingerprint: str = ""
    waiver: WaiverRef | None = None
    extra: Mapping[str, Any] = dc_field(default_factory=dict, compare=False, hash=False)

    # ------------------------------------------------------------------------------------ derived
    @property
    def waived(self) -> bool:
        return self.waiver is not None

    @property
    def path(self) -> str:
        """The one path waiver patterns match: the canonical path of a diff change or a payload problem;
        for an audit finding ``<environment>/<App Connector>/<canonical path>`` (empty parts and several
        App Connectors left out; a finding in a file: ``file:line``), as ``afasgov audit`` reports it."""
        loc = self.location
        if self.kind != "audit" or loc.connector_type == "file":
            return loc.path
        app = loc.app_connector if "," not in loc.app_connector else ""
        return "/".join(p for p in (loc.environment, app, loc.path or loc.connector) if p)

    @property
    def where(self) -> str:
        """Where the finding is, as one path for people and CI: :attr:`path` (else the connector, else the
        file) prefixed with the environment and the App Connector unless it already starts with them. Several App
        Connectors (``"hr-export, legacy-portal"``) are not spelled into it: :attr:`scope` names them."""
        loc = self.location
        base = self.path or loc.connector or loc.file
        prefix = [p for p in (loc.environment, loc.app_connector) if p and "," not in p]
        segments = base.split("/") if base else []
        if not prefix or segments[: len(prefix)] == prefix or segments[:1] == prefix[:1]:
            return base
        return "/".join(prefix + segments)

    @property
    def scope(self) -> str:
        """What :attr:`where` does not show: several App Connectors, the connector or the field when the path
        does not name them (``"App Connectors hr-export, legacy-portal; field BSN"``); empty otherwise."""
        loc = self.location
        segments = set(self.where.replace(":", "/").split("/"))
        parts = []
        if "," in loc.app_connector:
            parts.append(f"App Connectors {loc.app_connector}")
        if loc.connector and loc.connector not in segments:
            parts.append(f"connector {loc.connector}")
        if loc.field and loc.field not in segments:
            parts.append(f"field {loc.field}")
        return "; ".join(parts)

    def group_key(self) -> tuple[str, str, str, str]:
        """What a report groups by: (environment, App Connector, connector type, connector)."""
        loc = self.location
        return (loc.environment, loc.app_connector, loc.connector_type, loc.connector)

    def fails(self, threshold: str) -> bool:
        """Unwaived and at or above ``threshold``."""
        return not self.waived and at_or_above(self.level, threshold)

    def with_waiver(self, waiver: WaiverRef | None) -> Finding:
        return self if waiver is None and self.waiver is None else dataclasses.replace(self, waiver=waiver)


class CatalogueEntry(Protocol):
    """A rule or check as every registry describes it (a class or an instance may implement it)."""

    @property
    def id(self) -> str: ...

    @property
    def level(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def remediation(self) -> str: ...

    def doc(self) -> str:
        """The documentation (the docstring); its first paragraph is the short help."""
        ...


def count_by_level(findings: list[Finding]) -> dict[str, int]:
    """Unwaived findings per level (every level present, zero when none)."""
    counts = dict.fromkeys(LEVELS, 0)
    for f in findings:
        if not f.waived and f.level in counts:
            counts[f.level] += 1
    return counts


__all__ = [
    "FAIL_ON",
    "FAIL_ON_NONE",
    "KINDS",
    "LEVELS",
    "SEVERITY_LEVEL",
    "CatalogueEntry",
    "Finding",
    "Location",
    "Severity",
    "WaiverRef",
    "at_or_above",
    "count_by_level",
    "level_of_severity",
    "level_rank",
    "parse_fail_on",
]
