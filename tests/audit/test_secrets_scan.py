"""The repository secret scan: planted secrets are found (files and git history), never printed."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afasgov.secretscan import ScanHit, scan_bytes, scan_repository


def token_xml(hexdata: str | None = None) -> str:
    return f"<token><version>1</version><data>{hexdata or secrets.token_hex(32).upper()}</data></token>"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def pem_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


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


def assert_no_leak(hits: list[ScanHit], *values: str) -> None:
    text = repr(hits) + "".join(h.describe() + h.location + h.key for h in hits)
    for v in values:
        assert v not in text
        assert v.upper() not in text.upper() or len(v) < 12


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    hexdata = secrets.token_hex(32).upper()
    xml = token_xml(hexdata)
    client_secret = "Zq" + secrets.token_urlsafe(30)
    key = pem_key()
    bearer = "eyJhbGciOiJSUzI1NiJ9." + secrets.token_urlsafe(60)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "prod.xml").write_text(f"<settings>\n  {xml}\n</settings>\n")
    (tmp_path / "sync.ps1").write_text(f"$h = @{{ Authorization = 'AfasToken {b64(xml)}' }}\n")
    (tmp_path / "legacy.ps1").write_text(f"line1\n$headers.Add('Authorization', 'AfasToken {xml}')\n")
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "iam.pem").write_text(key)
    (tmp_path / "settings.json").write_text(f'{{"client_id": "abc", "client_secret": "{client_secret}"}}\n')
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "run.log").write_text(f"GET /connectors\nAuthorization: Bearer {bearer}\n")
    (tmp_path / "blob.bin").write_bytes(b"\0\1\2" + xml.encode())  # binary: skipped
    (tmp_path / "huge.txt").write_bytes(b"x" * (3 * 1024 * 1024) + xml.encode())  # over the cap: skipped
    for p in tmp_path.rglob("*"):
        if p.is_file():
            p.chmod(0o644)  # permissions do not matter: only configured secret files are skipped
    return tmp_path, {"hex": hexdata, "secret": client_secret, "bearer": bearer, "key": key.splitlines()[1]}


def test_planted_secrets_are_found_by_fingerprint_only(planted: tuple[Path, dict[str, str]]) -> None:
    root, values = planted
    result = scan_repository(root, history=True)
    kinds = {(h.kind, h.file) for h in result.hits}
    assert ("classic-token", "config/prod.xml") in kinds
    assert ("classic-token-b64", "sync.ps1") in kinds
    assert ("plain-header", "legacy.ps1") in kinds
    assert ("private-key", "keys/iam.pem") in kinds
    assert ("client-secret", "settings.json") in kinds
    assert ("auth-header", "logs/run.log") in kinds
    assert not any(h.file in ("blob.bin", "huge.txt") for h in result.hits)
    assert result.skipped_binary == 1 and result.skipped_large == 1
    assert result.complete and "not a git repository" in " ".join(result.notes)
    xml_fp = next(h.fingerprint for h in result.hits if h.kind == "classic-token")
    b64_fp = next(h.fingerprint for h in result.hits if h.kind == "classic-token-b64")
    assert xml_fp == b64_fp and xml_fp.startswith("sha256:")  # same token, same fingerprint
    assert next(h.line for h in result.hits if h.kind == "plain-header") == 2
    assert_no_leak(result.hits, *values.values())


def test_history_only_secret_is_found_with_its_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    hexdata = secrets.token_hex(32).upper()
    still = token_xml()
    (repo / "old.xml").write_text(token_xml(hexdata))
    (repo / "kept.xml").write_text(still)
    (repo / "README.md").write_text("hello\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "oops")
    (repo / "old.xml").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "remove token")
    result = scan_repository(repo)
    history = [h for h in result.hits if h.commit]
    assert [(h.kind, h.file) for h in history] == [("classic-token", "old.xml")]
    log = subprocess.run(
        ["git", "-C", str(repo), "log", "--format=%h", "--reverse"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert history[0].commit == log[0]
    current = [h for h in result.hits if not h.commit]
    assert [(h.kind, h.file) for h in current] == [("classic-token", "kept.xml")]  # not duplicated by history
    assert result.history_scanned and result.blobs_scanned >= 1
    assert_no_leak(result.hits, hexdata, still)


def test_history_can_be_skipped(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "a.xml").write_text(token_xml())
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "x")
    (tmp_path / "a.xml").write_text("clean\n")
    git(tmp_path, "commit", "-q", "-am", "y")
    assert scan_repository(tmp_path, history=False).hits == []
    assert len(scan_repository(tmp_path, history=True).hits) == 1


def test_time_budget_makes_the_scan_incomplete_not_clean(tmp_path: Path) -> None:
    for i in range(20):
        (tmp_path / f"f{i}.txt").write_text("nothing\n")
    result = scan_repository(tmp_path, time_budget=0.0)
    assert not result.complete
    assert "INCOMPLETE" in result.summary()
    assert any("time budget" in n for n in result.notes)


@pytest.mark.parametrize(
    "text",
    [
        "sha256 of the token: " + "a" * 64,
        "client_secret_env: AFAS_PROD_FIN_SECRET",
        "client_secret: ${FIN_SECRET}",
        "client_secret = os.environ['X']",
        "client_secret=self.client_secret_value",
        "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
        "Authorization: AfasToken <base64 of the token>",
        "Authorization: Bearer ***",
        "<token><version>1</version><data>949C…E6A2</data></token>",
        "PHRva2VuPjx2ZXJzaW9uPjE8L3ZlcnNpb24+PGRhdGE+",
    ],
)
def test_placeholders_and_documentation_are_not_secrets(text: str) -> None:
    assert list(scan_bytes(text.encode(), "doc.md")) == []


KINDS = {"tls-weak", "http-afas", "take-all", "slow-operator", "token-hex", "soap-token"}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls -bor "
            "[Net.SecurityProtocolType]::Tls11 -bor [Net.SecurityProtocolType]::Tls12",
            "tls-weak",
        ),
        ("requests.get(url, verify=False)", "tls-weak"),
        ("curl -k https://12345.rest.afas.online/x", "tls-weak"),
        ("base = 'http://12345.rest.afas.online/ProfitRestServices'", "http-afas"),
        ("/connectors/X?skip=-1&take=-1", "take-all"),
        ("?filterfieldids=Nm&filtervalues=jan&operatortypes=6", "slow-operator"),
        ("token = '" + secrets.token_hex(32) + "'", "token-hex"),
        (
            "<soap:Body><token>&lt;token&gt;&lt;version&gt;1&lt;/version&gt;&lt;data&gt;" + "CD" * 32,
            "soap-token",
        ),
    ],
    ids=lambda v: v if v in KINDS else "",
)
def test_client_side_weaknesses(text: str, kind: str) -> None:
    assert kind in {h.kind for h in scan_bytes(text.encode(), "x")}


def test_safe_tls_settings_are_silent() -> None:
    safe = b"[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12\nverify=True\n"
    assert list(scan_bytes(safe, "x")) == []


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    hexdata=st.binary(min_size=32, max_size=32),
    before=st.text(max_size=200),
    after=st.text(max_size=200),
    encode=st.booleans(),
)
def test_any_token_is_found_and_never_echoed(hexdata: bytes, before: str, after: str, encode: bool) -> None:
    value = token_xml(hexdata.hex().upper())
    planted = b64(value) if encode else value
    data = (before + " " + planted + "\n" + after).encode("utf-8", "surrogatepass")
    hits = list(scan_bytes(data, "f.txt"))
    assert any(h.kind in ("classic-token", "classic-token-b64") for h in hits)
    assert_no_leak(hits, hexdata.hex(), planted)


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.xml").write_text(token_xml())
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "link.xml").symlink_to(outside / "secret.xml")
    assert scan_repository(repo).hits == []


def _committed_repo(root: Path) -> None:
    git(root, "init", "-q")
    (root / "README.md").write_text("x\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "x")


def test_untracked_owner_only_files_are_scanned_like_any_other(tmp_path: Path) -> None:
    """`openssl genpkey -out key.pem` leaves an owner-only file: not git-ignored, it is one `git add .`
    away from the history, so it is reported, not assumed to be a secret store."""
    _committed_repo(tmp_path)
    (tmp_path / "key.pem").write_text(pem_key())
    (tmp_path / "key.pem").chmod(0o600)
    (tmp_path / "prod.token").write_text(token_xml())
    (tmp_path / "prod.token").chmod(0o600)
    result = scan_repository(tmp_path)
    assert {(h.kind, h.file) for h in result.hits} == {("private-key", "key.pem"), ("classic-token", "prod.token")}
    assert not any("secret store" in n for n in result.notes)


def test_git_ignored_files_are_not_scanned(tmp_path: Path) -> None:
    _committed_repo(tmp_path)
    (tmp_path / ".gitignore").write_text("*.pem\nsecrets/\n")
    (tmp_path / "key.pem").write_text(pem_key())
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "prod.token").write_text(token_xml())
    assert scan_repository(tmp_path).hits == []


def test_configured_secret_files_are_skipped_and_noted(tmp_path: Path) -> None:
    _committed_repo(tmp_path)
    store = tmp_path / "afasgov.secrets"
    store.mkdir(mode=0o700)
    (store / "prod.token").write_text(token_xml())
    (store / "prod.token").chmod(0o600)
    (tmp_path / "leak.xml").write_text(token_xml())
    result = scan_repository(tmp_path, secret_files=[store / "prod.token"])
    assert [h.file for h in result.hits] == ["leak.xml"]
    note = " ".join(result.notes)
    assert "afasgov.secrets/prod.token" in note and ".gitignore" in note
    git(tmp_path, "add", "-f", "afasgov.secrets/prod.token")  # once tracked, it is a leak
    tracked = scan_repository(tmp_path, secret_files=[store / "prod.token"])
    assert {h.file for h in tracked.hits} == {"leak.xml", "afasgov.secrets/prod.token"}


def test_outside_git_only_configured_secret_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "demo.token").write_text(token_xml())
    (tmp_path / "demo.token").chmod(0o600)
    (tmp_path / "key.pem").write_text(pem_key())
    (tmp_path / "key.pem").chmod(0o600)
    (tmp_path / "script.ps1").write_text(token_xml())
    result = scan_repository(tmp_path, secret_files=[tmp_path / "demo.token"])
    assert sorted(h.file for h in result.hits) == ["key.pem", "script.ps1"]
    assert any("demo.token" in n for n in result.notes)


def test_excluded_directories_are_left_out_of_tree_and_history(tmp_path: Path) -> None:
    """afasgov's own reports quote evidence (``verify=False``): scanning them finds the scan's own output."""
    _committed_repo(tmp_path)
    for d in ("reports", "dist", "out/reports"):
        (tmp_path / d).mkdir(parents=True)
        (tmp_path / d / "r.md").write_text("evidence: requests.get(url, verify=False)\n")
    (tmp_path / "reports" / "old.xml").write_text(token_xml())
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "reports")
    (tmp_path / "reports" / "old.xml").unlink()
    git(tmp_path, "commit", "-q", "-am", "drop")
    everything = scan_repository(tmp_path)
    assert {h.file for h in everything.hits} == {"reports/r.md", "dist/r.md", "out/reports/r.md", "reports/old.xml"}
    result = scan_repository(tmp_path, exclude=["reports", "dist/"])
    assert {h.file for h in result.hits} == {"out/reports/r.md"}  # only whole top-level paths, not names
    assert "excluded" in " ".join(result.notes) and "reports" in " ".join(result.notes)
    assert scan_repository(tmp_path, exclude=["out/reports", "reports", "dist"]).hits == []


# ---- scope: the governance repository, never an enclosing project (issue 14 §3) -----------------
@pytest.fixture
def enclosing(tmp_path: Path) -> Path:
    """A project repository whose history held a token (committed, then removed) and whose tree holds
    one, with a governance directory ``gov/`` inside it."""
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    (project / "old.xml").write_text(token_xml())
    (project / "src").mkdir()
    (project / "src" / "client.py").write_text(f"TOKEN = '{token_xml()}'\n")
    (project / "gov").mkdir()
    (project / "gov" / "afasgov.yaml").write_text("environments: {}\n")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "oops")
    (project / "old.xml").unlink()
    git(project, "commit", "-q", "-am", "remove token")
    return project


def test_a_subdirectory_of_a_repository_is_scanned_without_the_enclosing_history(enclosing: Path) -> None:
    gov = enclosing / "gov"
    (gov / "leak.ps1").write_text(token_xml())
    git(enclosing, "add", ".")
    git(enclosing, "commit", "-q", "-m", "gov leak")
    result = scan_repository(gov, history=True)
    assert [(h.file, h.commit) for h in result.hits] == [("leak.ps1", "")]  # not ../old.xml, not ../src
    assert not result.history_scanned and result.blobs_scanned == 0
    note = " ".join(result.notes)
    assert "git history not scanned" in note and "not at its root" in note


def test_a_directory_the_enclosing_repository_ignores_is_still_scanned(enclosing: Path) -> None:
    """``afasgov demo`` in a checkout writes ./demo-run/, which the checkout's .gitignore lists."""
    (enclosing / ".gitignore").write_text("/demo-run/\n")
    run = enclosing / "demo-run"
    (run / "scripts").mkdir(parents=True)
    (run / "afasgov.yaml").write_text("environments: {}\n")
    (run / "scripts" / "sync.ps1").write_text(token_xml())
    result = scan_repository(run, history=True)
    assert [(h.file, h.commit) for h in result.hits] == [("scripts/sync.ps1", "")]
    assert result.files_scanned == 2 and not result.history_scanned


def test_its_own_repository_inside_another_is_scanned_with_its_own_history(enclosing: Path) -> None:
    gov = enclosing / "gov"
    git(gov, "init", "-q")
    (gov / "old.ps1").write_text(token_xml())
    git(gov, "add", ".")
    git(gov, "commit", "-q", "-m", "x")
    (gov / "old.ps1").unlink()
    git(gov, "commit", "-q", "-am", "y")
    result = scan_repository(gov, history=True)
    assert [(h.file, bool(h.commit)) for h in result.hits] == [("old.ps1", True)]
