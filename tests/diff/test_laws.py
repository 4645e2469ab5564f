"""Laws of the diff, with hypothesis: diff(a, a) is empty; every change of diff(a, b) has its inverse in
diff(b, a); fingerprints are stable across runs and independent of the order of the inputs."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afasgov.diff.change import change_json
from afasgov.diff.engine import diff_snapshots
from afasgov.diff.registry import all_rules
from afasgov.model import (
    AppConnectorScope,
    CodeValue,
    ConnectorRef,
    EnvironmentSnapshot,
    GetConnector,
    GetField,
    UpdateConnector,
    UpdateField,
    UpdateObject,
)
from tests.diff.builders import CUSTOM, base_snapshot

FIELD_IDS = ["EmId", "EmAd", "ViGe", "DaBe", CUSTOM]
OBJECTS = ["KnPerson", "AfasContract", "KnBankAccount"]
CODES = ["1", "2", "M", "V"]

values_st = st.one_of(
    st.none(),
    st.lists(st.sampled_from(CODES), unique=True, max_size=3).map(
        lambda codes: tuple(CodeValue(c, st_desc(c)) for c in codes)
    ),
)


def st_desc(code: str) -> str:
    return {"1": "Een", "2": "Twee", "M": "Man", "V": "Vrouw"}[code]


@st.composite
def update_fields(draw: st.DrawFn) -> tuple[UpdateField, ...]:
    ids = draw(st.lists(st.sampled_from(FIELD_IDS), unique=True, max_size=4))
    return tuple(
        UpdateField(
            fid,
            label=draw(st.sampled_from(["Naam", "Name"])),
            data_type=draw(st.sampled_from(["string", "int", "date"])),
            length=draw(st.sampled_from([0, 10, 80])),
            decimals=draw(st.sampled_from([0, 2])),
            mandatory=draw(st.booleans()),
            primary_key=draw(st.booleans()),
            not_zero=draw(st.booleans()),
            control_type=draw(st.sampled_from([0, 5])),
            values=draw(values_st),
        )
        for fid in ids
    )


@st.composite
def update_objects(draw: st.DrawFn, depth: int = 0) -> tuple[UpdateObject, ...]:
    if depth >= 2:
        return ()
    names = draw(st.lists(st.sampled_from(OBJECTS), unique=True, max_size=2))
    return tuple(UpdateObject(n, draw(update_fields()), draw(update_objects(depth + 1))) for n in names)


@st.composite
def get_fields(draw: st.DrawFn) -> tuple[GetField, ...]:
    names = draw(st.lists(st.sampled_from(["EmId", "Name", "FullName", "Mail"]), unique=True, max_size=3))
    fids = draw(st.permutations(["U001", "U002", "U003", "U004"]))
    return tuple(
        GetField(
            n,
            fids[i],
            label=draw(st.sampled_from(["A", "B"])),
            data_type=draw(st.sampled_from(["string", "int"])),
            length=draw(st.sampled_from([10, 80])),
            decimals=draw(st.sampled_from([0, 2])),
            control_type=draw(st.sampled_from([0, 1])),
        )
        for i, n in enumerate(names)
    )


@st.composite
def snapshots(draw: st.DrawFn) -> EnvironmentSnapshot:
    updates = {}
    for cid in draw(st.lists(st.sampled_from(["KnEmployee", "KnSubject"]), unique=True, max_size=2)):
        updates[cid] = UpdateConnector(
            cid, draw(st.sampled_from(["x", "y"])), draw(update_fields()), draw(update_objects())
        )
    gets = {}
    for cid in draw(
        st.lists(st.sampled_from(["Profit_Employees", "Profit_Debtor"]), unique=True, max_size=2)
    ):
        gets[cid] = GetConnector(
            cid, "d", draw(get_fields()), blocked=draw(st.sampled_from([None, False, True]))
        )
    apps = {}
    for name in draw(st.lists(st.sampled_from(["hr-sync", "finance"]), unique=True, max_size=2)):
        apps[name] = AppConnectorScope(
            name,
            group=draw(st.sampled_from(["G1", "G2"])),
            get_connectors=tuple(
                ConnectorRef(c)
                for c in draw(st.lists(st.sampled_from(["Profit_Employees", "Profit_Debtor"]), unique=True))
            ),
            update_connectors=tuple(
                ConnectorRef(c)
                for c in draw(st.lists(st.sampled_from(["KnEmployee", "KnSubject"]), unique=True))
            ),
        )
    return EnvironmentSnapshot(
        name="env",
        profit_version=draw(st.sampled_from(["8.1", "9.0"])),
        language="nl-nl",
        app_connectors=apps,
        get_connectors=gets,
        update_connectors=updates,
    )


LAWS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@LAWS
@given(snapshots())
def test_diff_of_a_snapshot_with_itself_is_empty(a: EnvironmentSnapshot) -> None:
    assert diff_snapshots(a, a).changes == []
    b = dataclasses.replace(a, name="other")
    assert diff_snapshots(a, b).changes == []


def _inverse_present(c: object, others: list[object]) -> bool:
    rules = all_rules()
    for o in others:
        if (
            o.id in rules[c.id].inverse
            and o.location.connector_type == c.location.connector_type  # type: ignore[attr-defined]
            and o.location.connector == c.location.connector  # type: ignore[attr-defined]
            and o.location.value == c.location.value  # type: ignore[attr-defined]
            and o.before == c.after  # type: ignore[attr-defined]
            and o.after == c.before  # type: ignore[attr-defined]
            and (o.path == c.path or c.location.connector_type == "get")  # type: ignore[attr-defined]
        ):
            return True
    return False


@LAWS
@given(snapshots(), snapshots())
def test_every_change_has_its_inverse(a: EnvironmentSnapshot, b: EnvironmentSnapshot) -> None:
    forward = diff_snapshots(a, b).changes
    backward = diff_snapshots(b, a).changes
    assert len(forward) == len(backward)
    for c in forward:
        assert _inverse_present(c, backward), (c.id, c.path, c.before, c.after)  # type: ignore[arg-type]


def _shuffled(s: EnvironmentSnapshot, rng: random.Random) -> EnvironmentSnapshot:
    def sh(items: tuple) -> tuple:  # type: ignore[type-arg]
        out = list(items)
        rng.shuffle(out)
        return tuple(out)

    def field(f: UpdateField) -> UpdateField:
        return dataclasses.replace(f, values=sh(f.values) if f.values is not None else None)

    def obj(o: UpdateObject) -> UpdateObject:
        return dataclasses.replace(
            o, fields=sh(tuple(field(f) for f in o.fields)), objects=sh(tuple(obj(x) for x in o.objects))
        )

    def shuffled_dict(d: dict) -> dict:  # type: ignore[type-arg]
        keys = list(d)
        rng.shuffle(keys)
        return {k: d[k] for k in keys}

    updates = {
        k: dataclasses.replace(
            u, fields=sh(tuple(field(f) for f in u.fields)), objects=sh(tuple(obj(o) for o in u.objects))
        )
        for k, u in s.update_connectors.items()
    }
    gets = {k: dataclasses.replace(g, fields=sh(g.fields)) for k, g in s.get_connectors.items()}
    apps = {
        k: dataclasses.replace(
            a, get_connectors=sh(a.get_connectors), update_connectors=sh(a.update_connectors)
        )
        for k, a in s.app_connectors.items()
    }
    return dataclasses.replace(
        s,
        update_connectors=shuffled_dict(updates),
        get_connectors=shuffled_dict(gets),
        app_connectors=shuffled_dict(apps),
    )


@LAWS
@given(snapshots(), snapshots(), st.randoms(use_true_random=False))
def test_fingerprints_do_not_depend_on_input_order(
    a: EnvironmentSnapshot, b: EnvironmentSnapshot, rng: random.Random
) -> None:
    one = diff_snapshots(a, b).changes
    two = diff_snapshots(_shuffled(a, rng), _shuffled(b, rng)).changes
    assert [change_json(c) for c in one] == [change_json(c) for c in two]
    assert len({c.fingerprint for c in one}) == len(one)  # distinct changes, distinct fingerprints


def test_order_of_fields_is_not_a_change() -> None:
    a = base_snapshot()
    b = _shuffled(a, random.Random(4))
    assert diff_snapshots(a, b).changes == []


_CHILD = """
import json
from afasgov.diff.engine import diff_snapshots
from tests.diff.builders import base_snapshot, copy, map_update_field
a = base_snapshot(); b = copy(a)
map_update_field(b, "KnEmployee", (), "EmAd", lambda f: None)
b.profit_version = "9.0"
print(json.dumps(sorted(c.fingerprint for c in diff_snapshots(a, b).changes)))
"""


def test_fingerprints_are_stable_across_runs() -> None:
    results = set()
    for seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _CHILD],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
        )
        results.add(out.stdout.strip())
    assert len(results) == 1
    assert len(json.loads(results.pop())) == 2
