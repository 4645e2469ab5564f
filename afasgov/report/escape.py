"""Escaping per output format: data in reports comes from AFAS metainfo, payloads and manifests,
so a label may hold ANSI escapes, control characters, Markdown or HTML. Nothing untrusted reaches a
terminal, a Markdown table, an HTML page, XML or a workflow command unescaped.

This is the ONE Markdown escaper of afasgov (:func:`md_text`, :func:`md_line`, :func:`md_code`):
every Markdown output uses it — ``diff``/``audit``/``validate --format markdown``, ``changelog``, the
release-check ``.md`` report and promote's ``CHECKLIST.md``. Its property tests
(``tests/hostile/test_markdown.py``) render hypothesis-generated text through a CommonMark parser
(markdown-it-py) and GitHub's own renderer (cmark-gfm) and check that no link, mention, emphasis or
HTML comes out of untrusted text, and that the text reads back unchanged.
"""

from __future__ import annotations

import html
import re

from afasgov.secrets import redact
from afasgov.textsafe import _ANSI, clean, terminal

#: characters XML 1.0 cannot carry at all.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def one_line(text: object) -> str:
    """:func:`clean` and newlines shown as ``\\n`` (for one-line formats)."""
    return clean(text).replace("\r", "\\r").replace("\n", "\\n")


def html_text(text: object) -> str:
    """Escaped for HTML element content and quoted attributes."""
    return html.escape(clean(text), quote=True)


# ------------------------------------------------------------------------------------- Markdown
#: what a Markdown renderer (CommonMark, GitHub's GFM) could read as syntax anywhere in inline text;
#: each is replaced by something that renders as the character itself and nothing else
_MD_INLINE = re.compile(
    r"[\\`*\[\]|~$<>&]"  # emphasis, code, links, images, tables, strikethrough, math, HTML
    r"|(?<![^\W_])_|_(?![^\W_])"  # '_' unless between letters or digits (Demo_New: never emphasis)
    r"|@"  # @mentions (and e-mail autolinks): a zero-width space after the @
    r"|#(?=[0-9])"  # #123 issue references on GitHub: a zero-width space after the #
    r"|:(?=//)"  # scheme://… autolinks (GFM's extended autolinks)
    r"|(?<=[Ww][Ww][Ww])\."  # www.… autolinks
    r"|\ufeff"  # a byte-order mark: a renderer drops it at the start of a document (cmark-gfm does)
)
#: what starts a block only at the start of a line: a list item (``-``, ``+``, ``1.``, ``1)``), a
#: heading (``#``), a setext underline or thematic break (``=``, ``-``)
_MD_BLOCK_START = re.compile(r"^()([-+#=]|[0-9]{1,9}[.)])")
ZWSP = "&#8203;"


def _md_inline(match: re.Match[str]) -> str:
    c = match.group(0)
    if c == "&":
        return "&amp;"
    if c == "<":
        return "&lt;"
    if c == ">":
        return "&gt;"
    if c == "@":
        return "@" + ZWSP
    if c == "#":
        return "#" + ZWSP
    if c == ":":
        return "&#58;"
    if c == "\ufeff":
        return "&#65279;"
    return "\\" + c


def _md_block_start(match: re.Match[str]) -> str:
    lead, mark = match.group(1), match.group(2)
    return lead + (mark[:-1] + "\\" + mark[-1] if len(mark) > 1 else "\\" + mark)


def md_text(text: object, *, newline: str = "<br>") -> str:
    """Untrusted text as inline Markdown that renders as exactly that text, wherever it stands: a
    paragraph, a heading, a list item, a table cell.

    No link, autolink (``https://…``, ``www.…``, e-mail), image, emphasis, strikethrough, code,
    math, HTML, table break-out (``|``), ``@mention`` or ``#123`` issue reference can come out of it:
    Markdown punctuation is backslash-escaped (``- + # = 1.`` only where they would start a block),
    ``& < >`` become entities, ``@`` (and ``#`` before a digit) get a zero-width space behind them,
    ``:`` before ``//`` and ``.`` after ``www`` are escaped. Control
    characters are shown as ``\\xNN`` and known secrets redacted (:func:`clean`). A line break
    becomes ``newline`` (``<br>``, afasgov's own markup; ``" "`` for one-line cells).
    """
    # (leading blanks render as nothing, except that four of them would make a code block)
    s = clean(text).replace("\r\n", "\n").replace("\r", "\n").lstrip(" \t\n")
    s = _MD_BLOCK_START.sub(_md_block_start, _MD_INLINE.sub(_md_inline, s))
    return s.replace("\n", newline)


def md_line(text: object) -> str:
    """:func:`md_text` for one-line places (a table cell of a PR comment): line breaks become spaces."""
    return md_text(text, newline=" ")


_BACKTICKS = re.compile(r"`+")


def md_code(text: object, *, table: bool = True) -> str:
    """An inline code span holding exactly ``text`` (one line; control characters shown escaped):
    the fence is one backtick longer than the longest run of backticks inside, so nothing can close
    it early. ``table`` (the default) escapes ``|`` as GFM tables need (a pipe would end the cell);
    outside a table pass ``table=False`` (there the backslash would show)."""
    s = one_line(text)
    if table:
        s = s.replace("|", "\\|")
    if not s.strip(" "):
        return "` `" if not s else "`" + s + "`" if len(s) == 1 else "` " + s + " `"
    longest = max((len(run) for run in _BACKTICKS.findall(s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s[0] == "`" or s[-1] == "`" or (s[0] == " " and s[-1] == " ") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def xml_text(text: object) -> str:
    """Text XML 1.0 can carry (invalid characters shown as ``\\xNN``); the XML writer escapes
    ``<&>`` itself."""
    s = redact(str(text))
    s = _ANSI.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), s)
    return _XML_INVALID.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), s)


def gh_data(text: object) -> str:
    """Escaped for the message part of a GitHub workflow command."""
    return clean(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def gh_property(text: object) -> str:
    """Escaped for a property value (``file=``, ``title=``) of a GitHub workflow command."""
    return gh_data(text).replace(":", "%3A").replace(",", "%2C")


__all__ = [
    "ZWSP",
    "clean",
    "gh_data",
    "gh_property",
    "html_text",
    "md_code",
    "md_line",
    "md_text",
    "one_line",
    "terminal",
    "xml_text",
]
