"""Fixtures: a working directory with definitions/production and definitions/accept trees."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from afasgov.model import CodeValue, UpdateField
from afasgov.snapshot import write_tree
from tests.diff.builders import add_update_field, base_snapshot, copy, map_get_field, map_update_field


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """cwd = a repository without afasgov.yaml, with production and accept snapshots."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    prod = base_snapshot("production")
    acc = copy(prod, "accept")
    acc.profit_version = "9.0.1"
    map_update_field(acc, "KnEmployee", (), "EmAd", lambda f: None)  # ERR
    map_update_field(
        acc,
        "KnEmployee",
        (),
        "ViGe",
        lambda f: dataclasses.replace(f, values=(*(f.values or ()), CodeValue("X", "Anders"))),
    )  # INFO
    map_update_field(acc, "KnEmployee", (), "Note", lambda f: dataclasses.replace(f, length=255))  # WARN
    add_update_field(acc, "KnEmployee", UpdateField("EmA2", "E-mail privé", "string", 80))  # INFO
    map_get_field(acc, "Profit_Employees", "Name", lambda f: dataclasses.replace(f, id="FullName"))  # ERR
    write_tree(prod, tmp_path / "definitions")
    write_tree(acc, tmp_path / "definitions")
    return tmp_path
