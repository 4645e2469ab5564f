"""Write new GetConnector definitions as ``.gcn`` files (format 8, as current Profit exports them).

Used for the demo organisation (test ahead of production) and for test fixtures: the project never
copies corpus files, it authors its own. Two entry points:

* :func:`build_gcn` — from a small spec (a mapping, e.g. loaded from YAML)::

      build_gcn({
          "name": "Demo_Employees",                 # connector id (REST URL)
          "guid": "…32 hex…",                       # optional: derived from the name
          "description": "Demo - employees",        # optional, default = name
          "system": "Kn", "product": "Hrm",
          "data_collection": {"id": "B_Bcn00", "name": "Organisaties/Personen",
                              "main_table": "Kn.Bcn", "main_alias": "Bcn"},
          "fields": [
              {"id": "U001", "source": "Kn.Bcn.BcCo", "output_name": "PersonId"},
              {"id": "U002", "source": "Kn.Emp.Nm", "join_path": "Bcn.KnEmp2", "output_name": "Name"},
              {"id": "U003", "source": "Kn.Bcn.Bl", "display": "filter-only"},
          ],
          "filters": [[{"field": "U003", "operator": "=", "value": "0"}]],   # OR of AND-groups
          "blocked": False, "apply_authorisation": True, "authorisation_group": "VTR",
          "created_by": "demo.admin", "created_at": "2025-01-06T09:00:00",
          "exported_at": "2025-01-21T16:52:12",
      })

* :func:`build_from_definition` — from a :class:`~afasgov.gcn.model.GcnDefinition`.

The output is deterministic (same input, same bytes) and is validated by reading it back. The view
SQL is a plausible placeholder (the physical Profit columns are unknown) and item 15 (the signature)
is a deterministic placeholder: whether Profit imports such a file is unverified.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final

from afasgov.gcn import zipmember
from afasgov.gcn.codec import read_gcn
from afasgov.gcn.errors import GcnError
from afasgov.gcn.filters import RawCriterion, RawFilter, RawGroup
from afasgov.gcn.model import DISPLAY_CODES, GcnAlias, GcnDefinition, GcnExportInfo, GcnField, GcnFilterGroup
from afasgov.gcn.sql import InsertStatement, SqlValue
from afasgov.gcn.streams import flatten, write_binary_stream, write_text_stream
from afasgov.gcn.values import DotNetDate, OleDate, Value
from afasgov.gcn.variant import write_variant
from afasgov.gcn.yamlio import _criterion_from, _Doc

LCIDS: Final = ("1031", "1036", "1043", "2057", "2067")
VIEW_COLUMNS: Final = (
    "AfasMdSystemId",
    "AfasMdViewId",
    "AfasMdName",
    "AfasMdFilename",
    "AfasMdTableId",
    "AfasMdDescription",
    "AfasMdCreateStatement",
    "AfasMdCustom",
    "AfasMdQuerytool",
    "AfasMdFilterData",
    "AfasMdGuid",
    "AfasMdListUse",
    "AfasMdExtensionData",
    "AfasMdSourceViewId",
    "AfasMdBDefSystemId",
    "AfasMdBDefCode",
    "AfasMdMainTableSystemId",
    "AfasMdAdditionalSystemId",
    "AfasMdGrouping",
    "AfasMdLinkToSystemId",
    "AfasMdLinkToViewId",
    "AfasMdConditionSeqNo",
    "AfasMdHideFromUser",
    "AfasMdDistinct",
    "AfasMdBaseViewId",
    "AfasMdSourceVersion",
    "AfasMdViewType",
    "AfasMdQueryCompatible",
    "AfasMdViewParsed",
    "AfasMdUseBlockedLines",
    "AfasMdGroupLines",
    "AfasMdRowHeight",
    *(f"AfasMdDescription_{lcid}" for lcid in LCIDS),
)
FIELD_COLUMNS: Final = (
    "AfasMdSystemId",
    "AfasMdViewId",
    "AfasMdViewFieldId",
    "AfasMdFieldSeqno",
    "AfasMdName",
    "AfasMdSystemIdFld",
    "AfasMdTableIdFld",
    "AfasMdFieldId",
    "AfasMdColumnHeader",
    "AfasMdDisplay",
    "AfasMdMainTable",
    "AfasMdForeignKeyPath",
    "AfasMdLabel",
    "AfasMdExtension",
    "AfasMdAVSystemId",
    "AfasMdAVViewId",
    "AfasMdAVFieldId",
    "AfasMdFilterLevel",
    "AfasMdSearchSystemId",
    "AfasMdSearchTableId",
    "AfasMdSearchFieldId",
    "AfasMdCustomProp",
    "AfasMdAggFunc",
    "AfasMdGroupIndex",
    "AfasMdFKeyPathFieldId",
    "AfasMdConditionSeqNo",
    "AfasMdFixedField",
    "AfasMdSQLFunctionSystemId",
    "AfasMdSQLFunctionId",
    "AfasMdBold",
    "AfasMdColor",
    "AfasMdOrderBy",
    "AfasMdOrderType",
    *(f"AfasMdLabel_{lcid}" for lcid in LCIDS),
    *(f"AfasMdColumnHeader_{lcid}" for lcid in LCIDS),
)
ALIAS_COLUMNS: Final = (
    "AfasMdSystemId",
    "AfasMdViewId",
    "AfasMdAlias",
    "AfasMdSeqNo",
    "AfasMdTargetSystemIdTable",
    "AfasMdTargetTableId",
    "AfasMdTargetSystemIdView",
    "AfasMdTargetViewId",
    "AfasMdTargetType",
    "AfasMdCondition",
    "AfasMdDescription",
    "AfasMdLeftJoinOnly",
    "AfasMdDefault",
    "AfasMdAlwaysOn",
    "AfasMdVisible",
    "AfasMdJoinType",
    "AfasMdTargetViewTableAlias",
)
DEFAULT_TIME: Final = _dt.datetime(2025, 1, 6, 9, 0, 0)
AMSTERDAM_OFFSET_WINTER: Final = _dt.timedelta(hours=1)
NAMESPACE: Final = uuid.UUID("6f1c2d64-5d1b-4c55-9a43-0c5f3f0b7a11")


def guid_for(name: str) -> str:
    """A stable connector GUID for a name (uppercase hex, no dashes, like Profit's)."""
    return uuid.uuid5(NAMESPACE, name).hex.upper()


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _split(dotted: str | None, parts: int, what: str) -> list[str | None]:
    if not dotted:
        return [None] * parts
    pieces = dotted.split(".")
    if len(pieces) != parts or not all(pieces):
        raise GcnError(f"{what} {dotted!r} should have {parts} dot-separated parts", layer="build")
    return list(pieces)


def _utc_of(local: _dt.datetime) -> _dt.datetime:
    """Europe/Amsterdam local → UTC (EU daylight-saving rule: last Sunday of March/October, 01:00 UTC)."""

    def last_sunday(year: int, month: int) -> _dt.datetime:
        day = _dt.datetime(year, month + 1, 1) - _dt.timedelta(days=1)
        return day - _dt.timedelta(days=(day.weekday() + 1) % 7)

    start = last_sunday(local.year, 3).replace(hour=2)
    end = last_sunday(local.year, 10).replace(hour=3)
    offset = _dt.timedelta(hours=2) if start <= local < end else AMSTERDAM_OFFSET_WINTER
    return (local - offset).replace(tzinfo=_dt.UTC)


def _create_statement(d: GcnDefinition, system: str, view_guid: str) -> str:
    name = f"Vw_Afas{system}{view_guid}"
    select = (
        ",\r\n".join(
            f"{(f.join_path or d.main_alias or 'T').split('.')[-1]}.{f.source_field or f.field_id} "
            f"{f.sql_name or 'AfasQW' + system + f.field_id}"
            for f in d.fields
        )
        or "NULL AS Dummy"
    )
    table = (d.main_table or "Kn.Unknown").replace(".", "")
    return (
        f"/*\r\n  Generated by afasgov (placeholder: physical columns unknown)\r\n*/\r\n\r\n"  # noqa: S608
        f"if exists (select * from sysobjects where id = \r\n"
        f"object_id('dbo.{name}') and sysstat & 0xf = 2)\r\n"
        f"drop view dbo.{name}\r\nGO\r\n\r\nCREATE VIEW {name} AS\r\n\r\nSELECT \r\n{select} \r\n"
        f"FROM Afas{table} AS {d.main_alias or 'T'}\r\n\r\n/*QWFrom*/\r\n/*QWWhereNew*/\r\nGO\r\n"
    )


def _filter_text(d: GcnDefinition) -> str:
    displays = {f.field_id: f.display for f in d.fields}
    groups = []
    for gi, group in enumerate(d.filters):
        if not group.criteria:
            raise GcnError(f"filters[{gi}] has no criteria", layer="build")
        criteria = []
        for crit in group.criteria:
            if crit.field_id not in displays:
                raise GcnError(
                    f"filters[{gi}]: field {crit.field_id} is not one of the definition's fields",
                    layer="build",
                )
            criteria.append(
                RawCriterion(
                    field=crit.field_id,
                    value=crit.value,
                    operator=crit.operator,
                    kind=0 if displays[crit.field_id] == 2 else 2,
                )
            )
        kind = criteria[0].kind if all(c.kind == criteria[0].kind for c in criteria) else 2
        groups.append(RawGroup(kind=kind, flag=1, criteria=criteria))
    return RawFilter(style="D", groups=groups).encode()


def _field_statement(f: GcnField, d: GcnDefinition, system: str, view_guid: str) -> str:
    sys_, table, fld = _split(f.source, 3, f"field {f.field_id}: source")
    av = _split(f.authorisation_lookup, 3, f"field {f.field_id}: authorisation_lookup")
    search = _split(f.search, 3, f"field {f.field_id}: search")
    values: dict[str, Any] = dict.fromkeys(FIELD_COLUMNS)
    values.update(
        {
            "AfasMdSystemId": system,
            "AfasMdViewId": view_guid,
            "AfasMdViewFieldId": f.field_id,
            "AfasMdFieldSeqno": f.order,
            "AfasMdName": f.sql_name,
            "AfasMdSystemIdFld": sys_,
            "AfasMdTableIdFld": table,
            "AfasMdFieldId": fld,
            "AfasMdColumnHeader": f.column_header,
            "AfasMdDisplay": f.display,
            "AfasMdMainTable": _flag(f.main_table),
            "AfasMdForeignKeyPath": f.join_path,
            "AfasMdLabel": f.label,
            "AfasMdExtension": _flag(f.extension),
            "AfasMdAVSystemId": av[0],
            "AfasMdAVViewId": av[1],
            "AfasMdAVFieldId": av[2],
            "AfasMdFilterLevel": 0,
            "AfasMdSearchSystemId": search[0],
            "AfasMdSearchTableId": search[1],
            "AfasMdSearchFieldId": search[2],
            "AfasMdCustomProp": "0",
            "AfasMdAggFunc": f.aggregation,
            "AfasMdGroupIndex": f.group_index,
            "AfasMdConditionSeqNo": f.condition,
            "AfasMdFixedField": _flag(f.fixed),
        }
    )
    for lcid in LCIDS:
        values[f"AfasMdLabel_{lcid}"] = f.labels.get(lcid)
        values[f"AfasMdColumnHeader_{lcid}"] = f.column_headers.get(lcid)
    return InsertStatement(
        table="AfasMdViewField",
        columns=list(FIELD_COLUMNS),
        values=[values[c] for c in FIELD_COLUMNS],
        style="lower",
    ).render()


def _alias_statement(a: GcnAlias, system: str, view_guid: str) -> str:
    tsys, ttable = _split(a.target, 2, f"alias {a.alias}: target")
    vsys, vview = _split(a.target_view, 2, f"alias {a.alias}: target_view")
    values: list[SqlValue] = [
        system,
        view_guid,
        a.alias,
        a.seq,
        tsys,
        ttable,
        vsys,
        vview,
        a.target_type,
        a.condition,
        a.description,
        _flag(a.left_join_only),
        _flag(a.default),
        _flag(a.always_on),
        _flag(a.visible),
        a.join_type,
        a.target_view_alias,
    ]
    return InsertStatement(
        table="AfasMdViewAlias", columns=list(ALIAS_COLUMNS), values=values, style="lower"
    ).render()


def build_from_definition(d: GcnDefinition) -> bytes:
    """Serialise a definition as a format 8 ``.gcn`` (validated by reading it back)."""
    if len(d.guid) != 32 or not all(c in "0123456789ABCDEF" for c in d.guid):
        raise GcnError(f"guid {d.guid!r} should be 32 upper-case hex digits", layer="build")
    if not d.name or not d.fields:
        raise GcnError("a definition needs a name and at least one field", layer="build")
    ids = [f.field_id for f in d.fields]
    if len(set(ids)) != len(ids):
        raise GcnError("field ids must be unique", layer="build")
    outputs = [f for f in sorted(d.fields, key=lambda f: (f.order, f.field_id)) if f.is_output]
    names = [f.output_name for f in outputs]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise GcnError("every output field needs a unique output_name", layer="build")
    system = d.system or (d.main_table or "Kn").split(".")[0]
    main_sys, main_table = _split(d.main_table, 2, "main_table")
    view_guid = (
        d.view_guid or hashlib.md5(f"view:{d.guid}".encode(), usedforsecurity=False).hexdigest().upper()
    )
    created = d.created_at or DEFAULT_TIME
    changed = d.changed_at
    record: list[tuple[str, Value]] = [
        ("Guid", d.guid),
        ("Type", d.definition_type),
        ("Code", d.code),
        ("Ds", d.description or d.name),
        ("Info", d.info),
        ("PrId", d.product),
        ("CtId", None),
        ("AuId", d.authorisation_group),
        ("Comp", None),
        ("Temp", d.template),
        ("Bl", d.blocked),
        ("Own", d.owner),
        ("CrUs", d.created_by),
        ("CrDt", DotNetDate.from_datetime(created)),
        ("ChUs", d.changed_by),
        ("ChDt", DotNetDate.from_datetime(changed) if changed else None),
        ("ClUs", None),
        ("ClDt", None),
        ("MntL", 0),
        ("UnCn", d.under_construction),
        ("SyId", system),
        ("CnSn", d.condition),
        ("ObId", d.data_collection),
        ("Visi", d.visible),
        ("Md", None),
        ("NCnd", d.negative_condition),
        ("UsAu", d.apply_authorisation),
        ("Bu", d.export.build),
        ("Sp", d.export.service_pack),
        *((f"Ds_{lcid}", d.localized_descriptions.get(lcid)) for lcid in LCIDS),
        *((f"Info_{lcid}", d.localized_infos.get(lcid)) for lcid in LCIDS),
    ]
    ext = write_text_stream([2, True, d.main_alias or "", f"SELECT /*QWSelect*/ FROM {d.main_table}"])  # noqa: S608
    view_values: dict[str, Any] = dict.fromkeys(VIEW_COLUMNS)
    view_values.update(
        {
            "AfasMdSystemId": system,
            "AfasMdViewId": view_guid,
            "AfasMdName": f"Vw_Afas{system}{view_guid}",
            "AfasMdTableId": main_table,
            "AfasMdDescription": d.data_collection_name,
            "AfasMdCreateStatement": _create_statement(d, system, view_guid),
            "AfasMdCustom": "1",
            "AfasMdQuerytool": "1",
            "AfasMdFilterData": _filter_text(d),
            "AfasMdListUse": "0",
            "AfasMdExtensionData": ext,
            "AfasMdSourceViewId": d.source_view,
            "AfasMdMainTableSystemId": main_sys,
            "AfasMdGrouping": _flag(d.grouping),
            "AfasMdConditionSeqNo": d.condition,
            "AfasMdHideFromUser": "0",
            "AfasMdDistinct": _flag(d.distinct),
            "AfasMdBaseViewId": d.data_collection,
            "AfasMdViewType": 3,
            "AfasMdQueryCompatible": "0",
            "AfasMdViewParsed": "0",
            "AfasMdUseBlockedLines": None if d.use_blocked_lines is None else int(d.use_blocked_lines),
        }
    )
    for lcid in LCIDS:
        view_values[f"AfasMdDescription_{lcid}"] = d.data_collection_name
    statements = [
        InsertStatement(
            table="AfasMdView",
            columns=list(VIEW_COLUMNS),
            values=[view_values[c] for c in VIEW_COLUMNS],
            style="lower",
        ).render()
    ]
    statements += [
        _field_statement(f, d, system, view_guid) for f in sorted(d.fields, key=lambda f: f.field_id)
    ]
    statements += [_alias_statement(a, system, view_guid) for a in sorted(d.aliases, key=lambda a: a.alias)]
    query: list[Value] = [
        1,
        d.export.query_version or "5",
        1,
        3,
        "",
        system,
        view_guid,
        "",
        3,
        0,
        len(statements),
        *statements,
        False,
        None,
    ]
    output: list[Value] = [system, view_guid, d.name, len(outputs)]
    for f in outputs:
        output += [f.field_id, f.output_name]
    items: list[Value] = [1, 4, False, 0, len(record)]
    for key, value in record:
        items += [key, value]
    items.append(query)
    items += output
    member = base64.b64encode(write_binary_stream(b"\x00\x00", flatten(items)))
    exported = d.export.exported_at or created
    zipmember.dos_datetime(exported)  # the ZIP's DOS date holds 1980-2107: refuse others before converting
    exported_utc = d.export.exported_at_utc or _utc_of(exported)
    zipm = zipmember.new_member(member, exported, exported_utc)
    digest = b"".join(hashlib.sha512(bytes([i]) + member).digest() for i in range(3))[:144]
    signature = base64.b64encode(digest).decode("ascii")  # placeholder: 144 bytes -> 192 chars
    release = (d.export.release or "2.9.1400").split(".")
    if len(release) != 3:
        raise GcnError("export.release should look like 2.9.1400", layer="build")
    header: list[Value] = [
        8,
        d.guid,
        d.definition_type,
        d.description or d.name,
        OleDate.from_datetime(created),
        OleDate.from_datetime(changed) if changed else OleDate(0.0),
        0,
        d.condition or 0,
        *release,
        d.product or "",
        system,
        False,
        zipmember.write_zip(zipm),
        signature,
        False,
    ]
    data = write_variant(header)
    read_gcn(data, source=f"<built {d.name}>")  # validate: the reader must accept what we wrote
    return data


# ============================================================================================ spec
def _defaults_for_fields(fields: list[GcnField], main_alias: str | None, system: str) -> list[GcnField]:
    out = []
    for index, f in enumerate(fields, start=1):
        order = f.order or index
        join = f.join_path or main_alias
        out.append(
            replace(
                f,
                order=order,
                join_path=join,
                sql_name=f.sql_name or f"AfasQW{system}{f.field_id}",
                group_index=order if f.group_index is None else f.group_index,
                main_table=join == main_alias,
                fixed=f.fixed or f.display == 2,
            )
        )
    return out


def definition_from_spec(spec: Mapping[str, Any], *, source: str | None = None) -> GcnDefinition:
    """A :class:`GcnDefinition` from the small spec documented in this module."""
    doc = _Doc(dict(spec), "", source)
    name = doc.req_text("name")
    dc = doc.sub("data_collection")
    main_table = dc.text("main_table")
    main_alias = dc.text("main_alias") or (main_table.split(".")[-1] if main_table else None)
    fields: list[GcnField] = []
    for i, f in enumerate(doc.items("fields"), start=1):
        display_raw = f.raw("display", "output")
        if display_raw not in DISPLAY_CODES:
            raise f._err("display", f"expected one of {', '.join(DISPLAY_CODES)}")
        display = DISPLAY_CODES[display_raw]
        fid = f.req_text("id")
        output_name = f.text("output_name") if display == 1 else None
        if display == 1 and not output_name:
            output_name = fid
        fields.append(
            GcnField(
                field_id=fid,
                order=f.integer("order", i) or i,
                display=display,
                output_name=output_name,
                source=f.req_text("source"),
                join_path=f.text("join_path"),
                label=f.text("label"),
                column_header=f.text("column_header"),
                aggregation=f.integer("aggregation", 0) or 0,
                group_index=f.integer("group_index"),
                sql_name=f.text("sql_name"),
                authorisation_lookup=f.text("authorisation_lookup"),
            )
        )
    filters = []
    raw_filters = spec.get("filters") or []
    if not isinstance(raw_filters, list):
        raise GcnError("filters: expected a list of groups (lists of criteria)", source=source, layer="spec")
    for gi, group in enumerate(raw_filters):
        criteria = group.get("all") if isinstance(group, dict) else group
        if not isinstance(criteria, list):
            raise GcnError(f"filters[{gi}]: expected a list of criteria", source=source, layer="spec")
        filters.append(
            GcnFilterGroup(
                tuple(
                    _criterion_from(_Doc(c, f"filters[{gi}][{ci}]", source)) for ci, c in enumerate(criteria)
                )
            )
        )
    aliases = [
        GcnAlias(
            alias=a.req_text("alias"),
            seq=a.integer("seq", i) or i,
            target=a.text("target"),
            description=a.text("description"),
            left_join_only=a.req_flag("left_join_only", True),
            default=a.req_flag("default", i == 1),
            join_type=a.integer("join_type", 2),
        )
        for i, a in enumerate(doc.items("aliases"), start=1)
    ]
    if not aliases and main_alias:
        aliases = [
            GcnAlias(
                alias=main_alias,
                seq=1,
                target=main_table,
                description=dc.text("name"),
                default=True,
                join_type=2,
            )
        ]
    exported = doc.date("exported_at")
    return GcnDefinition(
        guid=(doc.text("guid") or guid_for(name)).upper(),
        name=name,
        description=doc.text("description") or name,
        info=doc.text("info"),
        product=doc.text("product") or "Hrm",
        system=doc.text("system"),
        code=doc.text("code"),
        data_collection=dc.text("id"),
        data_collection_name=dc.text("name"),
        source_view=dc.text("source_view"),
        main_table=main_table,
        main_alias=main_alias,
        grouping=dc.req_flag("grouping", False),
        use_blocked_lines=True,
        blocked=doc.req_flag("blocked", False),
        visible=doc.req_flag("visible", True),
        apply_authorisation=doc.req_flag("apply_authorisation", False),
        authorisation_group=doc.text("authorisation_group"),
        condition=doc.integer("condition", 3000),
        owner=doc.text("owner"),
        created_by=doc.text("created_by") or "afasgov",
        created_at=doc.date("created_at") or DEFAULT_TIME,
        changed_by=doc.text("changed_by"),
        changed_at=doc.date("changed_at"),
        fields=tuple(
            _defaults_for_fields(fields, main_alias, doc.text("system") or (main_table or "Kn")[:2])
        ),
        filters=tuple(filters),
        aliases=tuple(aliases),
        export=GcnExportInfo(format_version=8, exported_at=exported, query_version="5", release="2.9.1400"),
        localized_descriptions={"1043": doc.text("description") or name},
    )


def build_gcn(spec: Mapping[str, Any] | GcnDefinition) -> bytes:
    """A valid format 8 ``.gcn`` for a spec (see the module docstring) or a definition."""
    definition = spec if isinstance(spec, GcnDefinition) else definition_from_spec(spec)
    return build_from_definition(definition)
