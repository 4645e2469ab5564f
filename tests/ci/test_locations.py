"""Every finding points at a file and a line, the same in every machine format: SARIF that GitHub code
scanning accepts (a physical location in the repository, ``region.startLine`` on the named connector,
object, field or code value, a stable ``primaryLocationLineHash``, rules with help, full description and a
link into the docs, ``automationDetails.id``), GitHub annotations capped at 10 per level, and the GitLab
Code Quality report (validated against the vendored schema). On the demo repository, for release-check,
audit, diff and validate."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "tests" / "report" / "schemas"
COMMANDS = ("release-check", "audit", "diff", "validate")

pytestmark = pytest.mark.slow


def afasgov(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFAS")}
    return subprocess.run([sys.executable, "-m", "afasgov", *args], cwd=repo, capture_output=True, text=True,
                          check=False, env=env, timeout=600)


def payloads(repo: Path) -> list[str]:
    return sorted(p.relative_to(repo).as_posix() for p in (repo / "definitions" / "integrations").glob("*/payloads/*"))


def run_all(repo: Path, fmt: str) -> dict[str, str]:
    """Each command's report in ``fmt`` (release-check: the SARIF it wrote)."""
    out: dict[str, str] = {}
    args = {
        "audit": ["audit", "accept", "--no-history"],
        "diff": ["diff", "production", "accept"],
        "validate": ["validate", *payloads(repo), "--env", "accept"],
    }
    for name, argv in args.items():
        proc = afasgov(repo, *argv, "--format", fmt, "--fail-on", "none")
        assert proc.returncode == 0, proc.stderr
        out[name] = proc.stdout
    if fmt == "sarif":
        proc = afasgov(repo, "release-check", "--offline", "--fail-on", "none", "--summary-json", "s.json")
        assert proc.returncode == 0, proc.stderr
        sarif = json.loads((repo / "s.json").read_text())["reports"]["sarif"]
        out["release-check"] = (repo / sarif).read_text(encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo governance repository, as a git work tree (SARIF paths are relative to its root)."""
    path = tmp_path_factory.mktemp("governance")
    shutil.copy(ROOT / "afasgov.yaml", path / "afasgov.yaml")
    shutil.copytree(ROOT / "definitions", path / "definitions")
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def sarif(repo: Path) -> dict[str, dict[str, Any]]:
    return {name: json.loads(text) for name, text in run_all(repo, "sarif").items()}


@cache
def doc_anchors(doc: str) -> set[str]:
    """GitHub's anchors of the headings of a Markdown file."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
            for h in re.findall(r"^#+ (.+)$", text, re.M)}


def _token(result: dict[str, Any]) -> str | None:
    """What the result's line must name: the code value, else the field, else the connector, else for an
    environment finding the key (profit_version)."""
    item = result["properties"].get("item", {})
    for key in ("value", "field"):
        if item.get(key) not in (None, ""):
            return str(item[key])
    if item.get("connector_type") == "environment":
        return str(item.get("path", "")).rsplit("/", 1)[-1] or None
    connector = result["properties"].get("connector") or item.get("connector")
    return str(connector) if connector else None


@pytest.mark.parametrize("command", COMMANDS)
def test_every_result_has_a_physical_location_on_the_named_line(sarif: dict[str, Any], repo: Path,
                                                                 command: str) -> None:
    results = sarif[command]["runs"][0]["results"]
    assert results, command
    checked = 0
    for result in results:
        [location] = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "..")) and "\\" not in uri, uri
        path = repo / uri
        assert path.is_file(), f"{result['ruleId']}: {uri} is not a file of the repository"
        line = physical["region"]["startLine"]
        lines = path.read_text(encoding="utf-8").split("\n")
        assert 1 <= line <= len(lines), (uri, line)
        token = _token(result)
        if token and any(token in text for text in lines):
            assert token in lines[line - 1], f"{result['ruleId']}: {uri}:{line} is {lines[line - 1]!r}, not {token!r}"
            checked += 1
    assert checked >= 0.9 * len(results), f"{command}: only {checked} of {len(results)} results name something"


def test_findings_point_at_the_files_the_issue_names(sarif: dict[str, Any]) -> None:
    where: dict[str, set[str]] = {}
    for command, log in sarif.items():
        for result in log["runs"][0]["results"]:
            uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            where.setdefault(command, set()).add(uri.split("/")[1] if uri.startswith("definitions/") else uri)
    # snapshot files, App Connector files, .gcn definitions (their YAML), payloads
    assert {"accept", "getconnectors"} <= where["audit"]
    audit = sarif["audit"]["runs"][0]["results"]
    scope = [r for r in audit if r["ruleId"] == "AC005"]
    assert scope and all("/app-connectors/" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                         for r in scope)
    gcn = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in audit
           if r["properties"]["item"].get("connector_type") == "gcn"]
    assert gcn and all(u.startswith("definitions/getconnectors/") and u.endswith(".yaml") for u in gcn)
    assert all("/payloads/" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
               for r in sarif["validate"]["runs"][0]["results"])


@pytest.mark.parametrize("command", COMMANDS)
def test_rules_have_help_and_a_link_into_the_docs(sarif: dict[str, Any], command: str) -> None:
    run = sarif[command]["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = {r["ruleId"] for r in run["results"]}
    assert ids <= {r["id"] for r in rules}
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        doc, _, anchor = rule["helpUri"].partition("/blob/main/")[2].partition("#")
        assert doc in ("docs/rules.md", "docs/checks.md", "docs/validate.md"), rule["helpUri"]
        assert anchor in doc_anchors(doc), f"{rule['id']}: no heading #{anchor} in {doc}"
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    assert re.match(rf"^afasgov/{command}/[A-Za-z0-9._+-]+/", run["automationDetails"]["id"])


@pytest.mark.parametrize("command", COMMANDS)
def test_sarif_is_valid_against_the_oasis_schema(sarif: dict[str, Any], command: str) -> None:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.validate(sarif[command], schema)


def test_primary_location_line_hash_is_stable_when_lines_move(repo: Path, sarif: dict[str, Any],
                                                              tmp_path: Path) -> None:
    def hashes(log: dict[str, Any]) -> dict[str, tuple[str, int]]:
        out = {}
        for r in log["runs"][0]["results"]:
            key = r["partialFingerprints"]["primaryLocationLineHash"]
            assert key not in out or r["ruleId"].startswith("AC"), f"duplicate hash {key}"
            out[key] = (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
        return out

    before = hashes(sarif["diff"])
    moved = tmp_path / "governance"
    shutil.copytree(repo, moved, ignore=shutil.ignore_patterns("reports", "s.json"))
    for tree in ("accept", "production"):
        for path in (moved / "definitions" / tree).rglob("*.yaml"):
            path.write_text("# a comment added above everything\n" + path.read_text(encoding="utf-8"),
                            encoding="utf-8")
    after = hashes(json.loads(run_all(moved, "sarif")["diff"]))
    assert set(after) == set(before)
    unmoved = {k: (before[k], after[k]) for k in before if after[k][1] != before[k][1] + 1}
    assert not unmoved, unmoved  # every line moved, no hash changed


def test_github_annotations_use_the_same_file_and_line_and_are_capped(repo: Path, sarif: dict[str, Any]) -> None:
    texts = run_all(repo, "github")
    for command in ("audit", "diff", "validate"):
        lines = texts[command].splitlines()
        located = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                    r["locations"][0]["physicalLocation"]["region"]["startLine"])
                   for r in sarif[command]["runs"][0]["results"]}
        per_level: dict[str, int] = {}
        for line in lines:
            m = re.match(r"^::(error|warning|notice) ([^:]*)::", line)
            assert m, line
            per_level[m.group(1)] = per_level.get(m.group(1), 0) + 1
            props = dict(p.split("=", 1) for p in m.group(2).split(","))
            if "file" in props:
                assert (props["file"], int(props["line"])) in located
        assert all(n <= 10 for n in per_level.values()), (command, per_level)
        findings = sarif[command]["runs"][0]["results"]
        errors = sum(1 for r in findings if r["level"] == "error" and "suppressions" not in r)
        if errors > 10:
            assert f"not annotated (GitHub shows 10 per level per step): {errors - 10} errors" in lines[-1]
        else:
            assert "not annotated" not in lines[-1] or errors <= 10


def test_gitlab_code_quality_report_is_valid_and_located_like_sarif(repo: Path, sarif: dict[str, Any]) -> None:
    schema = json.loads((SCHEMAS / "gitlab-code-quality.json").read_text(encoding="utf-8"))
    for command, text in run_all(repo, "gitlab").items():
        issues = json.loads(text)
        jsonschema.validate(issues, schema)
        fingerprints = [i["fingerprint"] for i in issues]
        assert len(fingerprints) == len(set(fingerprints)), command
        results = [r for r in sarif[command]["runs"][0]["results"] if "suppressions" not in r]
        assert len(issues) == len(results), command
        located = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results}
        for issue in issues:
            assert (issue["location"]["path"], issue["location"]["lines"]["begin"]) in located
            assert (repo / issue["location"]["path"]).is_file()
        assert {i["severity"] for i in issues} <= {"info", "minor", "major", "critical"}


def test_the_gitlab_schema_refuses_what_gitlab_refuses() -> None:
    """The vendored schema is not vacuous: missing keys, unknown severities, absolute paths fail."""
    schema = json.loads((SCHEMAS / "gitlab-code-quality.json").read_text(encoding="utf-8"))
    good = {"description": "d", "check_name": "c", "fingerprint": "f", "severity": "minor",
            "location": {"path": "a.yaml", "lines": {"begin": 3}}}
    jsonschema.validate([good], schema)
    for bad in ({**good, "severity": "high"}, {k: v for k, v in good.items() if k != "check_name"},
                {**good, "location": {"path": "/abs.yaml", "lines": {"begin": 3}}},
                {**good, "location": {"path": "a.yaml", "lines": {"begin": 0}}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([bad], schema)


def _multitool() -> str | None:
    """The Multitool's native binary (npm's wrapper runs it through a shell, which splits "Gh;Sarif")."""
    candidates = [os.environ.get("SARIF_MULTITOOL"),
                  str(ROOT / ".ci" / "node" / "node_modules" / "@microsoft" / "sarif-multitool-linux"
                      / "Sarif.Multitool")]
    wrapper = shutil.which("sarif-multitool")
    if wrapper:  # node_modules/.bin/sarif-multitool → @microsoft/sarif-multitool/bin.js
        candidates.append(str(Path(wrapper).resolve().parent.parent / "sarif-multitool-linux" / "Sarif.Multitool"))
    return next((c for c in candidates if c and Path(c).is_file()), None)


@pytest.mark.parametrize("command", COMMANDS)
def test_sarif_multitool_github_rules_find_nothing(sarif: dict[str, Any], command: str, tmp_path: Path) -> None:
    """The SARIF Multitool's own validation with GitHub's rules (GH1001…, GH2012 …) and the SARIF rules."""
    tool = _multitool()
    if tool is None:
        pytest.skip("the SARIF Multitool is not installed (npm install @microsoft/sarif-multitool; put it on PATH "
                    "or set SARIF_MULTITOOL; .ci/run installs it into .ci/node)")
    log = tmp_path / f"{command}.sarif"
    log.write_text(json.dumps(sarif[command]), encoding="utf-8")
    out = tmp_path / "validation.sarif"
    proc = subprocess.run([tool, "validate", "--rule-kind", "Gh;Sarif", "--output", str(out), str(log)],
                          capture_output=True, text=True, check=False, timeout=600)
    assert out.is_file(), proc.stdout + proc.stderr
    found = [f"{r['ruleId']}: {r['message'].get('text', r['message'])}"
             for run in json.loads(out.read_text(encoding="utf-8"))["runs"] for r in run.get("results", [])]
    assert found == [], found
