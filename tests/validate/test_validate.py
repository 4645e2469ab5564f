"""``afasgov validate``: UpdateConnector payloads in JSON and XML against a snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from afasgov.cli import main
from afasgov.errors import InputError
from afasgov.model import CodeValue, EnvironmentSnapshot, UpdateConnector, UpdateField, UpdateObject
from afasgov.snapshot import write_tree
from afasgov.validate import validate_bytes, validate_file


def snapshot() -> EnvironmentSnapshot:
    user = UpdateConnector(
        "KnUser",
        "Gebruiker",
        (
            UpdateField("UsId", "Gebruiker", "string", 20, primary_key=True, mandatory=True),
            UpdateField(
                "MtCd",
                "Actie",
                "int",
                1,
                mandatory=True,
                values=(CodeValue("1", "Aanmaken"), CodeValue("6", "Deblokkeren")),
            ),
            UpdateField("Nm", "Naam", "string", 10),
            UpdateField("Awin", "Profit Windows", "boolean"),
            UpdateField("DaBe", "Begin", "date"),
            UpdateField("Rate", "Tarief", "decimal", 10, decimals=2),
        ),
        (
            UpdateObject(
                "KnUserGroup",
                fields=(UpdateField("GrId", "Groep", "string", 10, mandatory=True),),
                objects=(UpdateObject("KnGroupRole", fields=(UpdateField("RoId", "Rol", "int", 5),)),),
            ),
        ),
    )
    return EnvironmentSnapshot(name="production", update_connectors={"KnUser": user})


GOOD_JSON = {
    "KnUser": {
        "Element": {
            "@UsId": "jdoe",
            "Fields": {"MtCd": 1, "Nm": "John", "Awin": False, "DaBe": "2026-01-31", "Rate": 12.5},
            "Objects": [
                {
                    "KnUserGroup": {
                        "Element": [
                            {
                                "Fields": {"GrId": "HR"},
                                "Objects": {"KnGroupRole": {"Element": {"Fields": {"RoId": 7}}}},
                            }
                        ]
                    }
                }
            ],
        }
    }
}
GOOD_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<KnUser xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Element UsId="jdoe">
    <Fields Action="insert"><MtCd>1</MtCd><Nm>John</Nm><Awin>false</Awin><DaBe>2026-01-31</DaBe>
      <Rate>12.50</Rate>
      <DaBe2 xsi:nil="true"/></Fields>
    <Objects><KnUserGroup><Element><Fields Action="insert"><GrId>HR</GrId></Fields>
      <Objects><KnGroupRole><Element><Fields><RoId>7</RoId></Fields></Element></KnGroupRole></Objects>
    </Element></KnUserGroup></Objects>
  </Element>
</KnUser>"""


def ids(items: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return sorted((i.id, i.path) for i in items)


def test_valid_payloads_have_no_problems() -> None:
    assert validate_bytes(json.dumps(GOOD_JSON).encode(), snapshot()) == []
    problems = validate_bytes(GOOD_XML, snapshot())
    assert ids(problems) == [("payload-unknown-field", "KnUser/Element/Fields/DaBe2")]
    assert problems[0].location.line == 6  # XML problems carry their line


def _json(**fields: object) -> bytes:
    payload = json.loads(json.dumps(GOOD_JSON))
    el = payload["KnUser"]["Element"]
    for k, v in fields.items():
        if v is None:
            el["Fields"].pop(k, None)
        else:
            el["Fields"][k] = v
    return json.dumps(payload).encode()


def _xml(old: bytes, new: bytes) -> bytes:
    assert old in GOOD_XML
    return GOOD_XML.replace(old, new)


F = "KnUser/Element/Fields"
CASES = [
    ("payload-unknown-field", _json(Xx="1"), _xml(b"<Nm>John</Nm>", b"<Nm>John</Nm><Xx>1</Xx>"), f"{F}/Xx"),
    ("payload-missing-mandatory-field", _json(MtCd=None), _xml(b"<MtCd>1</MtCd>", b""), f"{F}/MtCd"),
    (
        "payload-value-too-long",
        _json(Nm="Johannes Wilhelmus"),
        _xml(b"<Nm>John</Nm>", b"<Nm>Johannes Wilhelmus</Nm>"),
        f"{F}/Nm",
    ),
    ("payload-code-not-allowed", _json(MtCd=5), _xml(b"<MtCd>1</MtCd>", b"<MtCd>5</MtCd>"), f"{F}/MtCd"),
    (
        "payload-type-mismatch",
        _json(Rate="12.5.0"),
        _xml(b"<Rate>12.50</Rate>", b"<Rate>12 EUR</Rate>"),
        f"{F}/Rate",
    ),
    (
        "payload-value-form",
        _json(Rate="12,5"),
        _xml(b"<Rate>12.50</Rate>", b"<Rate>12,50</Rate>"),
        f"{F}/Rate",
    ),
    (
        "payload-type-mismatch",
        _json(Awin="yes"),
        _xml(b"<Awin>false</Awin>", b"<Awin>ja</Awin>"),
        f"{F}/Awin",
    ),
    (
        "payload-type-mismatch",
        _json(DaBe="2026-02-30"),
        _xml(b"<DaBe>2026-01-31</DaBe>", b"<DaBe>31-01-2026</DaBe>"),
        f"{F}/DaBe",
    ),
    ("payload-type-mismatch", _json(MtCd="one"), _xml(b"<MtCd>1</MtCd>", b"<MtCd>1.5</MtCd>"), f"{F}/MtCd"),
]


@pytest.mark.parametrize(
    ("check", "as_json", "as_xml", "path"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_each_kind_of_error_in_json_and_xml(check: str, as_json: bytes, as_xml: bytes, path: str) -> None:
    for data in (as_json, as_xml):
        found = [
            (i.id, i.path)
            for i in validate_bytes(data, snapshot())
            if i.id != "payload-unknown-field" or check == "payload-unknown-field"
        ]
        found = [f for f in found if f[1] != f"{F}/DaBe2"]
        assert found == [(check, path)], data[:80]


def test_nested_objects_unknown_object_and_nested_mandatory() -> None:
    payload = json.loads(json.dumps(GOOD_JSON))
    group = payload["KnUser"]["Element"]["Objects"][0]["KnUserGroup"]["Element"][0]
    group["Fields"] = {}
    group["Objects"]["KnGroupRole"]["Element"]["Fields"]["RoId"] = "x"
    payload["KnUser"]["Element"]["Objects"].append({"KnBogus": {"Element": {"Fields": {}}}})
    problems = validate_bytes(json.dumps(payload).encode(), snapshot())
    assert ids(problems) == [
        ("payload-missing-mandatory-field", "KnUser/Element/Objects/KnUserGroup/Element/Fields/GrId"),
        (
            "payload-type-mismatch",
            "KnUser/Element/Objects/KnUserGroup/Element/Objects/KnGroupRole/Element/Fields/RoId",
        ),
        ("payload-unknown-object", "KnUser/Element/Objects/KnBogus"),
    ]
    xml = _xml(b"<Objects><KnUserGroup>", b"<Objects><KnBogus><Element/></KnBogus><KnUserGroup>")
    assert ids(validate_bytes(xml, snapshot()))[-1] == (
        "payload-unknown-object",
        "KnUser/Element/Objects/KnBogus",
    )


def test_actions_and_connectors() -> None:
    no_mtcd = _json(MtCd=None)
    assert validate_bytes(no_mtcd, snapshot(), action="update") == []
    assert (
        validate_bytes(
            _xml(b'Fields Action="insert"><MtCd>1</MtCd>', b'Fields Action="update">'), snapshot()
        )[0].id
        == "payload-unknown-field"
    )  # only DaBe2: update needs no mandatory fields
    other = json.dumps({"KnPerson": {"Element": {"Fields": {}}}}).encode()
    assert ids(validate_bytes(other, snapshot())) == [("payload-unknown-connector", "KnPerson")]
    assert ids(validate_bytes(json.dumps(GOOD_JSON).encode(), snapshot(), connector="KnEmployee")) == [
        ("payload-unknown-connector", "KnUser")
    ]
    bare = json.dumps(GOOD_JSON["KnUser"]).encode()
    assert validate_bytes(bare, snapshot(), connector="KnUser") == []
    dup = b'{"KnUser": {"Element": {"@UsId": "a", "Fields": {"MtCd": 1, "MtCd": 6}}}}'
    assert ("payload-duplicate-field", f"{F}/MtCd") in ids(validate_bytes(dup, snapshot()))
    shape = b'{"KnUser": {"Element": {"Fields": [1, 2]}}}'
    assert "payload-malformed" in {i.id for i in validate_bytes(shape, snapshot())}


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<KnUser><Element><Fields><Nm>&lol3;</Nm></Fields></Element></KnUser>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<KnUser><Element><Fields><Nm>&e;</Nm></Fields></Element></KnUser>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BOMB, "DOCTYPE or ENTITY"),
        (XXE, "DOCTYPE or ENTITY"),
        (b"<KnUser><Element><Fields><Nm>x</Fields></Element></KnUser>", "invalid XML"),
        (b"KnUser: {Element: {}}", "neither JSON nor XML"),
        (b"", "neither JSON nor XML"),
        (b'{"KnUser": {"Element": ', "invalid JSON"),
        (b"[" * 100000, "nested too deeply"),
        (b'{"KnUser": {}, "KnPerson": {}}', "exactly one connector"),
        (b'{"Element": {"Fields": {"UsId": "x"}}}', "say which connector it is for with --connector"),
        (b"<Element><Fields><UsId>x</UsId></Fields></Element>", "say which connector it is for with --connector"),
        (b"\xff\xfe{", "neither JSON nor XML"),
    ],
)
def test_hostile_and_malformed_payloads_are_input_errors(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        validate_bytes(data, snapshot(), source="p")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_tree(snapshot(), tmp_path / "definitions")
    (tmp_path / "good.json").write_text(json.dumps(GOOD_JSON))
    (tmp_path / "bad.xml").write_bytes(_xml(b"<MtCd>1</MtCd>", b"<MtCd>9</MtCd>"))
    (tmp_path / "bomb.xml").write_bytes(BOMB)
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "bare.json").write_text(json.dumps(GOOD_JSON["KnUser"]))
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_exit_codes_and_formats(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "validate", "good.json", "--env", "production")[0] == 0
    code, out, _ = _run(capsys, "validate", "good.json", "bad.xml", "--env", "production", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["summary"]["ERR"] == 2
    assert {p["id"] for p in data["problems"]} == {"payload-code-not-allowed", "payload-unknown-field"}
    code, out, _ = _run(capsys, "validate", "bad.xml", "--env", "production", "--format", "sarif")
    assert (
        json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
            "uri"
        ]
        == "bad.xml"
    )
    for args, message in (
        (["bomb.xml"], "possible XML bomb"),
        (["notes.txt"], "neither JSON nor XML"),
        (["missing.json"], "file not found"),
        (["good.json", "--env", "staging"], "staging"),
        (["bare.json"], "bare.json: the payload starts with Element, not with its connector"),
    ):
        env = [] if "--env" in args else ["--env", "production"]
        code, _, err = _run(capsys, "validate", *args, *env)
        assert code == 2 and message in err and "Traceback" not in err


def test_validate_file_api(repo: Path) -> None:
    problems = validate_file(repo / "bad.xml", snapshot())
    assert [p.id for p in problems] == ["payload-code-not-allowed", "payload-unknown-field"]
    assert problems[0].fingerprint != problems[1].fingerprint


def _many_unknown_fields(elements: int) -> bytes:
    el = GOOD_JSON["KnUser"]["Element"]
    return json.dumps(
        {"KnUser": {"Element": [{**el, "Fields": {**el["Fields"], f"Xx{i}": 1}} for i in range(elements)]}}
    ).encode()


@pytest.mark.parametrize("elements", [1, 999, 1000, 1001, 2500])
def test_problems_per_payload_are_capped(elements: int) -> None:
    from afasgov.validate.checks import MAX_PROBLEMS

    problems = validate_bytes(_many_unknown_fields(elements), snapshot(), source="big.json")
    reported = problems[:MAX_PROBLEMS]
    assert [p.location.field for p in reported] == [f"Xx{i}" for i in range(min(elements, MAX_PROBLEMS))]
    assert all(p.id == "payload-unknown-field" and p.level == "ERR" for p in reported)
    if elements <= MAX_PROBLEMS:
        assert len(problems) == elements
    else:
        assert len(problems) == MAX_PROBLEMS + 1
        last = problems[-1]
        assert (last.id, last.level, last.location.file) == ("payload-too-many-problems", "ERR", "big.json")
        assert last.text.startswith(f"… and {elements - MAX_PROBLEMS} more problems in this payload")


def test_cli_caps_problems_and_keeps_exit_1(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "big.json").write_bytes(_many_unknown_fields(3000))
    code, out, err = _run(capsys, "validate", "big.json", "bad.xml", "--env", "production", "--format", "json")
    assert code == 1 and err == ""
    problems = json.loads(out)["problems"]
    big = [p for p in problems if p["file"] == "big.json"]
    assert len(big) == 1001 and big[-1]["id"] == "payload-too-many-problems" and "2000 more" in big[-1]["text"]
    assert [p["file"] for p in problems].count("bad.xml") == 2  # the other payload is still reported in full
    code, out, _ = _run(capsys, "validate", "big.json", "--env", "production")
    assert code == 1 and "… and 2000 more problems in this payload" in out and len(out) < 400_000


def test_oversized_payload_file_is_exit_2(repo: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import afasgov.validate as validate_pkg

    monkeypatch.setattr(validate_pkg, "MAX_BYTES", 1000)
    (repo / "big.json").write_bytes(_many_unknown_fields(50))
    with pytest.raises(InputError, match=r"file is \d+ bytes, larger than the limit of 1000 bytes"):
        validate_file(repo / "big.json", snapshot())
    code, out, err = _run(capsys, "validate", "big.json", "--env", "production")
    assert code == 2 and out == "" and err.count("\n") == 1 and "big.json: file is" in err
