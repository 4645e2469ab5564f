"""afasgov.report."""
