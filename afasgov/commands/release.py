"""The command functions behind ``afasgov init``, ``demo``, ``release-check`` and ``report index``.

Each takes the CLI's :class:`~afasgov.app.AppContext`, does its work through the library API of
this package, prints what the user needs and returns the exit code (DESIGN §9).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from afasgov.errors import EXIT_OK

if TYPE_CHECKING:
    from afasgov.app import AppContext


def run_init(app: AppContext, directory: Path) -> int:
    """``afasgov init [DIR]``: scaffold; never overwrite; say what exists."""
    from afasgov.config.scaffold import NEXT_STEPS, scaffold

    result = scaffold(directory)
    for line in result.lines():
        app.echo(line)
    if not result.created and not result.updated:
        app.echo(f"nothing to do: {directory} is already an afasgov repository")
    else:
        app.echo(f"initialised {directory}")
        for line in NEXT_STEPS:
            app.echo(line)
    return EXIT_OK


def run_release_check(app: AppContext, *, accept: str | None, production: str | None, offline: bool,
                      fail_on: str, summary_json: Path | None = None, openapi: bool = False,
                      release_notes: list[Path] | None = None) -> int:
    """``afasgov release-check``: snapshot (unless offline), diff, validate, audit, write reports;
    with ``summary_json``, the paths of the reports this run wrote (:mod:`afasgov.commands.summary`); with
    ``openapi``, production's and accept's OpenAPI documents too (``openapi-<environment>``)."""
    from afasgov.commands.summary import EXTENSION_FORMAT
    from afasgov.commands.summary import summary_json as summary_file
    from afasgov.release.check import ReleaseCheckOptions, release_check
    from afasgov.report.publish import publish

    with summary_file(summary_json, "release-check") as run:
        options = ReleaseCheckOptions(accept=accept, production=production, offline=offline, fail_on=fail_on,
                                      openapi=openapi, release_notes=release_notes or [],
                                      progress=app.echo if app.verbose else None)
        ws = app.workspace()
        outcome = publish(release_check(ws, options), ws)
        for line in outcome.summary_lines():
            app.echo(line)
        _verdict(outcome.report.verdict_line())
        run.exit_code, run.verdict = outcome.exit_code, outcome.report.verdict
        run.summary = {level: outcome.report.counts().get(level, 0) for level in ("ERR", "WARN", "INFO")}
        for ext, path in outcome.paths.items():
            run.add_report(EXTENSION_FORMAT.get(ext, ext), path)
        return outcome.exit_code


def _verdict(line: str) -> None:
    """The verdict prints even with ``--quiet`` (as the global option promises)."""
    import click

    from afasgov.secrets import redact

    click.echo(redact(line))


def run_demo(app: AppContext, *, directory: Path) -> int:
    """``afasgov demo``: simulator in-process, scaffold, snapshot, release-check; print the report path."""
    from afasgov.demo.run import run as demo_run

    outcome = demo_run(directory, echo=app.echo, verbose=app.verbose, result=app.emit)
    return outcome.exit_code


def run_report_index(app: AppContext) -> int:
    """``afasgov report index``: rebuild ``reports/index.html`` from the reports directory."""
    from afasgov.report.publish import rebuild_index

    reports_dir = _reports_dir(app)
    path = rebuild_index(reports_dir)
    app.echo(f"wrote {path}")
    return EXIT_OK


def _reports_dir(app: AppContext) -> Path:
    """``reports_dir`` of the configuration; ``./reports`` when there is no configuration at all."""
    from afasgov.errors import ConfigError

    try:
        return app.config().reports_dir
    except ConfigError as exc:
        if app.config_path is None and "no afasgov.yaml" in str(exc).lower() and Path("reports").is_dir():
            return Path("reports")
        raise


__all__ = ["run_demo", "run_init", "run_release_check", "run_report_index"]
