"""``gitlab``: a GitLab Code Quality report (the JSON the merge-request widget and the pipeline's Code Quality
tab read: ``artifacts:reports:codequality``), a subset of the Code Climate issue format.

One issue per unwaived finding: ``description`` (the message and where), ``check_name`` (the rule id),
``fingerprint`` (the finding's stable fingerprint: GitLab compares the merge request's issues with the
target branch's by it), ``severity`` (``info`` | ``minor`` | ``major`` | ``critical``: an audit
finding's severity, critical → critical, high → major, medium → minor, low and info → info; otherwise
ERR → major, WARN → minor, INFO → info), ``location.path`` (relative to the repository root) and
``location.lines.begin`` — the same file and line as in SARIF (:mod:`afasgov.locate`). Waived findings are
accepted and left out; so is a finding without a file (none after locating)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from afasgov.findings import Finding
from afasgov.report.document import ReportMeta
from afasgov.secrets import redact_any

_SEVERITY = {"critical": "critical", "high": "major", "medium": "minor", "low": "info", "info": "info"}
_LEVEL = {"ERR": "major", "WARN": "minor", "INFO": "info"}
_CATEGORY = {"diff": "Compatibility", "validation": "Bug Risk", "audit": "Security"}


def severity(item: Finding) -> str:
    """The Code Quality severity of a finding (see the module docstring)."""
    if item.severity is not None:
        return _SEVERITY.get(str(item.severity.value), "minor")
    return _LEVEL.get(item.level, "info")


def render(findings: Sequence[Finding], doc: ReportMeta, *, color: bool = False) -> str:
    issues: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for item in findings:
        if item.waived or not item.location.file:
            continue
        fingerprint = item.fingerprint.removeprefix("sha256:") or f"{item.id}:{item.where}"
        seen[fingerprint] = seen.get(fingerprint, 0) + 1
        if seen[fingerprint] > 1:  # GitLab keys issues by fingerprint: each must be unique
            fingerprint = f"{fingerprint}-{seen[fingerprint]}"
        where = item.where if item.where and item.where not in item.text else ""
        if item.scope:
            where = f"{where}; {item.scope}" if where else item.scope
        issues.append({
            "type": "issue",
            "check_name": item.id,
            "description": f"[{item.level}] {item.text}" + (f" ({where})" if where else ""),
            "categories": [_CATEGORY.get(item.kind, "Bug Risk")],
            "fingerprint": fingerprint,
            "severity": severity(item),
            "location": {"path": item.location.file, "lines": {"begin": max(item.location.line, 1)}},
        })
    return json.dumps(redact_any(issues), indent=2, ensure_ascii=False) + "\n"
