"""afasgov.yamlsafe: the strict safe YAML reader shared by config, policy, waivers, manifests, gcn,
simulator datasets and the definitions tree's fallback; hostile and malformed inputs."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from afasgov import yamlsafe
from afasgov.errors import EXIT_USAGE, ConfigError, InputError


def test_plain_yaml_loads_as_safe_load_does() -> None:
    text = "a: 1\nb: [x, 'y', 2.5, true, null]\nc: {d: 2030-01-01}\n"
    assert yamlsafe.loads(text, "t") == yaml.safe_load(text)
    assert yamlsafe.loads(text, "t")["c"]["d"] == dt.date(2030, 1, 1)
    assert yamlsafe.loads("", "t") is None
    assert yamlsafe.loads("\ufeffa: 1\n".encode(), "t") == {"a": 1}  # BOM


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("a: 1\na: 2\n", "invalid YAML: duplicate key 'a' (line 2, column 1)"),
        ("x: {k: 1, k: 2}\n", "duplicate key 'k' (line 1, column 11)"),
        ("a: &x [1]\nb: *x\n", "invalid YAML: anchors and aliases are not allowed (line 1, column 4)"),
        ("a: &x 1\n", "anchors and aliases are not allowed"),
        ("a: !!str 1\n", "invalid YAML: explicit YAML tag '!!str' is not allowed (only plain YAML is read)"),
        ("!!python/object/apply:os.system ['echo hi']\n", "YAML tag '!!python/object/apply:os.system'"),
        ("a: !custom x\n", "YAML tag '!custom'"),
        ("a: !!binary aGk=\n", "YAML tag '!!binary'"),
        ("? [a]\n: 1\n", "mapping keys must be plain scalars (line 1, column 3)"),
        ("a: [\n", "invalid YAML: "),
        ("a: 1\n- b\n", "invalid YAML: "),
        ("a:\n\tb: 1\n", "invalid YAML: "),
        ("--- 1\n--- 2\n", "invalid YAML: "),
        ("a: \x00\n", "invalid YAML: unacceptable character"),
        ("[" * 300 + "]" * 300, "invalid YAML: nested too deeply (line 1, column 201)"),
        ("a:\n" + "".join(f"{'  ' * i}- b:\n" for i in range(1, 250)), "nested too deeply"),
    ],
)
def test_hostile_and_malformed_text_is_one_line_input_error(text: str, needle: str) -> None:
    with pytest.raises(InputError) as info:
        yamlsafe.loads(text, "in.yaml")
    message = str(info.value)
    assert needle in message
    assert message.startswith("in.yaml: ")
    assert "\n" not in message
    assert info.value.exit_code == EXIT_USAGE


def test_alias_bomb_is_refused_before_anything_is_built() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 30)]
    with pytest.raises(InputError, match="anchors and aliases"):
        yamlsafe.loads("\n".join(lines) + "\n", "bomb.yaml")


def test_deep_nesting_never_crashes_the_process() -> None:
    # libyaml's composer recurses in C: 100000 levels crash a plain yaml.load(..., CSafeLoader)
    script = textwrap.dedent(
        """
        from afasgov import yamlsafe
        from afasgov.errors import InputError
        for strict in (True, False):
            try:
                yamlsafe.loads("[" * 100000 + "]" * 100000, "deep", strict=strict)
            except InputError as exc:
                # afasgov's own depth check or libyaml's (newer PyYAML refuses first): either way one
                # line naming the source, and the process lives
                message = str(exc)
                assert message.startswith("deep: invalid YAML: ") and "\\n" not in message, message
            else:
                raise SystemExit("accepted")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], check=False, timeout=120, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()[-500:]


def test_non_strict_is_safe_load_with_the_limits() -> None:
    text = "a: &x [1]\nb: *x\nc: 1\nd: !!binary aGk=\n"
    assert yamlsafe.loads(text, "t", strict=False) == yaml.safe_load(text)
    with pytest.raises(InputError, match=r"duplicate key 'c' \(line 2"):  # refused in both modes
        yamlsafe.loads("c: 1\nc: 2\n", "t", strict=False)
    with pytest.raises(InputError, match="could not determine a constructor"):
        yamlsafe.loads("a: !!python/object:os.system x\n", "t", strict=False)
    with pytest.raises(InputError, match="nested too deeply"):
        yamlsafe.loads("[" * 201 + "]" * 201, "t", strict=False)


def test_size_limit_and_encoding() -> None:
    with pytest.raises(InputError, match=r"file is 2049 bytes, larger than the limit of 2 KiB"):
        yamlsafe.loads(b"#" * 2049, "t", max_bytes=2048)
    with pytest.raises(InputError, match=r"larger than the limit of 1 MiB"):
        yamlsafe.loads("é" * (600 * 1024), "t", max_bytes=1024 * 1024)  # 1.2 MB in UTF-8
    assert yamlsafe.loads("a: " + "é" * 100, "t", max_bytes=300) == {"a": "é" * 100}
    with pytest.raises(InputError, match=r"not UTF-8 \(byte 3\)"):
        yamlsafe.loads(b"a: \xff\n", "t")


def test_files(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("a: [1, 2]\n", encoding="utf-8")
    assert yamlsafe.load_file(good) == {"a": [1, 2]}
    cases: list[tuple[Path, str]] = [
        (tmp_path / "missing.yaml", "file not found"),
        (tmp_path, "is a directory, expected a regular file"),
    ]
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" * 1000)
    cases.append((big, "file is 5000 bytes, larger than the limit of 4 KiB"))
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("a: café\n".encode("latin-1"))
    cases.append((latin, "not UTF-8 (byte 6)"))
    for path, needle in cases:
        with pytest.raises(InputError) as info:
            yamlsafe.load_file(path, max_bytes=4096)
        assert str(info.value) == f"{path}: {needle}"


def test_the_callers_error_type() -> None:
    with pytest.raises(ConfigError) as info:
        yamlsafe.loads("a: 1\na: 2\n", "afasgov.yaml", error=yamlsafe.config_error)
    assert info.value.file == "afasgov.yaml"
    assert str(info.value) == "afasgov.yaml: invalid YAML: duplicate key 'a' (line 2, column 1)"

    class Mine(ValueError):
        pass

    with pytest.raises(Mine, match=r"^custom: x: invalid YAML"):
        yamlsafe.loads("[", "x", error=lambda message, source: Mine(f"custom: {source}: {message}"))


_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
_keys = st.text(min_size=1, max_size=10)
_docs = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(doc=_docs)
def test_whatever_safe_dump_writes_loads_as_safe_load_does(doc: object) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True)
    assert yamlsafe.loads(text, "t") == yaml.safe_load(text)  # (PyYAML's emitter folds some characters)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200))
def test_arbitrary_text_loads_or_is_an_input_error(text: str) -> None:
    try:
        yamlsafe.loads(text, "t")
    except InputError as exc:
        assert "\n" not in str(exc)


def test_every_caller_keeps_its_own_error_type(tmp_path: Path) -> None:
    from afasgov.config import read_yaml_file, safe_load_yaml
    from afasgov.gcn.errors import GcnError
    from afasgov.gcn.yamlio import from_yaml
    from afasgov.sim.datasets.builder import _load_yaml
    from afasgov.sim.datasets.fieldspec import SpecError
    from afasgov.snapshot import yamlio as tree_yaml
    from afasgov.waivers import load_waivers

    dup = "a: 1\na: 2\n"
    bad = tmp_path / "dup.yaml"
    bad.write_text(dup, encoding="utf-8")
    with pytest.raises(ConfigError, match="duplicate key 'a'"):
        safe_load_yaml(dup, source="afasgov.yaml")
    with pytest.raises(ConfigError, match="duplicate key 'a'"):
        read_yaml_file(bad)
    with pytest.raises(GcnError, match=r"^X\.yaml: invalid YAML: duplicate key 'a' .*\(YAML\)$"):
        from_yaml(dup, source="X.yaml")
    with pytest.raises(SpecError, match=r"dup\.yaml: invalid YAML: duplicate key 'a'"):
        _load_yaml(bad)
    with pytest.raises(InputError, match="duplicate key 'a'"):
        load_waivers(bad)
    # the definitions tree's fallback reads what a safe loader reads, and is depth-limited
    assert tree_yaml.load(b"a: &x 1\nb: *x\n", "t") == {"a": 1, "b": 1}
    with pytest.raises(InputError, match="nested too deeply"):
        tree_yaml.load(b"[" * 300 + b"]" * 300, "t")
