"""Waivers: accepted findings in ``waivers.yaml`` (DESIGN §6), shared by diff, validate and audit.

```yaml
waivers:
  - fingerprint: sha256:3f1c0a9d2b7e4410      # one exact item …
    reason: accept drops EmAd; hr-sync switches to EmA2 in sprint 12
    owner: hr-team@example.org
    expires: 2026-12-31
  - id: afas-request-property-label-changed     # … or a rule/check id plus a path pattern
    path: "KnEmployee/**"                        # * = within one path segment, ** = any depth, ? = one char
    reason: labels are translated in accept
    owner: platform@example.org
    expires: 2027-03-01
```

Waived items are shown as waived and never fail a run. A waiver applies up to and including its
``expires`` date; after that it stops applying and is itself reported (with how many items it
would still have matched). Active waivers that matched nothing are reported as unused, each by the
command whose rules it names (see :meth:`WaiverSet.apply`).

Matching works on :class:`~afasgov.findings.Finding` s (their ``id``, ``path`` and ``fingerprint``);
:meth:`WaiverSet.waive` applies a file's waivers to the findings of any command.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from afasgov.errors import InputError
from afasgov.findings import Finding, WaiverRef
from afasgov.yamlsafe import load_file as load_yaml_file

_KEYS = {"fingerprint", "id", "path", "reason", "owner", "expires"}
_ASCII_TOKEN = re.compile(r"^[\x21-\x7e]+$")
_ASCII_TEXT = re.compile(r"^[\x20-\x7e]+$")


class Waivable(Protocol):
    """What a waiver matches on."""

    @property
    def id(self) -> str: ...

    @property
    def path(self) -> str: ...

    @property
    def fingerprint(self) -> str: ...


def compile_path_pattern(pattern: str) -> re.Pattern[str]:
    """``*`` matches within one ``/`` segment, ``**`` across segments, ``?`` one character."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("^" + "".join(out) + "$", re.S)


@dataclass(frozen=True, slots=True)
class WaiverNote:
    """A waiver worth reporting by itself: expired (no longer applies) or unused."""

    status: str  # "expired" | "unused"
    waiver: WaiverRef
    matched: int = 0
    source: str = ""

    def text(self) -> str:
        what = self.waiver.fingerprint or f"{self.waiver.id} {self.waiver.path}"
        if self.status == "expired":
            tail = (
                f"; it would still match {self.matched} item(s), now reported unwaived"
                if self.matched
                else ""
            )
            return (
                f"waiver {what} (owner {self.waiver.owner}) expired on {self.waiver.expires} "
                f"and no longer applies{tail}"
            )
        return f"waiver {what} (owner {self.waiver.owner}) matched nothing"

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "matched": self.matched,
            "source": self.source,
            **self.waiver.to_json(),
        }


@dataclass(frozen=True, slots=True)
class Waiver:
    """One entry of ``waivers.yaml``."""

    reason: str
    owner: str
    expires: dt.date
    fingerprint: str | None = None
    id: str | None = None
    path: str | None = None
    source: str = ""

    def matches(self, item: Waivable) -> bool:
        if self.fingerprint is not None:
            return item.fingerprint == self.fingerprint
        if self.id != item.id or self.path is None:
            return False
        return compile_path_pattern(self.path).match(item.path or "") is not None

    def active_on(self, today: dt.date) -> bool:
        return today <= self.expires

    def ref(self) -> WaiverRef:
        return WaiverRef(
            reason=self.reason,
            owner=self.owner,
            expires=self.expires.isoformat(),
            fingerprint=self.fingerprint,
            id=self.id,
            path=self.path,
        )


def _entry(raw: Any, source: str) -> Waiver:
    if not isinstance(raw, dict):
        raise InputError("each waiver must be a mapping", source=source)
    unknown = sorted(str(k) for k in raw if k not in _KEYS)
    if unknown:
        raise InputError(
            f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_KEYS))}", source=source
        )
    for key in ("reason", "owner", "expires"):
        if raw.get(key) in (None, ""):
            raise InputError(f"missing {key!r}", source=source)
    for key in ("reason", "owner"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise InputError(f"{key!r} must be non-empty text", source=source)
    expires = raw["expires"]
    if isinstance(expires, dt.datetime):
        expires = expires.date()
    elif isinstance(expires, str):
        try:
            expires = dt.date.fromisoformat(expires)
        except ValueError:
            raise InputError(
                f"'expires' must be a date (YYYY-MM-DD), not {expires!r}", source=source
            ) from None
    if not isinstance(expires, dt.date):
        raise InputError("'expires' must be a date (YYYY-MM-DD)", source=source)
    fingerprint, rule_id, path = raw.get("fingerprint"), raw.get("id"), raw.get("path")
    if fingerprint is not None:
        if rule_id is not None or path is not None:
            raise InputError("give either 'fingerprint' or 'id' + 'path', not both", source=source)
        if not isinstance(fingerprint, str) or not _ASCII_TOKEN.match(fingerprint):
            raise InputError("'fingerprint' must be a printable ASCII token", source=source)
    else:
        if rule_id is None or path is None:
            raise InputError("a waiver needs 'fingerprint', or both 'id' and 'path'", source=source)
        if not isinstance(rule_id, str) or not _ASCII_TOKEN.match(rule_id):
            raise InputError(
                "'id' must be a printable ASCII rule id (look-alike characters are refused)", source=source
            )
        if not isinstance(path, str) or not _ASCII_TEXT.match(path):
            raise InputError(
                "'path' must be a printable ASCII pattern (look-alike characters are refused)", source=source
            )
    return Waiver(
        reason=raw["reason"].strip(),
        owner=raw["owner"].strip(),
        expires=expires,
        fingerprint=fingerprint,
        id=rule_id,
        path=path,
        source=source,
    )


@dataclass
class WaiverSet:
    """The waivers of one file (empty when there is none)."""

    waivers: list[Waiver] = dataclasses.field(default_factory=list)
    source: str = ""

    def __len__(self) -> int:
        return len(self.waivers)

    def apply(
        self, items: Sequence[Waivable], today: dt.date | None = None, *, rule_ids: Collection[str] | None = None
    ) -> tuple[list[Waiver | None], list[WaiverNote]]:
        """Match ``items``: the waiver applying to each (or ``None``) and notes on expired and unused
        waivers. Fingerprint waivers win over pattern waivers; otherwise the first in the file.

        ``rule_ids``: the ids the calling command can produce (diff rules, payload checks, audit checks).
        One ``waivers.yaml`` serves them all, so a command notes only its own waivers: those whose ``id``
        it has, and fingerprint waivers that matched one of its items (a fingerprint alone names no
        command: only a run of all of them, ``rule_ids=None``, calls it unused)."""
        today = today or dt.datetime.now(dt.UTC).date()
        active = [w for w in self.waivers if w.active_on(today)]
        active.sort(key=lambda w: w.fingerprint is None)  # stable: fingerprints first, file order kept
        expired = [w for w in self.waivers if not w.active_on(today)]
        by_fp = {w.fingerprint: w for w in reversed(active) if w.fingerprint is not None}
        patterns = [w for w in active if w.fingerprint is None]
        used: dict[int, int] = {}
        result: list[Waiver | None] = []
        for item in items:
            hit = by_fp.get(item.fingerprint)
            if hit is None:
                hit = next((w for w in patterns if w.matches(item)), None)
            if hit is not None:
                used[id(hit)] = used.get(id(hit), 0) + 1
            result.append(hit)
        matched = {id(w): sum(1 for i in items if w.matches(i)) for w in expired}

        def ours(w: Waiver, hits: int) -> bool:
            if rule_ids is None:
                return True
            return w.id in rule_ids if w.id is not None else hits > 0

        notes = [
            WaiverNote("expired", w.ref(), matched=matched[id(w)], source=w.source)
            for w in expired
            if ours(w, matched[id(w)])
        ]
        notes += [
            WaiverNote("unused", w.ref(), source=w.source) for w in active if id(w) not in used and ours(w, 0)
        ]
        return result, notes

    def waive(
        self, findings: Sequence[Finding], today: dt.date | None = None, *, rule_ids: Collection[str] | None = None
    ) -> tuple[list[Finding], list[WaiverNote]]:
        """The one place waivers are applied: ``findings`` with the covering waiver set on each (see
        :meth:`apply` for which waiver wins, and for ``rule_ids``), and the notes on expired and unused
        waivers."""
        hits, notes = self.apply(findings, today, rule_ids=rule_ids)
        return [f.with_waiver(w.ref() if w is not None else None) for f, w in zip(findings, hits, strict=True)], notes


def load_waivers(
    path: Path | None, *, required: bool = False, read: Callable[[Path], bytes] | None = None
) -> WaiverSet:
    """Load ``waivers.yaml`` (a mapping with ``waivers:`` or a bare list). A missing file is an empty
    set unless ``required`` (a path given on the command line): then it is an :class:`InputError`."""
    if path is None:
        return WaiverSet()
    path = Path(path)
    if not path.exists() and not path.is_symlink():  # (a dangling link is read: "file not found")
        if required:
            raise InputError("waivers file not found", source=str(path))
        return WaiverSet(source=str(path))
    data = load_yaml_file(path, read=read)
    if data is None:
        return WaiverSet(source=str(path))
    if isinstance(data, dict):
        unknown = sorted(str(k) for k in data if k not in {"waivers", "version"})
        if unknown:
            raise InputError(
                f"unknown top-level key(s) {', '.join(unknown)}; expected 'waivers'", source=str(path)
            )
        data = data.get("waivers") or []
    if not isinstance(data, list):
        raise InputError("expected a list of waivers (or 'waivers: [...]')", source=str(path))
    return WaiverSet([_entry(raw, f"{path}: waivers[{i}]") for i, raw in enumerate(data)], source=str(path))


__all__ = ["Waivable", "Waiver", "WaiverNote", "WaiverSet", "compile_path_pattern", "load_waivers"]
