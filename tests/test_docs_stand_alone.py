"""The shipped documentation stands alone (issue 14 §12).

README.md, docs/, the files ``afasgov init`` writes, what ``afasgov gcn show``/``import`` write and
every message string of the package cite only documents that ship: no "DESIGN §…", no design notes
of the project (``gcn-format.md``, ``afas-api.md``, the security checklist document) and no relative
Markdown link to a file that does not exist. What a user needs from those notes is in docs/: the .gcn
file format at a user's level and the AFAS facts the tool relies on.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
#: citations of documents that do not ship with afasgov
UNSHIPPED = re.compile(r"DESIGN\s*§|DESIGN\.md|\bgcn-format\.md|\bafas-api(?:\.md)?\b|security[- ]checklist(?:\.md| §)")
MARKDOWN = [REPO / "README.md", *sorted(DOCS.rglob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)#\s]+)(?:#[^)]*)?\)")


def unshipped_citations(text: str) -> list[str]:
    return [m.group(0) for m in UNSHIPPED.finditer(text)]


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: p.relative_to(REPO).as_posix())
def test_markdown_cites_only_what_ships(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not unshipped_citations(text), unshipped_citations(text)
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)  # examples in code blocks are not links
    for target in LINK.findall(prose):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        assert (path.parent / target).exists(), f"{path.name} links to {target}, which does not ship"


def test_the_file_format_and_afas_facts_are_documented() -> None:
    gcn = (DOCS / "gcn-file-format.md").read_text(encoding="utf-8")
    for topic in ("format version", "GUID", "ZIP", "ExternalData", "signature", "binary", "filter", "output name"):
        assert topic.lower() in gcn.lower(), topic
    facts = (DOCS / "afas-facts.md").read_text(encoding="utf-8")
    for topic in ("rest.afas.online", "restaccept", "AfasToken", "2027-05-01", "2027-08-31", "client_credentials",
                  "private_key_jwt", "/metainfo", "/profitversion", "tokenExpiry", "503", "8 parallel",
                  "AppConnector Auditor"):
        assert topic in facts, topic
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "docs/gcn-file-format.md" in readme and "docs/afas-facts.md" in readme


def _message_strings(tree: ast.AST) -> list[str]:
    """String constants of a module that are not docstrings (what users can see)."""
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


@pytest.mark.parametrize("path", sorted((REPO / "afasgov").rglob("*.py")), ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_message_of_the_package_cites_unshipped_documents(path: Path) -> None:
    found = [s for s in _message_strings(ast.parse(path.read_text(encoding="utf-8"))) if unshipped_citations(s)]
    assert not found, found


def test_generated_files_cite_only_what_ships(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "afasgov", *args], capture_output=True, text=True,
                              cwd=tmp_path, timeout=120)

    assert run("init", "repo").returncode == 0
    for path in (tmp_path / "repo").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not unshipped_citations(text), (path.name, unshipped_citations(text))
    gcn = REPO / "definitions" / "getconnectors" / "Lindeboom_HR_Medewerkers.gcn"
    shown = run("gcn", "show", str(gcn))
    assert shown.returncode == 0 and not unshipped_citations(shown.stdout)
    imported = run("gcn", "import", str(gcn), "--into", str(tmp_path / "store"))
    assert imported.returncode == 0, imported.stderr
    for path in (tmp_path / "store").glob("*.yaml"):
        assert not unshipped_citations(path.read_text(encoding="utf-8"))
    for path in sorted((REPO / "definitions").rglob("*.yaml")):
        assert not unshipped_citations(path.read_text(encoding="utf-8")), path.relative_to(REPO)
