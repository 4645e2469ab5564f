"""``afasgov release-check``: is accept safe to become production? (DESIGN §8, §9)

1. snapshot production and accept into ``definitions/`` (or, with ``--offline``, use the committed
   snapshots as they are);
2. diff production → accept, regraded by integration use (integration manifests);
3. validate every integration's recorded payloads (``definitions/integrations/<name>/payloads/``)
   against accept;
4. audit accept — the environment being released: its App Connector scopes and fields, the
   configuration and the repository (production is audited daily by ``afasgov audit production``);
5. apply the waivers once, over everything; write the reports (HTML, Markdown, JSON, JUnit, SARIF)
   and rebuild ``reports/index.html``; print a verdict.

Exit codes: 0 nothing unwaived at or above ``--fail-on``; 1 otherwise; 2 bad input or
configuration (e.g. no committed snapshot with ``--offline``); 3 a remote failure while
snapshotting (the previous snapshots stay untouched).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from afasgov import __version__
from afasgov.errors import EXIT_FINDINGS, EXIT_OK, InputError, UsageError
from afasgov.findings import Finding, level_rank
from afasgov.release import adapters
from afasgov.release._files import safe_label
from afasgov.release.history import allocate_run_id, load_history
from afasgov.release.model import EnvInfo, IntegrationImpact, ReleaseReport, Waiver
from afasgov.report.paths import portable_paths
from afasgov.report.publish import write_reports
from afasgov.words import plural
from afasgov.workspace import hash_path

if TYPE_CHECKING:
    from afasgov.config import Config
    from afasgov.model import EnvironmentSnapshot
    from afasgov.waivers import Waiver as WaiverEntry
    from afasgov.waivers import WaiverSet


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class ReleaseCheckOptions:
    accept: str | None = None
    production: str | None = None
    offline: bool = False
    fail_on: str = "ERR"
    progress: Callable[[str], None] | None = None
    #: clock (tests inject fixed timestamps)
    now: Callable[[], datetime] = _utcnow
    write: bool = True


@dataclass
class CheckOutcome:
    report: ReleaseReport
    paths: dict[str, Path] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_FINDINGS if self.report.verdict == "FAIL" else EXIT_OK

    def summary_lines(self) -> list[str]:
        r = self.report
        lines = [f"release check {r.base.name} → {r.revision.name}"
                 + (f" (Profit {r.base.profit_version or '?'} → {r.revision.profit_version or '?'})")]
        for section, why in r.skipped.items():
            lines.append(f"  {section}: not run — {why}")
        broken = [i.name for i in r.integrations if i.status == "breaks"]
        if broken:
            lines.append(f"  integrations that break: {', '.join(broken)}")
        for ext in ("html", "md", "json", "xml", "sarif"):
            if ext in self.paths:
                lines.append(f"  {ext:<5} {self.paths[ext]}")
        if "index" in self.paths:
            lines.append(f"  index {self.paths['index']}")
        return lines


def pick_environment(config: Config, given: str | None, kind: str) -> str:
    """``--accept``/``--production`` or the one environment of that type (or named so)."""
    if given:
        config.environment(given)  # UsageError listing the known ones
        return given
    of_type = [name for name, env in config.environments.items() if env.type == kind]
    if len(of_type) == 1:
        return of_type[0]
    if kind in config.environments:
        return kind
    if not of_type:
        raise UsageError(f"no environment of type {kind} configured; name one with --{kind} ENV")
    raise UsageError(f"several environments of type {kind} ({', '.join(of_type)}); "
                     f"choose one with --{kind} ENV")


def release_check(config: Config, options: ReleaseCheckOptions) -> CheckOutcome:
    """Run the whole check; return the report and the files written."""
    progress = options.progress or (lambda _line: None)
    started = options.now()
    production = pick_environment(config, options.production, "production")
    accept = pick_environment(config, options.accept, "accept")
    if production == accept:
        raise UsageError(f"--production and --accept are the same environment ({accept})")
    definitions = config.definitions_dir
    root = config.root

    snapshot_notes: list[str] = []
    if not options.offline:
        progress(f"snapshotting {production} and {accept} …")
        snapshot_notes = adapters.snapshot_live(config, [production, accept])

    base_snap = _read(definitions, production, options.offline)
    rev_snap = _read(definitions, accept, options.offline)

    skipped: dict[str, str] = {}
    notes: list[str] = list(snapshot_notes)
    not_seen: list[str] = []
    checked: list[str] = []
    items: list[Finding] = []

    # integration manifests (used by diff impact and payload validation)
    manifests: list[adapters.Manifest] = []
    if config.integrations_dir.is_dir():
        _, manifests = adapters.load_manifests(config)
    if not manifests:
        not_seen.append("which integrations use which connectors and fields: no integration manifests in "
                        f"{_rel(config.integrations_dir, root)} (impact per integration and regrading by use "
                        "are not shown)")

    progress(f"diff {production} → {accept} …")
    impacts: dict[str, list[str]] = {}
    sentences: dict[str, dict[str, str]] = {}
    outcome = adapters.diff(config, production, accept)
    items += outcome.items
    notes += outcome.notes
    notes += [f"manifest reference not found: {u}" for u in outcome.unknown]
    impacts = outcome.impacts
    sentences = outcome.sentences
    b, r = base_snap, rev_snap
    checked.append(f"diff {production} → {accept}: {len(b.update_connectors)} → "
                   f"{len(r.update_connectors)} UpdateConnectors, {len(b.get_connectors)} → "
                   f"{len(r.get_connectors)} GetConnectors, {len(b.app_connectors)} → "
                   f"{len(r.app_connectors)} App Connectors")

    progress("validating recorded payloads …")
    per_integration: dict[str, tuple[int, int]] = {}
    if manifests:
        validation = adapters.validate_payloads(rev_snap, accept, manifests, root=root)
        items += validation.items
        notes += validation.notes
        per_integration = validation.per_integration
        total = sum(n for n, _ in per_integration.values())
        checked.append(f"{total} recorded payload(s) of {len(manifests)} integration(s) validated "
                       f"against {accept} (JSON payloads as inserts)")
        if not total:
            not_seen.append("no recorded payloads in definitions/integrations/<name>/payloads/: "
                            "what integrations send was not validated")
    else:
        skipped["validation"] = "no integration manifests, so no recorded payloads"

    progress("auditing …")
    # the environment being released: its App Connector scopes, fields, configuration, the repository
    # (production's own risks are what `afasgov audit production` reports every day)
    audit = adapters.audit(config, [accept], today=started.astimezone(UTC).date())
    items += audit.items
    not_seen += audit.not_seen
    checked += audit.checked or [f"security audit of {accept}, the configuration and the repository"]
    rules_hash = audit.rules_hash

    # waivers: once, over every item of every section
    items, waiver_rows = apply_waivers(items, adapters.load_waivers(config), started)
    for w in waiver_rows:
        if w.status == "expired":
            notes.append(f"waiver {w.match} (owner {w.owner}) expired on {w.expires} and no longer applies")

    # reports are committed and shared: no absolute path of this machine in them
    portable = portable_paths(root)
    items = [portable_item(item, portable) for item in items]
    checked = [portable(line) for line in checked]
    not_seen = [portable(line) for line in not_seen]
    notes = [portable(line) for line in notes]
    skipped = {section: portable(why) for section, why in skipped.items()}

    if sentences:  # what the release changes per integration, waived changes marked as such
        impacts = impact_sentences(items, sentences, [m.name for m in manifests])
    integrations = build_impact(manifests, items, per_integration, accept, impacts)
    inputs = input_hashes(config, [production, accept])
    if rules_hash:
        inputs["audit checks (rules hash)"] = rules_hash
    scope = safe_label(f"{production}-vs-{accept}")
    reports_dir = config.reports_dir
    moment = allocate_run_id(reports_dir, started, "release-check", scope)
    report = ReleaseReport(
        scope=scope, started_at=moment, finished_at=max(options.now(), moment), tool_version=__version__,
        base=env_info(base_snap, production, live=not options.offline,
                      tree=inputs.get(_rel(definitions / production, root), "")),
        revision=env_info(rev_snap, accept, live=not options.offline,
                          tree=inputs.get(_rel(definitions / accept, root), "")),
        fail_on=options.fail_on, items=items, integrations=integrations, waivers=waiver_rows,
        checked=checked, not_seen=_dedupe(not_seen), notes=_dedupe(notes), inputs=inputs,
        history=load_history(reports_dir, "release-check", scope, before=moment.strftime("%Y-%m-%dT%H%M%SZ")),
        skipped=skipped,
    )
    paths = write_reports(report, reports_dir) if options.write else {}
    return CheckOutcome(report, paths)


def _read(definitions: Path, env: str, offline: bool) -> EnvironmentSnapshot:
    path = definitions / env
    if not path.is_dir():
        hint = "run `afasgov snapshot " + env + "`" + (" or drop --offline" if offline else "")
        raise InputError(f"no snapshot of {env} ({hint})", source=str(path))
    return adapters.read_snapshot(path)


def env_info(snapshot: EnvironmentSnapshot, name: str, *, live: bool, tree: str) -> EnvInfo:
    return EnvInfo(name=name, type=str(snapshot.type or ""),
                   profit_version=str(snapshot.profit_version or ""),
                   source="live" if live else "committed", taken_at=str(snapshot.meta.taken_at or ""),
                   tree_hash=tree)


def apply_waivers(items: list[Finding], waiver_set: WaiverSet, started: datetime
                  ) -> tuple[list[Finding], list[Waiver]]:
    """Waive findings (:meth:`afasgov.waivers.WaiverSet.waive`) and build the waiver register."""
    today = started.astimezone(UTC).date()
    out, _notes = waiver_set.waive(items, today)
    used = Counter(item.waiver for item in out if item.waiver is not None)
    rows = [_waiver_row(w, today, used.get(w.ref(), 0)) for w in waiver_set.waivers]
    return out, rows


def _waiver_row(w: WaiverEntry, today: date, used_by: int) -> Waiver:
    match = w.fingerprint if w.fingerprint else f"{w.id} {w.path}"
    status = "expired" if not w.active_on(today) else ("active" if used_by else "unused")
    return Waiver(match=match, reason=w.reason, owner=w.owner, expires=w.expires.isoformat(), status=status,
                  used_by=used_by)


def impact_sentences(items: list[Finding], sentences: dict[str, dict[str, str]], names: list[str]
                     ) -> dict[str, list[str]]:
    """Integration → impact sentences in change order; a waived change's sentence says so."""
    out: dict[str, list[str]] = {name: [] for name in names}
    for item in items:
        for name, sentence in sentences.get(item.fingerprint, {}).items() if item.kind == "diff" else ():
            out.setdefault(name, []).append(f"{sentence} (waived)" if item.waived else sentence)
    return out


def build_impact(manifests: list[adapters.Manifest], items: list[Finding],
                 per_integration: dict[str, tuple[int, int]], accept: str,
                 impacts: dict[str, list[str]] | None = None) -> list[IntegrationImpact]:
    """Per integration: unwaived counts by level, connectors hit (worst level), payload results."""
    out: list[IntegrationImpact] = []
    for manifest in manifests:
        impact = IntegrationImpact(name=manifest.name, owner=manifest.owner,
                                   app_connector=adapters.app_connector_for(manifest, accept),
                                   impacts=list((impacts or {}).get(manifest.name, [])))
        for item in items:
            if item.waived or manifest.name not in item.integrations:
                continue
            impact.counts[item.level] = impact.counts.get(item.level, 0) + 1
            connector = item.location.connector
            # connectors only: an App Connector's scope change or the environment is not a connector column
            if (item.kind == "diff" and item.level in ("ERR", "WARN") and connector
                    and item.location.connector_type in ("get", "update", "gcn")):
                level, count = impact.connectors.get(connector, ("INFO", 0))
                worst = item.level if level_rank(item.level) < level_rank(level) else level
                impact.connectors[connector] = (worst, count + 1)
        checked, failed = per_integration.get(manifest.name, (0, 0))
        impact.payloads_checked, impact.payloads_failed = checked, failed
        if failed:
            impact.notes.append(f"{failed} of {plural(checked, 'recorded payload')} "
                                f"{'is' if failed == 1 else 'are'} invalid on {accept}")
        out.append(impact)
    return out


def input_hashes(config: Config, environments: list[str]) -> dict[str, str]:
    """SHA-256 of every input: the snapshot trees, .gcn definitions, manifests, waivers, configuration."""
    root = config.root
    out: dict[str, str] = {}
    candidates = [config.definitions_dir / env for env in environments]
    candidates += [config.definitions_dir / "getconnectors", config.integrations_dir, config.waivers]
    if config.path is not None:
        candidates.append(config.path)
    if config.policy_file is not None:
        candidates.append(config.policy_file)
    for path in candidates:
        if path.is_dir() or path.is_file():
            out[_rel(path, root)] = hash_path(path)
    return out


def portable_item(item: Finding, portable: Callable[[str], str]) -> Finding:
    """``item`` with :func:`portable_paths` applied to its free-text and location fields."""
    loc = item.location
    location = dataclasses.replace(loc, path=portable(loc.path), file=portable(loc.file))
    changes: dict[str, Any] = {}
    if location != loc:
        changes["location"] = location
    for name in ("text", "title", "evidence", "remediation"):
        value = getattr(item, name)
        rewritten = portable(value)
        if rewritten != value:
            changes[name] = rewritten
    notes = tuple(portable(n) for n in item.notes)
    if notes != item.notes:
        changes["notes"] = notes
    return dataclasses.replace(item, **changes) if changes else item


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _dedupe(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))


__all__ = ["CheckOutcome", "ReleaseCheckOptions", "apply_waivers", "build_impact", "pick_environment",
           "portable_item", "portable_paths", "release_check"]
