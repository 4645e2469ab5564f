"""The administrator's checklist (``CHECKLIST.md``) of a promotion bundle.

Written for the person who imports the files by hand in Profit: what to check first, what to
import in which order (with each file's SHA-256), which App Connectors must be authorised, which
App Connectors and integrations see the change (and whom to warn), what is not in the bundle and
must be exported by hand, and how to confirm the result (``snapshot`` + ``verify``).
"""

from __future__ import annotations

import datetime as dt

from afasgov import __version__
from afasgov.gcn.codec import SIGNATURE_NOTE
from afasgov.promote.plan import PlanItem, PromotionPlan
from afasgov.report.escape import md_code, md_line, md_text

#: every untrusted value (names from AFAS, manifests and .gcn files, change texts) goes through the
#: one Markdown escaper (afasgov.report.escape): inline text, code spans, table cells
t = md_text


def cell(text: object) -> str:
    """A Markdown table cell: one line, escaped; ``-`` when empty."""
    return md_line(text) or "-"


def code(text: object) -> str:
    """An inline code span (outside a table)."""
    return md_code(text, table=False)


def _changes(item: PlanItem) -> list[str]:
    out = []
    for c in item.changes:
        out.append(f"  - {c.level} {code(c.id)}: {t(c.text)}")
    return out


def _import_step(item: PlanItem, plan: PromotionPlan) -> list[str]:
    d = item.definition
    assert d is not None
    src, tgt = plan.source, plan.target
    kind = "new connector" if item.status == "new" else "changed connector"
    lines = [f"### {item.order}. {t(item.connector)} ({kind}, {item.level})", ""]
    lines.append(
        f"- [ ] Import {code(item.file)} into **{t(tgt)}** (SHA-256 {code(item.sha256)}; "
        f"GUID {code(d.guid)}; reviewed definition {code(d.yaml_path.name)})."
    )
    if d.edited:
        lines.append(f"  The file is re-written from the edited definition: {SIGNATURE_NOTE}.")
    elif d.authored:
        lines.append(
            "  The file was written by afasgov, not exported by Profit: whether Profit accepts it is "
            "unverified. If the import is refused, export the connector from "
            f"**{t(src)}** instead and import that file."
        )
    if item.authorise:
        lines.append(
            f"- [ ] In {t(src)} it is authorised for App Connector(s) {', '.join(map(code, item.authorise))}: "
            f"authorise the same in **{t(tgt)}** if that scope is intended (review it: least privilege)."
        )
    if item.app_connectors:
        lines.append(
            f"- App Connectors of {t(tgt)} that see the change at once: {', '.join(map(code, item.app_connectors))}."
        )
    elif item.status == "changed":
        lines.append(f"- No configured App Connector of {t(tgt)} is authorised for it.")
    for integ in item.integrations:
        uses = "every field" if integ.uses is None else ", ".join(map(code, integ.uses))
        via = f" via App Connector {code(integ.app_connector)}" if integ.app_connector else ""
        if integ.hits:
            lines.append(
                f"- [ ] Warn integration **{t(integ.name)}** ({t(integ.owner)}){via}: it reads {uses}; "
                f"affected by: {'; '.join(map(t, integ.hits))}."
            )
        else:
            lines.append(
                f"- Integration **{t(integ.name)}** ({t(integ.owner)}){via} reads it ({uses}); "
                "none of the changes touches what it declares."
            )
    for note in item.notes:
        lines.append(f"- Note: {t(note)}.")
    if item.changes:
        lines.append(f"- Changes in {t(tgt)} after the import:")
        lines += _changes(item)
    lines.append("")
    return lines


def render_checklist(plan: PromotionPlan, *, date: dt.date, created_at: str, bundle: str) -> str:
    src, tgt = plan.source, plan.target
    s, tg = plan.source_snapshot, plan.target_snapshot
    imports, exports, skipped = plan.imports, plan.exports, plan.skipped
    lines = [f"# Promote GetConnectors: {t(src)} → {t(tgt)} ({date.isoformat()})", ""]
    lines.append(
        f"Bundle {code(bundle)}, prepared by afasgov {__version__} at {t(created_at)} from the snapshots of "
        f"**{t(src)}** (taken {t(s.meta.taken_at or 'at an unknown time')}, Profit {t(s.profit_version or '?')}) "
        f"and **{t(tgt)}** (taken {t(tg.meta.taken_at or 'at an unknown time')}, "
        f"Profit {t(tg.profit_version or '?')}) and the reviewed definitions in {code(plan.definitions_dir)}."
    )
    lines.append("")
    lines.append(f"- GetConnectors to import: **{len(imports)}**")
    lines.append(
        f"- To export from {t(src)} by hand (no reviewed definition of {t(src)}'s version): **{len(exports)}**"
    )
    lines.append(f"- Not promoted: **{len(skipped)}**")
    if not plan.complete:
        lines += [
            "",
            f"> **This bundle is incomplete**: {len(exports)} differing GetConnector(s) have no "
            f"reviewed definition of {t(src)}'s version (section 3).",
        ]
    unverified = [i for i in imports if i.definition is not None and i.definition.import_unverified]
    if unverified:
        lines += [
            "",
            f"> Importing these files into Profit is **unverified**: "
            f"{', '.join(t(i.connector) for i in unverified)} (written or edited by afasgov; afasgov cannot "
            "regenerate Profit's signature). Keep the connector's current export from "
            f"{t(tgt)} as a fallback.",
        ]
    lines += ["", "## 1. Before you start", ""]
    lines.append("- [ ] Check the bundle: `sha256sum -c SHA256SUMS` (every line must say OK).")
    lines.append(
        f"- [ ] The snapshots may be old: run {code(f'afasgov snapshot {src} {tgt}')} and promote again if "
        f"{code(f'git diff definitions/{src} definitions/{tgt}')} shows changes."
    )
    lines.append(
        f"- [ ] Export the current version of each changed GetConnector from **{t(tgt)}** as a backup "
        "(to roll back, import that file)."
    )
    warn = sorted({f"{i.name} ({i.owner})" for item in imports for i in item.integrations if i.hits})
    if warn:
        lines.append(f"- [ ] Agree a moment with the owners of affected integrations: {', '.join(map(t, warn))}.")
    lines += ["", "## 2. Import, in this order", ""]
    if imports:
        lines.append(
            "New connectors first (nothing uses them yet), then changed ones from additive (INFO) to "
            "breaking (ERR), so that what may break an integration comes last."
        )
        lines.append("")
        lines.append("| # | File | Connector | Status | Level | GUID | App Connectors | Integrations |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for item in imports:
            integ = ", ".join(i.name + (" (affected)" if i.hits else "") for i in item.integrations)
            lines.append(
                f"| {item.order} | {cell(item.file)} | {cell(item.connector)} | {cell(item.status)} | "
                f"{item.level} | {cell(item.guid or '-')} | {cell(', '.join(item.app_connectors))} | "
                f"{cell(integ)} |"
            )
        lines.append("")
        for item in imports:
            lines += _import_step(item, plan)
    else:
        lines += ["Nothing to import.", ""]
    lines += [f"## 3. Not in this bundle: export from {t(src)} by hand", ""]
    if exports:
        for item in exports:
            lines.append(f"- [ ] **{t(item.connector)}** ({item.status}, {item.level}): {t(item.reason)}.")
            lines += [f"  - {t(d.text(src))}" for d in item.deltas]
            if item.authorise:
                lines.append(
                    f"  - after importing it, authorise it for {', '.join(map(code, item.authorise))} in {t(tgt)}"
                )
            lines += [f"  - {c.level} {code(c.id)}: {t(c.text)}" for c in item.changes]
    else:
        lines.append("Nothing: every differing GetConnector is in the bundle.")
    lines += ["", "## 4. Not promoted", ""]
    if skipped:
        lines += [f"- **{t(item.connector)}** ({item.status}): {t(item.reason)}." for item in skipped]
    else:
        lines.append("Nothing.")
    if plan.stale:
        lines += [
            "",
            f"Reviewed definitions that match neither {t(src)} nor {t(tgt)} (check with `afasgov verify`): "
            + ", ".join(map(t, plan.stale))
            + ".",
        ]
    lines += ["", "## 5. After the import", ""]
    lines.append(f"- [ ] {code(f'afasgov snapshot {tgt}')} and commit the new snapshot.")
    lines.append(
        f"- [ ] {code(f'afasgov verify {tgt}')}: the imported connectors must be `ok` (exit 0 when everything is "
        "in sync)."
    )
    if any(i.authorise for i in imports):
        lines.append(f"- [ ] {code(f'afasgov audit {tgt}')}: the App Connector scopes grew.")
    for note in plan.notes:
        lines += ["", f"Note: {t(note)}."]
    return "\n".join(lines).rstrip("\n") + "\n"


__all__ = ["cell", "render_checklist"]
