"""``afasgov release-check --fleet``: the release check of every tenant of a fleet, in one process.

1. The tenants: the tenants file (``fleet:`` in afasgov.yaml), those with every ``--tags`` tag, the share
   of ``--shard K/N`` (a hash of the tenant id: a tenant stays in its shard as the list grows).
2. Online: one crawl of every selected tenant's environments (:func:`~afasgov.snapshot.crawl.
   snapshot_environments`: at most 8 requests in flight per environment, the global cap over all, one
   event loop), each tree written to ``<fleet definitions>/<tenant>-<env>/`` as it completes. As soon
   as a tenant's environments are in, its check runs on the snapshots the crawl hands over (nothing is
   read back), one tenant at a time beside the crawl, and its snapshots are dropped: memory stays
   bounded however many tenants there are. ``--offline`` checks the committed trees instead.
3. Per tenant, the check is one call, :func:`afasgov.release.check.release_check` on the run's
   :class:`~afasgov.workspace.Workspace` (whose configuration holds every tenant's environments, so the
   manifests, waivers, policy, ``.gcn`` definitions and the repository's secret scan are read once for
   the whole fleet). Its release report goes to ``<output>/<tenant>/release-check.*``.
4. A tenant that cannot be checked (unreachable, authentication refused, a missing secret, a broken
   tree) is reported with the reason; the others go on.

The fleet report (``<output>/fleet.json`` and its HTML, Markdown, JUnit) is :mod:`afasgov.fleet.model`.
Exit code: 0 every tenant clean, 1 findings or a tenant that could not be checked, 3 no tenant could be
checked.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from afasgov import __version__
from afasgov.errors import EXIT_REMOTE, AfasgovError, UsageError
from afasgov.fleet.model import LEVELS, FleetReport, TenantError, TenantResult, tenant_changes
from afasgov.secrets import redact

if TYPE_CHECKING:
    from afasgov.config.fleet import Fleet, Tenant
    from afasgov.release.model import ReleaseReport
    from afasgov.snapshot.crawl import CrawlSettings, EnvironmentResult
    from afasgov.workspace import Workspace

#: the release report of a tenant, in ``<output>/<tenant>/``
REPORT_NAME = "release-check"
TENANT_FORMATS = ("json", "md", "html")
#: integration status of a release report → the fleet matrix's
CELL = {"breaks": "breaks", "at risk": "may break", "ok": "ok"}
STAMP_FORMAT = "%Y-%m-%dT%H%M%SZ"


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class FleetOptions:
    tags: Sequence[str] = ()
    shard: tuple[int, int] | None = None
    offline: bool = False
    fail_on: str = "ERR"
    #: the run's directory (default ``<fleet reports_dir>/<stamp>``)
    output: Path | None = None
    #: the crawl's settings (limits, retries; tests: transports); the global cap from afasgov.yaml or 64
    crawl: CrawlSettings | None = None
    progress: Callable[[str], None] | None = None
    now: Callable[[], datetime] = _utcnow


@dataclass
class FleetRun:
    """The outcome of a fleet run: the report and where it was written."""

    report: FleetReport
    directory: Path
    paths: dict[str, Path] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return self.report.exit_code


def fleet_workspace(ws: Workspace, fleet: Fleet, output: Path) -> Workspace:
    """A workspace for the fleet run: the configuration's environments are the fleet's (every tenant's,
    not only the selection's: the audit knows every configured secret file), its definitions the fleet's,
    its reports directory the run's."""
    from afasgov.workspace import Workspace

    config = ws.config
    envs = {env.name: env for t in fleet.tenants for env in t.environments.values()}
    clash = sorted(set(envs) & set(config.environments))
    if clash:
        raise UsageError(f"environment {clash[0]!r} is both in environments: and a fleet tenant's; rename one")
    fleet_config = dataclasses.replace(config, environments=envs, definitions_dir=fleet.spec.definitions_dir,
                                       reports_dir=output)
    return Workspace.from_config(fleet_config)


def run_fleet(ws: Workspace, options: FleetOptions) -> FleetRun:
    """Check the fleet of ``ws``'s configuration; write the fleet report; return it."""
    from afasgov.config.fleet import load_fleet
    from afasgov.fleet.publish import write_fleet_report

    config = ws.config
    if config.fleet is None:
        raise UsageError(f"--fleet: no fleet: section in {config.path} (see docs/fleet.md)")
    progress = options.progress or (lambda _line: None)
    started = options.now()
    clock = time.perf_counter()
    fleet = load_fleet(config.fleet)
    tenants = fleet.select(options.tags, options.shard)
    stamp = started.astimezone(UTC).strftime(STAMP_FORMAT)
    output = options.output if options.output is not None else fleet.spec.reports_dir / stamp
    from afasgov._files import make_output_dir

    make_output_dir(output)
    fws = fleet_workspace(ws, fleet, output)
    checker = _Checker(fws, options, output)
    if options.offline or not tenants:
        for t in tenants:
            checker.check(t)
    else:
        asyncio.run(_crawl_and_check(fws, fleet, tenants, checker, options, progress))
    finished = options.now()
    run: dict[str, Any] = {
        "stamp": stamp,
        "started_at": started.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "finished_at": finished.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seconds": round(time.perf_counter() - clock, 3),
        "shard": f"{options.shard[0]}/{options.shard[1]}" if options.shard else None,
        "tags": sorted(options.tags),
        "offline": options.offline,
        "fail_on": options.fail_on,
        "environments": list(fleet.spec.environments),
        "tenants_file": fws.rel(fleet.spec.tenants_file),
        "tenants_file_sha256": fws.content_hash(fleet.spec.tenants_file),
        "tenants_total": len(fleet.tenants),
        "tool_version": __version__,
    }
    report = FleetReport(tenants=list(checker.results.values()), run=run)
    paths = write_fleet_report(report, output)
    return FleetRun(report=report, directory=output, paths=paths)


async def _crawl_and_check(ws: Workspace, fleet: Fleet, tenants: Sequence[Tenant], checker: _Checker,
                           options: FleetOptions, progress: Callable[[str], None]) -> None:
    from afasgov.snapshot.crawl import DEFAULT_MAX_IN_FLIGHT_TOTAL, CrawlSettings, snapshot_environments

    settings = dataclasses.replace(options.crawl) if options.crawl is not None else CrawlSettings(
        max_in_flight_total=ws.config.max_in_flight_total or DEFAULT_MAX_IN_FLIGHT_TOTAL)
    owner: dict[str, tuple[Tenant, str]] = {
        env.name: (t, env_type) for t in tenants for env_type, env in t.environments.items()}
    waiting: dict[str, dict[str, EnvironmentResult]] = {t.id: {} for t in tenants}
    one_at_a_time = asyncio.Lock()
    checks: list[asyncio.Task[None]] = []

    async def check(t: Tenant, results: dict[str, EnvironmentResult]) -> None:
        async with one_at_a_time:  # one tenant's snapshots in memory at a time, whatever the crawl's pace
            await asyncio.to_thread(checker.check, t, results)

    def done(result: EnvironmentResult) -> None:
        t, env_type = owner[result.environment]
        got = waiting[t.id]
        got[env_type] = result
        if len(got) == len(t.environments):
            checks.append(asyncio.ensure_future(check(t, got)))
            del waiting[t.id]

    settings.on_result = done
    settings.all_secrets_first = False  # a tenant whose secret is missing is reported; the others go on
    progress(f"snapshotting {sum(len(t.environments) for t in tenants)} environments of {len(tenants)} tenants …")
    await snapshot_environments([env for t in tenants for env in t.environments.values()],
                                fleet.spec.definitions_dir, settings, keep=True)
    await asyncio.gather(*checks)


class _Checker:
    """The release check of one tenant after another, on one workspace."""

    def __init__(self, ws: Workspace, options: FleetOptions, output: Path) -> None:
        self.ws = ws
        self.options = options
        self.output = output
        self.results: dict[str, TenantResult] = {}

    def check(self, t: Tenant, crawled: dict[str, EnvironmentResult] | None = None) -> None:
        start = time.perf_counter()
        base = TenantResult(id=t.id, name=t.name, position=t.position, tags=t.tags,
                            integrations={})
        try:
            result = self._check(t, crawled, base)
        except AfasgovError as exc:
            result = dataclasses.replace(base, status="failed", error=TenantError(
                "check", redact(str(exc)), exc.exit_code))
        except Exception as exc:  # noqa: BLE001 - one tenant's bug must not stop the fleet; reported
            result = dataclasses.replace(base, status="failed", error=TenantError(
                "check", redact(f"internal error: {type(exc).__name__}: {exc}"), 70))
        finally:
            for env in t.environments.values():
                self.ws.forget_snapshot(env.name)
        self.results[t.id] = dataclasses.replace(result, seconds=time.perf_counter() - start)

    def _check(self, t: Tenant, crawled: dict[str, EnvironmentResult] | None, base: TenantResult) -> TenantResult:
        from afasgov.release.check import ReleaseCheckOptions, release_check

        if crawled is not None:
            failed = [r for r in crawled.values() if not r.ok]
            if failed:
                worst = sorted(failed, key=lambda r: r.exit_code != EXIT_REMOTE)[0]
                error = worst.error
                return dataclasses.replace(base, status="failed", error=TenantError(
                    "snapshot" if error is None or error.exit_code == EXIT_REMOTE else "configuration",
                    redact(str(error)) if error is not None else "the snapshot failed",
                    worst.exit_code or EXIT_REMOTE, worst.environment))
            for r in crawled.values():
                if r.snapshot is not None and r.files is not None:
                    self.ws.add_snapshot(r.snapshot, r.files)
                r.snapshot = r.files = None  # the workspace has them now; dropped after the check
        envs = t.environments
        production = envs.get("production") or next(iter(envs.values()))
        accept = envs.get("accept") or list(envs.values())[-1]
        if production.name == accept.name:
            raise UsageError(f"tenant {t.id}: a release check needs two environments (production and accept)")
        report = release_check(self.ws, ReleaseCheckOptions(
            production=production.name, accept=accept.name, offline=self.options.offline,
            fail_on=self.options.fail_on, now=self.options.now))
        reports = self._write(t, report)
        return tenant_result(base, report, envs, reports)

    def _write(self, t: Tenant, report: ReleaseReport) -> dict[str, str]:
        from afasgov._files import write_output_files
        from afasgov.report.release import RENDERERS, render_markdown

        directory = self.output / t.id
        directory.mkdir(parents=True, exist_ok=True)
        # HTML to read, JSON for tools, Markdown to paste; the fleet's JUnit covers CI (no SARIF per tenant)
        files = {ext: directory / f"{REPORT_NAME}.{ext}" for ext in TENANT_FORMATS}
        rendered = {ext: RENDERERS[ext](report) for ext in TENANT_FORMATS if ext != "md"}
        rendered["md"] = render_markdown(report, html_name=f"{REPORT_NAME}.html")
        write_output_files([(files[ext], rendered[ext].encode("utf-8")) for ext in files])
        return {ext: f"{t.id}/{REPORT_NAME}.{ext}" for ext in files}


def tenant_result(base: TenantResult, report: ReleaseReport, envs: Any, reports: dict[str, str]) -> TenantResult:
    """A tenant's entry of the fleet report, from its release report."""
    counts = report.counts()
    type_of = {env.name: env_type for env_type, env in envs.items()}
    versions = {type_of.get(info.name, info.type or info.name): info.profit_version
                for info in (report.base, report.revision)}
    return dataclasses.replace(
        base,
        status="findings" if report.verdict == "FAIL" else "ok",
        counts={lvl: int(counts.get(lvl, 0)) for lvl in LEVELS},
        waived=report.waived_count(),
        profit_versions=versions,
        integrations={i.name: CELL.get(i.status, "not checked") for i in report.integrations},
        changes=tenant_changes(report.items),
        reports=reports,
    )


__all__ = ["FleetOptions", "FleetRun", "fleet_workspace", "run_fleet", "tenant_result"]
