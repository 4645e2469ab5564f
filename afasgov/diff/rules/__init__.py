"""Rule families, one module each; importing this package registers every rule."""

from afasgov.diff.rules import (  # noqa: F401
    app_connectors,
    code_values,
    connectors,
    custom_fields,
    environment,
    gcn,
    get_fields,
    update_fields,
    update_objects,
)
