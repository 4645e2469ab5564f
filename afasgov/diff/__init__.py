"""afasgov.diff."""
