"""Each check: one input where it must fire, one (close to it) where it must stay silent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from afasgov.audit.context import AppConnectorConfig, EnvConfig, GcnCriterion, Manifest
from afasgov.audit.registry import all_checks
from afasgov.findings import Severity
from afasgov.policy import Justification, Policy, TokenRecord
from afasgov.secretscan import ScanHit, ScanResult

from .conftest import (
    TODAY,
    context,
    gcn,
    gcn_field,
    get_conn,
    run,
    scope,
    snapshot,
    upd_conn,
    upd_obj,
)


def ids(findings: list) -> list[tuple[str, str]]:
    return sorted((f.location.app_connector, f.location.connector) for f in findings)


# ----------------------------------------------------------------------------------------- scopes
def test_ac001_over_broad_fires_above_the_limits() -> None:
    wide = scope("wide", get=[f"G{i}" for i in range(11)], update=["KnA", "KnB", "KnC", "KnD"])
    findings = run("AC001", context(snapshot(scopes=[wide])))
    assert len(findings) == 1
    assert "11 GetConnectors" in findings[0].text and "4 UpdateConnectors" in findings[0].text
    assert findings[0].severity is Severity.MEDIUM and findings[0].level == "WARN"


def test_ac001_silent_at_the_limits_and_follows_policy() -> None:
    ok = scope("ok", get=[f"G{i}" for i in range(10)], update=["KnA", "KnB", "KnC"])
    assert run("AC001", context(snapshot(scopes=[ok]))) == []
    strict = context(snapshot(scopes=[ok]), policy=Policy(max_get_connectors=2))
    assert len(run("AC001", strict)) == 1


def test_ac005_knuser_write_is_critical_with_rights_fields_in_evidence() -> None:
    snap = snapshot(
        scopes=[scope("iam", update=["KnUser"])], update=[upd_conn("KnUser", "MtCd", "Awin", "PoMa", "GrId")]
    )
    [f] = run("AC005", context(snap))
    assert f.severity is Severity.CRITICAL and f.level == "ERR"
    assert f.location.app_connector == "iam" and f.location.connector == "KnUser"
    assert "KnUser/Awin" in f.evidence and "KnUser/PoMa" in f.evidence


def test_ac005_silent_for_read_or_approved() -> None:
    read_only = snapshot(scopes=[scope("iam", get=["KnUser"])])
    assert run("AC005", context(read_only)) == []
    writes = snapshot(scopes=[scope("iam", update=["KnUser"])])
    approved = Policy(approved_write={"KnUser": ("iam",)})
    assert run("AC005", context(writes, policy=approved)) == []


def test_ac006_payroll_write_escalates_with_bank_fields() -> None:
    emp = upd_conn("KnEmployee", "EmId", objects=[upd_obj("AfasBankInfo", "Iban", "SaAc")])
    snap = snapshot(scopes=[scope("hr", update=["KnEmployee", "HrCompMutGUID"])], update=[emp])
    findings = run("AC006", context(snap))
    assert {f.location.connector for f in findings} == {"KnEmployee", "HrCompMutGUID"}
    emp_f = next(f for f in findings if f.location.connector == "KnEmployee")
    assert "AfasBankInfo/Iban" in emp_f.evidence and "bank/salary" in emp_f.text


def test_ac006_silent_without_payroll_connectors() -> None:
    assert run("AC006", context(snapshot(scopes=[scope("x", update=["KnSubject"], get=["KnEmployee"])]))) == []


def test_ac007_relation_write_with_iban() -> None:
    rel = upd_conn("KnPurchaseRelationOrg", "CrId", objects=[upd_obj("KnBankAccount", "Iban", "Bic")])
    snap = snapshot(scopes=[scope("p2p", update=["KnPurchaseRelationOrg"])], update=[rel])
    [f] = run("AC007", context(snap))
    assert f.severity is Severity.HIGH and "KnBankAccount/Iban" in f.evidence


def test_ac007_silent_without_iban_and_notes_missing_metainfo() -> None:
    rel = upd_conn("KnPerson", "BcCo", "Nm")
    snap = snapshot(scopes=[scope("crm", update=["KnPerson", "KnOrganisation"])], update=[rel])
    ctx = context(snap)
    assert run("AC007", ctx) == []
    assert any("KnOrganisation" in n and "AC007" in n for n in ctx.notes)


def test_ac008_finance_write() -> None:
    [f] = run("AC008", context(snapshot(scopes=[scope("fin", update=["FiEntries"])])))
    assert f.location.connector == "FiEntries" and f.level == "ERR"
    assert f.text == "FiEntries write access including DELETE (a delete is final)"  # AFAS offers POST, DELETE
    assert "AFAS offers POST, DELETE on FiEntries" in f.evidence
    assert run("AC008", context(snapshot(scopes=[scope("fin", get=["FiEntries"])]))) == []


def test_ac008_delete_is_decided_from_the_catalogue() -> None:
    # KnSubject offers DELETE (catalogue), FbCostPrice is POST-only, XyCustom is unknown to the catalogue
    ctx = context(snapshot(scopes=[scope("crm", update=["KnSubject", "FbCostPrice", "XyCustom"])]))
    [f] = run("AC008", ctx)
    assert (f.location.connector, f.severity, f.level) == ("KnSubject", Severity.MEDIUM, "WARN")
    assert f.text == "KnSubject write access includes DELETE (a delete is final)"
    assert any("XyCustom is not in AFAS's connector catalogue" in n and "AC008" in n for n in ctx.notes)
    assert not any("FbCostPrice" in n for n in ctx.notes)


def test_ac009_health_write_by_prefix() -> None:
    findings = run("AC009", context(snapshot(scopes=[scope("abs", update=["HrIllnessGUID", "HrAbsenceID"])])))
    assert {f.location.connector for f in findings} == {"HrIllnessGUID", "HrAbsenceID"}
    assert run("AC009", context(snapshot(scopes=[scope("abs", update=["HrEmployeeContract"])]))) == []


@pytest.mark.parametrize("expiry", ["0", "", None])
def test_ac022_token_never_expires(expiry: str | None) -> None:
    [f] = run("AC022", context(snapshot(scopes=[scope("legacy", token_expiry=expiry, auth_type="classic")])))
    assert f.severity is Severity.HIGH and "never expires" in f.text


def test_ac022_silent_with_expiry_or_oauth_and_policy_max() -> None:
    dated = snapshot(scopes=[scope("a", token_expiry="2027-03-01T00:00:00", auth_type="classic")])
    assert run("AC022", context(dated)) == []
    oauth = snapshot(scopes=[scope("b", token_expiry="0", auth_type="oauth")])
    assert run("AC022", context(oauth)) == []
    [f] = run("AC022", context(dated, policy=Policy(max_token_validity_days=30)))
    assert "beyond the policy maximum" in f.text


def test_ac022_unreadable_expiry_is_noted_not_passed() -> None:
    ctx = context(snapshot(scopes=[scope("a", token_expiry="someday", auth_type="classic")]))
    assert run("AC022", ctx) == []
    assert any("not understood" in n for n in ctx.notes)


def test_ac023_token_expiring_and_expired() -> None:
    soon = (TODAY + timedelta(days=10)).isoformat()
    past = "01-10-2026"  # Dutch day-month-year
    snap = snapshot(scopes=[scope("a", token_expiry=soon), scope("b", token_expiry=past)])
    findings = run("AC023", context(snap))
    assert ids(findings) == [("a", ""), ("b", "")]
    assert any("expired on 2026-10-01" in f.text for f in findings)


def test_ac023_silent_far_away() -> None:
    assert run("AC023", context(snapshot(scopes=[scope("a", token_expiry="2027-06-30T00:00:00")]))) == []


def test_ac033_same_app_name_prod_and_test() -> None:
    prod = snapshot("production", scopes=[scope("hr", app_name="HR sync")])
    test = snapshot("test", type="test", scopes=[scope("hr", app_name="HR sync")])
    findings = run("AC033", context(prod, test))
    assert {f.location.environment for f in findings} == {"production", "test"}
    test_ok = snapshot("test", type="test", scopes=[scope("hr", app_name="HR sync TST")])
    assert run("AC033", context(prod, test_ok)) == []


# ----------------------------------------------------------------------------------------- fields
def test_ac010_privacy_fields_recognised_by_id_label_and_source() -> None:
    snap = snapshot(
        scopes=[scope("exp", get=["HR_Export", "Profit_BankAccounts"], update=["KnPerson"])],
        get=[
            get_conn(
                "HR_Export",
                ("Medewerker", "Medewerker"),
                ("Geboortedatum", "Geboortedatum"),
                ("PrivateMail", "E-mail privé"),
            ),
            get_conn("Profit_BankAccounts", ("IBAN", "Rekening")),
        ],
        update=[upd_conn("KnPerson", "BcCo", "DaBi", objects=[upd_obj("KnBasicAddressAdr", "Ad")])],
    )
    definition = gcn(
        "HR_Salaris",
        gcn_field("HrVDFN112", "Bedrag", source="Hr.VDF.N112"),
        gcn_field("U002", "Naam", source="Kn.Bcn.Nm"),
    )
    findings = run("AC010", context(snap, definitions=[definition]))
    paths = {f.location.path for f in findings}
    assert "HR_Export/Fields/Geboortedatum" in paths
    assert "HR_Export/Fields/PrivateMail" in paths
    assert "Profit_BankAccounts/Fields/IBAN" in paths
    assert "KnPerson/Element/Fields/DaBi" in paths
    assert "KnPerson/Element/Objects/KnBasicAddressAdr/Element/Fields/Ad" in paths
    assert "HR_Salaris/Fields/Bedrag" in paths
    assert "HR_Export/Fields/Medewerker" not in paths and "HR_Salaris/Fields/Naam" not in paths
    assert all(f.level == "ERR" for f in findings)


def test_ac010_silent_when_justified_by_policy_or_manifest() -> None:
    snap = snapshot(
        scopes=[scope("exp", get=["HR_Export"])],
        get=[get_conn("HR_Export", ("Geboortedatum", "Geboortedatum"), ("IBAN", "IBAN"))],
    )
    policy = Policy(justified_fields=(Justification("HR_Export/Fields/Geboortedatum", "pension age"),))
    manifest = Manifest(
        name="pension",
        app_connectors={"*": "exp"},
        uses_get={"HR_Export": "*"},
        justifications=(Justification("IBAN", "pension payment"),),
    )
    assert run("AC010", context(snap, policy=policy, manifests=[manifest])) == []
    # a justification for another connector does not count
    other = Policy(justified_fields=(Justification("Geboortedatum", "x", connector="Other"),))
    assert {f.location.field for f in run("AC010", context(snap, policy=other))} == {"Geboortedatum", "IBAN"}


def test_ac011_bsn_health_id_documents_are_critical() -> None:
    snap = snapshot(
        scopes=[scope("exp", get=["Profit_Illness"], update=["HrOnboarding"])],
        get=[get_conn("Profit_Illness", ("BSN", "BSN"), ("ReasonDesc", "Reden"), ("EmId", "Nummer"))],
        update=[upd_conn("HrOnboarding", "SoSe", objects=[upd_obj("AfasIdentityDocument", "Nr")])],
    )
    definition = gcn("HR_Bsn", gcn_field("U001", "Sofinummer", source="Kn.Bcn.SoSe"))
    findings = run("AC011", context(snap, definitions=[definition]))
    assert {f.location.field for f in findings} == {"BSN", "ReasonDesc", "SoSe", "Nr", "Sofinummer"}
    assert all(f.severity is Severity.CRITICAL for f in findings)


def test_ac011_needs_a_legal_basis_not_just_a_purpose() -> None:
    snap = snapshot(scopes=[scope("exp", get=["Profit_OrgPer"])], get=[get_conn("Profit_OrgPer", ("BSN", "BSN"))])
    purpose_only = Policy(justified_fields=(Justification("BSN", "matching"),))
    [f] = run("AC011", context(snap, policy=purpose_only))
    assert "no legal basis" in f.text
    lawful = Policy(justified_fields=(Justification("BSN", "payroll tax", legal_basis="Wet LB 1964 art. 28"),))
    assert run("AC011", context(snap, policy=lawful)) == []
    reason_id = snapshot(
        scopes=[scope("x", get=["HR_Functions"])], get=[get_conn("HR_Functions", ("ReasonId", "Functie"))]
    )
    assert run("AC011", context(reason_id)) == []  # ReasonId is health only in illness connectors


def test_ac012_user_rights_fields_in_gcn() -> None:
    users = gcn(
        "T4E_Users",
        gcn_field("U001", "Upn", source="Kn.Usr.Upn"),
        gcn_field("U002", "ProfitWindows", source="Kn.Usr.Awin"),
        main="Kn.Usr",
    )
    [f] = run("AC012", context(definitions=[users]))
    assert "Upn" in f.text and "Kn.Usr.Awin" in f.evidence
    harmless = gcn("T4E_Users", gcn_field("U001", "Naam", source="Kn.Usr.Nm"), main="Kn.Usr")
    assert run("AC012", context(definitions=[harmless])) == []


def test_ac013_supplied_profit_getconnector() -> None:
    snap = snapshot(scopes=[scope("x", get=["Profit_Functions", "Own_Functions"])])
    [f] = run("AC013", context(snap))
    assert f.location.connector == "Profit_Functions" and f.severity is Severity.MEDIUM
    named = gcn("Profit_Mine", gcn_field("U001", "A"))
    findings = run("AC013", context(snap, definitions=[named, gcn("Profit_Functions", gcn_field("U1", "A"))]))
    assert {(f.location.connector, f.severity) for f in findings} == {
        ("Profit_Mine", Severity.LOW),
        ("Profit_Functions", Severity.LOW),
    }


def test_ac013_silent_for_own_connectors() -> None:
    assert run("AC013", context(snapshot(scopes=[scope("x", get=["Lindeboom_HR"])]))) == []


def test_ac014_dot_in_field_name() -> None:
    snap = snapshot(scopes=[scope("x", get=["G"])], get=[get_conn("G", ("Emp.Name", "Naam"), ("EmpId", "Id"))])
    [f] = run("AC014", context(snap, definitions=[gcn("D", gcn_field("U1", "A_B"))]))
    assert f.location.field == "Emp.Name" and f.level == "INFO"
    assert run("AC014", context(definitions=[gcn("D", gcn_field("U1", "A_B"))])) == []


def test_ac016_custom_fields_grouped_per_connector() -> None:
    custom = "U" + "A" * 32
    snap = snapshot(update=[upd_conn("KnEmployee", "EmId", custom)])
    [f] = run("AC016", context(snap))
    assert f.location.connector == "KnEmployee" and custom in f.evidence and f.severity is Severity.INFO
    assert run("AC016", context(snapshot(update=[upd_conn("KnEmployee", "EmId", "U" + "A" * 31)]))) == []


def test_ac019_declared_take_above_optimal_and_take_all_in_files() -> None:
    snap = snapshot(get=[get_conn("Wide", *[(f"F{i}", "x") for i in range(300)])])
    policy = Policy(takes={"Wide": 1000, "Other": -1})
    scan = ScanResult(hits=[ScanHit("take-all", "scripts/pull.ps1", 3, detail="take=-1")])
    findings = run("AC019", context(snap, policy=policy, scan=scan))
    messages = " ".join(f.text for f in findings)
    assert "optimal take 500" in messages and "take=-1" in messages
    assert any(f.path == "scripts/pull.ps1:3" for f in findings)


def test_ac019_silent_below_optimal() -> None:
    snap = snapshot(get=[get_conn("Wide", *[(f"F{i}", "x") for i in range(300)])])
    assert run("AC019", context(snap, policy=Policy(takes={"Wide": 500}), scan=ScanResult())) == []


# ------------------------------------------------------------------------------------------- .gcn
def test_ac015_drift_between_environment_and_gcn() -> None:
    snap = snapshot(get=[get_conn("HR_Emp", ("Naam", "Naam"), ("Extra", "Extra"))])
    definition = gcn("HR_Emp", gcn_field("U1", "Naam"), gcn_field("U2", "Weg"), changed_by="12345.intern")
    findings = run("AC015", context(snap, definitions=[definition], policy=Policy(maintainers=("12345.admin",))))
    assert len(findings) == 2
    assert any(
        "only in the environment: Extra" in f.evidence and "only in the .gcn: Weg" in f.evidence for f in findings
    )
    assert any("not a maintainer" in f.text for f in findings)


def test_ac015_silent_when_equal() -> None:
    snap = snapshot(get=[get_conn("HR_Emp", ("Naam", "Naam"))])
    definition = gcn("HR_Emp", gcn_field("U1", "Naam"), gcn_field("U9", "Hidden", display=0))
    assert run("AC015", context(snap, definitions=[definition])) == []


def test_ac017_no_filter_on_large_table() -> None:
    [f] = run("AC017", context(definitions=[gcn("HR_All", gcn_field("U1", "A"), main="Hr.RCo")]))
    assert "Hr.RCo" in f.text


def test_ac017_silent_with_filter_or_small_table() -> None:
    filtered = gcn("HR_All", gcn_field("U1", "A"), main="Hr.RCo", filters=[[GcnCriterion("U1", 1, "x")]])
    small = gcn("Funcs", gcn_field("U1", "A"), main="Kn.Fun")
    assert run("AC017", context(definitions=[filtered, small])) == []


def test_ac018_slow_operators_stored_and_in_urls() -> None:
    d = gcn("S", gcn_field("U1", "A"), filters=[[GcnCriterion("U1", 6, "jan")], [GcnCriterion("U1", 15, "*jan*")]])
    scan = ScanResult(hits=[ScanHit("slow-operator", "sync.py", 9, detail="operatortypes 10")])
    findings = run("AC018", context(definitions=[d], scan=scan))
    assert len(findings) == 3
    assert {f.severity for f in findings} == {Severity.LOW}


def test_ac018_silent_for_fast_operators_and_date_variables() -> None:
    d = gcn(
        "S",
        gcn_field("U1", "A"),
        filters=[
            [
                GcnCriterion("U1", 1, "x"),
                GcnCriterion("U1", 15, "!=iedereen"),
                GcnCriterion("U1", 15, "<[~*NOW*~DDm3@];[]"),
            ]
        ],
    )
    assert run("AC018", context(definitions=[d])) == []


def test_ac020_aggregation_unless_justified() -> None:
    d = gcn("Trans", gcn_field("HrVDFN112", "Bedrag", source="Hr.VDF.N112", agg=2), grouping=True)
    [f] = run("AC020", context(definitions=[d]))
    assert "agg 2" in f.evidence
    assert run("AC020", context(definitions=[d], policy=Policy(justified_aggregations=("Trans",)))) == []
    assert run("AC020", context(definitions=[gcn("Plain", gcn_field("U1", "A"))])) == []


def test_ac021_blocked_but_authorised() -> None:
    snap = snapshot(
        scopes=[scope("x", get=["Old", "Live"])],
        get=[get_conn("Old", ("A", "A"), blocked=True), get_conn("Live", ("A", "A"), blocked=False)],
    )
    d = gcn("Live", gcn_field("U1", "A"), blocked=True)
    findings = run("AC021", context(snap, definitions=[d]))
    assert {f.location.connector: f.evidence for f in findings} == {
        "Old": "Geblokkeerd in the environment",
        "Live": "Bl = true in the repository's .gcn",
    }


def test_ac021_silent_when_blocked_connector_is_not_authorised() -> None:
    snap = snapshot(scopes=[scope("x", get=["Live"])], get=[get_conn("Old", ("A", "A"), blocked=True)])
    assert run("AC021", context(snap)) == []


def test_ac038_more_than_five_tables() -> None:
    fields = [gcn_field(f"U{i}", f"F{i}", join=f"Emp.Kn{i}") for i in range(5)]
    [f] = run("AC038", context(definitions=[gcn("Wide", *fields)]))
    assert "6 tables" in f.text and f.reference == "PERF-34"
    assert run("AC038", context(definitions=[gcn("Narrow", *fields[:4])])) == []


def test_ac039_join_deeper_than_five() -> None:
    deep = gcn("Deep", gcn_field("U1", "A", join="a.b.c.d.e.f"))
    [f] = run("AC039", context(definitions=[deep]))
    assert "6 levels" in f.text and f.reference == "PERF-52"
    assert run("AC039", context(definitions=[gcn("Ok", gcn_field("U1", "A", join="a.b.c.d.e"))])) == []


# ---------------------------------------------------------------------------------- configuration
def env(
    name: str = "production",
    *,
    type: str = "production",
    tenant: str = "12345",
    base_url: str = "",
    apps: tuple[AppConnectorConfig, ...] = (),
    **kw: object,
) -> EnvConfig:
    return EnvConfig(name=name, type=type, tenant=tenant, base_url=base_url, app_connectors=apps, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("today", "severity", "text"),
    [
        (date(2026, 1, 1), Severity.MEDIUM, "expires on 2027-05-01 (485 days)"),
        (date(2026, 11, 21), Severity.HIGH, "(161 days)"),
        (date(2027, 6, 1), Severity.HIGH, "expired on 2027-05-01"),
        (date(2027, 9, 1), Severity.CRITICAL, "stopped working"),
    ],
)
def test_ac029_classic_token_against_the_phase_out(today: date, severity: Severity, text: str) -> None:
    ctx = context(environments=[env(apps=(AppConnectorConfig("hr", auth_type="classic"),))], today=today)
    [f] = run("AC029", ctx)
    assert f.severity is severity and text in f.text


def test_ac029_oauth_secret_age() -> None:
    old = AppConnectorConfig("fin", auth_type="oauth", method="client_secret_post", secret_issued=date(2026, 1, 1))
    fresh = AppConnectorConfig("bi", auth_type="oauth", method="client_secret_post")
    jwt = AppConnectorConfig("iam", auth_type="oauth", method="private_key_jwt")
    policy = Policy(oauth_secrets={"bi": (date(2026, 11, 1), None)})
    ctx = context(environments=[env(apps=(old, fresh, jwt))], policy=policy)
    [f] = run("AC029", ctx)
    assert f.location.app_connector == "fin" and "expired on 2026-06-30" in f.text
    nearly = Policy(oauth_secrets={"bi": (date(2026, 6, 1), None)})
    ctx2 = context(environments=[env(apps=(fresh,))], policy=nearly)
    [g] = run("AC029", ctx2)
    assert g.severity is Severity.MEDIUM


def test_ac029_secret_files_from_scan_and_silent_for_clean_oauth() -> None:
    scan = ScanResult(hits=[ScanHit("private-key", "keys/iam.pem", 1, fingerprint="sha256:abc")])
    [f] = run("AC029", context(scan=scan))
    assert f.path == "keys/iam.pem:1" and "sha256:abc" in f.evidence
    clean = AppConnectorConfig("iam", auth_type="oauth", method="private_key_jwt")
    assert run("AC029", context(environments=[env(apps=(clean,))], scan=ScanResult())) == []


def test_ac030_http_verify_and_tls_version() -> None:
    bad = env(base_url="http://12345.rest.afas.online/ProfitRestServices", verify_tls=False, tls_min_version="1.1")
    scan = ScanResult(hits=[ScanHit("tls-weak", "persons.ps1", 7, detail="SecurityProtocol = Tls")])
    findings = run("AC030", context(environments=[bad], scan=scan))
    assert len(findings) == 4


def test_ac030_silent_for_https_and_loopback_http() -> None:
    good = env(base_url="https://12345.rest.afas.online/ProfitRestServices", tls_min_version="1.2")
    sim = env("sim", base_url="http://127.0.0.1:8080/ProfitRestServices")
    assert run("AC030", context(environments=[good, sim], scan=ScanResult())) == []


def test_ac031_non_afas_host() -> None:
    [f] = run("AC031", context(environments=[env(base_url="https://afas.example.com/ProfitRestServices")]))
    assert "afas.example.com" in f.text


def test_ac031_silent_for_afas_hosts_and_notes_loopback() -> None:
    ctx = context(
        environments=[
            env(),
            env("t", type="test", base_url="https://12345.resttest.afas.online/x"),
            env("sim", base_url="http://localhost:1234"),
        ]
    )
    assert run("AC031", ctx) == []
    assert any("loopback" in n for n in ctx.notes)


def test_ac032_environment_mix_ups() -> None:
    test_on_prod = env("test", type="test", base_url="https://12345.rest.afas.online/ProfitRestServices")
    wrong_tenant = env("acc", type="accept", tenant="12345", base_url="https://54321.restaccept.afas.online/x")
    shared = "env:AFAS_TOKEN"
    prod = env("production", apps=(AppConnectorConfig("hr", auth_type="classic", secret_ref=shared),))
    test2 = env("test2", type="test", apps=(AppConnectorConfig("hr", auth_type="classic", secret_ref=shared),))
    snap = snapshot("production", envid="T12345AB")
    findings = run("AC032", context(snap, environments=[test_on_prod, wrong_tenant, prod, test2]))
    keys = {f.extra.get("key", "").split(":")[0] for f in findings}
    assert keys == {"host-type", "host-tenant", "envid-type", "shared-secret"}
    assert all("AFAS_TOKEN" not in f.evidence for f in findings)  # the variable name is not evidence


def test_ac032_silent_when_consistent() -> None:
    prod = env("production", apps=(AppConnectorConfig("hr", secret_ref="env:A"),))
    test = env("test", type="test", apps=(AppConnectorConfig("hr", secret_ref="env:B"),))
    snaps = [snapshot("production", envid="O12345AA"), snapshot("test", type="test", envid="T12345AA")]
    assert run("AC032", context(*snaps, environments=[prod, test])) == []


def test_ac037_integration_id() -> None:
    partner = Policy(partner=True)
    findings = run("AC037", context(environments=[env(), env("t", integration_id="abc")], policy=partner))
    assert {f.extra.get("key", "") for f in findings} == {"", "malformed"}
    assert run("AC037", context(environments=[env(integration_id="12345_678")], policy=partner)) == []
    assert run("AC037", context(environments=[env()])) == []  # not a partner


# ---------------------------------------------------------------------------------- policy checks
def _allow_ctx(**kw: object):  # type: ignore[no-untyped-def]
    snap = snapshot(scopes=[scope("hr", get=["HR_Emp", "Profit_Functions"], update=["KnEmployee", "KnUser"])])
    return context(snap, **kw)


def test_ac002_undeclared_connectors() -> None:
    manifest = Manifest(
        name="hr-sync",
        app_connectors={"*": "hr"},
        uses_get={"HR_Emp": ("Naam",)},
        uses_update={"KnEmployee": "*"},
    )
    findings = run("AC002", _allow_ctx(manifests=[manifest]))
    assert {(f.location.connector, f.severity) for f in findings} == {
        ("KnUser", Severity.HIGH),
        ("Profit_Functions", Severity.MEDIUM),
    }


def test_ac002_silent_when_declared_and_notes_undeclared_app_connectors() -> None:
    policy = Policy(allow={"hr": {"get": ("*",), "update": ("KnEmployee", "KnUser")}})
    assert run("AC002", _allow_ctx(policy=policy)) == []
    ctx = _allow_ctx()
    assert run("AC002", ctx) == []
    assert any("no policy allow-list" in n for n in ctx.notes)


def test_ac003_declared_not_authorised() -> None:
    manifest = Manifest(
        name="hr-sync",
        app_connectors={"production": "hr"},
        uses_get={"HR_Emp": "*", "HR_Gone": "*"},
        uses_update={"KnEmployee": "*"},
    )
    [f] = run("AC003", _allow_ctx(manifests=[manifest]))
    assert f.location.connector == "HR_Gone" and f.severity is Severity.INFO
    manifest_ok = Manifest(name="hr-sync", app_connectors={"production": "hr"}, uses_get={"HR_Emp": "*"})
    assert run("AC003", _allow_ctx(manifests=[manifest_ok])) == []


def test_ac004_allowed_but_unused() -> None:
    policy = Policy(allow={"hr": {"get": ("HR_Emp", "Profit_Functions"), "update": ("KnEmployee", "KnUser")}})
    manifest = Manifest(
        name="hr-sync", app_connectors={"*": "hr"}, uses_get={"HR_Emp": "*"}, uses_update={"KnEmployee": "*"}
    )
    findings = run("AC004", _allow_ctx(policy=policy, manifests=[manifest]))
    assert {f.location.connector for f in findings} == {"Profit_Functions", "KnUser"}
    everything = Manifest(
        name="all",
        app_connectors={"*": "hr"},
        uses_get={"HR_Emp": "*", "Profit_Functions": "*"},
        uses_update={"KnEmployee": "*", "KnUser": "*"},
    )
    assert run("AC004", _allow_ctx(policy=policy, manifests=[everything])) == []


def test_ac028_shared_app_connector() -> None:
    m1 = Manifest(name="a", app_connectors={"*": "hr"})
    m2 = Manifest(name="b", app_connectors={"*": "hr"})
    snap = snapshot(scopes=[scope("hr"), scope("hr2", app_name="Same"), scope("hr3", app_name="Same")])
    findings = run("AC028", context(snap, manifests=[m1, m2]))
    assert len(findings) == 2
    assert run("AC028", context(snapshot(scopes=[scope("hr")]), manifests=[m1])) == []


def test_ac027_token_list_from_policy() -> None:
    toks = (
        TokenRecord(issued=date(2025, 1, 1), last_used=date(2026, 1, 1)),
        TokenRecord(issued=date(2026, 10, 1)),
    )
    findings = run("AC027", context(snapshot(scopes=[scope("hr")]), policy=Policy(tokens={"hr": toks})))
    assert {f.extra.get("key", "") for f in findings} == {"count", "stale0", "old0"}
    fresh = (TokenRecord(issued=date(2026, 10, 1), last_used=date(2026, 11, 20)),)
    assert run("AC027", context(snapshot(scopes=[scope("hr")]), policy=Policy(tokens={"hr": fresh}))) == []


def test_ac027_states_what_it_cannot_see() -> None:
    ctx = context(snapshot(scopes=[scope("hr")]))
    assert run("AC027", ctx) == []
    assert any("token lists" in n for n in ctx.notes)


def test_ac034_no_ip_rules() -> None:
    policy = Policy(ip_rules={"hr": ("198.51.100.0/24",)})
    [f] = run("AC034", context(snapshot(scopes=[scope("hr"), scope("bi")]), policy=policy))
    assert f.location.app_connector == "bi"
    ctx = context(snapshot(scopes=[scope("hr")]))
    assert run("AC034", ctx) == [] and any("IP rules" in n for n in ctx.notes)


def test_ac035_afas_connect_ips_after_go_live() -> None:
    rules = Policy(ip_rules={"hr": ("52.174.142.76", "198.51.100.0/24")}, go_live={"hr": date(2026, 1, 1)})
    [f] = run("AC035", context(snapshot("test", type="test", scopes=[scope("hr")]), policy=rules))
    assert "52.174.142.76" in f.text
    before = Policy(ip_rules={"hr": ("52.174.142.76",)}, go_live={"hr": date(2027, 1, 1)})
    assert run("AC035", context(snapshot(scopes=[scope("hr")]), policy=before)) == []
    # without a go-live date, production counts as live, test does not
    undated = Policy(ip_rules={"hr": ("52.174.142.0/24",)})
    assert len(run("AC035", context(snapshot(scopes=[scope("hr")]), policy=undated))) == 1
    assert run("AC035", context(snapshot("t", type="test", scopes=[scope("hr")]), policy=undated)) == []


def test_ac036_group_user_not_a_system_user() -> None:
    snap = snapshot(
        scopes=[
            scope("a", group="AuthorizationGroup 101 (12345.USER)"),
            scope("b", group="AuthorizationGroup 110 (12345.SYS_IAM)"),
        ]
    )
    [f] = run("AC036", context(snap, policy=Policy(system_users=("12345.SYS_IAM",))))
    assert f.location.app_connector == "a" and "12345.USER" in f.text
    ctx = context(snap)
    assert run("AC036", ctx) == [] and any("system users" in n for n in ctx.notes)


# ------------------------------------------------------------------------------------ secret checks
def _scan(*hits: ScanHit) -> ScanResult:
    return ScanResult(hits=list(hits))


def test_ac024_ac025_ac026_route_scan_hits() -> None:
    scan = _scan(
        ScanHit("classic-token", "config/prod.xml", 3, fingerprint="sha256:1"),
        ScanHit("classic-token-b64", "old.ps1", 9, commit="abc1234", fingerprint="sha256:2"),
        ScanHit("plain-header", "client.ps1", 4),
        ScanHit("soap-token", "soap.xml", 2, fingerprint="sha256:3"),
        ScanHit("classic-token", "logs/run.log", 80, fingerprint="sha256:1"),
        ScanHit("auth-header", "capture.har", 12, fingerprint="sha256:4", detail="bearer"),
    )
    ctx = context(scan=scan)
    ac24 = run("AC024", ctx)
    assert {f.path for f in ac24} == {"config/prod.xml:3", "old.ps1:9 @ abc1234"}
    assert any("(git history)" in f.text for f in ac24)
    assert {f.path for f in run("AC025", ctx)} == {"client.ps1:4", "soap.xml:2"}
    assert {f.path for f in run("AC026", ctx)} == {"logs/run.log:80", "capture.har:12"}


def test_secret_checks_silent_on_a_clean_scan_and_note_a_missing_one() -> None:
    for cid in ("AC024", "AC025", "AC026"):
        assert run(cid, context(scan=_scan(ScanHit("take-all", "a.py", 1)))) == []
    ctx = context()
    assert run("AC024", ctx) == [] and any("secret scan not run" in n for n in ctx.notes)


# ------------------------------------------------------------------------------------------ registry
def test_every_check_has_documentation_and_metadata() -> None:
    checks = all_checks()
    assert [c.id for c in checks] == [f"AC{i:03d}" for i in range(1, 40)]
    for c in checks:
        assert c.doc() and c.title and c.remediation and c.sources, c.id
        assert set(c.sources) <= set("abcde"), c.id
        assert c.auditor_coverage in ("full", "partial", "none")
        assert c.decidable in ("yes", "partly", "policy")
        if c.decidable != "yes":
            assert c.limits, f"{c.id} must say what it cannot decide"


#: security-checklist.md §1 "Aud" column: ✔ (full) or ◐ (partly); AC038/AC039 are the Auditor's own
#: PERF-34/PERF-52 messages. Every other check is beyond the Auditor (✘).
CHECKLIST_AUDITOR = {
    **{f"AC{i:03d}": "partial" for i in (5, 6, 7, 8, 9, 11, 17, 19, 22, 23, 28)},
    **{f"AC{i:03d}": "full" for i in (10, 13, 14, 16, 20, 27, 34, 35, 36, 38, 39)},
    "AC018": "partial",  # ✔ for stored filters, ✘ for URL filters
}


def test_auditor_coverage_follows_the_checklist_and_every_covered_check_has_a_reference() -> None:
    for c in all_checks():
        assert c.auditor_coverage == CHECKLIST_AUDITOR.get(c.id, "none"), c.id
        ref = c.auditor_reference()
        if c.auditor_coverage == "none":
            assert ref == "", c.id
            continue
        assert ref, f"{c.id} is covered by the Auditor ({c.auditor_coverage}) but names no correspondence"
        if not c.auditor:  # no message id: a description that says how far the Auditor goes
            assert ref.startswith("Auditor ") and ref.endswith("(◐)" if c.auditor_coverage == "partial" else "(✔)")


def test_findings_carry_the_auditor_reference_of_their_check() -> None:
    snap = snapshot(scopes=[scope("legacy", update=["KnUser"], token_expiry="0", auth_type="classic")],
                    update=[upd_conn("KnUser", "MtCd")])
    [ac5] = run("AC005", context(snap))
    assert ac5.reference == "Auditor lists UpdateConnectors without risk rating (◐)"
    [ac22] = run("AC022", context(snap))
    assert ac22.reference.startswith("Auditor ") and "expiry" in ac22.reference


def test_a_covered_check_without_a_reference_cannot_register() -> None:
    from afasgov.audit.registry import _REGISTRY, Check, register

    class Nameless(Check):
        """A check the Auditor covers partly, with nothing to say how."""

        id = "AC990"
        title = "x"
        auditor_coverage = "partial"

    try:
        with pytest.raises(TypeError, match="AC990"):
            register(Nameless)
    finally:
        _REGISTRY.pop("AC990", None)  # never leave a stray check behind for the other tests
