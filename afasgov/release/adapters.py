"""Thin adapters from the release check to the parts it orchestrates.

The release check composes the work of other packages — the snapshot crawler and tree reader
(:mod:`afasgov.snapshot`), the diff engine and integration impact (:mod:`afasgov.diff`,
:mod:`afasgov.integrations`), payload validation, the audit (:mod:`afasgov.audit`) and waivers
(:mod:`afasgov.waivers`). Each adapter here calls one of them and converts what it returns into
:class:`~afasgov.release.model.Item` s. Nothing is re-implemented here. The parts are imported
inside the adapters, so importing the release check stays cheap.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov.findings import Finding, Location

if TYPE_CHECKING:
    from afasgov.config import Config
    from afasgov.integrations import Manifest as IntegrationManifest
    from afasgov.integrations import Manifests
    from afasgov.model import EnvironmentSnapshot
    from afasgov.waivers import WaiverSet


# ------------------------------------------------------------------------------------ snapshots
def snapshot_live(config: Config, environments: Sequence[str]) -> list[str]:
    """Crawl ``environments`` into ``definitions/`` like ``afasgov snapshot`` (atomic per environment).

    Raises the first environment's error (a remote failure → exit 3); returns the crawl's warnings.
    """
    import asyncio

    from afasgov.snapshot import crawl

    settings = crawl.CrawlSettings(max_in_flight_total=config.max_in_flight_total
                                   or crawl.DEFAULT_MAX_IN_FLIGHT_TOTAL)
    envs = config.select(list(environments))
    results = asyncio.run(crawl.snapshot_environments(envs, config.definitions_dir, settings))
    # a remote failure decides the exit code
    errors = [r.error for r in sorted(results, key=lambda r: r.exit_code != 3) if not r.ok and r.error is not None]
    if errors:
        raise errors[0]
    return [f"{r.environment}: {w}" for r in results for w in r.warnings]


def read_snapshot(path: Path) -> EnvironmentSnapshot:
    from afasgov.snapshot import read_tree

    return read_tree(path)


# ----------------------------------------------------------------------------------------- diff
@dataclass
class DiffOutcome:
    items: list[Finding]
    notes: list[str] = field(default_factory=list)
    #: integration → what the release breaks for it, in sentences ("hr-sync sends …, which accept removed")
    impacts: dict[str, list[str]] = field(default_factory=dict)
    #: manifests that name connectors or fields that exist in no snapshot
    unknown: list[str] = field(default_factory=list)
    #: change fingerprint → integration → its impact sentence (so waived changes can be marked)
    sentences: dict[str, dict[str, str]] = field(default_factory=dict)


def diff(config: Config, base: str, revision: str) -> DiffOutcome:
    """``afasgov diff BASE REVISION`` as a library call: the diff, integration impact and regrading.

    Waivers are not applied here: the release check applies them once, over every section.
    """
    from afasgov.commands.diff import Settings, compute
    from afasgov.waivers import WaiverSet

    settings = Settings(config.definitions_dir, config.integrations_dir, None, config.root)
    run = compute(base, revision, settings, waiver_set=WaiverSet())
    impacts = {k: list(v) for k, v in (run.impact.impacts.items() if run.impact is not None else [])}
    sentences = run.impact.sentences if run.impact is not None else {}
    return DiffOutcome(list(run.changes), list(run.notes), impacts, list(run.unknown), sentences)


def sentences_by_change(items: Sequence[Finding], impacts: Mapping[str, Sequence[str]]) -> dict[str, dict[str, str]]:
    """Pair each impact sentence with its change.

    The integration impact writes one sentence per integration for every ERR/WARN change it uses, in
    the order of the changes; this pairs them back (by fingerprint). When the counts do not line up
    the pairing is not trusted and nothing is returned (the report then shows the sentences as they are).
    """
    out: dict[str, dict[str, str]] = {}
    for name, sentences in impacts.items():
        hits = [i for i in items if i.level in ("ERR", "WARN") and name in i.integrations]
        if len(hits) != len(sentences) or any(not i.fingerprint for i in hits):
            return {}
        for item, sentence in zip(hits, sentences, strict=True):
            out.setdefault(item.fingerprint, {})[name] = sentence
    return out


# -------------------------------------------------------------------------------- integrations
@dataclass
class Manifest:
    """The facts of an integration manifest the report shows (the manifest object stays upstream)."""

    name: str
    owner: str = ""
    app_connector: str = ""
    payload_dir: Path | None = None
    source: IntegrationManifest | None = None


def load_manifests(config: Config) -> tuple[Manifests, list[Manifest]]:
    """``(upstream manifests, report view)`` of ``definitions/integrations/*.yaml``."""
    from afasgov.integrations import load_manifests as load_integration_manifests

    upstream = load_integration_manifests(config.integrations_dir)
    views = [Manifest(name=m.name, owner=m.owner,
                      app_connector=m.app_connector if isinstance(m.app_connector, str) else "",
                      payload_dir=config.integrations_dir / m.name / "payloads", source=m)
             for m in upstream]
    views.sort(key=lambda v: v.name)
    return upstream, views


def app_connector_for(manifest: Manifest, env: str) -> str:
    """The App Connector the integration uses in ``env`` (``""`` when its manifest names none there)."""
    if manifest.source is not None:
        return manifest.source.app_connector_for(env) or ""
    return manifest.app_connector


# ---------------------------------------------------------------------------------- validation
@dataclass
class ValidationOutcome:
    items: list[Finding] = field(default_factory=list)
    #: integration → (payloads checked, payloads with problems)
    per_integration: dict[str, tuple[int, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


PAYLOAD_SUFFIXES = (".json", ".xml")


def validate_payloads(snapshot: EnvironmentSnapshot, env: str, manifests: Sequence[Manifest], *, root: Path
                      ) -> ValidationOutcome:
    """Validate every recorded payload of every integration against ``snapshot``."""
    from afasgov.errors import InputError
    from afasgov.validate import validate_file

    out = ValidationOutcome()
    for manifest in manifests:
        payloads = sorted(p for p in (manifest.payload_dir.iterdir() if manifest.payload_dir and
                                      manifest.payload_dir.is_dir() else [])
                          if p.is_file() and p.suffix.lower() in PAYLOAD_SUFFIXES)
        failed = 0
        for payload in payloads:
            rel = _rel(payload, root)
            try:
                problems = list(validate_file(payload, snapshot, display=rel))
            except InputError as exc:  # an unreadable recorded payload is a finding, never a pass
                out.items.append(unreadable_payload(exc.reason, integration=manifest.name, payload=rel, env=env))
                failed += 1
                continue
            if problems:
                failed += 1
            for problem in problems:
                out.items.append(problem_item(problem, integration=manifest.name, payload=rel, env=env))
        out.per_integration[manifest.name] = (len(payloads), failed)
    return out


def unreadable_payload(reason: str, *, integration: str, payload: str, env: str) -> Finding:
    """A recorded payload that cannot be read: a finding, never a pass."""
    basis = "\x1f".join(["validation", "payload-malformed", "", env, "", payload, integration])
    return Finding(id="payload-malformed", level="ERR", text=f"the recorded payload cannot be read: {reason}",
                   kind="validation", location=Location(environment=env, file=payload),
                   integrations=(integration,), rule_level="ERR",
                   fingerprint="sha256:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16])


def problem_item(problem: Finding, *, integration: str, payload: str, env: str) -> Finding:
    """A payload problem of an integration's recorded payload, on ``env``."""
    return dataclasses.replace(problem, location=dataclasses.replace(problem.location, environment=env),
                               integrations=(integration,))


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# --------------------------------------------------------------------------------------- audit
@dataclass
class AuditOutcome:
    items: list[Finding] = field(default_factory=list)
    not_seen: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    #: hash of the audit checks that ran (reproducibility)
    rules_hash: str = ""


def audit(config: Config, environments: Sequence[str], *, today: date) -> AuditOutcome:
    """``afasgov audit ENV…`` as a library call: findings (unwaived), what was checked and not seen."""
    from afasgov.audit.runner import rules_hash, run_audit

    result = run_audit(config, list(environments), today=today)
    out = AuditOutcome(items=list(result.findings),
                       not_seen=list(result.not_seen), checked=list(result.checked))
    if result.checks:
        out.rules_hash = rules_hash(result.checks)
    return out


# ------------------------------------------------------------------------------------- waivers
def load_waivers(config: Config) -> WaiverSet:
    from afasgov.waivers import load_waivers as load

    return load(config.waivers)


__all__ = [
    "AuditOutcome",
    "DiffOutcome",
    "Manifest",
    "ValidationOutcome",
    "audit",
    "diff",
    "load_manifests",
    "load_waivers",
    "problem_item",
    "read_snapshot",
    "sentences_by_change",
    "snapshot_live",
    "unreadable_payload",
    "validate_payloads",
]
