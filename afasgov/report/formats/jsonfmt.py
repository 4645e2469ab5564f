"""``json``: ``{"tool", <header…>, "summary", <items_key>: [item_json(finding)…], …}`` — DESIGN §6 for diff."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from afasgov.findings import Finding
from afasgov.report.document import ReportMeta, failing, summary
from afasgov.secrets import redact_any


def to_data(findings: Sequence[Finding], doc: ReportMeta) -> dict[str, Any]:
    data: dict[str, Any] = {"tool": doc.tool}
    data.update(doc.header)
    data["summary"] = summary(findings)
    data[doc.items_key] = [doc.item_json(f) for f in findings]
    data["version"] = doc.version
    data["verdict"] = {"fail_on": doc.fail_on, "failed": bool(failing(findings, doc.fail_on))}
    if doc.inputs:
        data["inputs"] = [{"name": i.name, "location": i.location, "sha256": i.sha256} for i in doc.inputs]
    data["waivers"] = [w.to_json() for w in doc.waiver_notes]
    data["notes"] = list(doc.notes)
    data.update(doc.extra_json)
    redacted: dict[str, Any] = redact_any(data)
    return redacted


def render(findings: Sequence[Finding], doc: ReportMeta, *, color: bool = False) -> str:
    return json.dumps(to_data(findings, doc), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
