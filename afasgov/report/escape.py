"""Escaping per output format: data in reports comes from AFAS metainfo, payloads and manifests,
so a label may hold ANSI escapes, control characters, Markdown or HTML. Nothing untrusted reaches a
terminal, a Markdown table, an HTML page, XML or a workflow command unescaped."""

from __future__ import annotations

import html
import re

from afasgov.secrets import redact

#: ANSI/VT escape sequences (CSI, OSC, two-character escapes).
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
#: C0/C1 control characters except TAB/LF/CR, plus DEL and the bidi overrides that reorder text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: characters XML 1.0 cannot carry at all.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: object) -> str:
    """Text safe for a terminal: ANSI sequences and control characters shown as ``\\xNN``/``\\uNNNN``;
    known secrets redacted."""
    s = redact(str(text))
    s = _ANSI.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), s)
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), s)


def one_line(text: object) -> str:
    """:func:`clean` and newlines shown as ``\\n`` (for one-line formats)."""
    return clean(text).replace("\r", "\\r").replace("\n", "\\n")


def html_text(text: object) -> str:
    """Escaped for HTML element content and quoted attributes."""
    return html.escape(clean(text), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_text(text: object) -> str:
    """Escaped for Markdown (incl. inside a table cell): every Markdown metacharacter is
    backslash-escaped, ``<``/``>``/``&`` become entities so no raw HTML passes, and newlines
    become ``<br>``."""
    s = clean(text).replace("&", "&amp;")
    s = _MD_SPECIAL.sub(
        lambda m: "&lt;" if m.group(1) == "<" else "&gt;" if m.group(1) == ">" else "\\" + m.group(1), s
    )
    return s.replace("\r", "").replace("\n", "<br>")


def md_code(text: object) -> str:
    """Inline code span that cannot be broken out of (backticks and pipes neutralised)."""
    s = one_line(text).replace("|", "\\|")
    fence = "``" if "`" in s else "`"
    pad = " " if s.startswith("`") or s.endswith("`") else ""
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


__all__ = ["clean", "gh_data", "gh_property", "html_text", "md_code", "md_text", "one_line", "xml_text"]
