"""The definitions tree: layout, determinism, round trip, atomic swap, strict reading, git refs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from afasgov import _files as files
from afasgov.errors import EXIT_USAGE, InputError, UsageError
from afasgov.model import (
    AppConnectorScope,
    CodeValue,
    ConnectorRef,
    EnvironmentSnapshot,
    GetConnector,
    GetField,
    SnapshotMeta,
    UpdateConnector,
    UpdateField,
    UpdateObject,
)
from afasgov.snapshot import tree, yamlio
from afasgov.snapshot.tree import (
    TREE_FORMAT,
    TreeWriter,
    read_files,
    read_git_tree,
    read_tree,
    render_files,
    write_tree,
)
from afasgov.workspace import Workspace

from .model_strategies import get_connectors, snapshots, update_connectors


def example(profit_version: str = "8.1.0", label: str = "Dossieritem") -> EnvironmentSnapshot:
    link = UpdateObject(
        "KnSubjectLink",
        (
            UpdateField(
                "RlId",
                "Relatie",
                "string",
                15,
                mandatory=True,
                values=(CodeValue("1", "Medewerker"), CodeValue("2", "Relatie")),
            ),
        ),
        (UpdateObject("Deep", (UpdateField("Amount", "Bedrag", "decimal", 12, 2, "CuId"),)),),
    )
    subject = UpdateConnector(
        "KnSubject",
        "Dossieritem",
        (
            UpdateField("SbId", label, "int", 9, primary_key=True, control_type=5),
            UpdateField("U" + "A" * 32, "Vrij veld", "string", 80),
        ),
        (link,),
    )
    admin = GetConnector(
        "Profit_Administrations",
        "Administraties (Profit)",
        (GetField("AdminId", "U002", "Administratie", "int", 3, control_type=5),),
        blocked=False,
    )
    scope = AppConnectorScope(
        "hr-sync",
        "HR sync",
        "AuthorizationGroup 101 (12345.USER)",
        "0",
        "O12345AA",
        "classic",
        (ConnectorRef("Profit_Administrations", "Administraties (Profit)"),),
        (ConnectorRef("KnSubject", "Dossieritem"),),
    )
    return EnvironmentSnapshot(
        name="production",
        type="production",
        tenant="12345",
        profit_version=profit_version,
        envid="O12345AA",
        language="nl-nl",
        app_connectors={"hr-sync": scope},
        get_connectors={admin.id: admin},
        update_connectors={subject.id: subject},
        meta=SnapshotMeta("2026-11-21T05:00:00Z", "0.1.0", "http://127.0.0.1:1/ProfitRestServices", "nl-nl"),
    )


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_layout_is_design_section_3(tmp_path: Path) -> None:
    target = write_tree(example(), tmp_path)
    assert target == tmp_path / "production"
    assert sorted(files_of(target)) == [
        "_snapshot.yaml",
        "app-connectors/hr-sync.yaml",
        "environment.yaml",
        "get/Profit_Administrations.yaml",
        "update/KnSubject.yaml",
    ]
    assert sorted(os.listdir(tmp_path)) == ["production"]  # no temporary directories left
    snap = (target / "_snapshot.yaml").read_text()
    assert f"format: {TREE_FORMAT}" in snap and "taken_at:" in snap and "base_url:" in snap
    env = (target / "environment.yaml").read_text()
    assert "taken_at" not in env and "profit_version:" in env and "envid: O12345AA" in env
    update = (target / "update/KnSubject.yaml").read_text()
    assert "objects:\n- name: KnSubjectLink\n" in update and "  objects:\n  - name: Deep\n" in update


def test_files_are_deterministic_utf8_lf_without_aliases(tmp_path: Path) -> None:
    a = files_of(write_tree(example(), tmp_path / "a"))
    b = files_of(write_tree(example(), tmp_path / "b"))
    assert a == b
    for data in a.values():
        text = data.decode("utf-8")
        assert "\r" not in text and text.endswith("\n")
        assert "&id" not in text and "*id" not in text


def test_only_snapshot_yaml_holds_volatile_data(tmp_path: Path) -> None:
    s1, s2 = example(), example()
    s2.meta = SnapshotMeta(
        "2030-01-01T00:00:00Z", "9.9.9", "https://12345.rest.afas.online/ProfitRestServices", "nl-nl", ("x",)
    )
    a = files_of(write_tree(s1, tmp_path / "a"))
    b = files_of(write_tree(s2, tmp_path / "b"))
    assert {k for k in a if a[k] != b[k]} == {"_snapshot.yaml"}


def test_connectors_sorted_and_fields_in_afas_order(tmp_path: Path) -> None:
    s = example()
    scope = s.app_connectors["hr-sync"]
    s.app_connectors["hr-sync"] = AppConnectorScope(
        scope.name, update_connectors=(ConnectorRef("Zz"), ConnectorRef("Aa"), ConnectorRef("Mm"))
    )
    fields = tuple(UpdateField(f) for f in ("Zeta", "Alpha", "Mu"))
    s.update_connectors["KnSubject"] = UpdateConnector("KnSubject", fields=fields)
    s.update_connectors.update({cid: UpdateConnector(cid) for cid in ("Zz", "Aa", "Mm")})
    target = write_tree(s, tmp_path)
    app = (target / "app-connectors/hr-sync.yaml").read_text()
    assert app.index("id: Aa") < app.index("id: Mm") < app.index("id: Zz")
    upd = (target / "update/KnSubject.yaml").read_text()
    assert upd.index("Zeta") < upd.index("Alpha") < upd.index("Mu")
    assert [f.field_id for f in read_tree(target).update_connectors["KnSubject"].fields] == [
        "Zeta",
        "Alpha",
        "Mu",
    ]


def test_round_trip_example(tmp_path: Path) -> None:
    s = example()
    assert read_tree(write_tree(s, tmp_path)) == s


@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    deadline=None,
)
@given(snapshots())
def test_round_trip_property(tmp_path: Path, snapshot: EnvironmentSnapshot) -> None:
    """model → tree → model is the identity (and the rendering is a pure function)."""
    files = dict(render_files(snapshot))
    assert read_files(files, "mem") == snapshot
    assert dict(render_files(read_files(files, "mem"))) == files
    out = tmp_path / "rt"
    shutil.rmtree(out, ignore_errors=True)
    assert read_tree(write_tree(snapshot, out)) == snapshot


@settings(max_examples=150, deadline=None)
@given(update_connectors(), get_connectors())
def test_direct_renderers_equal_the_generic_emitter(upd: UpdateConnector, get: GetConnector) -> None:
    """The connector files are rendered directly (speed); the bytes are those of the documents."""
    assert tree.render_update(upd) == yamlio.emit(tree.update_connector_doc(upd)).encode("utf-8")
    assert tree.render_get(get) == yamlio.emit(tree.get_connector_doc(get)).encode("utf-8")
    assert tree.render_update(example().update_connectors["KnSubject"]) == yamlio.emit(
        tree.update_connector_doc(example().update_connectors["KnSubject"])
    ).encode("utf-8")


def test_rewrite_replaces_the_whole_tree(tmp_path: Path) -> None:
    write_tree(example(), tmp_path)
    s = example()
    s.update_connectors = {}
    scope = s.app_connectors["hr-sync"]
    s.app_connectors["hr-sync"] = AppConnectorScope(scope.name, get_connectors=scope.get_connectors)
    target = write_tree(s, tmp_path)
    assert not (target / "update/KnSubject.yaml").exists()
    assert (target / "update").is_dir()
    assert read_tree(target) == s


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
def test_a_failed_or_interrupted_write_leaves_the_previous_tree(tmp_path: Path, exc: BaseException) -> None:
    target = write_tree(example(), tmp_path)
    before = files_of(target)

    def fail(tmp: Path) -> None:
        assert (tmp / "update/KnSubject.yaml").exists()  # complete, but never swapped in
        raise exc

    with pytest.raises(type(exc)):
        write_tree(example(profit_version="9.0.0"), tmp_path, before_swap=fail)
    assert files_of(target) == before
    assert sorted(os.listdir(tmp_path)) == ["production"]


def test_interrupted_first_write_leaves_nothing(tmp_path: Path) -> None:
    def fail(tmp: Path) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_tree(example(), tmp_path, before_swap=fail)
    assert os.listdir(tmp_path) == []


def test_fallback_swap_without_renameat2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(example(), tmp_path)
    monkeypatch.setattr(files, "_renameat2_exchange", lambda a, b: False)
    s = example(profit_version="9.0.0")
    assert read_tree(write_tree(s, tmp_path)) == s
    assert sorted(os.listdir(tmp_path)) == ["production"]


def test_leftovers_of_killed_runs_are_cleaned(tmp_path: Path) -> None:
    dead = 2**22 + 12345  # above pid_max on most systems: never alive
    (tmp_path / f".production.afasgov-tmp-{dead}-abc").mkdir()
    old = tmp_path / f".production.afasgov-old-{dead}-abc"
    write_tree(example(), old.parent / "x")  # build a real tree to restore
    shutil.move(str(old.parent / "x" / "production"), old)
    shutil.rmtree(old.parent / "x")
    # the target is missing: a run died between the two renames; the old tree is restored, then replaced
    s = example(profit_version="9.0.0")
    write_tree(s, tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["production"]
    assert read_tree(tmp_path / "production") == s


def test_invalid_names_are_refused(tmp_path: Path) -> None:
    s = example()
    s.name = "../escape"
    with pytest.raises(InputError, match="cannot be a file name"):
        write_tree(s, tmp_path)
    s = example()
    s.update_connectors["knsubject"] = UpdateConnector("knsubject")
    with pytest.raises(InputError, match="differ only in case"):
        write_tree(s, tmp_path)
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------------------------ bad trees
def corrupt(tmp_path: Path, rel: str, text: str | bytes) -> Path:
    target = write_tree(example(), tmp_path)
    path = target / rel
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return target


@pytest.mark.parametrize(
    ("rel", "text", "needle"),
    [
        ("_snapshot.yaml", "format: afasgov-definitions/0\n", "written by another afasgov version"),
        ("_snapshot.yaml", "format: [\n", "invalid YAML"),
        ("update/KnSubject.yaml", "id: KnSubject\ndescription: x\nfields: {\n", "invalid YAML"),
        ("update/KnSubject.yaml", "id: !!python/object:os.system x\n", "constructor"),
        ("update/KnSubject.yaml", "id: !custom x\n", "constructor"),
        (
            "update/KnSubject.yaml",
            "id: KnSubject\ndescription: !!binary aGk=\nfields: []\n",
            "expected a string",
        ),
        (
            "update/KnSubject.yaml",
            "id: KnSubject\ndescription: 2024-01-01\nfields: []\n",
            "expected a string",
        ),
        (
            "update/KnSubject.yaml",
            "id: KnSubject\ndescription: x\nfields: []\nextra: 1\n",
            "unknown key(s) extra",
        ),
        ("update/KnSubject.yaml", "id: KnSubject\nfields: []\n", "missing key(s) description"),
        ("update/KnSubject.yaml", "id: Other\ndescription: x\nfields: []\n", "does not match the file name"),
        ("update/KnSubject.yaml", "- a\n", "expected a mapping"),
        ("update/KnSubject.yaml", "", "expected a mapping, got null"),
        ("update/KnSubject.yaml", b"id: \xff\n", "not UTF-8"),
        (
            "get/Profit_Administrations.yaml",
            "id: Profit_Administrations\ndescription: x\nblocked: maybe\nfields: []\n",
            "expected true or false",
        ),
        ("environment.yaml", "name: production\n", "missing key(s)"),
        (
            "app-connectors/hr-sync.yaml",
            "name: hr-sync\nauth_type: x\ninfo: 3\nget_connectors: []\nupdate_connectors: []\n",
            "info: expected a mapping",
        ),
        ("get/notes.txt", "hello", "unexpected file"),
    ],
)
def test_corrupt_trees_are_clear_input_errors(tmp_path: Path, rel: str, text: str, needle: str) -> None:
    target = corrupt(tmp_path, rel, text)
    with pytest.raises(InputError) as info:
        read_tree(target)
    assert needle in str(info.value)
    assert info.value.exit_code == EXIT_USAGE
    assert str(target) in str(info.value)


@pytest.mark.parametrize(
    ("rel", "listed_by"),
    [
        ("update/KnSubject.yaml", "app-connectors/hr-sync.yaml"),
        ("get/Profit_Administrations.yaml", "app-connectors/hr-sync.yaml"),
    ],
)
def test_a_listed_connector_without_its_file_is_an_inconsistent_tree(
    tmp_path: Path, rel: str, listed_by: str
) -> None:
    """Not read as "the connector was removed": that would make diff report a breaking removal."""
    target = write_tree(example(), tmp_path)
    (target / rel).unlink()
    with pytest.raises(InputError) as info:
        read_tree(target)
    message = str(info.value)
    assert f"{target}/{rel} is missing" in message and listed_by in message
    assert info.value.exit_code == EXIT_USAGE and "\n" not in message
    files = files_of(target)
    with pytest.raises(InputError, match=f"{rel} is missing"):
        tree.read_files(files, "REV:definitions/production")


def test_diff_refuses_an_inconsistent_tree(tmp_path: Path) -> None:
    write_tree(example(), tmp_path / "base")
    revision = write_tree(example(), tmp_path / "revision")
    (revision / "update/KnSubject.yaml").unlink()
    result = subprocess.run(
        [sys.executable, "-m", "afasgov", "diff", str(tmp_path / "base/production"), str(revision)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == EXIT_USAGE, result.stdout + result.stderr
    assert f"{revision}/update/KnSubject.yaml is missing" in result.stderr
    assert "Traceback" not in result.stderr and "api-path-removed" not in result.stdout


def test_alias_bombs_are_refused(tmp_path: Path) -> None:
    field = (
        "{field_id: F, label: x, data_type: string, length: 1, decimals: 0, decimals_field_id: '', "
        "mandatory: false, primary_key: false, not_zero: false, control_type: 0}"
    )
    lines = [f"a0: &a0 [{field}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'{{name: o, fields: *a{i - 1}}}'] * 9)}]" for i in range(1, 12)]
    bomb = (
        "\n".join(
            [
                "id: KnSubject",
                "description: x",
                "fields: *a0",
                "objects: *a11",
                *[line.replace(": &", "_: &", 1) for line in lines],
            ]
        )
        + "\n"
    )
    # anchors must be defined before use: put them first under a throwaway key is not allowed either
    bomb = "\n".join([*lines, "id: KnSubject", "description: x", "fields: *a0", "objects: *a11"]) + "\n"
    target = corrupt(tmp_path, "update/KnSubject.yaml", bomb)
    with pytest.raises(InputError):
        read_tree(target)
    target = corrupt(
        tmp_path / "2",
        "update/KnSubject.yaml",
        f"id: KnSubject\ndescription: x\nfields: &f [{field}]\nobjects: [{{name: a, fields: *f}}]\n",
    )
    with pytest.raises(InputError, match="aliases are not allowed"):
        read_tree(target)


def test_not_a_tree(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory"):
        read_tree(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"_snapshot\.yaml is missing"):
        read_tree(tmp_path / "empty")


def test_hand_edited_but_valid_yaml_is_read(tmp_path: Path) -> None:
    """Comments, quoting styles and flow style are fine: the safe loader takes over."""
    target = write_tree(example(), tmp_path)
    path = target / "get/Profit_Administrations.yaml"
    path.write_text("# reviewed\n" + path.read_text().replace("blocked: false", "blocked: 'false'"))
    with pytest.raises(InputError, match="expected true or false"):
        read_tree(target)
    path.write_text("# reviewed\n" + path.read_text().replace("blocked: 'false'", "blocked: False"))
    assert read_tree(target) == example()


# ----------------------------------------------------------------------------------------- git
def git(repo: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_read_from_gitref(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    s1 = example()
    write_tree(s1, repo / "definitions")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    s2 = example(profit_version="9.0.0", label="Dossier item")
    write_tree(s2, repo / "definitions")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "two")
    assert read_git_tree("HEAD~1:definitions/production", repo=repo) == s1
    assert read_git_tree("HEAD:definitions/production", repo=repo) == s2
    assert read_git_tree("HEAD:production", repo=repo / "definitions") == s2  # relative to the cwd
    with pytest.raises(InputError, match="no snapshot tree"):
        read_git_tree("HEAD:definitions/nothing", repo=repo)
    with pytest.raises(InputError, match="git ls-tree failed"):
        read_git_tree("nosuchref:definitions/production", repo=repo)
    with pytest.raises(UsageError):
        read_git_tree("-x:definitions/production", repo=repo)
    with pytest.raises(UsageError, match="GITREF:PATH"):
        read_git_tree("plainpath", repo=repo)
    # a workspace's snapshot: environment name, directory, GITREF:PATH
    cwd = Path.cwd()
    os.chdir(repo)
    try:
        ws = Workspace(root=repo, definitions_dir=repo / "definitions")
        assert ws.snapshot("production") == s2
        assert ws.snapshot(str(repo / "definitions" / "production")) == s2
        assert ws.snapshot("HEAD~1:definitions/production") == s1
        with pytest.raises(UsageError):
            ws.snapshot("nothing-here")
    finally:
        os.chdir(cwd)


def test_streaming_writer_gives_the_same_tree(tmp_path: Path) -> None:
    s = example()
    with TreeWriter(tmp_path / "stream", s.name) as writer:
        for conn in s.update_connectors.values():
            writer.add_update(conn)  # as the crawl does, while requests are in flight
        writer.finish(s)
    assert files_of(tmp_path / "stream" / s.name) == files_of(write_tree(s, tmp_path / "whole"))


def test_streaming_writer_aborts_on_error_and_refuses_strays(tmp_path: Path) -> None:
    write_tree(example(), tmp_path)
    before = files_of(tmp_path / "production")
    with pytest.raises(RuntimeError), TreeWriter(tmp_path, "production") as writer:
        writer.add_update(example().update_connectors["KnSubject"])
        raise RuntimeError("crawl failed")
    assert sorted(os.listdir(tmp_path)) == ["production"] and files_of(tmp_path / "production") == before
    s = example()
    with pytest.raises(UsageError, match="not in the snapshot"), TreeWriter(tmp_path, "production") as writer:
        writer.add_update(UpdateConnector("KnStray"))
        writer.finish(s)
    with pytest.raises(InputError, match="differ only in case"), TreeWriter(tmp_path, "production") as writer:
        writer.add_update(UpdateConnector("KnX"))
        writer.add_update(UpdateConnector("knx"))
    assert sorted(os.listdir(tmp_path)) == ["production"] and files_of(tmp_path / "production") == before
