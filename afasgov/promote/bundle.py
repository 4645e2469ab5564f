"""The promotion bundle: ``dist/promote-<from>-to-<to>-<date>/``.

::

    promote-test-to-production-2026-11-21/
      CHECKLIST.md        what the administrator does, step by step (Markdown, with checkboxes)
      manifest.json       what is in the bundle and why: connectors, GUIDs, changes, checksums
      SHA256SUMS          `sha256sum -c SHA256SUMS` checks every other file
      gcn/01-<Name>.gcn   the files to import, numbered in import order

The bundle is written to a temporary sibling directory and renamed into place only when complete,
so a failure leaves no partial bundle. Directories and files get the modes the umask gives
(``0o777``/``0o666`` less the umask), never owner-only temporary modes. An existing bundle of the
same name is only replaced with ``replace=True`` (then swapped: the old one is removed after the new
one is in place).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from afasgov import __version__, jsonsafe
from afasgov._files import clean_stale_swaps, make_output_dir, read_input, sha256_of, swap_dir, swap_temp_dir
from afasgov.diff.change import change_json
from afasgov.errors import InputError, UsageError
from afasgov.gcn.codec import SIGNATURE_NOTE
from afasgov.promote.checklist import render_checklist
from afasgov.promote.plan import PlanItem, PromotionPlan

FORMAT = "afasgov-promotion/1"
CHECKLIST = "CHECKLIST.md"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
GCN_DIR = "gcn"
AUTHORED_NOTE = (
    "Profit's acceptance of a .gcn written by afasgov is unverified: its view SQL is a placeholder "
    "and its signature (header item 15) is not Profit's"
)


def bundle_name(source: str, target: str, date: dt.date) -> str:
    return f"promote-{source}-to-{target}-{date.isoformat()}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _snapshot_json(plan: PromotionPlan, which: str) -> dict[str, Any]:
    s = plan.source_snapshot if which == "source" else plan.target_snapshot
    return {
        "environment": s.name,
        "type": s.type or None,
        "envid": s.envid or None,
        "profit_version": s.profit_version or None,
        "taken_at": s.meta.taken_at or None,
    }


def _item_json(item: PlanItem) -> dict[str, Any]:
    d = item.definition
    out: dict[str, Any] = {
        "connector": item.connector,
        "status": item.status,
        "action": item.action,
        "level": item.level,
        "guid": item.guid,
        "definition": d.yaml_path.name if d is not None else None,
    }
    if item.action == "import":
        out.update(
            order=item.order,
            file=item.file,
            sha256=item.sha256,
            size=item.size,
            edited=d.edited if d else False,
            written_by_afasgov=d.authored if d else False,
            import_verified=not (d.import_unverified if d else False),
        )
    if item.reason:
        out["reason"] = item.reason
    if item.deltas:
        out["definition_vs_source"] = [x.to_json() for x in item.deltas]
    out["app_connectors"] = item.app_connectors
    out["authorise"] = item.authorise
    out["integrations"] = [i.to_json() for i in item.integrations]
    out["changes"] = [change_json(c) for c in item.changes]
    out["notes"] = item.notes
    return out


def manifest(plan: PromotionPlan, *, date: dt.date, created_at: str, files: dict[str, str]) -> dict[str, Any]:
    """The manifest document (``files``: bundle path -> sha256 of the .gcn files and the checklist)."""
    unverified = [i.connector for i in plan.imports if i.definition is not None and i.definition.import_unverified]
    return {
        "format": FORMAT,
        "tool": "afasgov",
        "version": __version__,
        "from": plan.source,
        "to": plan.target,
        "date": date.isoformat(),
        "created_at": created_at,
        "complete": plan.complete,
        "snapshots": {"from": _snapshot_json(plan, "source"), "to": _snapshot_json(plan, "target")},
        "definitions": plan.definitions_dir,
        "imports": [_item_json(i) for i in plan.imports],
        "export_by_hand": [_item_json(i) for i in plan.exports],
        "not_promoted": [_item_json(i) for i in plan.skipped],
        "stale_definitions": plan.stale,
        "import_unverified": unverified,
        "notes": [
            *plan.notes,
            *([SIGNATURE_NOTE] if any(i.definition and i.definition.edited for i in plan.imports) else []),
            *([AUTHORED_NOTE] if any(i.definition and i.definition.authored for i in plan.imports) else []),
        ],
        "files": files,
    }


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_bundle(
    plan: PromotionPlan,
    out_dir: Path,
    *,
    date: dt.date | None = None,
    now: dt.datetime | None = None,
    replace: bool = False,
) -> Path:
    """Write the bundle of ``plan`` under ``out_dir`` atomically; returns its path."""
    moment = now or dt.datetime.now(dt.UTC)
    day = date or moment.date()
    created_at = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    final = Path(out_dir) / bundle_name(plan.source, plan.target, day)
    if final.exists() and not replace:
        raise UsageError(f"{final} exists already; pass --replace to write it again")
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise InputError("is not a directory", source=str(out_dir))
    make_output_dir(Path(out_dir))
    try:
        return _write_bundle(plan, Path(out_dir), final, day, created_at)
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) else str(out_dir)
        raise InputError(f"cannot write the bundle: {exc.strerror or exc}", source=where) from None


def _write_bundle(plan: PromotionPlan, out_dir: Path, final: Path, day: dt.date, created_at: str) -> Path:
    clean_stale_swaps(final)
    tmp = swap_temp_dir(final)
    try:
        files: dict[str, str] = {}
        width = max(2, len(str(len(plan.imports))))
        for item in plan.imports:
            assert item.definition is not None
            data = item.definition.gcn_bytes()
            rel = f"{GCN_DIR}/{item.order:0{width}d}-{item.definition.stem}.gcn"
            _write(tmp / rel, data)
            item.file, item.sha256, item.size = rel, sha256(data), len(data)
            files[rel] = item.sha256
        checklist = render_checklist(plan, date=day, created_at=created_at, bundle=final.name).encode("utf-8")
        _write(tmp / CHECKLIST, checklist)
        files[CHECKLIST] = sha256(checklist)
        doc = manifest(plan, date=day, created_at=created_at, files=dict(sorted(files.items())))
        manifest_bytes = (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        _write(tmp / MANIFEST, manifest_bytes)
        sums = {**files, MANIFEST: sha256(manifest_bytes)}
        _write(tmp / SUMS, "".join(f"{h}  {p}\n" for p, h in sorted(sums.items())).encode("ascii"))
        swap_dir(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


#: a SHA256SUMS of a bundle lists a few hundred files at most
MAX_SUMS_BYTES = 1024 * 1024


def _digest_of(path: Path) -> str:
    try:
        return sha256_of(path)
    except InputError as exc:
        return f"unreadable: {exc.reason}"


def check_bundle(path: Path) -> list[str]:
    """Problems of a bundle on disk (checksums, files listed, format); empty when it is intact."""
    path = Path(path)
    problems: list[str] = []
    sums_file = path / SUMS
    if not sums_file.is_file():
        return [f"{SUMS} is missing"]
    listed: dict[str, str] = {}
    try:
        sums_text = read_input(sums_file, max_bytes=MAX_SUMS_BYTES).decode("ascii", errors="replace")
    except InputError as exc:
        return [f"{SUMS}: {exc.reason}"]
    for n, line in enumerate(sums_text.splitlines(), start=1):
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64 or not rel or ".." in Path(rel).parts or Path(rel).is_absolute():
            problems.append(f"{SUMS} line {n} is malformed")
            continue
        listed[rel] = digest
    for rel, digest in sorted(listed.items()):
        f = path / rel
        if not f.is_file():
            problems.append(f"{rel}: missing")
        elif _digest_of(f) != digest:
            problems.append(f"{rel}: checksum mismatch")
    present = {str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()} - {SUMS}
    problems += [f"{rel}: not listed in {SUMS}" for rel in sorted(present - listed.keys())]
    try:
        doc = jsonsafe.load_file(path / MANIFEST)
    except InputError as exc:
        return [*problems, f"{MANIFEST}: unreadable ({exc.reason})"]
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        problems.append(f"{MANIFEST}: not an {FORMAT} manifest")
        return problems
    for rel, digest in (doc.get("files") or {}).items():
        if listed.get(rel) != digest:
            problems.append(f"{rel}: the manifest's checksum differs from {SUMS}")
    for entry in doc.get("imports") or []:
        if entry.get("file") not in (doc.get("files") or {}):
            problems.append(f"import {entry.get('connector')}: file {entry.get('file')} not in the manifest's files")
    return problems


__all__ = [
    "AUTHORED_NOTE",
    "CHECKLIST",
    "FORMAT",
    "MANIFEST",
    "SUMS",
    "bundle_name",
    "check_bundle",
    "manifest",
    "sha256",
    "write_bundle",
]
