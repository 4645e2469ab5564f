"""Run the benchmarks: ``python -m bench [--quick] [--json FILE] [NAME…]``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from bench.common import Result, to_json


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all), e.g. gcn diff")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args()
    here = Path(__file__).parent
    available = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(here)])
                       if m.name.startswith("bench_"))
    names = args.names or available
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}",
              file=sys.stderr)
        return 2
    results: list[Result] = []
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"== {name}", flush=True)
        for result in module.run(quick=args.quick):
            print("  " + result.line(), flush=True)
            results.append(result)
    if args.json:
        args.json.write_text(to_json(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
