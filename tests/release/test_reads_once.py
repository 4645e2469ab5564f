"""``afasgov release-check --offline`` on ``synthetic:170`` trees reads each input file exactly once.

The run happens in a child process whose audit hook (:func:`sys.addaudithook`, event ``open``) counts every
opening of a file of the repository for reading: the snapshot trees, the ``.gcn`` definitions, the
integration manifests and their recorded payloads, waivers, policy and ``afasgov.yaml`` — which the diff,
the payload validation, the audit, the secret scan (working tree) and the input hashes all need — are each
opened once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import synthetic_repo


@pytest.mark.slow
def test_release_check_offline_reads_each_input_file_once(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    synthetic_repo.build(repo, 170)
    inputs = sorted(str(p.resolve()) for p in repo.rglob("*")
                    if p.is_file() and ".git" not in p.relative_to(repo).parts
                    and p.relative_to(repo).parts[0] != "reports")
    assert len(inputs) > 400  # two trees of 170 UpdateConnectors and more
    result = subprocess.run([sys.executable, "-c", synthetic_repo.COUNT_OPENS, str(repo)],
                            capture_output=True, text=True, timeout=600, cwd=repo)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["code"] == 1  # the synthetic accept breaks things: the check ran to its verdict
    counts: dict[str, int] = data["counts"]
    twice = {p: n for p, n in counts.items() if n > 1}
    assert not twice, f"read more than once: {dict(list(twice.items())[:10])}"
    unread = [p for p in inputs if p not in counts]
    assert not unread, f"inputs never read: {unread[:10]}"
    assert len(inputs) == sum(counts[p] for p in inputs)
