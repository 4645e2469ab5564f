"""afasgov.yaml: discovery, strict validation (file + key path + reason), secret sources, URLs."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from afasgov.config import find_config, load_config, parse_config
from afasgov.errors import ConfigError, UsageError

MINIMAL = """\
environments:
  production:
    tenant: "12345"
    type: production
    app_connectors:
      hr-sync:
        auth: {type: classic, token_env: AFAS_PROD_HRSYNC_TOKEN}
"""


def write(tmp_path: Path, text: str, name: str = "afasgov.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def load_dict(tmp_path: Path, data: Any) -> Any:
    return load_config(write(tmp_path, yaml.safe_dump(data, sort_keys=False)))


def env_with(**overrides: Any) -> dict[str, Any]:
    env: dict[str, Any] = {
        "tenant": "12345",
        "type": "production",
        "app_connectors": {"a": {"auth": {"type": "classic", "token_env": "T"}}},
    }
    env.update(overrides)
    return {"environments": {"production": env}}


def auth_with(**auth: Any) -> dict[str, Any]:
    return env_with(app_connectors={"a": {"auth": auth}})


def test_minimal_config_and_defaults(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, MINIMAL))
    assert cfg.path == (tmp_path / "afasgov.yaml").resolve()
    assert cfg.root == tmp_path.resolve()
    assert cfg.definitions_dir == tmp_path.resolve() / "definitions"
    assert cfg.reports_dir == tmp_path.resolve() / "reports"
    assert cfg.integrations_dir == tmp_path.resolve() / "definitions" / "integrations"
    assert cfg.waivers == tmp_path.resolve() / "definitions" / "waivers.yaml"
    env = cfg.environment("production")
    assert env.base_url == "https://12345.rest.afas.online/ProfitRestServices"
    assert not env.base_url_overridden
    assert env.language == "en-us" and env.max_in_flight == 8 and env.integration_id is None
    assert env.flags == ()
    ac = env.app_connectors["hr-sync"]
    assert ac.auth.type == "classic" and ac.auth.token is not None
    assert ac.auth.token.kind == "env" and ac.auth.token.ref == "AFAS_PROD_HRSYNC_TOKEN"
    assert ac.key_path == "environments.production.app_connectors.hr-sync"


@pytest.mark.parametrize(
    ("env_type", "host"),
    [
        ("production", "12345.rest.afas.online"),
        ("test", "12345.resttest.afas.online"),
        ("accept", "12345.restaccept.afas.online"),
        ("training", "12345.restcursus.afas.online"),
    ],
)
def test_base_url_per_type(tmp_path: Path, env_type: str, host: str) -> None:
    cfg = load_dict(tmp_path, env_with(type=env_type))
    assert cfg.environment("production").base_url == f"https://{host}/ProfitRestServices"


def test_full_example_from_design(tmp_path: Path) -> None:
    text = """\
definitions_dir: defs
reports_dir: out/reports
integrations_dir: defs/integrations
waivers: defs/waivers.yaml
environments:
  production:
    tenant: "12345"
    type: production
    base_url: null
    integration_id: null
    app_connectors:
      hr-sync:
        auth: {type: classic, token_env: AFAS_PROD_HRSYNC_TOKEN}
      finance:
        auth: {type: oauth, client_id: "fin-client", method: client_secret_post, client_secret_env: AFAS_FIN}
      iam:
        auth: {type: oauth, client_id: "iam", method: private_key_jwt, private_key_file: ~/.keys/iam.pem,
               alg: ES256, kid: null}
  test:
    tenant: "12345"
    type: test
    language: nl-NL
    max_in_flight: 4
    integration_id: "12345_678"
"""
    cfg = load_config(write(tmp_path, text))
    assert cfg.definitions_dir == tmp_path.resolve() / "defs"
    assert cfg.reports_dir == tmp_path.resolve() / "out" / "reports"
    prod = cfg.environment("production")
    assert list(prod.app_connectors) == ["hr-sync", "finance", "iam"]
    iam = prod.app_connectors["iam"].auth
    assert iam.method == "private_key_jwt" and iam.alg == "ES256" and iam.kid is None
    assert iam.private_key is not None and iam.private_key.path == Path.home() / ".keys" / "iam.pem"
    assert prod.app_connectors["finance"].auth.label == "oauth/client_secret_post"
    test = cfg.environment("test")
    assert test.language == "nl-nl" and test.max_in_flight == 4 and test.integration_id == "12345_678"
    assert [e.name for e in cfg.select([])] == ["production", "test"]
    assert [e.name for e in cfg.select(["test", "production", "test"])] == ["test", "production"]


def test_discovery_upwards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, MINIMAL)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert find_config() == (tmp_path / "afasgov.yaml").resolve()
    assert load_config(None).root == tmp_path.resolve()


def test_no_config_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    if find_config() is not None:
        pytest.skip("an afasgov.yaml exists above the temp directory")
    with pytest.raises(ConfigError, match=r"no afasgov\.yaml found"):
        load_config(None)


def test_explicit_config_missing_or_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found") as info:
        load_config(tmp_path / "nope.yaml")
    assert info.value.file == str(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="directory"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    ("data", "key_path", "reason"),
    [
        ({"definitons_dir": "x"}, "definitons_dir", "did you mean 'definitions_dir'"),
        ({"environments": []}, "environments", "must be a mapping"),
        (env_with(tenat="1"), "environments.production.tenat", "did you mean 'tenant'"),
        (env_with(tenant=12345), "environments.production.tenant", 'quote it: tenant: "12345"'),
        (env_with(tenant="12a45"), "environments.production.tenant", "environment number"),
        (
            env_with(type="prod"),
            "environments.production.type",
            "must be one of production, test, accept, training",
        ),
        ({"environments": {"p": {"type": "test"}}}, "environments.p.tenant", "is required"),
        (
            {"environments": {"bad name": {"tenant": "1", "type": "test"}}},
            "environments.bad name",
            "must be 1-64",
        ),
        ({"environments": {"../x": {"tenant": "1", "type": "test"}}}, "environments.../x", "must be 1-64"),
        (env_with(max_in_flight=9), "environments.production.max_in_flight", "between 1 and 8"),
        (env_with(max_in_flight=0), "environments.production.max_in_flight", "between 1 and 8"),
        (env_with(max_in_flight="4"), "environments.production.max_in_flight", "must be an integer"),
        (env_with(max_in_flight=True), "environments.production.max_in_flight", "must be an integer"),
        (env_with(language="english please"), "environments.production.language", "language tag"),
        (
            env_with(integration_id="a b\r\nX-Evil: 1"),
            "environments.production.integration_id",
            "header value",
        ),
        (env_with(allow_non_afas_host="yes"), "environments.production.allow_non_afas_host", "true or false"),
        (env_with(timeout_seconds=0), "environments.production.timeout_seconds", "between 1 and 900"),
        (env_with(app_connectors={"a": {}}), "environments.production.app_connectors.a.auth", "is required"),
        (
            env_with(app_connectors={"a": {"auth": {"type": "classic", "token_env": "T"}, "x": 1}}),
            "environments.production.app_connectors.a.x",
            "unknown key",
        ),
        (auth_with(token_env="T"), "environments.production.app_connectors.a.auth.type", "is required"),
        (
            auth_with(type="saml", token_env="T"),
            "environments.production.app_connectors.a.auth.type",
            "must be classic or oauth",
        ),
        (
            auth_with(type="classic"),
            "environments.production.app_connectors.a.auth",
            "needs token_env or token_file",
        ),
        (
            auth_with(type="classic", token_env="A", token_file="/x"),
            "environments.production.app_connectors.a.auth",
            "both set",
        ),
        (
            auth_with(type="classic", token="<token>…</token>"),
            "environments.production.app_connectors.a.auth.token",
            "unknown key",
        ),
        (
            auth_with(type="classic", token_env="T", client_id="x"),
            "environments.production.app_connectors.a.auth.client_id",
            "only applies to type oauth",
        ),
        (
            auth_with(type="classic", token_env="<token><version>1</version><data>AB</data></token>"),
            "environments.production.app_connectors.a.auth.token_env",
            "not an environment variable name",
        ),
        (
            auth_with(type="oauth", client_secret_env="S"),
            "environments.production.app_connectors.a.auth.client_id",
            "is required",
        ),
        (
            auth_with(type="oauth", client_id="c", method="password", client_secret_env="S"),
            "environments.production.app_connectors.a.auth.method",
            "must be one of",
        ),
        (
            auth_with(type="oauth", client_id="c", client_secret_env="S", alg="RS256"),
            "environments.production.app_connectors.a.auth.alg",
            "only applies to method private_key_jwt",
        ),
        (
            auth_with(type="oauth", client_id="c", method="private_key_jwt", client_secret_env="S"),
            "environments.production.app_connectors.a.auth.client_secret_env",
            "uses private_key_",
        ),
        (
            auth_with(
                type="oauth", client_id="c", method="private_key_jwt", private_key_env="K", alg="HS256"
            ),
            "environments.production.app_connectors.a.auth.alg",
            "RS256, PS256, ES256",
        ),
        (
            auth_with(type="oauth", client_id="c", method="client_secret_basic", private_key_env="K"),
            "environments.production.app_connectors.a.auth.private_key_env",
            "uses client_secret_",
        ),
        (
            auth_with(type="oauth", client_id="c", client_secret_keyring="noslash"),
            "environments.production.app_connectors.a.auth.client_secret_keyring",
            "SERVICE/USERNAME",
        ),
        (
            auth_with(type="oauth", client_id="c", token_env="T"),
            "environments.production.app_connectors.a.auth.token_env",
            "only applies to type classic",
        ),
        (
            auth_with(type="oauth", client_id="has space", client_secret_env="S"),
            "environments.production.app_connectors.a.auth.client_id",
            "client id",
        ),
        ({"max_in_flight_total": -1}, "max_in_flight_total", "between"),
    ],
)
def test_invalid_configuration(tmp_path: Path, data: Any, key_path: str, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_dict(tmp_path, data)
    err = info.value
    assert err.key_path == key_path
    assert reason in err.reason
    assert err.file == str((tmp_path / "afasgov.yaml").resolve())
    assert err.exit_code == 2
    assert "\n" not in str(err)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://12345.rest.afas.online/ProfitRestServices", "http:// is only allowed for loopback"),
        ("https://evil.example.com/ProfitRestServices", "not an AFAS host"),
        ("https://afas.online.evil.com/x", "not an AFAS host"),
        ("ftp://127.0.0.1/x", "absolute http(s) URL"),
        ("ProfitRestServices", "absolute http(s) URL"),
        ("https://user:pw@12345.rest.afas.online/P", "user name or password"),
        ("https://12345.rest.afas.online/P?token=x", "query string"),
        ("https://12345.rest.afas.online:99999/P", "not a valid URL"),
        ("http://169.254.169.254/latest", "loopback"),
    ],
)
def test_invalid_base_url(tmp_path: Path, url: str, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_dict(tmp_path, env_with(base_url=url))
    assert info.value.key_path == "environments.production.base_url"
    assert reason in info.value.reason


def test_loopback_needs_opt_in_and_is_flagged(tmp_path: Path) -> None:
    url = "http://127.0.0.1:8080/12345-production/ProfitRestServices/"
    with pytest.raises(ConfigError, match="allow_non_afas_host"):
        load_dict(tmp_path, env_with(base_url=url))
    env = load_dict(tmp_path, env_with(base_url=url, allow_non_afas_host=True)).environment("production")
    assert env.base_url == "http://127.0.0.1:8080/12345-production/ProfitRestServices"
    assert env.base_url_overridden
    assert set(env.flags) == {"http", "loopback", "non-afas-host"}


def test_ipv6_loopback(tmp_path: Path) -> None:
    env = load_dict(tmp_path, env_with(base_url="http://[::1]:81/P", allow_non_afas_host=True)).environment(
        "production"
    )
    assert env.base_url == "http://[::1]:81/P"


def test_afas_override_is_not_foreign_but_mismatch_is_flagged(tmp_path: Path) -> None:
    env = load_dict(
        tmp_path, env_with(type="test", base_url="https://12345.rest.afas.online/ProfitRestServices")
    ).environment("production")
    assert "non-afas-host" not in env.flags
    assert "host-type-mismatch" in env.flags
    env2 = load_dict(tmp_path, env_with(base_url="https://proxy.afas.online/x")).environment("production")
    assert "unusual-afas-host" in env2.flags


def test_foreign_https_host_with_opt_in(tmp_path: Path) -> None:
    env = load_dict(
        tmp_path, env_with(base_url="https://gateway.example.com/afas", allow_non_afas_host=True)
    ).environment("production")
    assert env.flags == ("non-afas-host",)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "environments:\n  a: {tenant: '1', type: test}\n  a: {tenant: '2', type: test}\n",
            "duplicate key 'a'",
        ),
        ("base: &b {tenant: '1'}\nenvironments: {x: *b}\n", "anchors"),
        ("environments: [unclosed\n", "invalid YAML"),
        ("- a\n- b\n", "must be a mapping"),
        ("!!python/object/apply:os.system ['echo hi']\n", "invalid YAML"),
        ("environments:\n\tprod: {}\n", "invalid YAML"),
    ],
)
def test_hostile_yaml(tmp_path: Path, text: str, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert reason in str(info.value)
    assert "\n" not in str(info.value)


def test_yaml_error_has_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"line 4, column 1"):
        load_config(write(tmp_path, "environments:\n  a: {tenant: '1'}\n  b: [\n"))


def test_empty_file_is_all_defaults(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, ""))
    assert cfg.environments == {}
    with pytest.raises(ConfigError, match="no environments configured"):
        cfg.select([])


def test_not_utf8_and_too_large(tmp_path: Path) -> None:
    path = tmp_path / "afasgov.yaml"
    path.write_bytes(b"environments: {}\n\xff\xfe")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)
    path.write_text("# x\n" * 300_000)
    with pytest.raises(ConfigError, match="larger than"):
        load_config(path)


def test_unknown_environment_is_usage_error(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, MINIMAL))
    with pytest.raises(UsageError, match=r"unknown environment 'prod'.*known: production") as info:
        cfg.select(["prod"])
    assert info.value.exit_code == 2


def test_policy_inline_or_path(tmp_path: Path) -> None:
    cfg = load_dict(tmp_path, {"policy": "policy.yaml"})
    assert cfg.policy_file == tmp_path.resolve() / "policy.yaml" and cfg.policy is None
    cfg = load_dict(tmp_path, {"policy": {"system_users": ["X"]}, "max_in_flight_total": 20})
    assert cfg.policy == {"system_users": ["X"]} and cfg.max_in_flight_total == 20


# ------------------------------------------------------------------------------------ secret sources
def secret_config(tmp_path: Path, **auth: Any) -> Any:
    return load_dict(tmp_path, auth_with(**auth)).environment("production").app_connectors["a"]


def test_secret_from_env_is_lazy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AFASGOV_T_MISSING", raising=False)
    ac = secret_config(tmp_path, type="classic", token_env="AFASGOV_T_MISSING")  # loading does not fail
    with pytest.raises(ConfigError) as info:
        ac.secret()
    assert info.value.key_path == "environments.production.app_connectors.a.auth.token_env"
    assert "environment variable AFASGOV_T_MISSING is not set" in str(info.value)
    monkeypatch.setenv("AFASGOV_T_MISSING", "  value-123456  \n")
    secret = ac.secret()
    assert secret.reveal() == "value-123456"
    assert "value-123456" not in repr(secret)
    monkeypatch.setenv("AFASGOV_T_MISSING", "   ")
    with pytest.raises(ConfigError, match="is empty"):
        ac.secret()


def test_secret_file_relative_to_config_and_permissions(tmp_path: Path) -> None:
    secret = tmp_path / "secrets" / "s.txt"
    secret.parent.mkdir()
    secret.write_text("file-secret-value\n")
    secret.chmod(0o600)
    ac = secret_config(tmp_path, type="oauth", client_id="c", client_secret_file="secrets/s.txt")
    assert ac.auth.client_secret.path == tmp_path.resolve() / "secrets" / "s.txt"
    assert ac.secret().reveal() == "file-secret-value"
    secret.chmod(0o644)
    with pytest.raises(ConfigError, match=r"readable or writable by group or others.*chmod 600"):
        ac.secret()
    secret.chmod(0o620)
    with pytest.raises(ConfigError, match="group or others"):
        ac.secret()


def test_secret_file_missing_or_directory(tmp_path: Path) -> None:
    ac = secret_config(tmp_path, type="classic", token_file="nope.txt")
    with pytest.raises(ConfigError, match="does not exist") as info:
        ac.secret()
    assert info.value.key_path == "environments.production.app_connectors.a.auth.token_file"
    (tmp_path / "dir").mkdir()
    ac = secret_config(tmp_path, type="classic", token_file="dir")
    with pytest.raises(ConfigError, match="not a regular file"):
        ac.secret()


def test_secret_file_too_large(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_text("x" * 70_000)
    big.chmod(0o600)
    with pytest.raises(ConfigError, match="larger than"):
        secret_config(tmp_path, type="classic", token_file="big").secret()


def test_secret_file_tracked_by_git_is_refused(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    try:
        subprocess.run(["git", "init", "-q", str(repo)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git not available")
    secret = repo / "token.txt"
    secret.write_text("tracked-secret-value")
    secret.chmod(0o600)
    ac = (
        load_dict(repo, auth_with(type="classic", token_file="token.txt"))
        .environment("production")
        .app_connectors["a"]
    )
    assert ac.secret().reveal() == "tracked-secret-value"  # untracked: fine
    subprocess.run(["git", "-C", str(repo), "add", "token.txt"], check=True, capture_output=True)
    with pytest.raises(ConfigError, match="tracked by git"):
        ac.secret()


def test_keyring_without_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "keyring", None)
    ac = secret_config(tmp_path, type="classic", token_keyring="afasgov/prod")
    with pytest.raises(ConfigError, match="pip install keyring"):
        ac.secret()


def test_keyring_lookup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    fake = types.ModuleType("keyring")
    store = {("afasgov", "prod"): "keyring-secret-1"}
    fake.get_password = lambda service, user: store.get((service, user))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", fake)
    assert (
        secret_config(tmp_path, type="classic", token_keyring="afasgov/prod").secret().reveal()
        == "keyring-secret-1"
    )
    with pytest.raises(ConfigError, match="no entry afasgov/other"):
        secret_config(tmp_path, type="classic", token_keyring="afasgov/other").secret()


def test_repr_of_config_has_no_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AFASGOV_REPR_SECRET", "repr-secret-value-xyz")
    cfg = load_dict(tmp_path, auth_with(type="oauth", client_id="c", client_secret_env="AFASGOV_REPR_SECRET"))
    ac = cfg.environment("production").app_connectors["a"]
    ac.secret()
    assert "repr-secret-value-xyz" not in repr(cfg)
    assert "repr-secret-value-xyz" not in ac.auth.describe()


def test_parse_config_without_file(tmp_path: Path) -> None:
    cfg = parse_config({"environments": {}}, path=None, root=tmp_path)
    assert cfg.path is None and cfg.definitions_dir == tmp_path / "definitions"
