"""``afasgov promote`` and ``afasgov verify`` (called by :mod:`afasgov.cli`)."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from afasgov import jsonsafe
from afasgov._files import write_output_text
from afasgov.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from afasgov.promote.bundle import MANIFEST, manifest, write_bundle
from afasgov.promote.definitions import load_definitions
from afasgov.promote.plan import PromotionPlan, plan_promotion
from afasgov.promote.verify import VerifyReport, render_json, render_text, verify_snapshot, verify_view

if TYPE_CHECKING:
    from afasgov.app import AppContext
    from afasgov.model import EnvironmentSnapshot
    from afasgov.workspace import Workspace

_ENV_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def _check_env_name(name: str, option: str) -> None:
    if not _ENV_RE.match(name):
        raise UsageError(f"{option}: {name!r} is not an environment name")


def known_environments(ws: Workspace) -> list[str]:
    names = set(ws.config.environments) if ws.has_config else set()
    if ws.definitions_dir.is_dir():
        names |= {p.name for p in ws.definitions_dir.iterdir() if p.is_dir() and (p / "environment.yaml").is_file()}
    return sorted(names)


def snapshot_of(ws: Workspace, env: str, option: str = "ENV") -> EnvironmentSnapshot:
    """The committed snapshot of ``env``; exit 2 when the environment is unknown or has none."""
    _check_env_name(env, option)
    tree = ws.definitions_dir / env
    if not tree.is_dir():
        known = known_environments(ws)
        if ws.has_config and env not in ws.config.environments and env not in known:
            raise UsageError(f"{option}: unknown environment {env!r} (known: {', '.join(known) or 'none'})")
        if not ws.has_config and env not in known:
            raise UsageError(
                f"{option}: unknown environment {env!r}: no snapshot {tree} (known: {', '.join(known) or 'none'})"
            )
        raise UsageError(
            f"{option}: environment {env!r} has no snapshot under {ws.definitions_dir}; run "
            f"'afasgov snapshot {env}' first"
        )
    return ws.snapshot(env)


# ------------------------------------------------------------------------------------------ promote
def _summary(plan: PromotionPlan, bundle: Path | None) -> list[str]:
    lines = [
        f"promote {plan.source} -> {plan.target}: {len(plan.imports)} to import, "
        f"{len(plan.exports)} to export by hand, {len(plan.skipped)} not promoted"
    ]
    width = max([len(i.connector) for i in plan.items] + [9])
    for item in plan.imports:
        unverified = " (import unverified)" if item.definition and item.definition.import_unverified else ""
        lines.append(
            f"  {item.order:>2}. {item.connector:<{width}}  {item.status:<8} {item.level:<4}  {item.file}{unverified}"
        )
    for item in plan.exports:
        lines.append(f"  export {item.connector:<{width}}  {item.status:<8} {item.level:<4}  {item.reason}")
    for item in plan.skipped:
        lines.append(f"  skip   {item.connector:<{width}}  {item.status:<8}       {item.reason}")
    if bundle is not None:
        lines.append(f"bundle: {bundle} (checklist: {bundle / 'CHECKLIST.md'})")
    if not plan.complete:
        lines.append(
            f"incomplete: {len(plan.exports)} differing GetConnector(s) must be exported from "
            f"{plan.source} by hand (see the checklist)"
        )
    return lines


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def run_promote(
    app: AppContext,
    source: str,
    target: str,
    *,
    out: Path | None = None,
    only: list[str] | None = None,
    replace: bool = False,
    output_format: str = "text",
) -> int:
    """Plan the promotion, write the bundle; 0 when complete (or nothing differs), 1 when some
    differing connector has no reviewed definition of the source's version."""
    if source == target:
        raise UsageError(f"--from and --to are the same environment ({source!r})")
    ws = app.workspace(require_config=False)
    src = snapshot_of(ws, source, "--from")
    tgt = snapshot_of(ws, target, "--to")
    definitions = load_definitions(ws.getconnectors_dir, read=ws.read)
    plan = plan_promotion(src, tgt, definitions, ws.manifests(), only=only or ())
    plan.definitions_dir = _relative(ws.getconnectors_dir, ws.root)
    if plan.empty:
        message = f"promote {source} -> {target}: no GetConnector differs; nothing to promote (no bundle written)"
        if output_format == "json":
            app.emit(
                json.dumps(
                    {
                        "tool": "afasgov",
                        "command": "promote",
                        "from": source,
                        "to": target,
                        "bundle": None,
                        "imports": [],
                        "export_by_hand": [],
                        "not_promoted": [],
                    }
                )
            )
        else:
            app.emit(message)
        return EXIT_OK
    bundle = write_bundle(plan, out if out is not None else ws.root / "dist", replace=replace)
    if output_format == "json":
        doc = jsonsafe.load_file(bundle / MANIFEST)
        app.emit(json.dumps({"bundle": str(bundle), **doc}, indent=2, ensure_ascii=False))
    else:
        # the verdict (first line), the bundle and an incomplete warning survive --quiet; the per-item list does not
        for line in _summary(plan, bundle):
            if line.startswith(("promote ", "bundle: ", "incomplete: ")):
                app.emit(line)
            else:
                app.echo(line)
    return EXIT_OK if plan.complete else EXIT_FINDINGS


# ------------------------------------------------------------------------------------------- verify
def public_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def verify_environment(app: AppContext, env: str, *, offline: bool = False) -> VerifyReport:
    """The verify report of ``env`` (live through the client, or its committed snapshot)."""
    if offline:
        ws = app.workspace(require_config=False)
        snapshot = snapshot_of(ws, env)
        definitions = load_definitions(ws.getconnectors_dir, read=ws.read)
        return verify_snapshot(definitions, snapshot, source=str(ws.definitions_dir / env))
    from afasgov.promote.live import read_live

    _check_env_name(env, "ENV")
    ws = app.workspace()
    env_config = ws.config.environment(env)
    definitions = load_definitions(ws.getconnectors_dir, read=ws.read)
    wanted = [d.name for d in definitions]
    blocked_ok = [d.name for d in definitions if d.definition.blocked]
    view = asyncio.run(read_live(env_config, wanted, blocked_ok=blocked_ok))
    report = verify_view(
        definitions,
        environment=env,
        mode="live",
        source=public_url(env_config.base_url),
        connectors=view.get_connectors,
        listed=view.listed,
        unreadable=view.unreadable,
        blocked=view.blocked,
    )
    if view.blocked is None:
        report.notes.append(f"no App Connector of {env} may read ProfitGetConnectoren: blocked flags were not compared")
    return report


def run_verify(
    app: AppContext,
    env: str,
    *,
    offline: bool = False,
    output_format: str = "text",
    output: Path | None = None,
) -> int:
    report = verify_environment(app, env, offline=offline)
    text = render_json(report) if output_format == "json" else render_text(report)
    if output is not None:
        write_output_text(output, text)
        app.emit(f"verify {env}: {report.verdict} (report: {output})")
    elif app.quiet and output_format == "text":  # --quiet: the one-line result
        verdict = next((line for line in text.splitlines() if line.startswith("verdict: ")), report.verdict)
        app.emit(f"verify {env}: {verdict.removeprefix('verdict: ')}")
    else:
        app.emit(text.rstrip("\n"))
    return report.exit_code


__all__ = [
    "known_environments",
    "manifest",
    "public_url",
    "run_promote",
    "run_verify",
    "snapshot_of",
    "verify_environment",
]
