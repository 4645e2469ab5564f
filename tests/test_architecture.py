"""Imports follow the data flow of docs/architecture.md: a module imports only from its own package and from
the layers before its own (profit → snapshot → … → report), and nothing imports afasgov.cli or
afasgov.commands but the CLI. Every import counts: at module level, inside functions and under
TYPE_CHECKING."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "afasgov"
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"

#: the layers, first to last (docs/architecture.md); a module may import its own package and earlier layers
LAYERS: tuple[tuple[str, ...], ...] = (
    # foundation: the version, errors, secrets, bounded reads and atomic files, strict YAML and JSON, the
    # terminal sanitiser, report paths, the one text escaper
    ("afasgov", "afasgov.errors"),
    ("afasgov.secrets", "afasgov._files", "afasgov.paths"),
    ("afasgov.yamlsafe", "afasgov.jsonsafe", "afasgov.textsafe"),
    ("afasgov.report.escape",),
    ("afasgov.findings",),
    ("afasgov.config",),
    ("afasgov.sim",),
    ("afasgov.model", "afasgov.catalogue"),
    ("afasgov.profit",),
    ("afasgov.snapshot",),
    ("afasgov.gcn", "afasgov.openapi"),
    ("afasgov.integrations", "afasgov.waivers", "afasgov.policy", "afasgov.secretscan"),
    ("afasgov.workspace",),
    ("afasgov.locate",),
    ("afasgov.levels",),
    ("afasgov.diff",),
    ("afasgov.validate", "afasgov.releasenotes"),
    ("afasgov.audit",),
    ("afasgov.catalogues",),
    ("afasgov.promote",),
    ("afasgov.release",),
    ("afasgov.report",),
    ("afasgov.fleet",),
    ("afasgov.demo",),
    ("afasgov.app",),
    ("afasgov.commands",),
    ("afasgov.cli",),
    ("afasgov.__main__",),
)


def unit_of(module: str) -> tuple[int, str]:
    """(layer, unit) of a module: the longest unit name that is the module or a package of it."""
    best: tuple[int, str] | None = None
    for layer, units in enumerate(LAYERS):
        for unit in units:
            if (module == unit or module.startswith(unit + ".")) and (best is None or len(unit) > len(best[1])):
                best = (layer, unit)
    if best is None:
        raise AssertionError(f"{module} is in no layer of docs/architecture.md: add it to LAYERS and the doc")
    return best


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(module: str, source: str) -> Iterator[tuple[int, str]]:
    """(line, imported afasgov module) of every import in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "afasgov")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "afasgov":
                continue
            for alias in node.names:  # `from afasgov import catalogue` imports the module afasgov.catalogue
                sub = f"{node.module}.{alias.name}"
                is_module = (PACKAGE.parent / Path(*sub.split("."))).with_suffix(".py").is_file() or (
                    PACKAGE.parent / Path(*sub.split(".")) / "__init__.py"
                ).is_file()
                yield node.lineno, sub if is_module else node.module


def violations(module: str, source: str) -> list[str]:
    layer, unit = unit_of(module)
    out = []
    for line, target in imported(module, source):
        their_layer, their_unit = unit_of(target)
        if their_unit == unit or their_layer < layer:
            continue
        out.append(f"{module}:{line} imports {target} ({their_unit}, layer {their_layer} ≥ {unit}, layer {layer})")
    return out


def test_every_module_imports_along_the_data_flow() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += violations(module_name(path), path.read_text(encoding="utf-8"))
    assert not found, "imports against the documented direction:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("afasgov.snapshot.tree", "from afasgov.diff.engine import update_path\n"),
        ("afasgov.audit.runner", "def f():\n    from afasgov.report import render\n"),
        ("afasgov.release.check", "if TYPE_CHECKING:\n    from afasgov.app import AppContext\n"),
        ("afasgov.profit.check", "import afasgov.cli\n"),
        ("afasgov.demo.run", "from afasgov.commands import release\n"),
        ("afasgov.waivers", "from afasgov import policy\n"),  # the same layer, another package
    ],
)
def test_an_import_against_the_direction_is_found(module: str, source: str) -> None:
    assert violations(module, source)


def test_nothing_but_the_cli_imports_the_cli_or_the_commands() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        if module in ("afasgov.cli", "afasgov.__main__") or module.startswith("afasgov.commands"):
            continue
        for line, target in imported(module, path.read_text(encoding="utf-8")):
            assert not (target == "afasgov.cli" or target.startswith("afasgov.commands")), f"{module}:{line}"


def test_the_architecture_doc_names_every_layer() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    for units in LAYERS[3:-1]:  # the foundation is named in one row; __main__ is python -m afasgov
        for unit in units:
            assert f"`{unit.removeprefix('afasgov.')}" in text or f"`{unit}" in text, unit
