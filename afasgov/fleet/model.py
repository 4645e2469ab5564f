"""The fleet report as data (``fleet.json``, schema ``afasgov.fleet-report/1``), and merging shards.

A fleet run writes one :class:`TenantResult` per tenant; everything fleet-wide (the verdict, the
tenants × integrations matrix, the breaking changes that hit the most tenants, the Profit versions
seen) is *derived* from the tenant results by :class:`FleetReport`. So the report of N merged shards
equals the unsharded run's apart from the run's own timings: :func:`merge` only unions tenant results
(checking that the shards belong together) and derives the rest again.

Statuses per tenant: ``ok`` (checked, nothing at or above ``--fail-on``), ``findings`` (checked, something
fails the run) and ``failed`` (could not be checked: unreachable, authentication refused, bad secret…).
Per integration and tenant: ``breaks``, ``may break``, ``ok`` or ``not checked``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from afasgov.errors import EXIT_FINDINGS, EXIT_OK, EXIT_REMOTE, InputError

SCHEMA = "afasgov.fleet-report/1"
FLEET_JSON = "fleet.json"
STATUSES = ("ok", "findings", "failed")
CELL_STATUSES = ("breaks", "may break", "ok", "not checked")
LEVELS = ("ERR", "WARN", "INFO")
#: keys of the run block that differ between runs of the same fleet state (left out when comparing)
TIMING_KEYS = ("started_at", "finished_at", "seconds", "stamp", "shard", "shards")


@dataclass(frozen=True)
class Change:
    """A breaking (ERR) or may-break (WARN) change found in one tenant's release check."""

    id: str
    level: str
    path: str
    text: str
    integrations: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.id, self.path)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "level": self.level, "path": self.path, "text": self.text,
                "integrations": list(self.integrations)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        return cls(id=str(data["id"]), level=str(data["level"]), path=str(data["path"]), text=str(data["text"]),
                   integrations=tuple(str(i) for i in data.get("integrations") or ()))


@dataclass(frozen=True)
class TenantError:
    """Why a tenant could not be checked."""

    stage: str  # configuration | snapshot | check
    message: str
    exit_code: int = EXIT_REMOTE
    environment: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"stage": self.stage, "environment": self.environment or None, "exit_code": self.exit_code,
                "message": self.message}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TenantError:
        return cls(stage=str(data["stage"]), message=str(data["message"]), exit_code=int(data["exit_code"]),
                   environment=str(data.get("environment") or ""))


@dataclass(frozen=True)
class TenantResult:
    """One tenant's outcome."""

    id: str
    name: str
    position: int  # index in the tenants file: the report's order
    tags: tuple[str, ...] = ()
    status: str = "ok"
    error: TenantError | None = None
    counts: Mapping[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    waived: int = 0
    #: environment type → Profit version
    profit_versions: Mapping[str, str] = field(default_factory=dict)
    #: integration → breaks | may break | ok | not checked
    integrations: Mapping[str, str] = field(default_factory=dict)
    changes: tuple[Change, ...] = ()
    #: report format → path relative to the fleet report's directory
    reports: Mapping[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        return {"ok": "PASS", "findings": "FAIL"}.get(self.status, "ERROR")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "position": self.position, "tags": list(self.tags),
            "status": self.status, "verdict": self.verdict,
            "error": self.error.to_json() if self.error is not None else None,
            "summary": {lvl: int(self.counts.get(lvl, 0)) for lvl in LEVELS} | {"waived": self.waived},
            "profit_versions": dict(sorted(self.profit_versions.items())),
            "integrations": dict(sorted(self.integrations.items())),
            "changes": [c.to_json() for c in self.changes],
            "reports": dict(sorted(self.reports.items())),
            "seconds": round(self.seconds, 3),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TenantResult:
        summary = data.get("summary") or {}
        error = data.get("error")
        status = str(data["status"])
        if status not in STATUSES:
            raise ValueError(f"status {status!r}")
        return cls(
            id=str(data["id"]), name=str(data["name"]), position=int(data["position"]),
            tags=tuple(str(t) for t in data.get("tags") or ()), status=status,
            error=TenantError.from_json(error) if error else None,
            counts={lvl: int(summary.get(lvl, 0)) for lvl in LEVELS}, waived=int(summary.get("waived", 0)),
            profit_versions={str(k): str(v) for k, v in (data.get("profit_versions") or {}).items()},
            integrations={str(k): str(v) for k, v in (data.get("integrations") or {}).items()},
            changes=tuple(Change.from_json(c) for c in data.get("changes") or ()),
            reports={str(k): str(v) for k, v in (data.get("reports") or {}).items()},
            seconds=float(data.get("seconds") or 0.0),
        )


@dataclass(frozen=True)
class WideChange:
    """A change across the fleet: which tenants it hits, which integrations it touches."""

    id: str
    level: str
    path: str
    text: str
    tenants: tuple[str, ...]
    integrations: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "level": self.level, "path": self.path, "text": self.text,
                "tenant_count": len(self.tenants), "tenants": list(self.tenants),
                "integrations": list(self.integrations)}

    def headline(self) -> str:
        """``KnUser/Element/Fields/XOEA removed: 137 tenants, integration helloid``."""
        n = len(self.tenants)
        who = f"{n} tenant{'s' if n != 1 else ''}"
        if self.integrations:
            word = "integration" if len(self.integrations) == 1 else "integrations"
            who += f", {word} {', '.join(self.integrations)}"
        return f"{self.text}: {who}"


@dataclass
class FleetReport:
    """The report of one fleet run (or of merged shards)."""

    tenants: list[TenantResult]
    #: the run: stamp, started_at, finished_at, seconds, shard ("K/N" or None), shards (merged), tags,
    #: offline, fail_on, tool version, tenants file and its hash, environments
    run: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tenants = sorted(self.tenants, key=lambda t: (t.position, t.id))

    # ------------------------------------------------------------------------ derived
    def count(self, status: str) -> int:
        return sum(1 for t in self.tenants if t.status == status)

    @property
    def verdict(self) -> str:
        if not self.tenants:
            return "PASS"
        if self.count("failed") == len(self.tenants):
            return "ERROR"
        return "FAIL" if self.count("findings") or self.count("failed") else "PASS"

    @property
    def exit_code(self) -> int:
        """3 if every tenant failed, 1 on findings (or a tenant that could not be checked), 0 clean."""
        if self.tenants and self.count("failed") == len(self.tenants):
            return EXIT_REMOTE
        return EXIT_FINDINGS if self.verdict == "FAIL" else EXIT_OK

    def integrations(self) -> list[str]:
        return sorted({name for t in self.tenants for name in t.integrations})

    def matrix(self) -> list[tuple[TenantResult, list[str]]]:
        names = self.integrations()
        return [(t, [t.integrations.get(n, "not checked") if t.status != "failed" else "not checked"
                     for n in names]) for t in self.tenants]

    def wide_changes(self) -> list[WideChange]:
        """Changes by the number of tenants they hit (most first), then ERR before WARN, then path."""
        seen: dict[tuple[str, str], tuple[Change, list[str], set[str], str]] = {}
        for t in self.tenants:
            for c in t.changes:
                entry = seen.get(c.key)
                if entry is None:
                    seen[c.key] = (c, [t.id], set(c.integrations), c.level)
                else:
                    entry[1].append(t.id)
                    entry[2].update(c.integrations)
                    if c.level == "ERR" and entry[3] != "ERR":
                        seen[c.key] = (entry[0], entry[1], entry[2], "ERR")
        out = [WideChange(id=c.id, level=level, path=c.path, text=c.text, tenants=tuple(ids),
                          integrations=tuple(sorted(integ))) for c, ids, integ, level in seen.values()]
        return sorted(out, key=lambda w: (-len(w.tenants), LEVELS.index(w.level), w.path, w.id))

    def profit_versions(self) -> dict[str, dict[str, int]]:
        """Environment type → Profit version → number of tenants."""
        out: dict[str, Counter[str]] = {}
        for t in self.tenants:
            for env, version in t.profit_versions.items():
                out.setdefault(env, Counter())[version or "?"] += 1
        return {env: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for env, c in sorted(out.items())}

    def summary(self) -> dict[str, int]:
        return {"tenants": len(self.tenants), **{s: self.count(s) for s in STATUSES}}

    def verdict_line(self) -> str:
        s = self.summary()
        return (f"{self.verdict}: {s['tenants']} tenants — {s['ok']} ok, {s['findings']} with findings, "
                f"{s['failed']} could not be checked")

    # ------------------------------------------------------------------------ JSON
    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "run": dict(self.run),
            "verdict": self.verdict,
            "exit_code": self.exit_code,
            "summary": self.summary(),
            "integrations": self.integrations(),
            "profit_versions": self.profit_versions(),
            "changes": [w.to_json() for w in self.wide_changes()],
            "tenants": [t.to_json() for t in self.tenants],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: Any, *, source: str = "fleet.json") -> FleetReport:
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise InputError(f"not a fleet report (expected schema {SCHEMA})", source=source)
        try:
            tenants = [TenantResult.from_json(t) for t in data.get("tenants") or ()]
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"malformed tenant entry ({exc})", source=source) from None
        run = data.get("run")
        return cls(tenants=tenants, run=dict(run) if isinstance(run, dict) else {})


def comparable(doc: Mapping[str, Any]) -> dict[str, Any]:
    """``doc`` (a fleet.json) without timings: the run's clock and shard bookkeeping, each tenant's
    seconds. The merged report of N shards and the unsharded run's are equal under this."""
    out = dict(doc)
    out["run"] = {k: v for k, v in dict(doc.get("run") or {}).items() if k not in TIMING_KEYS}
    out["tenants"] = [{k: v for k, v in t.items() if k != "seconds"} for t in doc.get("tenants") or ()]
    return out


def merge(reports: Sequence[tuple[str, FleetReport]]) -> FleetReport:
    """One report from the shards' reports (``(source, report)``): the tenants of all, checked to be one
    run of one fleet (same tenants file, fail-on, tags, environments; shards K/N of the same N, each
    once, all present; no tenant twice)."""
    if not reports:
        raise InputError("no shard reports to merge")
    first_source, first = reports[0]
    same = ("tenants_file_sha256", "fail_on", "tags", "offline", "environments")
    shard_ns: set[int] = set()
    shard_ks: dict[int, str] = {}
    tenants: dict[str, tuple[str, TenantResult]] = {}
    for source, report in reports:
        for key in same:
            if report.run.get(key) != first.run.get(key):
                raise InputError(
                    f"{key} differs from {first_source} ({report.run.get(key)!r} vs {first.run.get(key)!r}): "
                    "the shards are not of one run", source=source)
        shard = report.run.get("shard")
        if shard:
            k, n = (int(x) for x in str(shard).split("/"))
            shard_ns.add(n)
            if len(shard_ns) > 1:
                raise InputError(f"shards of different splits ({', '.join(f'N={n}' for n in sorted(shard_ns))})",
                                 source=source)
            if k in shard_ks:
                raise InputError(f"shard {shard} is given twice (also {shard_ks[k]})", source=source)
            shard_ks[k] = source
        for t in report.tenants:
            if t.id in tenants:
                raise InputError(f"tenant {t.id} is in two shards (also {tenants[t.id][0]})", source=source)
            tenants[t.id] = (source, t)
    if shard_ns:
        (n,) = shard_ns
        missing = [str(k) for k in range(1, n + 1) if k not in shard_ks]
        if missing:
            raise InputError(f"shard(s) {', '.join(m + '/' + str(n) for m in missing)} missing: merge every shard "
                             "of the run")
    run = {k: v for k, v in first.run.items() if k not in TIMING_KEYS}
    starts = [str(r.run["started_at"]) for _, r in reports if r.run.get("started_at")]
    ends = [str(r.run["finished_at"]) for _, r in reports if r.run.get("finished_at")]
    run |= {"started_at": min(starts) if starts else None, "finished_at": max(ends) if ends else None,
            "shard": None, "shards": sorted(str(r.run.get("shard")) for _, r in reports if r.run.get("shard"))}
    return FleetReport(tenants=[t for _, t in tenants.values()], run=run)


def tenant_changes(items: Iterable[Any], fail_levels: Sequence[str] = ("ERR", "WARN")) -> tuple[Change, ...]:
    """The unwaived ERR/WARN diff findings of a tenant's release report, as fleet changes (one per
    id + path, in report order)."""
    out: dict[tuple[str, str], Change] = {}
    for item in items:
        if getattr(item, "kind", "") != "diff" or getattr(item, "waived", False):
            continue
        if item.level not in fail_levels:
            continue
        change = Change(id=item.id, level=item.level, path=item.path, text=item.text,
                        integrations=tuple(sorted(item.integrations)))
        out.setdefault(change.key, change)
    return tuple(out.values())


__all__ = [
    "CELL_STATUSES",
    "FLEET_JSON",
    "SCHEMA",
    "STATUSES",
    "Change",
    "FleetReport",
    "TenantError",
    "TenantResult",
    "WideChange",
    "comparable",
    "merge",
    "tenant_changes",
]
