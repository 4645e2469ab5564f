"""Check parsed payloads against an environment's UpdateConnector metainfo.

Each problem is a :class:`~afasgov.findings.Finding` of kind ``validation`` (id, level ERR, text, its
location with the canonical path, payload file and line), so ``afasgov validate`` renders like every other
report and waivers apply.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from afasgov.diff.change import fingerprint_of
from afasgov.diff.engine import update_path
from afasgov.findings import Finding, Location
from afasgov.model import EnvironmentSnapshot, UpdateConnector, UpdateField, UpdateObject
from afasgov.validate.payload import Payload, PayloadElement, PayloadValue, Scalar


@dataclass(frozen=True)
class Check:
    """A payload check (:class:`~afasgov.findings.CatalogueEntry`): every problem is an ``ERR`` — AFAS
    refuses the payload."""

    id: str
    title: str
    level: str = "ERR"
    remediation: str = "Change the integration so that it sends what the connector accepts on this environment."

    def doc(self) -> str:
        return self.title


#: problems reported per payload; the rest are counted in one ``payload-too-many-problems`` item
MAX_PROBLEMS = 1000

CHECKS = {
    c.id: c
    for c in (
        Check(
            "payload-unknown-connector",
            "The payload's connector is not an UpdateConnector of the environment.",
        ),
        Check("payload-unknown-field", "A field the connector (or nested object) does not have."),
        Check("payload-unknown-object", "A nested object the connector does not have."),
        Check("payload-missing-mandatory-field", "An insert without a mandatory field."),
        Check("payload-value-too-long", "A value longer than the field's length."),
        Check("payload-code-not-allowed", "A value that is not one of the field's allowed codes."),
        Check(
            "payload-type-mismatch",
            "A value that is not of the field's data type (int, decimal, boolean, date).",
        ),
        Check("payload-duplicate-field", "The same field twice in one element."),
        Check("payload-malformed", "The payload does not have the shape AFAS expects."),
        Check(
            "payload-too-many-problems",
            f"More than {MAX_PROBLEMS} problems in one payload: the first {MAX_PROBLEMS} are reported, then "
            "one item saying how many more there are.",
        ),
    )
}



def catalogue() -> dict[str, Check]:
    """Every payload check by id (the catalogue interface all rule and check registries share)."""
    return dict(CHECKS)


_INT = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?)?$")
_BOOL = {"true", "false", "1", "0"}


def payload_json(problem: Finding) -> dict[str, Any]:
    """A payload problem as ``afasgov validate --format json`` writes it (``waived``/``waiver`` only when
    a waiver covers it)."""
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
        "fingerprint": problem.fingerprint,
    }
    if problem.waiver is not None:
        data |= {"waived": True, "waiver": problem.waiver.to_json()}
    return data


def type_problem(f: UpdateField, value: Scalar) -> str | None:
    """Why ``value`` is not of ``f.data_type`` (``None`` when it is)."""
    if value is None:
        return None
    t = f.data_type
    if t == "int":
        ok = (
            (isinstance(value, int) and not isinstance(value, bool))
            or (isinstance(value, float) and value.is_integer())
            or (isinstance(value, str) and bool(_INT.match(value)))
        )
        return None if ok else "an integer"
    if t == "decimal":
        ok = (isinstance(value, int | float) and not isinstance(value, bool)) or (
            isinstance(value, str) and bool(_DECIMAL.match(value))
        )
        return None if ok else "a decimal number (with '.' as separator)"
    if t == "boolean":
        ok = isinstance(value, bool) or (isinstance(value, str) and value.lower() in _BOOL)
        return None if ok else "a boolean (true/false)"
    if t == "date":
        if not isinstance(value, str) or not _DATE.match(value):
            return "a date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss)"
        try:
            dt.date.fromisoformat(value[:10])
        except ValueError:
            return "a valid calendar date"
        return None
    if t == "string" and isinstance(value, bool):
        return "text"
    return None


def _as_text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


class _Checker:
    def __init__(self, snapshot: EnvironmentSnapshot, file: str, default_action: str) -> None:
        self.snapshot = snapshot
        self.file = file
        self.default_action = default_action
        self.out: list[Finding] = []
        self.limit = MAX_PROBLEMS
        self.omitted = 0

    def add(
        self,
        check_id: str,
        text: str,
        *,
        connector: str,
        object_path: tuple[str, ...],
        field: str | None = None,
        value: Scalar = None,
        line: int = 0,
    ) -> None:
        if len(self.out) >= self.limit:
            self.omitted += 1
            return
        path = update_path(object_path, field) if object_path else connector
        text_value = _as_text(value) if value is not None else None
        fp = fingerprint_of(check_id, "update", connector, object_path, field, text_value, self.file, None)
        self.out.append(
            Finding(
                id=check_id,
                level="ERR",
                text=text,
                kind="validation",
                location=Location(
                    connector_type="update",
                    connector=connector,
                    object_path=object_path,
                    field=field,
                    value=text_value,
                    path=path,
                    file=self.file,
                    line=line,
                ),
                title=CHECKS[check_id].title,
                rule_level="ERR",
                fingerprint=fp,
                extra={"value": value},
            )
        )

    def finish(self, connector: str) -> list[Finding]:
        """The problems, capped at :data:`MAX_PROBLEMS` plus one item counting the rest."""
        if self.omitted:
            omitted, self.limit = self.omitted, len(self.out) + 1
            self.add(
                "payload-too-many-problems",
                f"… and {omitted} more problems in this payload (only the first {MAX_PROBLEMS} are reported)",
                connector=connector,
                object_path=(connector,),
                value=omitted,
            )
        return self.out

    def element(
        self,
        el: PayloadElement,
        fields: tuple[UpdateField, ...],
        objects: tuple[UpdateObject, ...],
        connector: str,
        inherited_action: str,
    ) -> None:
        action = el.action or inherited_action
        for problem in el.problems:
            self.add(
                "payload-malformed", problem, connector=connector, object_path=el.object_path, line=el.line
            )
        by_id = {f.field_id: f for f in fields}
        counts = Counter(v.name for v in el.values)
        for name, n in sorted(counts.items()):
            if n > 1:
                self.add(
                    "payload-duplicate-field",
                    f"the field '{update_path(el.object_path, name)}' is given {n} times",
                    connector=connector,
                    object_path=el.object_path,
                    field=name,
                    line=el.line,
                )
        for v in el.values:
            self.value(v, by_id.get(v.name), el, connector)
        if action == "insert":
            given = {v.name for v in el.values if v.value not in (None, "")}
            for f in fields:
                if f.mandatory and f.field_id not in given:
                    self.add(
                        "payload-missing-mandatory-field",
                        f"the mandatory field '{update_path(el.object_path, f.field_id)}' is missing "
                        "(insert)",
                        connector=connector,
                        object_path=el.object_path,
                        field=f.field_id,
                        line=el.line,
                    )
        by_name = {o.name: o for o in objects}
        for sub in el.objects:
            name = sub.object_path[-1]
            obj = by_name.get(name)
            if obj is None:
                self.add(
                    "payload-unknown-object",
                    f"the object '{update_path(sub.object_path)}' does not exist in {connector}",
                    connector=connector,
                    object_path=sub.object_path,
                    line=sub.line,
                )
                continue
            self.element(sub, obj.fields, obj.objects, connector, action)

    def value(self, v: PayloadValue, f: UpdateField | None, el: PayloadElement, connector: str) -> None:
        path = update_path(el.object_path, v.name)
        report = functools.partial(
            self.add, connector=connector, object_path=el.object_path, field=v.name, line=v.line or el.line
        )
        if f is None:
            report("payload-unknown-field", f"the field '{path}' does not exist")
            return
        if v.value is None:
            return
        problem = type_problem(f, v.value)
        if problem:
            report(
                "payload-type-mismatch",
                f"the value {v.value!r} of '{path}' is not {problem} (dataType {f.data_type})",
                value=v.value,
            )
            return
        text = _as_text(v.value)
        if f.values is not None and text not in {c.id for c in f.values}:
            allowed = ", ".join(c.id for c in f.values[:20]) + (" …" if len(f.values) > 20 else "")
            report(
                "payload-code-not-allowed",
                f"the value {text!r} of '{path}' is not an allowed code ({allowed})",
                value=text,
            )
        elif f.length > 0 and f.data_type in ("string", "int") and len(text) > f.length:
            report(
                "payload-value-too-long",
                f"the value of '{path}' is {len(text)} characters long; the field allows {f.length}",
                value=text,
            )


def check_payload(
    payload: Payload,
    snapshot: EnvironmentSnapshot,
    *,
    file: str = "",
    connector: str | None = None,
    action: str | None = None,
) -> list[Finding]:
    """Every problem of ``payload`` against ``snapshot`` (``connector`` asserts which connector it is for)."""
    checker = _Checker(snapshot, file, action or "insert")
    cid = payload.connector
    for problem in payload.problems:
        checker.add("payload-malformed", problem, connector=cid, object_path=(cid,))
    if connector and connector != cid:
        checker.add(
            "payload-unknown-connector",
            f"the payload is for '{cid}', not for '{connector}'",
            connector=cid,
            object_path=(cid,),
        )
        return checker.finish(cid)
    conn: UpdateConnector | None = snapshot.update_connectors.get(cid)
    if conn is None:
        env = snapshot.name or "the environment"
        checker.add(
            "payload-unknown-connector",
            f"'{cid}' is not an UpdateConnector of {env}",
            connector=cid,
            object_path=(cid,),
        )
        return checker.finish(cid)
    for el in payload.elements:
        checker.element(el, conn.fields, conn.objects, cid, action or el.action or "insert")
    return checker.finish(cid)


def iter_ids() -> Iterator[str]:
    yield from CHECKS
