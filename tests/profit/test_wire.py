"""The limiter's wire accounting (issue 15 §5): a held slot is *unsent* until its request is on the
wire; :meth:`Limiter.wire_idle` lets CPU work wait for the requests that may go out."""

from __future__ import annotations

import asyncio

import pytest

from afasgov.profit.limits import Limiter, LimiterRegistry


def test_slot_counts_unsent_until_sent_and_release_clears_it() -> None:
    limiter = Limiter("x", 2)

    async def main() -> None:
        async with limiter.slot() as a:
            assert limiter.unsent == 1 and limiter.in_flight == 1
            a.sent()
            a.sent()  # idempotent
            assert limiter.unsent == 0
            async with limiter.slot():  # never marked sent (a connection failure, say)
                assert limiter.unsent == 1
            assert limiter.unsent == 0 and limiter.in_flight == 1
        assert limiter.in_flight == 0 and limiter.unsent == 0
        async with limiter:  # the plain context manager (no wire tracking) leaves no count behind
            assert limiter.unsent == 1
        assert limiter.unsent == 0

    asyncio.run(main())


def test_trace_event_marks_the_request_sent() -> None:
    limiter = Limiter("x", 1)

    async def main() -> None:
        async with limiter.slot() as slot:
            await slot.trace("http11.send_request_headers.complete", {})
            assert limiter.unsent == 1
            await slot.trace("http11.send_request_body.complete", {})
            assert limiter.unsent == 0

    asyncio.run(main())


def test_wire_idle_waits_for_the_granted_request_to_be_sent() -> None:
    """The slot a finished request hands over is unsent from the hand-over: CPU work waiting in
    ``wire_idle`` resumes only once the next request is on the wire."""
    limiter = Limiter("x", 1)
    order: list[str] = []

    async def first() -> None:
        async with limiter.slot() as slot:
            slot.sent()
            await asyncio.sleep(0.01)
        # the slot went to `second` (waiting): it is unsent now
        assert limiter.unsent == 1
        await limiter.wire_idle(timeout=5)
        order.append("first processed")

    async def second() -> None:
        async with limiter.slot() as slot:
            for _ in range(5):  # building the request, connecting …
                await asyncio.sleep(0)
            order.append("second sent")
            slot.sent()
            await asyncio.sleep(0.01)

    async def main() -> None:
        await asyncio.gather(first(), second())

    asyncio.run(main())
    assert order == ["second sent", "first processed"]


def test_wire_idle_returns_at_once_when_idle_and_gives_up_after_timeout() -> None:
    limiter = Limiter("x", 2)

    async def main() -> None:
        await limiter.wire_idle(timeout=0.001)  # nothing held
        async with limiter.slot():
            loop = asyncio.get_running_loop()
            start = loop.time()
            await limiter.wire_idle(timeout=0.02)  # a request stuck before the wire: gives up
            assert loop.time() - start >= 0.015

    asyncio.run(main())


def test_global_cap_counts_unsent_across_environments() -> None:
    registry = LimiterRegistry(global_max=2)
    a, b = registry.for_env("a", 8), registry.for_env("b", 8)
    root = registry.global_limiter
    assert root is not None and a.root is root and b.root is root

    async def main() -> None:
        async with a.slot() as sa, b.slot() as sb:
            assert root.unsent == 2 and a.unsent == 1 and b.unsent == 1
            sa.sent()
            assert root.unsent == 1 and a.unsent == 0
            sb.sent()
            assert root.unsent == 0
        assert root.in_flight == 0 and root.unsent == 0

    asyncio.run(main())


def test_cancelled_waiter_leaves_no_unsent_count() -> None:
    limiter = Limiter("x", 1)

    async def main() -> None:
        holder = limiter.slot()
        await holder.__aenter__()
        waiter = asyncio.ensure_future(limiter.slot().__aenter__())
        await asyncio.sleep(0)
        await holder.__aexit__(None, None, None)  # hands the slot to the waiter …
        waiter.cancel()  # … which is cancelled before it runs
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert limiter.in_flight == 0 and limiter.unsent == 0

    asyncio.run(main())
