"""Policy parsing (hostile inputs), adapters from other packages, the privacy dictionary, docs."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov.audit import adapters
from afasgov.audit.docs import DOC_PATH, render_checks_markdown
from afasgov.audit.privacy import Tier, classify_gcn_field, classify_label
from afasgov.audit.registry import get_check
from afasgov.errors import InputError, UsageError
from afasgov.findings import Severity, parse_fail_on
from afasgov.policy import load_policy, policy_from_text, validate_connector_id

from .conftest import gcn_field


def test_a_full_policy_parses() -> None:
    policy = policy_from_text("""
partner: true
limits: {max_get_connectors: 4, max_update_connectors: 1, max_token_validity_days: 365}
allow:
  hr-sync: {get: [HR_Employees, "*"], update: [KnEmployee]}
approved_write: {KnUser: [iam, production/iam]}
large_tables: [Hr.RCo, Kn.Emp]
system_users: ["12345.SYS_HR"]
ip_rules: {hr-sync: ["198.51.100.0/24", "2001:db8::/32"]}
go_live: {hr-sync: 2026-03-01}
tokens: {hr-sync: [{issued: 2026-01-01, last_used: 2026-11-01}]}
oauth_secrets: {finance: {issued: 2026-06-01, validity_days: 90}}
justified_fields:
  - {field: Kn.Bcn.SoSe, connector: HR_Employees, purpose: payroll tax, legal_basis: Wet LB 1964}
justified_aggregations: [HR_Totals]
maintainers: ["12345.admin"]
takes: {HR_Employees: 500}
""")
    assert policy.partner and policy.max_get_connectors == 4
    assert policy.allow["hr-sync"]["update"] == ("KnEmployee",)
    assert policy.is_approved("KnUser", "production", "iam", "")
    assert policy.oauth_secrets["finance"] == (date(2026, 6, 1), 90)
    assert policy.justified_fields[0].legal_basis == "Wet LB 1964"
    assert len(policy.sha256) == 64


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("allow: !!python/object/apply:os.system ['id']\n", "tag"),
        ("x: !custom 1\n", "tag"),
        ("a: &a [1]\nb: *a\n", "alias"),
        ("partner: true\npartner: false\n", "duplicate key"),
        ("allow: {hr: {update: ['*']}}\n", "wildcard"),
        ("allow: {hr: {update: ['Kn?ser']}}\n", "wildcard"),
        ("allow: {hr: {get: [Kn*]}}\n", "wildcard"),
        ("allow: {hr: {get: [KnUsеr]}}\n", "CYRILLIC SMALL LETTER IE"),
        ("allow: {hr: {update: [Ｋｎ-User]}}\n", "must match"),
        ("allow: {hr: {delete: [X]}}\n", "unknown key"),
        ("partner: yes please\n", "true or false"),
        ("limits: {max_get_connectors: ten}\n", "integer"),
        ("limits: {bogus: 1}\n", "unknown key"),
        ("large_tables: [Employees]\n", "System.Table"),
        ("ip_rules: {hr: [999.1.1.1]}\n", "not an IP"),
        ("go_live: {hr: someday}\n", "not a date"),
        ("oauth_secrets: {fin: {validity_days: 3}}\n", "issued: required"),
        ("justified_fields: [{field: BSN}]\n", "purpose"),
        ("- just\n- a list\n", "mapping"),
        ("takes: {X: many}\n", "integer"),
    ],
)
def test_hostile_or_malformed_policies_are_refused(text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        policy_from_text(text, source="policy.yaml")
    assert message in str(info.value)
    assert str(info.value).startswith("policy.yaml")


def test_policy_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("maintainers: [" + ", ".join(["x"] * 400_000) + "]\n")
    with pytest.raises(InputError, match="limit"):
        load_policy(path)


@settings(max_examples=150)
@given(st.text(min_size=1, max_size=20))
def test_connector_ids_are_ascii_or_refused(value: str) -> None:
    try:
        out = validate_connector_id(value, source="p", where="w")
    except InputError:
        return
    assert re.fullmatch(r"[A-Za-z0-9_]+", out)
    assert out == unicodedata.normalize("NFKC", value)


def test_fullwidth_ids_normalise_to_the_real_connector() -> None:
    # NFKC maps compatibility forms (full-width letters) onto ASCII: the id then names the real
    # connector, so it cannot slip past an allow-list as "something else".
    assert validate_connector_id("ＫｎＵｓｅｒ", source="p", where="w") == "KnUser"


def test_fail_on_accepts_levels_and_severities() -> None:
    assert [parse_fail_on(v) for v in ("err", "WARN", "critical", "high", "medium", "low", "info")] == [
        "ERR",
        "WARN",
        "ERR",
        "ERR",
        "WARN",
        "INFO",
        "INFO",
    ]
    with pytest.raises(UsageError):
        parse_fail_on("loud")


def test_finding_redacts_evidence_and_has_a_stable_fingerprint() -> None:
    token = "<token><version>1</version><data>" + "9A" * 32 + "</data></token>"
    check = get_check("AC024")()
    f = check.finding(f"found {token}", environment="p", path="a.xml:1", evidence=f"value {token}", key="k")
    assert token not in f.text and token not in f.evidence
    assert f.severity is Severity.CRITICAL and f.kind == "audit"
    again = check.finding("other text", environment="p", path="a.xml:1", key="k")
    assert f.fingerprint == again.fingerprint
    assert f.fingerprint != check.finding("x", environment="q", path="a.xml:1", key="k").fingerprint


# ------------------------------------------------------------------------------------ adapters
def test_manifest_adapter_on_the_integrations_loader(tmp_path: Path) -> None:
    from afasgov.integrations import load_manifests

    (tmp_path / "pension.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "pension",
                "owner": "hr@example.org",
                "app_connector": {"production": "hr-export"},
                "uses": {"get": {"HR_Export": ["BSN", "Naam"]}, "update": {"KnEmployee": "*"}},
                "justifications": {
                    "HR_Export/Fields/BSN": "pension fund by law (Pensioenwet art. 1)",
                    "Geboortedatum": "age-dependent contribution",
                },
            }
        )
    )
    [m] = [adapters.manifest_view(x) for x in load_manifests(tmp_path)]
    assert m.app_connector_for("production") == "hr-export" and m.app_connector_for("test") == ""
    assert m.uses_get == {"HR_Export": ("BSN", "Naam")} and m.uses_update == {"KnEmployee": "*"}
    bsn = [j for j in m.justifications if j.target in ("BSN", "HR_Export/Fields/BSN")]
    assert bsn and all(j.legal_basis and j.connector == "HR_Export" for j in bsn)
    birth = next(j for j in m.justifications if j.target == "Geboortedatum")
    assert birth.purpose and not birth.legal_basis


def test_gcn_adapter_on_real_exports(gcn_corpus_files: list[Path]) -> None:
    from afasgov.gcn.store import load_definition

    views = [adapters.gcn_view(load_definition(p), path=p.name) for p in gcn_corpus_files]
    assert all(v.name and v.fields for v in views)
    grouped = [v for v in views if v.name.startswith("SH_AUDIT_Transactions")]
    if grouped:
        assert any(f.aggregation for f in grouped[0].fields)
    assert any(v.has_filter for v in views) and any(not v.has_filter for v in views)
    assert any(f.source == "Kn.Bcn.DaBi" or f.join_path for v in views for f in v.fields)


def test_privacy_dictionary_on_real_employee_exports(gcn_corpus_files: list[Path]) -> None:
    from afasgov.gcn.store import load_definition

    employees = [p for p in gcn_corpus_files if "Employee" in p.name and "HelloID" in p.name]
    if not employees:
        pytest.skip("no HelloID employee export in the corpus")
    tiers = set()
    for p in employees:
        for f in adapters.gcn_view(load_definition(p)).output_fields:
            m = classify_gcn_field(f)
            if m:
                tiers.add(m.tier)
    assert Tier.BIRTH in tiers  # U058 "Geboortedatum" (security-checklist §1b)
    assert Tier.PRIVATE_CONTACT in tiers or Tier.IDENTITY in tiers


@pytest.mark.parametrize(
    ("label", "tier"),
    [
        ("Burgerservicenummer", Tier.BSN),
        ("Sofinummer", Tier.BSN),
        ("Social security number", Tier.BSN),
        ("Paspoortnummer", Tier.ID_DOCUMENT),
        ("Reden ziekmelding", Tier.HEALTH),
        ("IBAN", Tier.BANK),
        ("Bankrekening", Tier.BANK),
        ("Uurloon", Tier.SALARY),
        ("Salary", Tier.SALARY),
        ("Geboortedatum", Tier.BIRTH),
        ("DateOfBirth", Tier.BIRTH),
        ("Geslacht code", Tier.IDENTITY),
        ("Nationaliteit", Tier.IDENTITY),
        ("Burgerlijke staat", Tier.IDENTITY),
        ("E-mail privé", Tier.PRIVATE_CONTACT),
        ("Private phone", Tier.PRIVATE_CONTACT),
        ("Mobiel privé", None),
        ("Telefoon privé", Tier.PRIVATE_CONTACT),
    ],
)
def test_labels_in_dutch_and_english(label: str, tier: Tier | None) -> None:
    m = classify_label(label)
    if tier is None:
        return
    assert m is not None and m.tier is tier


@pytest.mark.parametrize(
    "label",
    [
        "Medewerker",
        "Naam",
        "Functie",
        "Grootboekrekening",
        "Percentage",
        "Werkgever",
        "E-mail werk",
        "Afdeling",
        "Kostenplaats",
    ],
)
def test_ordinary_labels_are_not_sensitive(label: str) -> None:
    assert classify_label(label) is None


def test_path_specific_gcn_sources() -> None:
    gender = gcn_field("U1", "Geslacht", source="Kn.Ctv.VaId", join="Emp.KnBcn.KnCtv4")
    employment_type = gcn_field("U2", "Soort", source="Kn.Ctv.Ds", join="Acd.HrEtc.KnCtv5")
    private_address = gcn_field("U3", "Straat", source="Kn.Bad.Ad", join="Emp.KnBcn.KnBad1")
    assert classify_gcn_field(gender) is not None and classify_gcn_field(gender).tier is Tier.IDENTITY  # type: ignore[union-attr]
    assert classify_gcn_field(employment_type) is None
    assert classify_gcn_field(private_address).tier is Tier.PRIVATE_CONTACT  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------- docs
def test_checks_md_is_generated_and_current() -> None:
    text = render_checks_markdown()
    assert DOC_PATH.read_text(encoding="utf-8") == text, "run: python -m afasgov.audit.docs"
    for i in range(1, 40):
        assert f"### AC{i:03d}" in text
    assert "What cannot be decided from the available data" in text


def test_docs_check_mode(tmp_path: Path) -> None:
    from afasgov.audit.docs import main

    target = tmp_path / "checks.md"
    assert main(["--check", "--output", str(target)]) == 1
    assert main(["--output", str(target)]) == 0
    assert main(["--check", "--output", str(target)]) == 0
