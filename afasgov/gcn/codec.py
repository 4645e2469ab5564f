"""Read and write ``.gcn`` files: the lossless raw layer and the readable definition derived from it.

``read_gcn(data, source=…)`` parses every layer (outer variant stream, ZIP member, ExternalData in
any of the three encodings, SQL statements, filters, output-name list) and returns a
:class:`GcnDocument`: the raw items, from which :func:`write_gcn` regenerates the file byte for byte,
plus the readable :class:`~afasgov.gcn.model.GcnDefinition`. :func:`apply_definition` writes the
supported edits of a definition (names, descriptions, labels, output names, flags, filters) into a
copy of the raw layer; nothing else changes.

Every problem is one :class:`~afasgov.gcn.errors.GcnError` naming the source, the layer and, where
it helps, the byte offset.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
from dataclasses import dataclass, fields, replace
from typing import Any, Final

from afasgov.gcn import zipmember
from afasgov.gcn.errors import MANGLED_HINT, GcnError
from afasgov.gcn.filters import OPERATORS, RawCriterion, RawFilter, RawGroup, parse_filter
from afasgov.gcn.model import (
    GcnAlias,
    GcnCriterion,
    GcnDefinition,
    GcnExportInfo,
    GcnField,
    GcnFilterGroup,
)
from afasgov.gcn.sql import InsertStatement, SqlValue, parse_insert
from afasgov.gcn.streams import (
    flatten,
    parse_binary_stream,
    parse_text_stream,
    unflatten,
    write_binary_stream,
    write_text_stream,
)
from afasgov.gcn.values import (
    EMPTY,
    DotNetDate,
    OleDate,
    Value,
    decode_ansi,
    encode_ansi,
    is_null,
)
from afasgov.gcn.variant import read_variant, write_variant

MAX_FILE_SIZE: Final = 32 * 1024 * 1024
MANGLED: Final = b"\xef\xbf\xbd"
SIGNATURE_NOTE: Final = (
    "importing an edited .gcn into Profit is unverified: the signature (header item 15) cannot be "
    "regenerated and is kept from the original export"
)
FLAG_PROPS: Final = {
    "blocked": "Bl",
    "visible": "Visi",
    "template": "Temp",
    "under_construction": "UnCn",
    "apply_authorisation": "UsAu",
}
HEADER_ITEMS: Final = {5: 16, 7: 16, 8: 17}
VIEW, FIELD, ALIAS = "AfasMdView", "AfasMdViewField", "AfasMdViewAlias"


def _copy(value: Value) -> Value:
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


@dataclass
class _Layout:
    """Where the logical parts live inside the ExternalData array."""

    record: dict[str, list[int]]  # property -> indices of its value(s) in ``items``
    query: int  # index of the query block
    output: int  # index of the first item of the output-name list
    statements: list[InsertStatement]


@dataclass
class GcnDocument:
    """A parsed ``.gcn`` file: raw layer (lossless) and readable definition."""

    source: str
    format_version: int
    header: list[Value]
    zip: zipmember.ZipMember
    member: bytes
    items: list[Value]
    g3_reserved: bytes
    layout: _Layout
    definition: GcnDefinition
    edited: bool = False

    @property
    def generation(self) -> str:
        return self.definition.export.generation

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def guid(self) -> str:
        return self.definition.guid

    # --------------------------------------------------------------------------- raw access
    def record(self) -> dict[str, Value]:
        return {name: self.items[idx[0]] for name, idx in self.layout.record.items()}

    def output_list(self) -> list[Value]:
        return self.items[self.layout.output :]

    def query_block(self) -> list[Value]:
        block = self.items[self.layout.query]
        assert isinstance(block, list)
        return block


# ======================================================================================== reading
def read_gcn(data: bytes, *, source: str = "<bytes>") -> GcnDocument:
    """Parse a ``.gcn`` export completely; raise :class:`GcnError` on any malformation."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise GcnError("expected bytes", source=source)
    data = bytes(data)
    try:
        return _read(data, source)
    except GcnError as exc:
        if MANGLED in data:
            raise GcnError(MANGLED_HINT, source=source) from None
        raise exc.with_source(source) from None
    except RecursionError:  # pragma: no cover - depth is bounded; defence in depth
        raise GcnError("structure nested too deeply", source=source) from None


def _describe_start(data: bytes) -> str:
    head = data[:4]
    if head.startswith(b"PK"):
        return "it is a ZIP archive, not a .gcn export"
    if all(32 <= byte < 127 or byte in (9, 10, 13) for byte in data[:64]) or data.startswith(b"\xef\xbb\xbf"):
        return "it looks like a text file, not a binary .gcn export"
    return f"expected the variant array header 0C 20 01 00, found {head.hex(' ').upper() or 'nothing'}"


def _read(data: bytes, source: str) -> GcnDocument:
    if not data:
        raise GcnError("empty file: not a .gcn export")
    if len(data) > MAX_FILE_SIZE:
        raise GcnError(f"file of {len(data)} bytes exceeds the {MAX_FILE_SIZE}-byte limit for .gcn exports")
    if not data.startswith(b"\x0c\x20\x01\x00"):
        raise GcnError(f"not a .gcn file: {_describe_start(data)}", offset=0, layer="header")
    header = read_variant(data, layer="header")
    if not isinstance(header, list) or len(header) < 16:
        raise GcnError("the header array has too few items", offset=0, layer="header")
    version = header[0]
    if not isinstance(version, int) or isinstance(version, bool):
        raise GcnError("header item 0 (format version) is not an integer", layer="header")
    version = int(version)
    if version not in HEADER_ITEMS:
        raise GcnError(f"unknown .gcn format version {version} (known: 5, 7, 8)", layer="header")
    if len(header) != HEADER_ITEMS[version]:
        raise GcnError(
            f"format {version} header has {len(header)} items, expected {HEADER_ITEMS[version]}",
            layer="header",
        )
    blob = header[14]
    if not isinstance(blob, bytes):
        raise GcnError("header item 14 is not a byte array (the ZIP archive)", layer="header")
    zipm, member = zipmember.read_zip(blob)
    reserved = b""
    if version == 5:
        if not member.startswith(b"\x0c\x20"):
            raise GcnError("format 5 ExternalData is not a variant array", offset=0, layer="ExternalData")
        items = read_variant(member, layer="ExternalData")
        assert isinstance(items, list)
    elif version == 7:
        if not member.startswith(b"D1@"):
            raise GcnError(
                "format 7 ExternalData is not a text stream starting 'D1@'", offset=0, layer="ExternalData"
            )
        items = unflatten(parse_text_stream(decode_ansi(member), layer="ExternalData"), layer="ExternalData")
    else:
        try:
            raw = base64.b64decode(member, validate=True)
        except (binascii.Error, ValueError):
            raise GcnError("format 8 ExternalData is not valid base64", layer="ExternalData") from None
        if base64.b64encode(raw) != member:
            raise GcnError(
                "format 8 ExternalData is not canonical base64 (one line, '=' padding)", layer="ExternalData"
            )
        reserved, scalars = parse_binary_stream(raw, layer="ExternalData")
        items = unflatten(scalars, layer="ExternalData")
    layout = _layout(items, version)
    doc = GcnDocument(
        source=source,
        format_version=version,
        header=header,
        zip=zipm,
        member=member,
        items=items,
        g3_reserved=reserved,
        layout=layout,
        definition=GcnDefinition(guid="", name=""),
    )
    doc.definition = _definition(doc)
    _check_header(doc)
    return doc


def _layout(items: list[Value], version: int) -> _Layout:
    layer = "ExternalData"
    record: dict[str, list[int]] = {}
    if version == 5:
        if len(items) < 16 or type(items[14]) is not int or items[15] != 0:
            raise GcnError("format 5 dataset header: no row marker at items 14-15", layer=layer)
        n = int(items[14]) + 1
        query = 16 + 2 * n + 2 + 12 + 10 * n + 6
        if n < 1 or len(items) < query + 5:
            raise GcnError(
                f"format 5 dataset of {n} properties does not fit in {len(items)} items", layer=layer
            )
        if items[16 + n] != n - 1 or items[17 + n] != 0:
            raise GcnError(f"format 5 dataset: no second row marker at item {16 + n}", layer=layer)
        first_state = 16 + 2 * n + 2 + 12
        for k in range(n):
            name = items[first_state + 10 * k]
            if not isinstance(name, str) or not name:
                raise GcnError(f"format 5 dataset: state record {k} has no property name", layer=layer)
            if name in record:
                raise GcnError(f"property {name} appears twice", layer=layer)
            record[name] = [16 + k, 18 + n + k]
    else:
        if len(items) < 7 or items[:4] != [1, 4, False, 0] or type(items[4]) is not int:
            raise GcnError(
                "the ExternalData array does not start with the record header 1, 4, false, 0, n", layer=layer
            )
        n = int(items[4])
        query = 5 + 2 * n
        if n < 1 or len(items) < query + 5:
            raise GcnError(f"record of {n} properties does not fit in {len(items)} items", layer=layer)
        for k in range(n):
            name = items[5 + 2 * k]
            if not isinstance(name, str) or not name:
                raise GcnError(f"record property {k} has no name", layer=layer)
            if name in record:
                raise GcnError(f"property {name} appears twice", layer=layer)
            record[name] = [6 + 2 * k]
    for required in ("Guid", "Ds"):
        if required not in record:
            raise GcnError(f"the definition record has no {required} property", layer=layer)
    block = items[query]
    if not isinstance(block, list):
        raise GcnError(f"item {query} should be the query block (an array)", layer=layer)
    if len(block) < 13 or type(block[10]) is not int:
        raise GcnError("query block too short or without a statement count", layer="query block")
    k = int(block[10])
    if k < 1 or len(block) != 13 + k:
        raise GcnError(f"query block declares {k} statements but has {len(block) - 13}", layer="query block")
    statements = []
    for i in range(k):
        text = block[11 + i]
        if not isinstance(text, str):
            raise GcnError(f"query statement {i} is not a string", layer="query block")
        stmt = parse_insert(text, where=f"statement {i}")
        if stmt.table not in (VIEW, FIELD, ALIAS):
            raise GcnError(f"unexpected table {stmt.table} in statement {i}", layer="query block")
        statements.append(stmt)
    if sum(1 for s in statements if s.table == VIEW) != 1:
        raise GcnError("the query block must hold exactly one AfasMdView statement", layer="query block")
    out = items[query + 1 :]
    if len(out) < 4 or not all(isinstance(x, str) for x in out[:3]) or type(out[3]) is not int:
        raise GcnError(
            "the output-name list does not start with system, view GUID, name and count", layer="output list"
        )
    m = int(out[3])
    if m < 0 or len(out) != 4 + 2 * m:
        raise GcnError(
            f"the output-name list declares {m} names but holds {(len(out) - 4) / 2:g}", layer="output list"
        )
    if not all(isinstance(x, str) for x in out[4:]):
        raise GcnError("the output-name list holds a non-string item", layer="output list")
    return _Layout(record=record, query=query, output=query + 1, statements=statements)


# ------------------------------------------------------------------------------ value helpers
def _text(value: object, what: str) -> str | None:
    if is_null(value):
        return None
    if isinstance(value, str):
        return value
    raise GcnError(f"{what} should be text, found {type(value).__name__}", layer="definition")


def _int(value: object, what: str) -> int | None:
    if is_null(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise GcnError(f"{what} should be an integer, found {type(value).__name__}", layer="definition")


def _flag(value: object, what: str) -> bool | None:
    if is_null(value):
        return None
    if isinstance(value, bool):
        return value
    if value in ("0", "1"):
        return value == "1"
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise GcnError(f"{what} should be a flag (0/1 or a boolean), found {value!r:.30}", layer="definition")


def _date(value: object, what: str) -> _dt.datetime | None:
    if is_null(value):
        return None
    try:
        if isinstance(value, OleDate):
            if float(value) == 0.0:
                return None
            moment = value.to_datetime()
        elif isinstance(value, DotNetDate):
            moment = value.to_datetime()
        else:
            raise GcnError(f"{what} should be a date, found {type(value).__name__}", layer="definition")
        micro = moment.microsecond
        moment = moment.replace(microsecond=0)
        if micro >= 500_000:
            moment += _dt.timedelta(seconds=1)
    except (OverflowError, ValueError):
        raise GcnError(
            f"{what} is out of the representable date range (0001-01-01 to 9999-12-31)", layer="definition"
        ) from None
    return moment


def _join(*parts: object) -> str | None:
    if any(is_null(p) or p == "" for p in parts):
        return None
    return ".".join(str(p) for p in parts)


def _sql(stmt: InsertStatement, column: str) -> SqlValue:
    return stmt.get(column)


def _field(stmt: InsertStatement, output_names: dict[str, str]) -> GcnField:
    fid = _sql(stmt, "AfasMdViewFieldId")
    if not isinstance(fid, str) or not fid:
        raise GcnError("an AfasMdViewField row has no AfasMdViewFieldId", layer="query block")
    where = f"field {fid}"

    def text(col: str) -> str | None:
        return _text(_sql(stmt, col), f"{where}: {col}")

    def num(col: str) -> int | None:
        return _int(_sql(stmt, col), f"{where}: {col}")

    def flag(col: str) -> bool:
        return bool(_flag(_sql(stmt, col), f"{where}: {col}"))

    labels = {}
    headers = {}
    for col in stmt.columns:
        if col.startswith("AfasMdLabel_"):
            if (value := text(col)) is not None:
                labels[col.rsplit("_", 1)[1]] = value
        elif col.startswith("AfasMdColumnHeader_") and (value := text(col)) is not None:
            headers[col.rsplit("_", 1)[1]] = value
    order = num("AfasMdFieldSeqno")
    display = num("AfasMdDisplay")
    if order is None or display is None:
        raise GcnError(f"{where}: AfasMdFieldSeqno and AfasMdDisplay are required", layer="query block")
    return GcnField(
        field_id=fid,
        order=order,
        display=display,
        output_name=output_names.get(fid),
        source=_join(
            _sql(stmt, "AfasMdSystemIdFld"), _sql(stmt, "AfasMdTableIdFld"), _sql(stmt, "AfasMdFieldId")
        ),
        join_path=text("AfasMdForeignKeyPath"),
        label=text("AfasMdLabel"),
        column_header=text("AfasMdColumnHeader"),
        aggregation=num("AfasMdAggFunc") or 0,
        group_index=num("AfasMdGroupIndex"),
        sql_name=text("AfasMdName"),
        main_table=flag("AfasMdMainTable"),
        extension=flag("AfasMdExtension"),
        fixed=flag("AfasMdFixedField"),
        authorisation_lookup=_join(
            _sql(stmt, "AfasMdAVSystemId"), _sql(stmt, "AfasMdAVViewId"), _sql(stmt, "AfasMdAVFieldId")
        ),
        search=_join(
            _sql(stmt, "AfasMdSearchSystemId"),
            _sql(stmt, "AfasMdSearchTableId"),
            _sql(stmt, "AfasMdSearchFieldId"),
        ),
        condition=num("AfasMdConditionSeqNo"),
        labels=labels,
        column_headers=headers,
    )


def _alias(stmt: InsertStatement) -> GcnAlias:
    name = _sql(stmt, "AfasMdAlias")
    if not isinstance(name, str) or not name:
        raise GcnError("an AfasMdViewAlias row has no AfasMdAlias", layer="query block")
    where = f"alias {name}"

    def flag(col: str, default: bool) -> bool:
        value = _flag(_sql(stmt, col), f"{where}: {col}")
        return default if value is None else value

    return GcnAlias(
        alias=name,
        seq=_int(_sql(stmt, "AfasMdSeqNo"), f"{where}: AfasMdSeqNo") or 0,
        target=_join(_sql(stmt, "AfasMdTargetSystemIdTable"), _sql(stmt, "AfasMdTargetTableId")),
        target_view=_join(_sql(stmt, "AfasMdTargetSystemIdView"), _sql(stmt, "AfasMdTargetViewId")),
        target_view_alias=_text(
            _sql(stmt, "AfasMdTargetViewTableAlias"), f"{where}: AfasMdTargetViewTableAlias"
        ),
        target_type=_int(_sql(stmt, "AfasMdTargetType"), f"{where}: AfasMdTargetType") or 0,
        condition=_int(_sql(stmt, "AfasMdCondition"), f"{where}: AfasMdCondition"),
        description=_text(_sql(stmt, "AfasMdDescription"), f"{where}: AfasMdDescription"),
        left_join_only=flag("AfasMdLeftJoinOnly", False),
        default=flag("AfasMdDefault", False),
        always_on=flag("AfasMdAlwaysOn", False),
        visible=flag("AfasMdVisible", True),
        join_type=_int(_sql(stmt, "AfasMdJoinType"), f"{where}: AfasMdJoinType"),
    )


def _view(doc: GcnDocument) -> InsertStatement:
    return next(s for s in doc.layout.statements if s.table == VIEW)


def _raw_filter(view: InsertStatement) -> RawFilter | None:
    text = view.get("AfasMdFilterData")
    if text is None:
        return None
    if not isinstance(text, str):
        raise GcnError("AfasMdFilterData is not text", layer="filter")
    return parse_filter(text)


def _definition(doc: GcnDocument) -> GcnDefinition:
    rec = doc.record()

    def text(name: str) -> str | None:
        return _text(rec.get(name), name)

    def flag(name: str, default: bool) -> bool:
        value = _flag(rec.get(name), name)
        return default if value is None else value

    guid = text("Guid")
    if not guid:
        raise GcnError("the definition has no GUID", layer="definition")
    out = doc.output_list()
    name = str(out[2])
    if not name:
        raise GcnError("the output-name list has an empty connector name", layer="output list")
    pairs = out[4:]
    output_names: dict[str, str] = {}
    for fid, oname in zip(pairs[::2], pairs[1::2], strict=True):
        assert isinstance(fid, str) and isinstance(oname, str)
        if fid in output_names:
            raise GcnError(f"field {fid} appears twice in the output-name list", layer="output list")
        output_names[fid] = oname
    view = _view(doc)
    field_rows = [_field(s, output_names) for s in doc.layout.statements if s.table == FIELD]
    ids = [f.field_id for f in field_rows]
    if len(set(ids)) != len(ids):
        raise GcnError("a field id is selected twice in the query", layer="query block")
    missing = [fid for fid in output_names if fid not in set(ids)]
    if missing:
        raise GcnError(
            f"the output-name list names field {missing[0]} which the query does not select",
            layer="output list",
        )
    field_rows.sort(key=lambda f: (f.order, f.field_id))
    raw_filter = _raw_filter(view)
    groups = tuple(
        GcnFilterGroup(tuple(GcnCriterion(c.field, c.operator, c.value) for c in g.criteria))
        for g in (raw_filter.groups if raw_filter else [])
    )
    aliases = sorted(
        (_alias(s) for s in doc.layout.statements if s.table == ALIAS), key=lambda a: (a.seq, a.alias)
    )
    ext = view.get("AfasMdExtensionData")
    main_alias = None
    if isinstance(ext, str):
        ext_items = parse_text_stream(ext, layer="extension data")
        if len(ext_items) >= 3 and isinstance(ext_items[2], str):
            main_alias = ext_items[2]
    block = doc.query_block()
    release = ".".join(str(x) for x in doc.header[8:11] if isinstance(x, str)) or None
    env_id = doc.items[7] if doc.format_version == 5 and isinstance(doc.items[7], str) else None
    localized_descriptions = {
        k.split("_", 1)[1]: v for k, v in rec.items() if k.startswith("Ds_") and isinstance(v, str)
    }
    localized_infos = {
        k.split("_", 1)[1]: v for k, v in rec.items() if k.startswith("Info_") and isinstance(v, str)
    }
    utc = zipmember.ntfs_times(doc.zip.central_extra)

    def vtext(col: str) -> str | None:
        return _text(view.get(col), col)

    return GcnDefinition(
        guid=guid,
        name=name,
        description=text("Ds") or "",
        info=text("Info"),
        product=text("PrId"),
        system=text("SyId"),
        code=text("Code"),
        definition_type=_int(rec.get("Type"), "Type") or 0,
        data_collection=text("ObId"),
        data_collection_name=vtext("AfasMdDescription"),
        source_view=vtext("AfasMdSourceViewId"),
        main_table=_join(view.get("AfasMdMainTableSystemId"), view.get("AfasMdTableId")),
        main_alias=main_alias,
        view_guid=vtext("AfasMdViewId"),
        grouping=bool(_flag(view.get("AfasMdGrouping"), "AfasMdGrouping")),
        distinct=bool(_flag(view.get("AfasMdDistinct"), "AfasMdDistinct")),
        use_blocked_lines=_flag(view.get("AfasMdUseBlockedLines"), "AfasMdUseBlockedLines"),
        blocked=flag("Bl", False),
        visible=flag("Visi", True),
        template=flag("Temp", False),
        under_construction=flag("UnCn", False),
        apply_authorisation=flag("UsAu", False),
        authorisation_group=text("AuId"),
        condition=_int(rec.get("CnSn"), "CnSn"),
        negative_condition=_int(rec.get("NCnd"), "NCnd"),
        owner=text("Own"),
        created_by=text("CrUs"),
        created_at=_date(rec.get("CrDt"), "CrDt"),
        changed_by=text("ChUs"),
        changed_at=_date(rec.get("ChDt"), "ChDt"),
        fields=tuple(field_rows),
        filters=groups,
        aliases=tuple(aliases),
        export=GcnExportInfo(
            format_version=doc.format_version,
            exported_at=doc.zip.export_time_local,
            exported_at_utc=utc[0].replace(microsecond=0) if utc else None,
            environment_id=env_id,
            release=release,
            query_version=block[1] if isinstance(block[1], str) else None,
            build=_int(rec.get("Bu"), "Bu"),
            service_pack=_int(rec.get("Sp"), "Sp"),
        ),
        localized_descriptions=localized_descriptions,
        localized_infos=localized_infos,
    )


def _check_header(doc: GcnDocument) -> None:
    d = doc.definition
    h = doc.header
    checks = [(1, "GUID", d.guid), (3, "description (Ds)", d.description)]
    for index, what, expected in checks:
        if h[index] != expected:
            raise GcnError(
                f"header item {index} ({what}) {h[index]!r:.40} differs from the definition's "
                f"{expected!r:.40}",
                layer="header",
            )
    if not isinstance(h[15], str):
        raise GcnError("header item 15 (signature) is not a string", layer="header")


# ======================================================================================== writing
def encode_member(doc: GcnDocument) -> bytes:
    """The ExternalData member bytes for the document's current raw items."""
    try:
        if doc.format_version == 5:
            return write_variant(doc.items)
        if doc.format_version == 7:
            return encode_ansi(write_text_stream(flatten(doc.items)))
        return base64.b64encode(write_binary_stream(doc.g3_reserved, flatten(doc.items)))
    except UnicodeEncodeError as exc:
        raise GcnError(
            f"text {exc.object[exc.start : exc.end]!r} cannot be written in the Windows-1252 code "
            f"page of format {doc.format_version} files",
            source=doc.source,
        ) from None


def write_gcn(doc: GcnDocument) -> bytes:
    """Serialise a document. Unchanged documents reproduce the original file byte for byte (the
    original deflate stream is reused when the member is unchanged; otherwise zlib re-deflates)."""
    member = encode_member(doc)
    zipm = zipmember.with_data(doc.zip, member, doc.member)
    header = list(doc.header)
    header[14] = zipmember.write_zip(zipm)
    try:
        return write_variant(header)
    except GcnError as exc:
        raise exc.with_source(doc.source) from None


# ========================================================================================= edits
EDITABLE: Final = (
    "description",
    "info",
    "blocked",
    "visible",
    "template",
    "under_construction",
    "apply_authorisation",
    "authorisation_group",
    "filters",
    "localized_descriptions",
    "localized_infos",
)
EDITABLE_FIELD: Final = ("output_name", "label", "column_header")


def _first_difference(a: Any, b: Any, path: str) -> str:
    if type(a) is not type(b):
        return path
    if isinstance(a, tuple) and isinstance(b, tuple):
        if len(a) != len(b):
            return f"{path} (number of entries)"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}[{i}]")
        return path
    if hasattr(a, "__dataclass_fields__"):
        for f in fields(a):
            if getattr(a, f.name) != getattr(b, f.name):
                return _first_difference(
                    getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}" if path else f.name
                )
    return path


def edit_check(old: GcnDefinition, new: GcnDefinition) -> None:
    """Raise :class:`GcnError` if ``new`` differs from ``old`` outside the editable parts."""
    if new.guid != old.guid:
        raise GcnError(
            f"guid cannot change ({old.guid} → {new.guid}): a different GUID is a different connector",
            layer="edit",
        )
    old_fields = {f.field_id: f for f in old.fields}
    new_ids = [f.field_id for f in new.fields]
    if sorted(new_ids) != sorted(old_fields):
        added = sorted(set(new_ids) - set(old_fields))
        removed = sorted(set(old_fields) - set(new_ids))
        raise GcnError(
            "fields cannot be added or removed in a .gcn edit (added: "
            f"{', '.join(added) or '-'}; removed: {', '.join(removed) or '-'}); change the "
            "GetConnector in Profit and export it again",
            layer="edit",
        )
    normalised_fields = tuple(
        replace(nf, **{k: getattr(old_fields[nf.field_id], k) for k in EDITABLE_FIELD}) for nf in new.fields
    )
    normalised = replace(new, fields=normalised_fields, **{k: getattr(old, k) for k in EDITABLE})
    if normalised != old:
        where = _first_difference(old, normalised, "")
        raise GcnError(
            f"{where} cannot be edited in a .gcn file (editable: {', '.join(EDITABLE)} and per field "
            f"{', '.join(EDITABLE_FIELD)})",
            layer="edit",
        )
    for nf in new.fields:
        of = old_fields[nf.field_id]
        if nf.output_name != of.output_name:
            if not of.is_output:
                raise GcnError(
                    f"field {nf.field_id} is not an output field: it has no output name to change",
                    layer="edit",
                )
            if not nf.output_name:
                raise GcnError(f"field {nf.field_id}: the output name cannot be empty", layer="edit")
    names = [f.output_name for f in new.fields if f.is_output and f.output_name]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise GcnError(f"output name {dupes[0]} is used twice", layer="edit")
    if not new.description:
        raise GcnError("description cannot be empty", layer="edit")
    for key in ("localized_descriptions", "localized_infos"):
        if set(getattr(new, key)) - set(getattr(old, key)) - set(_lcid_slots(old, key)):
            raise GcnError(f"{key}: only languages present in the file can be set", layer="edit")


def _lcid_slots(old: GcnDefinition, key: str) -> set[str]:
    # lcids whose property exists in G3 files (value NULL or not): the five known ones
    return {"1031", "1036", "1043", "2057", "2067"} if old.export.format_version == 8 else set()


def apply_definition(doc: GcnDocument, new: GcnDefinition) -> GcnDocument:
    """A copy of ``doc`` with the edits of ``new`` written into its raw layer (and re-parsed)."""
    old = doc.definition
    if new == old:
        return doc
    try:
        edit_check(old, new)
    except GcnError as exc:
        raise exc.with_source(doc.source) from None
    items = _copy(doc.items)
    assert isinstance(items, list)
    header = list(doc.header)
    statements = [
        InsertStatement(s.table, list(s.columns), list(s.values), s.style) for s in doc.layout.statements
    ]
    layout = _Layout(
        record=doc.layout.record, query=doc.layout.query, output=doc.layout.output, statements=statements
    )
    work = replace(doc, items=items, header=header, layout=layout, edited=True)
    block = items[layout.query]
    assert isinstance(block, list)
    g1 = doc.format_version == 5

    def set_prop(prop: str, value: Value) -> None:
        if prop not in layout.record:
            if value is None:
                return
            raise GcnError(f"the file has no {prop} property to edit", layer="edit", source=doc.source)
        for index in layout.record[prop]:
            current = items[index]
            if isinstance(value, bool) and (isinstance(current, str) or g1):
                items[index] = "1" if value else "0"
            elif value is None:
                items[index] = None
            else:
                items[index] = value

    if new.description != old.description:
        set_prop("Ds", new.description)
        header[3] = new.description
    if new.info != old.info:
        set_prop("Info", new.info)
    for attr, prop in FLAG_PROPS.items():
        if getattr(new, attr) != getattr(old, attr):
            set_prop(prop, getattr(new, attr))
    if new.authorisation_group != old.authorisation_group:
        set_prop("AuId", new.authorisation_group)
    for key, prefix in (("localized_descriptions", "Ds_"), ("localized_infos", "Info_")):
        before, after = getattr(old, key), getattr(new, key)
        for lcid in set(before) | set(after):
            if before.get(lcid) != after.get(lcid):
                set_prop(prefix + lcid, after.get(lcid))

    def restate(stmt: InsertStatement) -> None:
        index = statements.index(stmt)
        block[11 + index] = stmt.render()

    by_id = {s.get("AfasMdViewFieldId"): s for s in statements if s.table == FIELD}
    old_fields = {f.field_id: f for f in old.fields}
    out_index = {items[i]: i + 1 for i in range(layout.output + 4, len(items), 2)}
    for nf in new.fields:
        of = old_fields[nf.field_id]
        stmt = by_id[nf.field_id]
        changed = False
        for attr, col in (("label", "AfasMdLabel"), ("column_header", "AfasMdColumnHeader")):
            if getattr(nf, attr) != getattr(of, attr):
                stmt.set(col, getattr(nf, attr))
                changed = True
        if changed:
            restate(stmt)
        if nf.output_name != of.output_name:
            if nf.field_id not in out_index:
                raise GcnError(
                    f"field {nf.field_id} is missing from the output-name list",
                    layer="edit",
                    source=doc.source,
                )
            items[out_index[nf.field_id]] = nf.output_name
    if new.filters != old.filters:
        view = next(s for s in statements if s.table == VIEW)
        view.set("AfasMdFilterData", _encode_filters(_raw_filter(view), new, doc.source))
        restate(view)
    return _reparse(work)


def _encode_filters(raw: RawFilter | None, new: GcnDefinition, source: str) -> str:
    style = raw.style if raw else ("D" if new.export.format_version != 5 else "C")
    displays = {f.field_id: f.display for f in new.fields}
    groups = []
    for gi, group in enumerate(new.filters):
        if not group.criteria:
            raise GcnError(f"filters[{gi}] has no criteria", layer="edit", source=source)
        old_group = raw.groups[gi] if raw and gi < len(raw.groups) else None
        criteria = []
        for ci, crit in enumerate(group.criteria):
            if crit.field_id not in displays:
                raise GcnError(
                    f"filters[{gi}][{ci}]: field {crit.field_id} is not selected by the query "
                    "(a filter can use only fields of the definition)",
                    layer="edit",
                    source=source,
                )
            if crit.operator not in OPERATORS:
                raise GcnError(
                    f"filters[{gi}][{ci}]: unknown operator {crit.operator}", layer="edit", source=source
                )
            old_crit = old_group.criteria[ci] if old_group and ci < len(old_group.criteria) else None
            kind = 0 if displays[crit.field_id] == 2 else 2
            criteria.append(
                RawCriterion(
                    field=crit.field_id,
                    value=crit.value,
                    operator=crit.operator,
                    extra=old_crit.extra if old_crit else None,
                    kind=kind,
                    flag=old_crit.flag if old_crit else 0,
                )
            )
        kind = criteria[0].kind if all(c.kind == criteria[0].kind for c in criteria) else 2
        groups.append(
            RawGroup(
                name=old_group.name if old_group else "",
                kind=kind,
                flag=old_group.flag if old_group else 1,
                criteria=criteria,
                trailer=old_group.trailer if old_group else (False, False),
            )
        )
    return RawFilter(style=style, version=raw.version if raw else 1, groups=groups).encode()


def _reparse(doc: GcnDocument) -> GcnDocument:
    """Re-derive layout and definition from the (edited) raw items, as a reader would."""
    layout = _layout(doc.items, doc.format_version)
    doc = replace(doc, layout=layout)
    doc.definition = _definition(doc)
    _check_header(doc)
    return doc


__all__ = [
    "EMPTY",
    "SIGNATURE_NOTE",
    "GcnDocument",
    "apply_definition",
    "edit_check",
    "encode_member",
    "read_gcn",
    "write_gcn",
]
