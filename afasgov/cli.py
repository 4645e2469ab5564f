"""Command-line entry points only; no logic (DESIGN §9).

Each command parses its options and calls one function of the package that owns the work. Errors
are :class:`afasgov.errors.AfasgovError`; :func:`main` turns them into one redacted line on stderr
and the documented exit code (a traceback only with ``--debug``).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from afasgov import __version__
from afasgov.errors import EXIT_USAGE, AfasgovError, UsageError
from afasgov.secrets import redact

if TYPE_CHECKING:
    from afasgov.config import Config

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ["text", "markdown", "json", "html", "junit", "sarif", "github"]
LEVELS = ["ERR", "WARN", "INFO"]


@dataclass
class AppContext:
    """Global options, shared by every command."""

    config_path: Path | None = None
    quiet: bool = False
    verbose: bool = False
    debug: bool = False
    color: bool = True
    _config: Config | None = field(default=None, repr=False)

    def config(self) -> Config:
        """Load (once) the configuration: ``--config`` or ``afasgov.yaml`` found upwards from cwd."""
        if self._config is None:
            from afasgov.config import load_config

            self._config = load_config(self.config_path)
        return self._config

    def echo(self, message: str = "", *, err: bool = False) -> None:
        """Print one line unless ``--quiet`` (errors always print); secrets are redacted."""
        if self.quiet and not err:
            return
        click.echo(redact(message), err=err, color=self.color)


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
@pass_app
def check(app: AppContext, envs: tuple[str, ...]) -> None:
    """Reachability, authentication, Profit version and token/secret expiry per App Connector."""
    from afasgov.profit.check import run_check

    _exit(run_check(app, list(envs)))


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
@pass_app
def sim(app: AppContext, dataset: str, port: int, latency_ms: float, fail_rate: float, seed: int,
        write_config: Path | None) -> None:
    """Serve the embedded AFAS Profit simulator on 127.0.0.1 until interrupted."""
    from afasgov.sim.serve import run_sim

    _exit(run_sim(app, dataset=dataset, port=port, latency_ms=latency_ms, fail_rate=fail_rate, seed=seed,
                  write_config=write_config))


# <<< config/check commands: insert above this line >>>

# <<< sim commands: insert above this line >>>

# <<< snapshot commands: insert above this line >>>

# <<< gcn/promote/verify commands: insert above this line >>>

# <<< diff/changelog/validate commands: insert above this line >>>

# <<< audit commands: insert above this line >>>

# <<< release-check/demo/init/report commands: insert above this line >>>


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI, map errors to one line and an exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="afasgov", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("afasgov: interrupted", err=True)
        raise SystemExit(130) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(EXIT_USAGE if exc.exit_code not in (0, 1) else exc.exit_code) from None
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except AfasgovError as exc:
        if debug:
            click.echo(redact(traceback.format_exc()), err=True)
        click.echo(f"afasgov: error: {redact(str(exc))}", err=True)
        raise SystemExit(exc.exit_code) from None
    except KeyboardInterrupt:
        click.echo("afasgov: interrupted", err=True)
        raise SystemExit(130) from None
    except Exception as exc:  # an unexpected bug: still one line unless --debug
        if debug:
            click.echo(redact(traceback.format_exc()), err=True)
        click.echo(f"afasgov: internal error: {redact(type(exc).__name__ + ': ' + str(exc))} "
                   "(run with --debug for a traceback)", err=True)
        raise SystemExit(70) from None


__all__ = ["FORMATS", "LEVELS", "AppContext", "UsageError", "cli", "main"]
