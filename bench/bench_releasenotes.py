"""Release notes: parse AFAS's "New in Profit N" notes (``afasgov release-notes``).

* all six corpus notes together (Profit 3, 4, 5 × en, nl: about 2,500 table rows, ≥ the 1,500 of the
  target) in one process, cold (a fresh interpreter: import, compile the templates from the rule
  registry, read, parse) and warm (best of N in this process) — target ≤ 0.5 s;
* same-run baselines on the same files: reading them and splitting every line into table cells (the
  least any reader must do), and ``markdown-it-py`` building its token stream with tables enabled
  (the library alternative; it would still leave every row to match);
* a hostile 10 MB file of AFAS-sized rows, all the same change (60,000 rows merged into one).

Without the corpus (``../shared/corpus``), the notes are ``afasgov changelog`` of the ``synthetic:170``
dataset's production → accept difference, six times.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import Result, best_of

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "afas-release-notes"


def _files(tmp: Path) -> list[Path]:
    files = sorted(CORPUS.rglob("news-profit*.md")) if CORPUS.is_dir() else []
    if files:
        return files
    from afasgov.diff.changelog import render_markdown
    from afasgov.diff.engine import diff_snapshots
    from bench.bench_diff import model, raw_trees

    prod, acc = raw_trees(170)
    changes = diff_snapshots(model(prod, "production"), model(acc, "accept")).changes
    text = render_markdown(changes, "production", "accept")
    out = []
    for i in range(6):
        p = tmp / f"notes{i}.md"
        p.write_text(text * 4, encoding="utf-8")
        out.append(p)
    return out


def _markdown_it(texts: list[str], repeat: int) -> float | None:
    """markdown-it-py's token stream of ``texts`` (best of ``repeat``); ``None`` when not installed
    (it comes with rich)."""
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # pragma: no cover
        return None
    md = MarkdownIt("commonmark").enable("table")
    return best_of(lambda: [md.parse(t) for t in texts], repeat)


def run(quick: bool) -> list[Result]:
    from afasgov.releasenotes import parse_files
    from afasgov.releasenotes.parser import split_cells

    repeat = 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="afasgov-bench-") as tmpdir:
        tmp = Path(tmpdir)
        files = _files(tmp)
        notes = parse_files(files)
        rows = notes.rows
        texts = [p.read_text(encoding="utf-8") for p in files]

        def ours() -> None:
            parse_files(files)

        def cells_only() -> None:
            for p in files:
                for line in p.read_text(encoding="utf-8").splitlines():
                    if line.startswith("|"):
                        split_cells(line)

        warm = best_of(ours, repeat)
        base_cells = best_of(cells_only, repeat)
        results = []
        code = (
            "import json, sys, time\nt = time.perf_counter()\n"
            "from afasgov.releasenotes import parse_files\n"
            f"n = parse_files({[str(p) for p in files]!r})\n"
            "print(json.dumps({'s': time.perf_counter() - t, 'rows': n.rows}))\n"
        )
        colds = []
        for _ in range(3 if quick else 5):
            proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            colds.append(json.loads(proc.stdout.splitlines()[-1])["s"])
        results.append(
            Result(
                name=f"release-notes parse, cold process ({len(files)} files, {rows} rows)",
                value=min(colds),
                unit="s",
                baseline_name="read + split cells (warm)",
                baseline_value=base_cells,
                target="<= 0.5 s",
                details={"changes": len(notes.changes), "reported": len(notes.reported),
                         "prose": len(notes.prose)},
            )
        )
        results.append(
            Result(
                name="release-notes parse, warm (best of N)",
                value=warm,
                unit="s",
                baseline_name="read + split cells",
                baseline_value=base_cells,
                target="<= 0.5 s",
                details={"per_row_us": round(1e6 * warm / max(rows, 1), 1)},
            )
        )
        t_md = _markdown_it(texts, repeat)
        if t_md is not None:
            results.append(
                Result(
                    name="release-notes parse (ours, warm)",
                    value=warm,
                    unit="s",
                    baseline_name="markdown-it-py tokens only",
                    baseline_value=t_md,
                )
            )
        row = ("| removed the request property 'KnUser/Element/Fields/XOEA' | KnUser | "
               "[POST](../../apidoc/nl/X#post-/connectors/KnUser), [PUT](../../apidoc/nl/X#put-/connectors/KnUser), "
               "[DELETE](../../apidoc/nl/X#delete-/connectors/KnUser/KnUser/@UsId/{UsId}) |\n")
        big = tmp / "big.md"
        n_rows = (10 * 1024 * 1024) // len(row)
        head = ("## Organisaties en personen Specification\n\n### Changelog\n\n"
                "| Description | Connector | Operation |\n| --- | --- | --- |\n")
        big.write_text(head + row * n_rows, encoding="utf-8")
        t_big = best_of(lambda: parse_files([big]), 1 if quick else 2)
        results.append(
            Result(
                name=f"release-notes parse, hostile 10 MB file ({n_rows} rows, one change)",
                value=t_big,
                unit="s",
                details={"per_row_us": round(1e6 * t_big / n_rows, 1)},
            )
        )
    return results
