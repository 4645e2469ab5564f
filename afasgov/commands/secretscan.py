"""``afasgov secret-scan [FILE…] [--staged]``: AFAS tokens, private keys and client secrets in files.

The audit's secret scan (AC024–AC026, :mod:`afasgov.secretscan`) on exactly the files given, or on
what is staged for the next commit: the pre-commit hook of ``.pre-commit-hooks.yaml``. One line per
hit (file, line, kind and fingerprint — never the secret), exit 1 when there is one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from afasgov.errors import EXIT_FINDINGS, EXIT_OK, UsageError

if TYPE_CHECKING:
    from afasgov.app import AppContext


def run_secret_scan(app: AppContext, files: list[Path], *, staged: bool) -> int:
    from afasgov.secretscan import KIND_TEXT, scan_paths, scan_staged

    if staged and files:
        raise UsageError("give FILEs or --staged, not both")
    if not staged and not files:
        raise UsageError("give the FILEs to scan, or --staged for what is staged for the next commit")
    if staged:
        try:
            result = scan_staged(Path.cwd())
        except OSError as exc:
            raise UsageError(f"--staged: {exc}") from None
    else:
        result = scan_paths(files)
    hits = sorted(result.hits, key=lambda h: (h.file, h.line, h.kind))
    for hit in hits:
        fingerprint = f" (fingerprint {hit.fingerprint})" if hit.fingerprint else ""
        app.emit(f"{hit.file}:{hit.line}: {KIND_TEXT.get(hit.kind, hit.kind)}{fingerprint}")
    for note in result.notes:
        app.echo(f"note: {note}", err=True)
    scanned = f"{result.files_scanned} file(s) scanned"
    if result.skipped_binary:
        scanned += f", {result.skipped_binary} binary skipped"
    if result.skipped_large:
        scanned += f", {result.skipped_large} too large skipped"
    if hits:
        app.emit(f"{len(hits)} secret(s) in {len({h.file for h in hits})} file(s); {scanned}. Remove them (and "
                 "revoke the credential: it may be in history elsewhere); see docs/audit.md")
        return EXIT_FINDINGS
    app.echo(f"no secrets; {scanned}")
    return EXIT_OK


__all__ = ["run_secret_scan"]
