"""Retry policy: only 503 (maintenance) and transport failures; exponential backoff with jitter.

AFAS: "Retry only 503 (honour ``retry_after``, capped) and transport failures; never 4xx"
(afas-api.md). A 500 is not retried either: it is a validation error, a blocked connector or a
server-side timeout, and repeating it adds load that AFAS's fair-use policy watches.

The sleep function and the random source are injectable so that tests never wait.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """``max_attempts`` tries in all (1 = no retry); delays ``base_delay·2^(n-1)`` (≤ ``max_delay``)
    with "equal jitter" (half fixed, half random). A 503's ``retry_after`` is honoured up to
    ``retry_after_cap`` seconds; a ``retry_after`` over ``give_up_after`` (a maintenance window) fails
    at once instead of waiting."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 20.0
    retry_after_cap: float = 60.0
    give_up_after: float = 300.0
    sleep: Sleep = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")

    def backoff(self, attempt: int) -> float:
        """Delay before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        exp = min(self.max_delay, self.base_delay * (2.0 ** max(0, attempt - 1)))
        return exp / 2 + self.rng.uniform(0, exp / 2)

    def delay_after_503(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before retrying a 503, or ``None`` to give up now."""
        if attempt >= self.max_attempts:
            return None
        if retry_after is None:
            return self.backoff(attempt)
        if retry_after > self.give_up_after:
            return None
        return min(max(retry_after, 0.0), self.retry_after_cap) + self.rng.uniform(0, 0.25)


NO_RETRY = RetryPolicy(max_attempts=1)


def parse_retry_after(body: Any, headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """``retry_after`` from AFAS's 503 body, else the ``Retry-After`` header (seconds or HTTP date)."""
    if isinstance(body, dict):
        value = body.get("retry_after")
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return float(value)
        if isinstance(value, str) and value.strip().isdigit():
            return float(value.strip())
    header = headers.get("retry-after")
    if header is None:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
