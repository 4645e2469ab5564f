"""``--quiet`` and ``--verbose`` mean the same in every command; what ``snapshot`` and ``check`` print
(issue 14 §11).

* ``--quiet``: errors and the command's one-line result (its verdict or summary). A document asked
  for with ``--format`` other than text is the result itself and is printed in full.
* ``--verbose``: the details behind the result (snapshot: per-environment timings, retries and the
  files that changed).
* ``snapshot`` ends with what changed since the previous snapshot; ``check`` fits 100 columns and
  states one expiry per App Connector; counts are written with the right plural.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from afasgov.cli import main
from afasgov.sim.serve import running_sim

REPO = Path(__file__).resolve().parent.parent
PAYLOAD = "definitions/integrations/helloid/payloads/new-user.json"
GCN_A = "definitions/getconnectors/Lindeboom_CRM_Relaties.gcn"
GCN_B = "definitions/getconnectors/Lindeboom_HR_Medewerkers.gcn"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("levels") / "repo"
    copy.mkdir()
    shutil.copy2(REPO / "afasgov.yaml", copy / "afasgov.yaml")
    shutil.copytree(REPO / "definitions", copy / "definitions")
    return copy


@pytest.fixture
def repo(example: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(example)
    monkeypatch.setenv("NO_COLOR", "1")
    return example


@pytest.fixture(scope="module")
def sim_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with running_sim("demo") as sim:
        yield sim.write_config(tmp_path_factory.mktemp("sim") / "afasgov.yaml")


# ------------------------------------------------------------------------------------------ --quiet
@pytest.mark.parametrize("args", [
    ["diff", "production", "accept"],
    ["gcn", "diff", GCN_A, GCN_B],
    ["validate", "--env", "accept", PAYLOAD],
    ["audit", "accept", "--no-secret-scan"],
    ["verify", "--offline", "production"],
], ids=lambda a: " ".join(a[:2]))
def test_quiet_text_is_the_one_line_result(repo: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, _ = run(capsys, *args)
    qcode, qout, _ = run(capsys, "--quiet", *args)
    assert qcode == code
    lines = [line for line in qout.splitlines() if line.strip()]
    assert len(lines) == 1, qout
    verdict = re.search(r"^(?:verdict: )?((?:PASS|FAIL|CLEAN|NOT IN SYNC)\b.*)$", out, re.M)
    assert verdict is not None and verdict.group(1) in lines[0], (verdict, lines)


def test_quiet_after_the_command_is_quiet_too(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "diff", "production", "accept", "-q")
    assert len(out.strip().splitlines()) == 1


# ------------------------------------------------------------------------------------------ snapshot
def test_snapshot_ends_with_what_changed_and_verbose_lists_it(
        sim_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "definitions"
    config = ["--config", str(sim_config)]
    code, out, _ = run(capsys, *config, "snapshot", "production", "--out", str(out_dir))
    assert code == 0, out
    first = out.strip().splitlines()[-1]
    assert re.fullmatch(r"snapshot: 1 environment written \(new: \d+ files\)", first), first

    code, out, _ = run(capsys, *config, "snapshot", "production", "--out", str(out_dir))
    assert code == 0 and out.strip().splitlines()[-1] == "snapshot: 1 environment written, no changes"

    tree = out_dir / "production"
    gets = sorted((tree / "get").glob("*.yaml"))
    gets[0].write_text(gets[0].read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    gets[1].unlink()
    (tree / "get" / "Stale_Connector.yaml").write_text("id: Stale_Connector\n", encoding="utf-8")
    code, out, _ = run(capsys, *config, "--verbose", "snapshot", "production", "--out", str(out_dir))
    assert code == 0
    assert out.strip().splitlines()[-1] == ("snapshot: 1 environment written, 1 file changed, 1 added, "
                                            "1 removed")
    assert f"changed get/{gets[0].name}" in out and f"added   get/{gets[1].name}" in out
    assert "removed get/Stale_Connector.yaml" in out
    assert re.search(r"production: \d+ requests, 0 retries, \d+\.\d s", out)

    code, out, _ = run(capsys, *config, "--quiet", "snapshot", "production", "--out", str(out_dir))
    assert code == 0 and out.strip() == "snapshot: 1 environment written, no changes"
    code, out, _ = run(capsys, *config, "snapshot", "production", "--out", str(out_dir))
    assert "changed get/" not in out and "requests, 0 retries" not in out  # details only with --verbose


# --------------------------------------------------------------------------------------------- check
def test_check_fits_100_columns_and_states_one_expiry(sim_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--config", str(sim_config), "check")
    assert code == 0, out
    wide = [line for line in out.splitlines() if len(line) > 100]
    assert not wide, wide
    legacy = [line for line in out.splitlines() if "legacy-portal" in line]
    assert legacy and all("never" not in line for line in legacy), legacy
    rows = [line for line in legacy if not line.startswith(" ")]
    assert rows and all("2027-05-01" in line for line in rows)  # a classic token ends then, whatever Profit says
    assert out.strip().splitlines()[-1] == "12 App Connectors in 3 environments checked: all ok"


def test_the_progress_bar_is_not_red() -> None:
    from io import StringIO

    from rich.console import Console

    from afasgov.commands.snapshot import progress_bar

    buffer = StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="truecolor", width=80)
    progress = progress_bar(console, "(1 environment)")
    progress.update(progress.task_ids[0], total=10, completed=4)
    console.print(progress.make_tasks_table(progress.tasks))
    ansi = buffer.getvalue()
    filled = re.search(r"\x1b\[([\d;]*)m━", ansi)  # the style of the first (filled) bar segment
    assert filled is not None, ansi
    codes = filled.group(1).split(";")
    assert not {"31", "91"} & set(codes), ansi
    if codes[:2] == ["38", "2"]:
        red, green, _blue = (int(x) for x in codes[2:5])
        assert not (red > 150 and green < 100), ansi


# ------------------------------------------------------------------------------------------- plurals
def test_counts_have_the_right_plural(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "validate", "--env", "accept", PAYLOAD)
    assert "1 problem:" in out and "1 error," in out and "1 problems" not in out
    assert "FAIL: 1 unwaived item at or above ERR" in out
    _, out, _ = run(capsys, "diff", "production", "accept")
    assert re.search(r"\d+ changes: \d+ errors, \d+ warnings, \d+ info", out)


def test_quiet_demo_keeps_its_verdict_and_the_report_path(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "--quiet", "demo", "--dir", str(tmp_path / "demo"))
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("FAIL: ") and "Open the report: " in lines[1]
    assert Path(lines[1].split("Open the report: ", 1)[1]).is_file()
