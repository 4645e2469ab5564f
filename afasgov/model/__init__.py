"""The canonical connector model: what one AFAS Profit environment exposes.

Everything after the client works on these types: the snapshot crawler builds them from the REST
metainfo, the definitions tree stores them as YAML, diff compares two of them and audit inspects
them. They are plain frozen dataclasses: cheap to build, hashable where it matters, and free of
any secret.

Normalisation rules (applied by :mod:`afasgov.model.normalise`, documented in
``docs/model.md``):

* get and update metainfo spell some keys differently (``decimalsFieldId`` vs ``decimalFieldId``,
  ``notzero``); the model has one spelling: ``decimals_field_id``, ``not_zero``;
* ``values: null`` and ``values: []`` both mean "no code list": ``values`` is ``None``;
* field order is AFAS's order (it is kept, and diff does not treat reordering as a change);
* labels depend on ``Accept-Language``: the snapshot records the ``language`` it used.
"""

from __future__ import annotations

from afasgov.model.types import (
    AppConnectorScope,
    CodeValue,
    ConnectorRef,
    EnvironmentSnapshot,
    GetConnector,
    GetField,
    SnapshotMeta,
    UpdateConnector,
    UpdateField,
    UpdateObject,
)

__all__ = [
    "AppConnectorScope",
    "CodeValue",
    "ConnectorRef",
    "EnvironmentSnapshot",
    "GetConnector",
    "GetField",
    "SnapshotMeta",
    "UpdateConnector",
    "UpdateField",
    "UpdateObject",
]
