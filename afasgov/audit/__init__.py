"""afasgov.audit."""
