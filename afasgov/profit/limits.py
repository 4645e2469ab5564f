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

Keeping the window full: a request holds its slot from :meth:`Limiter.slot` until its response is
read, but it only counts for AFAS once it is on the wire. Between the moment a finished request
hands its slot over and the moment the next request has been written to its socket, the slot is
*unsent* (:attr:`Limiter.unsent`); CPU work on responses (parsing JSON, normalising, writing
files) waits for :meth:`Limiter.wire_idle` so that it never delays the next request (issue 15 §5).
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
        #: slots held by requests that are not on the wire yet (granted, building, connecting, writing)
        self._unsent = 0
        self._idle_waiters: list[asyncio.Future[None]] = []
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

    @property
    def unsent(self) -> int:
        """Slots held by requests that have not been written to their socket yet."""
        return self._unsent

    @property
    def root(self) -> Limiter:
        """The outermost limiter (the global cap of a fleet, else this one)."""
        lim = self
        while lim.parent is not None:
            lim = lim.parent
        return lim

    def slot(self) -> Slot:
        """``async with limiter.slot() as slot:`` hold a slot for one request; call ``slot.sent()``
        (or pass ``slot.trace`` as httpx's ``trace`` extension) once the request is on the wire."""
        return Slot(self)

    async def wire_idle(self, timeout: float = 0.25) -> None:
        """Wait until every slot of the root limiter that is held is on the wire (no request that
        may go out is waiting for the CPU), at most ``timeout`` seconds (a request stuck connecting
        must not stall the work waiting here). Returns at once, without yielding, when idle."""
        root = self.root
        loop = asyncio.get_running_loop()
        with root._lock:
            if root._unsent <= 0:
                return
            fut: asyncio.Future[None] = loop.create_future()
            root._idle_waiters.append(fut)
        try:
            async with asyncio.timeout(timeout):
                await fut
        except TimeoutError:
            pass
        finally:
            if not fut.done():
                with root._lock, contextlib.suppress(ValueError):
                    root._idle_waiters.remove(fut)

    def _sent(self) -> None:
        """One held slot's request is on the wire (this limiter and its parents)."""
        lim: Limiter | None = self
        while lim is not None:
            lim._less_unsent()
            lim = lim.parent

    def _less_unsent(self) -> None:
        with self._lock:
            self._unsent -= 1
            if self._unsent > 0 or not self._idle_waiters:
                return
            waiters, self._idle_waiters = self._idle_waiters, []
        for fut in waiters:
            _wake_soon(fut)

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
                self._less_unsent()
                self._release_own()
                raise

    def release(self, *, sent: bool = False) -> None:
        """Give the slot back; ``sent``: :meth:`Slot.sent` was called for it (else it was never
        on the wire, e.g. a connection failure, and stops counting as unsent now)."""
        if not sent:
            self._sent()
        if self.parent is not None:
            self.parent._release_chain()
        self._release_own()

    def _release_chain(self) -> None:
        if self.parent is not None:
            self.parent._release_chain()
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
        self._unsent += 1
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
                self._less_unsent()  # granted, never used: no request waits for the wire here
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
                _wake_soon(fut)
                break


class Slot:
    """One request's slot (see :meth:`Limiter.slot`)."""

    __slots__ = ("_held", "_is_sent", "limiter")

    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter
        self._held = False
        self._is_sent = False

    async def __aenter__(self) -> Slot:
        await self.limiter.acquire()
        self._held = True
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._held:
            self._held = False
            self.limiter.release(sent=self._is_sent)

    def sent(self) -> None:
        """The request is on the wire (idempotent)."""
        if self._held and not self._is_sent:
            self._is_sent = True
            self.limiter._sent()

    async def trace(self, event: str, info: dict[str, object]) -> None:
        """httpx's ``trace`` extension: the request is on the wire once its body is sent."""
        if event.endswith(".send_request_body.complete"):
            self.sent()


def _wake(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


def _wake_soon(fut: asyncio.Future[None]) -> None:
    """Resolve ``fut`` from any thread: directly when called on its own loop's thread (no self-pipe
    write, one event-loop turn sooner), else through ``call_soon_threadsafe``."""
    loop = fut.get_loop()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        _wake(fut)
    else:
        loop.call_soon_threadsafe(_wake, fut)


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
