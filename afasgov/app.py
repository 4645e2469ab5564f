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
