"""Item 15: ONE Markdown escaper (afasgov.report.escape), tested by rendering.

Hypothesis-generated text goes through :func:`md_text` / :func:`md_line` / :func:`md_code` into a
paragraph, a list item, a heading and a table, and is rendered by two real Markdown implementations:
markdown-it-py (CommonMark, token tree) and cmark-gfm (GitHub's own renderer, with its tables,
strikethrough and extended autolinks). No link, image, emphasis, strikethrough or HTML may come out
of the text, no ``@mention`` or ``#123`` reference may remain for GitHub to link, the table keeps
its shape, and the text reads back exactly as it went in. Then the real Markdown outputs (diff,
audit, validate, changelog, the release-check ``.md`` report, promote's CHECKLIST.md) on hostile
server text.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from afasgov.report.escape import clean, md_code, md_line, md_text

from .conftest import run_cli

#: characters with a meaning somewhere in CommonMark or GFM, and fragments that trigger autolinks,
#: mentions and references
MD_CHARS = list("\\`*_{}[]()#+-.!|~$<>&:@/=\"' \t\nwW0123456789")
FRAGMENTS = ["https://evil.example/x", "www.evil.example", "a@b.example", "@octocat", "@org/team", "#12",
             "**bold**", "__b__", "~~s~~", "`code`", "```", "<b>", "<img src=x>", "<!-- c -->", "[l](u)",
             "![i](u)", "[r]: http://x", "&amp;", "&#64;", "1. ", "- ", "# ", "> ", "| x |", "$x$", "\\|"]
TEXT = st.lists(st.one_of(st.sampled_from(MD_CHARS), st.sampled_from(FRAGMENTS),
                          st.characters(exclude_categories=("Cs",))), max_size=30).map("".join)

GFM = Options.CMARK_OPT_UNSAFE  # raw HTML passes: anything HTML-ish in the output came through unescaped
_MDIT = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_FORBIDDEN_TOKENS = {"link_open", "image", "em_open", "strong_open", "s_open", "html_block", "code_block",
                     "fence", "blockquote_open", "hr", "heading_open", "bullet_list_open", "ordered_list_open"}
_FORBIDDEN_TAGS = {"a", "em", "strong", "del", "img", "s", "script", "iframe", "b", "i", "u", "blockquote",
                   "ol", "pre", "hr", "h1", "h3", "sup", "math"}


class _Html(HTMLParser):
    """Tags and the text outside and inside ``<code>`` of cmark-gfm's HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.code: list[str] = []
        self._in_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "code":
            self._in_code += 1
        elif tag == "br":
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self._in_code -= 1

    def handle_data(self, data: str) -> None:
        (self.code if self._in_code else self.text).append(data)


def _gfm(doc: str) -> _Html:
    parser = _Html()
    parser.feed(cmarkgfm.github_flavored_markdown_to_html(doc, options=GFM))
    return parser


def _expected(text: str) -> str:
    """What the reader should see: the text after :func:`clean` (controls shown escaped)."""
    return clean(text).replace("\r\n", "\n").replace("\r", "\n")


def _norm(text: str) -> str:
    """Whitespace as Markdown renders it: ends trimmed per line, tabs as spaces."""
    return "\n".join(line.strip().replace("\t", " ") for line in text.replace("\u200b", "").split("\n")).strip()


def _no_mentions(text: str) -> None:
    assert not re.search(r"@[A-Za-z0-9]", text), text
    assert not re.search(r"#[0-9]", text), text


def _check_tokens(doc: str, allowed_html: int = 0) -> list[str]:
    kinds: list[str] = []
    for token in _MDIT.parse(doc):
        kinds.append(token.type)
        for child in token.children or []:
            kinds.append(child.type)
            if child.type == "html_inline":
                assert child.content.lower() == "<br>", child.content
    assert not (_FORBIDDEN_TOKENS & set(kinds)), (doc, kinds)
    return kinds


@settings(max_examples=400, deadline=None)
@given(text=TEXT)
@example(text="\ufeff")  # a byte-order mark at the start of a document: cmark-gfm drops a raw one
def test_md_text_renders_as_the_text_and_nothing_else(text: str) -> None:
    escaped = md_text(text)
    for doc in (f"{escaped}\n", f"x {escaped} y\n"):
        _check_tokens(doc)
        rendered = _gfm(doc)
        assert not (_FORBIDDEN_TAGS & set(rendered.tags)), (doc, rendered.tags)
        assert set(rendered.tags) <= {"p", "br"}, rendered.tags
        _no_mentions("".join(rendered.text))
    assert _norm("".join(_gfm(f"{escaped}\n").text)) == _norm(_expected(text))
    # a list item and a heading: still exactly one item / one heading holding the text
    item = _gfm(f"- {escaped}\n")
    assert item.tags.count("li") == 1 and not ({"a", "em", "strong", "img", "del"} & set(item.tags))
    heading = _gfm(f"## {escaped}\n")
    assert heading.tags.count("h2") == 1 and not ({"a", "em", "strong", "img", "del"} & set(heading.tags))


@settings(max_examples=400, deadline=None)
@given(text=TEXT, other=TEXT)
def test_table_cells_keep_the_table_shape(text: str, other: str) -> None:
    doc = (
        "| a | b | c |\n|---|---|---|\n"
        f"| {md_line(text)} | {md_code(other)} | {md_line(other)} |\n"
    )
    kinds = _check_tokens(doc)
    assert kinds.count("td_open") == 3, (doc, kinds)
    rendered = _gfm(doc)
    assert rendered.tags.count("td") == 3 and rendered.tags.count("tr") == 2, (doc, rendered.tags)
    assert not (_FORBIDDEN_TAGS & set(rendered.tags)), rendered.tags
    _no_mentions("".join(rendered.text))
    # the code span holds exactly the text (one line: line breaks shown as \n)
    assert "".join(rendered.code).strip(" ") == clean(other).replace("\r", "\\r").replace("\n", "\\n").strip(" ")


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_code_spans_cannot_be_broken_out_of(text: str) -> None:
    doc = f"before {md_code(text, table=False)} after\n"
    rendered = _gfm(doc)
    assert rendered.tags == ["p", "code"], (doc, rendered.tags)
    assert "".join(rendered.code) == clean(text).replace("\r", "\\r").replace("\n", "\\n") or (
        not text.strip(" ") and "".join(rendered.code).strip(" ") == ""
    )
    assert "".join(rendered.text).strip() == "before  after"
    kinds = _check_tokens(doc)
    assert kinds.count("code_inline") == 1


def test_issue_examples() -> None:
    hostile = "X`` [pwn](https://evil.example) @here **bold** <img src=x onerror=alert(1)> #1 www.evil.example"
    for doc in (md_text(hostile), md_line(hostile), md_code(hostile)):
        rendered = _gfm(f"| a |\n|---|\n| {doc} |\n")
        assert not (_FORBIDDEN_TAGS & set(rendered.tags))
        _no_mentions("".join(rendered.text))
        assert "pwn" in html.unescape("".join(rendered.text) + "".join(rendered.code))


# ------------------------------------------------------------------- the real Markdown outputs
HOSTILE_LABEL = "Naam`` [pwn](https://evil.example) @octocat **bold** <b>x</b> #7 www.evil.example"


def _poison_label(root: Path) -> None:
    """A server that sends Markdown in a label: accept's KnUser label of a field, and a new field of
    KnUser whose id holds a backtick run (both in the tree's own YAML format)."""
    target = root / "definitions" / "accept" / "update" / "KnUser.yaml"
    text = target.read_text()
    label = re.search(r"^( +label: )(.+)$", text, re.M)
    assert label is not None
    quoted = '"' + HOSTILE_LABEL.replace('"', '\\"') + '"'
    target.write_text(text[: label.start(2)] + quoted + text[label.end(2):])


def _assert_clean_markdown(markdown: str, what: str) -> None:
    rendered = _gfm(markdown)
    assert "a" not in rendered.tags or all(
        "evil.example" not in h for h in re.findall(r'<a href="([^"]*)"', cmarkgfm.github_flavored_markdown_to_html(
            markdown, options=GFM))
    ), what
    html_out = cmarkgfm.github_flavored_markdown_to_html(markdown, options=GFM)
    assert "evil.example\">" not in html_out and "<b>x</b>" not in html_out, what
    assert "<strong>bold</strong>" not in html_out, what
    _no_mentions("".join(rendered.text))


@pytest.mark.parametrize("command", [("diff", "production", "accept", "--format", "markdown"),
                                     ("changelog", "production", "accept"),
                                     ("audit", "accept", "--no-secret-scan", "--format", "markdown")])
def test_item15_markdown_outputs_neutralise_server_text(demo: Path, command: tuple[str, ...]) -> None:
    _poison_label(demo)
    code, out, err = run_cli(demo, *command)
    assert code in (0, 1), err
    if command[0] != "audit":
        assert "pwn" in out
    _assert_clean_markdown(out, command[0])


def test_item15_validate_markdown_with_a_backtick_run_in_a_payload_key(demo: Path) -> None:
    (demo / "p.json").write_text(
        '{"KnUser": {"Element": {"Fields": {"X`` [pwn](https://evil.example) @octocat **b**": 1}}}}'
    )
    code, out, err = run_cli(demo, "validate", "p.json", "--env", "production", "--format", "markdown")
    assert code == 1, err
    assert "pwn" in out
    _assert_clean_markdown(out, "validate")


def test_item15_release_check_markdown_report(demo: Path) -> None:
    _poison_label(demo)
    payloads = demo / "definitions" / "integrations" / "helloid" / "payloads"
    (payloads / "evil.json").write_text(
        '{"KnUser": {"Element": {"Fields": {"X`` [pwn](https://evil.example) @octocat": 1}}}}'
    )
    code, _, err = run_cli(demo, "release-check", "--offline")
    assert code in (0, 1), err
    report = next((demo / "reports").glob("*.md"))
    text = report.read_text()
    assert "pwn" in text
    _assert_clean_markdown(text, "release-check")
