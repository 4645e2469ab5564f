"""Loading a fleet (issue 15 §1): ``afasgov.yaml`` with ``fleet:`` and a tenants file of 500 tenants (two
App Connectors each, one classic token file and one OAuth client secret file by template, an OAuth client
id per tenant and environment), validated into 1,000 environments. Target: ≤ 0.5 s. Same-run baseline:
reading the tenants file alone with the strict YAML reader (what any loader pays first)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import yaml

from bench.common import Result

CONFIG = {
    "fleet": {
        "tenants": "fleet/tenants.yaml",
        "environments": ["production", "accept"],
        "auth": {
            "helloid": {"type": "classic", "token_file": "~/.afas-secrets/{tenant}-{env}-{app}.token"},
            "bi": {"type": "oauth", "method": "client_secret_post", "client_id": "set-per-tenant",
                   "client_secret_file": "~/.afas-secrets/{tenant}-{env}-{app}.secret"},
        },
    }
}


def _write(directory: Path, n: int) -> Path:
    tenants = [{"id": str(10000 + i), "name": f"Customer {i} B.V.", "tags": ["payroll"] + (["eu"] if i % 3 else []),
                "auth": {"bi": {"client_id": {"production": f"{i:08d}-prod", "accept": f"{i:08d}-acc"}}}}
               for i in range(n)]
    (directory / "fleet").mkdir(parents=True, exist_ok=True)
    (directory / "fleet" / "tenants.yaml").write_text(yaml.safe_dump({"tenants": tenants}, sort_keys=False))
    path = directory / "afasgov.yaml"
    path.write_text(yaml.safe_dump(CONFIG, sort_keys=False))
    return path


def _median(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(quick: bool) -> list[Result]:
    import os

    from afasgov.config import load_config
    from afasgov.config.fleet import load_fleet
    from afasgov.config.yamlio import read_yaml_file

    n = 100 if quick else 500
    with tempfile.TemporaryDirectory(prefix="afasgov-bench-fleet-config-") as tmp:
        path = _write(Path(tmp), n)
        spec = load_config(path).fleet
        assert spec is not None
        fleet = load_fleet(spec)
        assert len(fleet.tenants) == n
        whole = _median(lambda: load_fleet(load_config(path).fleet), 7)  # type: ignore[arg-type]
        yaml_only = _median(lambda: read_yaml_file(spec.tenants_file), 7)
        size = spec.tenants_file.stat().st_size
    return [Result(f"load afasgov.yaml + tenants file of {n} tenants ({2 * n} environments)", whole, "s",
                   baseline_name="reading the tenants file alone (strict YAML)", baseline_value=yaml_only,
                   target="<= 0.5 s", details={"tenants_file_bytes": size, "load_1m": round(os.getloadavg()[0], 2)})]


if __name__ == "__main__":
    for r in run(quick=False):
        print(r.line())
