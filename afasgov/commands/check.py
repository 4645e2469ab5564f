"""``afasgov check``: reachability, authentication, Profit version and token expiry per App Connector."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from typing import TYPE_CHECKING

from afasgov import __version__
from afasgov.errors import EXIT_OK, EXIT_REMOTE
from afasgov.profit.check import (
    TransportFactory,
    check_environments,
    failure_lines,
    format_lifetime,
    note_lines,
    render_table,
)
from afasgov.profit.limits import set_global_max_in_flight
from afasgov.words import plural

if TYPE_CHECKING:
    from afasgov.app import AppContext


def run_check(
    app: AppContext,
    envs: list[str],
    *,
    output_format: str = "text",
    transport_factory: TransportFactory | None = None,
) -> int:
    """The ``afasgov check`` command. Returns the exit code."""
    config = app.config()
    selected = config.select(envs)
    if config.max_in_flight_total:
        set_global_max_in_flight(config.max_in_flight_total)
    results = asyncio.run(check_environments(selected, transport_factory=transport_factory))
    failed = [r for r in results if not r.ok]
    if output_format == "json":
        doc = {
            "tool": "afasgov",
            "version": __version__,
            "command": "check",
            "ok": not failed,
            "results": [asdict(r) for r in results],
        }
        app.emit(json.dumps(doc, indent=2, sort_keys=False))
    else:
        for line in render_table(results):
            app.echo(line)
        for line in note_lines(results):
            app.echo(line)
        if app.verbose:
            for r in results:
                if r.access_token_lifetime is not None:
                    app.echo(f"  {r.environment}/{r.app_connector}: access tokens live "
                             f"{format_lifetime(r.access_token_lifetime)}")
        for line in failure_lines(results):
            app.echo(f"afasgov: {line}", err=True)
        checked = sum(1 for r in results if r.app_connector != "-")
        verdict = "all ok" if not failed else f"{len(failed)} failed"
        app.emit(f"{plural(checked, 'App Connector')} in {plural(len(selected), 'environment')} checked: {verdict}")
    return EXIT_REMOTE if failed else EXIT_OK


__all__ = ["run_check"]
