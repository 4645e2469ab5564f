"""The CI templates in docs/ci/ are valid YAML and use commands and options afasgov really has."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
import yaml

from afasgov.cli import cli

DOCS = Path(__file__).resolve().parents[2] / "docs"
#: the release routine's templates (the fleet's, docs/ci/fleet-*.yml, are tests/fleet/test_ci_templates.py's)
TEMPLATES = sorted(p for p in (DOCS / "ci").glob("*.yml") if not p.name.startswith("fleet-"))
FLEET_TEMPLATES = sorted((DOCS / "ci").glob("fleet-*.yml"))
COMMAND_RE = re.compile(r"\bafasgov ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)"
                        r"((?: --?[a-z][a-z-]*(?: [A-Za-z0-9_.-]+)?)*)")


def test_there_is_a_template_per_ci_system() -> None:
    assert {p.name for p in TEMPLATES} == {"github-actions.yml", "gitlab-ci.yml", "azure-pipelines.yml"}


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_is_valid_yaml_and_does_the_release_routine(path: Path) -> None:
    text = path.read_text()
    yaml.safe_load(text)
    for step in ("afasgov snapshot", "afasgov release-check --offline", "git commit", "--summary-json", "reports"):
        assert step in text, f"{path.name} lacks {step!r}"
    assert "schedule" in text


@pytest.mark.parametrize("path", TEMPLATES + FLEET_TEMPLATES, ids=lambda p: p.name)
def test_template_commands_and_options_exist(path: Path) -> None:
    for match in COMMAND_RE.finditer(path.read_text()):
        words = match.group(1).split()
        command = cli.commands.get(words[0])
        if command is None:
            continue  # e.g. "afasgov bot" in a git user name, "afasgov reports" as an artifact name
        if isinstance(command, click.Group) and len(words) > 1:
            command = command.commands[words[1]]
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        for opt in re.findall(r"--?[a-z][a-z-]*", match.group(2)):
            assert opt in options, f"{path.name}: afasgov {match.group(1)} has no option {opt}"


def test_reference_docs_exist() -> None:
    for name in ("reports.md", "release-week.md"):
        assert (DOCS / name).is_file()
