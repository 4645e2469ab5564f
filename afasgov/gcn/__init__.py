"""The ``.gcn`` codec: read all three Profit GetConnector export formats, write them back byte for
byte, apply edits and build new files (two definitions are compared by the diff's ``.gcn`` rules:
:func:`afasgov.diff.rules.gcn.diff_definitions`). See ``docs/gcn.md``.

Public API::

    read_gcn(data, source=...) -> GcnDocument       # .definition: GcnDefinition
    write_gcn(doc) -> bytes
    apply_definition(doc, edited_definition) -> GcnDocument
    build_gcn(spec) -> bytes                        # new format 8 files (demo, fixtures)
    to_yaml / from_yaml / to_dict / from_dict       # the readable definition
"""

from __future__ import annotations

from afasgov.gcn.build import build_from_definition, build_gcn, definition_from_spec
from afasgov.gcn.codec import SIGNATURE_NOTE, GcnDocument, apply_definition, read_gcn, write_gcn
from afasgov.gcn.errors import GcnError
from afasgov.gcn.model import (
    GcnAlias,
    GcnCriterion,
    GcnDefinition,
    GcnExportInfo,
    GcnField,
    GcnFilterGroup,
)
from afasgov.gcn.yamlio import from_dict, from_yaml, to_dict, to_json, to_yaml

__all__ = [
    "SIGNATURE_NOTE",
    "GcnAlias",
    "GcnCriterion",
    "GcnDefinition",
    "GcnDocument",
    "GcnError",
    "GcnExportInfo",
    "GcnField",
    "GcnFilterGroup",
    "apply_definition",
    "build_from_definition",
    "build_gcn",
    "definition_from_spec",
    "from_dict",
    "from_yaml",
    "read_gcn",
    "to_dict",
    "to_json",
    "to_yaml",
    "write_gcn",
]
