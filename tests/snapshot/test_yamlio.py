"""The hand-tuned YAML emitter and its fast reader agree with a YAML 1.1 safe loader."""

from __future__ import annotations

import string
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afasgov.errors import InputError
from afasgov.snapshot import yamlio
from afasgov.snapshot.yamlio import _fast_load, _NotSubset, emit, load, scalar

from .model_strategies import any_text

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_load(text: str) -> Any:
    return yaml.load(text, Loader=LOADER)


keys = st.text(string.ascii_lowercase + "_", min_size=1, max_size=8).filter(
    lambda k: k not in {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), any_text)
documents = st.recursive(
    st.dictionaries(keys, scalars, min_size=1, max_size=4),
    lambda children: st.dictionaries(
        keys,
        st.one_of(scalars, children, st.lists(children, max_size=3), st.lists(scalars, max_size=2)),
        min_size=1,
        max_size=4,
    ),
    max_leaves=12,
)


def _values(doc: Any) -> list[Any]:
    out: list[Any] = []
    if isinstance(doc, dict):
        for v in doc.values():
            out.append(v)
            out.extend(_values(v))
    elif isinstance(doc, list):
        for v in doc:
            out.extend(_values(v))
    return out


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(documents)
def test_emitted_yaml_reads_back_identically_on_both_paths(doc: dict[str, Any]) -> None:
    text = emit(doc)
    assert "\r" not in text.replace("\\r", "")
    assert yaml_load(text) == doc
    try:
        assert _fast_load(text) == doc
    except _NotSubset:  # lists of scalars are left to the YAML loader
        assert any(isinstance(v, list) and v and not isinstance(v[0], dict) for v in _values(doc))
    assert load(text.encode("utf-8"), "x") == doc


@pytest.mark.parametrize(
    "value",
    [
        "yes",
        "No",
        "NULL",
        "~",
        "0",
        "01",
        "0x1F",
        "1_000",
        "1e3",
        ".5",
        ".inf",
        "2024-01-01",
        "12:30:00",
        "<<",
        "=",
        "- a",
        ": x",
        "a: b",
        "a #b",
        "#c",
        " x",
        "x ",
        "",
        "\n",
        "\x85",
        "\u2028",
        "\ufeff",
        "\x7f",
        "\x00",
        "😀",
        "'",
        '"',
        "\\",
        "on",
        "y",
        "n",
        "true",
        "!x",
        "&a",
        "*a",
        "[1]",
        "{a: 1}",
        "%x",
        "@x",
        "`x",
        "|",
        ">",
        "?",
        "Label nummer 1 é",
        "Datum in dienst (ingang)",
    ],
)
def test_scalars_survive_a_yaml_loader(value: str) -> None:
    text = f"key: {scalar(value)}\n"
    assert yaml_load(text) == {"key": value}
    assert load(text.encode(), "x") == {"key": value}


@settings(max_examples=200)
@given(st.one_of(any_text, st.text(max_size=300), st.integers(), st.booleans(), st.none()))
def test_the_memoised_scalar_is_the_scalar(value: object) -> None:
    assert yamlio.cached_scalar(value) == scalar(value)
    assert yamlio.cached_scalar(value) == scalar(value)  # from the memo, for short strings


def test_the_scalar_memo_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "_SCALARS", {})
    monkeypatch.setattr(yamlio, "_SCALARS_MAX", 10)
    for i in range(25):
        assert yamlio.cached_scalar(f"label {i}") == f"label {i}"
    assert 0 < len(yamlio._SCALARS) <= 10
    long = "x" * (yamlio._SCALARS_MAX_LEN + 1)
    assert yamlio.cached_scalar(long) == long and long not in yamlio._SCALARS


def test_plain_scalars_stay_readable() -> None:
    assert scalar("Label nummer 1 é") == "Label nummer 1 é"
    assert scalar("KnSubject") == "KnSubject"
    assert scalar("yes") == '"yes"'
    assert scalar("0") == '"0"'
    assert scalar(0) == "0" and scalar(True) == "true" and scalar(None) == "null"
    with pytest.raises(TypeError):
        scalar(1.5)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1 # comment\n",
        "a: [1, 2]\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "---\na: 1\n",
        "a: 'q'\n",
        "a:\n  - b: 1\n",
        "a: 1\n  b: 2\n",
        "a: 1",
        "a:  1\n",
        "a: b\n   c\n",
        "on: 1\n",
        'a: "\\x41"\n',
        "a: 0o17\n",
        "a: +1\n",
        'a: "\\ud83d\\ude00"\n',
    ],
)
def test_anything_outside_the_subset_goes_to_the_yaml_loader(text: str) -> None:
    with pytest.raises(_NotSubset):
        _fast_load(text)
    try:
        expected = yaml_load(text)
    except yaml.YAMLError:
        with pytest.raises(InputError):
            load(text.encode(), "x")
        return
    assert load(text.encode(), "x") == expected


line_chars = st.sampled_from([*list("ab_- :\"'#\\0123\n"), "yes", "null", "\x85", "- ", "  "])


@settings(max_examples=300, deadline=None)
@given(st.lists(line_chars, max_size=40).map("".join))
def test_fast_path_never_disagrees_with_yaml(text: str) -> None:
    try:
        fast = _fast_load(text)
    except (_NotSubset, RecursionError):
        return
    assert yaml_load(text) == fast


def test_bad_input_is_one_clear_error() -> None:
    with pytest.raises(InputError, match="not UTF-8"):
        load(b"a: \xff\n", "f.yaml")
    with pytest.raises(InputError, match=r"invalid YAML.*line 2"):
        load(b"a: 1\n b: [\n", "f.yaml")
    with pytest.raises(InputError, match="could not determine a constructor"):
        load(b"a: !!python/object:os.system x\n", "f.yaml")
    with pytest.raises(InputError, match="limit"):
        load(b"x" * (yamlio.MAX_FILE_BYTES + 1), "f.yaml")
