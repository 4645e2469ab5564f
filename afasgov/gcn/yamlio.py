"""The readable definition as YAML/JSON (``definitions/getconnectors/<Name>.yaml``, DESIGN §3/§4).

``to_dict``/``from_dict`` are exact inverses on :class:`~afasgov.gcn.model.GcnDefinition`; the YAML is
deterministic (stable key order, fields in output order, LF, UTF-8) so ``git diff`` shows real changes.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
from typing import Any, Final

import yaml

from afasgov import yamlsafe
from afasgov.gcn.errors import GcnError
from afasgov.gcn.filters import OPERATOR_CODES, OPERATORS
from afasgov.gcn.model import (
    DISPLAY_CODES,
    DISPLAY_KINDS,
    GcnAlias,
    GcnCriterion,
    GcnDefinition,
    GcnExportInfo,
    GcnField,
    GcnFilterGroup,
)

SCHEMA: Final = "afasgov/gcn-definition/1"
YAML_HEADER: Final = (
    "# GetConnector definition read from a Profit .gcn export by afasgov (docs/gcn.md).\n"
    "# Editable here, then `afasgov gcn export`: description, info, flags (blocked, visible, template,\n"
    "# under_construction, apply_authorisation, authorisation_group), filters and per field output_name,\n"
    "# label, column_header. Importing an edited .gcn into Profit is unverified (its signature cannot\n"
    "# be regenerated).\n"
)

_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _iso(value: _dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        return value.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat(timespec="seconds")


# ========================================================================================= to_dict
def _field_dict(f: GcnField) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": f.field_id,
        "output_name": f.output_name,
        "display": DISPLAY_KINDS.get(f.display, f.display),
        "order": f.order,
        "source": f.source,
        "join_path": f.join_path,
        "label": f.label,
        "column_header": f.column_header,
        "aggregation": f.aggregation,
    }
    if f.group_index != f.order:
        out["group_index"] = f.group_index
    optional = {
        "sql_name": f.sql_name,
        "main_table": f.main_table or None,
        "extension": f.extension or None,
        "fixed": f.fixed or None,
        "authorisation_lookup": f.authorisation_lookup,
        "search": f.search,
        "condition": f.condition,
        "labels": dict(f.labels) or None,
        "column_headers": dict(f.column_headers) or None,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def _alias_dict(a: GcnAlias) -> dict[str, Any]:
    return {
        "alias": a.alias,
        "seq": a.seq,
        "target": a.target,
        "target_view": a.target_view,
        "target_view_alias": a.target_view_alias,
        "target_type": a.target_type,
        "condition": a.condition,
        "description": a.description,
        "left_join_only": a.left_join_only,
        "default": a.default,
        "always_on": a.always_on,
        "visible": a.visible,
        "join_type": a.join_type,
    }


def to_dict(d: GcnDefinition) -> dict[str, Any]:
    """A JSON/YAML-safe dict in a stable key order."""
    return {
        "schema": SCHEMA,
        "guid": d.guid,
        "name": d.name,
        "description": d.description,
        "info": d.info,
        "product": d.product,
        "system": d.system,
        "code": d.code,
        "definition_type": d.definition_type,
        "data_collection": {
            "id": d.data_collection,
            "name": d.data_collection_name,
            "source_view": d.source_view,
            "main_table": d.main_table,
            "main_alias": d.main_alias,
            "view_guid": d.view_guid,
            "grouping": d.grouping,
            "distinct": d.distinct,
            "use_blocked_lines": d.use_blocked_lines,
        },
        "flags": {
            "blocked": d.blocked,
            "visible": d.visible,
            "template": d.template,
            "under_construction": d.under_construction,
            "apply_authorisation": d.apply_authorisation,
            "authorisation_group": d.authorisation_group,
            "condition": d.condition,
            "negative_condition": d.negative_condition,
        },
        "history": {
            "owner": d.owner,
            "created_by": d.created_by,
            "created_at": _iso(d.created_at),
            "changed_by": d.changed_by,
            "changed_at": _iso(d.changed_at),
        },
        "fields": [_field_dict(f) for f in d.fields],
        "filters": [
            {
                "all": [
                    {"field": c.field_id, "operator": OPERATORS.get(c.operator, c.operator), "value": c.value}
                    for c in g.criteria
                ]
            }
            for g in d.filters
        ],
        "aliases": [_alias_dict(a) for a in d.aliases],
        "localized": {"descriptions": dict(d.localized_descriptions), "infos": dict(d.localized_infos)},
        "export": {
            "format_version": d.export.format_version,
            "generation": d.export.generation,
            "exported_at": _iso(d.export.exported_at),
            "exported_at_utc": _iso(d.export.exported_at_utc),
            "environment_id": d.export.environment_id,
            "release": d.export.release,
            "query_version": d.export.query_version,
            "build": d.export.build,
            "service_pack": d.export.service_pack,
        },
    }


def to_yaml(d: GcnDefinition, *, ascii_only: bool = False) -> str:
    """The stored YAML (UTF-8 text as it is); ``ascii_only``: every non-ASCII character escaped by
    YAML itself (``"\\u202E"``), the same values in a form no terminal can misread."""
    body = yaml.dump(
        to_dict(d),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=not ascii_only,
        default_flow_style=False,
        width=110,
    )
    return YAML_HEADER + body


def to_json(d: GcnDefinition, *, ascii_only: bool = False) -> str:
    return json.dumps(to_dict(d), indent=2, ensure_ascii=ascii_only) + "\n"


# ======================================================================================= from_dict
class _Doc:
    """Typed access to a mapping with precise error paths.

    Every key read is remembered: :meth:`done` then refuses the keys nobody read (a mistyped edit
    must not be dropped silently)."""

    def __init__(self, data: Any, path: str, source: str | None) -> None:
        if not isinstance(data, dict):
            raise GcnError(f"{path or 'document'}: expected a mapping", source=source, layer="YAML")
        self.data = data
        self.path = path
        self.source = source
        self.used: set[str] = set()

    def _err(self, key: str, message: str) -> GcnError:
        where = f"{self.path}.{key}" if self.path else key
        return GcnError(f"{where}: {message}", source=self.source, layer="YAML")

    def done(self, *ignored: str) -> None:
        """Refuse a key that was not read (``ignored``: keys the writer writes for readers only)."""
        known = self.used | set(ignored)
        for key in self.data:
            if key not in known:
                close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else f"known here: {', '.join(sorted(known))}"
                raise self._err(str(key), f"unknown key ({hint})")

    def raw(self, key: str, default: Any = None, *, required: bool = False) -> Any:
        self.used.add(key)
        if key not in self.data:
            if required:
                raise self._err(key, "missing")
            return default
        return self.data[key]

    def text(self, key: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.raw(key, default, required=required)
        if value is None:
            if required:
                raise self._err(key, "must not be empty")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self._err(key, f"expected text, found {type(value).__name__}")
        return str(value) if not isinstance(value, str) else value

    def req_text(self, key: str) -> str:
        value = self.text(key, required=True)
        assert value is not None
        return value

    def integer(self, key: str, default: int | None = None) -> int | None:
        value = self.raw(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._err(key, f"expected an integer, found {value!r:.40}")
        return value

    def flag(self, key: str, default: bool | None = False) -> bool | None:
        value = self.raw(key, default)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise self._err(key, f"expected true or false, found {value!r:.40}")
        return value

    def req_flag(self, key: str, default: bool) -> bool:
        value = self.flag(key, default)
        return default if value is None else value

    def date(self, key: str) -> _dt.datetime | None:
        value = self.raw(key)
        if value is None:
            return None
        if isinstance(value, _dt.datetime):
            return value
        if isinstance(value, str):
            try:
                text = value[:-1] + "+00:00" if value.endswith("Z") else value
                return _dt.datetime.fromisoformat(text)
            except ValueError:
                pass
        raise self._err(key, f"expected an ISO date-time, found {value!r:.40}")

    def sub(self, key: str) -> _Doc:
        value = self.raw(key, {})
        return _Doc(
            value if value is not None else {}, f"{self.path}.{key}" if self.path else key, self.source
        )

    def items(self, key: str) -> list[_Doc]:
        value = self.raw(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._err(key, "expected a list")
        base = f"{self.path}.{key}" if self.path else key
        return [_Doc(v, f"{base}[{i}]", self.source) for i, v in enumerate(value)]

    def strmap(self, key: str) -> dict[str, str]:
        value = self.raw(key, {})
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self._err(key, "expected a mapping of language id to text")
        return {str(k): v for k, v in value.items()}


def _field_from(doc: _Doc) -> GcnField:
    display_raw = doc.raw("display", required=True)
    if isinstance(display_raw, str):
        if display_raw not in DISPLAY_CODES:
            raise doc._err(
                "display", f"expected one of {', '.join(DISPLAY_CODES)}, found {display_raw!r:.40}"
            )
        display = DISPLAY_CODES[display_raw]
    elif isinstance(display_raw, int) and not isinstance(display_raw, bool):
        display = display_raw
    else:
        raise doc._err("display", "expected output, filter-only or system")
    order = doc.integer("order")
    if order is None:
        raise doc._err("order", "missing")
    field = GcnField(
        field_id=doc.req_text("id"),
        order=order,
        display=display,
        output_name=doc.text("output_name"),
        source=doc.text("source"),
        join_path=doc.text("join_path"),
        label=doc.text("label"),
        column_header=doc.text("column_header"),
        aggregation=doc.integer("aggregation", 0) or 0,
        group_index=doc.integer("group_index", order) if "group_index" in doc.data else order,
        sql_name=doc.text("sql_name"),
        main_table=doc.req_flag("main_table", False),
        extension=doc.req_flag("extension", False),
        fixed=doc.req_flag("fixed", False),
        authorisation_lookup=doc.text("authorisation_lookup"),
        search=doc.text("search"),
        condition=doc.integer("condition"),
        labels=doc.strmap("labels"),
        column_headers=doc.strmap("column_headers"),
    )
    doc.done()
    return field


def _criterion_from(doc: _Doc) -> GcnCriterion:
    op_raw = doc.raw("operator", required=True)
    if isinstance(op_raw, int) and not isinstance(op_raw, bool) and op_raw in OPERATORS:
        op = op_raw
    elif isinstance(op_raw, str) and op_raw in OPERATOR_CODES:
        op = OPERATOR_CODES[op_raw]
    else:
        raise doc._err("operator", f"unknown operator {op_raw!r:.40} (known: {', '.join(OPERATOR_CODES)})")
    value = doc.text("value", "")
    return GcnCriterion(field_id=doc.req_text("field"), operator=op, value=value or "")


def _strict_criterion_from(doc: _Doc) -> GcnCriterion:
    criterion = _criterion_from(doc)
    doc.done()
    return criterion


def _alias_from(doc: _Doc) -> GcnAlias:
    alias = GcnAlias(
        alias=doc.req_text("alias"),
        seq=doc.integer("seq", 0) or 0,
        target=doc.text("target"),
        target_view=doc.text("target_view"),
        target_view_alias=doc.text("target_view_alias"),
        target_type=doc.integer("target_type", 0) or 0,
        condition=doc.integer("condition"),
        description=doc.text("description"),
        left_join_only=doc.req_flag("left_join_only", False),
        default=doc.req_flag("default", False),
        always_on=doc.req_flag("always_on", False),
        visible=doc.req_flag("visible", True),
        join_type=doc.integer("join_type"),
    )
    doc.done()
    return alias


#: top-level keys of afasgov's other YAML files -> what the file probably is
_OTHER_YAML = (
    ("environments", "an afasgov.yaml configuration"),
    ("waivers", "a waivers file"),
    ("uses", "an integration manifest"),
    ("app_connector", "an integration manifest"),
    ("taken_at", "a snapshot's _snapshot.yaml"),
    ("updateConnectors", "metainfo"),
)


def _not_a_definition(data: Any) -> str:
    looks = next((what for key, what in _OTHER_YAML if isinstance(data, dict) and key in data), None)
    return (
        "not a GetConnector definition" + (f" (it looks like {looks})" if looks else " (no 'guid')")
        + ": `afasgov gcn` reads .gcn exports and the definitions `afasgov gcn import` writes"
    )


def from_dict(data: Any, *, source: str | None = None) -> GcnDefinition:
    """The definition of a :func:`to_dict` document; :class:`GcnError` naming the key path for a
    wrong value or an unknown key (``export.generation`` is derived and not read)."""
    if not isinstance(data, dict) or ("guid" not in data and "schema" not in data):
        raise GcnError(_not_a_definition(data), source=source)
    doc = _Doc(data, "", source)
    schema = doc.raw("schema")
    if schema is not None and schema != SCHEMA:
        raise doc._err("schema", f"unknown schema {schema!r:.60} (expected {SCHEMA})")
    dc, fl, hist, exp, loc = (
        doc.sub("data_collection"),
        doc.sub("flags"),
        doc.sub("history"),
        doc.sub("export"),
        doc.sub("localized"),
    )
    fmt = exp.integer("format_version", 8)
    groups = []
    for g in doc.items("filters"):
        criteria = tuple(_strict_criterion_from(c) for c in g.items("all"))
        g.done()
        groups.append(GcnFilterGroup(criteria))
    definition = GcnDefinition(
        guid=doc.req_text("guid"),
        name=doc.req_text("name"),
        description=doc.text("description", "") or "",
        info=doc.text("info"),
        product=doc.text("product"),
        system=doc.text("system"),
        code=doc.text("code"),
        definition_type=doc.integer("definition_type", 8) or 0,
        data_collection=dc.text("id"),
        data_collection_name=dc.text("name"),
        source_view=dc.text("source_view"),
        main_table=dc.text("main_table"),
        main_alias=dc.text("main_alias"),
        view_guid=dc.text("view_guid"),
        grouping=dc.req_flag("grouping", False),
        distinct=dc.req_flag("distinct", False),
        use_blocked_lines=dc.flag("use_blocked_lines", None),
        blocked=fl.req_flag("blocked", False),
        visible=fl.req_flag("visible", True),
        template=fl.req_flag("template", False),
        under_construction=fl.req_flag("under_construction", False),
        apply_authorisation=fl.req_flag("apply_authorisation", False),
        authorisation_group=fl.text("authorisation_group"),
        condition=fl.integer("condition"),
        negative_condition=fl.integer("negative_condition"),
        owner=hist.text("owner"),
        created_by=hist.text("created_by"),
        created_at=hist.date("created_at"),
        changed_by=hist.text("changed_by"),
        changed_at=hist.date("changed_at"),
        fields=tuple(_field_from(f) for f in doc.items("fields")),
        filters=tuple(groups),
        aliases=tuple(_alias_from(a) for a in doc.items("aliases")),
        export=GcnExportInfo(
            format_version=fmt if fmt is not None else 8,
            exported_at=exp.date("exported_at"),
            exported_at_utc=exp.date("exported_at_utc"),
            environment_id=exp.text("environment_id"),
            release=exp.text("release"),
            query_version=exp.text("query_version"),
            build=exp.integer("build"),
            service_pack=exp.integer("service_pack"),
        ),
        localized_descriptions=loc.strmap("descriptions"),
        localized_infos=loc.strmap("infos"),
    )
    for part in (dc, fl, hist, loc, doc):
        part.done()
    exp.done("generation")
    return definition


def from_yaml(text: str, *, source: str | None = None) -> GcnDefinition:
    """Parse a definition's YAML strictly (:mod:`afasgov.yamlsafe`: no tags, anchors or duplicate keys)."""

    def error(message: str, _source: str) -> Exception:
        return GcnError(message, source=source, layer="YAML")

    return from_dict(yamlsafe.loads(text, source or "<yaml>", error=error), source=source)
