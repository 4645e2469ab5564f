"""Regenerate the shipped connector catalogue from AFAS's specs.

``python -m afasgov.catalogue.regenerate [--corpus DIR] [--check]``

``--corpus`` is the directory holding ``afas-openapi/{en,nl}/*.json`` (default: ``$AFASGOV_CORPUS``,
else ``../shared/corpus`` next to the repository). ``--check`` writes nothing: exit 0 when the shipped
catalogue is current, 1 when it is stale. Bad input: one line, exit 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from afasgov._files import atomic_write_bytes
from afasgov.catalogue import DATA_FILE
from afasgov.catalogue.build import build, render
from afasgov.errors import EXIT_FINDINGS, EXIT_USAGE, AfasgovError

TARGET = Path(__file__).with_name(DATA_FILE)


def default_corpus() -> Path:
    env = os.environ.get("AFASGOV_CORPUS")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m afasgov.catalogue.regenerate", description=__doc__.split("\n")[1])
    parser.add_argument("--corpus", type=Path, default=None, help="corpus directory (with afas-openapi/)")
    parser.add_argument("--check", action="store_true", help="only check that the shipped catalogue is current")
    parser.add_argument("--output", type=Path, default=TARGET, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    corpus = args.corpus or default_corpus()
    try:
        data = render(build(corpus))
    except AfasgovError as exc:
        print(f"afasgov.catalogue: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.check:
        try:
            current = args.output.read_bytes()
        except OSError:
            current = b""
        if current != data:
            print(f"{args.output}: stale: run python -m afasgov.catalogue.regenerate", file=sys.stderr)
            return EXIT_FINDINGS
        print(f"{args.output}: current")
        return 0
    try:
        atomic_write_bytes(args.output, data)
    except OSError as exc:
        print(f"{args.output}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {args.output} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
