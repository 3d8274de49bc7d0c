"""``contracts init``: start a contracts repository from the shipped templates."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from devicecontracts.cli._shared import EXIT_CODES_HELP, ExitCode

__all__ = ["init"]


@click.command(epilog=EXIT_CODES_HELP)
@click.argument(
    "directory", type=click.Path(file_okay=False, path_type=Path), default=".", required=False
)
def init(directory: Path) -> None:
    """Start a contracts repository in DIRECTORY (default: the current folder).

    \b
    Writes:
      schemas/catalog.toml              the catalog, a comment teaching each key
      schemas/telemetry/v1.avsc         an example device-to-cloud message
      schemas/telemetry/contract.toml   its data contract: owner and a rule with examples
      schemas/contracts.lock.json       the lock of released versions, empty
      .github/workflows/contracts.yml   check on pull requests, register on a tag
      conftest.py, tests/               contract tests with the pytest plugin
      README.md                         the two commands

    `contracts check` passes on the result as it is. Nothing is ever overwritten: when any of
    these files exists, init names them, writes nothing and exits 2.
    """
    from devicecontracts.scaffold import conflicts, write_scaffold  # templates: only for init

    blocking = conflicts(directory)
    if blocking:
        click.echo("contracts init: these already exist, so nothing was written:", err=True)
        for path in blocking:
            click.echo(f"  {path}", err=True)
        sys.exit(ExitCode.USAGE)
    try:
        written = write_scaffold(directory)
    except OSError as exc:
        click.echo(f"contracts init: cannot write into {directory}: {exc}", err=True)
        sys.exit(ExitCode.USAGE)
    for path in written:
        click.echo(f"created {path}")
    catalog = directory / "schemas"
    click.echo(
        "\nNext: set DEVICECONTRACTS in .github/workflows/contracts.yml to the release you "
        f"install, then run: contracts check --catalog {catalog}"
    )
