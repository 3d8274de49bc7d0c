"""The ``contracts`` command line (needs the ``cli`` extra: click).

Role: the outermost shell. It may import everything in the package (core, catalog, check,
registry, testing, lazily where an extra is optional); nothing imports it but the console script
(``devicecontracts.__main__``), as the import-layer contracts in ``pyproject.toml`` enforce.

Modules, by command family:

\b
  _shared    exit codes, --catalog and --format, error-to-exit mapping, emit_findings
  census     contracts census (what a topic carries on the wire) and census merge
  check      contracts check
  codegen    contracts codegen
  register   contracts register, check --registry, registry serve, the registry options
  commands   contracts diff, lock, rules, test
  docs       contracts docs (the static site)
  export     contracts export asyncapi, export backstage (the catalog for other tools)
  init       contracts init
  report     findings as text, JSON or GitHub workflow commands (pure functions)

Exit codes, the same for every command, are `ExitCode`; ``--help`` lists them.
"""

from __future__ import annotations

import click

from devicecontracts import __version__
from devicecontracts.cli._shared import EXIT_CODES_HELP, ExitCode
from devicecontracts.cli.census import census
from devicecontracts.cli.check import check
from devicecontracts.cli.codegen import codegen
from devicecontracts.cli.commands import diff, evolution_test, lock, rules
from devicecontracts.cli.docs import docs
from devicecontracts.cli.export import export
from devicecontracts.cli.init import init
from devicecontracts.cli.register import register_command, registry_group

__all__ = ["ExitCode", "main"]


@click.group(epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="contracts")
def main() -> None:
    """Schema governance and contract testing for device messages on Kafka."""


for _command in (
    census,
    check,
    codegen,
    diff,
    docs,
    export,
    init,
    lock,
    register_command,
    registry_group,
    rules,
    evolution_test,
):
    main.add_command(_command)
