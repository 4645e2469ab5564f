"""Thin adapters from the release check to the parts it orchestrates.

The release check composes the work of other packages — the snapshot crawler and tree reader
(:mod:`afasgov.snapshot`), the diff engine and integration impact (:mod:`afasgov.diff`,
:mod:`afasgov.integrations`), payload validation, the audit (:mod:`afasgov.audit`) and waivers
(:mod:`afasgov.waivers`). Each adapter here calls one of them and converts what it returns into
:class:`~afasgov.release.model.Item` s. Nothing is re-implemented here: where a part is missing
from the installed package, the adapter raises :class:`Unavailable` and the report says which
section could not run and why.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from afasgov.release.model import Item, level_of_severity

if TYPE_CHECKING:
    from afasgov.config import Config
    from afasgov.model import EnvironmentSnapshot


class Unavailable(Exception):
    """A part the release check needs is not present in this installation."""


def _attr(module: str, *names: str) -> Any:
    """The first of ``names`` that ``module`` has; :class:`Unavailable` when neither exists."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise Unavailable(f"{module} is not available ({exc})") from None
    for name in names:
        if hasattr(mod, name):
            return getattr(mod, name)
    raise Unavailable(f"{module} has no {' / '.join(names)}")


# ------------------------------------------------------------------------------------ snapshots
def snapshot_live(config: Config, environments: Sequence[str]) -> list[str]:
    """Crawl ``environments`` into ``definitions/`` like ``afasgov snapshot`` (atomic per environment).

    Raises the first environment's error (a remote failure → exit 3); returns the crawl's warnings.
    """
    import asyncio

    crawl = importlib.import_module("afasgov.snapshot.crawl")
    settings = crawl.CrawlSettings(max_in_flight_total=config.max_in_flight_total
                                   or crawl.DEFAULT_MAX_IN_FLIGHT_TOTAL)
    envs = config.select(list(environments))
    results = asyncio.run(crawl.snapshot_environments(envs, config.definitions_dir, settings))
    failed = [r for r in results if not r.ok and r.error is not None]
    if failed:
        failed.sort(key=lambda r: r.exit_code != 3)  # a remote failure decides the exit code
        raise failed[0].error
    return [f"{r.environment}: {w}" for r in results for w in r.warnings]


def read_snapshot(path: Path) -> EnvironmentSnapshot:
    read_tree = _attr("afasgov.snapshot", "read_tree")
    snapshot: EnvironmentSnapshot = read_tree(path)
    return snapshot


# ----------------------------------------------------------------------------------------- diff
@dataclass
class DiffOutcome:
    items: list[Item]
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
    command = _attr("afasgov.diff.command", "compute")
    settings_cls = _attr("afasgov.diff.command", "Settings")
    waiver_set = _attr("afasgov.waivers", "WaiverSet")
    settings = settings_cls(config.definitions_dir, config.integrations_dir, None, config.root)
    run = command(base, revision, settings, waiver_set=waiver_set())
    impacts = {k: list(v) for k, v in (run.impact.impacts.items() if run.impact is not None else [])}
    items = [change_item(c) for c in run.changes]
    return DiffOutcome(items, list(run.notes), impacts, list(run.unknown), sentences_by_change(items, impacts))


def sentences_by_change(items: Sequence[Item], impacts: Mapping[str, Sequence[str]]) -> dict[str, dict[str, str]]:
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


def change_item(change: Any) -> Item:
    """A diff :class:`~afasgov.diff.change.Change` as a report item."""
    extra: Mapping[str, Any] = getattr(change, "extra", None) or {}
    integrations = getattr(change, "integrations", None) or extra.get("integrations") or ()
    notes = [str(n) for n in getattr(change, "notes", ()) or ()]
    return Item(
        section="diff", id=change.id, level=change.level, text=change.text, title=_rule_title(change.id),
        path=change.path, connector=change.connector, connector_type=change.connector_type,
        object_path=tuple(change.object_path), field=change.field, value=change.value,
        before=change.before, after=change.after, integrations=tuple(sorted(str(i) for i in integrations)),
        file=getattr(change, "file", "") or "", fingerprint=change.fingerprint,
        note="; ".join(notes))


def _rule_title(rule_id: str) -> str:
    try:
        rule = _attr("afasgov.diff.registry", "all_rules")().get(rule_id)
    except Unavailable:
        return ""
    return str(getattr(rule, "title", "") or "") if rule is not None else ""


# -------------------------------------------------------------------------------- integrations
@dataclass
class Manifest:
    """The facts of an integration manifest the report shows (the manifest object stays upstream)."""

    name: str
    owner: str = ""
    app_connector: str = ""
    payload_dir: Path | None = None
    source: Any = None


def load_manifests(config: Config) -> tuple[Any, list[Manifest]]:
    """``(upstream manifests, report view)`` of ``definitions/integrations/*.yaml``."""
    load = _attr("afasgov.integrations", "load_manifests", "load_integrations")
    upstream = load(config.integrations_dir)
    listed: Iterable[Any] = upstream.values() if isinstance(upstream, Mapping) else upstream
    if hasattr(upstream, "manifests"):
        listed = upstream.manifests
    views = []
    for m in listed:
        app = getattr(m, "app_connector", "")
        views.append(Manifest(name=str(m.name), owner=str(getattr(m, "owner", "") or ""),
                              app_connector=app if isinstance(app, str) else "",
                              payload_dir=config.integrations_dir / str(m.name) / "payloads", source=m))
    views.sort(key=lambda v: v.name)
    return upstream, views


def app_connector_for(manifest: Manifest, env: str) -> str:
    app = getattr(manifest.source, "app_connector", None)
    if isinstance(app, Mapping):
        return str(app.get(env, "") or "")
    return str(app or manifest.app_connector or "")


# ---------------------------------------------------------------------------------- validation
@dataclass
class ValidationOutcome:
    items: list[Item] = field(default_factory=list)
    #: integration → (payloads checked, payloads with problems)
    per_integration: dict[str, tuple[int, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


PAYLOAD_SUFFIXES = (".json", ".xml")


def validate_payloads(snapshot: EnvironmentSnapshot, env: str, manifests: Sequence[Manifest], *, root: Path
                      ) -> ValidationOutcome:
    """Validate every recorded payload of every integration against ``snapshot``."""
    validate_file = _attr("afasgov.diff.validate", "validate_file")
    input_error = _attr("afasgov.errors", "InputError")
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
            except input_error as exc:  # an unreadable recorded payload is a finding, never a pass
                out.items.append(Item(section="validation", id="payload-malformed", level="ERR",
                                      text=f"the recorded payload cannot be read: {exc.reason}",
                                      environment=env, integrations=(manifest.name,), payload=rel, file=rel))
                failed += 1
                continue
            if problems:
                failed += 1
            for problem in problems:
                out.items.append(problem_item(problem, integration=manifest.name, payload=rel, env=env))
        out.per_integration[manifest.name] = (len(payloads), failed)
    return out


def problem_item(problem: Any, *, integration: str, payload: str, env: str) -> Item:
    """A payload problem (a ReportItem-like object) as a report item."""
    level = getattr(problem, "level", "ERR") or "ERR"
    return Item(section="validation", id=str(getattr(problem, "id", "payload-invalid")), level=level,
                text=str(getattr(problem, "text", problem)), path=str(getattr(problem, "path", "") or ""),
                connector=str(getattr(problem, "connector", "") or ""),
                field=getattr(problem, "field", None), environment=env, integrations=(integration,),
                payload=payload, file=payload,
                fingerprint=str(getattr(problem, "fingerprint", "") or ""))


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# --------------------------------------------------------------------------------------- audit
@dataclass
class AuditOutcome:
    items: list[Item] = field(default_factory=list)
    not_seen: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    #: hash of the audit checks that ran (reproducibility)
    rules_hash: str = ""


def audit(config: Config, environments: Sequence[str], *, today: date) -> AuditOutcome:
    """``afasgov audit ENV…`` as a library call: findings (unwaived), what was checked and not seen."""
    run_audit = _attr("afasgov.audit.runner", "run_audit")
    result = run_audit(config, list(environments), today=today)
    out = AuditOutcome(items=[finding_item(f) for f in result.findings])
    out.not_seen = [str(n) for n in result.not_seen]
    out.checked = [str(n) for n in result.checked]
    checks = getattr(result, "checks", None)
    if checks:
        with contextlib.suppress(Unavailable):
            out.rules_hash = str(_attr("afasgov.audit.runner", "rules_hash")(checks))
    return out


def finding_item(finding: Any) -> Item:
    """An audit :class:`~afasgov.audit.findings.Finding` as a report item."""
    severity = getattr(finding, "severity", "info")
    severity = str(getattr(severity, "value", severity))
    return Item(
        section="audit", id=finding.check_id if hasattr(finding, "check_id") else finding.id,
        level=getattr(finding, "level", None) or level_of_severity(severity), severity=severity,
        title=str(getattr(finding, "title", "")), text=str(getattr(finding, "message", "") or
                                                            getattr(finding, "text", "")),
        # the audit's location (``<environment>/<App Connector>/<path>``): what `afasgov audit` reports as
        # ``path`` and what waiver path patterns match, so one waivers.yaml means the same in both commands
        path=str(getattr(finding, "location", None) or getattr(finding, "path", "") or ""),
        connector=str(getattr(finding, "connector", "") or ""),
        connector_type=str(getattr(finding, "connector_type", "") or ""),
        field=getattr(finding, "field", None) or None, environment=str(getattr(finding, "environment", "")),
        app_connector=str(getattr(finding, "app_connector", "") or ""),
        evidence=str(getattr(finding, "evidence", "") or ""),
        remediation=str(getattr(finding, "remediation", "") or ""),
        auditor=str(getattr(finding, "auditor_ref", "") or ""), file=_finding_file(finding),
        fingerprint=str(getattr(finding, "fingerprint", "") or ""))


def _finding_file(finding: Any) -> str:
    if getattr(finding, "connector_type", "") == "file":
        path = str(getattr(finding, "path", "") or "")
        return path.rsplit(":", 1)[0] if ":" in path else path
    return str(getattr(finding, "file", "") or "")


# ------------------------------------------------------------------------------------- waivers
def load_waivers(config: Config) -> Any:
    load = _attr("afasgov.waivers", "load_waivers")
    return load(config.waivers)


__all__ = ["AuditOutcome", "DiffOutcome", "Manifest", "Unavailable", "ValidationOutcome", "audit",
           "change_item", "diff", "finding_item", "load_manifests", "load_waivers", "problem_item",
           "read_snapshot", "sentences_by_change", "snapshot_live", "validate_payloads"]
