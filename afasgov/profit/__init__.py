"""afasgov.profit."""
