"""The check registry: one small class per check, collected by id (yamllint style).

A check declares its checklist id (``AC0xx``), title, default severity, data sources, the AFAS
AppConnector Auditor message it corresponds to, a remediation and a docstring that *is* its
documentation (``docs/checks.md`` is generated from the registry by :mod:`afasgov.audit.docs`).
``run(ctx)`` yields :class:`~afasgov.audit.findings.Finding` objects; what a check cannot decide
from the data it records with ``ctx.not_seen``.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable
from typing import ClassVar, TypedDict, TypeVar, Unpack

from afasgov.audit.context import AuditContext
from afasgov.audit.findings import fingerprint_of
from afasgov.findings import Finding, Location, Severity
from afasgov.secrets import redact

#: data source keys (security checklist, "Src" column) -> description.
SOURCES: dict[str, str] = {
    "a": "`/metainfo` of the App Connector's token (scope lists and `info`)",
    "b": "`/metainfo/get|update/{id}` (connector field metadata)",
    "c": "`.gcn` GetConnector definitions in the repository",
    "d": "afasgov's own configuration and the repository (working tree and git history)",
    "e": "organisation policy file and integration manifests",
}

#: the modules that hold the check families, in documentation order.
FAMILIES: tuple[str, ...] = ("scopes", "fields", "gcn_definitions", "configuration", "secrets_scan", "policy")

FAMILY_TITLES: dict[str, str] = {
    "scopes": "App Connector scopes (`/metainfo`)",
    "fields": "Fields (connector metainfo and `.gcn` definitions)",
    "gcn_definitions": "GetConnector definitions (`.gcn`)",
    "configuration": "Configuration (`afasgov.yaml`)",
    "secrets_scan": "Secrets in the repository (working tree and git history)",
    "policy": "Policy, integration manifests and what the API cannot show",
}


class Where(TypedDict, total=False):
    """Where a finding is (:class:`~afasgov.findings.Location` fields a check fills in)."""

    environment: str
    app_connector: str
    connector: str
    connector_type: str
    field: str
    path: str
    file: str
    line: int


class Check:
    """Base class of every check (see the module docstring)."""

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.INFO
    sources: ClassVar[tuple[str, ...]] = ()
    #: the AFAS AppConnector Auditor message(s) this check corresponds to, e.g. ``"STRUCT-27/28"``.
    auditor: ClassVar[str] = ""
    #: ``full`` (✔), ``partial`` (◐) or ``none`` (✘): does the Auditor report this? (security checklist
    #: §1 "Aud" column and §2).
    auditor_coverage: ClassVar[str] = "none"
    #: how the Auditor covers it, where there is no message id: a sentence starting with "Auditor", e.g.
    #: "Auditor lists UpdateConnectors without risk rating". A covered check needs ``auditor`` or this.
    auditor_note: ClassVar[str] = ""
    remediation: ClassVar[str] = ""
    #: ``yes`` | ``partly`` | ``policy`` (only from declarations) — and why, in ``limits``.
    decidable: ClassVar[str] = "yes"
    limits: ClassVar[str] = ""
    family: ClassVar[str] = ""

    def run(self, ctx: AuditContext) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def auditor_reference(cls) -> str:
        """What every finding of this check carries as ``auditor_ref``: the Auditor's message id where
        there is one (``AUT-19``), else how far the Auditor goes, marked ✔ or ◐ ("Auditor lists
        UpdateConnectors without risk rating (◐)"); empty for checks beyond the Auditor (✘)."""
        if cls.auditor_coverage == "none":
            return ""
        if cls.auditor:
            return cls.auditor
        return f"{cls.auditor_note} ({COVERAGE_MARK[cls.auditor_coverage]})" if cls.auditor_note else ""

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    def finding(
        self,
        message: str,
        /,
        *,
        severity: Severity | None = None,
        evidence: str = "",
        key: str = "",
        **where: Unpack[Where],
    ) -> Finding:
        """A finding of this check: its title, severity, remediation and Auditor reference, the message and
        evidence redacted, the fingerprint from where it is and ``key`` (which tells findings of one check
        on the same subject apart); ``severity=`` overrides the check's default for this finding."""
        sev = severity or self.severity
        location = Location(
            environment=where.get("environment", ""),
            app_connector=where.get("app_connector", ""),
            connector_type=where.get("connector_type", ""),
            connector=where.get("connector", ""),
            field=where.get("field") or None,
            path=where.get("path", ""),
            file=where.get("file", ""),
            line=where.get("line", 0),
        )
        return Finding(
            id=self.id,
            level=sev.level,
            text=redact(message),
            kind="audit",
            location=location,
            title=self.title,
            severity=sev,
            evidence=redact(evidence),
            remediation=self.remediation,
            reference=self.auditor_reference(),
            fingerprint=fingerprint_of(self.id, location, key),
            extra={"key": key} if key else {},
        )


#: coverage -> the checklist's mark.
COVERAGE_MARK: dict[str, str] = {"full": "✔", "partial": "◐", "none": "✘"}

_REGISTRY: dict[str, type[Check]] = {}

C = TypeVar("C", bound=type[Check])


def register(cls: C) -> C:
    """Class decorator: add a check to the registry (ids are unique)."""
    if not cls.id or not cls.title or not cls.__doc__:
        raise TypeError(f"check {cls.__name__} needs id, title and a docstring")
    if cls.auditor_coverage not in COVERAGE_MARK:
        raise TypeError(f"check {cls.id}: auditor_coverage must be one of {', '.join(COVERAGE_MARK)}")
    if cls.auditor_coverage != "none" and not cls.auditor_reference():
        raise TypeError(
            f"check {cls.id}: the Auditor covers it ({cls.auditor_coverage}), so it needs `auditor` (the "
            "message id) or `auditor_note` (how far the Auditor goes)"
        )
    if cls.id in _REGISTRY and _REGISTRY[cls.id] is not cls:
        raise ValueError(f"duplicate check id {cls.id}")
    cls.family = cls.__module__.rsplit(".", 1)[-1]
    _REGISTRY[cls.id] = cls
    return cls


def load_families() -> None:
    for family in FAMILIES:
        importlib.import_module(f"afasgov.audit.{family}")


def all_checks() -> list[type[Check]]:
    """Every registered check, by id."""
    load_families()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def get_check(check_id: str) -> type[Check]:
    load_families()
    try:
        return _REGISTRY[check_id.upper()]
    except KeyError:
        from afasgov.errors import UsageError

        raise UsageError(f"unknown check id {check_id!r} (known: AC001…{max(_REGISTRY)})") from None


def select_checks(only: Iterable[str] = (), skip: Iterable[str] = ()) -> list[type[Check]]:
    """Checks to run: ``only`` ids (default all) minus ``skip`` ids; unknown ids are usage errors."""
    chosen = [get_check(i) for i in only] if only else all_checks()
    skipped = {get_check(i).id for i in skip}
    return [c for c in chosen if c.id not in skipped]
