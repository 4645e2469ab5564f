"""`afasgov audit` end to end: config, definitions tree, policy, manifests, waivers, secret scan, formats."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from afasgov.cli import main
from afasgov.snapshot import write_tree

from .conftest import get_conn, scope, snapshot, upd_conn

CONFIG = {
    "environments": {
        "production": {
            "tenant": "12345",
            "type": "production",
            "app_connectors": {
                "legacy": {"auth": {"type": "classic", "token_env": "AUDIT_TEST_TOKEN"}},
                "bi": {
                    "auth": {
                        "type": "oauth",
                        "client_id": "bi",
                        "method": "private_key_jwt",
                        "private_key_env": "AUDIT_TEST_KEY",
                        "alg": "ES256",
                    }
                },
            },
        },
        "test": {
            "tenant": "12345",
            "type": "test",
            "app_connectors": {"legacy": {"auth": {"type": "classic", "token_env": "AUDIT_TEST_TOKEN2"}}},
        },
    },
}


def git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_SYSTEM": "/dev/null",
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    """A governance repository with one risky and one tidy App Connector and a token in its history."""
    (tmp_path / "afasgov.yaml").write_text(yaml.safe_dump(CONFIG))
    defs = tmp_path / "definitions"
    prod = snapshot(
        "production",
        envid="O12345AA",
        scopes=[
            scope(
                "legacy",
                get=["HR_Export"],
                update=["KnUser"],
                token_expiry="0",
                auth_type="classic",
                group="AuthorizationGroup 101 (12345.USER)",
            ),
            scope(
                "bi",
                get=["Fin_Ledger"],
                token_expiry="2027-04-30T00:00:00",
                auth_type="oauth",
                group="AuthorizationGroup 130 (12345.SYS_BI)",
            ),
        ],
        get=[
            get_conn("HR_Export", ("Medewerker", "Medewerker"), ("BSN", "BSN"), ("Geboortedatum", "Geboortedatum")),
            get_conn("Fin_Ledger", ("Rekening", "Grootboekrekening"), ("Bedrag", "Bedrag")),
        ],
        update=[upd_conn("KnUser", "MtCd", "Awin")],
    )
    write_tree(prod, defs)
    (defs / "integrations").mkdir()
    (defs / "integrations" / "finance-bi.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "finance-bi",
                "owner": "finance@example.org",
                "app_connector": "bi",
                "uses": {"get": {"Fin_Ledger": ["Rekening", "Bedrag"]}},
            }
        )
    )
    (defs / "policy.yaml").write_text(
        yaml.safe_dump(
            {
                "system_users": ["12345.SYS_BI"],
                "ip_rules": {"bi": ["203.0.113.0/24"]},
                "tokens": {
                    "bi": [{"issued": "2026-10-01"}],
                    "legacy": [{"issued": "2019-03-01", "last_used": "2026-11-01"}],
                },
                "allow": {"bi": {"get": ["Fin_Ledger"]}},
            }
        )
    )
    token = f"<token><version>1</version><data>{secrets.token_hex(32).upper()}</data></token>"
    git(tmp_path, "init", "-q")
    (tmp_path / "old-script.ps1").write_text(f"$token = '{token}'\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "initial")
    (tmp_path / "old-script.ps1").unlink()
    git(tmp_path, "commit", "-q", "-am", "remove token")
    return tmp_path, token


def audit(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(["--config", str(root / "afasgov.yaml"), "audit", "--as-of", "2026-11-21", *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_audit_json_findings_and_the_tidy_app_connector_is_clean(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, token = repo
    code, out, err = audit(root, "production", "--format", "json", capsys=capsys)
    assert code == 1, err
    data = json.loads(out)
    findings = data["findings"]
    by_id = {(f["id"], f["app_connector"]) for f in findings}
    assert ("AC005", "legacy") in by_id  # KnUser write
    assert ("AC011", "legacy") in by_id  # BSN without legal basis
    assert ("AC010", "legacy") in by_id  # birth date without justification
    assert ("AC022", "legacy") in by_id  # classic token never expires
    assert ("AC029", "legacy") in by_id  # classic token phase-out
    assert ("AC036", "legacy") in by_id  # not a system user
    assert ("AC034", "legacy") in by_id  # no IP rules declared
    assert ("AC027", "legacy") in by_id  # issued more than 12 months ago
    assert not [f for f in findings if f["app_connector"] == "bi"], "the tidy App Connector must be clean"
    history = [f for f in findings if f["id"] == "AC024"]
    assert history and "old-script.ps1" in history[0]["path"] and "(git history)" in history[0]["text"]
    ac5 = next(f for f in findings if f["id"] == "AC005")
    assert ac5["severity"] == "critical" and ac5["level"] == "ERR"
    assert ac5["remediation"] and ac5["fingerprint"] and ac5["connector"] == "KnUser"
    assert next(f for f in findings if f["id"] == "AC010")["auditor_ref"] == "AUT-19"
    assert data["summary"]["ERR"] >= 6
    assert any("test: no snapshot" in n for n in data["not_seen"]) is False  # only production was asked for
    assert data["as_of"] == "2026-11-21" and data["rules_hash"].startswith("sha256:")
    assert any(i["name"] == "policy" and i["sha256"].startswith("sha256:") for i in data["inputs"])
    assert token not in out + err and token[30:60] not in out + err


def test_missing_snapshot_and_undeclared_things_are_stated(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = repo
    code, out, _ = audit(root, "--format", "json", "--no-secret-scan", capsys=capsys)
    data = json.loads(out)
    notes = " ".join(data["not_seen"])
    assert "test: no snapshot" in notes
    assert "secret scan skipped" in notes
    assert "production/legacy: no policy allow-list or integration manifest" in notes
    assert code == 1


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "junit", "sarif", "github"])
def test_every_format_renders_without_secrets(
    repo: tuple[Path, str], fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root, token = repo
    code, out, _ = audit(root, "production", "--format", fmt, capsys=capsys)
    assert code == 1
    assert "AC005" in out
    assert token not in out and token[35:70] not in out


def test_text_output_carries_the_auditor_reference(repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    root, _ = repo
    _, out, _ = audit(root, "production", "--no-secret-scan", "--only", "AC010", capsys=capsys)
    assert "AFAS Auditor: AUT-19" in out
    assert "not seen:" in out


def test_fail_on_levels_and_waivers(repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    root, _ = repo
    args = ("production", "--no-secret-scan", "--only", "AC034", "--format", "json")
    code, out, _ = audit(root, *args, capsys=capsys)
    [finding] = json.loads(out)["findings"]
    assert finding["level"] == "WARN" and code == 0  # default --fail-on ERR
    assert audit(root, *args, "--fail-on", "WARN", capsys=capsys)[0] == 1
    assert audit(root, *args, "--fail-on", "medium", capsys=capsys)[0] == 1
    assert audit(root, *args, "--fail-on", "critical", capsys=capsys)[0] == 0
    (root / "definitions" / "waivers.yaml").write_text(
        yaml.safe_dump(
            {
                "waivers": [
                    {
                        "fingerprint": finding["fingerprint"],
                        "reason": "IP rules set in Profit, policy update pending",
                        "owner": "sec@example.org",
                        "expires": "2027-01-31",
                    }
                ]
            }
        )
    )
    code, out, _ = audit(root, *args, "--fail-on", "INFO", capsys=capsys)
    data = json.loads(out)
    assert code == 0 and data["findings"][0]["waived"] is True
    code, out, _ = audit(root, *args, "--fail-on", "INFO", "--as-of", "2027-02-01", capsys=capsys)
    assert code == 1 and any(w["status"] == "expired" for w in json.loads(out)["waivers"])


def test_output_file_is_written(repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    root, _ = repo
    target = root / "reports" / "audit.sarif"
    code, out, _ = audit(root, "production", "--format", "sarif", "--output", str(target), capsys=capsys)
    assert code == 1 and target.is_file()
    sarif = json.loads(target.read_text())
    assert any(r["ruleId"] == "AC005" for r in sarif["runs"][0]["results"])
    assert "written to" in out


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("allow: !!python/object/apply:os.system ['echo hi']\n", "tag"),
        ("a: &x [1]\nb: *x\n", "alias"),
        ("limits: {max_get_connectors: 1}\nlimits: {max_get_connectors: 2}\n", "duplicate key"),
        ("allow:\n  hr:\n    update: ['*']\n", "wildcard"),
        ("allow:\n  hr:\n    update: [Kn*]\n", "wildcard"),
        ("approved_write:\n  KnUsеr: [iam]\n", "U+0435"),
        ("surprise: 1\n", "unknown key"),
        ("ip_rules:\n  hr: [not-an-ip]\n", "not an IP"),
        ("limits: {max_get_connectors: -1}\n", "non-negative"),
    ],
)
def test_hostile_policy_is_exit_2_with_one_line(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str], policy: str, message: str
) -> None:
    root, _ = repo
    (root / "definitions" / "policy.yaml").write_text(policy, encoding="utf-8")
    code, out, err = audit(root, "production", "--no-secret-scan", capsys=capsys)
    assert code == 2 and out == ""  # no report at all on an input error
    assert message in err and "policy.yaml" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_hostile_manifest_is_exit_2(repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    root, _ = repo
    (root / "definitions" / "integrations" / "evil.yaml").write_text(
        "name: evil\nowner: x\napp_connector: bi\nuses:\n  update:\n    KnUsеr: '*'\n", encoding="utf-8"
    )
    code, _, err = audit(root, "production", "--no-secret-scan", capsys=capsys)
    assert code == 2 and "evil.yaml" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "args",
    [
        ("nowhere",),
        ("--fail-on", "loud"),
        ("--as-of", "tomorrow"),
        ("--only", "AC999"),
        ("--scan-timeout", "0"),
    ],
)
def test_usage_errors_are_exit_2(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    root, _ = repo
    code, _, err = audit(root, *args, capsys=capsys)
    assert code == 2 and "Traceback" not in err


def test_gcn_option_audits_a_definition_before_import(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str], gcn_corpus_files: list[Path]
) -> None:
    root, _ = repo
    transactions = [p for p in gcn_corpus_files if p.name.startswith("SH_AUDIT_Transactions")]
    if not transactions:
        pytest.skip("SH_AUDIT_Transactions.gcn not in the corpus")
    code, out, _ = audit(
        root,
        "production",
        "--no-secret-scan",
        "--gcn",
        str(transactions[0]),
        "--format",
        "json",
        "--only",
        "AC020",
        "--only",
        "AC010",
        "--fail-on",
        "INFO",
        capsys=capsys,
    )
    findings = json.loads(out)["findings"]
    assert any(f["id"] == "AC020" and f["connector_type"] == "gcn" for f in findings)  # aggregation (DATA-25)
    assert code == 1


def test_built_gcn_definitions_in_the_repository_are_audited(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from afasgov.gcn.build import build_gcn
    from afasgov.gcn.store import import_files

    root, _ = repo
    spec = {
        "name": "Lindeboom_HR_Bsn",
        "system": "Kn",
        "product": "Hrm",
        "data_collection": {"id": "B_Bcn00", "name": "Personen", "main_table": "Kn.Bcn", "main_alias": "Bcn"},
        "fields": [
            {"id": "U001", "source": "Kn.Bcn.BcCo", "output_name": "Nummer"},
            {"id": "U002", "source": "Kn.Bcn.SoSe", "output_name": "Bsn"},
            {"id": "U003", "source": "Kn.Bcn.DaBi", "output_name": "Geboren"},
        ],
        "filters": [[{"field": "U001", "operator": "contains", "value": "1"}]],
        "blocked": True,
    }
    incoming = root / "Lindeboom_HR_Bsn.gcn"
    incoming.write_bytes(build_gcn(spec))
    import_files([incoming], root / "definitions" / "getconnectors")
    code, out, _ = audit(root, "production", "--no-secret-scan", "--format", "json", "--fail-on", "INFO", capsys=capsys)
    findings = [f for f in json.loads(out)["findings"] if f["connector"] == "Lindeboom_HR_Bsn"]
    got = {(f["id"], f["field"]) for f in findings}
    assert ("AC011", "Bsn") in got and ("AC010", "Geboren") in got
    assert ("AC018", "U001") in got  # contains = slow operator (FILT-47)
    assert all(f["connector_type"] == "gcn" for f in findings)
    assert code == 1


# ------------------------------------------------------------------- where each finding belongs
def _second_environment(root: Path) -> None:
    """A test snapshot whose `legacy` App Connector may also write KnUser (and so may `iam`)."""
    test = snapshot(
        "test",
        type="test",
        scopes=[
            scope("legacy", update=["KnUser"], token_expiry="2027-01-31", auth_type="classic"),
            scope("iam", update=["KnUser"], token_expiry="2027-01-31", auth_type="oauth"),
        ],
        update=[upd_conn("KnUser", "MtCd", "Awin")],
    )
    write_tree(test, root / "definitions")


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "junit", "github", "sarif"])
def test_every_format_says_which_environment_and_app_connector(
    repo: tuple[Path, str], fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = repo
    _second_environment(root)
    _, out, _ = audit(root, "--no-secret-scan", "--only", "AC005", "--format", fmt, capsys=capsys)
    for where in ("production/legacy/KnUser", "test/legacy/KnUser", "test/iam/KnUser"):
        assert where in out, (fmt, where)
    if fmt == "text":
        assert "AFAS Auditor lists UpdateConnectors without risk rating (◐)" in out
    if fmt == "junit":
        from lxml import etree

        names = [c.get("name") for c in etree.fromstring(out.encode()).iter("testcase")]
        assert len(names) == 3 and len(set(names)) == 3


def test_waiver_paths_match_the_finding_location(repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    """The same waivers.yaml means the same in `afasgov audit` and `afasgov release-check`: a path pattern
    matches ``<environment>/<App Connector>/<canonical path>``."""
    root, _ = repo
    _second_environment(root)
    (root / "definitions" / "waivers.yaml").write_text(
        yaml.safe_dump(
            {
                "waivers": [
                    {"id": "AC005", "path": "test/*/KnUser", "reason": "test", "owner": "o", "expires": "2027-01-31"}
                ]
            }
        )
    )
    _, out, _ = audit(root, "--no-secret-scan", "--only", "AC005", "--format", "json", capsys=capsys)
    waived = {f["path"]: f["waived"] for f in json.loads(out)["findings"]}
    assert waived == {"production/legacy/KnUser": False, "test/legacy/KnUser": True, "test/iam/KnUser": True}


def test_waivers_option_replaces_the_configured_file(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    root, _ = repo
    args = ("production", "--no-secret-scan", "--only", "AC005", "--format", "json")
    elsewhere = tmp_path_factory.mktemp("w") / "team-waivers.yaml"
    elsewhere.write_text(
        yaml.safe_dump(
            [{"id": "AC005", "path": "production/legacy/**", "reason": "IAM", "owner": "o", "expires": "2027-01-31"}]
        )
    )
    code, out, _ = audit(root, *args, capsys=capsys)
    assert code == 1 and not json.loads(out)["findings"][0]["waived"]
    code, out, _ = audit(root, *args, "--waivers", str(elsewhere), capsys=capsys)
    assert code == 0 and json.loads(out)["findings"][0]["waived"] is True
    elsewhere.write_text("waivers:\n  - id: AC005\n")  # broken: exit 2 with file and entry, like diff
    code, _, err = audit(root, *args, "--waivers", str(elsewhere), capsys=capsys)
    assert code == 2 and "team-waivers.yaml" in err and "Traceback" not in err


# -------------------------------------------------------------- paths in "checked" and "not seen"
def test_checked_and_not_seen_print_paths_relative_to_the_config(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root, _ = repo
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    (root / "definitions" / "policy.yaml").rename(home / "policy.yaml")
    shutil.rmtree(root / "definitions" / "integrations")
    (root / "definitions" / "waivers.yaml").write_text(
        yaml.safe_dump([{"id": "AC005", "path": "x", "reason": "r", "owner": "o", "expires": "2027-01-31"}])
    )
    _, out, _ = audit(root, "production", "--policy", str(home / "policy.yaml"), "--format", "json", capsys=capsys)
    data = json.loads(out)
    assert str(root) not in out and str(home) not in out
    assert [w["source"] for w in data["waivers"]] == ["definitions/waivers.yaml: waivers[0]"]  # unused
    assert any(line.startswith("configuration afasgov.yaml") for line in data["checked"])
    assert any("no integration manifests in definitions/integrations" in n for n in data["not_seen"])
    assert {"policy": "~/policy.yaml"}.items() <= {i["name"]: i["location"] for i in data["inputs"]}.items()
    (home / "policy.yaml").rename(root / "definitions" / "policy.yaml")
    (root / "definitions" / "policy.yaml").unlink()
    _, text, _ = audit(root, "production", "--no-secret-scan", capsys=capsys)
    assert "no policy file (definitions/policy.yaml)" in text and str(root) not in text


# --------------------------------------------------------------------- what the secret scan reads
def test_the_scan_leaves_out_the_reports_dir_and_dist(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = repo
    config = {**CONFIG, "reports_dir": "out/audit-reports"}
    (root / "afasgov.yaml").write_text(yaml.safe_dump(config))
    quote = "evidence: TLS verification off (requests.get(url, verify=False))\n"
    for d in ("out/audit-reports", "dist", "reports"):
        (root / d).mkdir(parents=True)
        (root / d / "r.md").write_text(quote)
    args = ("production", "--only", "AC030", "--format", "json", "--no-history")
    _, out, _ = audit(root, *args, capsys=capsys)
    data = json.loads(out)
    files = {f["path"].split(":")[0] for f in data["findings"]}
    assert files == {"reports/r.md"}  # not the configured reports_dir, so still scanned
    assert any("out/audit-reports" in n and "dist" in n for n in data["not_seen"])
    _, out, _ = audit(root, *args, "--scan-exclude", "reports", capsys=capsys)
    assert json.loads(out)["findings"] == []
    _, out, _ = audit(root, *args, "--no-default-excludes", capsys=capsys)
    files = {f["path"].split(":")[0] for f in json.loads(out)["findings"]}
    assert files == {"reports/r.md", "dist/r.md", "out/audit-reports/r.md"}


def test_configured_secret_files_are_not_scanned_but_other_owner_only_files_are(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = repo
    config = yaml.safe_load(yaml.safe_dump(CONFIG))
    config["environments"]["test"]["app_connectors"]["legacy"]["auth"] = {
        "type": "classic",
        "token_file": "local/test.token",
    }
    (root / "afasgov.yaml").write_text(yaml.safe_dump(config))
    (root / "local").mkdir(mode=0o700)
    token = f"<token><version>1</version><data>{secrets.token_hex(32).upper()}</data></token>"
    (root / "local" / "test.token").write_text(token)
    (root / "local" / "test.token").chmod(0o600)
    (root / "key.pem").write_text(
        "-----BEGIN PRIVATE KEY-----\n" + "\n".join(["MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg" * 1] * 4)
        + "\n-----END PRIVATE KEY-----\n"
    )
    (root / "key.pem").chmod(0o600)
    _, out, err = audit(root, "production", "--format", "json", "--no-history", capsys=capsys)
    data = json.loads(out)
    paths = {f["path"].split(":")[0] for f in data["findings"] if f["connector_type"] == "file"}
    assert "key.pem" in paths and "local/test.token" not in paths
    assert any("local/test.token" in n and ".gitignore" in n for n in data["not_seen"])
    assert token not in out + err


def test_ac029_and_ac030_fire_from_the_keys_of_a_real_afasgov_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The configuration fields AC029 (client-secret issue date and validity) and AC030 (a custom CA for an
    AFAS host) read exist in afasgov.yaml: the audit of that file reports them."""
    config = {
        "environments": {
            "production": {
                "tenant": "12345",
                "type": "production",
                "ca_file": "certs/proxy-ca.pem",
                "app_connectors": {
                    "fin": {
                        "auth": {
                            "type": "oauth",
                            "client_id": "fin",
                            "method": "client_secret_post",
                            "client_secret_env": "AUDIT_TEST_SECRET",
                            "secret_issued": "2026-01-02",
                            "secret_validity_days": 90,
                        }
                    }
                },
            }
        }
    }
    (tmp_path / "afasgov.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["--config", str(tmp_path / "afasgov.yaml"), "audit", "--no-secret-scan", "--as-of", "2026-11-01",
              "--only", "AC029", "--only", "AC030", "--format", "json"])
    assert exc.value.code == 1
    findings = {f["id"]: f for f in json.loads(capsys.readouterr().out)["findings"]}
    assert findings["AC029"]["text"] == "client secret expired on 2026-04-02"
    assert findings["AC029"]["evidence"] == "secret issued 2026-01-02, validity 90 days"
    assert findings["AC029"]["path"] == "production/fin"
    assert "custom CA bundle" in findings["AC030"]["text"] and "proxy-ca.pem" in findings["AC030"]["evidence"]


def test_secret_dates_are_refused_for_private_key_jwt_and_must_be_dates(tmp_path: Path) -> None:
    from afasgov.config.loader import parse_config
    from afasgov.errors import ConfigError

    def auth(**extra: object) -> dict[str, object]:
        return {"environments": {"p": {"tenant": "12345", "type": "production", "app_connectors": {
            "a": {"auth": {"type": "oauth", "client_id": "a", **extra}}}}}}

    with pytest.raises(ConfigError, match="secret_issued: only applies to a client secret"):
        parse_config(auth(method="private_key_jwt", private_key_env="K", secret_issued="2026-01-01"),
                     path=None, root=tmp_path)
    with pytest.raises(ConfigError, match="must be a date"):
        parse_config(auth(client_secret_env="S", secret_issued="soon"), path=None, root=tmp_path)
    ok = parse_config(auth(client_secret_env="S", secret_issued="2026-01-01", secret_validity_days=30),
                      path=None, root=tmp_path)
    a = ok.environments["p"].app_connectors["a"].auth
    assert (a.secret_issued.isoformat() if a.secret_issued else None, a.secret_validity_days) == ("2026-01-01", 30)
