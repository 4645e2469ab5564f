"""``afasgov demo``: the whole pre-release check against the embedded simulator, in one command.

1. start the simulator (dataset ``demo``) in-process on a free 127.0.0.1 port (uvicorn in a thread);
2. scaffold the working directory (default ``./demo-run/``, kept between runs so the trend grows)
   like ``afasgov init``, plus the demo organisation's integration manifests and recorded payloads;
3. write ``afasgov.yaml`` pointing at the simulator (demo credentials in ``afasgov.secrets/``,
   mode 600 — documented demo values, not real secrets);
4. run ``afasgov release-check``: snapshot production and accept, diff, validate, audit, report;
5. print the verdict and where the HTML report is.

The demo exits 0 when it ran end to end — its verdict is FAIL on purpose (accept carries the next
Profit release's breaking changes and the demo App Connectors include risky ones); 2 or 3 when it
could not run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from afasgov._files import atomic_write_bytes, make_output_dir
from afasgov.config.scaffold import scaffold
from afasgov.errors import EXIT_OK, InputError
from afasgov.release.check import CheckOutcome, ReleaseCheckOptions, release_check
from afasgov.report.publish import publish
from afasgov.sim.writeconfig import written_by_sim
from afasgov.workspace import Workspace

DEMO_DATA = "data"


@dataclass
class DemoOutcome:
    directory: Path
    check: CheckOutcome | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    exit_code: int = EXIT_OK

    @property
    def html(self) -> Path | None:
        return self.check.paths.get("html") if self.check else None


@contextlib.contextmanager
def running_simulator(dataset: str = "demo") -> Iterator[Any]:
    """The simulator on a free loopback port (uvicorn in a thread): ``.origin``, ``.write_config(path)``."""
    from afasgov.sim.serve import running_sim

    with running_sim(dataset) as sim:
        yield sim


def install_demo_integrations(integrations_dir: Path) -> list[str]:
    """Copy the demo organisation's integration manifests and recorded payloads (missing files only)."""
    created: list[str] = []
    source = resources.files("afasgov.demo").joinpath(DEMO_DATA, "integrations")
    stack: list[tuple[Any, Path]] = [(source, integrations_dir)]
    while stack:
        node, target = stack.pop()
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.name.startswith((".", "_")) or child.name == "__pycache__":
                continue
            if child.is_dir():
                stack.append((child, target / child.name))
            elif not (target / child.name).exists():
                atomic_write_bytes(target / child.name, child.read_bytes())
                created.append((target / child.name).as_posix())
    return created


def run(directory: Path, *, echo: Callable[[str], None] = print, verbose: bool = False,
        dataset: str = "demo", result: Callable[[str], None] | None = None) -> DemoOutcome:
    """Run the demo in ``directory``; see the module docstring. ``result`` prints the run's result (the
    verdict and where the report is; default ``echo``), which ``--quiet`` keeps."""
    result = result or echo

    start = time.perf_counter()
    outcome = DemoOutcome(directory=directory)
    marks: dict[str, float] = {}

    def mark(name: str, since: float) -> float:
        now = time.perf_counter()
        marks[name] = now - since
        return now

    existing = directory / "afasgov.yaml"
    if existing.exists() and not written_by_sim(existing):
        # never replace a project's own configuration: the demo only rewrites the config it wrote itself
        raise InputError("exists and was not written by afasgov demo; choose another --dir", source=str(existing))
    make_output_dir(directory)
    echo(f"afasgov demo: working directory {directory.resolve()}")
    try:
        scaffold(directory, example_manifest=False, config=False)
        install_demo_integrations(directory / "definitions" / "integrations")
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) else str(directory)
        raise InputError(f"cannot write: {exc.strerror or exc}", source=where) from None
    t = mark("scaffold", start)
    with running_simulator(dataset) as sim:
        t = mark("simulator start", t)
        echo(f"afasgov demo: simulator (dataset {dataset}) on {sim.origin}")
        config_path = sim.write_config(existing, force=False)
        ws = Workspace.open(Path(config_path))
        options = ReleaseCheckOptions(progress=(lambda line: echo(f"  {line}")) if verbose else None)
        echo("afasgov demo: release check (snapshot production and accept, diff, validate, audit) …")
        outcome.check = publish(release_check(ws, options), ws)
        t = mark("release-check", t)
    mark("simulator stop", t)
    outcome.seconds = time.perf_counter() - start
    outcome.timings = marks
    for line in outcome.check.summary_lines():
        echo(line)
    result(outcome.check.report.verdict_line())
    if outcome.html is not None:
        result(f"afasgov demo: done in {outcome.seconds:.1f} s. Open the report: {outcome.html.resolve()}")
        echo(f"afasgov demo: all runs: {outcome.check.paths['index'].resolve()}")
    return outcome


__all__ = ["DemoOutcome", "install_demo_integrations", "run", "running_simulator"]
