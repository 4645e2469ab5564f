"""The simulator's datasets: ``demo`` (a readable, authored organisation) and ``synthetic:N``.

``load_dataset("demo")`` reads the YAML under ``afasgov/sim/datasets/demo/`` (see
``docs/demo-dataset.md`` for its story); ``load_dataset("synthetic:500", seed=1, tenants=20)``
builds a lazy, seeded dataset for benchmarks. A spec may carry the tenant count too:
``synthetic:500,tenants=20``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from afasgov.sim.datasets.builder import build_from_directory
from afasgov.sim.datasets.fieldspec import SpecError
from afasgov.sim.datasets.synthetic import build_synthetic
from afasgov.sim.model import Dataset

DEMO_DIR = Path(__file__).parent / "demo"
DATASETS = ("demo", "synthetic:N")
_SYNTH_RE = re.compile(r"^synthetic:(\d+)(?:,tenants=(\d+))?$")
MAX_SYNTHETIC = 100_000
MAX_TENANTS = 1000


class DatasetError(ValueError):
    """An unknown or malformed dataset specification."""


def parse_spec(spec: str) -> tuple[str, int, int | None]:
    """``demo`` -> ("demo", 0, None); ``synthetic:N[,tenants=K]`` -> ("synthetic", N, K)."""
    spec = spec.strip()
    if spec == "demo":
        return "demo", 0, None
    m = _SYNTH_RE.match(spec)
    if not m:
        raise DatasetError(f"unknown dataset {spec!r}: expected 'demo' or 'synthetic:N' (N a number, "
                           "optionally ',tenants=K')")
    n = int(m.group(1))
    if not 1 <= n <= MAX_SYNTHETIC:
        raise DatasetError(f"synthetic:N needs 1 <= N <= {MAX_SYNTHETIC}, got {n}")
    tenants = int(m.group(2)) if m.group(2) else None
    if tenants is not None and not 1 <= tenants <= MAX_TENANTS:
        raise DatasetError(f"tenants must be between 1 and {MAX_TENANTS}, got {tenants}")
    return "synthetic", n, tenants


def load_dataset(spec: str = "demo", *, seed: int = 0, tenants: int = 1) -> Dataset:
    """A fresh :class:`Dataset` for ``spec`` (each simulator app owns its own mutable copy)."""
    kind, n, spec_tenants = parse_spec(spec)
    if kind == "demo":
        if tenants != 1:
            raise DatasetError("the demo dataset has one organisation; tenants=K is for synthetic:N")
        return _demo(seed)
    return build_synthetic(n, seed=seed, tenants=spec_tenants or tenants)


def shared_dataset(spec: str = "demo", *, seed: int = 0) -> Dataset:
    """A cached dataset for read-only use (credentials, documentation); never mutate it."""
    kind, n, tenants = parse_spec(spec)
    if kind == "demo":
        return _demo_cached(seed)
    return _synthetic_cached(n, seed, tenants or 1)


@lru_cache(maxsize=8)
def _synthetic_cached(n: int, seed: int, tenants: int) -> Dataset:
    return build_synthetic(n, seed=seed, tenants=tenants)


def _demo(seed: int) -> Dataset:
    import copy

    return copy.deepcopy(_demo_cached(seed))


@lru_cache(maxsize=4)
def _demo_cached(seed: int) -> Dataset:
    return build_from_directory(DEMO_DIR, family="demo", seed=seed)


__all__ = ["DATASETS", "DEMO_DIR", "DatasetError", "SpecError", "load_dataset", "parse_spec", "shared_dataset"]
