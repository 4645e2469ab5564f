"""The ``afasgov gcn show|import|export|diff`` commands (called by :mod:`afasgov.cli`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov._files import write_output_text
from afasgov.errors import EXIT_FINDINGS, EXIT_OK, ConfigError
from afasgov.gcn.codec import SIGNATURE_NOTE
from afasgov.gcn.diff import LEVELS, GcnChange, diff_definitions, summary
from afasgov.gcn.store import export_definitions, import_files, load_definition
from afasgov.gcn.yamlio import to_json, to_yaml

if TYPE_CHECKING:
    from afasgov.cli import AppContext

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


def run_show(app: AppContext, file: Path, output_format: str) -> int:
    definition = load_definition(file, definitions=_maybe_dir(app))
    text = to_json(definition) if output_format == "json" else to_yaml(definition)
    app.echo(text.rstrip("\n"))
    return EXIT_OK


def _maybe_dir(app: AppContext) -> Path | None:
    try:
        return definitions_dir(app)
    except ConfigError:
        return None


def run_import(app: AppContext, files: list[Path], into: Path | None, replace: bool) -> int:
    target = into if into is not None else definitions_dir(app)
    results = import_files(files, target, replace=replace)
    for r in results:
        note = f" ({r.note})" if r.note else ""
        app.echo(f"{r.action:9} {r.name} [{r.guid}] -> {r.yaml_path}{note}")
    return EXIT_OK


def run_export(app: AppContext, names: list[str], out: Path, source: Path | None) -> int:
    directory = source if source is not None else definitions_dir(app)
    results = export_definitions(names, directory, out)
    edited = False
    for r in results:
        state = "re-written with edits" if r.edited else "original bytes"
        app.echo(f"exported {r.name} [{r.guid}] -> {r.path} ({state})")
        edited = edited or r.edited
    if edited:
        app.echo(f"warning: {SIGNATURE_NOTE}", err=True)
    return EXIT_OK


def _text(changes: list[GcnChange], base: str, revision: str) -> str:
    lines = [f"gcn diff {base} -> {revision}"]
    for c in changes:
        lines.append(f"{c.level:4} {c.id}  {c.path}: {c.text}")
    counts = summary(changes)
    lines.append(
        f"{len(changes)} change(s): {counts['ERR']} ERR, {counts['WARN']} WARN, {counts['INFO']} INFO"
    )
    return "\n".join(lines)


def diff_json(changes: list[GcnChange], base: str, revision: str) -> str:
    """The DESIGN §6 JSON document for a gcn comparison."""
    from afasgov import __version__

    doc = {
        "tool": f"afasgov {__version__}",
        "base": base,
        "revision": revision,
        "summary": summary(changes),
        "changes": [c.to_dict() | {"waived": False, "waiver": None} for c in changes],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"


def run_diff(
    app: AppContext, a: Path, b: Path, *, output_format: str, fail_on: str, output: Path | None
) -> int:
    directory = _maybe_dir(app)
    base = load_definition(a, definitions=directory)
    revision = load_definition(b, definitions=directory)
    changes = diff_definitions(base, revision)
    text = (
        diff_json(changes, str(a), str(b))
        if output_format == "json"
        else _text(changes, str(a), str(b)) + "\n"
    )
    if output is not None:
        write_output_text(output, text)
        app.echo(f"wrote {output}")
    else:
        app.echo(text.rstrip("\n"))
    threshold = LEVELS.index(fail_on) if fail_on in LEVELS else -1
    failing = threshold >= 0 and any(LEVELS.index(c.level) <= threshold for c in changes)
    return EXIT_FINDINGS if failing else EXIT_OK
