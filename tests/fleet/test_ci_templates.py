"""The fleet CI templates (docs/ci/fleet-*.yml) pass the platforms' validators offline (check-jsonschema's
vendored GitHub workflow and GitLab CI schemas, zizmor, ShellCheck on every script; Azure's structure
here, as its vendored schema reports false errors), shard the fleet the same way in the matrix and
the commands (every shard 1..N once, the merge after all of them, also when one failed), and every
``afasgov`` command line they run exists with the options they pass."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from afasgov.cli import cli
from tests.ci.test_templates import SHA_PIN, load, run, tool  # (the same validators as the other templates)

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "docs" / "ci"
GITHUB = CI / "fleet-github-actions.yml"
GITLAB = CI / "fleet-gitlab-ci.yml"
AZURE = CI / "fleet-azure-pipelines.yml"


@pytest.mark.parametrize(("schema", "path"), [("vendor.github-workflows", GITHUB), ("vendor.gitlab-ci", GITLAB)],
                         ids=["github", "gitlab"])
def test_vendored_schema(schema: str, path: Path) -> None:
    proc = run([tool("check-jsonschema"), "--builtin-schema", schema, str(path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_pedantic_finds_nothing() -> None:
    proc = run([tool("zizmor"), "--offline", "--persona=pedantic", "--no-progress", str(GITHUB)])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def scripts() -> Iterator[tuple[str, str]]:
    for job_id, job in load(GITHUB)["jobs"].items():
        for i, step in enumerate(job["steps"]):
            if "run" in step:
                yield f"github {job_id}[{i}]", step["run"]
    for job_id, job in load(GITLAB).items():
        if isinstance(job, dict) and ("script" in job or "before_script" in job):
            yield f"gitlab {job_id}", "\n".join([*job.get("before_script", []), *job.get("script", [])])
    for job in load(AZURE)["jobs"]:
        for i, step in enumerate(job["steps"]):
            if "bash" in step:
                yield f"azure {job['job']}[{i}]", step["bash"]


@pytest.mark.parametrize(("where", "script"), list(scripts()), ids=[w for w, _ in scripts()])
def test_shellcheck(where: str, script: str, tmp_path: Path) -> None:
    path = tmp_path / "script.sh"
    path.write_text("#!/usr/bin/env bash\n" + script, encoding="utf-8")
    proc = run([tool("shellcheck"), "--severity=style", "--shell=bash", str(path)])
    assert proc.returncode == 0, f"{where}:\n{proc.stdout}"


def test_github_shards_and_merge() -> None:
    wf = load(GITHUB)
    n = int(wf["env"]["SHARDS"])
    shard = wf["jobs"]["shard"]
    assert shard["strategy"]["matrix"]["shard"] == list(range(1, n + 1))
    assert shard["strategy"]["fail-fast"] is False
    merge = wf["jobs"]["merge"]
    assert merge["needs"] == "shard" and "!cancelled()" in merge["if"]
    uploads = [s for s in shard["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert uploads and uploads[0]["with"]["name"] == "fleet-shard-${{ matrix.shard }}"
    downloads = [s for s in merge["steps"] if s.get("uses", "").startswith("actions/download-artifact@")]
    assert downloads and downloads[0]["with"]["pattern"] == "fleet-shard-*"
    for job in wf["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert SHA_PIN.match(step["uses"]), step["uses"]
            assert "${{" not in step.get("run", "")
            if "install" in step.get("name", "").lower():
                assert "env" not in step  # no secret where afasgov is installed
    secret_steps = [s for j in wf["jobs"].values() for s in j["steps"] if "secrets." in str(s.get("env", {}))]
    assert len(secret_steps) == 1 and "fetch" in secret_steps[0]["name"].lower()


def test_gitlab_shards_and_merge() -> None:
    doc = load(GITLAB)
    n = int(doc["variables"]["SHARDS"])
    shard = doc["afasgov-fleet-shard"]
    (entry,) = shard["parallel"]["matrix"]
    assert entry["SHARD"] == [str(k) for k in range(1, n + 1)]
    assert shard["artifacts"]["when"] == "always"
    merge = doc["afasgov-fleet-merge"]
    assert merge["needs"] == [{"job": "afasgov-fleet-shard", "artifacts": True}]
    assert all(rule.get("when") == "always" for rule in merge["rules"])
    assert merge["artifacts"]["reports"]["junit"] == "fleet-report/fleet.xml"


def test_azure_shards_and_merge() -> None:
    doc = load(AZURE)
    n = int(next(v["value"] for v in doc["variables"] if v.get("name") == "SHARDS"))
    shard, merge = doc["jobs"]
    matrix = shard["strategy"]["matrix"]
    assert sorted(int(v["SHARD"]) for v in matrix.values()) == list(range(1, n + 1))
    assert merge["dependsOn"] == "Shard" and merge["condition"] == "succeededOrFailed()"
    for job in (shard, merge):
        checkout = [s for s in job["steps"] if "checkout" in s]
        assert checkout and checkout[0]["persistCredentials"] is False
    mapped = [s for s in shard["steps"] if "VAULT_TOKEN" in str(s.get("env", {}))]
    assert len(mapped) == 1 and "release-check --fleet" in mapped[0]["bash"]


def afasgov_commands() -> Iterator[tuple[str, list[str]]]:
    for where, script in scripts():
        for line in script.replace("\\\n", " ").splitlines():
            line = line.strip()
            if not line.startswith("afasgov "):
                continue
            line = re.sub(r"[<>]+ ?\S+", "", line)  # redirections
            yield where, shlex.split(line)[1:]


@pytest.mark.parametrize(("where", "argv"), list(afasgov_commands()), ids=[" ".join(a[:2]) for _, a in
                                                                           afasgov_commands()])
def test_every_afasgov_command_exists_with_its_options(where: str, argv: list[str]) -> None:
    command: click.Command = cli
    words = [a for a in argv if not a.startswith("-")]
    for word in words:
        if not isinstance(command, click.Group):
            break
        sub = command.get_command(click.Context(command), word)
        assert sub is not None, f"{where}: afasgov has no command {word!r}"
        command = sub
    known = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
    for arg in argv:
        if arg.startswith("-"):
            assert arg.split("=")[0] in known, f"{where}: {command.name} has no option {arg}"


def test_the_templates_run_the_fleet_commands() -> None:
    commands = {" ".join(a for a in argv if not a.startswith("-"))[:40] for _, argv in afasgov_commands()}
    assert any(c.startswith("release-check") for c in commands)
    assert any(c.startswith("fleet merge") for c in commands)
    assert any(c.startswith("fleet list") for c in commands)
