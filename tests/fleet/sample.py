"""A synthetic fleet report (no network): tenants with findings, failures, versions, integrations."""

from __future__ import annotations

import random

from afasgov.config.fleet import shard_of
from afasgov.fleet.model import Change, FleetReport, TenantError, TenantResult

INTEGRATIONS = ("bi-export", "helloid", "payroll-sync", "planning", "webshop")
CHANGES = [
    Change("request-property-removed", "ERR", f"KnUser/Element/Fields/X{i:03d}",
           f"KnUser/Element/Fields/X{i:03d} removed", ("helloid",)) for i in range(30)
] + [
    Change("request-property-max-length-decreased", "WARN", f"KnEmployee/Element/Fields/F{i:03d}",
           f"maxLength of KnEmployee/Element/Fields/F{i:03d} decreased from 80 to 40", ("payroll-sync", "planning"))
    for i in range(30)
]


def tenant(i: int, rng: random.Random, name: str | None = None) -> TenantResult:
    tid = str(20000 + i)
    roll = rng.random()
    if roll < 0.05:
        return TenantResult(
            id=tid, name=name or f"Customer {i} B.V.", position=i, tags=("payroll",), status="failed",
            error=TenantError("snapshot", f"environment {tid}-accept: GET /metainfo refused: HTTP 401 "
                              "(check the classic token)", 3, f"{tid}-accept"),
            integrations=dict.fromkeys(INTEGRATIONS, "not checked"), seconds=rng.random())
    changes = tuple(rng.sample(CHANGES, rng.randint(0, 6))) if roll < 0.7 else ()
    counts = {"ERR": sum(c.level == "ERR" for c in changes), "WARN": sum(c.level == "WARN" for c in changes),
              "INFO": rng.randint(0, 40)}
    integrations = {}
    for name_ in INTEGRATIONS:
        hits = [c for c in changes if name_ in c.integrations]
        integrations[name_] = ("breaks" if any(c.level == "ERR" for c in hits) else
                               "may break" if hits else "ok")
    return TenantResult(
        id=tid, name=name or f"Customer {i} B.V. with a rather long trading name {'x' * (i % 7)}", position=i,
        tags=("payroll",) + (("enterprise",) if i % 3 == 0 else ()),
        status="findings" if counts["ERR"] else "ok", counts=counts,
        profit_versions={"production": "8.2.4", "accept": rng.choice(["9.0.1", "9.0.1", "9.0.2"])},
        integrations=integrations, changes=changes,
        reports={"html": f"{tid}/release-check.html", "md": f"{tid}/release-check.md",
                 "json": f"{tid}/release-check.json"},
        seconds=rng.random())


def sample_fleet(n: int = 300, seed: int = 7, shard: tuple[int, int] | None = None) -> FleetReport:
    rng = random.Random(seed)
    tenants = [tenant(i, rng) for i in range(n)]
    run = {"stamp": "2026-11-23T120000Z", "started_at": "2026-11-23T12:00:00Z",
           "finished_at": "2026-11-23T12:03:00Z", "seconds": 180.0, "tool_version": "0.1.0",
           "tenants_file": "fleet/tenants.yaml", "tenants_file_sha256": "sha256:" + "ab" * 32,
           "tenants_total": n, "environments": ["production", "accept"], "fail_on": "ERR", "tags": [],
           "offline": False, "shard": None}
    if shard is not None:
        k, total = shard
        tenants = [t for t in tenants if shard_of(t.id, total) == k]
        run |= {"shard": f"{k}/{total}", "started_at": f"2026-11-23T12:0{k}:00Z", "seconds": 40.0 + k}
    return FleetReport(tenants=tenants, run=run)
