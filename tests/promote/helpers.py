"""Hand-built material for promote/verify tests: definitions written by afasgov's own writer, snapshots
built from the canonical model, a config without secrets (offline commands never read them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from afasgov.cli import main
from afasgov.gcn.build import build_gcn
from afasgov.gcn.store import import_files
from afasgov.model import AppConnectorScope, ConnectorRef, EnvironmentSnapshot, GetConnector, GetField, SnapshotMeta
from afasgov.snapshot import write_tree

#: (output name, field id) pairs
Fields = Sequence[tuple[str, str]]


def spec(name: str, fields: Fields, *, blocked: bool = False, filter_only: Iterable[str] = ()) -> dict[str, Any]:
    """A build_gcn spec with output ``fields`` (+ filter-only field ids)."""
    return {
        "name": name,
        "description": f"{name} (test)",
        "system": "Kn",
        "product": "Hrm",
        "data_collection": {
            "id": "B_Bcn00",
            "name": "Organisaties/Personen",
            "main_table": "Kn.Bcn",
            "main_alias": "Bcn",
        },
        "fields": [
            *({"id": fid, "source": f"Kn.Bcn.F{fid[1:]}", "output_name": out} for out, fid in fields),
            *({"id": fid, "source": "Kn.Bcn.Bl", "display": "filter-only"} for fid in filter_only),
        ],
        "blocked": blocked,
        "created_by": "tester",
        "exported_at": "2026-01-05T10:00:00",
    }


def gcn_bytes(name: str, fields: Fields, **kw: Any) -> bytes:
    return build_gcn(spec(name, fields, **kw))


def store_definitions(directory: Path, defs: dict[str, Fields], *, scratch: Path, blocked: Iterable[str] = ()) -> None:
    """Write ``{connector: fields}`` as .gcn files and import them into ``directory`` (the gcn store)."""
    scratch.mkdir(parents=True, exist_ok=True)
    paths = []
    blocked = set(blocked)
    for name, fields in defs.items():
        p = scratch / f"{name}.gcn"
        p.write_bytes(gcn_bytes(name, fields, blocked=name in blocked))
        paths.append(p)
    import_files(paths, directory)


def get_connector(name: str, fields: Fields, *, blocked: bool | None = None) -> GetConnector:
    return GetConnector(
        id=name,
        description=name,
        fields=tuple(GetField(id=out, field_id=fid, label=out, length=50) for out, fid in fields),
        blocked=blocked,
    )


def snapshot(
    name: str,
    connectors: dict[str, Fields],
    *,
    scopes: dict[str, list[str]] | None = None,
    env_type: str = "",
    blocked: dict[str, bool] | None = None,
    lengths: dict[tuple[str, str], int] | None = None,
) -> EnvironmentSnapshot:
    """An environment with GetConnectors ``connectors`` and App Connectors ``scopes`` (name -> ids;
    default: one App Connector ``portal`` authorised for everything)."""
    gets = {}
    for cid, fields in connectors.items():
        gc = get_connector(cid, fields, blocked=(blocked or {}).get(cid))
        if lengths:
            gc = GetConnector(
                gc.id,
                gc.description,
                tuple(
                    GetField(id=f.id, field_id=f.field_id, label=f.label, length=lengths.get((cid, f.id), f.length))
                    for f in gc.fields
                ),
                gc.blocked,
            )
        gets[cid] = gc
    scopes = scopes if scopes is not None else {"portal": sorted(connectors)}
    apps = {
        n: AppConnectorScope(
            name=n, app_name=n, envid="T1", auth_type="classic", get_connectors=tuple(ConnectorRef(c, c) for c in ids)
        )
        for n, ids in scopes.items()
    }
    return EnvironmentSnapshot(
        name=name,
        type=env_type or name,
        tenant="12345",
        profit_version="8.2.4",
        envid="T1",
        language="en-us",
        app_connectors=apps,
        get_connectors=dict(sorted(gets.items())),
        meta=SnapshotMeta(
            taken_at="2026-11-01T08:00:00Z", afasgov_version="0.1.0", base_url="http://127.0.0.1:1/x", language="en-us"
        ),
    )


CONFIG = """\
environments:
  production:
    tenant: "12345"
    type: production
    app_connectors:
      portal:
        auth: {type: classic, token_env: AFASGOV_PROMOTE_TEST_TOKEN}
  test:
    tenant: "12345"
    type: test
    app_connectors:
      portal:
        auth: {type: classic, token_env: AFASGOV_PROMOTE_TEST_TOKEN}
"""


def repo(
    root: Path, snapshots: Iterable[EnvironmentSnapshot], defs: dict[str, Fields], *, blocked_defs: Iterable[str] = ()
) -> Path:
    """A governance repository: afasgov.yaml, definitions/<env>/ trees and definitions/getconnectors."""
    (root / "afasgov.yaml").write_text(CONFIG, encoding="utf-8")
    for s in snapshots:
        write_tree(s, root / "definitions")
    if defs:
        store_definitions(root / "definitions" / "getconnectors", defs, scratch=root / "scratch", blocked=blocked_defs)
    return root


def run(args: list[str], capsys: Any) -> tuple[int, str, str]:
    """The real entry point in-process: (exit code, stdout, stderr)."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
