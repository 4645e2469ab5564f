"""The crawl keeps its window full (issue 15 §5): CPU work on a response never runs while a request
that may go out is still waiting to reach the wire, and the first requests leave before the modules
that process their answers are imported."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

import afasgov.model.normalise as normalise
import afasgov.snapshot.crawl as crawl_module
from afasgov.profit.limits import Limiter
from afasgov.sim.app import create_app
from afasgov.snapshot.crawl import CrawlSettings, snapshot_environments

from .simconfig import FAST_RETRY, config_for, in_process


class SlowWire(httpx.AsyncHTTPTransport):
    """A network-like transport: the request takes a few event-loop turns (connection pool, socket
    write) before httpcore would report it on the wire, then the simulator answers in-process."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.asgi = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        for _ in range(6):
            await asyncio.sleep(0)
        trace = request.extensions.get("trace")
        if trace is not None:
            await trace("http11.send_request_body.complete", {})
        return await self.asgi.handle_async_request(request)


@pytest.mark.parametrize("limit", [1, 3, 8])
def test_processing_waits_until_the_freed_slots_are_on_the_wire(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    app = create_app("synthetic:24", latency_ms=3)
    config = config_for(app.state.sim.dataset, tmp_path)
    env = dataclasses.replace(config.environment("production"), max_in_flight=limit)
    settings = CrawlSettings(retry=FAST_RETRY, transport_factory=lambda env, ac: SlowWire(app))
    seen: list[tuple[int, int]] = []  # (unsent, waiting requests) whenever a response is processed
    limiters: list[Limiter] = []

    def watch(original: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            (limiter,) = limiters or settings.registry.limiters().values()  # type: ignore[union-attr]
            limiters[:] = [limiter]
            seen.append((limiter.root.unsent, len(limiter._waiters)))
            return original(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(normalise, "normalise_update", watch(normalise.normalise_update))
    monkeypatch.setattr(normalise, "normalise_get", watch(normalise.normalise_get))
    monkeypatch.setattr(crawl_module, "_NORMALISED", {})  # every answer normalised, none known from before
    (result,) = asyncio.run(snapshot_environments([env], tmp_path / "defs", settings))
    assert result.ok, result.error
    assert len(seen) == result.get_connectors + result.update_connectors
    assert all(unsent == 0 for unsent, _ in seen), seen
    # the window was full whenever a response was processed while requests were still queued
    assert sum(1 for _, waiting in seen if waiting) > len(seen) // 2


def test_processing_order_does_not_change_the_tree(tmp_path: Path) -> None:
    """Responses are processed in whatever order they come back; the tree is the same."""
    app = create_app("synthetic:24", latency_ms=2)
    config = config_for(app.state.sim.dataset, tmp_path)
    trees = []
    for name, limit in (("one", 1), ("eight", 8)):
        env = dataclasses.replace(config.environment("production"), max_in_flight=limit)
        (r,) = asyncio.run(snapshot_environments([env], tmp_path / name, in_process(app)))
        assert r.ok and r.path is not None
        trees.append(
            {p.relative_to(r.path).as_posix(): p.read_bytes() for p in sorted(r.path.rglob("*.yaml"))
             if p.name != "_snapshot.yaml"}
        )
    assert trees[0] == trees[1] and len(trees[0]) > 30


#: imported before the snapshot command sends its first request: none of these is needed for it
NOT_BEFORE_FIRST_REQUEST = (
    "afasgov.snapshot.tree",
    "afasgov.snapshot.yamlio",
    "afasgov.model.normalise",
    "afasgov.model.types",
    "cryptography",
    "jwt",
    "rich",
    "pygments",
)


def test_the_snapshot_command_path_imports_only_what_the_first_request_needs() -> None:
    code = (
        "import sys, afasgov.cli, afasgov.commands.snapshot, afasgov.config, afasgov.profit.client;"
        "print('\\n'.join(sorted(sys.modules)))"
    )
    probe = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(probe.stdout.split())
    early = sorted(m for m in loaded if m in NOT_BEFORE_FIRST_REQUEST or m.split(".")[0] in NOT_BEFORE_FIRST_REQUEST)
    assert not early
    assert "httpx" in loaded and "afasgov.snapshot.crawl" in loaded  # (the probe did import the path)


def test_httpx_command_line_client_still_works_after_importing_afasgov() -> None:
    code = (
        "import sys, afasgov, httpx;"
        "assert 'rich' not in sys.modules and 'pygments' not in sys.modules;"
        "from httpx._main import print_help;"
        "assert callable(print_help) and 'rich' in sys.modules;"
        "assert callable(httpx.main)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _files(tree: Path) -> dict[str, bytes]:
    return {p.relative_to(tree).as_posix(): p.read_bytes() for p in sorted(tree.rglob("*.yaml"))
            if p.name != "_snapshot.yaml"}


def _edit_scope(path: Path, kind: str, add: list[str] = (), remove: list[str] = ()) -> None:  # type: ignore[assignment]
    import yaml

    doc = yaml.safe_load(path.read_text())
    refs = [r for r in doc[f"{kind}_connectors"] if r["id"] not in remove]
    refs += [{"id": cid, "description": "x"} for cid in add]
    doc[f"{kind}_connectors"] = refs
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def test_refresh_starts_from_the_previous_scopes_and_gives_the_fresh_tree(tmp_path: Path) -> None:
    """A refresh requests the previous snapshot's connectors at once (as many as /metainfo leaves slots
    free; the rest once /metainfo has confirmed them); whatever the previous tree says (a connector
    gone, one listed under an App Connector not authorised for it now, connectors it does not list, an
    App Connector no longer configured), the tree is the one a fresh crawl writes."""
    import shutil

    import yaml

    dataset = create_app("synthetic:24").state.sim.dataset
    app = create_app(dataset, latency_ms=40)  # /metainfo is still on its way when the head start goes out
    config = config_for(dataset, tmp_path)
    env = config.environment("production")
    state = app.state.sim
    before = state.requests
    (fresh,) = asyncio.run(snapshot_environments([env], tmp_path / "fresh", in_process(app)))
    assert fresh.ok and fresh.path is not None
    fresh_requests = state.requests - before
    expected = _files(fresh.path)

    # an untouched previous tree: the same requests, the same tree
    before = state.requests
    (again,) = asyncio.run(snapshot_environments([env], tmp_path / "fresh", in_process(app)))
    assert again.ok and _files(fresh.path) == expected
    assert state.requests - before == fresh_requests

    defs = tmp_path / "refresh"
    shutil.copytree(fresh.path, defs / "production")
    apps = defs / "production" / "app-connectors"
    updates = sorted(p.stem for p in (fresh.path / "update").glob("*.yaml"))
    not_sync = updates[1]  # sync is authorised for every fourth update connector: not this one
    sync = yaml.safe_load((apps / "sync.yaml").read_text())
    sync["get_connectors"] = []  # not listed: requested once /metainfo lists them
    sync["update_connectors"] = [{"id": not_sync, "description": "x"}, {"id": "Synth_Gone_0001", "description": "x"},
                                 *sync["update_connectors"]]
    (apps / "sync.yaml").write_text(yaml.safe_dump(sync, sort_keys=False))
    retired = dict(sync, name="zz-retired", update_connectors=[{"id": "Synth_Gone_0002", "description": "x"}])
    (apps / "zz-retired.yaml").write_text(yaml.safe_dump(retired, sort_keys=False))
    (apps / "admin.yaml").unlink()
    before = state.requests
    (refresh,) = asyncio.run(snapshot_environments([env], defs, in_process(app)))
    assert refresh.ok, refresh.error
    assert refresh.path is not None and _files(refresh.path) == expected
    # on top of the fresh crawl's requests, at most: the connector that is gone (500, unless /metainfo
    # was in before its turn came), and the one listed under sync (500, not authorised; requested again
    # through admin, which lists it now)
    assert fresh_requests <= state.requests - before <= fresh_requests + 2
