"""``python -m afasgov``."""

from afasgov.cli import main

main()
