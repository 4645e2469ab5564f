"""Broken outputs, signals and leftovers (issue 17 items 6, 8, 10, 13, 14, 18, 19, 20)."""

from __future__ import annotations

import os
import re
import resource
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from afasgov.sim.testing import running_sim

from .conftest import REPO, copy_demo, one_error_line, run_afasgov, run_cli

GCNS = sorted((REPO / "definitions" / "getconnectors").glob("*.gcn"))


def _limit_file_size(limit: int) -> object:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    return apply


def _hidden(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob(".*"))


# ---------------------------------------------------------------------------------------- item 6
@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE as on Linux")
def test_item06_a_full_disk_during_release_check_writes_no_partial_report_set(demo: Path) -> None:
    # the file-size limit stops every write past 40 KiB: the Markdown report fits, the HTML does not
    result = run_afasgov(demo, "release-check", "--offline", preexec_fn=_limit_file_size(40 * 1024))
    assert result.returncode == 2, result.stderr
    assert "File too large" in one_error_line(result.stderr, naming="reports/")
    reports = demo / "reports"
    assert not reports.exists() or [p.name for p in reports.iterdir()] == []


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE as on Linux")
@pytest.mark.e2e
def test_item06_a_full_disk_during_snapshot_is_one_line_and_keeps_the_previous_tree(tmp_path: Path) -> None:
    with running_sim("demo") as sim:
        sim.write_config(tmp_path / "afasgov.yaml")
        assert run_afasgov(tmp_path, "snapshot", "production").returncode == 0
        tree = tmp_path / "definitions" / "production"
        before = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()}
        result = run_afasgov(tmp_path, "snapshot", "production", preexec_fn=_limit_file_size(4096))
    assert result.returncode == 2, (result.stdout, result.stderr)
    line = one_error_line(result.stderr, naming="definitions/")
    assert "cannot write the snapshot: File too large" in line
    assert {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()} == before
    assert sorted(os.listdir(tmp_path / "definitions")) == ["production"]  # no temporary directory left


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE as on Linux")
def test_item06_a_full_disk_during_gcn_import_names_the_file(tmp_path: Path) -> None:
    result = run_afasgov(tmp_path, "--config", str(REPO / "afasgov.yaml"), "gcn", "import", *map(str, GCNS[:3]),
                         "--into", "gc", preexec_fn=_limit_file_size(1024))
    assert result.returncode == 2, result.stderr
    line = one_error_line(result.stderr)
    assert re.search(r"gc/[^ ]+\.(gcn|yaml): cannot write: File too large", line), line
    assert not (tmp_path / "gc").exists() or not [p for p in (tmp_path / "gc").iterdir() if p.is_file()]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [("diff", "production", "accept"), ("gcn", "show", str(GCNS[0])),
                                  ("changelog", "production", "accept")])
def test_item06_a_full_stdout_is_exit_2_with_one_line(demo: Path, args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "afasgov", *args], cwd=demo, stdout=full,
                                stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    assert result.returncode == 2, result.stderr
    assert "No space left on device" in one_error_line(result.stderr, naming="standard output")


# ---------------------------------------------------------------------------------------- item 8
@pytest.mark.timeout(60)
def test_item08_output_onto_a_fifo_is_written_as_a_stream(demo: Path) -> None:
    fifo = demo / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    code, _, err = run_cli(demo, "diff", "production", "accept", "--format", "json", "--output", "out.fifo")
    thread.join(timeout=30)
    assert code == 1, err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a FIFO, not replaced by a regular file
    assert received and received[0].startswith(b"{")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_item08_output_onto_dev_full_is_exit_2_and_dev_full_stays(demo: Path) -> None:
    link = demo / "full"
    link.symlink_to("/dev/full")
    code, _, err = run_cli(demo, "diff", "production", "accept", "--output", "full")
    assert code == 2
    assert "No space left on device" in one_error_line(err, naming="full")
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_item08_output_onto_dev_stdout_writes_to_stdout(demo: Path, tmp_path: Path) -> None:
    # /dev/stdout is a link to /proc/self/fd/1; the same link in the test directory, so that a
    # broken afasgov (run as root) could only ever replace the test's link, never the system's
    (demo / "stdout").symlink_to("/proc/self/fd/1")
    out = tmp_path / "captured.json"
    with open(out, "w") as handle:
        result = subprocess.run([sys.executable, "-m", "afasgov", "diff", "production", "accept", "--format",
                                 "json", "--output", "stdout"], cwd=demo, stdout=handle,
                                stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    text = out.read_text()
    assert text.startswith("{") and '"changes"' in text  # the report, then the summary line after it
    assert (demo / "stdout").is_symlink()


def test_item08_output_through_a_symbolic_link_keeps_the_link(demo: Path) -> None:
    (demo / "real.json").write_text("old")
    (demo / "link.json").symlink_to("real.json")
    code, _, err = run_cli(demo, "diff", "production", "accept", "--format", "json", "--output", "link.json")
    assert code == 1, err
    assert (demo / "link.json").is_symlink() and (demo / "real.json").read_text().startswith("{")


# --------------------------------------------------------------------------------------- item 10
@pytest.mark.parametrize("kind", ["dangling-link", "directory", "dev-zero", "fifo"])
def test_item10_unreadable_recorded_payloads_count_as_errors(demo: Path, kind: str) -> None:
    payloads = demo / "definitions" / "integrations" / "helloid" / "payloads"
    bad = payloads / "x.json"
    if kind == "dangling-link":
        bad.symlink_to(payloads / "missing.json")
    elif kind == "directory":
        bad.mkdir()
    elif kind == "dev-zero":
        bad.symlink_to("/dev/zero")
    else:
        os.mkfifo(bad)
    code, _, err = run_cli(demo, "release-check", "--offline")
    assert code == 1, err
    report = next((demo / "reports").glob("*.json")).read_text()
    assert '"payload": "definitions/integrations/helloid/payloads/x.json"' in report
    assert "the recorded payload cannot be read" in report


# --------------------------------------------------------------------------------------- item 13
@pytest.mark.timeout(60)
def test_item13_an_element_with_100000_attributes_is_refused_quickly(demo: Path) -> None:
    attributes = " ".join(f'a{i}="x"' for i in range(100_000))
    (demo / "wide.xml").write_text(f"<KnUser><Element {attributes}><Fields/></Element></KnUser>")
    code, _, err = run_cli(demo, "validate", "wide.xml", "--env", "production")
    assert code == 2
    assert "100000 attributes, more than the limit of 256" in one_error_line(err, naming="wide.xml")


@pytest.mark.timeout(60)
def test_item13_too_many_elements_are_refused(demo: Path) -> None:
    (demo / "long.xml").write_text("<KnUser>" + "<Element><Fields/></Element>" * 250_000 + "</KnUser>")
    code, _, err = run_cli(demo, "validate", "long.xml", "--env", "production")
    assert code == 2
    assert "more than 200000 elements" in one_error_line(err, naming="long.xml")


@pytest.mark.timeout(120)
def test_item13_release_check_with_a_wide_recorded_payload(demo: Path) -> None:
    attributes = " ".join(f'a{i}="x"' for i in range(100_000))
    payloads = demo / "definitions" / "integrations" / "helloid" / "payloads"
    (payloads / "wide.xml").write_text(f"<KnUser><Element {attributes}><Fields/></Element></KnUser>")
    code, _, err = run_cli(demo, "release-check", "--offline")
    assert code == 1, err
    assert "more than the limit of 256" in next((demo / "reports").glob("*.json")).read_text()


# --------------------------------------------------------------------------------------- item 14
def test_item14_error_lines_are_capped_and_summarised(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "fleet")
    config = root / "afasgov.yaml"
    envs = "".join(f"  env-{i:05d}:\n    tenant: '{i + 1}'\n    type: test\n" for i in range(20_000))
    config.write_text("environments:\n" + envs)
    code, _, err = run_cli(root, "snapshot", "x" * 100_000)
    assert code == 2
    line = one_error_line(err, naming="unknown environment")
    assert "and 19,992 more" in line


def test_item14_any_long_error_keeps_its_start_and_end() -> None:
    from afasgov.textsafe import error_line

    line = error_line("start " + "y" * 100_000 + " end")
    assert len(line) <= 480 and line.startswith("start ") and line.endswith(" end")
    assert "characters left out" in line


# --------------------------------------------------------------------------------------- item 18
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_item18_sigkill_during_gcn_import_leaves_temporaries_the_next_run_removes(tmp_path: Path) -> None:
    into = tmp_path / "gc"
    # a real SIGKILL at a deterministic moment: once every temporary file is written, before any rename
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        os.replace = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
        from afasgov.cli import main
        main(["--config", {str(REPO / "afasgov.yaml")!r}, "gcn", "import", *{[str(p) for p in GCNS]!r},
              "--into", {str(into)!r}])
        """
    )
    killed = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, timeout=120,
                            check=False)
    assert killed.returncode == -signal.SIGKILL
    leftovers = _hidden(into)
    assert len(leftovers) == 2 * len(GCNS) and all(n.endswith(".tmp") for n in leftovers)
    again = run_afasgov(tmp_path, "--config", str(REPO / "afasgov.yaml"), "gcn", "import", *map(str, GCNS),
                        "--into", "gc")
    assert again.returncode == 0, again.stderr
    assert _hidden(into) == []
    assert len(list(into.glob("*.gcn"))) == len(GCNS)


def test_item18_temporaries_of_a_running_process_are_left_alone(tmp_path: Path) -> None:
    from afasgov._files import remove_stale_temporaries

    mine = tmp_path / f".x.gcn.{os.getpid()}-abcdefgh.tmp"
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    dead = tmp_path / f".y.gcn.{int(done.stdout)}-abcdefgh.tmp"
    other = tmp_path / ".z.gcn.notours.tmp"
    for p in (mine, dead, other):
        p.write_text("x")
    assert remove_stale_temporaries(tmp_path) == [dead.name]
    assert mine.exists() and other.exists() and not dead.exists()


# --------------------------------------------------------------------------------------- item 19
@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_item19_sigterm_during_snapshot_cleans_up_and_says_so(tmp_path: Path) -> None:
    with running_sim("synthetic:60", latency_ms=40) as sim:
        sim.write_config(tmp_path / "afasgov.yaml")
        assert run_afasgov(tmp_path, "snapshot", "production", timeout=300).returncode == 0
        target = tmp_path / "definitions" / "production"
        before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
        proc = subprocess.Popen([sys.executable, "-m", "afasgov", "snapshot", "production"], cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=dict(os.environ, AFASGOV_NO_PROGRESS="1"))
        # no timing luck: every request now takes 10 minutes; signal once requests are in flight
        sim.state.latency = 600.0
        start = sim.state.requests
        deadline = time.monotonic() + 60
        while sim.state.requests < start + 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the crawl ended before it was terminated"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "afasgov: terminated (SIGTERM)" in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before
    assert sorted(os.listdir(tmp_path / "definitions")) == ["production"]


# --------------------------------------------------------------------------------------- item 20
def test_item20_exit_70_is_documented_as_internal_error_please_report() -> None:
    readme = (REPO / "README.md").read_text()
    security = (REPO / "docs" / "security.md").read_text()
    assert re.search(r"\*\*70\*\* internal error — please report", readme)
    assert re.search(r"\*\*70\*\* \| internal error — please report", security)
    for text in (readme, security):
        assert "**143**" in text and "**130**" in text


def test_security_md_lists_at_least_100_hostile_inputs_and_every_test_it_names_exists() -> None:
    text = (REPO / "docs" / "security.md").read_text()
    rows = re.findall(r"^\| (\d+) \|", text, re.M)
    assert [int(n) for n in rows] == list(range(1, len(rows) + 1)) and len(rows) >= 100
    refs = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", text)
    assert len(refs) >= 100
    for path, name in refs:
        source = (REPO / path).read_text()
        assert re.search(rf"^(async )?def {name}\(", source, re.M), f"{path}::{name} is not a test"


def test_item20_an_internal_error_says_please_report(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import afasgov.commands.diff as command

    def boom(*args: object, **kwargs: object) -> int:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(command, "run_diff", boom)
    code, _, err = run_cli(demo, "diff", "production", "accept")
    assert code == 70
    assert err.startswith("afasgov: internal error — please report: ZeroDivisionError: a bug")
