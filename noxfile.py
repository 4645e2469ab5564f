"""Developer sessions: ``nox -s tests lint typecheck bench``."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = ["3.11"]


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite (unit, property, contract and end-to-end tests)."""
    session.install("-e", ".[test]")
    session.run("pytest", "-n", "2", *session.posargs)


@nox.session(name="tests-newest", python=PYTHON, reuse_venv=False)
def tests_newest(session: nox.Session) -> None:
    """The suite on the newest release of every dependency (what CI and a fresh machine install).

    A weekly-style guard: run it on a schedule to learn of a breaking release before users do.
    """
    session.install("--upgrade", "--upgrade-strategy", "eager", "-e", ".[test]")
    session.run("python", "-m", "pip", "list", "--format=freeze", silent=False)
    session.run("pytest", "-n", "2", *session.posargs)


@nox.session(name="tests-oldest", python=PYTHON, venv_backend="uv", reuse_venv=False)
def tests_oldest(session: nox.Session) -> None:
    """The suite on the oldest versions ``pyproject.toml`` allows: every direct dependency at its lower
    bound (uv's ``--resolution lowest-direct``), so the bounds we publish are bounds we test."""
    session.install("--resolution", "lowest-direct", "-e", ".[test]")
    session.run("uv", "pip", "list", silent=False)
    session.run("pytest", "-n", "2", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff over the package, the tests, the benchmarks and this file."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", "afasgov", "tests", "bench", "noxfile.py")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks: each prints ratios against a baseline measured in the same run."""
    session.install("-e", ".[test,bench]")
    session.run("python", "-m", "bench", *session.posargs)


@nox.session(python=PYTHON)
def catalogue(session: nox.Session) -> None:
    """Regenerate the AFAS connector catalogue from ../shared/corpus (``-- --check`` only checks it)."""
    session.install("-e", ".")
    session.run("python", "-m", "afasgov.catalogue.regenerate", *session.posargs)
