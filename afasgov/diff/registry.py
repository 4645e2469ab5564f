"""The rule registry: every diff rule is one small class, registered with :func:`register`.

A rule has a stable kebab-case ``id`` (oasdiff's id where oasdiff has the same check, ``afas-…``
otherwise), a ``level`` (ERR | WARN | INFO by what breaks an integration), the ``subject`` it
inspects (a matched pair of model objects, either side ``None`` when added/removed), the
``template`` of its one-line text (AFAS's/oasdiff's English wording), the ids of its ``inverse``
rules (what the same change reads as when BASE and REVISION are swapped), the changelog
``operation`` column and an ``impact`` clause for integration owners. Its docstring is its
documentation: ``docs/rules.md`` is generated from this registry (:mod:`afasgov.diff.rulesdoc`).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from afasgov.diff.engine import DiffContext
    from afasgov.findings import Finding, Location

#: what a rule can inspect; the engine calls each rule with matched pairs of that subject.
SUBJECTS = (
    "environment",
    "app-connector",
    "update-connector",
    "get-connector",
    "update-object",
    "update-field",
    "get-field",
    "gcn",
)


class Rule:
    """Base class of diff rules (see module docstring)."""

    id: ClassVar[str] = ""
    level: ClassVar[str] = "INFO"
    family: ClassVar[str] = ""
    subjects: ClassVar[tuple[str, ...]] = ()
    template: ClassVar[str] = ""
    inverse: ClassVar[tuple[str, ...]] = ()
    operation: ClassVar[str] = ""
    #: clause completing "<integration> <uses> <path>, …" in the impact section.
    impact: ClassVar[str] = "{integration} {verb} {path}, which {revision} changed"
    #: "field": hits integrations that declare the field; "object": hits whoever sends its object.
    affects: ClassVar[str] = "field"

    def check(self, ctx: DiffContext, loc: Location, before: Any, after: Any) -> Iterator[Finding]:
        raise NotImplementedError

    @classmethod
    def operations(cls, change: Finding) -> str:
        """The changelog's Operation column for ``change``."""
        return cls.operation

    #: first sentence of the docstring (set by :func:`register`).
    title: ClassVar[str] = ""

    @classmethod
    def doc(cls) -> str:
        """The whole docstring (the rule's documentation)."""
        return inspect.getdoc(cls) or ""

    @classmethod
    def source(cls) -> str:
        return "oasdiff" if not cls.id.startswith("afas-") else "afasgov"


RULES: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to :data:`RULES` (ids must be unique and kebab-case)."""
    if not cls.id or cls.id != cls.id.lower() or " " in cls.id or "_" in cls.id:
        raise ValueError(f"rule id {cls.id!r} is not kebab-case")
    if cls.id in RULES:
        raise ValueError(f"duplicate rule id {cls.id!r}")
    if cls.level not in ("ERR", "WARN", "INFO"):
        raise ValueError(f"rule {cls.id}: level {cls.level!r}")
    if not cls.subjects or any(s not in SUBJECTS for s in cls.subjects):
        raise ValueError(f"rule {cls.id}: subjects {cls.subjects!r}")
    if not inspect.getdoc(cls):
        raise ValueError(f"rule {cls.id} has no docstring (its documentation)")
    cls.title = (inspect.getdoc(cls) or cls.id).strip().split("\n\n")[0].replace("\n", " ")
    if not cls.family:
        cls.family = cls.__module__.rsplit(".", 1)[-1].replace("_", "-")
    RULES[cls.id] = cls
    return cls


def all_rules() -> dict[str, type[Rule]]:
    """Every registered rule (importing the rule families registers them)."""
    import afasgov.diff.rules  # noqa: F401  (registers)

    return RULES


def all_rules_by_id() -> dict[str, type[Rule]]:
    """Alias of :func:`all_rules` (id → rule class)."""
    return all_rules()


__all__ = ["RULES", "SUBJECTS", "Rule", "all_rules", "all_rules_by_id", "register"]
