"""The simulator in its own process, metered: every request's start and end as the server sees them.

Used by the crawl benchmarks (issue 15 §5): requests in flight are measured where AFAS would count
them, at the server, not in the crawler being measured. Run as::

    python -m bench.metered_sim DATASET LATENCY_MS DIRECTORY [create_app options as JSON]

(``"fleet_config": true`` among the options writes an afasgov.yaml with a ``fleet:`` section instead.)

It prints one JSON line ``{"config": …, "origin": …}`` once serving, then answers commands on
stdin, one per line: ``reset`` (forget the recorded requests), ``stats`` (the recorded
``[start, end]`` pairs, wall-clock seconds since the epoch, so the benchmark can relate them to
the moment it started the crawling process), ``quit``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any


class Meter:
    """ASGI middleware recording ``(start, end)`` of every HTTP request (``time.time()``)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.spans: list[tuple[float, float]] = []
        self.state = getattr(app, "state", None)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        start = time.time()
        try:
            await self.app(scope, receive, send)
        finally:
            self.spans.append((start, time.time()))


def _warm(state: Any) -> None:
    from afasgov.sim.model import localise

    lang = "en"  # the client's Accept-Language (en-us)
    for env in state.envs.values():
        for cid, conn in env.update_connectors.items():
            state.cached(("update", env.slug, cid, lang), lambda conn=conn: localise(conn, lang))
        for cid, gc in env.get_connectors.items():
            state.cached(("get", env.slug, cid, lang), lambda gc=gc: localise(gc.metainfo(), lang))


def main(argv: list[str]) -> int:
    from afasgov.sim.app import create_app
    from afasgov.sim.serve import start_sim

    dataset, latency, directory = argv[0], float(argv[1]), Path(argv[2])
    opts: dict[str, Any] = json.loads(argv[3]) if len(argv) > 3 else {}
    fleet = bool(opts.pop("fleet_config", False))
    app = create_app(dataset, latency_ms=latency, **opts)
    meter = Meter(app)
    sim = start_sim(app=meter)
    # RunningSim reads the state through .app; give it the inner app
    sim.app = app
    directory.mkdir(parents=True, exist_ok=True)
    if fleet:
        from afasgov.sim.writeconfig import write_fleet_config

        config = write_fleet_config(directory / "afasgov.yaml", app.state.sim.dataset, sim.origin, force=True)
    else:
        config = sim.write_config(directory / "afasgov.yaml")
    print(json.dumps({"config": str(config), "origin": sim.origin}), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "reset":
            meter.spans = []
            print(json.dumps({"ok": True}), flush=True)
        elif command == "warm":  # build and cache every connector's answer, as a first crawl would
            _warm(app.state.sim)
            print(json.dumps({"ok": True}), flush=True)
        elif command == "stats":
            print(json.dumps({"spans": meter.spans, "requests": app.state.sim.requests}), flush=True)
        else:
            break
    sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
