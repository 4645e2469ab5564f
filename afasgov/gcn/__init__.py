"""afasgov.gcn."""
