"""AFAS's changelog wording read backwards: one pattern per diff rule, built from the rule's own
``template``.

The wording lives in one place, the diff rule registry (:mod:`afasgov.diff.registry`): ``afasgov diff``
and ``afasgov changelog`` fill a rule's ``template`` in (``added the new '{value}' enum value to the
request property '{path}'``), and this module turns the same template into a regular expression that
recovers the placeholders from a release-notes row. A new rule is readable the moment it is
registered; a changed wording changes both directions at once.

Only rules of snapshot diffs take part (the ``.gcn`` definition rules never appear in release notes,
and their free-form templates would swallow other rules' wording). What AFAS writes beyond a template
— a trailing ``Note: …`` — is split off as a remark. A row's description is matched against the most
specific template first (the one with the most literal text), so a generic template can never take
a row that a more specific one explains; a test checks that every rule's own wording comes back to
that rule.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache

#: placeholder → pattern. Paths, codes and names stand in single quotes in every template and never
#: hold one, so they match up to the next quote (linear, no backtracking on long rows).
_PLACEHOLDER = {
    "path": r"[^']+",
    "value": r"[^']*",
    "connector": r"[^']+",
    "kind": r"GetConnector|UpdateConnector",
    "field_id": r"[^']*",
}
_DEFAULT_PLACEHOLDER = r".*?"
#: the strict form: no placeholder holds a quote, so matching is linear in the row's length.
_STRICT = {**_PLACEHOLDER, "path": r"[^']+", "connector": r"[^']+"}
_STRICT_DEFAULT = r"[^']*"
#: the permissive form (a label "Employee's name" holds a quote) is tried only on rows with at most
#: this many quotes: with many, lazy placeholders backtrack quadratically (a hostile row).
MAX_QUOTES_PERMISSIVE = 12

#: a remark AFAS appends to the oasdiff wording ("… 'X' Note: this is marked as required but …").
_REMARK = re.compile(r"\s+(?=(?:Note|NB|N\.B\.|Let op|Opmerking|Remark)\s*:)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Template:
    """One rule's wording as a pattern."""

    rule_id: str
    level: str
    subjects: tuple[str, ...]
    template: str
    pattern: re.Pattern[str]
    #: ``pattern`` with no placeholder holding a quote (tried first; linear).
    strict: re.Pattern[str]
    #: the literal text before the first placeholder (casefolded), to pick candidates quickly.
    prefix: str
    #: how much literal text the template has: more is more specific, tried first.
    literal: int


@dataclass(frozen=True, slots=True)
class Match:
    """A description read by one template."""

    template: Template
    groups: dict[str, str]
    remark: str = ""


def compile_template(template: str, *, strict: bool = False) -> tuple[re.Pattern[str], str, int]:
    """``(pattern, literal prefix, literal length)`` of a rule template (``str.format`` syntax);
    ``strict``: no placeholder may hold a quote."""
    table, default = (_STRICT, _STRICT_DEFAULT) if strict else (_PLACEHOLDER, _DEFAULT_PLACEHOLDER)
    parts: list[str] = []
    seen: set[str] = set()
    prefix: str | None = None
    literal = 0
    for text, name, _spec, _conv in string.Formatter().parse(template):
        parts.append(re.escape(text))
        literal += len(text)
        if name is None:
            continue
        if prefix is None:
            prefix = text
        if name in seen:
            parts.append(f"(?P={name})")
            continue
        seen.add(name)
        parts.append(f"(?P<{name}>{table.get(name, default)})")
    if prefix is None:
        prefix = template
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL), prefix.casefold(), literal


@lru_cache(maxsize=1)
def templates() -> tuple[Template, ...]:
    """Every snapshot-diff rule's template, most specific first."""
    from afasgov.diff.registry import all_rules

    out = []
    for rule in all_rules().values():
        if not rule.template or set(rule.subjects) <= {"gcn"}:
            continue
        pattern, prefix, literal = compile_template(rule.template)
        strict = compile_template(rule.template, strict=True)[0]
        out.append(
            Template(rule.id, rule.level, tuple(rule.subjects), rule.template, pattern, strict, prefix, literal)
        )
    out.sort(key=lambda t: (-t.literal, t.rule_id))
    return tuple(out)


def match_description(description: str) -> Match | None:
    """The rule whose wording ``description`` is (a trailing ``Note: …`` split off), or ``None``."""
    found = _match(description)
    if found is not None:
        return found
    split = _REMARK.search(description)
    if split is None:
        return None
    head, remark = description[: split.start()], description[split.end() :]
    found = _match(head)
    if found is None:
        return None
    return Match(found.template, found.groups, remark.strip())


@lru_cache(maxsize=1)
def _by_first_word() -> tuple[dict[str, tuple[Template, ...]], tuple[Template, ...]]:
    """Templates by the first word of their literal prefix (and those without one), most specific first."""
    table: dict[str, list[Template]] = {}
    anywhere: list[Template] = []
    for t in templates():
        word = t.prefix.split(" ", 1)[0] if " " in t.prefix else ""
        (table.setdefault(word, []) if word else anywhere).append(t)
    return {k: tuple(v) for k, v in table.items()}, tuple(anywhere)


def _match(description: str) -> Match | None:
    folded = description.casefold()
    table, anywhere = _by_first_word()
    first = folded.split(" ", 1)[0]
    candidates = [t for t in (*table.get(first, ()), *anywhere) if folded.startswith(t.prefix)]
    candidates.sort(key=lambda t: (-t.literal, t.rule_id))
    for t in candidates:
        if (m := t.strict.fullmatch(description)) is not None:
            return Match(t, {k: v for k, v in m.groupdict().items() if v is not None})
    if description.count("'") > MAX_QUOTES_PERMISSIVE:
        return None
    for t in candidates:
        if (m := t.pattern.fullmatch(description)) is not None:
            return Match(t, {k: v for k, v in m.groupdict().items() if v is not None})
    return None


__all__ = ["MAX_QUOTES_PERMISSIVE", "Match", "Template", "compile_template", "match_description", "templates"]
