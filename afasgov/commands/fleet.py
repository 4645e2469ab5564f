"""``afasgov fleet merge SHARD_DIR…``: one fleet report from the shards of a sharded fleet run.

Prints where the merged report went and the fleet verdict; exit code as the fleet run's: 0 every
tenant clean, 1 findings (or a tenant that could not be checked), 3 every tenant failed, 2 when the
shard directories are not the shards of one run (a shard missing or given twice, another tenants
file, a different split).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov.errors import UsageError

if TYPE_CHECKING:
    from afasgov.app import AppContext


def default_output(app: AppContext) -> Path:
    """``<fleet reports_dir>/<stamp>-merged`` of afasgov.yaml (``reports/fleet`` by default)."""
    config = app.config()
    base = config.fleet.reports_dir if config.fleet is not None else config.reports_dir / "fleet"
    return base / (datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ") + "-merged")


def run_fleet_merge(app: AppContext, shards: list[Path], output: Path | None) -> int:
    from afasgov.fleet.publish import merge_directories

    if not shards:
        raise UsageError("name the shard directories to merge (each holds a fleet.json)")
    target = output if output is not None else default_output(app)
    report, paths = merge_directories(shards, target)
    app.echo(f"merged {len(shards)} shard(s): {len(report.tenants)} tenants")
    for fmt in ("html", "md", "json", "xml"):
        app.echo(f"  {fmt:<5} {paths[fmt]}")
    app.emit(report.verdict_line())
    return report.exit_code


def run_fleet_list(app: AppContext, *, tags: list[str], shard: str | None, ids_only: bool) -> int:
    """``afasgov fleet list``: the tenants (of a shard, with tags): id, name, tags, shard, environments,
    and where each App Connector's secret comes from (never a value). ``--ids``: one id a line."""
    from afasgov.config.fleet import load_fleet, parse_shard

    config = app.config()
    if config.fleet is None:
        raise UsageError(f"no fleet: section in {config.path} (see docs/fleet.md)")
    fleet = load_fleet(config.fleet)
    part = parse_shard(shard) if shard else None
    tenants = fleet.select(tags, part)
    if ids_only:
        app.emit("\n".join(t.id for t in tenants) if tenants else "")
        return 0
    from afasgov.config.fleet import shard_of

    n = part[1] if part else 0
    for t in tenants:
        where = f" shard {shard_of(t.id, n)}/{n}" if n else ""
        app.emit(f"{t.id}  {t.name}  [{', '.join(t.tags)}]{where}")
        for env in t.environments.values():
            secrets = "; ".join(f"{name}: {ac.auth.describe()}" for name, ac in env.app_connectors.items())
            app.emit(f"    {env.name}  {env.base_url}  {secrets}")
    app.echo(f"{len(tenants)} of {len(fleet.tenants)} tenants", err=True)
    return 0


def run_fleet_check(app: AppContext, *, tags: list[str], shard: str | None, offline: bool, fail_on: str,
                    output: Path | None, summary_json: Path | None = None) -> int:
    """``afasgov release-check --fleet``: every tenant's release check, the fleet report, the verdict;
    with ``summary_json``, the fleet report's files (:mod:`afasgov.commands.summary`)."""
    from afasgov.commands.summary import summary_json as summary_file
    from afasgov.config.fleet import parse_shard
    from afasgov.fleet.run import FleetOptions, run_fleet

    with summary_file(summary_json, "release-check --fleet") as summary:
        options = FleetOptions(tags=tags, shard=parse_shard(shard) if shard else None, offline=offline,
                               fail_on=fail_on, output=output, progress=app.echo if app.verbose else None)
        run = run_fleet(app.workspace(), options)
        report = run.report
        failed = [t for t in report.tenants if t.status == "failed"]
        for t in failed[:20]:
            app.echo(f"afasgov: tenant {t.id} ({t.name}) could not be checked: "
                     f"{t.error.message if t.error else 'unknown'}", err=True)
        if len(failed) > 20:
            app.echo(f"afasgov: … and {len(failed) - 20} more tenants could not be checked (see fleet.html)",
                     err=True)
        app.echo(f"fleet report of {len(report.tenants)} tenants in {run.directory}")
        for fmt in ("html", "md", "json", "xml"):
            app.echo(f"  {fmt:<5} {run.paths[fmt]}")
        app.emit(report.verdict_line())
        summary.exit_code, summary.verdict = run.exit_code, report.verdict
        summary.summary = report.summary()
        for fmt, name in (("html", "html"), ("md", "markdown"), ("json", "json"), ("xml", "junit")):
            summary.add_report(name, run.paths[fmt])
        return run.exit_code


__all__ = ["run_fleet_check", "run_fleet_list", "run_fleet_merge"]
