"""``python -m afasgov`` and the ``afasgov`` console script."""

from __future__ import annotations

import sys

from afasgov.errors import EXIT_INTERRUPTED, interrupt_in_chain


def main() -> None:
    """Import the command line and run it. A Ctrl-C that arrives while the command line is still being
    imported (its first ~0.1 s) is exit 130 with one line too, not a KeyboardInterrupt traceback."""
    try:
        from afasgov.cli import main as cli_main
    except BaseException as exc:
        interrupt = interrupt_in_chain(exc)
        if interrupt is None:
            raise
        sys.stderr.write("afasgov: interrupted\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    cli_main()


if __name__ == "__main__":
    main()
