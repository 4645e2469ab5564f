"""``json``: ``{"tool", <header…>, "summary", <items_key>: [item.data…], …}`` — DESIGN §6 for diff."""

from __future__ import annotations

import json
from typing import Any

from afasgov.report.document import ReportDocument
from afasgov.secrets import redact_any


def to_data(doc: ReportDocument) -> dict[str, Any]:
    data: dict[str, Any] = {"tool": doc.tool}
    data.update(doc.header)
    data["summary"] = doc.summary()
    data[doc.items_key] = [dict(item.data) for item in doc.items]
    data["version"] = doc.version
    data["verdict"] = {"fail_on": doc.fail_on, "failed": bool(doc.failing())}
    if doc.inputs:
        data["inputs"] = [{"name": i.name, "location": i.location, "sha256": i.sha256} for i in doc.inputs]
    data["waivers"] = [w.to_json() for w in doc.waiver_notes]
    data["notes"] = list(doc.notes)
    data.update(doc.extra_json)
    redacted: dict[str, Any] = redact_any(data)
    return redacted


def render(doc: ReportDocument, *, color: bool = False) -> str:
    return json.dumps(to_data(doc), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
