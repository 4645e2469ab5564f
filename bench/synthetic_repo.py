"""A governance repository at scale for release-check: ``synthetic:N`` production and accept trees, ``.gcn``
definitions, integration manifests with recorded payloads, waivers and a policy, committed to git (so the
secret scan reads the working tree and the history). Used by ``python -m bench release_check`` and by
``tests/release/test_reads_once.py``."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import yaml

CONFIG = {
    "environments": {
        "production": {
            "tenant": "12345",
            "type": "production",
            "app_connectors": {"legacy-portal": {"auth": {"type": "classic", "token_env": "BENCH_PROD_TOKEN"}}},
        },
        "accept": {
            "tenant": "12345",
            "type": "accept",
            "app_connectors": {"legacy-portal": {"auth": {"type": "classic", "token_env": "BENCH_ACC_TOKEN"}}},
        },
    },
}


#: a child-process script: ``python -c COUNT_OPENS ROOT`` runs ``release-check --offline`` on the repository
#: at ROOT and prints ``{"code": exit code, "counts": {file: times opened for reading}}`` as its last line
#: (an audit hook, :func:`sys.addaudithook`, sees every ``open`` of a file below ROOT).
COUNT_OPENS = r"""
import json, os, sys
root = os.path.realpath(sys.argv[1])
counts = {}

def hook(event, args):
    if event != "open" or not args or isinstance(args[0], int) or args[0] is None:
        return
    path, mode, flags = args
    path = os.path.realpath(os.fsdecode(path))
    if not path.startswith(root + os.sep) or os.path.isdir(path):
        return
    writing = (flags or 0) & (os.O_WRONLY | os.O_RDWR) if mode is None else any(c in mode for c in "wax+")
    if not writing:
        counts[path] = counts.get(path, 0) + 1

sys.addaudithook(hook)
from afasgov.cli import main
try:
    main(["--config", os.path.join(root, "afasgov.yaml"), "release-check", "--offline"])
    code = 0
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "counts": counts}))
"""


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.org",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.org",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_SYSTEM": "/dev/null",
    }
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def build(root: Path, n: int = 170, *, definitions: int = 20, integrations: int = 4) -> Path:
    """Write the repository under ``root``; return its ``afasgov.yaml``."""
    from afasgov.snapshot import write_tree
    from bench.bench_audit import _snapshot_from_dataset, _write_gcn_files

    root.mkdir(parents=True, exist_ok=True)
    (root / "afasgov.yaml").write_text(yaml.safe_dump(CONFIG, sort_keys=False), encoding="utf-8")
    definitions_dir = root / "definitions"
    snapshots = {}
    for env in ("production", "accept"):
        snapshots[env] = _snapshot_from_dataset(f"synthetic:{n}", env)
        write_tree(snapshots[env], definitions_dir)
    _write_gcn_files(definitions_dir / "getconnectors", definitions)
    accept = snapshots["accept"]
    integrations_dir = definitions_dir / "integrations"
    updates = sorted(accept.update_connectors)
    gets = sorted(accept.get_connectors)
    for i in range(integrations):
        cid = updates[i * 7 % len(updates)]
        fields = [f.field_id for f in accept.update_connectors[cid].fields][:5]
        gid = gets[i * 5 % len(gets)]
        outputs = [f.id for f in accept.get_connectors[gid].fields][:4]
        name = f"integration-{i}"
        manifest = {
            "name": name,
            "owner": f"team{i}@example.org",
            "app_connector": "legacy-portal",
            "uses": {"get": {gid: outputs}, "update": {cid: fields}},
        }
        (integrations_dir / name / "payloads").mkdir(parents=True, exist_ok=True)
        (integrations_dir / f"{name}.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
        for j in range(3):
            values = {f: "x" for f in fields}
            if j == 2:
                values["NotAField"] = "y"  # a problem to report
            payload = {cid: {"Element": {"Fields": values}}}
            (integrations_dir / name / "payloads" / f"p{j}.json").write_text(json.dumps(payload), encoding="utf-8")
    (definitions_dir / "waivers.yaml").write_text(yaml.safe_dump({"waivers": [
        {"id": "AC001", "path": "accept/**", "reason": "bench", "owner": "bench@example.org",
         "expires": "2099-12-31"},
    ]}), encoding="utf-8")
    (definitions_dir / "policy.yaml").write_text(yaml.safe_dump({"limits": {"max_get_connectors": 20}}),
                                                 encoding="utf-8")
    (root / "reports").mkdir(exist_ok=True)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "synthetic governance repository")
    return root / "afasgov.yaml"


__all__ = ["build"]
