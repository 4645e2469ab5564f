"""``afasgov snapshot [ENV…] [--all] [--out DIR]``: crawl environments into ``definitions/``.

Prints a progress bar on a terminal (never in CI or when output is not a terminal), then one line
per environment (or, for fleets, a table per tenant), the tolerances applied, and one error line per
failed environment (with ``--debug``, preceded by its redacted traceback). Exit codes: 0 all
written; 3 an environment failed remotely (the others are still written); 2 configuration or input
problems (missing secret, malformed metainfo).
"""

from __future__ import annotations

import asyncio
import os
import sys
import traceback
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov.errors import UsageError
from afasgov.secrets import redact
from afasgov.snapshot.crawl import (
    DEFAULT_MAX_IN_FLIGHT_TOTAL,
    CrawlSettings,
    EnvironmentResult,
    overall_exit_code,
    snapshot_environments,
)
from afasgov.textsafe import summarise
from afasgov.words import plural

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from afasgov.app import AppContext
    from afasgov.snapshot.tree import TreeChanges

#: at most this many environments are listed one per line; larger runs get the per-tenant table
MAX_ENV_LINES = 12
MAX_WARNINGS_SHOWN = 10


def _show_progress(app: AppContext) -> bool:
    if app.quiet or os.environ.get("CI") or os.environ.get("AFASGOV_NO_PROGRESS"):
        return False
    return sys.stderr.isatty()


def progress_bar(console: Console, description: str) -> Progress:
    """The snapshot progress bar on ``console``: requests done of requests planned. Its filled part is
    green (rich's default is a red-pink, which reads as an error)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("snapshot"),
        BarColumn(complete_style="green", finished_style="green", pulse_style="green"),
        MofNCompleteColumn(),
        TextColumn("requests"),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    progress.add_task(description, total=0)
    return progress


@contextmanager
def _progress(app: AppContext, settings: CrawlSettings, n_envs: int) -> Iterator[None]:
    if not _show_progress(app):
        yield
        return
    from rich.console import Console

    progress = progress_bar(Console(stderr=True, no_color=not app.color), f"({plural(n_envs, 'environment')})")
    task = progress.task_ids[0]

    def planned(_env: str, n: int) -> None:
        progress.update(task, total=(progress.tasks[0].total or 0) + n)

    def done(_env: str) -> None:
        progress.advance(task)

    settings.on_planned, settings.on_done = planned, done
    with progress:
        yield


def _changes_text(c: TreeChanges) -> str:
    """``1 file changed, 2 added`` / ``no changes`` (a tree that had a previous snapshot)."""
    counts = [(len(c.changed), "changed"), (len(c.added), "added"), (len(c.removed), "removed")]
    parts = [(n, verb) for n, verb in counts if n]
    if not parts:
        return "no changes"
    (n, verb), rest = parts[0], parts[1:]
    return ", ".join([f"{plural(n, 'file')} {verb}", *(f"{m} {v}" for m, v in rest)])


def changes_line(results: list[EnvironmentResult]) -> str:
    """The run's last line: environments written (and failed), then what changed since the previous
    snapshot: ``snapshot: 3 environments written, 2 files changed, 1 added`` or ``…, no changes``."""
    ok = [r for r in results if r.ok and r.changes is not None]
    failed = sum(1 for r in results if not r.ok)
    text = f"snapshot: {plural(len(ok), 'environment')} written" + (f", {failed} failed" if failed else "")
    previous = [r.changes for r in ok if r.changes is not None and r.changes.previous]
    first = [r for r in ok if r.changes is not None and not r.changes.previous]
    if previous:
        from afasgov.snapshot.tree import TreeChanges  # (after the crawl: not on the first request's path)

        total = TreeChanges(
            previous=True, files=0,
            added=tuple(x for c in previous for x in c.added),
            changed=tuple(x for c in previous for x in c.changed),
            removed=tuple(x for c in previous for x in c.removed),
        )
        text += f", {_changes_text(total)}"
    if first:
        files = plural(sum(r.changes.files for r in first if r.changes is not None), "file")
        names = "" if len(first) == len(ok) == 1 else f"{', '.join(r.environment for r in first)}; "
        text += f" (new: {names}{files})"
    return text


def _verbose_lines(r: EnvironmentResult) -> list[str]:
    lines = [f"  {r.environment}: {plural(r.requests, 'request')}, {plural(r.retries, 'retry', 'retries')}, "
             f"{r.seconds:.1f} s"]
    if r.changes is not None and r.changes.previous:
        lines += [f"    changed {p}" for p in r.changes.changed]
        lines += [f"    added   {p}" for p in r.changes.added]
        lines += [f"    removed {p}" for p in r.changes.removed]
    return lines


def _env_line(r: EnvironmentResult, base: Path) -> str:
    if r.ok:
        where = r.path
        if where is not None:
            with suppress(ValueError):
                where = where.relative_to(base)
        return (
            f"{r.environment:<20} ok     {r.app_connectors} app connectors, {r.get_connectors} get, "
            f"{r.update_connectors} update, {r.fields} fields, {r.requests} requests, {r.seconds:.1f} s"
            f" -> {where}"
            + (f" ({_changes_text(r.changes)})" if r.changes is not None and r.changes.previous else " (new)")
        )
    outcome = "previous snapshot kept" if r.had_previous else "nothing written"
    return f"{r.environment:<20} FAILED (exit {r.exit_code}), {outcome}"


def _traceback_text(error: BaseException) -> str:
    """The traceback of a collected per-environment failure (for ``--debug``), secrets redacted."""
    return redact("".join(traceback.format_exception(error)).rstrip("\n"))


def _tenant_table(results: list[EnvironmentResult]) -> list[str]:
    by_tenant: dict[str, list[EnvironmentResult]] = defaultdict(list)
    for r in results:
        by_tenant[r.tenant].append(r)
    header = f"{'tenant':<12} {'environments':>12} {'get':>6} {'update':>7} {'fields':>9} {'time':>7}  result"
    lines = [header, "-" * len(header)]
    for tenant in sorted(by_tenant):
        rs = by_tenant[tenant]
        ok = [r for r in rs if r.ok]
        failed = [r.environment for r in rs if not r.ok]
        verdict = "ok" if not failed else f"FAILED: {summarise(failed)}"
        lines.append(
            f"{tenant:<12} {f'{len(ok)}/{len(rs)}':>12} {sum(r.get_connectors for r in ok):>6} "
            f"{sum(r.update_connectors for r in ok):>7} {sum(r.fields for r in ok):>9} "
            f"{max(r.seconds for r in rs):>6.1f}s  {verdict}"
        )
    n_ok = sum(1 for r in results if r.ok)
    n_tenants_ok = sum(1 for rs in by_tenant.values() if all(r.ok for r in rs))
    lines.append(
        f"{n_tenants_ok}/{len(by_tenant)} tenants and {n_ok}/{len(results)} environments snapshotted"
    )
    return lines


def run_snapshot_check(app: AppContext, envs: list[str], *, out: Path | None = None) -> int:
    """``afasgov snapshot --check [ENV…]``: the committed trees are consistent (no crawl; exit 1 if not).

    ENV names select ``<definitions_dir>/ENV``; none (or ``--all``) checks every tree there."""
    from afasgov.errors import EXIT_FINDINGS, EXIT_OK, InputError
    from afasgov.snapshot.consistency import check_tree, snapshot_trees

    definitions = Path(out) if out is not None else _definitions_dir(app)
    definitions = _relative(definitions)
    trees = [definitions / env for env in envs] if envs else snapshot_trees(definitions)
    if not trees:
        raise InputError("no snapshot trees here (directories with _snapshot.yaml)", source=str(definitions))
    for tree in trees:
        if not tree.is_dir():
            known = ", ".join(p.name for p in snapshot_trees(definitions)) or "none"
            raise UsageError(f"no snapshot of {tree.name} in {definitions} (snapshots there: {known})")
    results = [check_tree(tree) for tree in trees]
    bad = [r for r in results if not r.ok]
    for r in results:
        if r.ok:
            app.echo(f"ok    {r.path} ({r.files} files)")
        for problem in r.problems:
            app.emit(problem)
    if bad:
        app.emit(f"{len(bad)} of {len(results)} snapshot tree(s) are not consistent")
        return EXIT_FINDINGS
    return EXIT_OK


def _relative(path: Path) -> Path:
    """``path`` relative to the current directory when it is below it (shorter lines, as typed)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _definitions_dir(app: AppContext) -> Path:
    """``definitions_dir`` of afasgov.yaml, else ``./definitions`` when there is no configuration."""
    from afasgov.config.loader import find_config

    if app.config_path is None and find_config() is None:
        return Path("definitions")
    return Path(app.config().definitions_dir)


def run_snapshot(
    app: AppContext,
    envs: list[str],
    *,
    all_envs: bool = False,
    out: Path | None = None,
    max_in_flight_total: int | None = None,
    parallel_environments: int | None = None,
    allow_shrink: bool = False,
) -> int:
    """The ``snapshot`` command; returns the exit code."""
    if envs and all_envs:
        raise UsageError("name environments or use --all, not both")
    if not envs and not all_envs:
        raise UsageError("name the environments to snapshot, or use --all")
    config = app.config()
    selected = config.select(envs or None)
    definitions_dir = Path(out) if out is not None else config.definitions_dir
    settings = CrawlSettings(
        max_in_flight_total=max_in_flight_total or config.max_in_flight_total or DEFAULT_MAX_IN_FLIGHT_TOTAL,
        max_connector_loss=config.max_connector_loss,
        allow_shrink=allow_shrink,
    )
    if parallel_environments:
        settings.parallel_environments = parallel_environments
    with _progress(app, settings, len(selected)):
        results = asyncio.run(snapshot_environments(selected, definitions_dir, settings))
    base = Path.cwd()
    if len(results) <= MAX_ENV_LINES:
        for r in results:
            app.echo(_env_line(r, base))
    if app.verbose:
        for r in results:
            for line in _verbose_lines(r):
                app.echo(line)
    if len({r.tenant for r in results}) > 1 or len(results) > MAX_ENV_LINES:
        for line in _tenant_table(results):
            app.echo(line)
    for r in results:
        for w in r.warnings[:MAX_WARNINGS_SHOWN]:
            app.echo(f"afasgov: note: {w}", err=not app.quiet)
        if len(r.warnings) > MAX_WARNINGS_SHOWN:
            app.echo(
                f"afasgov: note: … and {len(r.warnings) - MAX_WARNINGS_SHOWN} more for {r.environment} "
                f"(see {r.environment}/_snapshot.yaml)",
                err=not app.quiet,
            )
    for r in results:
        if r.error is not None:
            if app.debug:
                app.echo(_traceback_text(r.error), err=True)
            app.echo(f"afasgov: error: {r.error}", err=True)
    app.emit(changes_line(results))  # the run's result: printed even with --quiet
    return overall_exit_code(results)


__all__ = ["changes_line", "progress_bar", "run_snapshot"]
