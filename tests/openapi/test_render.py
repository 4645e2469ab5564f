"""The export's renderers: JSON and YAML read back as the document, streamed and whole give the same
bytes, one-line leaves, and the YAML never has anchors even for shared objects."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov.openapi import render as render_module
from afasgov.openapi.render import CHUNK, iter_json, iter_yaml, render
from tests.snapshot.model_strategies import any_text

scalars = st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20), any_text)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(any_text, children, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(doc=st.one_of(documents, st.dictionaries(any_text, documents, max_size=5)))
def test_json_and_yaml_read_back_and_stream_like_whole(doc: Any) -> None:
    as_json = render(doc, "json")
    as_yaml = render(doc, "yaml")
    assert json.loads(as_json) == doc
    assert yaml.safe_load(as_yaml) == doc
    # streamed entry by entry, or written in one piece: the same bytes
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(render_module, "STREAM_DEPTH", 0)
        assert render(doc, "json") == as_json
        assert render(doc, "yaml") == as_yaml


def test_leaves_are_one_line_and_shared_objects_are_written_in_full() -> None:
    field = {"type": "string", "maxLength": 40, "description": "Name\nA = a;"}
    doc = {"paths": {}, "components": {"schemas": {"X_POST": {"properties": {"Nm": field}},
                                                   "X_PUT": {"properties": {"Nm": field}}}}}
    text = render(doc, "json").decode()
    assert text.count('"Nm": {"type": "string", "maxLength": 40, "description": "Name\\nA = a;"}') == 2
    as_yaml = render(doc, "yaml").decode()
    assert "&" not in as_yaml and "*" not in as_yaml
    assert yaml.safe_load(as_yaml) == doc


def test_large_documents_come_in_chunks() -> None:
    doc = {"components": {"schemas": {f"S{i}": {"properties": {"f": {"type": "string", "description": "x" * 500}}}
                                      for i in range(5000)}}}
    for chunks in (list(iter_json(doc)), list(iter_yaml(doc))):
        assert len(chunks) > 1
        assert max(len(c) for c in chunks) < 2 * CHUNK
