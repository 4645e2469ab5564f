"""afasgov.snapshot."""
