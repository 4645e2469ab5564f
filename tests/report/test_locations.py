"""Every format says where an item is: environment / App Connector / path, and connector and field where
the path does not name them. Six identical "AC005 at KnUser" lines (or six JUnit test cases with one
name) cannot tell a reviewer which App Connector to fix."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter

import pytest
from lxml import etree

from afasgov.report import FORMATS, ReportDocument, ReportItem, render

ENVS = ("production", "test", "accept")
APPS = ("iam", "legacy-portal")
TOKEN = "<token><version>1</version><data>" + "CD34" * 16 + "</data></token>"


def _knuser(env: str, app: str, *, path: str = "KnUser") -> ReportItem:
    return ReportItem(
        id="AC005",
        level="ERR",
        severity="critical",
        title="KnUser write access",
        text="KnUser write access: can create users, reset passwords and grant rights",
        path=path,
        fingerprint=f"fp-{env}-{app}",
        environment=env,
        app_connector=app,
        connector="KnUser",
        evidence=f"/metainfo updateConnectors contains KnUser; leaked {TOKEN}",
        remediation="Remove KnUser.",
    )


def _doc(items: list[ReportItem]) -> ReportDocument:
    return ReportDocument(kind="audit", title="afasgov security audit", items=items, items_key="findings")


def six() -> ReportDocument:
    return _doc([_knuser(env, app) for env in ENVS for app in APPS])


def test_where_prefixes_environment_and_app_connector_once() -> None:
    assert _knuser("production", "iam").where == "production/iam/KnUser"
    already = _knuser("production", "iam", path="production/iam/KnUser")
    assert already.where == "production/iam/KnUser"
    several = ReportItem(
        id="AC011",
        level="ERR",
        text="BSN",
        path="accept/HR_Export/Fields/BSN",
        environment="accept",
        app_connector="hr-export, legacy-portal",
        connector="HR_Export",
        field="BSN",
    )
    assert several.where == "accept/HR_Export/Fields/BSN"
    assert several.scope == "App Connectors hr-export, legacy-portal"
    bare = ReportItem(id="AC022", level="ERR", text="x", environment="test", app_connector="legacy-portal")
    assert bare.where == "test/legacy-portal" and bare.scope == ""
    field_only = ReportItem(id="AC010", level="ERR", text="x", path="HR/Fields/Nr", connector="HR", field="U001")
    assert field_only.scope == "field U001"
    diff_item = ReportItem(id="request-property-removed", level="ERR", text="x", path="KnEmployee/Fields/EmAd")
    assert diff_item.where == "KnEmployee/Fields/EmAd" and diff_item.scope == ""


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "junit", "github", "sarif"])
def test_every_format_names_each_environment_and_app_connector(fmt: str) -> None:
    out = render(six(), fmt)
    for env in ENVS:
        for app in APPS:
            assert f"{env}/{app}/KnUser" in out, (fmt, env, app)


def test_junit_testcase_names_are_unique_and_stable() -> None:
    doc = six()
    # a second item at the same location (another finding there): still a unique name
    doc.items.append(dataclasses.replace(_knuser("production", "iam"), fingerprint="fp-other"))
    tree = etree.fromstring(render(doc, "junit").encode())
    names = [case.get("name") for case in tree.iter("testcase")]
    assert len(names) == 7 and len(set(names)) == 7, Counter(names)
    assert "AC005 test/iam/KnUser" in names
    # colliding names are told apart by the items' stable fingerprints, not by their order
    assert {"AC005 production/iam/KnUser #fp-production-iam", "AC005 production/iam/KnUser #fp-other"} <= set(names)
    again = etree.fromstring(render(doc, "junit").encode())
    assert [c.get("name") for c in again.iter("testcase")] == names
    # the same item keeps its name when an unrelated item is added or removed
    fewer = _doc([i for i in doc.items if i.environment != "accept"])
    kept = {c.get("name") for c in etree.fromstring(render(fewer, "junit").encode()).iter("testcase")}
    assert kept <= set(names)


def test_junit_names_carry_the_field_when_the_path_lacks_it() -> None:
    items = [
        ReportItem(id="AC018", level="ERR", text="slow", path="HR/Filters", connector="HR", field=f"U00{i}")
        for i in (1, 2)
    ]
    names = [c.get("name") for c in etree.fromstring(render(_doc(items), "junit").encode()).iter("testcase")]
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
    item = ReportItem(
        id="AC011",
        level="ERR",
        text="BSN",
        path="accept/HR_Export/Fields/BSN",
        environment="accept",
        app_connector="hr-export, legacy-portal",
        connector="HR_Export",
        field="BSN",
    )
    for fmt in FORMATS:
        out = render(_doc([item]), fmt)
        if fmt == "json":
            continue  # the JSON writes the item's own data
        assert "hr-export, legacy-portal" in out.replace("%2C", ","), fmt


def test_sarif_logical_location_is_the_full_location() -> None:
    log = json.loads(render(six(), "sarif"))
    names = [r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in log["runs"][0]["results"]]
    assert len(set(names)) == 6 and "accept/legacy-portal/KnUser" in names
    props = log["runs"][0]["results"][0]["properties"]
    assert props["environment"] == "production" and props["appConnector"] == "iam"
