"""The fleet release check (issue 15): ``afasgov release-check --fleet`` as a user runs it (a fresh
process), the simulator in its own process (:mod:`bench.metered_sim`, 100 ms per request), tenants of
``synthetic:40`` (production and accept: 40 UpdateConnectors, 20 GetConnectors each).

* 50, 100 and 200 tenants: wall time against the bound the global in-flight cap sets, ``ceil(requests /
  cap) × latency`` (requests counted at the simulator; target ≤ 1.3×), peak RSS of the process (target
  ≤ 400 MB), seconds per tenant (linear: the same for 50, 100 and 200), CPU per tenant;
* the 200 tenants as 4 shards, one process each (run one after the other), then ``afasgov fleet merge``:
  the merged fleet.json equals the unsharded one apart from timings; each shard's wall against ¼ of the
  unsharded run's;
* 20 % injected faults (503, 500, dropped connections) on 50 tenants: the same tenant results as
  without; one tenant with a wrong token: reported, the 49 others as without.

The cap is ``BENCH_FLEET_CAP`` (default 16: what one afasgov process keeps busy on this machine, where a
tenant costs ~0.5 s of CPU, its 128 requests over loopback most of it; see docs/fleet.md). ``--quick``:
10/20/40 tenants.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_crawl import MeteredSim, analyse
from bench.common import Result

LATENCY_MS = 100.0
DATASET = "synthetic:40"


def _cap() -> int:
    return int(os.environ.get("BENCH_FLEET_CAP", "16"))


def _subset(sim_dir: Path, n: int, cap: int) -> Path:
    """A repository of its own for the simulator's first ``n`` tenants: afasgov.yaml (with the cap),
    fleet/tenants.yaml and their secret files only (another tenant's secret file in the repository
    would be an audit finding in every report)."""
    import yaml

    repo = sim_dir.parent / f"fleet-{n}"
    if repo.exists():
        shutil.rmtree(repo)
    (repo / "fleet").mkdir(parents=True)
    tenants = yaml.safe_load((sim_dir / "fleet" / "tenants.yaml").read_text())["tenants"][:n]
    (repo / "fleet" / "tenants.yaml").write_text(yaml.safe_dump({"tenants": tenants}, sort_keys=False))
    secrets = repo / "afasgov.secrets"
    secrets.mkdir(mode=0o700)
    ids = {t["id"] for t in tenants}
    for path in (sim_dir / "afasgov.secrets").iterdir():
        if path.name.split("-", 1)[0] in ids or path.name == ".gitignore":
            shutil.copy2(path, secrets / path.name)
    config = repo / "afasgov.yaml"
    config.write_text((sim_dir / "afasgov.yaml").read_text() + f"max_in_flight_total: {cap}\n")
    return config


def _run(sim: MeteredSim, config: Path, *args: str) -> dict[str, Any]:
    """One fleet command as a fresh process: wall, peak RSS, CPU, and the requests the simulator saw."""
    sim.command("reset")
    started = time.time()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", sys.executable, "-m", "afasgov", "--config",
                           str(config), *args], capture_output=True, text=True, cwd=config.parent,
                          env=dict(os.environ, CI="1"), check=False)
    ended = time.time()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"afasgov {' '.join(args)}: exit {proc.returncode}: {proc.stderr[-800:]}")
    rss_kb, user, system = proc.stderr.strip().splitlines()[-1].split()
    time.sleep(0.1)
    spans = sim.spans()
    return {"wall": ended - started, "rss_mb": int(rss_kb) / 1024, "cpu": float(user) + float(system),
            "requests": len(spans), "spans": spans, "started": started, "ended": ended}


def _doc(directory: Path) -> dict[str, Any]:
    return dict(json.loads((directory / "fleet.json").read_text()))


def _tenants(doc: dict[str, Any]) -> list[dict[str, Any]]:
    from afasgov.fleet.model import comparable

    return list(comparable(doc)["tenants"])


def run(quick: bool) -> list[Result]:
    from afasgov.fleet.model import comparable

    cap = _cap()
    sizes = [10, 20, 40] if quick else [50, 100, 200]
    big, small = sizes[-1], sizes[0]
    latency = LATENCY_MS / 1000.0
    load_before = os.getloadavg()[0]
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="afasgov-bench-fleet-") as tmp:
        work = Path(tmp)
        with MeteredSim(DATASET, LATENCY_MS, work / "sim", tenants=big, fleet_config=True) as sim:
            sim.command("warm")
            sim_dir = sim.config.parent
            runs: dict[int, dict[str, Any]] = {}
            for n in sizes:
                config = _subset(sim_dir, n, cap)  # a first run: no previous trees
                runs[n] = _run(sim, config, "release-check", "--fleet", "--output", str(work / f"out-{n}"))
            per_tenant = {n: runs[n]["wall"] / n for n in sizes}
            for n in sizes:
                r = runs[n]
                bound = math.ceil(r["requests"] / cap) * latency
                seen = analyse(r["spans"], r["started"], r["ended"], slots=cap)
                results.append(Result(
                    f"fleet release-check, {n} tenants x 2 environments of {DATASET} @{LATENCY_MS:.0f}ms, cap {cap}",
                    r["wall"], "s", baseline_name=f"bound ceil(requests/{cap}) x latency", baseline_value=bound,
                    target="wall <= 1.3 x bound; peak RSS <= 400 MB; time linear in tenants",
                    details={"x_bound": round(r["wall"] / bound, 3), "requests": r["requests"],
                             "peak_rss_mb": round(r["rss_mb"], 1), "cpu_s": round(r["cpu"], 1),
                             "cpu_per_tenant_s": round(r["cpu"] / n, 3), "s_per_tenant": round(per_tenant[n], 3),
                             "x_per_tenant_vs_smallest": round(per_tenant[n] / per_tenant[small], 3),
                             "mean_in_flight": round(seen.mean_in_flight, 2)}))

            # 4 shards of the largest fleet, one process each, then merged
            shard_walls = []
            for k in range(1, 5):
                config = _subset(sim_dir, big, cap)
                shard = _run(sim, config, "release-check", "--fleet", "--shard", f"{k}/4", "--output",
                             str(work / f"shard-{k}"))
                shard_walls.append(shard["wall"])
            merge = subprocess.run([sys.executable, "-m", "afasgov", "fleet", "merge",
                                    *(str(work / f"shard-{k}") for k in range(1, 5)), "--output", str(work / "merged")],
                                   capture_output=True, text=True, check=False)
            equal = comparable(_doc(work / "merged")) == comparable(_doc(work / f"out-{big}"))
            quarter = runs[big]["wall"] / 4
            results.append(Result(
                f"fleet {big} tenants as 4 shards (4 processes, one after the other), merged",
                max(shard_walls), "s", baseline_name="unsharded wall / 4", baseline_value=quarter,
                target="merged report equals the unsharded one; per-shard wall ~ 1/4",
                details={"merged_equals_unsharded": equal, "merge_exit": merge.returncode,
                         "shard_walls_s": [round(w, 1) for w in shard_walls],
                         "x_quarter": [round(w / quarter, 2) for w in shard_walls],
                         "shard_tenants": [len(_doc(work / f"shard-{k}")["tenants"]) for k in range(1, 5)]}))

            # a wrong token for one tenant of the smallest fleet
            config = _subset(sim_dir, small, cap)
            secrets = config.parent / "afasgov.secrets"
            victim = "20002"
            (secrets / f"{victim}-accept-admin.token").write_text((secrets / "20001-accept-admin.token").read_text())
            wrong = _run(sim, config, "release-check", "--fleet", "--output", str(work / "wrong"))
            doc = _doc(work / "wrong")
            failed = [t["id"] for t in doc["tenants"] if t["status"] == "failed"]
            base = {t["id"]: t for t in _tenants(_doc(work / f"out-{small}"))}
            others_equal = all(t == base[t["id"]] for t in _tenants(doc) if t["id"] != victim)
            results.append(Result(
                f"fleet {small} tenants, one with a wrong token", wrong["wall"], "s",
                baseline_name="fault-free run", baseline_value=runs[small]["wall"],
                target="the tenant reported, the others go on unchanged",
                details={"failed": failed, "others_equal_fault_free": others_equal,
                         "error": next((t["error"]["message"][:120] for t in doc["tenants"] if t["error"]), "")}))

        # 20 % injected faults, the same tenants (a simulator of its own)
        # (the seed of create_app also seeds the synthetic dataset: the faults use the default one, 0)
        with MeteredSim(DATASET, LATENCY_MS, work / "faulty", tenants=small, fleet_config=True, fail_rate=0.2,
                        retry_after=0) as faulty:
            faulty.command("warm")
            config = _subset(faulty.config.parent, small, cap)
            fault = _run(faulty, config, "release-check", "--fleet", "--output", str(work / "faults"))
            same = _tenants(_doc(work / "faults")) == _tenants(_doc(work / f"out-{small}"))
            results.append(Result(
                f"fleet {small} tenants with 20% injected faults", fault["wall"], "s",
                baseline_name="fault-free run", baseline_value=runs[small]["wall"],
                target="the same tenant results as without faults",
                details={"same_as_fault_free": same, "requests": fault["requests"],
                         "fault_free_requests": runs[small]["requests"]}))
    load = {"load_1m_before": round(load_before, 2), "load_1m_after": round(os.getloadavg()[0], 2)}
    for r in results:
        r.details |= load
    return results


if __name__ == "__main__":
    for r in run(quick="--quick" in sys.argv):
        print(r.line())
