"""The ``afasgov gcn show|import|export|diff`` commands (called by :mod:`afasgov.cli`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Final

from afasgov.diff.sources import DEFINITION_SUFFIXES, GCN_SUFFIXES
from afasgov.errors import EXIT_OK, ConfigError, UsageError
from afasgov.gcn.codec import SIGNATURE_NOTE
from afasgov.gcn.errors import GcnError
from afasgov.gcn.model import GcnDefinition
from afasgov.gcn.store import export_definitions, import_files, load_definition, resolve
from afasgov.gcn.yamlio import to_json, to_yaml
from afasgov.report.escape import one_line

if TYPE_CHECKING:
    from afasgov.app import AppContext

GETCONNECTORS = "getconnectors"


def definitions_dir(app: AppContext) -> Path:
    """``<definitions_dir>/getconnectors`` of the configuration, else ``./definitions/getconnectors``."""
    from afasgov.config.loader import find_config

    if app.config_path is not None or find_config() is not None:
        try:
            return Path(app.config().definitions_dir) / GETCONNECTORS
        except ConfigError:
            if app.config_path is not None:
                raise
    return Path("definitions") / GETCONNECTORS


#: characters a terminal may act on: C0 controls except TAB/LF/CR, DEL, C1 controls (CSI U+009B…),
#: and the bidi overrides/isolates that reorder text on screen
TERMINAL_UNSAFE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def show_text(definition: GcnDefinition, output_format: str) -> str:
    """YAML or JSON of a definition, safe for a terminal: when a value holds a character a terminal
    may act on (an ANSI escape in a connector or output name), everything non-ASCII is escaped by the
    format itself, so the output is still valid YAML/JSON with the same values."""
    render = to_json if output_format == "json" else to_yaml
    text = render(definition)
    if TERMINAL_UNSAFE.search(text):
        text = render(definition, ascii_only=True)
    return text


def run_show(app: AppContext, file: Path, output_format: str) -> int:
    definition = load_definition(file, definitions=_maybe_dir(app))
    app.emit(show_text(definition, output_format).rstrip("\n"))
    return EXIT_OK


def _maybe_dir(app: AppContext) -> Path | None:
    try:
        return definitions_dir(app)
    except ConfigError:
        return None


def run_check(app: AppContext, files: list[Path]) -> int:
    """``afasgov gcn check FILE…``: one line per file that fails (:mod:`afasgov.gcn.check`); exit 1 if any."""
    from afasgov.errors import EXIT_FINDINGS
    from afasgov.gcn.check import check_files

    results = check_files(files)
    failed = [r for r in results if not r.ok]
    for r in results:
        if r.ok:
            if app.verbose:
                app.echo(one_line(f"ok    {r.path} ({r.name})"))
        else:
            app.emit(one_line(f"{r.path}: {r.problem}"))
    if failed:
        app.emit(f"{len(failed)} of {len(results)} GetConnector file(s) cannot be imported")
        return EXIT_FINDINGS
    app.echo(f"{len(results)} GetConnector file(s) ok")
    return EXIT_OK


def run_import(
    app: AppContext, files: list[Path], into: Path | None, replace: bool, allow_downgrade: bool = False
) -> int:
    target = into if into is not None else definitions_dir(app)
    results = import_files(files, target, replace=replace, allow_downgrade=allow_downgrade)
    for r in results:
        note = f" ({r.note})" if r.note else ""
        app.echo(one_line(f"{r.action:9} {r.name} [{r.guid}] -> {r.yaml_path}{note}"))
        for warning in r.warnings:
            app.echo(one_line(f"warning: {warning}"), err=True)
    return EXIT_OK


def run_export(app: AppContext, names: list[str], out: Path, source: Path | None) -> int:
    directory = source if source is not None else definitions_dir(app)
    results = export_definitions(names, directory, out)
    edited = False
    for r in results:
        state = "re-written with edits" if r.edited else "original bytes"
        app.echo(one_line(f"exported {r.name} [{r.guid}] -> {r.path} ({state})"))
        edited = edited or r.edited
    if edited:
        app.echo(f"warning: {SIGNATURE_NOTE}", err=True)
    return EXIT_OK


def _operand(spec: Path, directory: Path | None) -> str:
    """A ``gcn diff`` operand as ``afasgov diff`` reads it: a ``.gcn``/definition file as it is, a
    stored definition (by name, file stem or GUID) as the path of its YAML. Anything else (an
    environment, a snapshot directory) is a usage error: ``gcn diff`` compares definitions only."""
    if spec.is_file():
        if spec.suffix.lower() not in GCN_SUFFIXES + DEFINITION_SUFFIXES:
            raise UsageError(
                f"{spec}: gcn diff compares .gcn files and GetConnector definitions (.yaml/.json)"
            )
        return str(spec)
    if spec.is_dir():
        raise UsageError(f"{spec} is a directory: use `afasgov diff` to compare snapshots")
    if directory is not None and not spec.suffix and len(spec.parts) == 1:
        return str(resolve(directory, str(spec)).yaml_path)
    raise GcnError("no such file", source=str(spec))


def run_diff(
    app: AppContext,
    a: Path,
    b: Path,
    *,
    output_format: str = "text",
    fail_on: str = "ERR",
    output: Path | None = None,
    waivers: Path | None = None,
    integrations: Path | None = None,
    downgrade: bool = True,
) -> int:
    """``afasgov gcn diff``: the same comparison, rendering, waivers and exit codes as ``afasgov
    diff`` (:func:`afasgov.commands.diff.run_diff`), for two GetConnector definitions."""
    from afasgov.commands.diff import run_diff as diff_run

    directory = _maybe_dir(app)
    base, revision = _operand(a, directory), _operand(b, directory)
    return diff_run(
        app,
        base,
        revision,
        fmt=output_format,
        output=output,
        fail_on=fail_on,
        waivers=waivers,
        integrations=integrations,
        downgrade=downgrade,
    )
