"""Serving the simulator over a real socket: ``afasgov sim`` and :class:`SimServer` (tests).

uvicorn serves the Starlette app on 127.0.0.1 only. The socket is bound before the server starts,
so ``--port 0`` picks a free port and the URLs are known before anything is printed. ``afasgov
sim`` runs in the main thread (uvicorn handles SIGINT/SIGTERM and shuts down gracefully);
:class:`SimServer` runs uvicorn in a background thread for tests and the in-process demo.
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
from typing import TYPE_CHECKING, Any

from afasgov.errors import UsageError
from afasgov.sim.app import SimulatedDrop

if TYPE_CHECKING:
    pass

HOST = "127.0.0.1"


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


