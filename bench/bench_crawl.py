"""The crawl at the network limit (issue 15 §5): one environment of 250 connectors, 200 ms per request.

The simulator runs in its own process (:mod:`bench.metered_sim`) and records when each request
starts and ends *at the server*; the crawler is the real command line, ``python -m afasgov
snapshot production``, started as a fresh process (imports included), as a user runs it. Per run:

* wall time from starting the process to its exit, against the bound ``ceil(requests / 8) ×
  latency`` (target ≤ 1.15×);
* mean requests in flight at the server between the first request's start and the last one's end
  (target ≥ 7.5);
* the first request's arrival at the server after the process was started (target ≤ 0.3 s);
* where the crawl waits: slot-seconds lost before 8 requests are first in flight (head: the
  ``/metainfo`` round, which must answer before any connector is known), between (body: client
  CPU delaying the next request) and after the last request started (tail: the final round
  draining), and the turnaround from a request's end to the start of the request taking its slot.

Two cases: the first snapshot of the environment (nothing to start from: ``/metainfo`` must answer
before any connector is known) and a refresh (the previous tree is there: its connectors are
requested at once). Same-run baselines: the bound itself, and a replay of the same requests by
afasgov's client with 8 in flight and nothing else (no normalising, no YAML, no files), started the
same way.
``--quick`` uses ``synthetic:40`` at 100 ms and one run.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import Result

ROOT = Path(__file__).resolve().parent.parent
SLOTS = 8
#: ``synthetic:166``: 166 update + 83 get connectors + ProfitGetConnectoren = 250 connectors
FULL = ("synthetic:166", 200.0)
QUICK = ("synthetic:40", 100.0)
RUNS = 3


class MeteredSim:
    """:mod:`bench.metered_sim` as a child process."""

    def __init__(self, dataset: str, latency_ms: float, directory: Path, **opts: Any) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.metered_sim", dataset, str(latency_ms), str(directory), json.dumps(opts)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )
        hello = self._read()
        self.config = Path(hello["config"])
        self.origin = str(hello["origin"])

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("metered simulator ended unexpectedly")
        return dict(json.loads(line))

    def command(self, name: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()
        return self._read()

    def spans(self) -> list[tuple[float, float]]:
        return [(float(s), float(e)) for s, e in self.command("stats")["spans"]]

    def __enter__(self) -> MeteredSim:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@dataclass
class Run:
    """One crawl as the server saw it, relative to the moment its process was started."""

    wall: float
    first: float
    requests: int
    window: float
    mean_in_flight: float
    lost_head: float
    lost_body: float
    lost_tail: float
    turnaround_median_ms: float
    turnaround_p90_ms: float
    level_share: dict[int, float]


def analyse(spans: list[tuple[float, float]], started: float, ended: float, slots: int = SLOTS) -> Run:
    """Requests in flight over time from the server's ``(start, end)`` spans."""
    if not spans:
        raise RuntimeError("the simulator saw no request")
    starts = sorted(s for s, _ in spans)
    ends = sorted(e for _, e in spans)
    first, last_start, last_end = starts[0], starts[-1], ends[-1]
    window = last_end - first
    busy = sum(e - s for s, e in spans)
    events = sorted([(s, 1) for s in starts] + [(e, -1) for e in ends])
    level_time: dict[int, float] = {}
    lost = {"head": 0.0, "body": 0.0, "tail": 0.0}
    full_at: float | None = None
    current, previous = 0, first
    for t, delta in events:
        span = t - previous
        if span > 0:
            level_time[current] = level_time.get(current, 0.0) + span
            missing = max(0, slots - current) * span
            phase = "head" if full_at is None else ("tail" if previous >= last_start else "body")
            lost[phase] += missing
        current += delta
        previous = t
        if full_at is None and current >= slots:
            full_at = t
    # a request's end frees a slot; the (k + slots)-th start takes the slot the k-th end freed
    turn = [starts[k + slots] - ends[k] for k in range(len(starts) - slots) if starts[k + slots] >= ends[k]]
    turn.sort()
    return Run(
        wall=ended - started,
        first=first - started,
        requests=len(spans),
        window=window,
        mean_in_flight=busy / window if window > 0 else float(len(spans)),
        lost_head=lost["head"],
        lost_body=lost["body"],
        lost_tail=lost["tail"],
        turnaround_median_ms=1000 * statistics.median(turn) if turn else 0.0,
        turnaround_p90_ms=1000 * turn[int(0.9 * (len(turn) - 1))] if turn else 0.0,
        level_share={k: round(v / window, 3) for k, v in sorted(level_time.items())} if window > 0 else {},
    )


REPLAY = textwrap.dedent("""
    import asyncio, sys
    from pathlib import Path

    async def main(config_path):
        from afasgov.config import load_config
        from afasgov.profit.client import ProfitClient
        env = load_config(Path(config_path)).environment("production")
        names = sorted(env.app_connectors)
        clients = {n: ProfitClient(env, env.app_connectors[n]) for n in names}
        seen = set()
        tasks = []

        async def app(name):
            meta = await clients[name].metainfo()
            for kind, call in (("get", "get_metainfo"), ("update", "update_metainfo")):
                for ref in meta.get(kind + "Connectors", []):
                    if (kind, ref["id"]) not in seen:
                        seen.add((kind, ref["id"]))
                        tasks.append(asyncio.ensure_future(getattr(clients[name], call)(ref["id"])))
                        if ref["id"] == "ProfitGetConnectoren":
                            tasks.append(asyncio.ensure_future(clients[name].get_rows(
                                "ProfitGetConnectoren", order_by=["Naam"], take=1000)))

        await asyncio.gather(clients[names[0]].profit_version(), *(app(n) for n in names))
        while tasks:
            batch, tasks[:] = list(tasks), []
            await asyncio.gather(*batch)
        await asyncio.gather(*(c.aclose() for c in clients.values()))

    asyncio.run(main(sys.argv[1]))
""")


def _run_once(sim: MeteredSim, argv: list[str], work: Path, pycache: Path | None = None) -> Run:
    sim.command("reset")
    env = dict(os.environ, CI="1", AFASGOV_NO_PROGRESS="1")
    if pycache is not None:  # a copy of afasgov with its bytecode compiled, as `pip install` leaves it
        env["PYTHONPATH"] = str(pycache)
    started = time.time()
    proc = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True, check=False)
    ended = time.time()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])}… exit {proc.returncode}: {proc.stderr.strip()[-500:]}")
    time.sleep(0.05)  # the server records a request's end after its last byte is written
    return analyse(sim.spans(), started, ended)


def _crawl_argv(config: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "afasgov", "--config", str(config), "snapshot", "production", "--out", str(out)]


def _median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.wall)[len(runs) // 2]


def _results(label: str, crawls: list[Run], replay: Run, latency: float, repeats: int,
             load: dict[str, float]) -> list[Result]:
    crawl = _median_run(crawls)
    bound = math.ceil(crawl.requests / SLOTS) * latency
    where = {
        "lost_slot_s_head": round(crawl.lost_head, 3),
        "lost_slot_s_body": round(crawl.lost_body, 3),
        "lost_slot_s_tail": round(crawl.lost_tail, 3),
        "turnaround_ms_median": round(crawl.turnaround_median_ms, 2),
        "turnaround_ms_p90": round(crawl.turnaround_p90_ms, 2),
        "in_flight_share": crawl.level_share,
    }
    return [
        Result(
            f"{label}: process wall vs bound ceil(req/8) x latency",
            crawl.wall,
            "s",
            baseline_name="bound",
            baseline_value=bound,
            target="wall <= 1.15 x bound",
            details={"x_bound": round(crawl.wall / bound, 3), "requests": crawl.requests, "runs": repeats,
                     "x_bound_all": [round(r.wall / bound, 3) for r in crawls],
                     "window_s": round(crawl.window, 3)} | load,
        ),
        Result(
            f"{label}: wall vs replay of the same requests (client only, no processing)",
            crawl.wall,
            "s",
            baseline_name="replay",
            baseline_value=replay.wall,
            details={"replay_x_bound": round(replay.wall / bound, 3),
                     "replay_mean_in_flight": round(replay.mean_in_flight, 2),
                     "replay_first_s": round(replay.first, 3)},
        ),
        Result(
            f"{label}: mean requests in flight at the simulator",
            crawl.mean_in_flight,
            "requests",
            target=">= 7.5",
            details={"all": [round(r.mean_in_flight, 2) for r in crawls]} | where,
        ),
        Result(
            f"{label}: first request at the simulator after process start",
            crawl.first,
            "s",
            target="<= 0.3 s",
            details={"all": [round(r.first, 3) for r in crawls]} | load,
        ),
    ]


def run(quick: bool) -> list[Result]:
    dataset, latency_ms = QUICK if quick else FULL
    repeats = 1 if quick else RUNS
    latency = latency_ms / 1000.0
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="afasgov-bench-crawl-") as tmp:
        work = Path(tmp)
        with MeteredSim(dataset, latency_ms, work / "sim") as sim:
            # warm-up: the simulator builds and caches each connector's JSON on first request; its tree
            # is the previous snapshot of the refresh runs
            _run_once(sim, _crawl_argv(sim.config, work / "refresh"), work)
            # this machine sets PYTHONDONTWRITEBYTECODE: the editable checkout is compiled on every start
            pycache = work / "site"
            shutil.copytree(ROOT / "afasgov", pycache / "afasgov")
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(pycache / "afasgov")], check=True,
                           capture_output=True)
            fresh: list[Run] = []
            compiled: list[Run] = []
            refresh: list[Run] = []
            replays: list[Run] = []
            for i in range(repeats):  # interleaved, so all see the same load
                fresh.append(_run_once(sim, _crawl_argv(sim.config, work / f"fresh{i}"), work))
                compiled.append(_run_once(sim, _crawl_argv(sim.config, work / f"compiled{i}"), work, pycache))
                refresh.append(_run_once(sim, _crawl_argv(sim.config, work / "refresh"), work))
                replays.append(_run_once(sim, [sys.executable, "-c", REPLAY, str(sim.config)], work))
    load_after = os.getloadavg()
    load = {"load_1m_before": round(load_before[0], 2), "load_1m_after": round(load_after[0], 2)}
    replay = _median_run(replays)
    name = f"{dataset} @{latency_ms:.0f}ms"
    return (_results(f"snapshot {name}, first snapshot (no previous tree)", fresh, replay, latency, repeats, load)
            + _results(f"snapshot {name}, first snapshot, afasgov's bytecode compiled (as pip installs it)",
                       compiled, replay, latency, repeats, load)
            + _results(f"snapshot {name}, refresh (previous tree present)", refresh, replay, latency, repeats,
                       load))


if __name__ == "__main__":
    for r in run(quick="--quick" in sys.argv):
        print(r.line())
