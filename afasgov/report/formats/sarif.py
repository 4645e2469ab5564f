"""``sarif``: SARIF 2.1.0 that GitHub code scanning accepts (validated against the OASIS schema and
checked against GitHub's requirements in the tests).

Rules go into ``tool.driver.rules`` with their documentation (``shortDescription``, ``fullDescription``,
``help`` and ``helpUri`` into docs/rules.md, docs/checks.md, docs/validate.md). Each finding is a result
with a physical location — the file relative to the repository root and ``region.startLine`` (findings
are located by :mod:`afasgov.locate`) — and a logical location (its canonical path);
``partialFingerprints.primaryLocationLineHash`` (the key GitHub reads) carries the finding's stable
fingerprint, which does not change when lines move; waived findings carry an ``accepted`` external
suppression with the waiver's justification. ``automationDetails.id`` is ``afasgov/<kind>/<scope>/``:
the category under which code scanning keeps one analysis per kind and scope."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from afasgov import PROJECT_URL
from afasgov.findings import Finding
from afasgov.report.document import ReportMeta, RuleInfo, severity_of, summary
from afasgov.secrets import redact_any

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVEL = {"ERR": "error", "WARN": "warning", "INFO": "note"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def _uri(location: str) -> str:
    """An input's location as a URI reference: a relative path as it is (percent-encoded), an absolute
    path as a ``file:`` URI; empty for what is no path (a name with spaces or brackets)."""
    if not location or re.search(r"[\s()]", location):
        return ""
    if location.startswith("/"):
        return PurePosixPath(location).as_uri()
    return quote(location, safe="/:@-._~!$&'*+,;=")


def _scope(doc: ReportMeta) -> str:
    """What the run was about, for its code-scanning category: the scope, environments or revision."""
    for key in ("scope", "environments", "environment", "revision"):
        value = doc.header.get(key)
        if isinstance(value, str) and value and value != "-":
            return _UNSAFE.sub("-", value.replace(", ", "+")).strip("-")
    return ""


def render(findings: Sequence[Finding], doc: ReportMeta, *, color: bool = False) -> str:
    rules: dict[str, RuleInfo] = dict(doc.rules)
    for item in findings:
        rules.setdefault(item.id, RuleInfo(item.id, item.level, item.title or item.id))
    rule_ids = sorted(rules)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    driver_rules = []
    for rid in rule_ids:
        info = rules[rid]
        rule: dict[str, Any] = {
            "id": rid,
            "shortDescription": {"text": info.title or rid},
            "defaultConfiguration": {"level": _LEVEL.get(info.level, "note")},
            "properties": {"afasgovLevel": info.level},
        }
        text = info.help or info.title or rid
        rule["fullDescription"] = {"text": text}
        rule["help"] = {"text": text + (f"\n\nDocumentation: {info.help_uri}" if info.help_uri else "")}
        if info.help_uri:
            rule["helpUri"] = info.help_uri
        driver_rules.append(rule)
    results = []
    for item in findings:
        result: dict[str, Any] = {
            "ruleId": item.id,
            "ruleIndex": index[item.id],
            "level": _LEVEL.get(item.level, "note"),
            "message": {"text": item.text + "".join("\n" + n for n in doc.details(item))},
        }
        location: dict[str, Any] = {}
        if item.where:
            location["logicalLocations"] = [{"fullyQualifiedName": item.where, "kind": "member"}]
        if item.location.file:
            physical: dict[str, Any] = {"artifactLocation": {"uri": item.location.file}}
            if item.location.line:
                physical["region"] = {"startLine": item.location.line}
            location["physicalLocation"] = physical
        if location:
            result["locations"] = [location]
        if item.fingerprint:
            result["partialFingerprints"] = {
                "primaryLocationLineHash": item.fingerprint.removeprefix("sha256:"),
                "afasgovFingerprint/v1": item.fingerprint,
            }
        if item.waived and item.waiver is not None:
            result["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": f"{item.waiver.reason} (owner {item.waiver.owner}, "
                    f"expires {item.waiver.expires})",
                }
            ]
        props: dict[str, Any] = {"afasgovLevel": item.level}
        if item.severity is not None:
            props["severity"] = severity_of(item)
        for key, value in (
            ("environment", item.location.environment),
            ("appConnector", item.location.app_connector),
            ("connector", item.location.connector),
            ("field", item.location.field),
        ):
            if value:
                props[key] = value
        props["item"] = doc.item_json(item)
        result["properties"] = props
        results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": doc.tool,
                "version": doc.version,
                "semanticVersion": doc.version,
                "informationUri": PROJECT_URL,
                "rules": driver_rules,
            }
        },
        "automationDetails": {"id": f"afasgov/{doc.kind}/" + (f"{_scope(doc)}/" if _scope(doc) else "")},
        "results": results,
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"message": {"text": n}, "level": "note"}
                    for n in doc.notes + [w.text() for w in doc.waiver_notes]
                ],
            }
        ],
        "properties": {
            "summary": summary(findings),
            "header": {k: v for k, v in doc.header.items() if isinstance(v, str | int | float)},
        },
    }
    artifacts = [(i, _uri(i.location)) for i in doc.inputs]
    if any(uri for _, uri in artifacts):
        run["artifacts"] = [
            {
                "location": {"uri": uri},
                "description": {"text": i.name},
                **({"hashes": {"sha-256": i.sha256.removeprefix("sha256:")}} if i.sha256 else {}),
            }
            for i, uri in artifacts
            if uri
        ]
    other = {i.name: i.sha256 or i.location for i, uri in artifacts if not uri}
    if other:  # inputs that are no file (the audit checks' rules hash)
        run["properties"]["inputs"] = other
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(redact_any(log), indent=2, ensure_ascii=False) + "\n"
