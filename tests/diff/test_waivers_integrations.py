"""waivers.yaml and integration manifests: strict loading, matching, regrading."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from afasgov.diff.engine import diff_snapshots
from afasgov.diff.impact import apply_impact, unknown_references
from afasgov.errors import InputError
from afasgov.findings import Finding, Location
from afasgov.integrations import load_manifests, parse_update_use
from afasgov.report import exit_code
from afasgov.waivers import compile_path_pattern, load_waivers
from tests.diff.builders import base_snapshot, copy, map_update_field

TODAY = dt.date(2026, 10, 1)


def _w(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "waivers.yaml"
    p.write_text(text)
    return p


def test_path_patterns() -> None:
    pat = compile_path_pattern("KnEmployee/*/Fields/Em??")
    assert pat.match("KnEmployee/Element/Fields/EmAd")
    assert not pat.match("KnEmployee/Element/Objects/X/Element/Fields/EmAd")
    assert compile_path_pattern("KnEmployee/**").match("KnEmployee/Element/Objects/X/Element/Fields/EmAd")
    assert not compile_path_pattern("Kn.mployee").match("KnXmployee")  # dots are literal


def test_waivers_apply_expire_and_report_unused(tmp_path: Path) -> None:
    items = [
        Finding(id="r1", level="ERR", text="t", kind="diff", location=Location(path="A/Element/Fields/X"),
                fingerprint="sha256:1"),
        Finding(id="r2", level="WARN", text="t", kind="diff", location=Location(path="B/Element/Fields/Y"),
                fingerprint="sha256:2"),
    ]
    ws = load_waivers(
        _w(
            tmp_path,
            """
- fingerprint: sha256:1
  reason: accepted
  owner: a
  expires: 2026-10-01
- id: r2
  path: "B/**"
  reason: old
  owner: b
  expires: 2026-09-30
- id: r9
  path: "*"
  reason: nothing
  owner: c
  expires: "2027-01-01"
""",
        )
    )
    hits, notes = ws.apply(items, TODAY)
    assert hits[0] is not None and hits[0].owner == "a"  # valid through its expiry date
    assert hits[1] is None  # expired the day before
    assert [(n.status, n.matched) for n in notes] == [("expired", 1), ("unused", 0)]
    waived, waive_notes = ws.waive(items, TODAY)
    assert waive_notes == notes
    assert waived[0].waived and waived[0].waiver is not None and waived[0].waiver.owner == "a"
    assert not waived[1].waived
    assert exit_code(waived, "WARN") == 1 and exit_code(waived, "ERR") == 0


def test_a_command_reports_only_its_own_waivers_as_unused(tmp_path: Path) -> None:
    """diff, validate and audit share waivers.yaml: each reports the waivers of its own rules that matched
    nothing, never another command's (issue 14 §9); a fingerprint alone names no command, so only a run of
    all of them (release-check, unscoped) can call it unused."""
    items = [Finding(id="r1", level="ERR", text="t", kind="diff", location=Location(path="A/Element/Fields/X"),
                     fingerprint="sha256:1")]
    ws = load_waivers(
        _w(
            tmp_path,
            """
- {id: r1, path: "B/**", reason: mine, owner: a, expires: 2030-01-01}
- {id: AC029, path: "tests/**", reason: the audit's, owner: b, expires: 2030-01-01}
- {id: AC030, path: "tests/**", reason: the audit's, owner: b, expires: 2000-01-01}
- {fingerprint: "sha256:9", reason: someone's, owner: c, expires: 2030-01-01}
- {fingerprint: "sha256:1", reason: mine once, owner: d, expires: 2000-01-01}
""",
        )
    )
    _, notes = ws.apply(items, TODAY, rule_ids={"r1", "r2"})
    assert [(n.status, n.waiver.reason) for n in notes] == [("expired", "mine once"), ("unused", "mine")]
    _, everything = ws.apply(items, TODAY)
    assert len(everything) == 5
    _, waive_notes = ws.waive(items, TODAY, rule_ids={"r1"})
    assert [n.waiver.reason for n in waive_notes] == ["mine once", "mine"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- {fingerprint: x, reason: r, owner: o}\n", "missing 'expires'"),
        ("- {fingerprint: x, reason: r, owner: o, expires: soon}\n", "must be a date"),
        ("- {fingerprint: x, id: y, path: z, reason: r, owner: o, expires: 2030-01-01}\n", "not both"),
        (
            "- {fingerprint: x, reason: r, owner: o, expires: 2030-01-01, color: red}\n",
            "unknown key(s) color",
        ),
        ("- !!python/object:os.system {fingerprint: x}\n", "YAML tag"),
        ("- &a {fingerprint: x, reason: r, owner: o, expires: 2030-01-01}\n- *a\n", "anchors and aliases"),
        ("waivers: [\n", "invalid YAML"),
        ("- {fingerprint: x, fingerprint: y, reason: r, owner: o, expires: 2030-01-01}\n", "duplicate key"),
        ("- {id: rul\u0435, path: '*', reason: r, owner: o, expires: 2030-01-01}\n", "look-alike"),
        ("just text\n", "expected a list"),
    ],
)
def test_bad_waiver_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        load_waivers(_w(tmp_path, text))


def test_missing_waiver_file_is_empty_unless_required(tmp_path: Path) -> None:
    assert len(load_waivers(tmp_path / "none.yaml")) == 0
    with pytest.raises(InputError, match="file not found"):
        load_waivers(tmp_path / "none.yaml", required=True)
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="not UTF-8"):
        load_waivers(tmp_path / "bin.yaml")


MANIFEST = """name: hr-sync
owner: hr@example.org
app_connector: {production: hr-sync, accept: hr-sync-acc}
uses:
  get: {Profit_Employees: "*"}
  update:
    KnEmployee: [EmAd, Element/Fields/Note, KnEmployee/Element/Objects/KnPerson]
justifications:
  Profit_Employees/Fields/Salary: payroll
"""


def _manifests(tmp_path: Path, text: str = MANIFEST, name: str = "hr-sync") -> Path:
    d = tmp_path / "integrations"
    d.mkdir(exist_ok=True)
    (d / f"{name}.yaml").write_text(text)
    return d


def test_manifest_loading_and_allow_list(tmp_path: Path) -> None:
    (m,) = load_manifests(_manifests(tmp_path))
    assert m.app_connector_for("accept") == "hr-sync-acc" and m.app_connector_for("test") is None
    assert m.allows("update", "KnEmployee", "EmAd")
    assert m.allows("update", "KnEmployee", "Iban", ("KnEmployee", "KnPerson", "KnBankAccount"))
    assert not m.allows("update", "KnEmployee", "EmId")
    assert m.allows("get", "Profit_Employees", "Anything") and not m.allows("get", "Profit_Debtor")
    assert m.justification("Profit_Employees", "Salary") == "payroll"
    assert parse_update_use("C", "C/Element/Objects/O/Element/Objects/P/Element/Fields/F", "s") == (
        ("C", "O", "P"),
        "F",
    )
    assert load_manifests(tmp_path / "nothing").manifests == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (MANIFEST.replace("name: hr-sync", "name: other"), "does not match the file name"),
        (MANIFEST.replace("owner: hr@example.org\n", ""), "missing 'owner'"),
        (MANIFEST + "extra: 1\n", "unknown key(s) extra"),
        (MANIFEST.replace("Element/Fields/Note", "Fields/Note"), "must start with"),
        (MANIFEST.replace("KnEmployee:", "KnEmplоyee:"), "U+043E CYRILLIC SMALL LETTER O"),
        (MANIFEST.replace("EmAd", "Em\u200bAd"), "ZERO WIDTH SPACE"),
        (MANIFEST.replace('"*"', "!!str x"), "YAML tag"),
        (MANIFEST.replace("uses:", "uses: {}\nx:"), "unknown key"),
        (MANIFEST.replace('get: {Profit_Employees: "*"}', "get: {Profit_Employees: []}"), "non-empty list"),
    ],
)
def test_bad_manifests(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        load_manifests(_manifests(tmp_path, text))


def test_impact_regrading_and_unknown_references(tmp_path: Path) -> None:
    manifests = load_manifests(_manifests(tmp_path))
    a = base_snapshot()
    b = copy(a)
    map_update_field(b, "KnEmployee", (), "EmAd", lambda f: None)  # ERR, used
    map_update_field(b, "KnEmployee", (), "Note", lambda f: dataclasses.replace(f, length=10))  # WARN, used
    map_update_field(
        b, "KnEmployee", (), "Amnt", lambda f: dataclasses.replace(f, decimals=0)
    )  # WARN, unused
    map_update_field(b, "KnEmployee", (), "NoZe", lambda f: None)  # ERR, unused
    map_update_field(
        b, "KnEmployee", ("KnPerson",), "FiNm", lambda f: dataclasses.replace(f, length=5)
    )  # ERR, obj
    changes = diff_snapshots(a, b).changes
    result = apply_impact(changes, manifests, base_name="production", revision_name="accept")
    level = {c.path.rsplit("/", 1)[-1]: c.level for c in result.changes}
    assert level == {"EmAd": "ERR", "Note": "ERR", "Amnt": "WARN", "NoZe": "WARN", "FiNm": "ERR"}
    assert result.regraded_up == 1 and result.regraded_down == 1
    assert "hr-sync sends KnEmployee/Element/Fields/EmAd, which accept removed" in result.impacts["hr-sync"]
    assert all(
        c.integrations == (("hr-sync",) if c.level == "ERR" and c.location.field != "NoZe" else ())
        for c in result.changes
        if c.location.field != "Note"
    )
    kept = apply_impact(changes, manifests, downgrade=False)
    assert {c.location.field: c.level for c in kept.changes}["NoZe"] == "ERR"
    assert unknown_references(manifests, [a, b]) == [
        "hr-sync: uses App Connector 'hr-sync-acc' in accept, which that snapshot does not have"
    ]
    (m,) = manifests
    m2 = dataclasses.replace(
        m,
        uses_update={"KnEmployee": frozenset({(("KnEmployee",), "Gone")})},
        uses_get={"Profit_Nothing": None},
        app_connector="nope",
    )
    refs = unknown_references([m2], [a, b])
    assert (
        "hr-sync: reads GetConnector Profit_Nothing, which exists in no snapshot (production, accept)" in refs
    )
    assert (
        "hr-sync: sends KnEmployee/Element/Fields/Gone, which exists in no snapshot (production, accept)"
        in refs
    )
    assert any("App Connector 'nope'" in r for r in refs)


def test_scope_shrank_hits_the_integration_of_that_app_connector(tmp_path: Path) -> None:
    manifests = load_manifests(_manifests(tmp_path))
    a = base_snapshot("production")
    b = copy(a, "accept")
    b.app_connectors["hr-sync-acc"] = dataclasses.replace(b.app_connectors.pop("hr-sync"), name="hr-sync-acc")
    a.app_connectors["hr-sync-acc"] = dataclasses.replace(
        b.app_connectors["hr-sync-acc"],
        update_connectors=(*b.app_connectors["hr-sync-acc"].update_connectors,),
    )
    b.app_connectors["hr-sync-acc"] = dataclasses.replace(
        b.app_connectors["hr-sync-acc"], update_connectors=()
    )
    del a.app_connectors["hr-sync"]
    changes = [c for c in diff_snapshots(a, b).changes if c.id == "afas-app-connector-scope-shrank"]
    result = apply_impact(changes, manifests, base_name="production", revision_name="accept")
    by_value = {c.location.value: c for c in result.changes}
    assert by_value["KnEmployee"].integrations == ("hr-sync",)
    assert by_value["KnSubject"].level == "WARN"  # hr-sync does not declare KnSubject
