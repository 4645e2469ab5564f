"""Seeded fault injection: which request fails, and how.

The decision for a request depends only on ``(seed, method, path, query, n)`` where ``n`` counts
how often that same request was seen before. So a run is reproducible from its seed even when a
client sends requests concurrently, and a retried request gets a fresh (but still seeded) chance.
Kinds: ``503`` (maintenance body with ``retry_after``), ``500`` (AFAS error body) and ``drop`` (the
connection is closed after the response head, so the client sees a broken transfer).
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter

KINDS = ("503", "500", "drop")
#: share of each kind among injected faults (503 is what a client must retry; drops test transport errors)
WEIGHTS = (0.5, 0.25, 0.25)


class FaultInjector:
    def __init__(self, fail_rate: float = 0.0, seed: int = 0, kinds: tuple[str, ...] = KINDS) -> None:
        if not 0.0 <= fail_rate <= 1.0:
            raise ValueError(f"fail_rate must be between 0 and 1, got {fail_rate}")
        unknown = set(kinds) - set(KINDS)
        if unknown or not kinds:
            raise ValueError(f"fault kinds must be among {', '.join(KINDS)}")
        self.fail_rate = fail_rate
        self.seed = seed
        self.kinds = tuple(kinds)
        weights = [w for k, w in zip(KINDS, WEIGHTS, strict=True) if k in kinds]
        total = sum(weights)
        self._cumulative = []
        acc = 0.0
        for w in weights:
            acc += w / total
            self._cumulative.append(acc)
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()

    def decide(self, method: str, path: str, query: str) -> str | None:
        """The fault to inject for this request, or ``None``."""
        if self.fail_rate <= 0.0:
            return None
        key = f"{method.upper()} {path.lower()}?{query}"
        with self._lock:
            n = self._seen[key]
            self._seen[key] = n + 1
        digest = hashlib.sha256(f"{self.seed}|{key}|{n}".encode()).digest()
        u = int.from_bytes(digest[:8], "big") / 2.0 ** 64
        if u >= self.fail_rate:
            return None
        v = int.from_bytes(digest[8:16], "big") / 2.0 ** 64
        for kind, bound in zip(self.kinds, self._cumulative, strict=True):
            if v < bound:
                with self._lock:
                    self.injected[kind] += 1
                return kind
        return self.kinds[-1]

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()
            self.injected.clear()
