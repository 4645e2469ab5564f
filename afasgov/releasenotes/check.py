"""Accept against the notes: after Accept got the release, was everything announced there, and was
everything there announced?

Given the announced changes and the changes ``afasgov diff BASE REVISION`` reports:

* **confirmed** — the diff has the announced change (same rule id, connector, path and code), or the
  announced change lies inside one the diff reports as a whole (a field of a new nested object or of
  a new connector: the diff reports the object or connector once);
* **not visible** — announced, but not between the snapshots; with why where it is known: the
  connector is in neither snapshot (no App Connector of this tenant may use it), the change is to a
  DELETE endpoint (metainfo describes what POST and PUT accept), a standard GetConnector no App
  Connector is authorised for, the endpoint of a nested object (metainfo shows the object, not its
  endpoints), or the connector is missing from the revision;
* **unannounced** — the diff has it, the notes do not: custom fields and App Connector configuration
  (the tenant's own), or an omission in the notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from afasgov.diff.change import sort_key
from afasgov.findings import Finding
from afasgov.model import EnvironmentSnapshot
from afasgov.releasenotes.model import (
    SCOPE_SUB_ENDPOINT,
    AnnouncedChange,
    Key,
    ReleaseNotes,
    change_key,
)

#: rule ids that add something / remove something (for "inside a new object or connector").
ADDING = frozenset(
    {
        "new-optional-request-property",
        "new-required-request-property",
        "request-property-enum-value-added",
        "afas-request-object-added",
        "afas-custom-field-appeared",
        "endpoint-added",
        "response-optional-property-added",
    }
)
REMOVING = frozenset(
    {
        "request-property-removed",
        "request-property-enum-value-removed",
        "afas-request-object-removed",
        "afas-custom-field-missing",
        "api-path-removed-without-deprecation",
        "response-optional-property-removed",
    }
)
_OBJECT_ID = {True: "afas-request-object-added", False: "afas-request-object-removed"}
_CONNECTOR_ID = {True: "endpoint-added", False: "api-path-removed-without-deprecation"}

# reasons an announced change is not visible (``NotVisible.reason``)
NOT_AUTHORISED = "not-authorised"
GETCONNECTOR_ONLY = "getconnector-only"
DELETE_ONLY = "delete-only"
SUB_ENDPOINT = "sub-endpoint"
MISSING_IN_REVISION = "missing-in-revision"
ALREADY = "already-so"
ABSENT = "absent"
#: reasons whose changes are counted, not listed (AFAS's notes cover every connector of every module).
COUNTED = (NOT_AUTHORISED, GETCONNECTOR_ONLY)
REASON_TITLES = {
    NOT_AUTHORISED: "not authorised",
    GETCONNECTOR_ONLY: "GetConnector-only",
    DELETE_ONLY: "DELETE-only",
    SUB_ENDPOINT: "nested object's endpoint",
    MISSING_IN_REVISION: "connector missing from the revision",
    ALREADY: "already so in both snapshots",
    ABSENT: "not between the snapshots",
}


@dataclass(frozen=True)
class Confirmed:
    announced: AnnouncedChange
    #: the diff change that shows it (the whole object or connector when it is part of one).
    change: Finding
    how: str = ""


@dataclass(frozen=True)
class NotVisible:
    announced: AnnouncedChange
    reason: str
    why: str


@dataclass(frozen=True)
class Unannounced:
    change: Finding
    hint: str


@dataclass
class CheckResult:
    base: str
    revision: str
    confirmed: list[Confirmed] = field(default_factory=list)
    not_visible: list[NotVisible] = field(default_factory=list)
    unannounced: list[Unannounced] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"confirmed": len(self.confirmed), "not_visible": len(self.not_visible),
               "unannounced": len(self.unannounced)}
        for reason in REASON_TITLES:
            out[f"not_visible.{reason}"] = sum(1 for n in self.not_visible if n.reason == reason)
        return out

    def status_of(self) -> dict[Key, str]:
        """announced key → ``confirmed`` | ``not-visible:<reason>``."""
        out = {c.announced.key: "confirmed" for c in self.confirmed}
        out.update({n.announced.key: f"not-visible:{n.reason}" for n in self.not_visible})
        return out


def _object_paths(object_path: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every enclosing object path below the connector, outermost first (a field's own object too)."""
    return [object_path[:i] for i in range(2, len(object_path) + 1)]


def _container(a: AnnouncedChange, actual: dict[Key, list[Finding]]) -> tuple[Finding, str] | None:
    """The diff change for a whole new/removed object or connector that contains ``a``."""
    if a.connector_type != "update" or (a.id not in ADDING and a.id not in REMOVING):
        return None
    adding = a.id in ADDING
    from afasgov.diff.engine import update_path

    own = a.object_path if a.field is not None else a.object_path[:-1]
    for op in _object_paths(own):
        path = update_path(op)
        hit = actual.get((_OBJECT_ID[adding], "update", a.connector, path, ""))
        if hit:
            return hit[0], f"part of {'the new' if adding else 'the removed'} object {path}"
    if a.id != _CONNECTOR_ID[adding]:
        hit = actual.get((_CONNECTOR_ID[adding], "update", a.connector, a.connector, ""))
        if hit:
            return hit[0], f"part of {'the new' if adding else 'the removed'} connector {a.connector}"
    return None


def _sub_endpoint(a: AnnouncedChange, actual: dict[Key, list[Finding]]) -> tuple[Finding, str] | None:
    """``endpoint added`` for ``/connectors/C/O``: shown by the object ``O`` appearing in ``C``."""
    if a.scope != SCOPE_SUB_ENDPOINT or a.id not in _CONNECTOR_ID.values():
        return None
    adding = a.id == "endpoint-added"
    obj = a.path.split("/")[1] if "/" in a.path else ""
    path = f"{a.connector}/Element/Objects/{obj}"
    hit = actual.get((_OBJECT_ID[adding], "update", a.connector, path, ""))
    return (hit[0], f"shown by the object {path}") if hit else None


def _has(snapshot: EnvironmentSnapshot | None, a: AnnouncedChange) -> bool:
    if snapshot is None:
        return False
    if a.connector_type == "update":
        return a.connector in snapshot.update_connectors
    if a.connector_type in ("get", "gcn"):
        return a.connector in snapshot.get_connectors
    if a.connector_type == "app-connector":
        return a.connector in snapshot.app_connectors
    return True


def _already(
    a: AnnouncedChange, base: EnvironmentSnapshot | None, revision: EnvironmentSnapshot | None
) -> str | None:
    """Why an addition or removal is not between the snapshots when both are already in its end state."""
    from afasgov.releasenotes.impact import present

    if base is None or revision is None:
        return None
    before, after = present(a, base), present(a, revision)
    if a.id in ADDING and before is True and after is True:
        return "{base} and {revision} both have {path} already (it came before {base} was taken)"
    if a.id in REMOVING and before is False and after is False:
        return "neither {base} nor {revision} has {path}"
    return None


def why_not_visible(
    a: AnnouncedChange,
    base: EnvironmentSnapshot | None,
    revision: EnvironmentSnapshot | None,
    base_name: str,
    revision_name: str,
) -> tuple[str, str]:
    """``(reason, why)`` for an announced change the diff does not show."""
    in_base, in_rev = _has(base, a), _has(revision, a)
    if not in_base and not in_rev and a.connector_type in ("get", "gcn"):
        reason, why = GETCONNECTOR_ONLY, (
            f"GetConnector {a.connector} is in neither snapshot: a standard GetConnector appears in "
            "metainfo only once an App Connector is authorised for it"
        )
    elif not in_base and not in_rev:
        reason, why = NOT_AUTHORISED, (
            f"{a.connector} is in neither snapshot: no App Connector of this tenant may use it"
        )
    elif a.delete_only:
        reason, why = DELETE_ONLY, (
            "DELETE-only: metainfo describes what POST and PUT accept, not the DELETE endpoint "
            f"{a.path if '@' in a.path else a.connector}"
        )
    elif a.scope == SCOPE_SUB_ENDPOINT:
        reason, why = SUB_ENDPOINT, (
            f"the endpoint /connectors/{a.path} posts a nested object on its own: metainfo shows the "
            "object, not its endpoints"
        )
    elif in_base and not in_rev:
        reason, why = MISSING_IN_REVISION, f"{a.connector} is in {base_name} but not in {revision_name}"
    elif (state := _already(a, base, revision)) is not None:
        reason, why = ALREADY, state.format(base=base_name, revision=revision_name, path=a.path)
    else:
        reason, why = ABSENT, (
            f"not between {base_name} and {revision_name}: the release has not reached {revision_name} yet, "
            "or this tenant's environment differs from AFAS's"
        )
    if a.remarks:
        remark = a.remarks[0]
        why += f"; the notes remark: “{remark[:200]}{'…' if len(remark) > 200 else ''}”"
    return reason, why


def unannounced_hint(change: Finding) -> str:
    """Where an unannounced change likely comes from."""
    loc = change.location
    if change.id.startswith("afas-custom-field"):
        return "a custom field: custom fields exist per environment (tenant configuration, not the release)"
    if loc.connector_type == "app-connector":
        return "App Connector configuration of this tenant"
    if loc.connector_type == "environment":
        return "the Profit version itself"
    if "label" in change.id or "description" in change.id:
        return "display text (labels and descriptions follow the language of the snapshot)"
    if loc.connector_type in ("get", "gcn") and not loc.connector.startswith("Profit_"):
        return "a GetConnector of this tenant (not one of AFAS's standard Profit_… GetConnectors)"
    return "not in the notes: an omission in the notes, or a change made in this tenant"


def check(
    notes: ReleaseNotes,
    changes: Sequence[Finding],
    *,
    base: EnvironmentSnapshot | None = None,
    revision: EnvironmentSnapshot | None = None,
    base_name: str = "base",
    revision_name: str = "revision",
) -> CheckResult:
    """Sort the announced changes and the diff's ``changes`` into confirmed, not visible, unannounced."""
    actual: dict[Key, list[Finding]] = {}
    for c in changes:
        actual.setdefault(change_key(c), []).append(c)
    covered: set[Key] = set()
    result = CheckResult(base_name, revision_name)
    for a in notes.changes:
        hits = actual.get(a.key)
        if hits:
            result.confirmed.append(Confirmed(a, hits[0]))
            covered.add(a.key)
            continue
        inside = _container(a, actual) or _sub_endpoint(a, actual)
        if inside is not None:
            change, how = inside
            result.confirmed.append(Confirmed(a, change, how))
            covered.add(change_key(change))
            continue
        reason, why = why_not_visible(a, base, revision, base_name, revision_name)
        result.not_visible.append(NotVisible(a, reason, why))
    for key, cs in actual.items():
        if key in covered:
            continue
        for c in cs:
            result.unannounced.append(Unannounced(c, unannounced_hint(c)))
    result.unannounced.sort(key=lambda u: sort_key(u.change))
    return result


__all__ = [
    "ABSENT",
    "ALREADY",
    "COUNTED",
    "DELETE_ONLY",
    "GETCONNECTOR_ONLY",
    "MISSING_IN_REVISION",
    "NOT_AUTHORISED",
    "REASON_TITLES",
    "SUB_ENDPOINT",
    "CheckResult",
    "Confirmed",
    "NotVisible",
    "Unannounced",
    "check",
    "unannounced_hint",
    "why_not_visible",
]
