"""The parser reads the diff rules' own wording back: every rule's template comes back to that rule, and
whatever ``afasgov changelog`` writes for any two snapshots parses into exactly the diff's changes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afasgov.diff.changelog import render_markdown
from afasgov.diff.engine import diff_snapshots
from afasgov.diff.registry import all_rules
from afasgov.model import EnvironmentSnapshot
from afasgov.releasenotes import change_key, parse_notes
from afasgov.releasenotes.check import check
from afasgov.releasenotes.templates import compile_template, match_description, templates
from tests.diff.test_laws import snapshots

IDS = st.from_regex(r"[A-Z][A-Za-z0-9]{1,12}", fullmatch=True)
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="'\r\n", exclude_categories=("Cs", "Cc")),
               min_size=1, max_size=20).map(str.strip).filter(bool)


def _path(subjects: tuple[str, ...], cid: str, obj: str, fid: str) -> str:
    if "get-field" in subjects:
        return f"{cid}/Fields/{fid}"
    if "update-object" in subjects and "update-field" not in subjects:
        return f"{cid}/Element/Objects/{obj}"
    if "update-field" in subjects:
        return f"{cid}/Element/Objects/{obj}/Element/Fields/{fid}"
    return cid


def test_only_snapshot_rules_take_part_and_gcn_rules_do_not() -> None:
    ids = {t.rule_id for t in templates()}
    rules = all_rules()
    assert ids == {r.id for r in rules.values() if r.template and set(r.subjects) - {"gcn"}}
    assert not any(i.startswith("afas-gcn-") for i in ids)


@settings(max_examples=60, deadline=None)
@given(cid=IDS, obj=IDS, fid=IDS, value=IDS, before=TEXT, after=TEXT, data=st.data())
def test_every_rule_wording_comes_back_to_its_rule(
    cid: str, obj: str, fid: str, value: str, before: str, after: str, data: st.DataObject
) -> None:
    for t in templates():
        values = {
            "path": _path(t.subjects, cid, obj, fid),
            "value": value,
            "before": before,
            "after": after,
            "connector": cid.lower(),
            "kind": data.draw(st.sampled_from(["GetConnector", "UpdateConnector"])),
            "field_id": "U006",
            "base": "production",
            "revision": "accept",
            "field": fid,
        }
        text = t.template.format(**values)
        found = match_description(text)
        assert found is not None, text
        assert found.template.rule_id == t.rule_id, (text, found.template.rule_id)
        for name, got in found.groups.items():
            assert got == values[name], (t.rule_id, name)


def test_remark_after_the_wording_is_split_off() -> None:
    found = match_description("removed the request property 'KnUser/Element/Fields/Pw' Note: use Upn instead.")
    assert found is not None and found.template.rule_id == "request-property-removed"
    assert found.remark == "Note: use Upn instead."
    assert match_description("removed the request property 'KnUser/Element/Fields/Pw' and more") is None


def test_compile_template_handles_repeated_and_free_placeholders() -> None:
    pattern, prefix, literal = compile_template("the '{path}' was '{path}' and {x}")
    assert prefix == "the '" and literal == len("the '' was '' and ")
    assert pattern.fullmatch("the 'A' was 'A' and anything")
    assert not pattern.fullmatch("the 'A' was 'B' and anything")


LAWS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@LAWS
@given(snapshots(), snapshots())
def test_changelog_written_then_read_gives_the_diff_back(a: EnvironmentSnapshot, b: EnvironmentSnapshot) -> None:
    """changelog(diff(a, b)) read back: the same changes (ids, connectors, paths, codes), all confirmed
    against diff(a, b), nothing unannounced."""
    changes = diff_snapshots(a, b, base_name="a", revision_name="b").changes
    notes = parse_notes(render_markdown(changes, "a", "b"), "changelog.md")
    assert notes.reported == []
    assert {c.key for c in notes.changes} == {change_key(c) for c in changes}
    for announced in notes.changes:
        assert announced.level == all_rules()[announced.id].level
    result = check(notes, changes, base=a, revision=b)
    assert result.unannounced == [] and result.not_visible == []
    assert len(result.confirmed) == len(notes.changes)
