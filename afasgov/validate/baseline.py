"""Grade payload problems by what changed: validate against the revision (accept) and the baseline
(production), and keep as ERR only what is new on the revision.

A recorded payload an integration sends to production today is accepted there. A problem it also
has against production is therefore pre-existing: INFO, "also against production". Only a problem
that is new on the revision is graded by its cause, read from the two snapshots' metainfo:

* a field, object or connector the baseline has and the revision does not: ERR, "removed";
* a field that became mandatory (or a new mandatory field) that the payload does not send: ERR;
* a value over the revision's (shorter) length: ERR, "shortened from N to M";
* a code the baseline allows and the revision does not: ERR, "code removed";
* a value of a field whose data type changed: ERR, "type changed from X to Y";
* anything else new on the revision keeps its own level and says it is new.

Problems the payload has only against the baseline are not reported (the revision accepts it).

:func:`validate_payloads` is the library entry point ``validate --baseline`` and release-check use:
each payload against both environments, graded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from afasgov.errors import InputError
from afasgov.findings import Finding
from afasgov.model import EnvironmentSnapshot, UpdateField, UpdateObject
from afasgov.validate.checks import Problem, _as_text, check_problems, resolve_connector, to_items
from afasgov.validate.payload import parse_payload

_Node = tuple[tuple[UpdateField, ...], tuple[UpdateObject, ...]]


def _node(snapshot: EnvironmentSnapshot, object_path: tuple[str, ...]) -> _Node | None:
    conn = snapshot.update_connectors.get(object_path[0]) if object_path else None
    if conn is None:
        return None
    fields, objects = conn.fields, conn.objects
    for name in object_path[1:]:
        obj = next((o for o in objects if o.name == name), None)
        if obj is None:
            return None
        fields, objects = obj.fields, obj.objects
    return fields, objects


def _field(snapshot: EnvironmentSnapshot, object_path: tuple[str, ...], field_id: str | None) -> UpdateField | None:
    node = _node(snapshot, object_path)
    if node is None or field_id is None:
        return None
    return next((f for f in node[0] if f.field_id == field_id), None)


def _cause(p: Problem, revision: EnvironmentSnapshot, baseline: EnvironmentSnapshot, rev: str) -> str | None:
    """Why ``p`` is new on the revision, from the metainfo of both (``None``: no metainfo change explains it)."""
    before = _field(baseline, p.object_path, p.field)
    after = _field(revision, p.object_path, p.field)
    if p.id == "payload-unknown-connector":
        return f"{rev} no longer has the UpdateConnector '{p.connector}' (removed)" if _node(
            baseline, (p.connector,)) is not None else None
    if p.id == "payload-unknown-object":
        return "the object was removed" if _node(baseline, p.object_path) is not None else None
    if p.id == "payload-unknown-field":
        return "the field was removed" if before is not None else None
    if p.id == "payload-missing-mandatory-field":
        if before is None:
            return "a new mandatory field" if _node(baseline, p.object_path) is not None else None
        return "the field became mandatory" if not before.mandatory else None
    if p.id == "payload-value-too-long" and before is not None and after is not None:
        if after.length < before.length or before.length == 0:
            return f"the field was shortened from {before.length or 'unlimited'} to {after.length}"
        return None
    if p.id in ("payload-code-not-allowed", "payload-code-case") and before is not None:
        if before.values is not None and _as_text(p.value) in {c.id for c in before.values}:
            return f"the code '{_as_text(p.value)}' was removed"
        if before.values is None and after is not None and after.values is not None:
            return "the field was restricted to a list of codes"
        return None
    if before is not None and after is not None and before.data_type != after.data_type:
        return f"the field's type changed from {before.data_type} to {after.data_type}"
    return None


def grade(
    problems: Sequence[Problem],
    baseline_problems: Iterable[Problem],
    *,
    revision: EnvironmentSnapshot,
    baseline: EnvironmentSnapshot,
) -> list[Problem]:
    """``problems`` (against ``revision``) graded by ``baseline_problems`` (the same payload against
    ``baseline``), as the module docstring says."""
    rev = revision.name or "the revision"
    base = baseline.name or "the baseline"
    seen = {p.key for p in baseline_problems}
    out = []
    for p in problems:
        if p.key in seen:
            out.append(replace(p, level="INFO", text=f"{p.text} (also against {base})"))
            continue
        cause = _cause(p, revision, baseline, rev)
        if cause is not None:
            out.append(replace(p, level="ERR", text=f"{rev} now refuses this ({cause}): {p.text}"))
        else:
            out.append(replace(p, text=f"{p.text} (new against {rev}; not against {base})"))
    return out


@dataclass
class PayloadResult:
    """One payload validated against a revision and (optionally) a baseline."""

    file: str
    items: list[Finding] = field(default_factory=list)
    #: the UpdateConnector the payload is for ("" when it could not be read).
    connector: str = ""
    #: whether the AFAS catalogue knows the connector (root element and operations were checked).
    catalogued: bool = False
    #: why the payload could not be read (then ``items`` is empty); an unreadable payload is never a pass.
    error: str | None = None


def validate_payload_bytes(
    data: bytes,
    revision: EnvironmentSnapshot,
    baseline: EnvironmentSnapshot | None = None,
    *,
    file: str = "<payload>",
    connector: str | None = None,
    action: str | None = None,
) -> PayloadResult:
    """One payload against ``revision``, graded against ``baseline`` when given
    (:class:`~afasgov.errors.InputError` when it cannot be parsed)."""
    payload = parse_payload(data, file, connector)
    resolution = resolve_connector(payload, revision, connector)
    problems = check_problems(payload, revision, connector=connector, action=action, resolution=resolution)
    if baseline is not None:
        before = check_problems(payload, baseline, connector=connector, action=action)
        problems = grade(problems, before, revision=revision, baseline=baseline)
    return PayloadResult(file, to_items(problems, file=file), resolution.connector, resolution.info is not None)


def validate_payloads(
    paths: Iterable[Path],
    revision: EnvironmentSnapshot,
    baseline: EnvironmentSnapshot | None = None,
    *,
    display: dict[Path, str] | None = None,
    connector: str | None = None,
    action: str | None = None,
) -> list[PayloadResult]:
    """Every payload file against ``revision`` (and ``baseline``): what release-check calls for an
    integration's recorded payloads. A payload that cannot be read is a result with ``error`` set."""
    from afasgov.validate import read_payload_file

    results = []
    for path in paths:
        name = (display or {}).get(path, str(path))
        try:
            results.append(validate_payload_bytes(read_payload_file(path, name), revision, baseline, file=name,
                                                  connector=connector, action=action))
        except InputError as exc:
            results.append(PayloadResult(name, error=exc.reason))
    return results


def catalogue_notes(results: Iterable[PayloadResult]) -> list[str]:
    """One note naming the connectors the AFAS catalogue does not know (checked without root element
    and operation checks), if any."""
    unknown = sorted({r.connector for r in results if r.connector and not r.catalogued})
    if not unknown:
        return []
    from afasgov import catalogue

    return [
        f"the AFAS connector catalogue ({catalogue.provenance().describe()}) does not know "
        f"{', '.join(unknown)} (custom, or not in AFAS's published specs): their payloads' root element and "
        "operation were not checked"
    ]


__all__ = ["PayloadResult", "catalogue_notes", "grade", "validate_payload_bytes", "validate_payloads"]
