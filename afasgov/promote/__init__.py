"""Promote GetConnector definitions between environments and verify them afterwards (DESIGN §3, §4, §9).

Public API::

    load_definitions(dir) -> DefinitionSet               # definitions/getconnectors, by GUID and id
    compare_fields(definition, get_connector) -> [FieldDelta]
    plan_promotion(source_snapshot, target_snapshot, definitions, manifests) -> PromotionPlan
    write_bundle(plan, out_dir) -> Path                  # dist/promote-<from>-to-<to>-<date>/, atomic
    check_bundle(path) -> [problem]                      # checksums and manifest of a bundle
    verify_snapshot(definitions, snapshot, source=...) -> VerifyReport     # --offline
    verify_view(definitions, environment=..., connectors=..., listed=...)  # live (see promote.live)
    read_live(env_config, wanted) -> LiveView            # async; /metainfo + /metainfo/get/{id}

Commands: :func:`afasgov.commands.promote.run_promote`, :func:`afasgov.commands.promote.run_verify`.
The demo organisation's definitions: ``python -m afasgov.demo.getconnectors [--check]``.
"""

from __future__ import annotations

from afasgov.promote.bundle import check_bundle, write_bundle
from afasgov.promote.compare import FieldDelta, compare_fields
from afasgov.promote.definitions import DefinitionSet, ReviewedDefinition, load_definitions
from afasgov.promote.live import LiveView, read_live
from afasgov.promote.plan import PlanItem, PromotionPlan, plan_promotion
from afasgov.promote.verify import VerifyEntry, VerifyReport, verify_snapshot, verify_view

__all__ = [
    "DefinitionSet",
    "FieldDelta",
    "LiveView",
    "PlanItem",
    "PromotionPlan",
    "ReviewedDefinition",
    "VerifyEntry",
    "VerifyReport",
    "check_bundle",
    "compare_fields",
    "load_definitions",
    "plan_promotion",
    "read_live",
    "verify_snapshot",
    "verify_view",
    "write_bundle",
]
