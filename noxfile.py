"""Developer sessions: tests, lint, typecheck, codegen and benchmarks.

Run ``nox -l`` to list them, ``nox -s tests`` to run one.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests", "lint", "typecheck"]

PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite, then ``contracts check`` on the bundled catalog."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "pytest", *session.posargs)
    session.run("contracts", "check")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("-e", ".[dev]")  # the pinned ruff
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src/ (generated models included) and tests/typing."""
    session.install("-e", ".[dev]")
    session.run("mypy", "--strict", "src")
    session.run("mypy", "--strict", "codegen", "tests/typing")


@nox.session(python=PYTHON)
def codegen(session: nox.Session) -> None:
    """Regenerate src/devicecontracts/models from the catalog (``nox -s codegen -- --check``
    only verifies that the committed models are up to date)."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "codegen", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Every benchmark in benchmarks/, each printing its ratio against a baseline."""
    session.install("-e", ".[dev]")
    from pathlib import Path

    for script in sorted(Path("benchmarks").glob("bench_*.py")):
        session.log(f"--- {script.name}")
        session.run("python", str(script))
