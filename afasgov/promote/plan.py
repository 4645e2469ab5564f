"""Which GetConnectors differ between two environments, and what the administrator must import.

:func:`plan_promotion` compares the snapshots of the source (``--from``, e.g. test) and the target
(``--to``, e.g. production) with the diff engine (GetConnectors only; BASE = target, REVISION =
source, i.e. "what the target becomes"), then looks up each differing connector among the reviewed
definitions (by connector id; a definition is identified by its GUID) and decides:

* ``import`` — the reviewed definition is the source's version (same output names and field ids
  as the source's metainfo): its ``.gcn`` goes into the bundle;
* ``export`` — there is no reviewed definition, or it is not the source's version (it is the
  target's, or neither's): the administrator must export the connector from the source, review it
  (``afasgov gcn import``) and promote again;
* ``skip`` — not promotable: AFAS's supplied ``Profit*`` connectors (they change with releases,
  not by import), and connectors only the target has (promote never deletes).

Imports are ordered so that nothing breaks before it must: new connectors first, then changed
connectors by the worst level of their changes (INFO, WARN, then ERR), then by id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from afasgov.diff.change import sort_key
from afasgov.diff.engine import Engine
from afasgov.diff.impact import uses_change
from afasgov.diff.registry import all_rules
from afasgov.errors import UsageError
from afasgov.findings import Finding
from afasgov.integrations import Manifest
from afasgov.model import EnvironmentSnapshot, GetConnector
from afasgov.promote.compare import FieldDelta, compare_fields
from afasgov.promote.definitions import DefinitionSet, ReviewedDefinition
from afasgov.promote.verify import is_supplied

LEVELS = ("INFO", "WARN", "ERR")


@dataclass(frozen=True)
class IntegrationImpact:
    """An integration (manifest) that reads a promoted connector."""

    name: str
    owner: str
    app_connector: str | None
    uses: tuple[str, ...] | None  # output names, None = "*"
    hits: tuple[str, ...] = ()  # texts of the changes that touch what it uses

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "owner": self.owner,
            "app_connector": self.app_connector,
            "uses": list(self.uses) if self.uses is not None else "*",
            "hits": list(self.hits),
        }


@dataclass
class PlanItem:
    """One GetConnector that differs between the two environments."""

    connector: str
    status: str  # new | changed | only-in-target
    action: str  # import | export | skip
    reason: str = ""
    changes: list[Finding] = field(default_factory=list)
    definition: ReviewedDefinition | None = None
    #: how the source's metainfo differs from the reviewed definition (action export)
    deltas: list[FieldDelta] = field(default_factory=list)
    #: App Connectors of the target authorised for it (they see the change at once)
    app_connectors: list[str] = field(default_factory=list)
    #: App Connectors authorised for it in the source but not (yet) in the target
    authorise: list[str] = field(default_factory=list)
    integrations: list[IntegrationImpact] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    order: int = 0
    file: str = ""  # path inside the bundle
    sha256: str = ""
    size: int = 0

    @property
    def level(self) -> str:
        levels = [c.level for c in self.changes if c.level in LEVELS]
        return max(levels, key=LEVELS.index) if levels else "INFO"

    @property
    def guid(self) -> str | None:
        return self.definition.guid if self.definition is not None else None

    def sort_key(self) -> tuple[int, int, str]:
        return (0 if self.status == "new" else 1, LEVELS.index(self.level), self.connector.lower())


@dataclass
class PromotionPlan:
    """Everything promote decided; the bundle and the checklist are rendered from it."""

    source: str
    target: str
    source_snapshot: EnvironmentSnapshot
    target_snapshot: EnvironmentSnapshot
    definitions_dir: str
    items: list[PlanItem] = field(default_factory=list)
    #: reviewed definitions that match neither environment (for information)
    stale: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def imports(self) -> list[PlanItem]:
        return sorted((i for i in self.items if i.action == "import"), key=PlanItem.sort_key)

    @property
    def exports(self) -> list[PlanItem]:
        return sorted((i for i in self.items if i.action == "export"), key=PlanItem.sort_key)

    @property
    def skipped(self) -> list[PlanItem]:
        return sorted((i for i in self.items if i.action == "skip"), key=lambda i: i.connector.lower())

    @property
    def empty(self) -> bool:
        return not self.items

    @property
    def complete(self) -> bool:
        """Every differing connector that could be promoted is in the bundle."""
        return not self.exports


def _get_only(snapshot: EnvironmentSnapshot, ids: Iterable[str] | None = None) -> EnvironmentSnapshot:
    wanted = None if ids is None else set(ids)
    return EnvironmentSnapshot(
        name=snapshot.name,
        language=snapshot.language,
        get_connectors={k: v for k, v in snapshot.get_connectors.items() if wanted is None or k in wanted},
    )


def _get_rules() -> list[Any]:
    return [r for r in all_rules().values() if set(r.subjects) & {"get-connector", "get-field"}]


def get_changes(target: EnvironmentSnapshot, source: EnvironmentSnapshot) -> dict[str, list[Finding]]:
    """GetConnector changes from ``target`` to ``source``, per connector id."""
    result = Engine(_get_rules()).diff(
        _get_only(target), _get_only(source), base_name=target.name, revision_name=source.name
    )
    out: dict[str, list[Finding]] = {}
    for change in result.changes:
        if change.location.connector_type == "get":
            out.setdefault(change.location.connector, []).append(change)
    return out


def _authorised(snapshot: EnvironmentSnapshot, connector: str) -> list[str]:
    key = connector.lower()
    return sorted(
        name
        for name, scope in snapshot.app_connectors.items()
        if any(ref.id.lower() == key for ref in scope.get_connectors)
    )


def _integrations(
    connector: str, changes: Sequence[Finding], manifests: Iterable[Manifest], target: str
) -> list[IntegrationImpact]:
    out = []
    for m in manifests:
        uses = next((v for k, v in m.uses_get.items() if k.lower() == connector.lower()), ...)
        if uses is ...:
            continue
        hits = tuple(c.text for c in changes if uses_change(m, c, envs=[target]))
        out.append(
            IntegrationImpact(
                m.name,
                m.owner,
                m.app_connector_for(target),
                None if uses is None else tuple(sorted(uses)),
                hits,
            )
        )
    return out


def _decide(
    item: PlanItem,
    definition: ReviewedDefinition | None,
    source: GetConnector,
    target: GetConnector | None,
    *,
    src_name: str,
    tgt_name: str,
) -> None:
    item.definition = definition
    if definition is None:
        item.action = "export"
        item.reason = (
            f"no reviewed definition: export {item.connector} from {src_name} as .gcn, review it "
            f"with 'afasgov gcn import', commit, and promote again"
        )
        return
    vs_source = compare_fields(definition.definition, source, check_blocked=False)
    if not vs_source:
        item.action = "import"
        if target is not None and not compare_fields(definition.definition, target, check_blocked=False):
            item.notes.append(
                f"the output names and field ids are the same in {src_name} and {tgt_name}; the "
                "difference is in types, lengths, labels or the blocked flag (e.g. another source "
                "field behind the same output name)"
            )
        return
    item.action = "export"
    item.deltas = vs_source
    if target is not None and not compare_fields(definition.definition, target, check_blocked=False):
        item.reason = (
            f"the reviewed definition ({definition.yaml_path.name}) is {tgt_name}'s version; "
            f"{src_name} has unreviewed changes: export it from {src_name}, review with "
            "'afasgov gcn import', commit, and promote again"
        )
    else:
        item.reason = (
            f"the reviewed definition ({definition.yaml_path.name}) does not match {src_name}: "
            f"export it from {src_name}, review with 'afasgov gcn import', commit, and promote again"
        )


def plan_promotion(
    source: EnvironmentSnapshot,
    target: EnvironmentSnapshot,
    definitions: DefinitionSet,
    manifests: Iterable[Manifest] = (),
    *,
    only: Sequence[str] = (),
) -> PromotionPlan:
    """Decide what to promote from ``source`` to ``target`` (see the module docstring)."""
    manifests = list(manifests)
    plan = PromotionPlan(
        source=source.name,
        target=target.name,
        source_snapshot=source,
        target_snapshot=target,
        definitions_dir=str(definitions.directory),
    )
    src = {k.lower(): v for k, v in source.get_connectors.items()}
    tgt = {k.lower(): v for k, v in target.get_connectors.items()}
    wanted: set[str] | None = None
    if only:
        wanted = {o.lower() for o in only}
        unknown = sorted(o for o in only if o.lower() not in src and o.lower() not in tgt)
        if unknown:
            raise UsageError(
                f"--only: no GetConnector {', '.join(map(repr, unknown))} in {source.name} or {target.name}"
            )
    changes = get_changes(target, source)
    by_lower: dict[str, list[Finding]] = {}
    for cid, found in changes.items():
        by_lower.setdefault(cid.lower(), []).extend(found)
    if source.language and target.language and source.language.lower() != target.language.lower():
        plan.notes.append(
            f"labels were not compared: {source.name} was read in {source.language!r}, "
            f"{target.name} in {target.language!r}"
        )
    for key in sorted(src.keys() | tgt.keys()):
        if wanted is not None and key not in wanted:
            continue
        s, t = src.get(key), tgt.get(key)
        found = sorted(by_lower.get(key, []), key=sort_key)
        cid = (s or t).id  # type: ignore[union-attr]
        definition = definitions.for_connector(cid)
        if not found:
            if s is not None and definition is not None:
                stale_s = compare_fields(definition.definition, s, check_blocked=False)
                stale_t = compare_fields(definition.definition, t, check_blocked=False) if t else stale_s
                if stale_s and stale_t:
                    plan.stale.append(cid)
            continue
        if s is None:
            plan.items.append(
                PlanItem(
                    cid,
                    "only-in-target",
                    "skip",
                    changes=found,
                    definition=definition,
                    reason=f"only in {target.name}: promote never deletes; remove it by hand if it is no longer needed",
                    app_connectors=_authorised(target, cid),
                )
            )
            continue
        item = PlanItem(cid, "new" if t is None else "changed", "import", changes=found)
        if is_supplied(cid):
            item.action = "skip"
            item.definition = definition
            item.reason = (
                "supplied by AFAS: it changes with the Profit release (here "
                f"{source.profit_version or '?'} vs {target.profit_version or '?'}), not by import"
            )
        else:
            _decide(item, definition, s, t, src_name=source.name, tgt_name=target.name)
        item.app_connectors = _authorised(target, cid)
        item.authorise = sorted(set(_authorised(source, cid)) - set(item.app_connectors))
        item.integrations = _integrations(cid, found, manifests, target.name)
        plan.items.append(item)
    for n, item in enumerate(plan.imports, start=1):
        item.order = n
    return plan


__all__ = ["LEVELS", "IntegrationImpact", "PlanItem", "PromotionPlan", "get_changes", "plan_promotion"]
