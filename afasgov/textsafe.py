"""The one sanitiser for text shown on a terminal (issue 17: control characters from server strings).

AFAS sends strings (labels, descriptions, App Connector names, ``/profitversion``, error messages)
that may hold ANSI escape sequences or other control characters: printed raw they could recolour,
move the cursor, rewrite the window title or hide what a line says. :func:`terminal` is applied to
every line :class:`afasgov.app.AppContext` prints and to every error line of the CLI;
:func:`clean` is the same for text that goes into reports (:mod:`afasgov.report.escape` builds the
per-format escapers on it). Light on purpose (no dependencies): every command imports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from afasgov.secrets import redact

#: ANSI/VT escape sequences (CSI, OSC, two-character escapes).
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
#: C0/C1 control characters except TAB/LF/CR, plus DEL and the bidi overrides that reorder text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: object) -> str:
    """Text safe for a terminal: ANSI sequences and control characters shown as ``\\xNN``/``\\uNNNN``;
    known secrets redacted."""
    s = redact(str(text))
    s = _ANSI.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), s)
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), s)


_SGR = re.compile(r"\x1b\[[0-9;]*m")


def terminal(text: object, *, colour: bool = False) -> str:
    """THE sanitiser for what afasgov prints on a terminal (every line of
    :class:`afasgov.app.AppContext`, every error line of the CLI): :func:`clean` (ANSI sequences and
    control characters shown as ``\\xNN``, secrets redacted), and a carriage return shown as
    ``\\r`` (it could overwrite what the line said). With ``colour``, plain SGR colour codes
    (``ESC[…m``, which afasgov's own text reports use) are kept; server strings inside reports are
    escaped by the renderers before colour is added."""
    s = str(text)
    if colour and "\x1b" in s:
        codes = _SGR.findall(s)
        parts = [clean(p).replace("\r", "\\r") for p in _SGR.split(s)]
        return "".join(p + c for p, c in zip(parts, [*codes, ""], strict=True))
    return clean(s).replace("\r", "\\r")


#: the longest error line the CLI prints after ``afasgov: error: `` (the whole line stays ≤ 500)
MAX_ERROR_CHARS = 480


def error_line(text: object, *, limit: int = MAX_ERROR_CHARS) -> str:
    """One error line for the terminal: :func:`terminal`, on one line, at most ``limit`` characters
    (a longer one keeps its start and end and says how much was left out)."""
    s = terminal(text).replace("\n", " ")
    if len(s) <= limit:
        return s
    note = f" … [{len(s) - limit + 60} characters left out] … "
    head = (limit - len(note)) * 2 // 3
    tail = limit - len(note) - head
    return s[:head] + note + s[len(s) - tail:]


def shorten(text: object, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters with ``…`` (a name quoted in a message)."""
    s = str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def summarise(items: Iterable[object], *, limit: int = 8, width: int = 60) -> str:
    """``a, b, c and 1,234 more``: at most ``limit`` items, each at most ``width`` characters."""
    names = [shorten(i, width) for i in items]
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit:,} more"


__all__ = ["MAX_ERROR_CHARS", "clean", "error_line", "shorten", "summarise", "terminal"]
