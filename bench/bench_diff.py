"""Diff engine: ``synthetic:N`` production vs accept (the simulator's mutated copy).

* time of :func:`afasgov.diff.engine.diff_snapshots` on the canonical model (N = 170: 8,505 fields,
  19,827 code values — AFAS-sized code lists such as countries and municipalities, see
  :mod:`afasgov.sim.datasets.synthetic`) — target ≤ 0.5 s;
* DeepDiff over the same two raw metainfo JSON trees, measured in the same run — target ≥ 3× slower;
* the worst case: every field label and every code-value description changed, so that no pair is
  skipped and one change is built per field and per code value — target ≤ 0.5 s;
* peak RSS of a child process that builds both models and diffs them — target ≤ 150 MB;
* how the time grows with N.

Figures (2 shared cores, load ≈ 3, ``python -m bench diff``): synthetic:170 diff 0.009 s (70
changes) vs DeepDiff 9.6 s (≈ 1,000×); worst case 28,332 changes in 0.33–0.50 s (about 12–18 µs a
change, mostly building each change's text and fingerprint); child peak RSS 109 MB; scaling
1.3–1.7 µs per field from synthetic:40 to synthetic:340 (2,005 to 17,014 fields, 6,334 to 37,878
code values).
"""

from __future__ import annotations

import json
from typing import Any

from bench.common import Result, best_of, peak_rss_mb_of_child


def raw_trees(n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """``{"update": {id: metainfo}, "get": {id: metainfo}}`` of production and accept (en-us labels)."""
    from afasgov.sim.datasets import load_dataset
    from afasgov.sim.model import localise

    dataset = load_dataset(f"synthetic:{n}")
    out = []
    for env in ("production", "accept"):
        e = dataset.environments[env]
        out.append(
            {
                "update": {cid: localise(e.update_connectors[cid], "en-us") for cid in e.update_connectors},
                "get": {cid: localise(e.get_connectors[cid].metainfo(), "en-us") for cid in e.get_connectors},
            }
        )
    return out[0], out[1]


def model(raw: dict[str, Any], name: str) -> Any:
    from afasgov.model import EnvironmentSnapshot
    from afasgov.model.normalise import normalise_get, normalise_update

    return EnvironmentSnapshot(
        name=name,
        language="en-us",
        update_connectors={
            cid: normalise_update(doc, environment=name, connector=cid) for cid, doc in raw["update"].items()
        },
        get_connectors={
            cid: normalise_get(doc, environment=name, connector=cid) for cid, doc in raw["get"].items()
        },
    )


def relabelled(snapshot: Any) -> Any:
    """A copy where every update field has a new label and every code value a new description (so that
    no pair can be skipped and every rule runs on every field)."""
    import dataclasses

    def field(f: Any) -> Any:
        values = (
            tuple(dataclasses.replace(v, description=v.description + "*") for v in f.values)
            if f.values is not None
            else None
        )
        return dataclasses.replace(f, label=f.label + "*", values=values)

    def obj(o: Any) -> Any:
        return dataclasses.replace(
            o, fields=tuple(field(f) for f in o.fields), objects=tuple(obj(x) for x in o.objects)
        )

    return dataclasses.replace(
        snapshot,
        name="relabelled",
        update_connectors={
            cid: dataclasses.replace(
                u, fields=tuple(field(f) for f in u.fields), objects=tuple(obj(o) for o in u.objects)
            )
            for cid, u in snapshot.update_connectors.items()
        },
    )


def counts(snapshot: Any) -> tuple[int, int]:
    fields = codes = 0
    for u in snapshot.update_connectors.values():
        for _, f in u.walk():
            fields += 1
            codes += len(f.values or ())
    return fields, codes


_CHILD = """
import json, resource
from bench.bench_diff import raw_trees, model
from afasgov.diff.engine import diff_snapshots
a, b = raw_trees({n})
ma, mb = model(a, "production"), model(b, "accept")
del a, b
changes = diff_snapshots(ma, mb).changes
peak = _peak_kb()
print(json.dumps({{"changes": len(changes), "_peak_rss_kb": peak}}))
"""


def run(quick: bool) -> list[Result]:
    from deepdiff import DeepDiff

    from afasgov.diff.engine import diff_snapshots

    results: list[Result] = []
    n = 60 if quick else 170
    raw_a, raw_b = raw_trees(n)
    ma, mb = model(raw_a, "production"), model(raw_b, "accept")
    fields, codes = counts(ma)
    changes = diff_snapshots(ma, mb).changes
    ours = best_of(lambda: diff_snapshots(ma, mb), repeat=5)
    deep = best_of(lambda: DeepDiff(raw_a, raw_b), repeat=1 if not quick else 2)
    raw_size = len(json.dumps(raw_a)) // 1024
    results.append(
        Result(
            f"diff synthetic:{n} production→accept",
            ours,
            "s",
            baseline_name="DeepDiff (raw JSON)",
            baseline_value=deep,
            target="≤ 0.5 s and ≥ 3× faster than DeepDiff",
            details={
                "fields": fields,
                "code_values": codes,
                "changes": len(changes),
                "raw_json_kb": raw_size,
            },
        )
    )
    worst = relabelled(ma)
    worst_changes = diff_snapshots(ma, worst).changes
    t_worst = best_of(lambda: diff_snapshots(ma, worst), repeat=3)
    results.append(
        Result(
            f"worst case: every field of synthetic:{n} changed",
            t_worst,
            "s",
            target="≤ 0.5 s",
            details={"changes": len(worst_changes)},
        )
    )
    rss, payload = peak_rss_mb_of_child(_CHILD.format(n=n))
    results.append(
        Result(f"peak RSS (child: build + diff synthetic:{n})", rss, "MB", target="≤ 150 MB", details=payload)
    )
    for size in (20, 60) if quick else (40, 85, 170, 340):
        a, b = raw_trees(size)
        sa, sb = model(a, "production"), model(b, "accept")
        t = best_of(lambda sa=sa, sb=sb: diff_snapshots(sa, sb), repeat=3)
        f, c = counts(sa)
        results.append(
            Result(
                f"scaling: diff synthetic:{size}",
                t,
                "s",
                details={"fields": f, "code_values": c, "us_per_field": round(t / max(f, 1) * 1e6, 2)},
            )
        )
    return results
