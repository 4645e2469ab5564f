""":func:`afasgov.secrets.redact` with a fleet's secrets registered (thousands): it looks a text up once
per position instead of searching it once per secret, and must remove exactly what the plain search (every
registered value, longest first) removes."""

from __future__ import annotations

import secrets as random_secrets

from hypothesis import given, settings
from hypothesis import strategies as st

import afasgov.secrets as S
from afasgov.secrets import REDACTED, redact, register_secret

#: a fleet's worth of registered secrets (each also in its base64 form)
FLEET = [random_secrets.token_urlsafe(24) for _ in range(600)]
for _value in FLEET:
    register_secret(_value)
#: values that overlap: one is the other's prefix, or ends where the other starts
register_secret("overlap-secret-ABCDEF")
register_secret("overlap-secret")
register_secret("ABCDEF-tail-secret")


def plain(text: str) -> str:
    """The search per secret (what redact did before), patterns left to redact itself."""
    for value in sorted(S._registry, key=len, reverse=True):
        if value in text:
            text = text.replace(value, REDACTED)
    return text


pieces = st.one_of(
    st.text(max_size=30),
    st.sampled_from([*FLEET[:20], "overlap-secret-ABCDEF", "overlap-secret", "ABCDEF-tail-secret",
                     "overlap-secret-ABCDEF-tail-secret"]),
    st.sampled_from(FLEET[:20]).map(lambda v: v[: len(v) // 2]),  # half a secret: nothing to remove
)


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=8))
def test_redact_removes_what_the_search_per_secret_removes(parts: list[str]) -> None:
    text = "".join(parts)
    assert redact(text) == redact(plain(text)) == plain(redact(text))
    assert redact(text) == S.redact(text)


def test_a_secret_in_a_short_text_is_removed_and_a_half_one_is_left() -> None:
    value = FLEET[123]
    assert redact(f"token {value}!") == f"token {REDACTED}!"
    assert redact(value[:10]) == value[:10]
    assert len(S._registry) > 1200  # the case of a fleet: many more secrets than characters in the text


def test_a_secret_registered_later_is_removed_too() -> None:
    text = "late-registered-" + random_secrets.token_hex(8)
    assert redact(f"x {text} y") == f"x {text} y"
    register_secret(text)
    assert redact(f"x {text} y") == f"x {REDACTED} y"
