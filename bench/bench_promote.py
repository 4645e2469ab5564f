"""promote/verify: live verify over a real socket (parallel vs one request at a time), and offline
verify + promotion planning + bundle writing for many definitions.

* ``verify live``: the demo's 21 definitions against the simulator with 20 ms latency per request;
  baseline in the same run: the same environment with ``max_in_flight: 1`` (sequential requests).
* ``promote plan+bundle``: N synthetic definitions, source/target snapshots that differ in a third
  of them; baseline: writing the same .gcn bytes to a directory (the unavoidable I/O).
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import tempfile
from pathlib import Path

from afasgov.config import load_config
from afasgov.gcn.build import build_gcn
from afasgov.gcn.store import import_files
from afasgov.model import AppConnectorScope, ConnectorRef, EnvironmentSnapshot, GetConnector, GetField
from afasgov.promote.bundle import write_bundle
from afasgov.promote.definitions import load_definitions
from afasgov.promote.live import read_live
from afasgov.promote.plan import plan_promotion
from afasgov.promote.verify import is_supplied, verify_snapshot
from afasgov.sim.testing import running_sim
from bench.common import Result, best_of


def _live(quick: bool) -> Result:
    with running_sim("demo", latency_ms=20) as sim, tempfile.TemporaryDirectory() as tmp:
        config = load_config(sim.write_config(Path(tmp) / "afasgov.yaml"))
        env = config.environment("test")
        wanted = [c for c in sim.dataset.environment("test").get_connectors if not is_supplied(c)]
        seq = dataclasses.replace(env, name="test-sequential", max_in_flight=1)
        repeat = 1 if quick else 3
        parallel = best_of(lambda: asyncio.run(read_live(env, wanted)), repeat)
        sequential = best_of(lambda: asyncio.run(read_live(seq, wanted)), repeat)
    return Result(
        name="verify live (demo, 21 definitions, 20 ms latency)",
        value=parallel,
        unit="s",
        baseline_name="max_in_flight 1",
        baseline_value=sequential,
        details={"connectors": len(wanted)},
    )


def _fields(i: int, n: int) -> list[tuple[str, str]]:
    return [(f"Field{j}", f"U{j + 1:03d}") for j in range(n)] + ([("Extra", "U099")] if i % 3 == 0 else [])


def _snapshot(name: str, n: int, *, ahead: bool) -> EnvironmentSnapshot:
    gets = {}
    for i in range(n):
        cid = f"Bench_{i:04d}"
        fields = _fields(i, 12) if ahead else _fields(1, 12)
        gets[cid] = GetConnector(cid, cid, tuple(GetField(id=o, field_id=f, length=50) for o, f in fields))
    scope = AppConnectorScope(name="portal", get_connectors=tuple(ConnectorRef(c) for c in gets))
    return EnvironmentSnapshot(name=name, language="en-us", app_connectors={"portal": scope}, get_connectors=gets)


def _plan(quick: bool) -> list[Result]:
    n = 60 if quick else 300
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        scratch = root / "scratch"
        scratch.mkdir()
        paths = []
        for i in range(n):
            cid = f"Bench_{i:04d}"
            p = scratch / f"{cid}.gcn"
            p.write_bytes(
                build_gcn(
                    {
                        "name": cid,
                        "data_collection": {"main_table": "Kn.Bcn"},
                        "fields": [
                            {"id": f, "source": f"Kn.Bcn.F{f[1:]}", "output_name": o} for o, f in _fields(i, 12)
                        ],
                    }
                )
            )
            paths.append(p)
        import_files(paths, root / "gc")
        source, target = _snapshot("test", n, ahead=True), _snapshot("production", n, ahead=False)
        counter = iter(range(10_000))
        defs = load_definitions(root / "gc")

        def work() -> None:
            verify_snapshot(defs, target, source="bench")
            plan = plan_promotion(source, target, defs)
            write_bundle(plan, root / f"dist{next(counter)}")

        def io_only() -> None:
            out = root / f"copy{next(counter)}"
            out.mkdir()
            for p in sorted((root / "gc").glob("*.gcn")):
                shutil.copyfile(p, out / p.name)

        repeat = 2 if quick else 3
        load = best_of(lambda: load_definitions(root / "gc"), repeat)
        value = best_of(work, repeat)
        baseline = best_of(io_only, repeat)
    return [
        Result(
            name=f"load {n} stored definitions (.gcn + YAML, gcn store)",
            value=load,
            unit="s",
            details={"per_definition_ms": round(1000 * load / n, 2)},
        ),
        Result(
            name=f"verify offline + plan + bundle ({n} definitions, {n // 3 + 1} to import)",
            value=value,
            unit="s",
            baseline_name="copy every .gcn file",
            baseline_value=baseline,
        ),
    ]


def run(quick: bool) -> list[Result]:
    return [_live(quick), *_plan(quick)]
