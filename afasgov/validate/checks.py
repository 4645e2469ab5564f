"""Check parsed payloads against an environment's UpdateConnector metainfo.

Each problem is a :class:`~afasgov.findings.Finding` of kind ``validation`` (id, level, text, its
location: canonical path, file and line), so ``afasgov validate`` renders like every other report and
waivers apply. Every item names its payload file (a note, shown by every format) and repeated problems
of one payload are one item with a count.

Levels follow what AFAS is known to do (``docs/validate.md`` gives the evidence for each decision):
ERR where AFAS refuses the payload or would store something else than meant, WARN where AFAS's
behaviour is not documented (never a silent pass, never a false ERR), INFO for forms AFAS's own
examples use that are known to work. :mod:`afasgov.validate.baseline` regrades problems by what
changed between a baseline environment (production) and the revision (accept).

The AFAS connector catalogue (:mod:`afasgov.catalogue`) gives payload root elements that differ
from the connector's name and the operations a connector offers; a connector the catalogue does not
know is checked without those two checks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from afasgov import catalogue
from afasgov.catalogue import UpdateConnectorInfo
from afasgov.diff.change import fingerprint_of
from afasgov.diff.engine import update_path
from afasgov.findings import Finding, Location
from afasgov.model import EnvironmentSnapshot, UpdateConnector, UpdateField, UpdateObject
from afasgov.validate.payload import Payload, PayloadElement, PayloadValue, Scalar


@dataclass(frozen=True)
class Check:
    """A payload check (:class:`~afasgov.findings.CatalogueEntry`)."""

    id: str
    level: str
    title: str
    remediation: str = "Change the integration so that it sends what the connector accepts on this environment."

    def doc(self) -> str:
        return self.title


#: problems reported per payload (after grouping); the rest are counted in one ``payload-too-many-problems``
MAX_PROBLEMS = 1000

CHECKS = {
    c.id: c
    for c in (
        Check(
            "payload-unknown-connector",
            "ERR",
            "The payload's connector is not an UpdateConnector of the environment.",
        ),
        Check(
            "payload-root-element",
            "WARN",
            "The payload's root element is not the one AFAS documents for the connector, or it is ambiguous.",
        ),
        Check(
            "payload-operation-not-offered",
            "ERR",
            "The payload's operation (insert = POST, update = PUT, delete = DELETE) is one AFAS does not "
            "offer on the connector.",
        ),
        Check("payload-unknown-field", "ERR", "A field the connector (or nested object) does not have."),
        Check("payload-unknown-object", "ERR", "A nested object the connector does not have."),
        Check("payload-field-case", "WARN", "A field name that differs from one of the element's fields only in case."),
        Check(
            "payload-missing-mandatory-field",
            "WARN",
            "An insert without a field metainfo marks mandatory (AFAS fills defaults for some of them).",
        ),
        Check("payload-value-too-long", "ERR", "A value longer than the field's length."),
        Check("payload-code-not-allowed", "ERR", "A value that is not one of the field's allowed codes."),
        Check("payload-code-case", "INFO", "A code that differs from one of the allowed codes only in case."),
        Check(
            "payload-type-mismatch",
            "ERR",
            "A value that is not of the field's data type (int, decimal, boolean, date).",
        ),
        Check(
            "payload-value-form",
            "WARN",
            "A value in a form whose reading by AFAS is not documented (a decimal comma, JSON true/false "
            "for a decimal or text field).",
        ),
        Check("payload-duplicate-field", "WARN", "The same field more than once in one element."),
        Check(
            "payload-action-field",
            "WARN",
            "'Action' written as a field inside Fields; AFAS's JSON form of the action is '@Action'.",
        ),
        Check("payload-misplaced-key", "WARN", "A '@Key' inside Fields; AFAS writes key fields on the Element."),
        Check(
            "payload-stray-key",
            "WARN",
            "A '#text'-like key in an Element or its Fields: what an XML-to-JSON conversion leaves behind.",
        ),
        Check(
            "payload-shape-variant",
            "WARN",
            "A shape AFAS's own examples use but AFAS does not document (Fields as a list of one object, an "
            "object given as a list of Element blocks); read as meant.",
        ),
        Check("payload-malformed", "ERR", "The payload does not have the shape AFAS expects."),
        Check(
            "payload-too-many-problems",
            "WARN",
            f"More than {MAX_PROBLEMS} problems in one payload: the first {MAX_PROBLEMS} are reported, then "
            "one item saying how many more there are (at the highest level among them).",
        ),
    )
}

ACTIONS = ("insert", "update", "delete")
OPERATION = {"insert": "POST", "update": "PUT", "delete": "DELETE"}
_RANK = {"ERR": 3, "WARN": 2, "INFO": 1}

_INT = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DATE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_TIME = re.compile(r"^\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?$")
_BOOL = {"true", "false", "1", "0"}


def entries() -> dict[str, Check]:
    """Every payload check by id (:class:`~afasgov.findings.CatalogueEntry`, as every registry has it)."""
    return dict(CHECKS)


@dataclass(frozen=True)
class ValueProblem:
    """Why a value does not fit its field: ``check`` id, its ``level`` and the reason (completing
    "the value … of '<path>' is …")."""

    check: str
    level: str
    reason: str


def _valid_time(text: str) -> bool:
    try:
        dt.time.fromisoformat(text[:8] if len(text) >= 8 else text)
    except ValueError:
        return False
    return True


def type_problem(f: UpdateField, value: Scalar) -> ValueProblem | None:
    """Why ``value`` does not fit the data type of ``f`` (``None`` when it does, or there is no value:
    ``null`` and ``""`` are "no value", as in AFAS's own examples)."""
    if value is None or value == "":
        return None
    t = f.data_type
    mismatch = "payload-type-mismatch"
    if t == "int":
        ok = (
            (isinstance(value, int) and not isinstance(value, bool))
            or (isinstance(value, float) and value.is_integer())
            or (isinstance(value, str) and bool(_INT.match(value)))
        )
        return None if ok else ValueProblem(mismatch, "ERR", "not an integer")
    if t == "decimal":
        if (isinstance(value, int | float) and not isinstance(value, bool)) or (
            isinstance(value, str) and _DECIMAL.match(value)
        ):
            return None
        if isinstance(value, str) and _DECIMAL_COMMA.match(value):
            return ValueProblem(
                "payload-value-form",
                "WARN",
                "written with a decimal comma; AFAS documents '.' as the decimal separator, and whether it "
                "reads ',' as decimal or as thousands separator is not documented",
            )
        if isinstance(value, bool):
            return ValueProblem(
                "payload-value-form",
                "WARN",
                "a JSON true/false for a decimal field; how AFAS converts it (false = 0?) is not documented",
            )
        return ValueProblem(mismatch, "ERR", "not a decimal number (with '.' as separator)")
    if t == "boolean":
        ok = (
            isinstance(value, bool)
            or (isinstance(value, int | float) and value in (0, 1))
            or (isinstance(value, str) and value.lower() in _BOOL)
        )
        return None if ok else ValueProblem(mismatch, "ERR", "not a boolean (true/false)")
    if t == "date":
        if isinstance(value, str):
            m = _DATE.match(value)
            if m:
                try:
                    dt.date.fromisoformat(m.group("date"))
                except ValueError:
                    return ValueProblem(mismatch, "ERR", "not a valid calendar date")
                if m.group("time") and not _valid_time(m.group("time")):
                    return ValueProblem(mismatch, "ERR", "not a valid time of day")
                return None
            if _TIME.match(value):  # a time of day in a date field: AFAS's own examples (docs/validate.md)
                return None if _valid_time(value) else ValueProblem(mismatch, "ERR", "not a valid time of day")
        return ValueProblem(mismatch, "ERR", "not a date (YYYY-MM-DD, YYYY-MM-DDThh:mm:ss or hh:mm:ss)")
    if t in ("string", "blob") and isinstance(value, bool):
        return ValueProblem(
            "payload-value-form",
            "WARN",
            "a JSON true/false for a text field; what text AFAS stores for it is not documented",
        )
    return None


def _as_text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def code_problem(f: UpdateField, value: Scalar) -> ValueProblem | None:
    """Why ``value`` is not one of the allowed codes of ``f`` (``None``: it is, or ``f`` has none)."""
    if f.values is None or value is None or value == "":
        return None
    text = _as_text(value)
    codes = [c.id for c in f.values]
    if text in codes:
        return None
    if f.data_type == "int" and _INT.match(text) and any(_INT.match(c) and int(c) == int(text) for c in codes):
        return None  # "00" is the integer 0
    folded = [c for c in codes if c.casefold() == text.casefold()]
    if folded:
        return ValueProblem(
            "payload-code-case",
            "INFO",
            f"the allowed code {folded[0]!r} in another case (AFAS's own examples write codes in any case)",
        )
    allowed = ", ".join(codes[:20]) + (" …" if len(codes) > 20 else "")
    return ValueProblem("payload-code-not-allowed", "ERR", f"not an allowed code ({allowed})")


@dataclass
class Problem:
    """One problem before grouping: what :mod:`afasgov.validate.baseline` compares."""

    id: str
    level: str
    text: str
    connector: str
    object_path: tuple[str, ...]
    field: str | None = None
    value: Scalar = None
    line: int = 0
    notes: list[str] = dc_field(default_factory=list)

    @property
    def path(self) -> str:
        return update_path(self.object_path, self.field) if self.object_path else self.connector

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies the problem across environments (check, path, value)."""
        return (self.id, self.path, _as_text(self.value) if self.value is not None else "")


@dataclass
class Resolution:
    """Which connector a payload is for, and what the catalogue says about it."""

    connector: str
    info: UpdateConnectorInfo | None
    problems: list[Problem]
    known: bool


def resolve_connector(
    payload: Payload, snapshot: EnvironmentSnapshot, connector: str | None
) -> Resolution:
    """The connector of ``payload``: ``connector`` when given; else its root element, read through the
    catalogue's root elements (``FiEntryPar`` → ``FiEntries``)."""
    root = payload.connector
    cat = catalogue.load()
    env = snapshot.name or "the environment"
    problems: list[Problem] = []

    def problem(check: str, level: str, text: str, cid: str) -> None:
        problems.append(Problem(check, level, text, cid, (cid,)))

    if connector:
        info = cat.update_connector(connector)
        if root != connector and (info is None or root != info.root):
            other = cat.connector_for_root(root) or (root if root in snapshot.update_connectors else None)
            if other is not None and other != connector:
                problem("payload-unknown-connector", "ERR",
                        f"the payload (root element '{root}') is for '{other}', not for '{connector}'", other)
                return Resolution(other, info, problems, False)
            if info is not None:
                problem("payload-root-element", "ERR",
                        f"the payload's root element '{root}' is not the one AFAS documents for {connector} "
                        f"('{info.root}')", connector)
            else:
                problem("payload-root-element", "WARN",
                        f"the payload's root element '{root}' is not '{connector}'; the AFAS catalogue does not "
                        f"know {connector} (a custom or newer connector), so its root element cannot be checked",
                        connector)
        elif root == connector and info is not None and info.root != root:
            problem("payload-root-element", "WARN",
                    f"AFAS documents payloads of {connector} with the root element '{info.root}', not '{root}'",
                    connector)
        cid = connector
    else:
        alias = cat.connector_for_root(root)
        if alias is not None and alias != root and alias in snapshot.update_connectors:
            cid = alias
            if root in snapshot.update_connectors and cat.update_connector(root) is None:
                problem("payload-root-element", "WARN",
                        f"'{root}' is an UpdateConnector of {env} and also the root element AFAS documents for "
                        f"{alias}: checked as {alias} (use --connector {root} if it is for {root})", alias)
        elif root in snapshot.update_connectors:
            cid = root
            own = cat.update_connector(root)
            if own is not None and own.root != root:
                problem("payload-root-element", "WARN",
                        f"AFAS documents payloads of {root} with the root element '{own.root}', not '{root}'",
                        root)
        else:
            name = alias or root
            where = f"'{name}' (payload root element '{root}')" if alias and alias != root else f"'{root}'"
            problem("payload-unknown-connector", "ERR", f"{where} is not an UpdateConnector of {env}", name)
            return Resolution(name, cat.update_connector(name), problems, False)
    if cid not in snapshot.update_connectors:
        problem("payload-unknown-connector", "ERR", f"'{cid}' is not an UpdateConnector of {env}", cid)
        return Resolution(cid, cat.update_connector(cid), problems, False)
    return Resolution(cid, cat.update_connector(cid), problems, True)


@dataclass(frozen=True)
class _Index:
    """The fields of one element kind, by id and by case-folded id."""

    by_id: dict[str, UpdateField]
    folded: dict[str, UpdateField]
    mandatory: tuple[UpdateField, ...]
    objects: dict[str, UpdateObject]


#: id(fields tuple) → (the tuple, its index): built once per connector/object, not per payload element
_INDEXES: dict[int, tuple[tuple[UpdateField, ...], tuple[UpdateObject, ...], _Index]] = {}


def _index(fields: tuple[UpdateField, ...], objects: tuple[UpdateObject, ...]) -> _Index:
    hit = _INDEXES.get(id(fields))
    if hit is not None and hit[0] is fields and hit[1] is objects:
        return hit[2]
    folded: dict[str, UpdateField] = {}
    for fd in fields:
        folded.setdefault(fd.field_id.casefold(), fd)
    index = _Index({f.field_id: f for f in fields}, folded, tuple(f for f in fields if f.mandatory),
                   {o.name: o for o in objects})
    if len(_INDEXES) > 4096:
        _INDEXES.clear()
    _INDEXES[id(fields)] = (fields, objects, index)  # the tuples are kept, so their ids stay theirs
    return index


class _Checker:
    def __init__(self, root: str, connector: str) -> None:
        self.root = root
        self.connector = connector
        self.out: list[Problem] = []

    def add(
        self,
        check_id: str,
        text: str,
        *,
        object_path: tuple[str, ...],
        field: str | None = None,
        value: Scalar = None,
        line: int = 0,
        level: str | None = None,
    ) -> None:
        self.out.append(
            Problem(check_id, level or CHECKS[check_id].level, text, self.connector, object_path, field, value, line)
        )

    def shown(self, object_path: tuple[str, ...], field_id: str | None = None) -> str:
        """A path as the payload writes it (from its root element)."""
        return update_path((self.root, *object_path[1:]), field_id)

    def element(
        self,
        el: PayloadElement,
        path: tuple[str, ...],
        fields: tuple[UpdateField, ...],
        objects: tuple[UpdateObject, ...],
        inherited_action: str,
    ) -> None:
        action = el.action if el.action in ACTIONS else inherited_action
        for problem in el.problems:
            self.add("payload-malformed", problem, object_path=path, line=el.line)
        for variant in el.variants:
            self.add("payload-shape-variant", f"{variant} (a shape AFAS's own examples use; AFAS does not "
                     "document it)", object_path=path, line=el.line)
        if el.action is not None and el.action not in ACTIONS:
            self.add("payload-malformed", f"{self.shown(path)}: the action {el.action!r} is not insert, update "
                     "or delete", object_path=path, line=el.line)
        index = _index(fields, objects)
        by_id, folded = index.by_id, index.folded
        names = [v.name for v in el.values]
        counts = Counter(names) if len(set(names)) != len(names) else {}
        for name, n in sorted(counts.items()):
            if n > 1:
                listed = any(v.form == "list" for v in el.values if v.name == name)
                how = (f"given as a list of {n} values" if listed else f"given {n} times")
                self.add(
                    "payload-duplicate-field",
                    f"the field '{self.shown(path, name)}' is {how}; AFAS documents one value per field, and "
                    "which one it keeps (or whether it refuses the payload) is not documented",
                    object_path=path,
                    field=name,
                    line=el.line,
                )
        for v in el.values:
            f: UpdateField | None = by_id.get(v.name)
            if f is None and v.name.casefold() in folded and v.name.lower() != "action":
                f = folded[v.name.casefold()]
                self.add(
                    "payload-field-case",
                    f"the field '{self.shown(path, v.name)}' differs from the field '{f.field_id}' only in case; "
                    "whether AFAS matches field names regardless of case is not documented",
                    object_path=path, field=v.name, line=v.line or el.line,
                )
            self.value(v, f, el, path)
        if action == "insert" and index.mandatory:
            sent = [v.name for v in el.values if v.value is not None and v.value != ""]
            given = set(sent) | {folded[n.casefold()].field_id for n in sent if n.casefold() in folded}
            for f in index.mandatory:
                if f.field_id not in given:
                    self.add(
                        "payload-missing-mandatory-field",
                        f"the field '{self.shown(path, f.field_id)}' is mandatory in metainfo and missing "
                        "(insert); AFAS fills a default for some mandatory fields, so whether it refuses the "
                        "insert is not known from metainfo",
                        object_path=path,
                        field=f.field_id,
                        line=el.line,
                    )
        by_name = index.objects
        for sub in el.objects:
            name = sub.object_path[-1]
            sub_path = (*path, name)
            obj = by_name.get(name)
            if obj is None:
                self.add(
                    "payload-unknown-object",
                    f"the object '{self.shown(sub_path)}' does not exist in {self.connector}",
                    object_path=sub_path,
                    line=sub.line,
                )
                continue
            self.element(sub, sub_path, obj.fields, obj.objects, action)

    def value(self, v: PayloadValue, f: UpdateField | None, el: PayloadElement, path: tuple[str, ...]) -> None:
        line = v.line or el.line
        if f is None:
            if v.name.lower() == "action":
                written = f"'@{v.name}'" + (" inside Fields" if v.form else " on the Element") if v.is_key else (
                    f"'{v.name}' inside Fields")
                self.add(
                    "payload-action-field",
                    f"{written} of '{self.shown(path)}' is not a field; AFAS writes the action as '@Action' inside "
                    f"Fields, and whether it reads {written} as the action or ignores it is not documented",
                    object_path=path, field=v.name, value=v.value, line=line,
                )
            elif v.name.startswith("#"):
                self.add(
                    "payload-stray-key",
                    f"'{v.name}' in '{self.shown(path)}' is not a field (what an XML-to-JSON "
                    "conversion leaves behind); whether AFAS ignores it is not documented",
                    object_path=path, field=v.name, line=line,
                )
            else:
                self.add("payload-unknown-field", f"the field '{self.shown(path, v.name)}' does not exist",
                         object_path=path, field=v.name, line=line)
            return
        if v.form == "@fields":
            self.add(
                "payload-misplaced-key",
                f"the key '@{v.name}' is written inside Fields of '{self.shown(path)}'; AFAS writes key fields "
                "as '@Key' on the Element, and whether it reads them inside Fields is not documented",
                object_path=path, field=v.name, line=line,
            )
        problem = type_problem(f, v.value)
        if problem is None:
            problem = code_problem(f, v.value)
            if problem is None:
                if f.length > 0 and f.data_type in ("string", "int"):
                    text = _as_text(v.value)
                    if len(text) > f.length:
                        self.add(
                            "payload-value-too-long",
                            f"the value of '{self.shown(path, v.name)}' is {len(text)} characters long; the "
                            f"field allows {f.length}",
                            object_path=path, field=v.name, value=text, line=line,
                        )
                return
        self.add(
            problem.check,
            f"the value {v.value!r} of '{self.shown(path, v.name)}' is {problem.reason} (dataType {f.data_type})",
            object_path=path, field=v.name, value=v.value, line=line, level=problem.level,
        )


def _operation(
    payload: Payload, res: Resolution, action: str | None, checker: _Checker
) -> str:
    """The payload's action (insert/update/delete) and the check that AFAS offers it."""
    # the operation of a JSON payload is the HTTP method it is sent with: known from --action only (its
    # "@Action" says what to do with the element, as in a nested update); an XML payload says it in Fields
    own = next((el.action for el in payload.elements if el.action in ACTIONS), None) if payload.form == "xml" else None
    explicit = action or own
    info = res.info
    if explicit is None:
        if info is not None and not info.offers("POST") and info.offers("PUT"):
            checker.add(
                "payload-root-element",
                f"checked as an update (PUT): AFAS offers {', '.join(info.operations)} on {res.connector}, no "
                "POST (use --action to say what the payload is)",
                object_path=(res.connector,), level="INFO",
            )
            return "update"
        return "insert"
    if info is not None and not info.offers(OPERATION[explicit]):
        checker.add(
            "payload-operation-not-offered",
            f"the payload is an {explicit} ({OPERATION[explicit]}); AFAS offers only "
            f"{', '.join(info.operations)} on {res.connector}",
            object_path=(res.connector,),
        )
    return explicit


def check_problems(
    payload: Payload,
    snapshot: EnvironmentSnapshot,
    *,
    connector: str | None = None,
    action: str | None = None,
    resolution: Resolution | None = None,
) -> list[Problem]:
    """Every problem of ``payload`` against ``snapshot``, ungrouped (``connector`` asserts which
    connector it is for; ``action`` overrides the payload's own; ``resolution`` is
    :func:`resolve_connector`'s answer when the caller has it already)."""
    res = resolution or resolve_connector(payload, snapshot, connector)
    checker = _Checker(payload.connector, res.connector)
    for problem in payload.problems:
        checker.add("payload-malformed", problem, object_path=(res.connector,))
    checker.out.extend(res.problems)
    if not res.known:
        return checker.out
    conn: UpdateConnector = snapshot.update_connectors[res.connector]
    default = _operation(payload, res, action, checker)
    for el in payload.elements:
        own = el.action if el.action in ACTIONS else None
        checker.element(el, (res.connector,), conn.fields, conn.objects, action or own or default)
    return checker.out


def to_items(problems: Sequence[Problem], *, file: str = "") -> list[Finding]:
    """Problems → report items: repeated problems (same check, path and text) are one item with a
    count, every item names the payload ``file``, at most :data:`MAX_PROBLEMS` items plus one counting
    the rest."""
    groups: dict[tuple[str, str, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.id, p.path, p.text), []).append(p)
    items: list[Finding] = []
    omitted: list[Problem] = []
    for group in groups.values():
        if len(items) >= MAX_PROBLEMS:
            omitted.extend(group)
            continue
        items.append(_item(group, file))
    if omitted:
        top = max(omitted, key=lambda p: _RANK.get(p.level, 0)).level
        first = omitted[0]
        count = Problem(
            "payload-too-many-problems",
            top,
            f"… and {len(omitted)} more problems in this payload (only the first {MAX_PROBLEMS} are reported; "
            f"the highest level among the rest is {top})",
            first.connector,
            (first.connector,),
            value=len(omitted),
        )
        items.append(_item([count], file))
    return items


def _item(group: Sequence[Problem], file: str) -> Finding:
    p = group[0]
    path = p.path
    lines = sorted({q.line for q in group if q.line})
    fp = fingerprint_of(
        p.id,
        "update",
        p.connector,
        p.object_path,
        p.field,
        _as_text(p.value) if p.value is not None else None,
        file,
        None,
    )
    where = f"payload {file}" if file else "payload"
    if lines:
        where += f", line {lines[0]}" if len(lines) == 1 else f", lines {', '.join(map(str, lines[:10]))}"
        where += " …" if len(lines) > 10 else ""
    notes = [where]
    if len(group) > 1:
        notes.append(f"{len(group)} times in this payload")
    for q in group:
        notes.extend(n for n in q.notes if n not in notes)
    text_value = _as_text(p.value) if p.value is not None else None
    return Finding(
        id=p.id,
        level=p.level,
        text=p.text,
        kind="validation",
        location=Location(
            connector_type="update",
            connector=p.connector,
            object_path=p.object_path,
            field=p.field,
            value=text_value,
            path=path,
            file=file,
            line=lines[0] if lines else 0,
        ),
        title=CHECKS[p.id].title if p.id in CHECKS else p.id,
        notes=tuple(notes),
        rule_level=CHECKS[p.id].level if p.id in CHECKS else p.level,
        fingerprint=fp,
        extra={"value": p.value, "count": len(group)},
    )


def payload_json(problem: Finding) -> dict[str, Any]:
    """A payload problem as ``afasgov validate --format json`` writes it (``waived``/``waiver`` only when a
    waiver covers it)."""
    loc = problem.location
    data: dict[str, Any] = {
        "id": problem.id,
        "level": problem.level,
        "connector": loc.connector,
        "object_path": list(loc.object_path),
        "field": loc.field,
        "value": problem.extra.get("value"),
        "path": loc.path,
        "text": problem.text,
        "file": loc.file,
        "line": loc.line,
        "count": problem.extra.get("count", 1),
        "fingerprint": problem.fingerprint,
    }
    if problem.waiver is not None:
        data |= {"waived": True, "waiver": problem.waiver.to_json()}
    return data


def check_payload(
    payload: Payload,
    snapshot: EnvironmentSnapshot,
    *,
    file: str = "",
    connector: str | None = None,
    action: str | None = None,
    baseline: EnvironmentSnapshot | None = None,
) -> list[Finding]:
    """Every problem of ``payload`` against ``snapshot`` as findings; with ``baseline``, graded by
    what changed (:func:`afasgov.validate.baseline.grade`)."""
    problems = check_problems(payload, snapshot, connector=connector, action=action)
    if baseline is not None:
        from afasgov.validate.baseline import grade

        before = check_problems(payload, baseline, connector=connector, action=action)
        problems = grade(problems, before, revision=snapshot, baseline=baseline)
    return to_items(problems, file=file)


def iter_ids() -> Iterator[str]:
    yield from CHECKS
