"""Audit speed: the ``synthetic:170`` snapshot plus 50 ``.gcn`` definitions (target ≤ 1 s), and the
secret scan of a 10,000-file tree (target ≤ 10 s), each against a baseline measured in the same run.

* audit: end to end as ``afasgov audit`` does it without the secret scan (read the definitions tree,
  parse 50 ``.gcn`` files, run all checks); baseline = loading the same inputs only, so the ratio shows
  what the checks add on top of reading.
* secret scan: :func:`scan_repository` on a generated tree (realistic text files, 5 planted secrets,
  some binaries); baseline = a naive scanner that runs every pattern on every line (str regexes).
"""

from __future__ import annotations

import random
import re
import secrets
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.common import Result, best_of


# ------------------------------------------------------------------------------------- inputs
def _snapshot_from_dataset(spec: str, env_name: str = "production"):  # type: ignore[no-untyped-def]
    """The canonical model of one simulator environment, via the model's own normalisers (no HTTP)."""
    from afasgov.model import EnvironmentSnapshot
    from afasgov.model.normalise import normalise_get, normalise_metainfo, normalise_update
    from afasgov.sim.datasets import load_dataset
    from afasgov.sim.model import localise

    ds = load_dataset(spec)
    env = ds.environments[env_name]
    lang = env.base_language
    snap = EnvironmentSnapshot(
        name=env_name,
        type=env.type,
        tenant=env.tenant,
        envid=env.envid,
        profit_version=env.profit_version,
        language=lang,
    )
    for cid, gc in env.get_connectors.items():
        snap.get_connectors[cid] = normalise_get(
            localise(gc.metainfo(), lang), environment=env_name, connector=cid
        )
    for cid, uc in env.update_connectors.items():
        snap.update_connectors[cid] = normalise_update(
            localise(uc, lang), environment=env_name, connector=cid
        )
    for name, app in env.app_connectors.items():
        meta = {
            "updateConnectors": [{"id": c, "description": c} for c in app.update_ids],
            "getConnectors": [{"id": c, "description": c} for c in app.get_ids],
            "info": {
                "envid": env.envid,
                "appName": app.app_name,
                "group": app.group,
                "tokenExpiry": app.token_expiry,
            },
        }
        snap.app_connectors[name] = normalise_metainfo(
            meta,
            environment=env_name,
            app_connector=name,
            auth_type=app.auth_types[0] if app.auth_types else "",
        )
    return snap


SOURCES = [
    "Kn.Bcn.BcCo",
    "Kn.Bcn.Nm",
    "Kn.Bcn.DaBi",
    "Kn.Bcn.EmAd",
    "Kn.Bcn.EmA2",
    "Kn.Emp.EmId",
    "Hr.Etc.DaBe",
    "Hr.Etc.DaEn",
    "Hr.VDF.N112",
    "Kn.Bad.Ad",
    "Kn.Bad.ZpCd",
    "Kn.Usr.Upn",
    "Kn.Fun.Ds",
    "Kn.Bcn.SoSe",
]


def _write_gcn_files(directory: Path, n: int) -> None:
    from afasgov.gcn.build import build_gcn

    rng = random.Random(7)
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        fields = [
            {
                "id": f"U{j + 1:03d}",
                "source": rng.choice(SOURCES),
                "output_name": f"Field{j}",
                **({"join_path": ".".join(f"A{k}" for k in range(rng.randint(1, 7)))} if j % 3 else {}),
            }
            for j in range(rng.randint(10, 40))
        ]
        spec = {
            "name": f"Bench_Def_{i:03d}",
            "system": "Kn",
            "product": "Hrm",
            "data_collection": {
                "id": "B_Bcn00",
                "name": "Personen",
                "main_table": rng.choice(["Kn.Bcn", "Hr.RCo", "Kn.Fun"]),
                "main_alias": "Bcn",
            },
            "fields": fields,
            "filters": [[{"field": "U001", "operator": rng.choice(["=", "contains"]), "value": "x"}]]
            if i % 2
            else [],
        }
        (directory / f"Bench_Def_{i:03d}.gcn").write_bytes(build_gcn(spec))


def bench_audit(quick: bool) -> list[Result]:
    from afasgov.audit.context import AuditContext
    from afasgov.audit.privacy import classify_label
    from afasgov.audit.runner import load_definitions, run_checks
    from afasgov.snapshot import read_tree, write_tree
    from afasgov.workspace import Workspace

    size = 17 if quick else 170
    n_defs = 10 if quick else 50
    with tempfile.TemporaryDirectory(prefix="afasgov-bench-audit-") as tmp:
        root = Path(tmp)
        write_tree(_snapshot_from_dataset(f"synthetic:{size}"), root / "definitions")
        gcn_dir = root / "definitions" / "getconnectors"
        _write_gcn_files(gcn_dir, n_defs)

        def load() -> AuditContext:
            ctx = AuditContext(
                today=date(2026, 11, 21),
                snapshots={"production": read_tree(root / "definitions" / "production")},
            )
            load_definitions(Workspace(root=root, definitions_dir=root / "definitions"), [gcn_dir], ctx, [])
            return ctx

        findings: list[object] = []

        def full() -> None:
            classify_label.cache_clear()  # cold: no label memo from a previous repeat
            ctx = load()
            findings[:] = run_checks(ctx)

        ctx = load()

        def checks() -> None:
            classify_label.cache_clear()
            ctx.cache.clear()
            run_checks(ctx)

        checks_only = best_of(checks, repeat=3)
        baseline = best_of(load, repeat=3)
        total = best_of(full, repeat=3)
        snap = ctx.snapshots["production"]
    return [
        Result(
            f"audit synthetic:{size} + {n_defs} .gcn (load + all checks)",
            total,
            "s",
            baseline_name="loading the same inputs only",
            baseline_value=baseline,
            target="≤ 1 s",
            details={
                "findings": len(findings),
                "update_connectors": len(snap.update_connectors),
                "get_connectors": len(snap.get_connectors),
                "app_connectors": len(snap.app_connectors),
            },
        ),
        Result("audit checks only (inputs in memory)", checks_only, "s"),
    ]


# ------------------------------------------------------------------------------------- secret scan
_WORDS = (
    "employee",
    "connector",
    "token",
    "metainfo",
    "update",
    "filter",
    "secret",
    "environment",
    "profit",
    "authorization",
    "https://12345.rest.afas.online",
    "verify",
    "client_id",
    "field",
    "value",
)


def _make_tree(root: Path, n_files: int) -> int:
    rng = random.Random(42)
    planted = 0
    for i in range(n_files):
        sub = root / f"pkg{i % 50:02d}" / f"mod{i % 7}"
        sub.mkdir(parents=True, exist_ok=True)
        if i % 500 == 0:
            (sub / f"blob{i}.bin").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
            continue
        lines = [
            " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 12)))
            for _ in range(rng.randint(20, 80))
        ]
        if i % 2000 == 1:
            lines.insert(
                5, f"<token><version>1</version><data>{secrets.token_hex(32).upper()}</data></token>"
            )
            planted += 1
        suffix = rng.choice([".py", ".yaml", ".ps1", ".md", ".json"])
        target = sub / f"file{i}{suffix}"
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        target.chmod(0o644)  # a plain file, whatever the umask
    return planted


_NAIVE = [
    re.compile(p)
    for p in (
        r"<token>\s*<version>\d+</version>\s*<data>[0-9A-Fa-f]{64}</data>\s*</token>",
        r"PHRva2VuPjx2ZXJzaW9uPj[A-Za-z0-9+/]{40,}={0,2}",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----",
        r"(?i)authorization[\"']?\s*[:=,]\s*[\"']?(afastoken|bearer|basic)\s+([^\s\"'<>,;]+)",
        r"(?i)client[_-]?secret[\"']?\s*[:=]\s*[\"']?([^\s\"',;{}()\[\]<>]+)",
        r"(?i)token[^\n]{0,40}?(?<![0-9A-Fa-f])([0-9A-Fa-f]{64})(?![0-9A-Fa-f])",
        r"(?i)&lt;token&gt;",
        r"(?i)[?&]take=-1\b",
        r"(?i)operatortypes=",
        r"verify\s*=\s*False",
    )
]


def _naive_scan(root: Path) -> int:
    hits = 0
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for line in text.splitlines():
            for pattern in _NAIVE:
                if pattern.search(line):
                    hits += 1
    return hits


def bench_scan(quick: bool) -> list[Result]:
    from afasgov.secretscan import scan_repository

    n = 1000 if quick else 10_000
    with tempfile.TemporaryDirectory(prefix="afasgov-bench-scan-") as tmp:
        root = Path(tmp)
        planted = _make_tree(root, n)
        result_box: list[object] = []

        def ours() -> None:
            result_box[:] = [scan_repository(root, history=False, time_budget=600)]

        mine = best_of(ours, repeat=3)
        start = time.perf_counter()
        _naive_scan(root)
        naive = time.perf_counter() - start
        res = result_box[0]
    found = len([h for h in res.hits if h.kind == "classic-token"])  # type: ignore[attr-defined]
    return [
        Result(
            f"secret scan of {n:,} files",
            mine,
            "s",
            baseline_name="naive per-line regex scan",
            baseline_value=naive,
            target="≤ 10 s",
            details={
                "planted": planted,
                "found": found,
                "files": res.files_scanned,  # type: ignore[attr-defined]
                "binary_skipped": res.skipped_binary,
            },
        )
    ]  # type: ignore[attr-defined]


def run(quick: bool) -> list[Result]:
    return bench_audit(quick) + bench_scan(quick)
