"""``fleet:`` in afasgov.yaml and the tenants file (issue 15 §1): templates, tags, shards, and every
error naming the file, the key path and the tenant."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov.config import load_config
from afasgov.config.fleet import check_template, load_fleet, parse_shard, shard_of
from afasgov.errors import ConfigError, UsageError

FLEET: dict[str, Any] = {
    "fleet": {
        "tenants": "fleet/tenants.yaml",
        "environments": ["production", "accept"],
        "auth": {
            "helloid": {"type": "classic", "token_env": "AFAS_{tenant}_{ENV}_TOKEN"},
            "bi": {
                "type": "oauth",
                "client_id": "bi-{tenant}",
                "client_secret_file": "secrets/{tenant}/{env}/{app}.secret",
            },
        },
    }
}


def tenants_doc(n: int, **extra: Any) -> dict[str, Any]:
    tenants = [{"id": str(10000 + i), "name": f"Customer {i} BV", "tags": ["payroll"] + (["eu"] if i % 2 else [])}
               for i in range(n)]
    for i, fields in extra.items():
        tenants[int(i.lstrip("t"))].update(fields)
    return {"tenants": tenants}


def setup_fleet(tmp_path: Path, tenants: Any, config: dict[str, Any] | None = None) -> Path:
    (tmp_path / "fleet").mkdir(parents=True, exist_ok=True)
    (tmp_path / "fleet" / "tenants.yaml").write_text(
        tenants if isinstance(tenants, str) else yaml.safe_dump(tenants, sort_keys=False), encoding="utf-8"
    )
    path = tmp_path / "afasgov.yaml"
    path.write_text(yaml.safe_dump(config or FLEET, sort_keys=False), encoding="utf-8")
    return path


def test_tenants_expand_into_environments_with_templated_secrets(tmp_path: Path) -> None:
    config = load_config(setup_fleet(tmp_path, tenants_doc(3)))
    assert config.fleet is not None and not config.environments
    fleet = load_fleet(config.fleet)
    assert [t.id for t in fleet.tenants] == ["10000", "10001", "10002"]
    t = fleet.tenants[1]
    assert t.name == "Customer 1 BV" and t.tags == ("payroll", "eu")
    accept = t.environments["accept"]
    assert accept.name == "10001-accept" and accept.tenant == "10001" and accept.type == "accept"
    assert accept.base_url == "https://10001.restaccept.afas.online/ProfitRestServices"
    hello = accept.app_connectors["helloid"].auth
    assert hello.token is not None and hello.token.ref == "AFAS_10001_ACCEPT_TOKEN"
    bi = accept.app_connectors["bi"].auth
    assert bi.client_id == "bi-10001"
    assert bi.client_secret is not None and bi.client_secret.path == tmp_path / "secrets/10001/accept/bi.secret"
    assert config.fleet.definitions_dir == tmp_path / "definitions" / "fleet"
    assert config.fleet.reports_dir == tmp_path / "reports" / "fleet"


def test_secret_rules_apply_to_templated_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(setup_fleet(tmp_path, tenants_doc(2)))
    assert config.fleet is not None
    env = load_fleet(config.fleet).tenants[0].environments["production"]
    with pytest.raises(ConfigError) as missing:
        env.app_connectors["helloid"].secret()
    text = str(missing.value)
    assert "AFAS_10000_PRODUCTION_TOKEN is not set" in text
    assert "fleet.auth.helloid" in text and "tenant 10000" in text and "production" in text
    secret = tmp_path / "secrets/10000/production/bi.secret"
    secret.parent.mkdir(parents=True)
    secret.write_text("s3cr3t-value\n")
    os.chmod(secret, 0o644)
    with pytest.raises(ConfigError, match=r"readable or writable by group or others.*chmod 600"):
        env.app_connectors["bi"].secret()
    os.chmod(secret, 0o600)
    assert env.app_connectors["bi"].secret().reveal() == "s3cr3t-value"
    monkeypatch.setenv("AFAS_10000_PRODUCTION_TOKEN", "token")
    assert env.app_connectors["helloid"].secret().reveal() == "token"


def test_per_tenant_environments_and_auth_overrides(tmp_path: Path) -> None:
    doc = tenants_doc(2, t1={"environments": ["accept"], "auth": {"bi": {"client_id": "special-{tenant}"}}})
    config = load_config(setup_fleet(tmp_path, doc))
    assert config.fleet is not None
    t = load_fleet(config.fleet).tenants[1]
    assert list(t.environments) == ["accept"]
    assert t.environments["accept"].app_connectors["bi"].auth.client_id == "special-10001"


@pytest.mark.parametrize(
    ("change", "key_path", "reason"),
    [
        ({"tenants": "nope"}, "tenants", "must be a list"),
        ({"tenants": [{"id": 12345, "name": "A"}]}, "tenants[0].id", 'quote it: id: "12345"'),
        ({"tenants": [{"id": "12a", "name": "A"}]}, "tenants[0].id", "AFAS environment number"),
        ({"tenants": [{"id": "1", "name": "A", "tag": ["x"]}]}, "tenants[0] (1 A).tag", "did you mean 'tags'"),
        ({"tenants": [{"id": "1", "name": "A", "tags": ["ok", "no spaces"]}]}, "tenants[0] (1 A).tags[1]", "tag"),
        ({"tenants": [{"id": "1", "name": "A"}, {"id": "1", "name": "B"}]}, "tenants[1] (1 B).id",
         "listed twice (also tenants[0])"),
        ({"tenants": [{"id": "1"}]}, "tenants[0] (1).name", "is required"),
        ({"tenants": [{"id": "1", "name": "A", "environments": ["prod"]}]}, "tenants[0] (1 A).environments[0]",
         "must be one of"),
        ({"tenants": [{"id": "1", "name": "A", "auth": {"crm": {}}}]}, "tenants[0] (1 A).auth.crm", "unknown key"),
        ({"tenants": [{"id": "1", "name": "A", "auth": {"bi": {"client_secret_env": "X-{tenant}"}}}]},
         "tenants[0] (1 A).auth.bi", "both set"),
        ({"tenants": [{"id": "1", "name": "A", "auth": {"helloid": {"token_env": "T_{tennant}"}}}]},
         "tenants[0] (1 A).auth.helloid.token_env", "unknown placeholder {tennant}"),
    ],
)
def test_every_tenants_file_error_names_file_key_path_and_tenant(
    tmp_path: Path, change: dict[str, Any], key_path: str, reason: str
) -> None:
    config = load_config(setup_fleet(tmp_path, change))
    assert config.fleet is not None
    with pytest.raises(ConfigError) as info:
        load_fleet(config.fleet)
    err = info.value
    assert err.file == str(tmp_path / "fleet" / "tenants.yaml")
    assert err.key_path is not None and err.key_path.startswith(key_path), err.key_path
    assert reason in str(err)
    assert "\n" not in str(err)


@pytest.mark.parametrize(
    ("fleet", "key_path", "reason"),
    [
        ({"environments": ["production"]}, "fleet.tenants", "is required"),
        ({"tenants": "t.yaml"}, "fleet.auth", "is required"),
        ({"tenants": "t.yaml", "auth": {"a": {"type": "classic", "token_env": "T_{tenant"}}},
         "fleet.auth.a.token_env", "not a valid template"),
        ({"tenants": "t.yaml", "auth": {"a": {"type": "classic", "token_env": "T_{customer}"}}},
         "fleet.auth.a.token_env", "unknown placeholder {customer}"),
        ({"tenants": "t.yaml", "auth": {"a": {"type": "classic", "token_env": "T-{tenant}"}}},
         "fleet.auth.a.token_env", "not an environment variable name"),
        ({"tenants": "t.yaml", "auth": {"a": {"type": "classic", "token_env": "T"}}, "environments": ["prod"]},
         "fleet.environments[0]", "must be one of"),
        ({"tenants": "t.yaml", "auth": {"a": {"type": "classic", "token_env": "T"}},
          "base_url": "http://example.com/{tenant}"}, "fleet.base_url", "loopback"),
        ({"tenants": "t.yaml", "auth": {"a": {"type": "classic", "token_env": "T"}}, "tenant": "x"},
         "fleet.tenant", "did you mean 'tenants'"),
    ],
)
def test_fleet_section_errors_name_the_key_when_afasgov_yaml_is_loaded(
    tmp_path: Path, fleet: dict[str, Any], key_path: str, reason: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(setup_fleet(tmp_path, tenants_doc(1), {"fleet": fleet}))
    assert info.value.file == str(tmp_path / "afasgov.yaml")
    assert info.value.key_path is not None and info.value.key_path.startswith(key_path)
    assert reason in str(info.value)


def test_base_url_template_for_a_simulator(tmp_path: Path) -> None:
    cfg = dict(FLEET["fleet"], base_url="http://127.0.0.1:8123/{tenant}-{env}/ProfitRestServices",
               allow_non_afas_host=True)
    config = load_config(setup_fleet(tmp_path, tenants_doc(1), {"fleet": cfg}))
    assert config.fleet is not None
    env = load_fleet(config.fleet).tenants[0].environments["accept"]
    assert env.base_url == "http://127.0.0.1:8123/10000-accept/ProfitRestServices"
    assert "loopback" in env.flags


def test_tags_select_tenants(tmp_path: Path) -> None:
    config = load_config(setup_fleet(tmp_path, tenants_doc(6)))
    assert config.fleet is not None
    fleet = load_fleet(config.fleet)
    assert [t.id for t in fleet.select(["eu"])] == ["10001", "10003", "10005"]
    assert [t.id for t in fleet.select(["eu", "payroll"])] == ["10001", "10003", "10005"]
    assert fleet.select(["nope"]) == []


def test_shards_partition_the_fleet_and_are_stable_as_it_grows(tmp_path: Path) -> None:
    config = load_config(setup_fleet(tmp_path, tenants_doc(300)))
    assert config.fleet is not None
    fleet = load_fleet(config.fleet)
    shards = [fleet.select(shard=(k, 4)) for k in range(1, 5)]
    ids = [t.id for shard in shards for t in shard]
    assert sorted(ids) == sorted(t.id for t in fleet.tenants)  # a partition: each tenant exactly once
    assert min(len(s) for s in shards) > 40  # and a fair one (300 / 4 = 75 each on average)
    # the list grows (and is reordered): every tenant that was there stays in its shard
    grown = load_config(setup_fleet(tmp_path / "g", {"tenants": list(reversed(tenants_doc(400)["tenants"]))}))
    assert grown.fleet is not None
    grown_fleet = load_fleet(grown.fleet)
    for k in range(1, 5):
        before = {t.id for t in shards[k - 1]}
        after = {t.id for t in grown_fleet.select(shard=(k, 4))}
        assert before <= after


@given(st.text(alphabet="0123456789", min_size=1, max_size=12), st.integers(1, 64))
@settings(max_examples=200)
def test_shard_of_is_in_range_and_deterministic(tenant: str, n: int) -> None:
    assert 1 <= shard_of(tenant, n) == shard_of(tenant, n) <= n


def test_shard_spread_is_even() -> None:
    counts = Counter(shard_of(str(10000 + i), 8) for i in range(8000))
    assert all(900 < c < 1100 for c in counts.values())


@pytest.mark.parametrize("text", ["0/4", "5/4", "2", "a/b", "1/0", "1/1001", "-1/4"])
def test_bad_shard_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="--shard"):
        parse_shard(text)


def test_templates() -> None:
    assert check_template("AFAS_{tenant}_{ENV}") is None
    assert check_template("literal {{braces}}") is None
    assert "unknown placeholder" in (check_template("{x}") or "")
    assert "format spec" in (check_template("{tenant:>5}") or "")
    assert "not a valid template" in (check_template("{tenant") or "")
