"""``afasgov sim``: serve the embedded AFAS Profit simulator on 127.0.0.1 until interrupted."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from afasgov.errors import UsageError
from afasgov.sim.app import create_app, sim_state
from afasgov.sim.datasets import DatasetError
from afasgov.sim.datasets.fieldspec import SpecError
from afasgov.sim.serve import HOST, bind_socket, uvicorn_server

if TYPE_CHECKING:
    from afasgov.app import AppContext


def run_sim(app: AppContext, *, dataset: str = "demo", port: int = 0, latency_ms: float = 0.0,
            fail_rate: float = 0.0, seed: int = 0, write_config: Path | None = None, force: bool = False,
            fleet: bool = False) -> int:
    """``afasgov sim``: serve until SIGINT/SIGTERM; returns the exit code."""
    if latency_ms < 0:
        raise UsageError(f"--latency-ms {latency_ms}: must not be negative")
    if not 0.0 <= fail_rate <= 1.0:
        raise UsageError(f"--fail-rate {fail_rate}: must be between 0 and 1")
    try:
        asgi = create_app(dataset, latency_ms=latency_ms, fail_rate=fail_rate, seed=seed)
    except (DatasetError, SpecError) as exc:
        raise UsageError(f"--dataset {dataset}: {exc}") from None
    sock = bind_socket(port)
    origin = f"http://{HOST}:{sock.getsockname()[1]}"
    server = uvicorn_server(asgi, log_level="warning")
    data = sim_state(asgi).dataset
    written: Path | None = None
    if write_config is not None:
        from afasgov.sim.writeconfig import write_config as write
        from afasgov.sim.writeconfig import write_fleet_config

        try:
            written = (write_fleet_config if fleet else write)(write_config, data, origin, force=force)
        except BaseException:
            sock.close()
            raise

    received: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        received.append(signum)
        if server.should_exit:  # a second signal: stop at once
            server.force_exit = True
        server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}

    async def serve() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.005)
        if server.started:
            _announce(app, data, origin, dataset, seed, written)
        await task

    try:
        asyncio.run(serve())
    finally:
        sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    names = ", ".join(signal.Signals(s).name for s in received[:1])
    app.echo(f"afasgov sim: stopped{f' ({names})' if names else ''}")
    return 0


def _announce(app: AppContext, data: Any, origin: str, spec: str, seed: int, written: Path | None) -> None:
    envs = list(data.environments.values())
    app.echo(f"afasgov sim: dataset {spec} (seed {seed}) on {origin} — {len(envs)} environment(s)")
    width = max(len(e.name) for e in envs)
    for env in envs:
        app.echo(f"  {env.name:<{width}}  {origin}/{env.slug}/ProfitRestServices  "
                 f"({env.release or 'Profit'} {env.profit_version}, "
                 f"{len(env.update_connectors)} update / {len(env.get_connectors)} get connectors, "
                 f"app connectors: {', '.join(env.app_connectors)})")
    if written is not None:
        app.echo(f"afasgov sim: wrote {written} (demo credentials in "
                 f"{written.parent / (written.stem + '.secrets')}/)")
    app.echo("afasgov sim: ready; press Ctrl+C to stop")
    sys.stdout.flush()


__all__ = ["run_sim"]
