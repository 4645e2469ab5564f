"""OAuth access tokens shared by the clients of one process (thread- and asyncio-safe).

Every :class:`~afasgov.profit.client.ProfitClient` of the same environment and App Connector (same
base URL, client id, authentication method and credential) uses one access token until it is about
to expire: a run that opens many clients (``release-check``: check, snapshot, verify, validate; a
partner's fleet) sends one token request per App Connector, not one per client.

* **Single flight.** Concurrent callers of one key share one token request, across tasks, event
  loops and threads (the request runs in the caller that came first; the others wait on a
  :class:`concurrent.futures.Future`). If it fails, every waiter gets the same error; if the
  requesting task is cancelled, a waiter takes over and requests the token itself.
* **Invalidation.** A caller whose token was refused with a 401 passes it as ``stale``: if the cache
  still holds that token it is dropped and a new one requested, once; if another client has
  already replaced it, the newer token is used without another request.
* **Scope.** Clients that send requests over the network (no ``transport``) share
  :func:`shared_token_cache`; clients given a ``transport`` (tests, the in-process simulator)
  share a cache per transport object, because a token is only valid for the server that issued it.

Keys hold a SHA-256 digest of the credential, never the credential itself; tokens are
:class:`~afasgov.secrets.Secret` values, redacted in every ``repr``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import threading
import weakref
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from afasgov.profit.oauth import AccessToken


class _Abandoned(Exception):
    """The task that was requesting the token was cancelled: a waiter requests it itself."""


@dataclass
class _Entry:
    token: AccessToken | None = None
    inflight: concurrent.futures.Future[AccessToken] | None = None
    requests: int = 0


@dataclass(frozen=True)
class TokenKey:
    """What makes two clients' access tokens interchangeable. ``credential`` is a digest."""

    environment: str
    app_connector: str
    base_url: str
    client_id: str
    method: str
    credential: str = field(repr=False)
    clock: Hashable = field(repr=False, compare=True)


def credential_digest(*parts: str) -> str:
    """A SHA-256 digest of credential material (the cache key never holds the secret)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


class TokenCache:
    """Access tokens by :class:`TokenKey`; see the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[TokenKey, _Entry] = {}

    def __repr__(self) -> str:
        with self._lock:
            held = sum(1 for e in self._entries.values() if e.token is not None)
        return f"TokenCache({len(self._entries)} keys, {held} tokens)"

    def peek(self, key: TokenKey) -> AccessToken | None:
        """The cached token of ``key`` (usable or not), without requesting one."""
        with self._lock:
            entry = self._entries.get(key)
            return entry.token if entry else None

    def requests(self, key: TokenKey | None = None) -> int:
        """Token requests sent through this cache (for ``key``, or in total)."""
        with self._lock:
            if key is not None:
                entry = self._entries.get(key)
                return entry.requests if entry else 0
            return sum(e.requests for e in self._entries.values())

    def invalidate(self, key: TokenKey) -> None:
        """Forget the token of ``key`` (the next caller requests a new one)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                entry.token = None

    def clear(self) -> None:
        """Forget every token (requests in flight finish and are cached)."""
        with self._lock:
            for entry in self._entries.values():
                entry.token = None

    async def get(
        self,
        key: TokenKey,
        now: Callable[[], float],
        fetch: Callable[[], Awaitable[AccessToken]],
        *,
        stale: AccessToken | None = None,
    ) -> AccessToken:
        """A usable token of ``key``: the cached one, or the result of one shared ``fetch()``.

        ``stale`` is a token the server refused (401): it is never returned.
        """
        while True:
            with self._lock:
                entry = self._entries.get(key)
                if entry is None:
                    entry = self._entries[key] = _Entry()
                token = entry.token
                if token is not None and token is not stale and token.usable(now()):
                    return token
                entry.token = None
                future = entry.inflight
                owner = future is None
                if future is None:
                    future = entry.inflight = concurrent.futures.Future()
                    # RUNNING: a cancelled waiter (asyncio.wrap_future) cannot cancel it for the others
                    future.set_running_or_notify_cancel()
                    entry.requests += 1
            if owner:
                return await self._fetch(entry, future, fetch)
            try:
                return await asyncio.wrap_future(future)
            except _Abandoned:
                continue

    async def _fetch(
        self,
        entry: _Entry,
        future: concurrent.futures.Future[AccessToken],
        fetch: Callable[[], Awaitable[AccessToken]],
    ) -> AccessToken:
        try:
            token = await fetch()
        except BaseException as exc:
            with self._lock:
                if entry.inflight is future:
                    entry.inflight = None
            if isinstance(exc, Exception):
                future.set_exception(exc)
            else:  # cancelled (or interrupted): let a waiter try itself
                future.set_exception(_Abandoned())
            raise
        with self._lock:
            if entry.inflight is future:
                entry.inflight = None
                entry.token = token
        future.set_result(token)
        return token


_SHARED = TokenCache()
_BY_TRANSPORT: weakref.WeakKeyDictionary[Any, TokenCache] = weakref.WeakKeyDictionary()
_BY_TRANSPORT_LOCK = threading.Lock()


def shared_token_cache() -> TokenCache:
    """The process-wide cache of clients that talk to the network (no custom transport)."""
    return _SHARED


def token_cache_for(transport: object | None) -> TokenCache:
    """The cache for clients using ``transport`` (``None``: the process-wide one)."""
    if transport is None:
        return _SHARED
    with _BY_TRANSPORT_LOCK:
        try:
            cache = _BY_TRANSPORT.get(transport)
        except TypeError:  # not weak-referenceable: a cache of its own
            return TokenCache()
        if cache is None:
            cache = _BY_TRANSPORT[transport] = TokenCache()
        return cache


__all__ = ["TokenCache", "TokenKey", "credential_digest", "shared_token_cache", "token_cache_for"]
