"""Read AFAS's "New in Profit N" release notes (Markdown, English or Dutch) into :class:`ReleaseNotes`.

AFAS's notes have one shape (see ``docs/release-notes.md``): front matter, a few prose sections, then
per specification module a ``## <Module> Specification`` heading with a ``### Breaking Changes`` and/or
``### Changelog`` table (``| Description | Connector | Operation |``; Profit 3 calls the middle column
``Path``), or "No changes for this release.". Dutch notes have Dutch prose but the same table wording.

The reader is line-based on purpose: Markdown libraries normalise a broken table (missing cells are
padded, extra cells dropped) where every row must be accounted for, and the one well-kept library
(``markdown-it-py``) needs about twice the time budget for AFAS's notes. What it understands:

* ATX headings (``#`` … ``######``), front matter between ``---`` lines, fenced code (skipped);
* pipe tables: a header row, a delimiter row, data rows; cells split on unescaped ``|``; links,
  code spans, backslash escapes and HTML entities in cells read as their text;
* everything else is prose: in a section with a table it is a remark on that table's rows (AFAS
  writes "This is a change in documentation only" there), elsewhere a "read by hand" item.

Every data row is either merged into an announced change or reported (file:line, text, reason).
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from afasgov.diff.engine import get_path, update_path
from afasgov.errors import InputError
from afasgov.releasenotes.facts import ConnectorFacts, default_facts
from afasgov.releasenotes.model import (
    BREAKING,
    CHANGELOG,
    SCOPE_CONNECTOR,
    SCOPE_DELETE,
    SCOPE_SUB_ENDPOINT,
    AnnouncedChange,
    FileStats,
    Key,
    ProseItem,
    ReleaseNotes,
    ReportedRow,
    Source,
)
from afasgov.releasenotes.paths import ID_RE, PathError, get_location, update_location
from afasgov.releasenotes.templates import Match, match_description

#: release notes larger than this are refused (AFAS's largest are ~140 KB).
MAX_FILE_BYTES = 16 * 1024 * 1024
#: a table row longer than this is reported without being read (AFAS's longest is ~350 characters).
MAX_ROW_CHARS = 8_000
#: a description longer than this is reported without being matched (AFAS's longest is ~220).
MAX_DESCRIPTION_CHARS = 1_000
#: prose kept per read-by-hand item; longer text is cut (the item says where to read it).
MAX_PROSE_CHARS = 4_000
#: notes with more lines than this are refused (AFAS's have ~800).
MAX_LINES = 200_000
#: notes with more headings than this are refused (AFAS's have ~50; each heading is a section).
MAX_HEADINGS = 5_000
#: how much of a reported row the report repeats.
SHOWN_ROW_CHARS = 300

OPERATIONS = ("GET", "POST", "PUT", "DELETE", "PATCH")
_OPS = re.compile(r"\b(GET|POST|PUT|DELETE|PATCH)\b")
_CONNECTORS_PREFIX = re.compile(r"^/?connectors/", re.IGNORECASE)

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)(.*)$")
_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DELIMITER = re.compile(r"^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?$")
_CELL_TOKEN = re.compile(r"\\.|[^\\|]+|\||\\", re.DOTALL)
_LINK = re.compile(r"!?\[((?:\\.|[^\[\]\\])*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_CODE = re.compile(r"(?<!`)(`++)([^`]+)\1(?!`)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_SPACE = re.compile(r"\s+")
_MODULE = re.compile(r"^(?P<module>.+?)\s+(?:Specification|Specificatie|specificatie)$")
_NO_CHANGES = re.compile(
    r"^(?:no changes for this (?:release|version)|geen wijzigingen(?: voor| in)? deze (?:release|versie))\.?$",
    re.IGNORECASE,
)
_IDENT = re.compile(
    r"`([A-Za-z][A-Za-z0-9_]{2,80})`|\[([A-Za-z][A-Za-z0-9_]{2,80})\]|\b([A-Z][a-z0-9]+[A-Z][A-Za-z0-9_]*)\b"
)

#: header cells (casefolded) of the three columns, English and Dutch.
_DESCRIPTION = {"description", "omschrijving", "beschrijving"}
_CONNECTOR = {"connector", "path", "pad", "endpoint", "pad/connector"}
_OPERATION = {"operation", "operations", "operatie", "operaties", "bewerking", "method", "methode"}
#: section headings (casefolded).
_BREAKING = {"breaking changes", "breaking change", "brekende wijzigingen"}
_CHANGELOG = {"changelog", "wijzigingen", "wijzigingslog"}

#: AFAS words an added or removed nested object as a request property at the object's path.
_OBJECT_RULES = {
    "new-optional-request-property": "afas-request-object-added",
    "new-required-request-property": "afas-request-object-added",
    "request-property-removed": "afas-request-object-removed",
}
#: descriptions AFAS writes that no diff rule can produce, and why metainfo cannot show them.
_KNOWN_UNREADABLE = (
    (re.compile(r"^api tag '.*' (?:added|removed)$", re.I), "OpenAPI documentation only: tags are not in metainfo"),
    (re.compile(r"^(?:added|removed) the schema '.*'$", re.I),
     "OpenAPI documentation only: schemas are not in metainfo"),
)


# ------------------------------------------------------------------------------------------ reading
def read_notes_file(path: Path) -> str:
    """The text of a notes file: a regular file of at most :data:`MAX_FILE_BYTES`, UTF-8 (a BOM is
    allowed); anything else is an :class:`InputError` naming the file."""
    return decode_notes(read_notes_bytes(path), str(path))


def read_notes_bytes(path: Path) -> bytes:
    """The bytes of a notes file (a regular file of at most :data:`MAX_FILE_BYTES`)."""
    source = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError("release notes file not found", source=source) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a release notes file", source=source) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=source) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a directory, not a release notes file", source=source)
        if not stat.S_ISREG(info.st_mode):
            raise InputError("is not a regular file", source=source)
        if info.st_size > MAX_FILE_BYTES:
            raise InputError(
                f"is {info.st_size / 1048576:.1f} MiB; release notes may be at most "
                f"{MAX_FILE_BYTES // 1048576} MiB",
                source=source,
            )
        chunks = []
        remaining = MAX_FILE_BYTES + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=source) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"grew beyond {MAX_FILE_BYTES // 1048576} MiB while being read", source=source)
    return data


def decode_notes(data: bytes, source: str) -> str:
    """UTF-8 text of a notes file (BOM stripped); binary or other encodings are refused."""
    nul = data.find(b"\0")
    if nul >= 0:
        raise InputError(f"binary data (a NUL byte at offset {nul}): expected Markdown text", source=source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (invalid byte at offset {exc.start})", source=source) from None


# ------------------------------------------------------------------------------------- inline text
def inline_text(cell: str) -> str:
    """What a cell reads as: link and image texts, code span contents, escapes and entities resolved,
    whitespace collapsed."""
    s = _LINK.sub(lambda m: m.group(1), cell) if "](" in cell else cell
    if "`" in s:
        s = _CODE.sub(lambda m: m.group(2).strip(), s)
    if "\\" in s:
        s = _ESCAPE.sub(r"\1", s)
    if "&" in s:
        s = html.unescape(s)
    return _SPACE.sub(" ", s).strip()


def split_cells(line: str) -> list[str]:
    """The cells of a pipe-table line (unescaped ``|`` separates; ``\\|`` stays in the cell)."""
    s = line.strip()
    cells: list[str] = []
    current: list[str] = []
    for piece in _CELL_TOKEN.findall(s):
        if piece == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(piece)
    cells.append("".join(current))
    if s.startswith("|"):
        cells = cells[1:]
    if s.endswith("|") and not s.endswith("\\|") and cells:
        cells = cells[:-1]
    return [c.strip() for c in cells]


def operations_of(cell: str) -> tuple[str, ...]:
    """``[POST](…), [PUT](…)`` or ``POST, PUT`` → ``("POST", "PUT")``."""
    found = set(_OPS.findall(inline_text(cell).upper()))
    return tuple(op for op in OPERATIONS if op in found)


def _shown(text: str) -> str:
    if len(text) <= SHOWN_ROW_CHARS:
        return text
    return f"{text[:SHOWN_ROW_CHARS]}… ({len(text)} characters)"


# ------------------------------------------------------------------------------------------ blocks
@dataclass
class _Table:
    header_line: int
    header: list[str]
    rows: list[tuple[int, str]]
    broken: str = ""

    @property
    def end_line(self) -> int:
        return self.rows[-1][0] if self.rows else self.header_line + 1


@dataclass
class _Section:
    headings: tuple[str, ...]
    line: int
    module: str
    section: str
    breaking: bool
    paragraphs: list[tuple[int, str]] = field(default_factory=list)
    tables: list[_Table] = field(default_factory=list)


@dataclass
class _Endpoint:
    connector: str | None
    scope: str
    endpoint: str


class _Builder:
    """Accumulates rows of one file into announced changes (merged by key) and reported rows."""

    def __init__(self, source: str, facts: ConnectorFacts) -> None:
        self.source = source
        self.facts = facts
        self.changes: list[AnnouncedChange] = []
        self.reported: list[ReportedRow] = []
        self.prose: list[ProseItem] = []
        self.rows = 0
        self.parsed = 0

    # ---------------------------------------------------------------------------------- sections
    def section(self, sec: _Section) -> None:
        """Tables of a section, with the text just above each as its remark (AFAS writes "This is a
        change in documentation only" there); other text is prose to read by hand."""
        text_lines = [(n, t) for n, t in sec.paragraphs if t.strip()]
        prose = text_lines
        if sec.tables:
            start = 0
            for table in sec.tables:
                remark = " ".join(t.strip() for n, t in text_lines if start < n < table.header_line)
                self.table(sec, table, remark)
                start = table.end_line
            prose = [(n, t) for n, t in text_lines if n > start]
        if not prose or all(_NO_CHANGES.match(t.strip()) for _, t in prose):
            return
        body = "\n".join(t for _, t in prose).strip()
        if len(body) > MAX_PROSE_CHARS:
            body = body[:MAX_PROSE_CHARS] + f"… (cut; read the whole section at line {sec.line})"
        self.prose.append(
            ProseItem(
                Source(self.source, sec.line if not sec.tables else prose[0][0]),
                sec.headings,
                body,
                module=sec.module,
                breaking=sec.breaking,
                mentions=_mentions(" ".join(sec.headings) + " " + body),
            )
        )

    def table(self, sec: _Section, table: _Table, remark: str) -> None:
        def report(line: int, text: str, reason: str) -> None:
            self.reported.append(
                ReportedRow(Source(self.source, line), _shown(text.strip()), reason, sec.module, sec.section)
            )

        if table.broken:
            for line, text in table.rows:
                self.rows += 1
                report(line, text, table.broken)
            return
        header = [inline_text(c).casefold() for c in table.header]
        columns = {
            "description": next((i for i, h in enumerate(header) if h in _DESCRIPTION), None),
            "connector": next((i for i, h in enumerate(header) if h in _CONNECTOR), None),
            "operation": next((i for i, h in enumerate(header) if h in _OPERATION), None),
        }
        for line, text in table.rows:
            self.rows += 1
            d = columns["description"]
            if d is None:
                shown = " | ".join(inline_text(c) for c in table.header)[:120]
                report(line, text, f"not a changelog table (columns: {shown}; expected Description | Connector | "
                                   "Operation)")
                continue
            if len(text) > MAX_ROW_CHARS:
                report(line, text, f"row is {len(text)} characters long (at most {MAX_ROW_CHARS} are read)")
                continue
            cells = split_cells(text)
            if len(cells) != len(table.header):
                report(line, text, f"row has {len(cells)} cell(s), the table has {len(table.header)} "
                                   "(an unescaped '|' or a missing cell?)")
                continue
            c, o = columns["connector"], columns["operation"]
            if len(cells[d]) > MAX_DESCRIPTION_CHARS * 2 or any(
                i is not None and len(cells[i]) > 2000 for i in (c, o)
            ):
                report(line, text, "a cell is too long to be AFAS's (description at most "
                                   f"{MAX_DESCRIPTION_CHARS} characters)")
                continue
            result = self.row(
                inline_text(cells[d]),
                inline_text(cells[c]) if c is not None else "",
                operations_of(cells[o]) if o is not None else (),
                sec,
                line,
                remark,
            )
            if isinstance(result, str):
                report(line, text, result)
            else:
                self.parsed += 1
                self.add(result)

    # ------------------------------------------------------------------------------------- rows
    def row(
        self, description: str, connector_cell: str, ops: tuple[str, ...], sec: _Section, line: int, remark: str
    ) -> AnnouncedChange | str:
        """The change a row announces, or why it cannot be read."""
        if not description:
            return "empty description"
        if len(description) > MAX_DESCRIPTION_CHARS:
            return f"description is {len(description)} characters long (at most {MAX_DESCRIPTION_CHARS} are read)"
        found = match_description(description)
        if found is None:
            for pattern, why in _KNOWN_UNREADABLE:
                if pattern.match(description):
                    return why
            return "matches no changelog wording (see docs/rules.md for the wordings afasgov reads)"
        endpoint = _endpoint(connector_cell)
        if isinstance(endpoint, str):
            return endpoint
        row = {
            "text": description,
            "modules": (sec.module,) if sec.module else (),
            "sections": (sec.section,) if sec.section else (),
            "operations": ops,
            "sources": (Source(self.source, line),),
            "remarks": tuple(r for r in (found.remark, remark) if r),
        }
        try:
            return _interpret(found, endpoint, ops, self.facts, row)
        except PathError as exc:
            return str(exc)

    def add(self, change: AnnouncedChange) -> None:
        self.changes.append(change)


def _mentions(text: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for m in _IDENT.finditer(text):
        name = m.group(1) or m.group(2) or m.group(3)
        if name and ID_RE.match(name):
            seen.setdefault(name, None)
        if len(seen) >= 50:
            break
    return tuple(seen)


def _endpoint(cell: str) -> _Endpoint | str:
    """The connector and endpoint scope a Connector/Path cell names."""
    text = cell.strip().strip("`").strip()
    text = _CONNECTORS_PREFIX.sub("", text).strip("/")
    if not text:
        return _Endpoint(None, SCOPE_CONNECTOR, "")
    segments = text.split("/")
    cid = segments[0]
    if not ID_RE.match(cid):
        return f"the Connector column {cell[:80]!r} does not name a connector"
    if len(segments) == 1:
        return _Endpoint(cid, SCOPE_CONNECTOR, text)
    if any(s.startswith("@") for s in segments[1:]):
        return _Endpoint(cid, SCOPE_DELETE, text)
    return _Endpoint(cid, SCOPE_SUB_ENDPOINT, text)


def _interpret(
    found: Match, endpoint: _Endpoint, ops: tuple[str, ...], facts: ConnectorFacts, row: dict[str, Any]
) -> AnnouncedChange | str:
    """Rule, connector, object path, field, value and canonical path of a matched row (``row``: the
    row's own text, module, section, operations, source and remarks)."""
    t = found.template
    g = found.groups
    subjects = set(t.subjects)
    before, after = g.get("before"), g.get("after")
    endpoints = (endpoint.endpoint,) if endpoint.endpoint else ()
    base = {"level": t.level, "before": before, "after": after, "endpoints": endpoints, **row}
    if "update-field" in subjects or "update-object" in subjects:
        object_path, fid = update_location(g.get("path", ""), endpoint.connector, facts)
        rule_id = t.rule_id
        if fid is None and "update-object" not in subjects:
            rule_id = _OBJECT_RULES.get(rule_id, "")
            if not rule_id:
                return f"{t.rule_id} is about a field, but the path names an object"
        if fid is not None and "update-field" not in subjects:
            return f"{t.rule_id} is about a nested object, but the path names a field"
        path = update_path(object_path, fid)
        return AnnouncedChange(
            id=rule_id, connector_type="update", connector=object_path[0], object_path=object_path,
            field=fid, value=g.get("value"), path=path, **base,
        )
    if "get-field" in subjects:
        cid, name = get_location(g.get("path", ""), endpoint.connector)
        return AnnouncedChange(
            id=t.rule_id, connector_type="get", connector=cid, object_path=(cid,), field=name,
            value=g.get("value"), path=get_path(cid, name), **base,
        )
    if "get-connector" in subjects or "update-connector" in subjects:
        cid = endpoint.connector or g.get("path", "").strip()
        if not cid:
            return "the row names no connector (empty Connector column)"
        if not ID_RE.match(cid):
            return f"{cid[:60]!r} is not an AFAS connector id"
        kind = g.get("kind", "")
        is_get = (
            kind == "GetConnector"
            or subjects == {"get-connector"}
            or (not kind and bool(ops) and set(ops) == {"GET"})
        )
        scope = SCOPE_CONNECTOR if is_get else endpoint.scope
        path = cid if scope == SCOPE_CONNECTOR else endpoint.endpoint
        return AnnouncedChange(
            id=t.rule_id, connector_type="get" if is_get else "update", connector=cid, object_path=(cid,),
            field=None, value=None, path=path, scope=scope, **base,
        )
    if "app-connector" in subjects:
        name = g.get("connector") or endpoint.connector or ""
        if not name or not ID_RE.match(name):
            return "the row names no App Connector"
        value = g.get("value")
        if value is not None:
            kind = "get" if g.get("kind") == "GetConnector" else "update"
            return AnnouncedChange(
                id=t.rule_id, connector_type="app-connector", connector=name, object_path=(name, kind),
                field=None, value=value, path=f"app-connectors/{name}/{kind}/{value}", **base,
            )
        path = f"app-connectors/{name}/group" if "user group" in t.template else f"app-connectors/{name}"
        return AnnouncedChange(
            id=t.rule_id, connector_type="app-connector", connector=name, object_path=(name,), field=None,
            value=None, path=path, **base,
        )
    if "environment" in subjects:
        return AnnouncedChange(
            id=t.rule_id, connector_type="environment", connector="environment", object_path=(), field=None,
            value=None, path="environment/profit_version", **base,
        )
    return f"{t.rule_id}: rows of this rule cannot be located"


def _merge(group: Sequence[AnnouncedChange]) -> AnnouncedChange:
    """One change from every row that announces it (linear in the number of rows)."""
    first = group[0]
    if len(group) == 1:
        return first
    ops = {op for c in group for op in c.operations}
    return replace(
        first,
        before=next((c.before for c in group if c.before is not None), None),
        after=next((c.after for c in group if c.after is not None), None),
        endpoints=tuple(dict.fromkeys(e for c in group for e in c.endpoints)),
        modules=tuple(dict.fromkeys(m for c in group for m in c.modules)),
        sections=tuple(dict.fromkeys(x for c in group for x in c.sections)),
        operations=tuple(op for op in OPERATIONS if op in ops),
        sources=tuple(sorted({s for c in group for s in c.sources})),
        remarks=tuple(dict.fromkeys(r for c in group for r in c.remarks)),
    )


def merge_changes(changes: Iterable[AnnouncedChange]) -> list[AnnouncedChange]:
    """Merge changes with the same key; fold a DELETE endpoint's ``endpoint added``/``api path removed``
    into the connector's own when the notes announce that too (one new connector, all operations);
    sorted like diff changes."""
    groups: dict[Key, list[AnnouncedChange]] = {}
    for c in changes:
        groups.setdefault(c.key, []).append(c)
    for key, group in list(groups.items()):
        c = group[0]
        if c.scope != SCOPE_DELETE:
            continue
        whole = groups.get((c.id, c.connector_type, c.connector, c.connector, ""))
        if whole is not None and whole[0].scope == SCOPE_CONNECTOR:
            whole.extend(replace(x, scope=SCOPE_CONNECTOR) for x in group)
            del groups[key]
    by_key = {key: _merge(group) for key, group in groups.items()}
    order = ("get", "update", "gcn", "app-connector", "environment")
    return sorted(
        by_key.values(),
        key=lambda c: (
            order.index(c.connector_type) if c.connector_type in order else 9,
            c.connector,
            c.path,
            c.id,
            c.value or "",
        ),
    )


# -------------------------------------------------------------------------------------- documents
def _front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for i in range(1, min(len(lines), 100)):
        if lines[i].strip() in ("---", "..."):
            meta = {}
            for raw in lines[1:i]:
                key, sep, value = raw.partition(":")
                if sep and key.strip():
                    meta[key.strip().casefold()] = value.strip().strip("'\"")[:200]
            return meta, i + 1
    return {}, 0


def parse_notes(text: str, source: str = "<notes>", facts: ConnectorFacts | None = None) -> ReleaseNotes:
    """Parse one notes document. :class:`InputError` when it has neither a heading nor a table."""
    facts = facts if facts is not None else default_facts()
    newlines = text.count("\n")
    if newlines > MAX_LINES:
        raise InputError(f"{newlines} lines: more than {MAX_LINES}, not AFAS release notes", source=source)
    lines = text.splitlines()
    meta, start = _front_matter(lines)
    builder = _Builder(source, facts)
    stack: list[tuple[int, str]] = []
    current: _Section | None = None
    seen_structure = False
    headings = 0
    fence = ""
    prose_chars = 0
    i = start
    n = len(lines)
    while i < n:
        raw = lines[i]
        i += 1
        stripped = raw.strip()
        if not stripped:
            continue
        first = stripped[0]
        if fence:
            if stripped.startswith(fence):
                fence = ""
            continue
        if first in "`~" and (m := _FENCE.match(raw)):
            fence = m.group(1)[0] * 3
            continue
        if first == "|":
            seen_structure = True
            block_start = i - 1
            while i < n and lines[i].lstrip().startswith("|"):
                i += 1
            if current is None:
                current = _Section((), block_start + 1, "", "", False)
            current.tables.append(_table([(k + 1, lines[k]) for k in range(block_start, i)]))
            continue
        if first == "#" and len(raw) <= MAX_ROW_CHARS and (h := _HEADING.match(raw)):
            seen_structure = True
            headings += 1
            if headings > MAX_HEADINGS:
                raise InputError(f"more than {MAX_HEADINGS} headings (line {i}): not AFAS release notes",
                                 source=source)
            if current is not None:
                builder.section(current)
            level = len(h.group(1))
            title = inline_text(_CLOSING_HASHES.sub("", h.group(2)))[:300]
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
            if level == 1 and "title" not in meta:
                meta["title"] = title[:200]
            current = _section(stack, i)
            prose_chars = 0
            continue
        if current is not None and prose_chars <= MAX_PROSE_CHARS:
            body = stripped[1:].strip() if first == ">" else stripped
            current.paragraphs.append((i, body[: MAX_PROSE_CHARS + 1]))
            prose_chars += len(body)
    if current is not None:
        builder.section(current)
    if not seen_structure:
        raise InputError(
            "no headings and no tables: not AFAS release notes (expected '## <Module> Specification' "
            "sections with 'Description | Connector | Operation' tables)",
            source=source,
        )
    stats = FileStats(
        source,
        title=meta.get("title", ""),
        date=meta.get("date", ""),
        rows=builder.rows,
        parsed=builder.parsed,
        reported=len(builder.reported),
        prose=len(builder.prose),
    )
    return ReleaseNotes(
        changes=merge_changes(builder.changes),
        reported=builder.reported,
        prose=builder.prose,
        files=[stats],
    )


def _section(stack: list[tuple[int, str]], line: int) -> _Section:
    module = ""
    section = ""
    for _, title in stack:
        if m := _MODULE.match(title):
            module = m.group("module").strip()
    last = stack[-1][1].casefold().rstrip("!:. ")
    if last in _BREAKING:
        section = BREAKING
    elif last in _CHANGELOG:
        section = CHANGELOG
    breaking = any("breaking" in t.casefold() for _, t in stack)
    return _Section(tuple(t for _, t in stack), line, module, section, breaking)


def _table(block: list[tuple[int, str]]) -> _Table:
    (hline, htext), rest = block[0], block[1:]
    if not rest or not _DELIMITER.match(rest[0][1].strip()):
        return _Table(hline, [], block, broken="table without a delimiter row (| --- | --- |) under its first row")
    header = split_cells(htext)
    return _Table(hline, header, rest[1:])


def parse_files(paths: Sequence[Path], facts: ConnectorFacts | None = None) -> ReleaseNotes:
    """Read and parse notes files; one announcement for all of them."""
    from afasgov.releasenotes.model import merge_notes

    if not paths:
        raise InputError("no release notes files given")
    parts = []
    for p in paths:
        data = read_notes_bytes(p)
        notes = parse_notes(decode_notes(data, str(p)), str(p), facts)
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        notes.files = [replace(f, sha256=digest) for f in notes.files]
        parts.append(notes)
    return merge_notes(parts)


__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROW_CHARS",
    "decode_notes",
    "inline_text",
    "merge_changes",
    "operations_of",
    "parse_files",
    "parse_notes",
    "read_notes_bytes",
    "read_notes_file",
    "split_cells",
]
