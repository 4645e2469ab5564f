"""A stable release report for golden and rendering tests (fixed timestamps, hostile strings)."""

from __future__ import annotations

from datetime import UTC, datetime

from afasgov.findings import Finding, Location, Severity, WaiverRef
from afasgov.release.model import EnvInfo, IntegrationImpact, ReleaseReport, TrendPoint, Waiver

STARTED = datetime(2026, 10, 1, 12, 0, 0, tzinfo=UTC)
FINISHED = datetime(2026, 10, 1, 12, 0, 4, tzinfo=UTC)

HOSTILE = "<script>alert(1)</script> | `x` @everyone **b** \x1b[31m"


def sample_report(*, history: bool = True, hostile: bool = True) -> ReleaseReport:
    waiver = Waiver(match="sha256:aaaaaaaaaaaaaaaa", reason="Field unused since v4", owner="jane@example.org",
                    expires="2026-12-31", status="active", used_by=1)
    label = HOSTILE if hostile else "Personal e-mail"
    items = [
        Finding(id="request-property-removed", level="ERR", kind="diff",
                text="removed the request property 'KnEmployee/Element/Objects/KnPerson/Element/Fields/EmAd'",
                title="request property removed",
                location=Location(connector_type="update", connector="KnEmployee",
                                  object_path=("KnEmployee", "KnPerson"), field="EmAd",
                                  path="KnEmployee/Element/Objects/KnPerson/Element/Fields/EmAd",
                                  file="definitions/accept/update/KnEmployee.yaml"),
                before={"label": label}, after=None, integrations=("hr-sync",),
                fingerprint="sha256:1111111111111111"),
        Finding(id="request-property-max-length-decreased", level="ERR", kind="diff",
                text="the 'KnSubject/Element/Fields/Ds' request property's maxLength was decreased "
                     "from '255' to '80'",
                location=Location(connector_type="update", connector="KnSubject", object_path=("KnSubject",),
                                  field="Ds", path="KnSubject/Element/Fields/Ds"),
                before=255, after=80, integrations=("dms", "hr-sync"), fingerprint="sha256:2222222222222222"),
        Finding(id="new-optional-request-property", level="INFO", kind="diff",
                text="added the new optional request property 'KnSubject/Element/Fields/SbTp'",
                location=Location(connector_type="update", connector="KnSubject", object_path=("KnSubject",),
                                  field="SbTp", path="KnSubject/Element/Fields/SbTp"),
                fingerprint="sha256:3333333333333333"),
        Finding(id="response-property-removed", level="WARN", kind="diff",
                text=f"removed the response property 'Profit_Employees/Fields/Mail' ({label})",
                location=Location(connector_type="get", connector="Profit_Employees",
                                  object_path=("Profit_Employees",), field="Mail",
                                  path="Profit_Employees/Fields/Mail"),
                fingerprint="sha256:aaaaaaaaaaaaaaaa", integrations=("hr-sync",),
                waiver=WaiverRef(reason=waiver.reason, owner=waiver.owner, expires=waiver.expires,
                                 fingerprint=waiver.match)),
        Finding(id="unknown-field", level="ERR", kind="validation",
                text="field EmAd is not a field of KnPerson on accept",
                location=Location(connector="KnEmployee", field="EmAd",
                                  path="KnEmployee/Element/Objects/KnPerson/Element/Fields/EmAd",
                                  file="definitions/integrations/hr-sync/payloads/new-hire.json"),
                integrations=("hr-sync",), fingerprint="sha256:d1bfa1c9e03ae3cb"),
        Finding(id="AC005", level="ERR", severity=Severity.CRITICAL, title="KnUser write", kind="audit",
                text="App Connector iam may write KnUser (create, unblock users, set passwords)",
                location=Location(environment="accept", app_connector="iam", connector="KnUser",
                                  connector_type="app-connector", path="KnUser"),
                evidence="updateConnectors: [KnUser, KnEmployee] token=<token><version>1"
                "</version><data>" + "AB" * 32 + "</data></token>",
                remediation="Remove KnUser unless this is an approved IAM integration.",
                fingerprint="sha256:5555555555555555"),
        Finding(id="AC010", level="ERR", severity=Severity.HIGH, title="Privacy-sensitive fields exposed",
                kind="audit",
                text=f"Profit_Employees exposes BSN without a recorded justification ({label})",
                location=Location(environment="accept", app_connector="hr-export", connector="Profit_Employees",
                                  field="BSN", path="Profit_Employees/Fields/BSN"),
                evidence="field BSN (label 'BSN')",
                remediation="Remove the field or record its purpose.", reference="AUT-19",
                fingerprint="sha256:6666666666666666"),
        Finding(id="AC033", level="INFO", severity=Severity.LOW, title="Same App Connector name", kind="audit",
                text="appName 'HR' is used in production and accept",
                location=Location(environment="accept", app_connector="hr-sync"),
                fingerprint="sha256:7777777777777777"),
    ]
    report = ReleaseReport(
        scope="production-vs-accept",
        started_at=STARTED,
        finished_at=FINISHED,
        tool_version="9.9.9",
        base=EnvInfo(name="production", type="production", profit_version="8.1.0", source="committed",
                     taken_at="2026-10-01T11:00:00Z", tree_hash="sha256:" + "a" * 64),
        revision=EnvInfo(name="accept", type="accept", profit_version="9.0.0", source="committed",
                         taken_at="2026-10-01T11:00:01Z", tree_hash="sha256:" + "b" * 64),
        items=items,
        integrations=[
            IntegrationImpact(name="hr-sync", owner="hr-team@example.org", app_connector="hr-sync",
                              counts={"ERR": 3, "WARN": 0, "INFO": 0},
                              connectors={"KnEmployee": ("ERR", 1), "KnSubject": ("ERR", 1)},
                              payloads_checked=3, payloads_failed=1,
                              notes=["WARN on KnSubject/Element/Fields/Ds raised to ERR: hr-sync uses it"],
                              impacts=["hr-sync sends KnEmployee/Element/Objects/KnPerson/Element/Fields/"
                                       "EmAd, which accept removed",
                                       "hr-sync sends KnSubject/Element/Fields/Ds, whose maxLength accept "
                                       "decreased"]),
            IntegrationImpact(name="dms", owner="dms@example.org", app_connector="dms",
                              counts={"ERR": 1, "WARN": 0, "INFO": 0}, connectors={"KnSubject": ("ERR", 1)},
                              payloads_checked=1, payloads_failed=0),
            IntegrationImpact(name=label if hostile else "tidy", owner="ops@example.org",
                              app_connector="tidy"),
        ],
        waivers=[waiver, Waiver(match="AC001 accept/*", reason="Legacy", owner="bob@example.org",
                                expires="2026-01-31", status="expired")],
        checked=["diff of 40 update and 20 get connectors", "3 payloads of 2 integrations", "37 checks"],
        not_seen=["IP restrictions of App Connectors (not in the API)", f"token list ({label})"],
        notes=["2 ERR changes on connectors no integration uses were downgraded to WARN"],
        inputs={"definitions/production": "sha256:" + "a" * 64, "definitions/accept": "sha256:" + "b" * 64,
                "definitions/waivers.yaml": "sha256:" + "c" * 64},
        history=[TrendPoint("2026-09-29T120000Z", {"ERR": 1, "WARN": 2, "INFO": 4}, "FAIL"),
                 TrendPoint("2026-09-30T120000Z", {"ERR": 3, "WARN": 1, "INFO": 2}, "FAIL")]
        if history else [],
    )
    return report
