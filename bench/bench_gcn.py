"""``.gcn`` codec: parse + re-write every corpus file (target ≤ 0.3 s in total).

Baselines measured in the same run: parse only, and the bare ZIP work (``zipfile`` on the embedded
archive of every file), which any reader has to do.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from afasgov.gcn.codec import read_gcn, write_gcn
from bench.common import Result, best_of

CORPUS = Path(
    os.environ.get("AFASGOV_CORPUS", Path(__file__).resolve().parent.parent.parent / "shared" / "corpus")
)


def run(quick: bool) -> list[Result]:
    files = sorted((CORPUS / "gcn").rglob("*.gcn"))
    if not files:
        return [
            Result(name="gcn: corpus not found (skipped)", value=0.0, unit="s", details={"path": str(CORPUS)})
        ]
    blobs = [p.read_bytes() for p in files]
    zips = [read_gcn(b).header[14] for b in blobs]
    repeat = 3 if quick else 7

    def parse_write() -> None:
        for data in blobs:
            if write_gcn(read_gcn(data)) != data:
                raise AssertionError("round trip differs")

    def parse_only() -> None:
        for data in blobs:
            read_gcn(data)

    def zip_only() -> None:
        for blob in zips:
            assert isinstance(blob, bytes)
            with zipfile.ZipFile(io.BytesIO(blob)) as archive:
                archive.read("ExternalData")

    t_all = best_of(parse_write, repeat)
    t_parse = best_of(parse_only, repeat)
    t_zip = best_of(zip_only, repeat)
    size = sum(len(b) for b in blobs)
    return [
        Result(
            name=f"gcn parse+write {len(files)} corpus files",
            value=t_all,
            unit="s",
            baseline_name="parse only",
            baseline_value=t_parse,
            target="<= 0.3 s",
            details={"files": len(files), "bytes": size, "per_file_ms": round(1000 * t_all / len(files), 2)},
        ),
        Result(
            name="gcn parse only",
            value=t_parse,
            unit="s",
            baseline_name="zipfile decompression only",
            baseline_value=t_zip,
        ),
    ]
