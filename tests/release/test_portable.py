"""Reports are committed: no absolute path of the machine that wrote them (``portable_paths``)."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov.findings import Finding, Location
from afasgov.release.check import ReleaseCheckOptions, portable_item, portable_paths, release_check

ROOT = Path("/srv/governance/lindeboom")


@pytest.mark.parametrize(("text", "expected"), [
    ("configuration /srv/governance/lindeboom/afasgov.yaml: 3 environment(s)",
     "configuration afasgov.yaml: 3 environment(s)"),
    ("secret scan of /srv/governance/lindeboom: 12 files", "secret scan of .: 12 files"),
    ("no policy file (/srv/governance/lindeboom/definitions/policy.yaml): defaults used",
     "no policy file (definitions/policy.yaml): defaults used"),
    # only whole path prefixes: a sibling directory or a longer name stays as it is
    ("/srv/governance/lindeboom2/afasgov.yaml", "/srv/governance/lindeboom2/afasgov.yaml"),
    ("/srv/governance/lindeboom.bak", "/srv/governance/lindeboom.bak"),
    ("x/srv/governance/lindeboom/a", "x/srv/governance/lindeboom/a"),
    ("", ""),
    ("nothing to see", "nothing to see"),
])
def test_root_is_written_relative(text: str, expected: str) -> None:
    assert portable_paths(ROOT)(text) == expected


def test_home_directory_becomes_tilde(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/jane")
    portable = portable_paths(ROOT)
    assert portable("key file /home/jane/.afasgov/accept.pem") == "key file ~/.afasgov/accept.pem"
    assert portable("/home/janet/x") == "/home/janet/x"


def test_a_root_inside_home_is_relative_not_tilde(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/jane")
    portable = portable_paths(Path("/home/jane/repo"))
    assert portable("/home/jane/repo/definitions/accept") == "definitions/accept"
    assert portable("/home/jane/other") == "~/other"


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_text_without_the_root_is_unchanged(text: str) -> None:
    if "/srv/governance/lindeboom" in text or os.path.expanduser("~") in text:
        return
    assert portable_paths(ROOT)(text) == text


def test_portable_item_rewrites_text_fields_only() -> None:
    item = Finding(id="AC030", level="ERR", text="at /srv/governance/lindeboom/ci.ps1:3", kind="audit",
                   location=Location(connector_type="file", path="/srv/governance/lindeboom/ci.ps1:3",
                                     file="/srv/governance/lindeboom/ci.ps1", line=3),
                   evidence="in /srv/governance/lindeboom/ci.ps1", fingerprint="/srv/governance/lindeboom")
    out = portable_item(item, portable_paths(ROOT))
    assert (out.text, out.path, out.evidence) == ("at ci.ps1:3", "ci.ps1:3", "in ci.ps1")
    assert (out.location.file, out.location.line) == ("ci.ps1", 3)
    assert out.fingerprint == item.fingerprint  # identities are never rewritten
    plain = Finding(id="x", level="INFO", text="nothing", kind="diff")
    assert portable_item(plain, portable_paths(ROOT)) is plain


def test_release_check_reports_hold_no_absolute_path(tmp_path: Path) -> None:
    """The repository's own definitions, checked from a copy: the copy's path is nowhere in the reports."""
    from afasgov.config import load_config

    repo = Path(__file__).resolve().parents[2]
    root = tmp_path / "deep" / "checkout"
    root.mkdir(parents=True)
    shutil.copy2(repo / "afasgov.yaml", root / "afasgov.yaml")
    shutil.copytree(repo / "definitions", root / "definitions")
    clock = datetime(2026, 11, 2, 6, 0, 0, tzinfo=UTC)
    outcome = release_check(load_config(root / "afasgov.yaml"), ReleaseCheckOptions(offline=True, now=lambda: clock))
    assert outcome.paths
    for ext, path in outcome.paths.items():
        text = path.read_text(encoding="utf-8")
        assert str(tmp_path) not in text, ext
    report = outcome.report
    assert any(line.startswith("configuration afasgov.yaml") for line in report.checked)
