"""``sarif``: SARIF 2.1.0 (validated against the OASIS schema in the tests).

Rules go into ``tool.driver.rules`` with their documentation; each item is a result with a logical
location (its canonical path) and, where the item has a file, a physical location; waived items carry
an ``accepted`` external suppression with the waiver's justification; ``partialFingerprints`` carries
the stable fingerprint."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from afasgov.findings import Finding
from afasgov.report.document import ReportMeta, RuleInfo, severity_of, summary
from afasgov.secrets import redact_any

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVEL = {"ERR": "error", "WARN": "warning", "INFO": "note"}


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
        if info.help:
            rule["fullDescription"] = {"text": info.help}
            rule["help"] = {"text": info.help}
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
            result["partialFingerprints"] = {"afasgovFingerprint/v1": item.fingerprint}
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
                "informationUri": "https://pypi.org/project/afasgov/",
                "rules": driver_rules,
            }
        },
        "automationDetails": {"id": f"afasgov/{doc.kind}/"},
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
    if doc.inputs:
        run["artifacts"] = [
            {
                "location": {"uri": i.location},
                "description": {"text": i.name},
                **({"hashes": {"sha-256": i.sha256.removeprefix("sha256:")}} if i.sha256 else {}),
            }
            for i in doc.inputs
        ]
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(redact_any(log), indent=2, ensure_ascii=False) + "\n"
