"""This repository is the demo organisation's governance repository (DESIGN §1, README "Quick tour").

The README promises commands that work from a checkout: they run here as subprocesses with the
repository root as working directory, exactly as a reader would type them, and their documented
behaviour and exit codes are asserted. Nothing is written into the repository: outputs go to
temporary directories, and ``release-check`` (which writes reports) runs on a copy of the tree.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
DEFINITIONS = REPO / "definitions"
INTEGRATIONS = DEFINITIONS / "integrations"
DEMO_INTEGRATIONS = REPO / "afasgov" / "demo" / "data" / "integrations"
REPORTS = REPO / "reports"

#: absolute, machine-specific paths and secrets that must never be in committed files
MACHINE_SPECIFIC = re.compile(r"(?<![\w.])(/work/|/tmp/|/home/|/root/|/Users/|[A-Z]:\\\\)|127\.0\.0\.1|localhost:")
SECRET_MARKERS = ("<token>", "PHRva2Vu", "PRIVATE KEY-----", "AfasToken ", "Bearer ")


def clean_env() -> dict[str, str]:
    """The environment of a fresh shell on a checkout: no AFAS credentials, no colours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFAS_")}
    env["NO_COLOR"] = "1"
    return env


def afasgov(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "afasgov", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, env=clean_env())


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module", autouse=True)
def reports_untouched() -> Iterator[None]:
    """No tour command may write into the repository's reports/ (they run with outputs in tmp dirs)."""
    before = tree_digest(REPORTS) if REPORTS.is_dir() else {}
    yield
    after = tree_digest(REPORTS) if REPORTS.is_dir() else {}
    assert after == before, "a test wrote into the repository's reports/"


# ----------------------------------------------------------------------------------- afasgov.yaml
def test_config_loads_without_any_secret_and_uses_the_real_afas_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    from afasgov.config import load_config
    from afasgov.errors import ConfigError

    for name in list(os.environ):
        if name.startswith("AFAS_"):
            monkeypatch.delenv(name)
    config = load_config(REPO / "afasgov.yaml")
    assert config.root == REPO
    assert config.definitions_dir == DEFINITIONS and config.reports_dir == REPORTS
    assert config.integrations_dir == INTEGRATIONS and config.waivers == DEFINITIONS / "waivers.yaml"
    assert list(config.environments) == ["production", "test", "accept"]
    hosts = {"production": "rest", "test": "resttest", "accept": "restaccept"}
    for name, env in config.environments.items():
        assert env.tenant == "12345" and env.type == name
        assert not env.base_url_overridden and not env.flags
        assert env.base_url == f"https://12345.{hosts[name]}.afas.online/ProfitRestServices"
        assert env.integration_id and re.fullmatch(r"\d+_\d+", env.integration_id)
    # secrets are lazy: loading worked; asking for one names the variable, never a value
    with pytest.raises(ConfigError, match="AFAS_PRODUCTION_LEGACY_PORTAL_TOKEN"):
        config.environment("production").app_connectors["legacy-portal"].secret()


def config_secret_sources() -> dict[str, list[str]]:
    """Per environment of afasgov.yaml, where its App Connectors' secrets come from (variables, key files)."""
    raw = yaml.safe_load((REPO / "afasgov.yaml").read_text(encoding="utf-8"))
    return {env_name: [value for app in env["app_connectors"].values() for key, value in app["auth"].items()
                       if key.endswith(("_env", "_file"))]
            for env_name, env in raw["environments"].items()}


def test_live_command_without_credentials_names_every_missing_secret_at_once() -> None:
    """From a checkout, `afasgov check` stops before the first request with ONE error (exit 2) naming
    every missing secret of the selected environments, not one per run (issue 14 §6)."""
    sources = config_secret_sources()
    result = afasgov("check", "accept")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.count("afasgov: error:") == 1
    assert f"{len(sources['accept'])} secrets" in result.stderr
    for source in sources["accept"]:
        assert source.rsplit("/", 1)[-1] in result.stderr, source
    assert "AFAS_PRODUCTION_" not in result.stderr  # only the selected environment


def test_snapshot_all_without_credentials_is_one_error_listing_them_all(tmp_path: Path) -> None:
    sources = [s for env in config_secret_sources().values() for s in env]
    assert len(sources) >= 11
    result = afasgov("snapshot", "--all", "--out", str(tmp_path / "out"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("afasgov: error:") == 1 and "FAILED" not in result.stdout
    for source in sources:
        assert source.rsplit("/", 1)[-1] in result.stderr, source
    assert not (tmp_path / "out").exists()


def test_only_the_missing_or_unusable_secrets_are_listed() -> None:
    given = {"AFAS_ACCEPT_IAM_CLIENT_SECRET": "s3cret-value-0123", "AFAS_ACCEPT_HR_EXPORT_TOKEN": "not a token"}
    result = subprocess.run([sys.executable, "-m", "afasgov", "check", "accept"], capture_output=True, text=True,
                            cwd=REPO, timeout=300, env=clean_env() | given)
    assert result.returncode == 2
    assert "3 secrets" in result.stderr  # the malformed token, the unset variable, the absent key file
    assert "AFAS_ACCEPT_HR_EXPORT_TOKEN" in result.stderr and "AFAS_ACCEPT_LEGACY_PORTAL_TOKEN" in result.stderr
    assert "lindeboom-accept-finance-bi.pem" in result.stderr
    assert "AFAS_ACCEPT_IAM_CLIENT_SECRET" not in result.stderr
    assert "s3cret-value-0123" not in result.stderr and "not a token" not in result.stderr


def test_config_names_the_simulators_demo_app_connectors_with_their_auth() -> None:
    from afasgov.config import load_config
    from afasgov.sim.datasets import load_dataset
    from afasgov.sim.writeconfig import credential

    config = load_config(REPO / "afasgov.yaml")
    dataset = load_dataset("demo")
    assert set(config.environments) == set(dataset.environments)
    for env_name, sim_env in dataset.environments.items():
        env = config.environment(env_name)
        assert set(env.app_connectors) == set(sim_env.app_connectors) == {"iam", "hr-export", "legacy-portal",
                                                                          "finance-bi"}
        for app_name, sim_app in sim_env.app_connectors.items():
            auth = env.app_connectors[app_name].auth
            demo = credential(dataset, sim_env, sim_app)
            assert auth.type == demo.auth_type, (env_name, app_name)
            if demo.auth_type == "oauth":
                assert (auth.method, auth.client_id) == (demo.method, demo.client_id), (env_name, app_name)
                if demo.method == "private_key_jwt":
                    assert (auth.alg, auth.kid) == (demo.alg, demo.kid)


def test_config_holds_no_secret_only_where_secrets_are() -> None:
    """Every secret comes from an environment variable or a key file outside the repository."""
    raw = yaml.safe_load((REPO / "afasgov.yaml").read_text(encoding="utf-8"))
    sources: list[str] = []
    for env_name, env in raw["environments"].items():
        assert "base_url" not in env, f"{env_name}: the example uses the real AFAS hosts"
        for app_name, app in env["app_connectors"].items():
            auth = app["auth"]
            secret_keys = [k for k in auth if k.startswith(("token", "client_secret", "private_key"))]
            assert len(secret_keys) == 1, (env_name, app_name, secret_keys)
            key = secret_keys[0]
            assert key.endswith(("_env", "_file")), (env_name, app_name, key)
            if key.endswith("_file"):
                assert auth[key].startswith("~/"), "a key file lives outside the repository"
            sources.append(auth[key])
    # one secret source per App Connector and environment (AC032: no production secret reused elsewhere)
    assert len(sources) == len(set(sources))
    text = (REPO / "afasgov.yaml").read_text(encoding="utf-8")
    for marker in SECRET_MARKERS:
        assert marker not in text


# ------------------------------------------------------------------------ integrations and waivers
def test_integrations_are_the_ones_the_demo_installs(tmp_path: Path) -> None:
    """One organisation, one set of manifests: the demo's package data and definitions/integrations/."""
    from afasgov.demo.run import install_demo_integrations

    committed = tree_digest(INTEGRATIONS)
    assert committed == tree_digest(DEMO_INTEGRATIONS), (
        "definitions/integrations/ and afasgov/demo/data/integrations/ differ: change both "
        "(the demo ships the package copy)")
    install_demo_integrations(tmp_path / "integrations")
    assert tree_digest(tmp_path / "integrations") == committed
    assert {p.stem for p in INTEGRATIONS.glob("*.yaml")} == {"helloid", "intranet", "finance-dashboard",
                                                              "pension-export"}


def test_recorded_payloads_include_afas_xml_and_ship_with_the_package() -> None:
    payloads = sorted(INTEGRATIONS.glob("*/payloads/*"))
    assert {p.suffix for p in payloads} == {".json", ".xml"}
    for xml in (p for p in payloads if p.suffix == ".xml"):
        text = xml.read_text(encoding="utf-8")
        assert "<!DOCTYPE" not in text and re.search(r"<Fields Action=\"(insert|update|delete)\">", text)
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    package_data = next(line for line in pyproject.splitlines() if line.startswith("afasgov = ["))
    assert '"**/*.xml"' in package_data and '"**/*.json"' in package_data


def test_every_data_file_of_the_package_is_package_data() -> None:
    """``pip install .`` (the README's demo command, not editable) ships every non-Python file of afasgov/."""
    import tomllib

    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["afasgov"]
    package = REPO / "afasgov"
    shipped = {p for pattern in patterns for p in package.glob(pattern) if p.is_file()}
    data = {p for p in package.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")
            and "__pycache__" not in p.parts}
    assert not sorted(p.relative_to(REPO).as_posix() for p in data - shipped)
    assert any(p.suffix == ".xml" for p in shipped & set(DEMO_INTEGRATIONS.rglob("*")))


def test_xml_payload_validates_against_accept() -> None:
    result = afasgov("validate", "definitions/integrations/intranet/payloads/pinned-announcement.xml",
                     "--env", "accept")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS" in result.stdout


def test_waivers_are_complete_and_current() -> None:
    from afasgov.waivers import load_waivers

    waivers = load_waivers(DEFINITIONS / "waivers.yaml", required=True).waivers
    assert waivers
    taken = yaml.safe_load((DEFINITIONS / "accept" / "_snapshot.yaml").read_text())["taken_at"]
    snapshot_day = date.fromisoformat(str(taken)[:10])
    for w in waivers:
        assert w.reason and w.owner and "@" in w.owner
        assert w.expires.year == 2027
        assert w.active_on(snapshot_day), f"waiver {w.fingerprint or w.id} had expired at the last snapshot"
    # test-fixture waivers are scoped to tests/ only
    patterns = {(w.id, w.path) for w in waivers if w.path and w.path.startswith("tests")}
    assert patterns and all(path == "tests/**" for _, path in patterns)


# ------------------------------------------------------------------------------- the quick tour
def test_diff_production_accept_lists_the_errors_and_exits_1() -> None:
    result = afasgov("diff", "production", "accept")
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "afasgov diff production → accept" in out
    errors = re.findall(r"^error \[([a-z0-9-]+)\] at (\S+)$", out, re.M)
    assert ("request-property-removed", "KnUser/Element/Fields/XOEA") in errors
    assert ("afas-response-property-renamed", "T4E_HelloID_Employments/Fields/Functie_omschrijving") in errors
    # the accepted change is shown as waived, with its reason, and does not count
    assert "error (waived) [api-path-removed-without-deprecation] at Lindeboom_Oud_Export" in out
    assert "RFC-2291" in out
    summary = re.search(r"(\d+) changes: (\d+) error", out)
    assert summary and int(summary.group(2)) == len(errors) > 0


def test_diff_and_validate_do_not_report_other_commands_waivers() -> None:
    """waivers.yaml holds the audit's waivers too: diff and validate never list them as unused (§9)."""
    from afasgov.waivers import load_waivers

    waivers = load_waivers(DEFINITIONS / "waivers.yaml", required=True).waivers
    audit_only = [w for w in waivers if (w.id or "").startswith("AC")]
    assert audit_only
    diff = afasgov("diff", "production", "accept")
    validate = afasgov("validate", "definitions/integrations/intranet/payloads/pinned-announcement.xml",
                       "--env", "accept")
    for result in (diff, validate):
        assert "matched nothing" not in result.stdout + result.stderr, result.stdout


def test_changelog_prints_afas_release_notes_table() -> None:
    result = afasgov("changelog", "production", "accept")
    assert result.returncode == 0, result.stderr
    assert "## Organisaties en personen Specification" in result.stdout
    assert "### Breaking Changes" in result.stdout and "### Changelog" in result.stdout
    assert re.search(r"\| removed the request property 'KnUser/Element/Fields/XOEA' \| KnUser \| POST, PUT \|",
                     result.stdout)


def test_gcn_show_reads_a_committed_export() -> None:
    gcn = "definitions/getconnectors/Lindeboom_HR_Medewerkers.gcn"
    assert (REPO / gcn).is_file()
    result = afasgov("gcn", "show", gcn)
    assert result.returncode == 0, result.stderr
    shown = yaml.safe_load(result.stdout)
    assert shown["name"] == "Lindeboom_HR_Medewerkers"
    assert shown["fields"] and shown["data_collection"]["main_table"] == "Kn.Emp"


def test_audit_accept_markdown_has_auditor_references(tmp_path: Path) -> None:
    result = afasgov("audit", "accept", "--no-history", "--format", "markdown")
    assert result.returncode == 1, result.stderr
    md = result.stdout
    assert md.startswith("# afasgov security audit")
    assert "| `AC005` | `accept/iam/KnUser` |" in md  # KnUser write, and which App Connector has it
    assert re.search(r"AFAS Auditor: AUT-19", md)
    # the same run as JSON: who the findings are about; the tidy App Connector is clean
    out = tmp_path / "audit.json"
    again = afasgov("audit", "accept", "--no-history", "--format", "json", "--output", str(out))
    assert again.returncode == 1, again.stderr
    findings = json.loads(out.read_text())["findings"]
    risky = {(f["id"], f["app_connector"]) for f in findings if not f["waived"]}
    assert ("AC005", "iam") in risky and ("AC022", "legacy-portal") in risky
    assert not [f for f in findings if "finance-bi" in (f["app_connector"] or "")]


def test_audit_from_the_repo_root_waives_only_the_labelled_test_fixtures(tmp_path: Path) -> None:
    """The project's own test values are waived as such; any other file finding would be a real leak."""
    out = tmp_path / "audit.json"
    result = afasgov("audit", "--no-history", "--format", "json", "--output", str(out))
    assert result.returncode == 1, result.stderr
    findings = json.loads(out.read_text())["findings"]
    files = [f for f in findings if f["connector_type"] == "file"]
    assert files, "the secret scan finds the test fixtures it is tested with"
    for finding in files:
        top = finding["path"].split("/", 1)[0]
        # the fixtures themselves, and the committed reports quoting their (waived) evidence
        assert top in ("tests", "reports"), finding["path"]
        assert finding["waived"] and finding["waiver"]["path"] == f"{top}/**", finding["path"]
    assert not [f for f in findings if f["id"] in ("AC024", "AC025", "AC026") and not f["waived"]]


def test_verify_offline_test_is_clean_and_production_lags() -> None:
    test = afasgov("verify", "test", "--offline")
    assert test.returncode == 0, test.stdout + test.stderr
    assert "verdict: CLEAN" in test.stdout
    production = afasgov("verify", "production", "--offline")
    assert production.returncode == 1, production.stdout + production.stderr
    assert "NOT IN SYNC" in production.stdout
    assert re.search(r"Lindeboom_HR_Onboarding\s+missing", production.stdout)


def test_promote_test_to_production_builds_a_bundle(tmp_path: Path) -> None:
    result = afasgov("promote", "--from", "test", "--to", "production", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    bundles = list(tmp_path.glob("promote-test-to-production-*"))
    assert len(bundles) == 1
    gcns = sorted(p.name for p in (bundles[0] / "gcn").glob("*.gcn"))
    assert any(name.endswith("-Lindeboom_HR_Onboarding.gcn") for name in gcns)
    assert (bundles[0] / "CHECKLIST.md").is_file()


@pytest.fixture(scope="module")
def checked_copy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """``afasgov release-check --offline`` run from the root of a copy of the repository's governance tree."""
    copy = tmp_path_factory.mktemp("example") / "repo"
    copy.mkdir()
    shutil.copy2(REPO / "afasgov.yaml", copy / "afasgov.yaml")
    shutil.copytree(DEFINITIONS, copy / "definitions")
    shutil.copytree(REPORTS, copy / "reports")
    return copy, afasgov("release-check", "--offline", cwd=copy)


def test_release_check_offline_on_the_committed_snapshots(
        checked_copy: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    copy, result = checked_copy
    assert result.returncode == 1, result.stderr
    assert "release check production → accept (Profit 8.2.4 → 9.0.1)" in result.stdout
    assert re.search(r"integrations that break: .*helloid", result.stdout)
    assert re.search(r"^FAIL: \d+ ERR", result.stdout, re.M)
    new = sorted(set((copy / "reports").glob("*-release-check-*.json")) - {
        copy / "reports" / p.name for p in REPORTS.glob("*.json")})
    assert len(new) == 1
    data = json.loads(new[0].read_text())
    assert data["verdict"] == "FAIL" and data["base"]["source"] == "committed"
    by_name = {i["name"]: i for i in data["integrations"]}
    assert by_name["helloid"]["status"] == "breaks" and by_name["finance-dashboard"]["status"] == "ok"
    assert by_name["intranet"]["payloads"] == {"checked": 2, "failed": 1}  # JSON too long; the XML passes
    # the deliberate deletion of Lindeboom_Oud_Export is waived, and its impact sentence says so
    assert "intranet reads Lindeboom_Oud_Export, which accept no longer has (waived)" in by_name["intranet"]["impacts"]
    assert not any("waived" in line for line in by_name["helloid"]["impacts"])
    active = [w for w in data["waivers"] if w["status"] == "active"]
    assert {w["match"] for w in active} >= {"sha256:80d2b29f4f3bde53",
                                             "api-path-removed-without-deprecation Lindeboom_Oud_Export"}
    # the committed reports give the trend
    if list(REPORTS.glob("*-release-check-*.json")):
        assert data["trend"]["previous_run"]
    # nothing of this machine in the reports: paths are relative to the configuration's directory
    for path in (copy / "reports").iterdir():
        text = path.read_text(encoding="utf-8")
        assert str(copy) not in text and str(copy.resolve()) not in text, path.name
    assert all(not key.startswith("/") for key in data["inputs"])


# ------------------------------------------------------------- the README's commands, as written
#: a README command line's own statement of its exit code, e.g. ``# exit 1: ERR found``
EXIT_NOTE = re.compile(r"#.*\bexit (\d)\b")
#: the set-up lines only prepare an environment (venv, pip): the test suite already runs in one
SETUP = re.compile(r"^python3? -m venv .* && (?:pip|python -m pip) install [^&]+&& ")


def readme_commands() -> list[list[str]]:
    """The shell blocks of README.md, one list of command lines per block (blank lines dropped)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S)
    return [[line.strip() for line in block.splitlines() if line.strip()] for block in blocks]


def fresh_clone(dest: Path) -> Path:
    """What ``git clone`` of this checkout gives (tracked and new, not-ignored files), copied to ``dest``."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: a fresh clone cannot be made")
    for name in listed.stdout.decode("utf-8", "surrogateescape").split("\0"):
        source = REPO / name
        if name and source.is_file() and not source.is_symlink():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


def as_argv(line: str, tmp: Path) -> tuple[list[str], bool]:
    """``afasgov …`` as a reader types it: (the argv run with this Python, whether it ends in ``&``).

    Paths under ``/tmp/`` move under ``tmp`` (still absent, as on a fresh machine) so that parallel
    runs never meet."""
    line = SETUP.sub("", line)
    words = shlex.split(line.replace("/tmp/", f"{tmp}/"), comments=True)
    background = words[-1:] == ["&"]
    words = words[:-1] if background else words
    assert words[0] == "afasgov" and not {"&&", "|", ";", "&", ">"} & set(words), line
    return [sys.executable, "-m", "afasgov", *words[1:]], background


def test_every_readme_command_runs_as_written_in_a_fresh_clone(tmp_path: Path) -> None:
    """Every ``afasgov`` line of README.md's shell blocks, in order, in a fresh clone with a fresh HOME
    and no AFAS credentials: the background simulator first, then the commands that use it. Each exits
    with the code its comment states (``exit N``), else 0; never a usage or remote error."""
    clone = fresh_clone(tmp_path / "clone")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = clean_env() | {"HOME": str(tmp_path / "home")}
    env.pop("PYTHONPATH", None)
    background: list[subprocess.Popen[str]] = []
    ran = 0
    try:
        for block in readme_commands():
            for line in block:
                if "pytest" in line:  # the test command: this very suite
                    continue
                argv, in_background = as_argv(line, tmp)
                if in_background:
                    proc = subprocess.Popen(argv, cwd=clone, env=env, text=True, stdout=subprocess.PIPE,
                                            stderr=subprocess.STDOUT)
                    background.append(proc)
                    seen: list[str] = []
                    assert proc.stdout is not None
                    for out in proc.stdout:  # a reader waits for the server to say it is ready
                        seen.append(out)
                        if "ready" in out:
                            break
                    else:
                        pytest.fail(f"{line}\nexit {proc.wait(timeout=60)}\n{''.join(seen)}")
                    ran += 1
                    continue
                result = subprocess.run(argv, cwd=clone, env=env, capture_output=True, text=True, timeout=300)
                note = EXIT_NOTE.search(line)
                expected = int(note.group(1)) if note else 0
                assert result.returncode == expected, f"{line}\nexit {result.returncode}\n{result.stdout[-2000:]}" \
                                                      f"{result.stderr}"
                assert "Traceback" not in result.stderr, line
                ran += 1
    finally:
        for proc in background:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=60)
    assert ran >= 10
    assert list((clone / "demo-run" / "reports").glob("*-release-check-*.html")), "afasgov demo wrote its report"
    assert (tmp / "sim" / "definitions" / "accept" / "_snapshot.yaml").is_file()


# ----------------------------------------------------------------------------- committed reports
def committed_runs() -> list[Path]:
    return sorted(REPORTS.glob("*-release-check-production-vs-accept.json"))


def test_committed_reports_are_complete_and_indexed() -> None:
    runs = committed_runs()
    assert runs, "reports/ holds the demo organisation's release-check reports"
    index = (REPORTS / "index.html").read_text(encoding="utf-8")
    for run in runs:
        stem = run.name[: -len(".json")]
        for ext in ("html", "md", "json", "xml", "sarif"):
            assert (REPORTS / f"{stem}.{ext}").is_file(), f"{stem}.{ext}"
        assert f"{stem}.html" in index
        data = json.loads(run.read_text())
        assert data["verdict"] == "FAIL" and data["scope"] == "production-vs-accept"
        assert {"definitions/accept", "definitions/production", "afasgov.yaml"} <= set(data["inputs"])


def test_committed_files_hold_nothing_secret_or_machine_specific() -> None:
    files = [p for p in REPORTS.rglob("*") if p.is_file()]
    files += [p for p in INTEGRATIONS.rglob("*") if p.is_file()]
    files += [REPO / "afasgov.yaml", DEFINITIONS / "waivers.yaml"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        hit = MACHINE_SPECIFIC.search(text)
        assert hit is None, f"{path.relative_to(REPO)}: machine-specific {hit.group(0)!r}"
        for marker in SECRET_MARKERS:
            assert marker not in text, f"{path.relative_to(REPO)}: {marker!r}"
