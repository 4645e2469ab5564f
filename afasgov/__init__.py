"""afasgov — govern AFAS Profit connector definitions.

Snapshot the connector metainfo of accept, test and production, keep GetConnector definitions
(``.gcn``) as readable code, diff them to catch breaking changes before a Profit release reaches
production, audit App Connector scopes, and report for humans and machines.
"""

from __future__ import annotations

import sys
import types
from typing import Any

__version__ = "0.1.0"


def _defer_httpx_cli() -> None:
    """Keep ``import httpx`` from importing httpx's own command-line client.

    httpx's ``__init__`` imports ``httpx._main`` (click, rich, pygments: 100–200 ms, a third of the
    time before a snapshot's first request) on every import, though only its ``httpx`` console
    script uses it (encode/httpx PR #3547 moves it out). Before httpx is first imported, a stand-in
    module takes its place; it imports the real one on first use of any attribute (``httpx.main``
    works as before).
    """
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    stub = types.ModuleType("httpx._main", "stand-in: the real module is imported on first use (afasgov)")

    def real() -> types.ModuleType:
        import importlib

        if sys.modules.get("httpx._main") is stub:
            del sys.modules["httpx._main"]
        return importlib.import_module("httpx._main")

    def main(*args: Any, **kwargs: Any) -> Any:
        return real().main(*args, **kwargs)

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):  # the import system probes __path__ & co.: not a use
            raise AttributeError(name)
        return getattr(real(), name)

    stub.main = main  # type: ignore[attr-defined]
    stub.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules["httpx._main"] = stub


_defer_httpx_cli()

#: where afasgov's source and documentation live; SARIF rule help links point into its docs/ (the one place
#: to change when the repository moves)
PROJECT_URL = "https://github.com/afasgov/afasgov"

__all__ = ["PROJECT_URL", "__version__"]
