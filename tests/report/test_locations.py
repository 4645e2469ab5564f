"""Every format says where an item is: environment / App Connector / path, and connector and field where
the path does not name them. Six identical "AC005 at KnUser" lines (or six JUnit test cases with one
name) cannot tell a reviewer which App Connector to fix."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter

import pytest
from lxml import etree

from afasgov.findings import Finding, Location, Severity
from afasgov.report import FORMATS, ReportMeta
from afasgov.report import render as render_findings

ENVS = ("production", "test", "accept")
APPS = ("iam", "legacy-portal")
TOKEN = "<token><version>1</version><data>" + "CD34" * 16 + "</data></token>"


def _knuser(env: str, app: str) -> Finding:
    return Finding(
        id="AC005",
        level="ERR",
        kind="audit",
        severity=Severity.CRITICAL,
        title="KnUser write access",
        text="KnUser write access: can create users, reset passwords and grant rights",
        location=Location(environment=env, app_connector=app, connector="KnUser", connector_type="update",
                          path="KnUser"),
        fingerprint=f"fp-{env}-{app}",
        evidence=f"/metainfo updateConnectors contains KnUser; leaked {TOKEN}",
        remediation="Remove KnUser.",
    )


META = ReportMeta(kind="audit", title="afasgov security audit", items_key="findings")


def render(findings: list[Finding], fmt: str) -> str:
    return render_findings(findings, META, fmt)


def six() -> list[Finding]:
    return [_knuser(env, app) for env in ENVS for app in APPS]


def test_where_prefixes_environment_and_app_connector_once() -> None:
    knuser = _knuser("production", "iam")
    assert knuser.path == knuser.where == "production/iam/KnUser"
    several = _several()
    assert several.where == "accept/HR_Export/Fields/BSN"
    assert several.scope == "App Connectors hr-export, legacy-portal"
    bare = Finding(id="AC022", level="ERR", text="x", kind="audit",
                   location=Location(environment="test", app_connector="legacy-portal"))
    assert bare.where == "test/legacy-portal" and bare.scope == ""
    field_only = Finding(id="AC010", level="ERR", text="x", kind="diff",
                         location=Location(path="HR/Fields/Nr", connector="HR", field="U001"))
    assert field_only.scope == "field U001"
    diff_item = Finding(id="request-property-removed", level="ERR", text="x", kind="diff",
                        location=Location(path="KnEmployee/Fields/EmAd"))
    assert diff_item.where == "KnEmployee/Fields/EmAd" and diff_item.scope == ""
    validation = Finding(id="payload-unknown-field", level="ERR", text="x", kind="validation",
                         location=Location(environment="accept", path="KnUser/Element/Fields/X"))
    assert validation.path == "KnUser/Element/Fields/X"  # waivers match the canonical path
    assert validation.where == "accept/KnUser/Element/Fields/X"


def _several() -> Finding:
    return Finding(
        id="AC011",
        level="ERR",
        text="BSN",
        kind="audit",
        location=Location(environment="accept", app_connector="hr-export, legacy-portal", connector="HR_Export",
                          field="BSN", path="HR_Export/Fields/BSN"),
    )


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "junit", "github", "sarif"])
def test_every_format_names_each_environment_and_app_connector(fmt: str) -> None:
    out = render(six(), fmt)
    for env in ENVS:
        for app in APPS:
            assert f"{env}/{app}/KnUser" in out, (fmt, env, app)


def test_junit_testcase_names_are_unique_and_stable() -> None:
    doc = six()
    # a second item at the same location (another finding there): still a unique name
    doc.append(dataclasses.replace(_knuser("production", "iam"), fingerprint="fp-other"))
    tree = etree.fromstring(render(doc, "junit").encode())
    names = [case.get("name") for case in tree.iter("testcase")]
    assert len(names) == 7 and len(set(names)) == 7, Counter(names)
    assert "AC005 test/iam/KnUser" in names
    # colliding names are told apart by the items' stable fingerprints, not by their order
    assert {"AC005 production/iam/KnUser #fp-production-iam", "AC005 production/iam/KnUser #fp-other"} <= set(names)
    again = etree.fromstring(render(doc, "junit").encode())
    assert [c.get("name") for c in again.iter("testcase")] == names
    # the same item keeps its name when an unrelated item is added or removed
    fewer = [i for i in doc if i.location.environment != "accept"]
    kept = {c.get("name") for c in etree.fromstring(render(fewer, "junit").encode()).iter("testcase")}
    assert kept <= set(names)


def test_junit_names_carry_the_field_when_the_path_lacks_it() -> None:
    items = [
        Finding(id="AC018", level="ERR", text="slow", kind="audit",
                location=Location(path="HR/Filters", connector="HR", field=f"U00{i}"))
        for i in (1, 2)
    ]
    names = [c.get("name") for c in etree.fromstring(render(items, "junit").encode()).iter("testcase")]
    assert names == ["AC018 HR/Filters (field U001)", "AC018 HR/Filters (field U002)"]


def test_markdown_shows_severity_and_redacted_evidence() -> None:
    md = render(six(), "markdown")
    rows = [line for line in md.splitlines() if line.startswith("| ERR<br>")]
    assert len(rows) == 6
    for row in rows:
        assert "critical" in row
        assert "Evidence: /metainfo updateConnectors contains KnUser" in row
        assert row.count(" | ") == 4
    assert "CD34CD34" not in md and "leaked \\*\\*\\*" in md  # redacted, then Markdown-escaped


def test_scope_appears_where_the_path_does_not_say_it() -> None:
    item = _several()
    for fmt in FORMATS:
        if fmt == "gitlab":  # a Code Quality issue needs a file: render the finding as located
            located = dataclasses.replace(item.location, file="definitions/accept/get/X.yaml", line=3)
            item = dataclasses.replace(item, location=located)
        out = render([item], fmt)
        if fmt == "json":
            continue  # the JSON writes the item's own data
        assert "hr-export, legacy-portal" in out.replace("%2C", ","), fmt


def test_sarif_logical_location_is_the_full_location() -> None:
    log = json.loads(render(six(), "sarif"))
    names = [r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in log["runs"][0]["results"]]
    assert len(set(names)) == 6 and "accept/legacy-portal/KnUser" in names
    props = log["runs"][0]["results"][0]["properties"]
    assert props["environment"] == "production" and props["appConnector"] == "iam"
