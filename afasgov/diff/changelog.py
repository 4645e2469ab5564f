"""AFAS's release-notes tables: per module, ``## <Module> Specification`` with ``### Breaking Changes``
and ``### Changelog`` tables ``| Description | Connector | Operation |``, in oasdiff's wording.

AFAS publishes each release's API changes per specification module (the spec a connector is
documented in; a few connectors are in two, and their rows appear under both). ``afasgov changelog``
writes the same tables for two snapshots, with AFAS's connector catalogue (:mod:`afasgov.catalogue`)
for what metainfo does not say:

* the **module** of each connector (connectors the catalogue does not know — custom ones, newer ones —
  go under "Other connectors"; environment and App Connector changes, which AFAS's notes do not
  cover, under "Environment and App Connectors");
* the **Operation** column: the operations a change concerns (the rule's: ``POST, PUT`` for a request
  property, ``POST`` for a required one, …) that the connector offers — AFAS writes ``POST`` alone
  where the connector has no PUT;
* **property paths from the payload's root element**, as AFAS writes them
  (``AfasPerson/Element/Objects/…`` for HrOnboarding);
* a nested object added or removed, in AFAS's (oasdiff's) words: ``added the new optional request
  property '…/Element/Objects/X'`` / ``removed the request property '…/Element/Objects/X'``.

Breaking changes are those whose rule level is ERR; every change is also in its module's Changelog.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from afasgov import catalogue
from afasgov.diff.registry import all_rules
from afasgov.findings import Finding
from afasgov.report.escape import md_line

OPERATIONS = ("POST", "PUT", "DELETE")
OTHER = "Other connectors"
ENVIRONMENT = "Environment and App Connectors"
HEADER = ("| Description | Connector | Operation |", "| --- | --- | --- |")


def cell(text: object) -> str:
    """A Markdown table cell (:func:`afasgov.report.escape.md_line`, the one escaper): AFAS's wording
    stays readable, nothing in server text becomes a link, mention, emphasis or HTML."""
    return md_line(text)


@dataclass(frozen=True)
class Row:
    """One row of AFAS's table, with the sections (module names) it belongs in."""

    breaking: bool
    description: str
    connector: str
    operation: str
    modules: tuple[str, ...]
    #: the connector is an UpdateConnector/GetConnector the catalogue does not know.
    uncatalogued: bool = False


def _ops(nominal: str, offered: tuple[str, ...]) -> str:
    """The rule's operations that the connector offers (AFAS lists only those)."""
    wanted = [op.strip() for op in nominal.split(",") if op.strip()]
    kept = [op for op in OPERATIONS if op in wanted and op in offered]
    if not kept:  # e.g. a newly required field on a PUT-only connector: the request operations it has
        kept = [op for op in ("POST", "PUT") if op in offered] or wanted
    return ", ".join(kept)


def _description(change: Finding, root: str) -> str:
    text = change.text
    if change.id == "afas-request-object-added":
        text = f"added the new optional request property '{change.path}'"
    elif change.id == "afas-request-object-removed":
        text = f"removed the request property '{change.path}'"
    if root != change.location.connector and change.path.startswith(f"{change.location.connector}/"):
        text = text.replace(change.path, root + change.path[len(change.location.connector):])
    return text


def row_of(change: Finding, cat: catalogue.Catalogue | None = None) -> Row:
    """``change`` as a row of AFAS's table."""
    cat = cat or catalogue.load()
    rule = all_rules().get(change.id)
    nominal = rule.operations(change) if rule is not None else (
        "GET" if change.location.connector_type in ("get", "gcn") else "")
    breaking = (change.rule_level or change.level) == "ERR"
    if change.location.connector_type == "update":
        info = cat.update_connector(change.location.connector)
        if info is None:
            return Row(breaking, change.text, change.location.connector, nominal, (), True)
        return Row(breaking, _description(change, info.root), change.location.connector, _ops(nominal, info.operations),
                   tuple(m.name for m in info.modules))
    if change.location.connector_type in ("get", "gcn"):
        get = cat.get_connector(change.location.connector)
        modules = tuple(m.name for m in get.modules) if get is not None else ()
        return Row(breaking, change.text, change.location.connector, nominal, modules, get is None)
    return Row(breaking, change.text, change.location.connector, nominal, ())


def rows(changes: Sequence[Finding]) -> list[Row]:
    """Every change as a row, in AFAS's order: by connector, then description."""
    cat = catalogue.load()
    out = [row_of(c, cat) for c in changes]
    out.sort(key=lambda r: (r.connector, r.description))
    return out


def _sections(all_rows: Sequence[Row], connectors: Iterable[str]) -> list[tuple[str, list[Row]]]:
    """(heading, rows) per module in the release notes' order, then other connectors, then the rest.
    A module is listed (with "No changes for this release.") when one of ``connectors`` is in it."""
    cat = catalogue.load()
    names = {m.name for m in cat.modules}
    listed = set()
    for name in connectors:
        listed |= {m.name for m in cat.module_of(name)}
    for r in all_rows:
        listed |= set(r.modules)
    out: list[tuple[str, list[Row]]] = []
    for module in [m.name for m in cat.modules if m.name in listed] + sorted(listed - names):
        out.append((f"{module} Specification", [r for r in all_rows if module in r.modules]))
    other = [r for r in all_rows if r.uncatalogued]
    if other:
        out.append((OTHER, other))
    rest = [r for r in all_rows if not r.modules and not r.uncatalogued]
    if rest:
        out.append((ENVIRONMENT, rest))
    return out


def _table(selected: Iterable[Row]) -> list[str]:
    return [*HEADER, *(f"| {cell(r.description)} | {cell(r.connector)} | {cell(r.operation)} |" for r in selected)]


def notes(all_rows: Sequence[Row]) -> list[str]:
    """What the tables could not take from AFAS's catalogue."""
    unknown = sorted({r.connector for r in all_rows if r.uncatalogued})
    if not unknown:
        return []
    return [
        f"{', '.join(unknown)}: not in AFAS's connector catalogue ({catalogue.provenance().describe()}): custom "
        "connectors or newer than AFAS's published specs. Their rows are under \"Other connectors\", with "
        "the connector's name as the root of property paths and the operations the rule concerns (not checked "
        "against what the connector offers)."
    ]


def render_markdown(
    changes: Sequence[Finding], base: str, revision: str, *, connectors: Iterable[str] = ()
) -> str:
    """AFAS's release-notes page for ``changes``; ``connectors`` (those of both snapshots) decide which
    modules are listed with "No changes for this release."."""
    all_rows = rows(changes)
    out = [f"# API changes from {cell(base)} to {cell(revision)}", ""]
    sections = _sections(all_rows, connectors)
    if not sections:
        out += ["No changes for this release.", ""]
    for heading, selected in sections:
        out += [f"## {cell(heading)}", ""]
        if not selected:
            out += ["No changes for this release.", ""]
            continue
        breaking = [r for r in selected if r.breaking]
        if breaking:
            out += ["### Breaking Changes", "", *_table(breaking), ""]
        out += ["### Changelog", "", *_table(selected), ""]
    for note in notes(all_rows):
        out += [f"> {cell(note)}", ""]
    return "\n".join(out)


def render_json(changes: Sequence[Finding], base: str, revision: str, *, connectors: Iterable[str] = ()) -> str:
    all_rows = rows(changes)
    data = {
        "tool": "afasgov",
        "base": base,
        "revision": revision,
        "changelog": [
            {"breaking": r.breaking, "description": r.description, "connector": r.connector,
             "operation": r.operation, "modules": list(r.modules) or [OTHER if r.uncatalogued else ENVIRONMENT]}
            for r in all_rows
        ],
        "modules": [heading.removesuffix(" Specification") for heading, _ in _sections(all_rows, connectors)],
        "notes": notes(all_rows),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
