"""Serving the simulator over a real socket: :class:`SimServer` and :func:`running_sim`.

uvicorn serves the Starlette app on 127.0.0.1 only. The socket is bound before the server starts,
so ``--port 0`` picks a free port and the URLs are known before anything is printed. ``afasgov
sim`` (:mod:`afasgov.commands.sim`) runs it in the main thread (uvicorn handles SIGINT/SIGTERM and
shuts down gracefully); :class:`SimServer` / :func:`running_sim` run uvicorn in a background thread
for the demo (:mod:`afasgov.demo`), the benchmarks and the tests (:mod:`afasgov.sim.testing`).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from afasgov.errors import UsageError
from afasgov.sim.app import SimState, SimulatedDrop, create_app, sim_state
from afasgov.sim.credentials import DemoCredential
from afasgov.sim.model import Dataset

HOST = "127.0.0.1"
#: the origin used for in-process requests (any host works; this one is obviously not real)
IN_PROCESS_ORIGIN = "http://sim.test"


class _DropFilter(logging.Filter):
    """Keep uvicorn quiet about connections the simulator drops on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, SimulatedDrop)


def _install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropFilter) for f in logger.filters):
        logger.addFilter(_DropFilter())


def bind_socket(port: int) -> socket.socket:
    """A listening-ready TCP socket on 127.0.0.1:``port`` (0 = a free port)."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port}: must be between 0 and 65535")
    # proto=IPPROTO_TCP so asyncio sets TCP_NODELAY on accepted connections (without it every response
    # waits ~40 ms for a delayed ACK, because uvicorn writes the head and the body separately)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"--port {port}: address {HOST}:{port} is already in use") from None
        raise UsageError(f"--port {port}: cannot listen on {HOST}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def uvicorn_server(app: Any, log_level: str = "warning") -> Any:
    import uvicorn

    class _Server(uvicorn.Server):
        """uvicorn without its own signal handling (run_sim installs handlers that exit with 0)."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    _install_log_filter()
    config = uvicorn.Config(app, host=HOST, log_level=log_level, lifespan="off", access_log=False,
                            timeout_graceful_shutdown=5)
    return _Server(config)


class SimServer:
    """The simulator on a real loopback socket, served by uvicorn in a background thread."""

    def __init__(self, app: Any, port: int = 0) -> None:
        self.app = app
        self._sock = bind_socket(port)
        self.port: int = self._sock.getsockname()[1]
        self.origin = f"http://{HOST}:{self.port}"
        self._server = uvicorn_server(app)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, timeout: float = 15.0) -> SimServer:
        def target() -> None:
            try:
                asyncio.run(self._server.serve(sockets=[self._sock]))
            except BaseException as exc:  # noqa: BLE001 (reported to the starting thread)
                self._error = exc

        self._thread = threading.Thread(target=target, name=f"afasgov-sim:{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError(f"simulator failed to start: {self._error!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("simulator did not start within the timeout")
            time.sleep(0.005)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        self._thread = None
        self._sock.close()


class RunningSim:
    """A simulator served on 127.0.0.1 in a background thread (see :func:`running_sim`)."""

    def __init__(self, app: Any, server: SimServer) -> None:
        self.app = app
        self._server = server
        self.origin: str = server.origin
        self.port: int = server.port

    @property
    def state(self) -> SimState:
        """The live state: ``.set_maintenance(env)``, ``.set_blocked(env, id)``, ``.faults`` …"""
        return sim_state(self.app)

    @property
    def dataset(self) -> Dataset:
        return self.state.dataset

    @property
    def environments(self) -> list[str]:
        return list(self.dataset.environments)

    def base_url(self, tenant: str, env_type: str) -> str:
        return f"{self.origin}/{tenant}-{env_type}/ProfitRestServices"

    def base_url_for(self, env_name: str) -> str:
        env = self.dataset.environment(env_name)
        return self.base_url(env.tenant, env.type)

    def credential(self, env_name: str, app_connector: str) -> DemoCredential:
        return credential_of(self.dataset, env_name, app_connector)

    def write_config(self, path: Path | str, *, force: bool = True) -> Path:
        """Write an afasgov.yaml for every environment/App Connector (secrets in ``<stem>.secrets/``);
        an existing file is overwritten (``force=False``: only one written by afasgov sim)."""
        from afasgov.sim.writeconfig import write_config

        return write_config(Path(path), self.dataset, self.origin, force=force)

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> RunningSim:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def start_sim(dataset: str | Dataset = "demo", *, port: int = 0, app: Any = None, **opts: Any) -> RunningSim:
    """Start a simulator (options as :func:`afasgov.sim.app.create_app`, or an existing ``app``);
    call ``.stop()`` when done."""
    app = app if app is not None else create_app(dataset, **opts)
    server = SimServer(app, port=port).start()
    return RunningSim(app, server)


@contextmanager
def running_sim(dataset: str | Dataset = "demo", **opts: Any) -> Iterator[RunningSim]:
    """The simulator on a real loopback socket for the duration of the ``with`` block.

    Options as :func:`afasgov.sim.app.create_app` (``latency_ms``, ``fail_rate``, ``seed``,
    ``tenants``, ``fault_kinds``, ``retry_after``, ``token_lifetime`` …), ``port`` (0 = free), or
    ``app=`` an app you made yourself.
    """
    sim = start_sim(dataset, **opts)
    try:
        yield sim
    finally:
        sim.stop()


def credential_of(dataset: Dataset, env_name: str, app_connector: str) -> DemoCredential:
    from afasgov.sim.writeconfig import credential

    env = dataset.environment(env_name)
    try:
        app = env.app_connectors[app_connector]
    except KeyError:
        raise KeyError(f"environment {env_name!r} has no App Connector {app_connector!r}; it has "
                       + ", ".join(env.app_connectors)) from None
    return credential(dataset, env, app)
