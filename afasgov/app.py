"""The run's global options (``--config``, ``--quiet``, ``--verbose``, ``--debug``, colour) and output.

One :class:`AppContext` per command line, built by :mod:`afasgov.cli` and handed to the command
modules; nothing below the commands imports the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from afasgov.textsafe import terminal

if TYPE_CHECKING:
    from afasgov.config import Config
    from afasgov.workspace import Workspace


@dataclass
class AppContext:
    """Global options, shared by every command."""

    config_path: Path | None = None
    quiet: bool = False
    verbose: bool = False
    debug: bool = False
    color: bool = True
    _workspace: Workspace | None = field(default=None, repr=False)

    def workspace(
        self,
        *,
        require_config: bool = True,
        waivers: Path | None = None,
        integrations: Path | None = None,
        policy: Path | None = None,
    ) -> Workspace:
        """The run's :class:`~afasgov.workspace.Workspace` (made once): ``--config`` or the ``afasgov.yaml``
        found upwards from cwd, read through it; ``require_config=False`` lets diff and validate work on
        plain directories without one. ``waivers``/``integrations``/``policy``: command-line overrides."""
        if self._workspace is None:
            from afasgov.workspace import Workspace

            self._workspace = Workspace.open(
                self.config_path,
                require_config=require_config,
                waivers=waivers,
                integrations=integrations,
                policy=policy,
            )
            if self._workspace.has_config and self._workspace.config.levels:
                from afasgov.catalogues import known_rule_ids
                from afasgov.levels import LevelOverrides

                # levels: names rule ids; every catalogue must know them (file + key path otherwise)
                LevelOverrides.from_config(self._workspace.config).check(known_rule_ids())
        else:
            self._workspace.override(waivers=waivers, integrations=integrations, policy=policy)
            if require_config:
                self._workspace.config  # noqa: B018 - raises ConfigError when there is none
        return self._workspace

    def config(self) -> Config:
        """The configuration (loaded once, through the workspace)."""
        return self.workspace().config

    def echo(self, message: str = "", *, err: bool = False) -> None:
        """Print one line unless ``--quiet`` (errors always print); secrets are redacted, control
        characters and ANSI sequences (from server strings) shown escaped
        (:func:`afasgov.textsafe.terminal`)."""
        if self.quiet and not err:
            return
        click.echo(terminal(message), err=err, color=self.color)

    def emit(self, text: str = "") -> None:
        """Print the command's result to stdout even with ``--quiet``: its document (``--format``
        output, a table, a definition) or its verdict line; secrets are redacted. Progress, notes
        and "wrote …" lines go through :meth:`echo` instead."""
        click.echo(terminal(text, colour=self.color), color=self.color)


__all__ = ["AppContext"]
