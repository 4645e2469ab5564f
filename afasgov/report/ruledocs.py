"""Rule documentation for reports: a :class:`~afasgov.report.document.RuleInfo` per rule id, with the help
text and the link into the docs from :mod:`afasgov.catalogues` (SARIF's ``help``, ``fullDescription`` and
``helpUri``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from afasgov.catalogues import RuleDoc, rule_info
from afasgov.report.document import RuleInfo


def as_rule_info(doc: RuleDoc) -> RuleInfo:
    return RuleInfo(doc.id, doc.level, doc.title, doc.help, doc.help_uri)


def documented(rules: Mapping[str, RuleInfo], ids: Iterable[str] = ()) -> dict[str, RuleInfo]:
    """``rules`` (and one for each of ``ids`` not among them), each with its help text and documentation
    link filled in from the catalogue where it had none."""
    out = dict(rules)
    for rule_id in ids:
        if rule_id not in out:
            found = rule_info(rule_id)
            if found is not None:
                out[rule_id] = as_rule_info(found)
    for rule_id, info in out.items():
        known = rule_info(rule_id)
        if known is not None:
            out[rule_id] = dataclasses.replace(info, help=info.help or known.help,
                                               help_uri=info.help_uri or known.help_uri)
    return out


__all__ = ["as_rule_info", "documented"]
