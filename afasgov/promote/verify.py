"""``afasgov verify ENV``: do the environment's GetConnectors match the reviewed definitions?

For every definition in ``definitions/getconnectors/`` the environment (live ``/metainfo/get/{id}``,
or with ``--offline`` its committed snapshot) is compared on output names and field ids
(:mod:`afasgov.promote.compare`). Each definition gets one status:

* ``ok`` — the environment returns exactly the definition's output fields;
* ``behind`` — the environment lacks some of the definition's fields and has nothing else: the
  reviewed version is not imported yet (``afasgov promote``), or fields were removed by hand;
* ``drift`` — the environment has fields the definition has not, renamed or renumbered fields, or
  another blocked flag: the connector was changed in the environment without review;
* ``missing`` — no configured App Connector lists the connector: it was never imported, was
  deleted, or is not authorised for the App Connectors afasgov uses;
* ``unchecked`` — listed, but its metainfo could not be read because it is blocked (the definition
  says so too).

Own GetConnectors of the environment without a definition are listed for information
(``undefined``); AFAS's supplied ``Profit*`` connectors are not. Exit 1 when any definition is
``behind``, ``drift`` or ``missing``, 0 otherwise; 3 when the environment cannot be read; 2 on a bad
definition, configuration or environment name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from afasgov import __version__
from afasgov.model import EnvironmentSnapshot, GetConnector
from afasgov.promote.compare import FieldDelta, behind, compare_fields, order_differs
from afasgov.promote.definitions import DefinitionSet

STATUSES = ("drift", "behind", "missing", "unchecked", "ok")
FAILING = frozenset({"drift", "behind", "missing"})


def is_supplied(connector_id: str) -> bool:
    """AFAS's own GetConnectors (``Profit_*``, ``ProfitGetConnectoren``)."""
    return connector_id.startswith("Profit")


@dataclass(frozen=True)
class VerifyEntry:
    """The verdict for one definition."""

    connector: str
    guid: str
    definition: str
    status: str
    deltas: tuple[FieldDelta, ...] = ()
    note: str = ""

    def detail(self, env: str) -> list[str]:
        lines = [d.text(env) for d in self.deltas]
        if self.note:
            lines.append(self.note)
        return lines

    def to_json(self, env: str) -> dict[str, Any]:
        return {
            "connector": self.connector,
            "guid": self.guid,
            "definition": self.definition,
            "status": self.status,
            "changes": [{**d.to_json(), "text": d.text(env)} for d in self.deltas],
            "note": self.note or None,
        }


@dataclass
class VerifyReport:
    """Everything ``verify`` found for one environment."""

    environment: str
    mode: str  # live | offline
    source: str  # base URL (live) or snapshot directory (offline)
    entries: list[VerifyEntry] = field(default_factory=list)
    undefined: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    taken_at: str = ""

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.status == status)

    @property
    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in STATUSES}

    @property
    def clean(self) -> bool:
        return not any(e.status in FAILING for e in self.entries)

    @property
    def exit_code(self) -> int:
        return 0 if self.clean else 1

    @property
    def verdict(self) -> str:
        if self.clean:
            return "CLEAN"
        return "DRIFT" if self.count("drift") else "NOT IN SYNC"


def verify_view(
    definitions: DefinitionSet,
    *,
    environment: str,
    mode: str,
    source: str,
    connectors: Mapping[str, GetConnector],
    listed: Mapping[str, str],
    unreadable: Mapping[str, str] | None = None,
    blocked: Mapping[str, bool] | None = None,
    taken_at: str = "",
) -> VerifyReport:
    """Compare ``definitions`` with an environment's view.

    ``connectors``: id -> metainfo of (at least) the defined connectors the environment has;
    ``listed``: lower-case id -> id of every GetConnector the environment lists; ``unreadable``:
    listed connectors whose metainfo could not be read (blocked); ``blocked``: ProfitGetConnectoren.
    """
    report = VerifyReport(environment=environment, mode=mode, source=source, taken_at=taken_at)
    by_lower = {cid.lower(): c for cid, c in connectors.items()}
    unread = {k.lower(): v for k, v in (unreadable or {}).items()}
    flags = {k.lower(): v for k, v in (blocked or {}).items()}
    defined: set[str] = set()
    for item in definitions:
        key = item.name.lower()
        defined.add(key)
        rel = item.yaml_path.name
        conn = by_lower.get(key)
        if conn is not None and conn.blocked is None and key in flags:
            conn = GetConnector(conn.id, conn.description, conn.fields, blocked=flags[key])
        if conn is None:
            if key in unread:
                blocked_env = flags.get(key)
                deltas: tuple[FieldDelta, ...] = ()
                if blocked_env is False:
                    deltas = (FieldDelta("unblocked", None, None, "true", "false"),)
                status = "drift" if deltas else "unchecked"
                report.entries.append(
                    VerifyEntry(
                        listed.get(key, item.name),
                        item.guid,
                        rel,
                        status,
                        deltas,
                        note=f"fields not checked: {unread[key]}",
                    )
                )
            elif key in listed:
                report.entries.append(
                    VerifyEntry(listed[key], item.guid, rel, "unchecked", note="listed, but its metainfo was not read")
                )
            else:
                report.entries.append(
                    VerifyEntry(
                        item.name,
                        item.guid,
                        rel,
                        "missing",
                        note=f"not listed by any configured App Connector of {environment}: not imported, "
                        "deleted, or not authorised for the App Connectors afasgov uses",
                    )
                )
            continue
        found = compare_fields(item.definition, conn)
        note = ""
        if not found and order_differs(item.definition, conn):
            note = "same fields in another order (JSON clients are unaffected)"
        if not found:
            status = "ok"
        elif behind(found):
            status = "behind"
            note = (
                f"{environment} lacks fields of the definition: import the reviewed version "
                "(afasgov promote), unless they were removed by hand"
            )
        else:
            status = "drift"
            note = f"changed in {environment} without review: re-export and review it, or revert it in Profit"
        report.entries.append(VerifyEntry(conn.id, item.guid, rel, status, tuple(found), note))
    report.entries.sort(key=lambda e: (STATUSES.index(e.status), e.connector.lower()))
    report.undefined = sorted(
        (cid for key, cid in listed.items() if key not in defined and not is_supplied(cid)), key=str.lower
    )
    return report


def verify_snapshot(definitions: DefinitionSet, snapshot: EnvironmentSnapshot, *, source: str) -> VerifyReport:
    """``--offline``: compare with the environment's committed snapshot."""
    listed: dict[str, str] = {cid.lower(): cid for cid in snapshot.get_connectors}
    for scope in snapshot.app_connectors.values():
        for ref in scope.get_connectors:
            listed.setdefault(ref.id.lower(), ref.id)
    report = verify_view(
        definitions,
        environment=snapshot.name,
        mode="offline",
        source=source,
        connectors=snapshot.get_connectors,
        listed=listed,
        taken_at=snapshot.meta.taken_at,
    )
    if snapshot.meta.taken_at:
        report.notes.append(
            f"offline: compared with the snapshot taken {snapshot.meta.taken_at}; "
            f"run 'afasgov verify {snapshot.name}' (live) for the current state"
        )
    return report


# ------------------------------------------------------------------------------------------ output
def render_text(report: VerifyReport) -> str:
    env = report.environment
    head = f"verify {env} ({report.mode}: {report.source})"
    lines = [head, ""]
    if not report.entries:
        lines.append("no GetConnector definitions to verify")
    else:
        width = max(len("CONNECTOR"), *(len(e.connector) for e in report.entries))
        lines.append(f"{'CONNECTOR':<{width}}  {'STATUS':<9}  DETAIL")
        for e in report.entries:
            detail = e.detail(env) or ["-"]
            lines.append(f"{e.connector:<{width}}  {e.status:<9}  {detail[0]}")
            lines.extend(f"{'':<{width}}  {'':<9}  {more}" for more in detail[1:])
    if report.undefined:
        lines += [
            "",
            f"own GetConnectors of {env} without a reviewed definition ({len(report.undefined)}): "
            + ", ".join(report.undefined),
        ]
    for note in report.notes:
        lines += ["", f"note: {note}"]
    counts = ", ".join(f"{n} {s}" for s, n in report.summary.items() if n)
    lines += ["", f"verdict: {report.verdict} ({counts or 'nothing checked'})"]
    return "\n".join(lines) + "\n"


def to_json(report: VerifyReport) -> dict[str, Any]:
    return {
        "tool": "afasgov",
        "version": __version__,
        "command": "verify",
        "environment": report.environment,
        "mode": report.mode,
        "source": report.source,
        "taken_at": report.taken_at or None,
        "verdict": report.verdict,
        "summary": report.summary,
        "connectors": [e.to_json(report.environment) for e in report.entries],
        "undefined": report.undefined,
        "notes": report.notes,
    }


def render_json(report: VerifyReport) -> str:
    return json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"


__all__ = [
    "FAILING",
    "STATUSES",
    "VerifyEntry",
    "VerifyReport",
    "is_supplied",
    "render_json",
    "render_text",
    "to_json",
    "verify_snapshot",
    "verify_view",
]
