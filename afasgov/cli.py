"""Command-line entry points only; no logic (DESIGN §9).

Each command parses its options and calls one function of the package that owns the work. Errors
are :class:`afasgov.errors.AfasgovError`; :func:`main` turns them into one redacted line on stderr
and the documented exit code (a traceback only with ``--debug``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from afasgov import __version__
from afasgov.app import AppContext
from afasgov.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USAGE,
    MAX_DETAILS,
    AfasgovError,
    UsageError,
    interrupt_in_chain,
)
from afasgov.findings import LEVELS
from afasgov.secrets import redact
from afasgov.textsafe import error_line, terminal

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ["text", "markdown", "json", "html", "junit", "sarif", "github", "gitlab"]
#: ``--fail-on`` of every command that has it: a level, or ``none`` (report, never fail); any case
FAIL_ON = click.Choice([*LEVELS, "none"], case_sensitive=False)


pass_app = click.make_pass_decorator(AppContext)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="afasgov")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Path of afasgov.yaml (default: found in the current directory or its parents).")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and the verdict.")
@click.option("--verbose", "-v", is_flag=True, help="Print progress details.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("--no-color", is_flag=True, help="No colour in output (also: NO_COLOR environment variable).")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, quiet: bool, verbose: bool, debug: bool,
        no_color: bool) -> None:
    """afasgov — govern AFAS Profit connector definitions.

    Snapshot accept, test and production; keep GetConnector (.gcn) definitions as code; diff them to
    catch breaking changes before a Profit release reaches production; audit App Connector scopes;
    report for humans (HTML, Markdown) and machines (JSON, JUnit, SARIF).

    Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage/configuration/input error,
    3 remote failure.
    """
    color = not no_color and not os.environ.get("NO_COLOR")
    ctx.obj = AppContext(config_path=config_path, quiet=quiet, verbose=verbose, debug=debug, color=color)


def _exit(code: int) -> None:
    if code:
        raise SystemExit(code)


# --------------------------------------------------------------------------------------------- check
@cli.command()
@click.argument("envs", nargs=-1)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@pass_app
def check(app: AppContext, envs: tuple[str, ...], output_format: str) -> None:
    """Reachability, authentication, Profit version and token/secret expiry per App Connector."""
    from afasgov.commands.check import run_check

    _exit(run_check(app, list(envs), output_format=output_format))


# ----------------------------------------------------------------------------------------------- sim
@cli.command()
@click.option("--dataset", default="demo", show_default=True, help="demo or synthetic:N")
@click.option("--port", default=0, show_default=True, type=int, help="TCP port on 127.0.0.1 (0 = a free one).")
@click.option("--latency-ms", default=0.0, show_default=True, type=float, help="Added latency per request.")
@click.option("--fail-rate", default=0.0, show_default=True, type=float,
              help="Share of requests that fail (503, 500 or a dropped connection), seeded.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for synthetic data and faults.")
@click.option("--write-config", type=click.Path(path_type=Path, dir_okay=False),
              help="Write an afasgov.yaml pointing at this server (credentials in a file beside it).")
@click.option("--force", is_flag=True,
              help="Let --write-config overwrite an existing file that afasgov sim did not write.")
@click.option("--fleet", is_flag=True,
              help="With --write-config: a fleet: section and fleet/tenants.yaml (synthetic:N,tenants=K).")
@pass_app
def sim(app: AppContext, dataset: str, port: int, latency_ms: float, fail_rate: float, seed: int,
        write_config: Path | None, force: bool, fleet: bool) -> None:
    """Serve the embedded AFAS Profit simulator on 127.0.0.1 until interrupted."""
    from afasgov.commands.sim import run_sim

    if fleet and write_config is None:
        raise UsageError("--fleet goes with --write-config FILE")
    _exit(run_sim(app, dataset=dataset, port=port, latency_ms=latency_ms, fail_rate=fail_rate, seed=seed,
                  write_config=write_config, force=force, fleet=fleet))


# ------------------------------------------------------------------------------------------ snapshot
@cli.command()
@click.argument("envs", nargs=-1)
@click.option("--all", "all_envs", is_flag=True, help="Snapshot every configured environment.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Definitions directory to write into (default: definitions_dir of afasgov.yaml).")
@click.option("--max-in-flight-total", type=click.IntRange(1, 10_000),
              help="Cap on parallel requests over all environments (default: config or 64); "
                   "each environment stays at 8 or fewer.")
@click.option("--parallel-environments", type=click.IntRange(1, 1000),
              help="Environments crawled at the same time (default 16).")
@click.option("--allow-shrink", is_flag=True,
              help="Accept a snapshot that loses more than max_connector_loss (default half) of an "
                   "environment's connectors at once.")
@click.option("--check", is_flag=True,
              help="Do not crawl: check the committed trees (all, or ENV…) read and are as afasgov writes them; "
                   "exit 1 if not (a pre-commit hook).")
@pass_app
def snapshot(app: AppContext, envs: tuple[str, ...], all_envs: bool, out: Path | None,
             max_in_flight_total: int | None, parallel_environments: int | None, allow_shrink: bool,
             check: bool) -> None:
    """Crawl environments into definitions/<env>/ (atomic per environment; exit 3 if one failed)."""
    from afasgov.commands.snapshot import run_snapshot, run_snapshot_check

    if check:
        _exit(run_snapshot_check(app, [] if all_envs else list(envs), out=out))
        return

    _exit(run_snapshot(app, list(envs), all_envs=all_envs, out=out, max_in_flight_total=max_in_flight_total,
                       parallel_environments=parallel_environments, allow_shrink=allow_shrink))


# ----------------------------------------------------------------------------------------------- gcn
@cli.group()
def gcn() -> None:
    """GetConnector definitions as code: read, import, export and compare Profit .gcn exports."""


@gcn.command("show")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@pass_app
def gcn_show(app: AppContext, file: Path, output_format: str) -> None:
    """Print the readable definition of a .gcn file (or a stored definition / YAML)."""
    from afasgov.commands.gcn import run_show

    _exit(run_show(app, file, output_format))


@gcn.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@pass_app
def gcn_check(app: AppContext, files: tuple[Path, ...]) -> None:
    """Check .gcn exports and stored definitions can be imported (exit 1 when one cannot; a pre-commit hook).

    A .gcn must read completely (not converted as text by git, not truncated); a stored <Name>.yaml
    must load with its <Name>.gcn and export again with its edits applied. Nothing is written.
    """
    from afasgov.commands.gcn import run_check

    _exit(run_check(app, list(files)))


@gcn.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--into", type=click.Path(path_type=Path, file_okay=False),
              help="Target directory (default: <definitions_dir>/getconnectors).")
@click.option("--replace", is_flag=True,
              help="Allow replacing a stored connector with another GUID of the same name (or an older export).")
@click.option("--allow-downgrade", is_flag=True,
              help="Allow importing an export older than the stored one of the same GUID (ChDt / export time).")
@pass_app
def gcn_import(app: AppContext, files: tuple[Path, ...], into: Path | None, replace: bool,
               allow_downgrade: bool) -> None:
    """Store .gcn exports as <Name>.yaml (readable) + <Name>.gcn (original bytes), keyed by GUID."""
    from afasgov.commands.gcn import run_import

    _exit(run_import(app, list(files), into, replace, allow_downgrade))


@gcn.command("export")
@click.argument("names", nargs=-1, required=True)
@click.option("--out", required=True, type=click.Path(path_type=Path, file_okay=False), help="Output directory.")
@click.option("--from", "source", type=click.Path(path_type=Path, file_okay=False),
              help="Definitions directory (default: <definitions_dir>/getconnectors).")
@pass_app
def gcn_export(app: AppContext, names: tuple[str, ...], out: Path, source: Path | None) -> None:
    """Write stored definitions (by name or GUID) as .gcn: the original bytes, or re-written if the
    YAML was edited."""
    from afasgov.commands.gcn import run_export

    _exit(run_export(app, list(names), out, source))


@gcn.command("diff")
@click.argument("base", type=click.Path(path_type=Path))
@click.argument("revision", type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report here (atomic).")
@click.option("--fail-on", type=FAIL_ON, default="ERR", show_default=True,
              help="Exit 1 when an unwaived change is at or above this level.")
@click.option("--waivers", type=click.Path(path_type=Path, dir_okay=False),
              help="waivers.yaml (default: from afasgov.yaml).")
@click.option("--integrations", type=click.Path(path_type=Path, file_okay=False),
              help="Directory of integration manifests (default: from afasgov.yaml).")
@click.option("--no-downgrade", is_flag=True, help="Keep ERR on things no integration manifest uses.")
@pass_app
def gcn_diff(app: AppContext, base: Path, revision: Path, output_format: str, output: Path | None, fail_on: str,
             waivers: Path | None, integrations: Path | None, no_downgrade: bool) -> None:
    """Compare two GetConnector definitions (.gcn files, definition YAML or stored names), like `afasgov diff`."""
    from afasgov.commands.gcn import run_diff

    _exit(run_diff(app, base, revision, output_format=output_format, fail_on=fail_on, output=output,
                   waivers=waivers, integrations=integrations, downgrade=not no_downgrade))


# ------------------------------------------------------------------------------------ promote/verify
@cli.command()
@click.option("--from", "source", required=True, metavar="ENV", help="Environment the definitions come from.")
@click.option("--to", "target", required=True, metavar="ENV", help="Environment to import them into.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Directory for the bundle (default: dist/ next to afasgov.yaml).")
@click.option("--only", multiple=True, metavar="CONNECTOR", help="Promote only these GetConnectors (repeatable).")
@click.option("--replace", is_flag=True, help="Replace a bundle of the same name (same day).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_app
def promote(app: AppContext, source: str, target: str, out: Path | None, only: tuple[str, ...], replace: bool,
            output_format: str) -> None:
    """Bundle the .gcn files that bring --to up to --from, with a checklist for the administrator.

    Writes dist/promote-<from>-to-<to>-<date>/ (CHECKLIST.md, manifest.json, SHA256SUMS, gcn/).
    Exit 1 when a differing GetConnector has no reviewed definition to import (see the checklist).
    """
    from afasgov.commands.promote import run_promote

    _exit(run_promote(app, source, target, out=out, only=list(only), replace=replace, output_format=output_format))


@cli.command()
@click.argument("env")
@click.option("--offline", is_flag=True, help="Verify the committed snapshot instead of the live environment.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to FILE.")
@pass_app
def verify(app: AppContext, env: str, offline: bool, output_format: str, output: Path | None) -> None:
    """Compare ENV's GetConnectors with the reviewed definitions: drift and missing imports.

    Exit 1 on drift, a connector behind its definition or a missing import; 3 when ENV cannot be read.
    """
    from afasgov.commands.promote import run_verify

    _exit(run_verify(app, env, offline=offline, output_format=output_format, output=output))


# ---------------------------------------------------------------------------- diff/changelog/validate
@cli.command()
@click.argument("base")
@click.argument("revision")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report here (atomic).")
@click.option("--fail-on", type=FAIL_ON, default="ERR", show_default=True,
              help="Exit 1 when an unwaived change is at or above this level.")
@click.option("--waivers", type=click.Path(path_type=Path, dir_okay=False),
              help="waivers.yaml (default: from afasgov.yaml).")
@click.option("--integrations", type=click.Path(path_type=Path, file_okay=False),
              help="Directory of integration manifests (default: from afasgov.yaml).")
@click.option("--no-downgrade", is_flag=True, help="Keep ERR on things no integration manifest uses.")
@pass_app
def diff(app: AppContext, base: str, revision: str, fmt: str, output: Path | None, fail_on: str,
         waivers: Path | None, integrations: Path | None, no_downgrade: bool) -> None:
    """Compare BASE with REVISION: environment names, snapshot directories, GITREF:PATH, or two .gcn files."""
    from afasgov.commands.diff import run_diff

    _exit(run_diff(app, base, revision, fmt=fmt, output=output, fail_on=fail_on, waivers=waivers,
                   integrations=integrations, downgrade=not no_downgrade))


@cli.command()
@click.argument("base")
@click.argument("revision")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the table here (atomic).")
@pass_app
def changelog(app: AppContext, base: str, revision: str, fmt: str, output: Path | None) -> None:
    """AFAS's release-notes table (Description | Connector | Operation) from BASE to REVISION."""
    from afasgov.commands.diff import run_changelog

    _exit(run_changelog(app, base, revision, fmt=fmt, output=output))


@cli.command("release-notes")
@click.argument("notes", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--base", metavar="ENV", help="Snapshot the release goes to (default: the production environment).")
@click.option("--revision", metavar="ENV", help="Snapshot that has the release (accept): check it against the notes.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report here (atomic).")
@click.option("--fail-on", type=FAIL_ON, default="ERR", show_default=True,
              help="Exit 1 when an unwaived announced change (impact) or, with --revision, an unannounced "
                   "change is at or above this level.")
@click.option("--waivers", type=click.Path(path_type=Path, dir_okay=False),
              help="waivers.yaml (default: from afasgov.yaml).")
@click.option("--integrations", type=click.Path(path_type=Path, file_okay=False),
              help="Directory of integration manifests (default: from afasgov.yaml).")
@click.option("--no-downgrade", is_flag=True, help="Keep ERR on things no integration manifest uses.")
@pass_app
def release_notes(app: AppContext, notes: tuple[Path, ...], base: str | None, revision: str | None, fmt: str,
                  output: Path | None, fail_on: str, waivers: Path | None, integrations: Path | None,
                  no_downgrade: bool) -> None:
    """Read AFAS's release notes (NOTES: "New in Profit N" Markdown): their impact on --base, and with
    --revision whether that environment got what they announce."""
    from afasgov.commands.release_notes import run_release_notes

    _exit(run_release_notes(app, list(notes), base=base, revision=revision, fmt=fmt, output=output,
                            fail_on=fail_on, waivers=waivers, integrations=integrations,
                            downgrade=not no_downgrade))


@cli.command()
@click.argument("payloads", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--env", required=True, help="Environment (its snapshot under definitions/) or a snapshot directory.")
@click.option("--connector", help="The UpdateConnector the payloads are for (default: their root element).")
@click.option("--action", type=click.Choice(["insert", "update", "delete"]),
              help="Treat payloads as this action (default: JSON insert; XML from Fields/@Action).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report here (atomic).")
@click.option("--fail-on", type=FAIL_ON, default="ERR", show_default=True)
@click.option("--waivers", type=click.Path(path_type=Path, dir_okay=False), help="waivers.yaml.")
@click.option("--baseline", help="Also validate against this environment (e.g. production): problems it has "
              "too are INFO; only what is new against --env is graded by the change.")
@pass_app
def validate(app: AppContext, payloads: tuple[Path, ...], env: str, connector: str | None, action: str | None,
             fmt: str, output: Path | None, fail_on: str, waivers: Path | None, baseline: str | None) -> None:
    """Check UpdateConnector PAYLOADS (JSON or XML) against an environment's snapshot."""
    from afasgov.commands.validate import run_validate

    _exit(run_validate(app, list(payloads), env=env, connector=connector, action=action, fmt=fmt, output=output,
                       fail_on=fail_on, waivers=waivers, baseline=baseline))


# ------------------------------------------------------------------------------------------- openapi
@cli.command()
@click.argument("env")
@click.option("--app-connector", metavar="NAME", help="Only what this App Connector is authorised for.")
@click.option("--split", type=click.Choice(["module", "none"]),
              help="One document per module of AFAS's catalogue (custom connectors in custom.*), or one "
                   "document. [default: module]")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Output directory (default: dist/openapi/<env>[-<app connector>][-schemas]).")
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="json", show_default=True)
@click.option("--schemas-only", is_flag=True,
              help="Write one JSON Schema (2020-12) per UpdateConnector payload instead of OpenAPI documents.")
@pass_app
def openapi(app: AppContext, env: str, app_connector: str | None, split: str | None, out: Path | None, fmt: str,
            schemas_only: bool) -> None:
    """OpenAPI 3.1 documents (or payload JSON Schemas) of ENV's snapshot, as AFAS writes its own.

    ENV is an environment (its snapshot under definitions/), a snapshot directory or GITREF:PATH. The
    same snapshot always gives the same bytes.
    """
    from afasgov.commands.openapi import run_openapi

    _exit(run_openapi(app, env, app_connector=app_connector, split=split, out=out, fmt=fmt,
                      schemas_only=schemas_only))


# --------------------------------------------------------------------------------------------- audit
@cli.command()
@click.argument("envs", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to FILE.")
@click.option("--fail-on", default="ERR", show_default=True,
              help="ERR|WARN|INFO|none, or a severity (critical, high → ERR; medium → WARN; low, info → INFO).")
@click.option("--as-of", metavar="YYYY-MM-DD", help="Audit as of this date (default: today, UTC).")
@click.option("--policy", type=click.Path(path_type=Path, dir_okay=False),
              help="Policy file (default: policy: in afasgov.yaml, else definitions/policy.yaml).")
@click.option("--gcn", multiple=True, type=click.Path(path_type=Path),
              help="Audit these .gcn files/definitions instead of definitions/getconnectors (repeatable).")
@click.option("--secret-scan/--no-secret-scan", default=True, show_default=True,
              help="Scan the repository for tokens, keys and client secrets.")
@click.option("--history/--no-history", default=True, show_default=True, help="Include the git history in the scan.")
@click.option("--scan-timeout", default=60.0, show_default=True, type=float, help="Secret-scan time budget (s).")
@click.option("--scan-exclude", multiple=True, metavar="PATH",
              help="Leave this repository path out of the secret scan (repeatable; added to the defaults).")
@click.option("--default-excludes/--no-default-excludes", default=True, show_default=True,
              help="Leave the configured reports_dir and dist/ out of the secret scan.")
@click.option("--waivers", type=click.Path(path_type=Path, dir_okay=False),
              help="waivers.yaml (default: from afasgov.yaml).")
@click.option("--only", multiple=True, metavar="ACxxx", help="Run only these checks (repeatable).")
@click.option("--skip", multiple=True, metavar="ACxxx", help="Skip these checks (repeatable).")
@click.option("--summary-json", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the paths of the reports this run wrote (none after an error) to this JSON file.")
@pass_app
def audit(app: AppContext, envs: tuple[str, ...], fmt: str, output: Path | None, fail_on: str,
          as_of: str | None, policy: Path | None, gcn: tuple[Path, ...], secret_scan: bool, history: bool,
          scan_timeout: float, scan_exclude: tuple[str, ...], default_excludes: bool, waivers: Path | None,
          only: tuple[str, ...], skip: tuple[str, ...], summary_json: Path | None) -> None:
    """Security audit (AC001…): App Connector scopes, fields, .gcn definitions, configuration, secrets."""
    from afasgov.commands.audit import audit_command

    _exit(audit_command(app, list(envs), fmt=fmt, output=output, fail_on=fail_on, as_of=as_of,
                        secret_scan=secret_scan, history=history, scan_timeout=scan_timeout, policy=policy,
                        gcn=list(gcn), only=list(only), skip=list(skip), waivers=waivers,
                        scan_exclude=list(scan_exclude), default_excludes=default_excludes,
                        summary_json=summary_json))


@cli.command("secret-scan")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--staged", is_flag=True, help="Scan what is staged for the next commit (the git index).")
@pass_app
def secret_scan(app: AppContext, files: tuple[Path, ...], staged: bool) -> None:
    """The audit's secret scan on FILEs or on staged changes: AFAS tokens, private keys, client secrets.

    One line per hit (file:line, kind, fingerprint; never the secret); exit 1 when there is one
    (a pre-commit hook). `afasgov audit` scans the whole repository and its history.
    """
    from afasgov.commands.secretscan import run_secret_scan

    _exit(run_secret_scan(app, list(files), staged=staged))


# ------------------------------------------------------------------- init, demo, release-check, report
@cli.command()
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path, file_okay=False))
@pass_app
def init(app: AppContext, directory: Path) -> None:
    """Scaffold afasgov.yaml, definitions/ (integrations/, waivers.yaml), reports/ and .gitattributes.

    Existing files are never overwritten.
    """
    from afasgov.commands.release import run_init

    _exit(run_init(app, directory))


@cli.command()
@click.option("--dir", "directory", type=click.Path(path_type=Path, file_okay=False), default=Path("demo-run"),
              show_default=True, help="Working directory of the demo (kept between runs: the trend grows).")
@pass_app
def demo(app: AppContext, directory: Path) -> None:
    """Run the embedded simulator and a release check end to end; print where the HTML report is.

    Exits 0 when the demo ran (its verdict is FAIL on purpose: accept carries breaking changes).
    """
    from afasgov.commands.release import run_demo

    _exit(run_demo(app, directory=directory))


@cli.command("release-check")
@click.option("--accept", "accept", metavar="ENV", help="Environment with the next release (default: type accept).")
@click.option("--production", metavar="ENV", help="Environment the release goes to (default: type production).")
@click.option("--offline", is_flag=True, help="Use the committed snapshots in definitions/ instead of crawling.")
@click.option("--fail-on", type=FAIL_ON, default="ERR", show_default=True)
@click.option("--summary-json", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the paths of the reports this run wrote (none after an error) to this JSON file.")
@click.option("--openapi", is_flag=True,
              help="Also write production's and accept's OpenAPI 3.1 documents (afasgov openapi) next to the reports.")
@click.option("--release-notes", "release_notes", multiple=True, metavar="NOTES",
              type=click.Path(path_type=Path, dir_okay=False),
              help="AFAS's release notes (Markdown, as for afasgov release-notes; repeatable): adds the section "
                   "'Announced by AFAS'.")
@click.option("--fleet", is_flag=True, help="Every tenant of the fleet (fleet: in afasgov.yaml; docs/fleet.md).")
@click.option("--tags", default="", help="With --fleet: only tenants with every one of these tags (comma-separated).")
@click.option("--shard", metavar="K/N", help="With --fleet: only shard K of N (stable: a hash of the tenant id).")
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False),
              help="With --fleet: the run's directory (default: reports/fleet/<stamp>).")
@pass_app
def release_check(app: AppContext, accept: str | None, production: str | None, offline: bool,
                  fail_on: str, summary_json: Path | None, openapi: bool, release_notes: tuple[Path, ...],
                  fleet: bool, tags: str, shard: str | None, output: Path | None) -> None:
    """Snapshot accept and production, diff, validate recorded payloads, audit, write reports."""
    if fleet or tags or shard or output:
        from afasgov.commands.fleet import run_fleet_check

        if not fleet:
            raise UsageError("--tags, --shard and --output go with --fleet")
        if accept or production:
            raise UsageError("--fleet checks each tenant's production and accept; drop --accept/--production")
        if openapi or release_notes:
            raise UsageError("--openapi and --release-notes check one organisation: run them per tenant, "
                             "not with --fleet")
        _exit(run_fleet_check(app, tags=[t.strip() for t in tags.split(",") if t.strip()], shard=shard,
                              offline=offline, fail_on=fail_on, output=output, summary_json=summary_json))
        return
    from afasgov.commands.release import run_release_check

    _exit(run_release_check(app, accept=accept, production=production, offline=offline, fail_on=fail_on,
                            summary_json=summary_json, openapi=openapi, release_notes=list(release_notes)))


@cli.group()
def report() -> None:
    """The reports directory (reports/index.html)."""


@report.command("index")
@pass_app
def report_index(app: AppContext) -> None:
    """Rebuild reports/index.html: every run, newest first, with its verdict."""
    from afasgov.commands.release import run_report_index

    _exit(run_report_index(app))

# --------------------------------------------------------------------------------------------- fleet
@cli.group()
def fleet() -> None:
    """A partner's fleet of tenants (fleet: in afasgov.yaml; see docs/fleet.md)."""


@fleet.command("list")
@click.option("--tags", default="", help="Only tenants with every one of these tags (comma-separated).")
@click.option("--shard", metavar="K/N", help="Only the tenants of shard K of N (stable: a hash of the tenant id).")
@click.option("--ids", "ids_only", is_flag=True, help="Print the tenant ids only, one a line (for scripts).")
@pass_app
def fleet_list(app: AppContext, tags: str, shard: str | None, ids_only: bool) -> None:
    """The tenants of the fleet (or of a shard): ids, names, tags, environments, secret sources."""
    from afasgov.commands.fleet import run_fleet_list

    _exit(run_fleet_list(app, tags=[t.strip() for t in tags.split(",") if t.strip()], shard=shard, ids_only=ids_only))


@fleet.command("merge")
@click.argument("shards", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False),
              help="Directory of the merged report (default: reports/fleet/<stamp>-merged).")
@pass_app
def fleet_merge(app: AppContext, shards: tuple[Path, ...], output: Path | None) -> None:
    """Merge the shard directories of a sharded fleet run (each with its fleet.json) into one report."""
    from afasgov.commands.fleet import run_fleet_merge

    _exit(run_fleet_merge(app, list(shards), output))


#: exit codes beyond DESIGN §9 (documented in README.md and docs/security.md)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every cleanup path of an interrupt runs (temporary
    directories removed, the previous snapshot kept); the exit code is 143."""


#: a SIGTERM arrived (set before it is turned into an interrupt: the exit code is 143 however it surfaces)
_TERMINATED: list[bool] = []


def _on_sigterm(signum: int, frame: Any) -> None:
    """SIGTERM: like Ctrl-C, through the same path. Inside ``asyncio.run`` that is asyncio's own SIGINT
    handler, which cancels the main task so that every task's clean-up runs; an exception raised at an
    arbitrary point of the event loop instead could leave the loop waiting for ever in its shutdown (seen:
    an interrupted snapshot that did not end). Elsewhere, :class:`Terminated` is raised here."""
    _TERMINATED.append(True)
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler) and handler is not signal.default_int_handler:
        handler(signal.SIGINT, frame)  # asyncio.Runner's: cancels the main task (a second time: raises)
        return
    raise Terminated


def _interrupted(exc: BaseException | None) -> int:
    terminated = bool(_TERMINATED) or isinstance(exc, Terminated) or isinstance(
        getattr(exc, "__cause__", None), Terminated) or isinstance(getattr(exc, "__context__", None), Terminated)
    click.echo("afasgov: terminated (SIGTERM)" if terminated else "afasgov: interrupted", err=True)
    return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED


def _stdout_broken() -> None:
    """After a failed write to stdout: send what is left to /dev/null (no second error at exit)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
# ------------------------------------------------- global options, also accepted after the command
def _set_global(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """``afasgov diff A B --quiet`` means ``afasgov --quiet diff A B``: set the run's AppContext."""
    if value is None or value is False:
        return
    app = ctx.find_object(AppContext)
    if app is None:
        return
    if param.name == "config_path":
        if app.config_path is not None and Path(value) != app.config_path:
            raise click.UsageError("--config given twice with different paths")
        app.config_path = Path(value)
    elif param.name == "no_color":
        app.color = False
    else:
        setattr(app, str(param.name), True)


def _global_options() -> list[click.Option]:
    def hidden(decls: list[str], **kwargs: Any) -> click.Option:
        return click.Option(decls, hidden=True, expose_value=False, callback=_set_global, **kwargs)

    return [
        hidden(["--config", "config_path"], type=click.Path(path_type=Path, dir_okay=False)),
        hidden(["--quiet", "-q", "quiet"], is_flag=True),
        hidden(["--verbose", "-v", "verbose"], is_flag=True),
        hidden(["--debug", "debug"], is_flag=True),
        hidden(["--no-color", "no_color"], is_flag=True),
    ]


def _accept_global_options(group: click.Group) -> None:
    for command in group.commands.values():
        if isinstance(command, click.Group):
            _accept_global_options(command)
        else:
            command.params.extend(_global_options())
            command.epilog = ((command.epilog or "") + "\n\nGlobal options (--config, --quiet, --verbose, "
                              "--debug, --no-color) may also follow the command.").strip()


_accept_global_options(cli)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI, map errors to one line and an exit code."""
    previous = None
    _TERMINATED.clear()
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        _main(argv)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: list[str] | None) -> None:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="afasgov", standalone_mode=False)
        sys.stdout.flush()  # a full or closed stdout fails here at the latest, not at exit
    except click.exceptions.Abort as exc:
        raise SystemExit(_interrupted(exc)) from None
    except click.BadParameter as exc:  # a bad value (a directory where a file is expected …): one line
        click.echo(f"afasgov: error: {terminal(exc.format_message())}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(EXIT_USAGE if exc.exit_code not in (0, 1) else exc.exit_code) from None
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except AfasgovError as exc:
        if debug:
            click.echo(redact(traceback.format_exc()), err=True)
        click.echo(f"afasgov: error: {error_line(str(exc))}", err=True)
        for detail in exc.details[:MAX_DETAILS]:
            click.echo(f"  {error_line(detail)}", err=True)
        if len(exc.details) > MAX_DETAILS:
            click.echo(f"  … and {len(exc.details) - MAX_DETAILS:,} more", err=True)
        raise SystemExit(exc.exit_code) from None
    except KeyboardInterrupt as exc:
        raise SystemExit(_interrupted(exc)) from None
    except OSError as exc:  # a full disk or stdout, a closed pipe: what could not be written, exit 2
        if isinstance(exc.filename, str):
            line = f"{exc.filename}: {exc.strerror or exc}"
        else:  # (no file name: a stream, in practice standard output)
            _stdout_broken()
            line = f"cannot write to standard output: {exc.strerror or exc}"
        click.echo(f"afasgov: error: {error_line(line)}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    except Exception as exc:  # noqa: BLE001 -- an unexpected bug: still one line unless --debug
        interrupt = interrupt_in_chain(exc)
        if interrupt is not None:  # Ctrl-C or SIGTERM wrapped by Python (e.g. RuntimeError from a class
            raise SystemExit(_interrupted(interrupt)) from None  # being created by an import it hit)
        if debug:
            click.echo(redact(traceback.format_exc()), err=True)
        click.echo(f"afasgov: internal error — please report: {error_line(type(exc).__name__ + ': ' + str(exc))} "
                   "(run with --debug for a traceback)", err=True)
        raise SystemExit(EXIT_INTERNAL) from None


__all__ = ["FORMATS", "LEVELS", "AppContext", "UsageError", "cli", "main"]
