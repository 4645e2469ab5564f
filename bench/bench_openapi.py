"""``afasgov openapi`` on ``synthetic:N`` (N = 2000: 2,000 UpdateConnectors with about 100,000
fields and 200,000 code values, 1,000 GetConnectors; ``--quick``: N = 200).

* baseline: reading the snapshot tree alone (:func:`afasgov.snapshot.read_tree`), same run;
* the export: the OpenAPI documents (``--split module``, JSON), from the model to the bytes —
  target ≤ 3 s;
* the same as one YAML document (``--split none --format yaml``), and the payload JSON Schemas
  (``--schemas-only``);
* the whole command in a child process (read the tree, export, write the files): wall time and the
  child's own peak RSS — target ≤ 300 MB.

The snapshot is built once from the simulator's dataset and written with :func:`write_tree`.

Figures (2 shared cores, load ≈ 3, ``python -m bench openapi``): reading the tree 6.8 s; export
module/JSON 2.0 s (62 MB), none/YAML 2.5 s (54 MB), ``--schemas-only`` 4.4 s (158 MB, 4,000 files);
the command in a child 10.5 s with a peak RSS of 208 MB.
"""

from __future__ import annotations

import dataclasses
import tempfile
import textwrap
import time
from pathlib import Path

from bench.common import Result, best_of, peak_rss_mb_of_child


def _tree(n: int, work: Path) -> Path:
    from afasgov.snapshot import write_tree
    from bench.bench_diff import model, raw_trees

    production, _ = raw_trees(n)
    snap = dataclasses.replace(model(production, "production"), type="production", tenant="12345")
    write_tree(snap, work)
    return work / "production"


def run(quick: bool) -> list[Result]:
    from afasgov.openapi import export_files
    from afasgov.snapshot import read_tree

    n = 200 if quick else 2000
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        tree = _tree(n, work / "definitions")
        read_s = best_of(lambda: read_tree(tree), repeat=3)
        snap = read_tree(tree)
        fields = sum(1 for c in snap.update_connectors.values() for _ in c.walk())
        cases = [
            ("module, json", {}),
            ("none, yaml", {"split": "none", "fmt": "yaml"}),
            ("--schemas-only, json", {"schemas_only": True}),
        ]
        for label, options in cases:
            files = export_files(snap, **options)  # type: ignore[arg-type]
            size = sum(len(b) for _, b in files)
            del files
            seconds = best_of(lambda o=options: export_files(snap, **o), repeat=3)  # type: ignore[misc]
            results.append(Result(
                f"export synthetic:{n} ({label})", seconds, "s", "read the snapshot alone", read_s,
                target="≤ 3 s" if label == "module, json" else "",
                details={"fields": fields, "MB": round(size / 1e6, 1)},
            ))
        code = textwrap.dedent(f"""
            import json, time
            from pathlib import Path
            from afasgov.app import AppContext
            from afasgov.commands.openapi import run_openapi
            start = time.perf_counter()
            run_openapi(AppContext(quiet=True), {str(tree)!r}, out=Path({str(work / 'out')!r}))
            print(json.dumps({{"seconds": time.perf_counter() - start, "_peak_rss_kb": _peak_kb()}}))
        """)
        start = time.perf_counter()
        peak, payload = peak_rss_mb_of_child(code)
        wall = time.perf_counter() - start
        results.append(Result(
            f"afasgov openapi synthetic:{n} (child: read + export + write)", peak, "MB",
            target="≤ 300 MB", details={"command s": round(float(payload["seconds"]), 2),
                                        "child wall s": round(wall, 2)},
        ))
    return results
