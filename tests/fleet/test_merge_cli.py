"""``afasgov fleet merge``: the merged directory equals the unsharded one (apart from timings), its
links work, and shards that are not of one run are refused (exit 2, one line)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from afasgov.fleet.model import FleetReport, comparable
from afasgov.fleet.publish import write_fleet_report
from tests.fleet.sample import sample_fleet


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "afasgov", *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd)


def write_shard(report: FleetReport, directory: Path) -> Path:
    for t in report.tenants:
        for rel in t.reports.values():
            path = directory / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"report of {t.id}\n")
    write_fleet_report(report, directory)
    return directory


def test_merge_of_four_shards(tmp_path: Path) -> None:
    whole = sample_fleet(120)
    shards = [write_shard(sample_fleet(120, shard=(k, 4)), tmp_path / f"shard-{k}") for k in range(1, 5)]
    out = tmp_path / "merged"
    result = run("fleet", "merge", *map(str, shards), "--output", str(out), cwd=tmp_path)
    assert result.returncode == whole.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip().splitlines()[-1] == whole.verdict_line()
    merged = json.loads((out / "fleet.json").read_text())
    assert comparable(merged) == comparable(whole.to_json())
    for t in merged["tenants"]:
        for rel in t["reports"].values():
            assert (out / rel).read_text() == f"report of {t['id']}\n"  # every link resolves
    assert (out / "fleet.html").is_file() and (out / "fleet.md").is_file() and (out / "fleet.xml").is_file()


def test_missing_shard_is_refused(tmp_path: Path) -> None:
    shards = [write_shard(sample_fleet(40, shard=(k, 3)), tmp_path / f"s{k}") for k in (1, 3)]
    result = run("fleet", "merge", *map(str, shards), "--output", str(tmp_path / "m"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "shard(s) 2/3 missing" in result.stderr
    assert not (tmp_path / "m" / "fleet.json").exists()


def test_not_a_shard_directory(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run("fleet", "merge", str(tmp_path / "empty"), "--output", str(tmp_path / "m"), cwd=tmp_path)
    assert result.returncode == 2 and "no fleet.json here" in result.stderr
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "fleet.json").write_text("{not json")
    result = run("fleet", "merge", str(tmp_path / "bad"), "--output", str(tmp_path / "m"), cwd=tmp_path)
    assert result.returncode == 2 and "fleet.json: invalid JSON" in result.stderr and "Traceback" not in result.stderr
