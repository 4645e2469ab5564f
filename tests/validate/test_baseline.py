"""``validate --baseline``: grade payload problems by what changed between production and accept."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov.cli import main
from afasgov.model import CodeValue, EnvironmentSnapshot, UpdateConnector, UpdateField
from afasgov.snapshot import write_tree
from afasgov.validate import validate_bytes
from afasgov.validate.baseline import validate_payloads

FIELDS = (
    UpdateField("Nm", "Naam", "string", 10),
    UpdateField("Rate", "Tarief", "decimal"),
    UpdateField("Kind", "Soort", "string", 5, values=(CodeValue("A", "a"), CodeValue("B", "b"))),
    UpdateField("Old", "Oud", "string", 5),
    UpdateField("Opt", "Optioneel", "string", 5),
    UpdateField("Day", "Dag", "date"),
)


def env(name: str, *fields: UpdateField) -> EnvironmentSnapshot:
    return EnvironmentSnapshot(name=name, update_connectors={"XyThing": UpdateConnector("XyThing", "x", fields)})


def _with(fields: tuple[UpdateField, ...], fid: str, **changes: Any) -> tuple[UpdateField, ...]:
    return tuple(dataclasses.replace(f, **changes) if f.field_id == fid else f for f in fields)


PRODUCTION = env("production", *FIELDS)
ACCEPT = env(
    "accept",
    *_with(
        _with(_with(_with(tuple(f for f in FIELDS if f.field_id != "Old"), "Opt", mandatory=True), "Nm", length=4),
              "Kind", values=(CodeValue("A", "a"),)),
        "Day", data_type="int",
    ),
)


def payload(**fields: Any) -> bytes:
    return json.dumps({"XyThing": {"Element": {"Fields": fields}}}).encode()


def graded(data: bytes) -> list[tuple[str, str, str]]:
    items = validate_bytes(data, ACCEPT, source="p.json", baseline=PRODUCTION)
    return sorted((i.id, i.level, i.text) for i in items)


@pytest.mark.parametrize(
    ("fields", "check", "cause"),
    [
        ({"Opt": ""}, "payload-missing-mandatory-field", "the field became mandatory"),
        ({"Old": "x", "Opt": "y"}, "payload-unknown-field", "the field was removed"),
        ({"Nm": "Johnny", "Opt": "y"}, "payload-value-too-long", "the field was shortened from 10 to 4"),
        ({"Kind": "B", "Opt": "y"}, "payload-code-not-allowed", "the code 'B' was removed"),
        ({"Day": "2024-01-01", "Opt": "y"}, "payload-type-mismatch", "the field's type changed from date to int"),
    ],
)
def test_new_on_accept_is_an_error_with_its_cause(fields: dict[str, Any], check: str, cause: str) -> None:
    [(cid, level, text)] = graded(payload(**fields))
    assert (cid, level) == (check, "ERR")
    assert text.startswith(f"accept now refuses this ({cause}): ")


def test_pre_existing_problems_are_info_and_fixed_ones_are_gone() -> None:
    # Xx is unknown on both, Nm is too long for both (11 > 10 > 4), the decimal comma is the same on both
    items = graded(payload(Xx="1", Nm="x" * 11, Opt="y", Rate="12,5"))
    assert [(c, lvl) for c, lvl, _ in items] == [
        ("payload-unknown-field", "INFO"),
        ("payload-value-form", "INFO"),
        ("payload-value-too-long", "INFO"),
    ]
    assert all(text.endswith("(also against production)") for _, _, text in items)
    # a problem only production has (Opt is mandatory there, not on accept) is not reported
    assert validate_bytes(payload(Nm="ok"), PRODUCTION, baseline=ACCEPT) == []


def test_new_problem_without_a_metainfo_cause_keeps_its_level() -> None:
    # production does not have the connector: nothing in its metainfo explains accept's problem
    bare = EnvironmentSnapshot(name="production")
    [item] = validate_bytes(payload(Xx="1", Opt="y"), ACCEPT, baseline=bare)
    assert (item.id, item.level) == ("payload-unknown-field", "ERR")
    assert item.text.endswith("(new against accept; not against production)")


def test_connector_removed_on_accept() -> None:
    gone = EnvironmentSnapshot(name="accept")
    [item] = validate_bytes(payload(Nm="x"), gone, baseline=PRODUCTION)
    assert (item.id, item.level) == ("payload-unknown-connector", "ERR")
    assert "accept no longer has the UpdateConnector 'XyThing' (removed)" in item.text


values = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=12),
                   st.sampled_from(["A", "B", "b", "2024-02-30", "12,5", "13:00:00", ""]))
payloads = st.dictionaries(st.sampled_from([f.field_id for f in FIELDS] + ["Xx", "nm"]), values, max_size=6)


@settings(max_examples=200, deadline=None)
@given(payloads)
def test_law_grading_against_itself_makes_everything_info(fields: dict[str, Any]) -> None:
    data = payload(**fields)
    plain = validate_bytes(data, ACCEPT, source="p.json")
    graded_items = validate_bytes(data, ACCEPT, source="p.json", baseline=dataclasses.replace(ACCEPT, name="prod"))
    assert [(i.id, i.path, i.fingerprint) for i in graded_items] == [(i.id, i.path, i.fingerprint) for i in plain]
    assert all(i.level == "INFO" and i.text.endswith("(also against prod)") for i in graded_items)


@settings(max_examples=200, deadline=None)
@given(payloads)
def test_law_grading_never_adds_or_drops_revision_problems(fields: dict[str, Any]) -> None:
    data = payload(**fields)
    plain = validate_bytes(data, ACCEPT, source="p.json")
    graded_items = validate_bytes(data, ACCEPT, source="p.json", baseline=PRODUCTION)
    assert [(i.id, i.path) for i in graded_items] == [(i.id, i.path) for i in plain]
    for before, after in zip(plain, graded_items, strict=True):
        if after.level == "ERR" and before.level != "ERR":
            assert after.text.startswith("accept now refuses this (")


def test_validate_payloads_library_function(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(payload(Opt="y", Xx="1"))
    (tmp_path / "b.json").write_bytes(b"{not json")
    results = validate_payloads([tmp_path / "a.json", tmp_path / "b.json"], ACCEPT, PRODUCTION,
                                display={tmp_path / "a.json": "a.json"})
    assert [r.file for r in results] == ["a.json", str(tmp_path / "b.json")]
    assert [(i.id, i.level) for i in results[0].items] == [("payload-unknown-field", "INFO")]
    assert results[0].connector == "XyThing" and not results[0].catalogued
    assert results[1].error is not None and "invalid JSON" in results[1].error and results[1].items == []


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_tree(PRODUCTION, tmp_path / "definitions")
    write_tree(ACCEPT, tmp_path / "definitions")
    (tmp_path / "old.json").write_bytes(payload(Opt="y", Xx="1"))
    (tmp_path / "new.json").write_bytes(payload(Opt="y", Old="1"))
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_baseline(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "validate", "old.json", "--env", "accept")
    assert code == 1 and "payload old.json" in out  # without a baseline: the unknown field is an ERR
    code, out, _ = _run(capsys, "validate", "old.json", "--env", "accept", "--baseline", "production")
    assert code == 0 and "(also against production)" in out and "payload old.json" in out
    code, out, _ = _run(capsys, "validate", "old.json", "new.json", "--env", "accept", "--baseline", "production",
                        "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["summary"]["ERR"] == 1 and doc["summary"]["INFO"] == 1
    [err] = [p for p in doc["problems"] if p["level"] == "ERR"]
    assert err["file"] == "new.json" and "accept now refuses this (the field was removed)" in err["text"]
    assert any("graded against production" in n for n in doc["notes"])
    assert any("catalogue" in n and "XyThing" in n for n in doc["notes"])
    code, _, err_text = _run(capsys, "validate", "old.json", "--env", "accept", "--baseline", "nowhere")
    assert code == 2 and "nowhere" in err_text and "Traceback" not in err_text
