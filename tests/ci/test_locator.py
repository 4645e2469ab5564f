"""afasgov.locate.Locator on hand-made findings: every kind of location, and what it does when a file is gone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from afasgov.findings import Finding, Location
from afasgov.locate import Locator, repository_root

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "definitions", tmp_path / "definitions")
    shutil.copy(ROOT / "afasgov.yaml", tmp_path / "afasgov.yaml")
    (tmp_path / ".git").mkdir()
    return tmp_path


def locate(repo: Path, kind: str = "diff", **where: object) -> Location:
    finding = Finding(id="x", level="ERR", text="t", kind=kind, location=Location(**where))  # type: ignore[arg-type]
    definitions = repo / "definitions"
    locator = Locator(repo / "definitions" / "..", trees={"accept": definitions / "accept"},
                      default_trees=[definitions / "accept", definitions / "production"],
                      gcn_dir=definitions / "getconnectors", config_path=repo / "afasgov.yaml")
    return locator.locate(finding).location


def line_of(repo: Path, loc: Location) -> str:
    return (repo / loc.file).read_text(encoding="utf-8").split("\n")[loc.line - 1]


def test_repository_root_is_the_git_work_tree(repo: Path) -> None:
    (repo / "sub").mkdir()
    assert repository_root(repo / "sub") == repo.resolve()


def test_nested_object_field_and_code_value(repo: Path) -> None:
    loc = locate(repo, connector_type="update", connector="KnSubject", object_path=("KnSubject", "KnSubjectLink"),
                 field="SbId")
    assert loc.file == "definitions/accept/update/KnSubject.yaml" and line_of(repo, loc) == "  - field_id: SbId"
    loc = locate(repo, connector_type="update", connector="KnUser", field="MtCd", value="3")
    assert line_of(repo, loc).strip() == '- id: "3"'
    # the object named only in the canonical path
    loc = locate(repo, connector_type="update", connector="KnSubject",
                 path="KnSubject/Element/Objects/KnSubjectLink/Element/Fields/SbId", field="SbId")
    assert line_of(repo, loc) == "  - field_id: SbId"


def test_a_field_only_the_base_has_is_found_there(repo: Path) -> None:
    loc = locate(repo, connector_type="update", connector="KnUser", field="XOEA")
    assert loc.file == "definitions/production/update/KnUser.yaml" and line_of(repo, loc) == "- field_id: XOEA"


def test_app_connector_scope_config_and_gcn(repo: Path) -> None:
    loc = locate(repo, "audit", environment="accept", app_connector="iam", connector_type="update", connector="KnUser")
    assert loc.file == "definitions/accept/app-connectors/iam.yaml" and line_of(repo, loc) == "- id: KnUser"
    loc = locate(repo, "audit", environment="accept", app_connector="hr-export", connector_type="config")
    assert loc.file == "afasgov.yaml" and line_of(repo, loc).strip() == "hr-export:"
    loc = locate(repo, "audit", connector_type="gcn", connector="Lindeboom_HR_Pensioenexport", field="BSN")
    assert loc.file == "definitions/getconnectors/Lindeboom_HR_Pensioenexport.yaml"
    assert line_of(repo, loc).strip() == "output_name: BSN"


def test_a_connector_no_file_holds_points_at_the_environment(repo: Path) -> None:
    loc = locate(repo, connector_type="update", connector="NoLongerThere", field="X")
    assert loc.file == "definitions/accept/environment.yaml" and line_of(repo, loc) == "name: accept"


def test_a_finding_with_file_and_line_keeps_them(repo: Path) -> None:
    loc = locate(repo, "audit", connector_type="file", file="afasgov.yaml", line=7, path="afasgov.yaml:7")
    assert (loc.file, loc.line) == ("afasgov.yaml", 7)


def test_libyaml_and_pure_python_composers_give_the_same_lines(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The locator composes with libyaml where it is installed (≈4× faster); PyYAML's own composer, the
    fallback, finds the same lines."""
    import yaml

    import afasgov.locate as locate_module

    wheres: list[dict[str, object]] = [
        {"connector_type": "update", "connector": "KnSubject", "object_path": ("KnSubject", "KnSubjectLink"),
         "field": "SbId"},
        {"connector_type": "update", "connector": "KnUser", "field": "MtCd", "value": "3"},
        {"connector_type": "update", "connector": "KnUser", "field": "XOEA"},
        {"connector_type": "get", "connector": "Lindeboom_HR_Medewerkers", "field": "Functie"},
    ]
    fast = [locate(repo, **w) for w in wheres]
    monkeypatch.setattr(locate_module, "_COMPOSER", yaml.SafeLoader)
    slow = [locate(repo, **w) for w in wheres]
    assert fast == slow
    assert all(loc.line is not None and loc.line > 1 for loc in fast)


def _tenant_locator(definitions: Path, env: str) -> Locator:
    return Locator(definitions / "..", trees={env: definitions / env}, default_trees=[definitions / env])


WHERES: list[dict[str, object]] = [
    {"connector_type": "update", "connector": "KnSubject", "object_path": ("KnSubject", "KnSubjectLink"),
     "field": "SbId"},
    {"connector_type": "update", "connector": "KnUser", "field": "MtCd", "value": "3"},
    {"connector_type": "update", "connector": "KnUser", "field": "EmAd"},
    {"connector_type": "update", "connector": "KnUser"},
    {"connector_type": "get", "connector": "Lindeboom_HR_Medewerkers", "field": "Functie"},
]


def _locate_all(locator: Locator, env: str) -> list[Location]:
    return [locator.locate(Finding(id="x", level="ERR", text="t", kind="diff",
                                   location=Location(environment=env, **w))).location  # type: ignore[arg-type]
            for w in WHERES]


def test_lines_kept_for_the_process_are_those_of_a_fresh_locator(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two tenants with the same files: the second is answered from the process's cache of lines (nothing
    composed again), and its lines are exactly those an empty cache gives."""
    import afasgov.locate as locate_module

    definitions = repo / "definitions"
    shutil.copytree(definitions / "accept", definitions / "t2-accept")
    monkeypatch.setattr(locate_module, "_LINES", {})
    first = _locate_all(_tenant_locator(definitions, "accept"), "accept")
    composed: list[Path] = []
    real_doc = Locator._doc

    def counting(self: Locator, path: Path) -> object:
        composed.append(path)
        return real_doc(self, path)

    monkeypatch.setattr(Locator, "_doc", counting)
    second = _locate_all(_tenant_locator(definitions, "t2-accept"), "t2-accept")
    assert composed == []
    monkeypatch.setattr(locate_module, "_LINES", {})
    fresh = _locate_all(_tenant_locator(definitions, "t2-accept"), "t2-accept")
    assert composed, "an empty cache composes the files"
    assert second == fresh
    assert [(loc.file.replace("t2-accept", "accept"), loc.line) for loc in second] == \
        [(loc.file, loc.line) for loc in first]
    assert all(loc.line is not None and (loc.line > 1 or "field" not in w)
               for w, loc in zip(WHERES, second, strict=True))


def test_a_file_with_other_content_is_not_answered_from_the_cache(repo: Path) -> None:
    """Another tenant's KnUser.yaml with two more lines before its fields: its own lines, not the first's."""
    definitions = repo / "definitions"
    shutil.copytree(definitions / "accept", definitions / "t2-accept")
    knuser = definitions / "t2-accept" / "update" / "KnUser.yaml"
    text = knuser.read_text(encoding="utf-8")
    knuser.write_text("# a comment\n# another\n" + text, encoding="utf-8")
    first = _locate_all(_tenant_locator(definitions, "accept"), "accept")
    second = _locate_all(_tenant_locator(definitions, "t2-accept"), "t2-accept")
    for where, a, b in zip(WHERES, first, second, strict=True):
        assert a.line is not None and b.line is not None
        assert b.line == a.line + (2 if where["connector"] == "KnUser" else 0), where
        assert line_of(repo, a) == line_of(repo, b)
