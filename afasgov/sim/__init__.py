"""afasgov.sim."""
