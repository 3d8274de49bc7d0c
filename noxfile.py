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


# The extras whose lower bounds `lowest` proves; dev (tools) and all (a union) are not.
PROVED_EXTRAS = ("cli", "registry", "testing", "rules")


def lower_bounds() -> list[str]:
    """Every ``name>=X`` of the runtime dependencies and the proved extras, as ``name==X``.

    Read from pyproject.toml, so the bounds are stated once: raising one there raises it here.
    """
    import re
    import tomllib

    with open("pyproject.toml", "rb") as file:
        project = tomllib.load(file)["project"]
    requirements = list(project["dependencies"])
    for extra in PROVED_EXTRAS:
        requirements += project["optional-dependencies"][extra]
    pins = []
    for requirement in requirements:
        if requirement.startswith("devicecontracts["):
            continue  # an extra of ours (cli includes rules): its own bounds are listed above
        found = re.match(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?>=([^,;\s]+)", requirement)
        if found is None:
            raise ValueError(f"{requirement!r} in pyproject.toml has no lower bound")
        pins.append(f"{found[1]}=={found[3]}")
    return pins


@nox.session(python=PYTHON)
def lowest(session: nox.Session) -> None:
    """The runtime tests against every dependency at its lower bound in pyproject.toml.

    Proves the bounds: each is the first version with every API we call, so the oldest
    install pip may choose (AWS's Lambda packaging recipe does) must still work. Pass
    ``--envdir`` to nox to build the environment elsewhere (CI uses a temporary folder).
    """
    pins = lower_bounds()
    session.install("-e", f".[{','.join(PROVED_EXTRAS)}]", *pins, "pytest")
    session.run("python", "-m", "pip", "freeze", "--exclude-editable", silent=False)
    session.run(
        "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/runtime", *session.posargs
    )
    session.run("contracts", "check")  # the cli extra: the README's main job


@nox.session(python=PYTHON)
def java(session: nox.Session) -> None:
    """The differential test against Apache Avro Java 1.11 and 1.12 (tests/java; needs a JDK).

    Fetches the Avro jars from PySpark's source distributions once (cached, gitignored, in
    tests/java/.jars), then runs the test; ``AVRO_JAVA_EXAMPLES`` sets its generated examples.
    """
    session.install("-e", ".[dev]")
    session.run("python", "tests/java/fetch_avro_jars.py")
    session.run(
        "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/java", *session.posargs
    )


@nox.session(python=PYTHON)
def codegen(session: nox.Session) -> None:
    """Regenerate src/devicecontracts/models from the catalog (``nox -s codegen -- --check``
    only verifies that the committed models are up to date)."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "codegen", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Every benchmark in benchmarks/, each printing its ratio against a baseline.

    Each figure goes into ``benchmarks/results.json`` and the README's table is regenerated
    from it. ``nox -s bench -- bench_serde.py`` runs the named scripts only and updates their
    figures, keeping the others.
    """
    session.install("-e", ".[dev]")
    from pathlib import Path

    results = Path("benchmarks/results.json").resolve()
    chosen = [Path("benchmarks") / name for name in session.posargs]
    if not chosen:
        chosen = sorted(Path("benchmarks").glob("bench_*.py"))
        results.unlink(missing_ok=True)
    for script in chosen:
        session.log(f"--- {script.name}")
        session.run("python", str(script), env={"DC_BENCH_SUMMARY": str(results)})
    session.run("python", "benchmarks/_summary.py", "--readme")
