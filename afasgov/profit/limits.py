"""Concurrency limits: at most 8 requests in flight per AFAS environment, across the whole run.

AFAS allows at most 8 parallel calls per environment (afas-api.md, "Errors and limits"). The limit
belongs to the *environment*, not to a client: every :class:`~afasgov.profit.client.ProfitClient`
of the same environment (several App Connectors, several crawlers) must share one :class:`Limiter`.
:func:`limiter_for` returns that shared limiter from a process-wide :class:`LimiterRegistry`; a fleet
can add a global cap over all environments (:func:`set_global_max_in_flight` or
``max_in_flight_total`` in ``afasgov.yaml``).

A :class:`Limiter` works across event loops and threads (the sync wrapper runs its own loop; tests
run many loops), which :class:`asyncio.Semaphore` does not. It records ``peak`` (the most requests
ever in flight at once) so tests and benchmarks can verify the limit holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from types import TracebackType

DEFAULT_MAX_IN_FLIGHT = 8


class Limiter:
    """A counting limit usable from any event loop; optionally nested in a ``parent`` (global) limiter."""

    def __init__(self, name: str, max_in_flight: int, parent: Limiter | None = None) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be >= 1")
        self.name = name
        self._max = max_in_flight
        self.parent = parent
        self._lock = threading.Lock()
        self._in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._granted: set[asyncio.Future[None]] = set()
        self.peak = 0
        self.total = 0

    def __repr__(self) -> str:
        return f"Limiter({self.name!r}, max_in_flight={self._max}, in_flight={self._in_flight})"

    @property
    def max_in_flight(self) -> int:
        return self._max

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def lower_to(self, max_in_flight: int) -> None:
        """Lower (never raise) the limit; waiting requests keep waiting until slots free up."""
        with self._lock:
            self._max = max(1, min(self._max, max_in_flight))

    def reset_stats(self) -> None:
        with self._lock:
            self.peak = self._in_flight
            self.total = 0

    async def acquire(self) -> None:
        await self._acquire_own()
        if self.parent is not None:
            try:
                await self.parent.acquire()
            except BaseException:
                self._release_own()
                raise

    def release(self) -> None:
        if self.parent is not None:
            self.parent.release()
        self._release_own()

    async def __aenter__(self) -> Limiter:
        await self.acquire()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def _count_in(self) -> None:
        self._in_flight += 1
        self.total += 1
        self.peak = max(self.peak, self._in_flight)

    async def _acquire_own(self) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._in_flight < self._max and not self._waiters:
                self._count_in()
                return
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append(fut)
        try:
            await fut
        except BaseException:
            with self._lock:
                if fut in self._granted:
                    self._granted.discard(fut)
                    handed_over = True
                else:
                    handed_over = False
                    with contextlib.suppress(ValueError):
                        self._waiters.remove(fut)
            if handed_over:
                self._release_own()
            raise
        with self._lock:
            self._granted.discard(fut)

    def _release_own(self) -> None:
        with self._lock:
            self._in_flight -= 1
            while self._waiters and self._in_flight < self._max:
                fut = self._waiters.popleft()
                if fut.done():
                    continue
                self._granted.add(fut)
                self._count_in()
                fut.get_loop().call_soon_threadsafe(_wake, fut)
                break


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class LimiterRegistry:
    """One :class:`Limiter` per environment name, plus an optional global cap over all of them."""

    def __init__(self, global_max: int | None = None) -> None:
        self._lock = threading.Lock()
        self._limiters: dict[str, Limiter] = {}
        self._global = Limiter("*", global_max) if global_max else None

    @property
    def global_limiter(self) -> Limiter | None:
        return self._global

    def set_global_max(self, max_in_flight: int | None) -> None:
        """Set (or lower) the global cap. Idle environment limiters are attached to it at once;
        busy ones keep their current parent until they are idle and asked for again."""
        with self._lock:
            if max_in_flight is None:
                return
            if self._global is None:
                self._global = Limiter("*", max_in_flight)
            else:
                self._global.lower_to(max_in_flight)
            for lim in self._limiters.values():
                if lim.parent is None and lim.in_flight == 0:
                    lim.parent = self._global

    def for_env(
        self, env_name: str, max_in_flight: int = DEFAULT_MAX_IN_FLIGHT, *, base_url: str | None = None
    ) -> Limiter:
        """The shared limiter of an environment; asking again with a lower limit lowers it.

        Environments are identified by ``base_url`` when given (two configurations that name
        different servers "production" do not share a limit), else by name.
        """
        max_in_flight = max(1, min(max_in_flight, DEFAULT_MAX_IN_FLIGHT))
        key = base_url.rstrip("/").lower() if base_url else env_name
        with self._lock:
            lim = self._limiters.get(key)
            if lim is None:
                lim = Limiter(env_name, max_in_flight, parent=self._global)
                self._limiters[key] = lim
            else:
                if max_in_flight < lim.max_in_flight:
                    lim.lower_to(max_in_flight)
                if lim.parent is None and self._global is not None and lim.in_flight == 0:
                    lim.parent = self._global
            return lim

    def limiters(self) -> dict[str, Limiter]:
        with self._lock:
            return dict(self._limiters)


_default_registry = LimiterRegistry()


def default_registry() -> LimiterRegistry:
    return _default_registry


def limiter_for(
    env_name: str, max_in_flight: int = DEFAULT_MAX_IN_FLIGHT, *, base_url: str | None = None
) -> Limiter:
    """The process-wide limiter of an environment (shared by every client of that environment)."""
    return _default_registry.for_env(env_name, max_in_flight, base_url=base_url)


def set_global_max_in_flight(max_in_flight: int | None) -> None:
    """Cap parallel requests over all environments (for fleets of many tenants)."""
    _default_registry.set_global_max(max_in_flight)
