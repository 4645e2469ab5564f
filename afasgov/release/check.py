"""``afasgov release-check``: is accept safe to become production? (DESIGN §8, §9)

:func:`release_check` assembles the release report from one :class:`~afasgov.workspace.Workspace`:

1. snapshot production and accept into ``definitions/`` and hand the crawled snapshots to the workspace
   (or, with ``--offline``, use the committed snapshots as they are);
2. diff production → accept, regraded by integration use (:func:`afasgov.diff.compare.compare`);
3. validate every integration's recorded payloads (``definitions/integrations/<name>/payloads/``)
   against accept and production (:func:`afasgov.validate.baseline.validate_payloads`, as
   ``afasgov validate --baseline``): a problem a payload also has against production is INFO, only what
   is new on accept keeps its level, with the change that caused it;
4. audit accept — the environment being released: its App Connector scopes and fields, the
   configuration and the repository (production is audited daily by ``afasgov audit production``);
5. apply the waivers once, over every finding of every section;
6. with ``--release-notes``, hold AFAS's release notes against the diff and the integrations
   (:mod:`afasgov.release.announced`: the section "Announced by AFAS");
7. with ``--openapi``, export production's and accept's snapshots as OpenAPI 3.1 documents
   (:mod:`afasgov.openapi`), written next to the reports.

Every input is read once, through the workspace; the report lists one content hash per input. Writing
the report files is :func:`afasgov.report.publish.write_reports`.

Exit codes: 0 nothing unwaived at or above ``--fail-on``; 1 otherwise; 2 bad input or
configuration (e.g. no committed snapshot with ``--offline``); 3 a remote failure while
snapshotting (the previous snapshots stay untouched).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from afasgov import __version__
from afasgov._files import safe_label
from afasgov.catalogues import rule_info
from afasgov.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from afasgov.findings import Finding, Location, level_rank
from afasgov.integrations import Manifest
from afasgov.levels import LevelOverrides, settle
from afasgov.locate import Locator
from afasgov.paths import portable_paths
from afasgov.release.history import allocate_run_id, load_history
from afasgov.release.model import Artifact, EnvInfo, IntegrationImpact, ReleaseReport, WaiverRow
from afasgov.waivers import Waiver, WaiverSet
from afasgov.words import plural
from afasgov.workspace import Workspace


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class ReleaseCheckOptions:
    accept: str | None = None
    production: str | None = None
    offline: bool = False
    fail_on: str = "ERR"
    #: also export production's and accept's OpenAPI 3.1 documents next to the reports (``--openapi``)
    openapi: bool = False
    #: AFAS's release notes: the section "Announced by AFAS" (``--release-notes``)
    release_notes: Sequence[Path] = ()
    progress: Callable[[str], None] | None = None
    #: clock (tests inject fixed timestamps)
    now: Callable[[], datetime] = _utcnow


@dataclass
class CheckOutcome:
    """A release report and the files it was written to."""

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
        if r.announced is not None:
            lines.append(f"  {r.announced.summary(r.revision.name)}")
        broken = [i.name for i in r.integrations if i.status == "breaks"]
        if broken:
            lines.append(f"  integrations that break: {', '.join(broken)}")
        for ext in ("html", "md", "json", "xml", "sarif"):
            if ext in self.paths:
                lines.append(f"  {ext:<5} {self.paths[ext]}")
        for artifact in r.artifacts:
            key = f"{artifact.kind}-{artifact.environment}"
            if key in self.paths:
                lines.append(f"  {artifact.title}: {self.paths[key]}")
        if "index" in self.paths:
            lines.append(f"  index {self.paths['index']}")
        return lines


def pick_environment(ws: Workspace, given: str | None, kind: str) -> str:
    """``--accept``/``--production`` or the one environment of that type (or named so)."""
    config = ws.config
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


def snapshot_live(ws: Workspace, environments: Sequence[str]) -> list[str]:
    """Crawl ``environments`` into ``definitions/`` like ``afasgov snapshot`` (atomic per environment) and
    hand each snapshot to the workspace. Raises the first environment's error (a remote failure → exit 3);
    returns the crawl's warnings."""
    import asyncio

    from afasgov.snapshot import crawl

    config = ws.config
    settings = crawl.CrawlSettings(max_in_flight_total=config.max_in_flight_total
                                   or crawl.DEFAULT_MAX_IN_FLIGHT_TOTAL, max_connector_loss=config.max_connector_loss)
    results = asyncio.run(crawl.snapshot_environments(config.select(list(environments)), ws.definitions_dir,
                                                      settings, keep=True))
    # a remote failure decides the exit code
    errors = [r.error for r in sorted(results, key=lambda r: r.exit_code != 3) if not r.ok and r.error is not None]
    if errors:
        raise errors[0]
    for r in results:
        if r.snapshot is not None and r.files is not None:
            ws.add_snapshot(r.snapshot, r.files)
    return [f"{r.environment}: {w}" for r in results for w in r.warnings]


def release_check(ws: Workspace, options: ReleaseCheckOptions) -> ReleaseReport:
    """Run the whole check on ``ws``; return the report (not written: :mod:`afasgov.report.publish`)."""
    from afasgov.audit.runner import rules_hash, run_audit
    from afasgov.diff.compare import compare
    from afasgov.validate.baseline import PayloadResult, catalogue_notes, validate_payloads

    progress = options.progress or (lambda _line: None)
    started = options.now()
    production = pick_environment(ws, options.production, "production")
    accept = pick_environment(ws, options.accept, "accept")
    if production == accept:
        raise UsageError(f"--production and --accept are the same environment ({accept})")
    config = ws.config
    root = ws.root

    # the notes first: a notes file that cannot be read stops the run before anything is crawled (exit 2)
    release_notes = None
    if options.release_notes:
        from afasgov.release.announced import read_notes

        progress("reading the release notes …")
        release_notes = read_notes(list(options.release_notes), ws.rel)

    notes: list[str] = []
    if not options.offline and not (ws.has_live_snapshot(production) and ws.has_live_snapshot(accept)):
        progress(f"snapshotting {production} and {accept} …")
        notes += snapshot_live(ws, [production, accept])
    hint = f"run `afasgov snapshot {{env}}`{' or drop --offline' if options.offline else ''}"
    base_snap = ws.environment_snapshot(production, hint=hint.format(env=production))
    rev_snap = ws.environment_snapshot(accept, hint=hint.format(env=accept))

    skipped: dict[str, str] = {}
    not_seen: list[str] = []
    checked: list[str] = []
    items: list[Finding] = []

    # integration manifests (used by diff impact and payload validation)
    manifests = sorted(ws.manifests(), key=lambda m: m.name) if config.integrations_dir.is_dir() else []
    if not manifests:
        not_seen.append("which integrations use which connectors and fields: no integration manifests in "
                        f"{ws.rel(config.integrations_dir)} (impact per integration and regrading by use "
                        "are not shown)")

    progress(f"diff {production} → {accept} …")
    run = compare(ws, production, accept, waivers=False)
    items += run.changes
    notes += run.notes
    notes += [f"manifest reference not found: {u}" for u in run.unknown]
    sentences = run.impact.sentences if run.impact is not None else {}
    b, r = base_snap, rev_snap
    checked.append(f"diff {production} → {accept}: {len(b.update_connectors)} → "
                   f"{len(r.update_connectors)} UpdateConnectors, {len(b.get_connectors)} → "
                   f"{len(r.get_connectors)} GetConnectors, {len(b.app_connectors)} → "
                   f"{len(r.app_connectors)} App Connectors")

    announced = None
    if release_notes is not None:
        from afasgov.release.announced import announced_section

        progress("holding the diff against AFAS's release notes …")
        announced, explained = announced_section(release_notes, run.changes, manifests, production=base_snap,
                                                 accept=rev_snap, production_name=production, accept_name=accept)
        items = [dataclasses.replace(i, notes=(*i.notes, explained[i.fingerprint]))
                 if i.kind == "diff" and i.fingerprint in explained else i for i in items]
        checked.append(f"AFAS's release notes ({announced.release}: "
                       f"{', '.join(f['file'] for f in announced.files)}) held against the diff "
                       f"{production} → {accept} and the integrations' connectors")

    progress("validating recorded payloads …")
    per_integration: dict[str, tuple[int, int]] = {}
    all_results: list[PayloadResult] = []
    if manifests:
        for manifest in manifests:
            paths = ws.payloads(manifest)
            # graded against production (validate --baseline): what production accepts today is INFO
            results = validate_payloads(paths, rev_snap, base_snap, display={p: ws.rel(p) for p in paths},
                                        read=ws.read)
            all_results += results
            failed = 0
            for result in results:
                if result.error is not None:  # an unreadable recorded payload is a finding, never a pass
                    items.append(unreadable_payload(result.error, integration=manifest.name, payload=result.file,
                                                    env=accept))
                elif result.items:
                    items += [payload_problem(p, integration=manifest.name, env=accept) for p in result.items]
                failed += result.error is not None or any(p.level != "INFO" for p in result.items)
            per_integration[manifest.name] = (len(paths), failed)
        total = sum(n for n, _ in per_integration.values())
        checked.append(f"{total} recorded payload(s) of {len(manifests)} integration(s) validated "
                       f"against {accept} and {production} (JSON payloads as inserts)")
        if total:
            notes.append(f"recorded payloads graded against {production}: a problem a payload also has against "
                         f"{production} is INFO (it is accepted there today); only what is new against {accept} "
                         "keeps its level, with the change that caused it")
        notes += catalogue_notes(all_results)
        if not total:
            not_seen.append("no recorded payloads in definitions/integrations/<name>/payloads/: "
                            "what integrations send was not validated")
    else:
        skipped["validation"] = "no integration manifests, so no recorded payloads"

    progress("auditing …")
    # the environment being released: its App Connector scopes, fields, configuration, the repository
    # (production's own risks are what `afasgov audit production` reports every day)
    audit = run_audit(ws, [accept], today=started.astimezone(UTC).date())
    items += audit.findings
    not_seen += audit.not_seen
    checked += audit.checked or [f"security audit of {accept}, the configuration and the repository"]

    # waivers: once, over every finding of every section
    definitions = ws.definitions_dir
    locator = Locator.for_workspace(ws, default_trees=[definitions / accept, definitions / production])
    items, waiver_rows, level_notes = apply_waivers(items, ws.waivers(), started, LevelOverrides.for_workspace(ws),
                                                    locator)
    notes += level_notes
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

    impacts = impact_sentences(items, sentences, [m.name for m in manifests]) if sentences else \
        {k: list(v) for k, v in (run.impact.impacts.items() if run.impact is not None else [])}
    integrations = build_impact(manifests, items, per_integration, accept, impacts)
    artifacts: list[Artifact] = []
    if options.openapi:
        artifacts = [openapi_artifact(snap, env) for env, snap in ((production, base_snap), (accept, rev_snap))]
        checked.append(f"OpenAPI 3.1 documents of {production} and {accept} exported from their snapshots "
                       "(afasgov openapi --split none)")
    inputs = input_hashes(ws, [production, accept])
    if announced is not None:
        inputs |= {f"release notes {f['file']}": f["sha256"] for f in announced.files}
    if audit.checks:
        inputs["audit checks (rules hash)"] = rules_hash(audit.checks)
    scope = safe_label(f"{production}-vs-{accept}")
    reports_dir = config.reports_dir
    moment = allocate_run_id(reports_dir, started, "release-check", scope)
    return ReleaseReport(
        scope=scope, started_at=moment, finished_at=max(options.now(), moment), tool_version=__version__,
        base=env_info(base_snap, production, live=ws.has_live_snapshot(production),
                      tree=inputs.get(ws.rel(ws.definitions_dir / production), "")),
        revision=env_info(rev_snap, accept, live=ws.has_live_snapshot(accept),
                          tree=inputs.get(ws.rel(ws.definitions_dir / accept), "")),
        fail_on=options.fail_on, items=items, integrations=integrations, waivers=waiver_rows,
        checked=checked, not_seen=_dedupe(not_seen), notes=_dedupe(notes), inputs=inputs,
        history=load_history(reports_dir, "release-check", scope, before=moment.strftime("%Y-%m-%dT%H%M%SZ"),
                             read=ws.read),
        skipped=skipped, rules={rid: doc for rid in dict.fromkeys(i.id for i in items)
                                if (doc := rule_info(rid)) is not None},
        artifacts=artifacts, announced=announced,
    )


def openapi_artifact(snapshot: Any, env: str) -> Artifact:
    """``env``'s OpenAPI 3.1 document as a report artifact: ``afasgov openapi ENV --split none`` (one JSON
    document), rendered from the snapshot the run already holds as it is written."""
    from afasgov.openapi import iter_files

    def chunks() -> Iterator[bytes]:
        for _name, part in iter_files(snapshot, split="none", fmt="json"):
            yield from part

    return Artifact(kind="openapi", environment=env, name=f"{safe_label(env)}.json",
                    title=f"OpenAPI {env}", chunks=chunks)


def payload_problem(problem: Finding, *, integration: str, env: str) -> Finding:
    """A problem of an integration's recorded payload, on ``env``: the environment and the integration are
    part of where it is."""
    return dataclasses.replace(problem, location=dataclasses.replace(problem.location, environment=env),
                               integrations=(integration,))


def unreadable_payload(reason: str, *, integration: str, payload: str, env: str) -> Finding:
    """A recorded payload that cannot be read: a finding, never a pass."""
    basis = "\x1f".join(["validation", "payload-malformed", "", env, "", payload, integration])
    return Finding(id="payload-malformed", level="ERR", text=f"the recorded payload cannot be read: {reason}",
                   kind="validation", location=Location(environment=env, file=payload),
                   integrations=(integration,), rule_level="ERR",
                   fingerprint="sha256:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16])


def env_info(snapshot: Any, name: str, *, live: bool, tree: str) -> EnvInfo:
    return EnvInfo(name=name, type=str(snapshot.type or ""),
                   profit_version=str(snapshot.profit_version or ""),
                   source="live" if live else "committed", taken_at=str(snapshot.meta.taken_at or ""),
                   tree_hash=tree)


def apply_waivers(items: list[Finding], waiver_set: WaiverSet, started: datetime,
                  levels: LevelOverrides | None = None, locator: Locator | None = None,
                  ) -> tuple[list[Finding], list[WaiverRow], list[str]]:
    """Settle the findings (:func:`afasgov.levels.settle`: file and line, ``levels:`` overrides, then the
    waivers) and build the waiver register; the notes on rules turned off."""
    today = started.astimezone(UTC).date()
    out, _notes, level_notes = settle(items, levels or LevelOverrides(), waiver_set, today, locator=locator)
    used = Counter(item.waiver for item in out if item.waiver is not None)
    rows = [_waiver_row(w, today, used.get(w.ref(), 0)) for w in waiver_set.waivers]
    return out, rows, level_notes


def _waiver_row(w: Waiver, today: date, used_by: int) -> WaiverRow:
    match = w.fingerprint if w.fingerprint else f"{w.id} {w.path}"
    status = "expired" if not w.active_on(today) else ("active" if used_by else "unused")
    return WaiverRow(match=match, reason=w.reason, owner=w.owner, expires=w.expires.isoformat(), status=status,
                  used_by=used_by)


def impact_sentences(items: list[Finding], sentences: dict[str, dict[str, str]], names: list[str]
                     ) -> dict[str, list[str]]:
    """Integration → impact sentences in change order; a waived change's sentence says so."""
    out: dict[str, list[str]] = {name: [] for name in names}
    for item in items:
        for name, sentence in sentences.get(item.fingerprint, {}).items() if item.kind == "diff" else ():
            out.setdefault(name, []).append(f"{sentence} (waived)" if item.waived else sentence)
    return out


def build_impact(manifests: Sequence[Manifest], items: list[Finding],
                 per_integration: dict[str, tuple[int, int]], accept: str,
                 impacts: dict[str, list[str]] | None = None) -> list[IntegrationImpact]:
    """Per integration: unwaived counts by level, connectors hit (worst level), payload results."""
    out: list[IntegrationImpact] = []
    for manifest in manifests:
        impact = IntegrationImpact(name=manifest.name, owner=manifest.owner,
                                   app_connector=manifest.app_connector_for(accept) or "",
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


def input_hashes(ws: Workspace, environments: list[str]) -> dict[str, str]:
    """One content hash per input: the snapshot trees, .gcn definitions, manifests, waivers, configuration,
    policy (from the bytes the run read, or the crawl handed over)."""
    config = ws.config
    out: dict[str, str] = {}
    candidates = [ws.definitions_dir / env for env in environments]
    candidates += [ws.getconnectors_dir, config.integrations_dir, config.waivers]
    if config.path is not None:
        candidates.append(config.path)
    if config.policy_file is not None:
        candidates.append(config.policy_file)
    for path in candidates:
        if path.is_dir() or path.is_file():
            out[ws.rel(path)] = ws.content_hash(path)
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


def _dedupe(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))


__all__ = ["CheckOutcome", "ReleaseCheckOptions", "apply_waivers", "build_impact", "input_hashes",
           "openapi_artifact", "pick_environment", "portable_item", "portable_paths", "release_check", "snapshot_live"]
