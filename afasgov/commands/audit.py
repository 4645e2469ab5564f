"""``afasgov audit``: run the security checks, render, write; return the exit code."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from afasgov.audit.runner import default_scan_excludes, run_audit, to_document
from afasgov.errors import UsageError


def audit_command(
    app: Any,
    envs: Sequence[str],
    *,
    fmt: str,
    output: Path | None,
    fail_on: str,
    as_of: str | None,
    secret_scan: bool,
    history: bool,
    scan_timeout: float,
    policy: Path | None,
    gcn: Sequence[Path],
    only: Sequence[str],
    skip: Sequence[str],
    waivers: Path | None = None,
    scan_exclude: Sequence[str] = (),
    default_excludes: bool = True,
) -> int:
    """``afasgov audit``: run, render, write; return the exit code (0 / 1).

    ``waivers`` replaces the configured waivers file (as for ``diff`` and ``validate``);
    ``scan_exclude`` adds paths the secret scan leaves out, to the defaults unless
    ``default_excludes`` is false."""
    from afasgov.audit.findings import parse_fail_on
    from afasgov.report import emit
    from afasgov.waivers import load_waivers

    level = parse_fail_on(fail_on)
    today = None
    if as_of:
        try:
            today = date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
    if scan_timeout <= 0:
        raise UsageError("--scan-timeout must be positive")
    config = app.config()
    excludes = [*(default_scan_excludes(config) if default_excludes else []), *scan_exclude]
    waiver_set = load_waivers(waivers, required=True) if waivers is not None else None
    result = run_audit(
        config,
        list(envs),
        today=today,
        scan=secret_scan,
        history=history,
        scan_budget=scan_timeout,
        policy_path=policy,
        gcn_paths=list(gcn),
        only=list(only),
        skip=list(skip),
        scan_exclude=excludes,
    )
    doc = to_document(result, fail_on=level, waivers=waiver_set)
    code: int = emit(
        doc, fmt, output, app.emit, color=bool(getattr(app, "color", False)) and sys.stdout.isatty(),
        quiet=app.quiet,
    )
    return code


__all__ = ["audit_command"]
