"""The environment as a whole: the Profit release it runs."""

from __future__ import annotations

from collections.abc import Iterator

from afasgov.diff.engine import DiffContext
from afasgov.diff.registry import Rule, register
from afasgov.findings import Finding, Location
from afasgov.model import EnvironmentSnapshot


@register
class ProfitVersionChanged(Rule):
    """The Profit version differs (``/profitversion``). INFO — but read AFAS's release notes: a
    release also changes behaviour that metainfo does not show (e.g. Profit 9 returns one line per
    period from GetConnectors on Employee/calculated bases)."""

    id = "afas-profit-version-changed"
    level = "INFO"
    subjects = ("environment",)
    template = "the Profit version changed from '{before}' to '{after}'"
    inverse = ("afas-profit-version-changed",)

    def check(
        self, ctx: DiffContext, loc: Location, before: EnvironmentSnapshot, after: EnvironmentSnapshot
    ) -> Iterator[Finding]:
        if before.profit_version and after.profit_version and before.profit_version != after.profit_version:
            yield ctx.change(
                self,
                loc,
                path="environment/profit_version",
                before=before.profit_version,
                after=after.profit_version,
            )
