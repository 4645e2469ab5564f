"""Helpers: an afasgov.yaml for a simulator (in-process or on a socket) and crawl settings for tests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from afasgov.config import Config, load_config
from afasgov.profit.retry import RetryPolicy
from afasgov.sim.model import Dataset
from afasgov.sim.writeconfig import write_config
from afasgov.snapshot.crawl import CrawlSettings

#: a loopback origin that is never contacted: requests go through an ASGI transport
IN_PROCESS_ORIGIN = "http://127.0.0.1:9"

#: tests never wait for real backoff
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.005, retry_after_cap=0.005)


async def no_sleep(_delay: float) -> None:
    """Backoff that only yields to the event loop (the delays are still computed)."""
    await asyncio.sleep(0)


#: the client's default policy (4 tries, its delays), without waiting
NO_WAIT_RETRY = RetryPolicy(sleep=no_sleep)


def config_for(dataset: Dataset, directory: Path, origin: str = IN_PROCESS_ORIGIN) -> Config:
    directory.mkdir(parents=True, exist_ok=True)
    return load_config(write_config(directory / "afasgov.yaml", dataset, origin))


def config_file_for(sim: Any, directory: Path) -> Path:
    """``sim.write_config`` (a running simulator) into ``directory/afasgov.yaml``."""
    directory.mkdir(parents=True, exist_ok=True)
    return Path(sim.write_config(directory / "afasgov.yaml"))


def in_process(app: Any, **kwargs: Any) -> CrawlSettings:
    """Crawl settings that send every request to ``app`` in-process."""
    kwargs.setdefault("retry", FAST_RETRY)
    return CrawlSettings(
        transport_factory=lambda env, ac: httpx.ASGITransport(app=app, client=("127.0.0.1", 50000)), **kwargs
    )
