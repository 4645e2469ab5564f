"""afasgov benchmarks: ``nox -s bench`` or ``python -m bench [NAME…]``.

Each ``bench/bench_<name>.py`` defines ``run(quick: bool) -> list[Result]``. A result compares a
measurement with a baseline measured in the same run (never a hard-coded number) and carries the
figures for the closing notes. Tests never assert wall-clock times; benchmarks report them.
"""
