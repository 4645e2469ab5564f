"""Per-rule level overrides (``levels:`` in ``afasgov.yaml``) and the one place every command settles
its findings: :func:`settle` applies the overrides, then the waivers.

```yaml
levels:
  request-property-max-length-increased: INFO   # a rule's findings count at this level
  afas-request-property-label-changed: off       # not reported at all
  AC037: ERR
```

Keys are rule ids of any catalogue — diff rules (docs/rules.md, ``.gcn`` rules included), payload
checks and audit checks (docs/checks.md); values ``ERR``, ``WARN``, ``INFO`` or ``off`` (any case; YAML
reads a bare ``off`` or ``no`` as false, which means ``off`` too). Like oasdiff's ``--severity-levels``
and buf's ``except``. An override replaces the level a finding counts at — after regrading by
integration use — and says so in the finding's notes; ``off`` drops the rule's findings and the report
says how many. ``afasgov.yaml`` is validated when it is read (:mod:`afasgov.config.loader`: shape and
values); an id no catalogue knows is reported with the file and key path when a command opens the
workspace (:meth:`afasgov.app.AppContext.workspace`, against :func:`afasgov.catalogues.known_rule_ids`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from afasgov.errors import ConfigError
from afasgov.findings import Finding

if TYPE_CHECKING:
    from afasgov.config import Config
    from afasgov.locate import Locator
    from afasgov.waivers import WaiverNote, WaiverSet
    from afasgov.workspace import Workspace

from afasgov.config.loader import LEVEL_VALUES, OFF, parse_level_value


@dataclass(frozen=True)
class LevelOverrides:
    """Rule id → ``ERR`` | ``WARN`` | ``INFO`` | ``off``, from ``file``."""

    levels: Mapping[str, str] = field(default_factory=dict)
    file: str | None = None

    @classmethod
    def from_config(cls, config: Config | None) -> LevelOverrides:
        if config is None:
            return cls()
        return cls(dict(config.levels), str(config.path) if config.path else None)

    @classmethod
    def for_workspace(cls, ws: Workspace) -> LevelOverrides:
        return cls.from_config(ws.config) if ws.has_config else cls()

    def check(self, known: Mapping[str, str]) -> None:
        """Every key is a rule id of ``known`` (:func:`afasgov.catalogues.known_rule_ids`: checked where the
        workspace is opened); otherwise a :class:`ConfigError` with file and key path."""
        for rule_id in self.levels:
            if rule_id in known:
                continue
            folded = {k.lower(): k for k in known}
            close = [folded[rule_id.lower()]] if rule_id.lower() in folded else difflib.get_close_matches(
                rule_id, list(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else " (docs/rules.md, docs/checks.md list them)"
            raise ConfigError(f"no rule or check has the id {rule_id!r}{hint}", file=self.file,
                              key_path=f"levels.{rule_id}")

    def apply(self, findings: Sequence[Finding]) -> tuple[list[Finding], list[str]]:
        """The findings with their overridden levels, without those of rules turned ``off``; and notes."""
        if not self.levels:
            return list(findings), []
        out: list[Finding] = []
        dropped: Counter[str] = Counter()
        where = f" in {Path(self.file).name}" if self.file else ""
        for f in findings:
            new = self.levels.get(f.id)
            if new is None or new == f.level:
                out.append(f)
            elif new == OFF:
                dropped[f.id] += 1
            else:
                note = f"level {new} set by levels:{where} (the rule gives {f.level})"
                out.append(dataclasses.replace(f, level=new, notes=(*f.notes, note)))
        notes = [f"{count} finding(s) of {rule_id} not reported: levels:{where} turns the rule off"
                 for rule_id, count in sorted(dropped.items())]
        return out, notes


def settle(
    findings: Sequence[Finding],
    levels: LevelOverrides,
    waivers: WaiverSet,
    today: dt.date | None = None,
    *,
    locator: Locator | None = None,
    rule_ids: Collection[str] | None = None,
) -> tuple[list[Finding], list[WaiverNote], list[str]]:
    """The one place every command gives its findings their final form: file and line
    (:class:`~afasgov.locate.Locator`), the level after the ``levels:`` overrides
    (:meth:`LevelOverrides.apply`), and the waiver (:meth:`WaiverSet.waive`; ``rule_ids``: the ids of the
    command's own rules, so it reports only its own waivers as expired or unused). Returns the findings,
    the waiver notes (expired, unused) and the notes on rules turned off."""
    if locator is not None:
        findings = locator.locate_all(findings)
    leveled, notes = levels.apply(findings)
    waived, waiver_notes = waivers.waive(leveled, today, rule_ids=rule_ids)
    return waived, waiver_notes, notes


__all__ = ["LEVEL_VALUES", "OFF", "LevelOverrides", "parse_level_value", "settle"]
