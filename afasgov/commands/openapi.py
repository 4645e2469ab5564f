"""``afasgov openapi``: write an environment's OpenAPI documents or payload JSON Schemas."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov._files import Data, make_output_dir, read_input, write_output_files
from afasgov.errors import InputError, UsageError

if TYPE_CHECKING:
    from afasgov.app import AppContext

#: the list of files the last export wrote into its directory (so a re-export removes the files it
#: no longer writes, e.g. a module whose last connector left the App Connector's scope, and nothing else).
MANIFEST = ".afasgov-openapi"
_OWN_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.(json|yaml)$")


def _previous(directory: Path) -> list[str]:
    try:  # (the bounded reader: a FIFO or a device in its place is never read)
        text = read_input(directory / MANIFEST, max_bytes=1024 * 1024).decode("utf-8")
    except (InputError, UnicodeDecodeError):
        return []
    return [line for line in text.splitlines() if _OWN_FILE.match(line)]


def default_out(root: Path, name: str, app_connector: str | None, schemas_only: bool) -> Path:
    """``dist/openapi/<env>[-<app connector>][-schemas]`` under the configuration's directory."""
    parts = [name, *([app_connector] if app_connector else []), *(["schemas"] if schemas_only else [])]
    return root / "dist" / "openapi" / "-".join(parts)


def run_openapi(
    app: AppContext,
    env: str,
    *,
    app_connector: str | None = None,
    split: str | None = None,
    out: Path | None = None,
    fmt: str = "json",
    schemas_only: bool = False,
) -> int:
    """Export ``env``'s snapshot (an environment name, a snapshot directory or ``GITREF:PATH``)."""
    from afasgov.openapi import iter_files

    if schemas_only and split is not None:
        raise UsageError("--split applies to OpenAPI documents; --schemas-only writes one schema per payload")
    ws = app.workspace(require_config=False)
    snapshot = ws.snapshot(env)
    files = iter_files(snapshot, app_connector=app_connector, split=split or "module", fmt=fmt,
                       schemas_only=schemas_only)
    name = snapshot.name or Path(env).name or "environment"
    target = out if out is not None else default_out(ws.root, name, app_connector, schemas_only)
    make_output_dir(target)
    previous = _previous(target)
    written: list[str] = []

    def each() -> Iterator[tuple[Path, Data]]:
        for n, chunks in files:  # rendered as written: no file is ever held whole
            written.append(n)
            yield target / n, chunks
        yield target / MANIFEST, "".join(f"{n}\n" for n in written).encode("utf-8")

    write_output_files(each())
    stale = [n for n in previous if n not in set(written)]
    for n in stale:
        try:
            (target / n).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise InputError(f"cannot remove a file the last export wrote: {exc.strerror or exc}",
                             source=str(target / n)) from None
    if app.verbose:
        for n in written:
            app.echo(f"  {target / n}")
    kind = "JSON Schema" if schemas_only else "OpenAPI document"
    app.echo(f"wrote {len(written)} {kind}{'s' if len(written) != 1 else ''} to {target}"
             + (f" (removed {len(stale)} no longer exported)" if stale else ""))
    return 0


__all__ = ["MANIFEST", "default_out", "run_openapi"]
