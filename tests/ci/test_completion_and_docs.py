"""Shell completion works as docs/ci.md says (click's), and docs/ci.md covers every template and hook."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")


def complete(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "afasgov"], env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, check=False, timeout=60, cwd=ROOT)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_documented_completion_scripts_are_produced(shell: str) -> None:
    assert f"_AFASGOV_COMPLETE={shell}_source afasgov" in DOC
    proc = complete({"_AFASGOV_COMPLETE": f"{shell}_source"})
    assert proc.returncode == 0 and "_AFASGOV_COMPLETE" in proc.stdout, proc.stderr


def test_commands_options_and_choices_complete() -> None:
    words = {"COMP_WORDS": "afasgov se", "COMP_CWORD": "1", "_AFASGOV_COMPLETE": "bash_complete"}
    assert set(complete(words).stdout.split()) == {"plain,secret-scan"}
    words = {"COMP_WORDS": "afasgov diff a b --fail-on ", "COMP_CWORD": "5", "_AFASGOV_COMPLETE": "bash_complete"}
    assert {w.split(",")[1].upper() for w in complete(words).stdout.split()} == {"ERR", "WARN", "INFO", "NONE"}
    words = {"COMP_WORDS": "afasgov audit --format g", "COMP_CWORD": "3", "_AFASGOV_COMPLETE": "bash_complete"}
    assert set(complete(words).stdout.split()) == {"plain,github", "plain,gitlab"}


def test_ci_doc_covers_each_template_the_action_and_the_hooks() -> None:
    for heading in ("GitHub Actions in 5 minutes", "GitLab CI in 5 minutes", "Azure Pipelines in 5 minutes",
                    "The composite action", "pre-commit"):
        assert re.search(rf"^#+ .*{re.escape(heading)}", DOC, re.M), heading
    for path in ("docs/ci/github-actions.yml", "docs/ci/gitlab-ci.yml", "docs/ci/azure-pipelines.yml"):
        assert f"`{path}`" in DOC and (ROOT / path).is_file()
    for hook in ("afasgov-gcn-check", "afasgov-snapshot-check", "afasgov-secret-scan"):
        assert hook in DOC and hook in (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    for inp in ("command", "args", "config", "fail-on", "upload-sarif"):
        assert f"\n      {inp}:" in DOC, inp  # the action example shows every input
    assert "--summary-json" in DOC and "AFASGOV_SOURCE" in DOC
