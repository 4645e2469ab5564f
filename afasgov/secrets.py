"""Secrets that cannot leak by accident.

A :class:`Secret` holds a token, client secret or private key. Its ``repr``/``str``/``format`` are
redacted, it refuses to be pickled or compared by value with plain strings, and the only way to get
at the value is the explicit :meth:`Secret.reveal`. :func:`redact` scrubs known secrets (and the
classic-token patterns of the security checklist, AC024) out of any text before it is printed,
logged or written.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections.abc import Iterable
from typing import Any, NoReturn

REDACTED = "***"

#: classic token XML, its base64 form (prefix of ``<token><version>1</version><data>``), PEM keys.
SECRET_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"<token>\s*<version>\d+</version>\s*<data>[0-9A-Fa-f]{16,}</data>\s*</token>"),
    re.compile(r"PHRva2VuPjx2ZXJzaW9uPj[A-Za-z0-9+/=]{20,}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
    re.compile(r"(?i)(authorization:\s*(?:afastoken|bearer|basic)\s+)[A-Za-z0-9+/=._~-]+"),
)

#: a cheap substring that every match of the pattern of the same index contains (a text without it is
#: skipped: the case-insensitive pattern would cost a full scan); ``thoriz``/``THORIZ`` cover the
#: usual spellings of an Authorization header
_TRIGGERS: tuple[tuple[str, ...], ...] = (("<token>",), ("PHRva2VuPjx2ZXJzaW9uPj",), ("PRIVATE KEY-----",),
                                          ("thoriz", "THORIZ"))

_registry_lock = threading.Lock()
_registry: set[str] = set()
#: every registered value is at least this long (:func:`register_secret`)
_MIN_SECRET = 6
#: (registry size it was made for, the values longest first, their first ``_MIN_SECRET`` characters):
#: made again only when a secret is registered (a fleet registers thousands, and redacts far more often)
_known: list[tuple[int, tuple[str, ...], frozenset[str]]] = [(0, (), frozenset())]


class Secret:
    """A secret value with a redacted representation.

    >>> s = Secret("hunter2", name="AFAS_TOKEN")
    >>> s
    Secret(AFAS_TOKEN=***)
    >>> f"{s}"
    '***'
    >>> s.reveal()
    'hunter2'
    """

    __slots__ = ("_name", "_value")

    def __init__(self, value: str, *, name: str = "secret") -> None:
        if not isinstance(value, str):
            raise TypeError("Secret value must be str")
        self._value = value
        self._name = name
        register_secret(value)

    @property
    def name(self) -> str:
        return self._name

    def reveal(self) -> str:
        """Return the secret value. Call only where the value is sent to AFAS."""
        return self._value

    def fingerprint(self) -> str:
        """A short SHA-256 fingerprint that identifies the secret without revealing it."""
        return "sha256:" + hashlib.sha256(self._value.encode("utf-8")).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"Secret({self._name}={REDACTED})"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return hashlib.sha256(self._value.encode()).digest() == hashlib.sha256(other._value.encode()).digest()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Secret", hashlib.sha256(self._value.encode()).digest()))

    def __reduce__(self) -> NoReturn:
        raise TypeError("Secret values cannot be pickled")

    def __getstate__(self) -> NoReturn:
        raise TypeError("Secret values cannot be pickled")


def register_secret(value: str) -> None:
    """Remember a secret value (and its base64 forms) so that :func:`redact` removes it anywhere."""
    if len(value) < _MIN_SECRET:
        return
    forms = {value, base64.b64encode(value.encode()).decode()}
    with _registry_lock:
        _registry.update(f for f in forms if f)


#: how JSON writers may escape characters of a secret (``\\/``; System.Text.Json's ``\\u003C``…)
_JSON_ESCAPES = {"/": "\\/", "<": "\\u003C", ">": "\\u003E", "+": "\\u002B", "&": "\\u0026", "'": "\\u0027",
                 "=": "\\u003D"}


def echo_forms(values: Iterable[str]) -> tuple[set[bytes], set[bytes]]:
    """The forms in which secret ``values`` may appear in a JSON body: ``(raw, escaped)`` — each
    value and its base64 form as UTF-8, and the same with ``/`` escaped or with System.Text.Json's
    ``\\uXXXX`` escapes (upper- and lower-case hex). Values shorter than 6 characters are left out."""
    raw: set[str] = set()
    escaped: set[str] = set()
    for value in values:
        if len(value) < 6:
            continue
        for form in (value, base64.b64encode(value.encode()).decode()):
            raw.add(form)
            upper = "".join(_JSON_ESCAPES.get(c, c) for c in form)
            lower = "".join(_JSON_ESCAPES[c].lower() if c in _JSON_ESCAPES and c != "/" else c for c in form)
            escaped |= {form.replace("/", "\\/"), upper, lower, lower.replace("/", "\\/")} - {form}
    return {f.encode("utf-8") for f in raw}, {f.encode("utf-8") for f in escaped}


def redact(text: str) -> str:
    """Remove every registered secret and every secret-shaped string from ``text``."""
    if not text:
        return text
    known, heads = _known_secrets()
    # many secrets (a fleet's), a short text: a look-up per position of the text instead of a search per
    # secret; only a text where a secret may start is searched
    if len(known) <= len(text) // 2 or _may_hold(text, heads):
        for value in known:
            if value in text:
                text = text.replace(value, REDACTED)
    for pattern, triggers in zip(SECRET_PATTERNS, _TRIGGERS, strict=True):
        if not any(t in text for t in triggers):
            continue
        replacement: Any = (lambda m: m.group(1) + REDACTED) if pattern.groups else REDACTED
        text = pattern.sub(replacement, text)
    return text


def _known_secrets() -> tuple[tuple[str, ...], frozenset[str]]:
    """The registered values, longest first (the order :func:`redact` replaces them in), and their heads."""
    with _registry_lock:
        size, values, heads = _known[0]
        if size != len(_registry):  # the registry only grows
            values = tuple(sorted(_registry, key=len, reverse=True))
            heads = frozenset(v[:_MIN_SECRET] for v in values)
            _known[0] = (len(_registry), values, heads)
        return values, heads


def _may_hold(text: str, heads: frozenset[str]) -> bool:
    """Whether a registered value may occur in ``text``: some position starts with one's head."""
    n = _MIN_SECRET
    return any(text[i:i + n] in heads for i in range(len(text) - n + 1))


def redact_any(value: Any) -> Any:
    """:func:`redact` applied through dicts, lists and strings (for JSON-like data)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(k) if isinstance(k, str) else k: redact_any(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_any(v) for v in value]
    return value
