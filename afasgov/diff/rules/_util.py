"""Small helpers shared by the rule families."""

from __future__ import annotations

from typing import Any

from afasgov.model import GetField, UpdateField


def ufield_summary(f: UpdateField) -> dict[str, Any]:
    """What a reader needs of an added/removed update field."""
    return {"dataType": f.data_type, "length": f.length, "mandatory": f.mandatory}


def gfield_summary(f: GetField) -> dict[str, Any]:
    return {"dataType": f.data_type, "length": f.length, "fieldId": f.field_id}


REQUEST_OPS = "POST, PUT"
INSERT_OPS = "POST"
GET_OPS = "GET"
