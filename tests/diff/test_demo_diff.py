"""The demo's accept-vs-production diff reports every kind of change the simulator's demo dataset puts
into accept (afasgov/sim/datasets/demo/changes/accept.yaml), with the right rule, level and wording.

The snapshots are taken fresh from the in-process demo simulator (real crawl over the ASGI app), so
the test follows the dataset, not a possibly stale committed tree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from afasgov.diff.changelog import render_markdown
from afasgov.diff.changelog import rows as changelog_rows
from afasgov.diff.engine import diff_snapshots, get_path, update_path
from afasgov.diff.registry import all_rules
from afasgov.snapshot.tree import read_tree

pytestmark = pytest.mark.e2e

HEADER_ROWS = ("| Description | Connector | Operation |", "| --- | --- | --- |")
SPEC = Path(__file__).resolve().parents[2] / "afasgov/sim/datasets/demo/changes/accept.yaml"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from afasgov.demo import snapshots as demo_tree

    out = tmp_path_factory.mktemp("demo")
    code, envs = demo_tree.snapshot_demo(out)
    assert code == 0 and {"production", "accept"} <= set(envs)
    return out


def _expected(spec: dict[str, Any]) -> list[tuple[set[str], str]]:
    """(acceptable rule ids, path) for every change the dataset makes."""
    out: list[tuple[set[str], str]] = []
    for op in spec.get("update", []):
        ((kind, arg),) = op.items()
        if kind == "add_field":
            fid = arg["field"].split()[0]
            rule = (
                "new-required-request-property" if " ! " in arg["field"] else "new-optional-request-property"
            )
            out.append(({rule}, update_path(tuple(arg["at"].split("/")), fid)))
        elif kind == "remove_field":
            out.append(
                (
                    {"request-property-removed", "afas-custom-field-missing"},
                    update_path(tuple(arg["at"].split("/")), arg["id"]),
                )
            )
        elif kind in ("change_field", "add_codes", "remove_codes"):
            path = update_path(tuple(arg["at"].split("/")), arg["id"])
            if kind == "add_codes":
                out.append(({"request-property-enum-value-added"}, path))
            if kind == "remove_codes":
                out.append(({"request-property-enum-value-removed"}, path))
            if "mandatory" in arg:
                out.append(
                    (
                        {
                            "request-property-became-required"
                            if arg["mandatory"]
                            else "request-property-became-optional"
                        },
                        path,
                    )
                )
            if "codes" in arg:
                out.append(
                    ({"request-property-enum-value-added", "request-property-enum-value-removed"}, path)
                )
            if "length" in arg:
                out.append(
                    ({"request-property-max-length-increased", "request-property-max-length-decreased"}, path)
                )
            if "type" in arg:
                out.append(({"request-property-type-changed"}, path))
        elif kind == "add_object":
            out.append(({"afas-request-object-added"}, update_path((*arg["at"].split("/"), arg["name"]))))
        elif kind == "add_connector":
            out.append(({"endpoint-added"}, arg["id"]))
        elif kind == "remove_connector":
            out.append(({"api-path-removed-without-deprecation"}, arg))
    for op in spec.get("get", []):
        ((kind, arg),) = op.items()
        if kind == "rename_field":
            out.append(({"afas-response-property-renamed"}, get_path(arg["connector"], arg["from"])))
        elif kind == "remove_field":
            out.append(({"response-optional-property-removed"}, get_path(arg["connector"], arg["id"])))
        elif kind == "add_field":
            out.append(
                ({"response-optional-property-added"}, get_path(arg["connector"], arg["field"].split()[0]))
            )
        elif kind == "change_field":
            path = get_path(arg["connector"], arg["id"])
            if "length" in arg:
                out.append(
                    (
                        {
                            "response-property-max-length-increased",
                            "afas-response-property-max-length-decreased",
                        },
                        path,
                    )
                )
            if "label" in arg:
                out.append(({"afas-response-property-label-changed"}, path))
        elif kind == "remove_connector":
            out.append(({"api-path-removed-without-deprecation"}, arg))
        elif kind == "add_connector":
            out.append(({"endpoint-added"}, arg["id"]))
    for name, change in (spec.get("app_connectors") or {}).items():
        if "get" in change or "update" in change:
            out.append(
                (
                    {"afas-app-connector-scope-grew", "afas-app-connector-scope-shrank"},
                    f"app-connectors/{name}/*",
                )
            )
    return out


def test_demo_accept_vs_production_reports_every_change_of_the_dataset(demo: Path) -> None:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    prod, acc = read_tree(demo / "production"), read_tree(demo / "accept")
    changes = diff_snapshots(prod, acc).changes
    by_path: dict[str, set[str]] = {}
    for c in changes:
        by_path.setdefault(c.path, set()).add(c.id)
    rules = all_rules()
    missing = []
    for ids, path in _expected(spec):
        if path.endswith("/*"):
            found = {i for p, s in by_path.items() if p.startswith(path[:-1]) for i in s}
        else:
            found = by_path.get(path, set())
        if not ids & found:
            missing.append(f"{sorted(ids)} at {path} (found {sorted(found)})")
    assert not missing, "\n".join(missing)
    assert any(c.id == "afas-profit-version-changed" for c in changes)
    for c in changes:
        assert c.level == rules[c.id].level
        assert c.text == rules[c.id].template.format(
            path=c.path,
            field=c.location.field,
            value=c.location.value,
            before=c.before,
            after=c.after,
            connector=c.location.connector,
            base="production",
            revision="accept",
            kind="GetConnector" if "/get/" in c.path else "UpdateConnector",
            field_id=getattr(acc.get_connectors.get(c.location.connector), "fields", None)
            and next((f.field_id for f in acc.get_connectors[c.location.connector].fields if f.id == c.after), ""),
        )


def test_demo_diff_and_changelog_commands(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from afasgov.cli import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["diff", str(demo / "production"), str(demo / "accept"), "--format", "json"])
    assert exc.value.code == 1
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["ERR"] > 0
    changes = diff_snapshots(read_tree(demo / "production"), read_tree(demo / "accept")).changes
    table = render_markdown(changes, "production", "accept")
    rows = [ln for ln in table.splitlines() if ln.startswith("| ") and ln not in HEADER_ROWS]
    listed = changelog_rows(changes)
    assert len(listed) == len(data["changes"])
    # every change once per module it is documented in, breaking ones also in that module's "Breaking Changes"
    assert len(rows) == sum(max(1, len(r.modules)) * (2 if r.breaking else 1) for r in listed)
