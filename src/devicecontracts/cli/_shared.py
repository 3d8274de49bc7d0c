"""What every ``contracts`` command shares: exit codes, options, error mapping and output.

Each idea is written once here: the exit codes and their text (the ``--help`` epilog is built
from them), the ``--catalog`` and ``--format`` options, the mapping from the package's errors to
exit codes, colour, plurals, and `emit_findings`, the one function that prints findings as text,
JSON or GitHub workflow commands, redacting secrets on the way out.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from enum import IntEnum
from functools import wraps
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import click
from click import _compat
from click.globals import resolve_color_default

from devicecontracts.catalog import Catalog
from devicecontracts.check import CheckReport, check_catalog
from devicecontracts.check.staleness import declared_models
from devicecontracts.check.waivers import WaivedFinding
from devicecontracts.cli.report import (
    FORMATS,
    Styler,
    dump_json,
    format_github,
    format_text,
    text_lines,
)
from devicecontracts.errors import DeviceContractsError, RegistryError, RegistryIncompatibleError
from devicecontracts.findings import Finding, Severity

__all__ = [
    "EXIT_CODES_HELP",
    "ExitCode",
    "catalog_option",
    "check_with_models",
    "emit_findings",
    "format_option",
    "plural",
    "style",
    "user_errors",
]

F = TypeVar("F", bound=Callable[..., Any])


class ExitCode(IntEnum):
    """The exit codes, the same for every command."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    REGISTRY = 3


_EXIT_TEXT = {
    ExitCode.OK: "clean",
    ExitCode.FINDINGS: "findings (incompatible or invalid schema, edited release, failing rule)",
    ExitCode.USAGE: "bad usage or configuration (unknown flag, missing or malformed catalog)",
    ExitCode.REGISTRY: "the schema registry or the Kafka cluster was unreachable or refused us",
}

# \b keeps click from rewrapping the table.
EXIT_CODES_HELP = "\n\b\nExit codes:\n" + "".join(
    f"  {code.value}  {text}\n" for code, text in _EXIT_TEXT.items()
)

_FORMAT_HELP = {
    "text": "text for people",
    "json": "json for machines",
    "github": "github for workflow annotations",
}


def catalog_option(func: F) -> F:
    """``--catalog DIR`` (default ``$CONTRACTS_CATALOG`` or ``schemas``) as ``catalog_dir``."""
    return click.option(
        "--catalog",
        "catalog_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=lambda: os.environ.get("CONTRACTS_CATALOG", "schemas"),
        show_default="schemas, or $CONTRACTS_CATALOG",
        help="Folder holding catalog.toml and the schema folders.",
    )(func)


def format_option(formats: Sequence[str] = FORMATS) -> Callable[[F], F]:
    """``--format`` among ``formats`` (default text) as ``output_format``."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(formats),
        default="text",
        show_default=True,
        help=", ".join(_FORMAT_HELP[name] for name in formats) + ".",
    )


def user_errors(func: F) -> F:
    """Turn the package's own errors into a one-line message and exit code 2, no traceback.

    Registry errors exit 3 (an incompatibility the registry refused: 1); their messages are
    built with every secret masked.
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RegistryError as exc:
            click.echo(f"contracts: {exc}", err=True)
            refused = isinstance(exc, RegistryIncompatibleError)
            sys.exit(ExitCode.FINDINGS if refused else ExitCode.REGISTRY)
        except DeviceContractsError as exc:
            click.echo(f"contracts: {exc}", err=True)
            sys.exit(ExitCode.USAGE)

    return wrapper  # type: ignore[return-value]


def check_with_models(catalog: Catalog) -> CheckReport:
    """`check_catalog` on ``catalog``, with the manifest of the models its ``[models]`` declares
    and the census reports of its ``census/`` folder, today by the local clock."""
    from devicecontracts.catalog.census import read_census

    return check_catalog(
        catalog,
        models=declared_models(catalog),
        today=dt.date.today(),
        census=read_census(catalog.root),
    )


def style(text: str, colour: str) -> str:
    """``text`` in ``colour`` (bold when red)."""
    # Colour on a terminal only: click.echo strips ANSI codes when stdout is not a TTY, so CI
    # logs, pipes and files stay plain.
    return click.style(text, fg=colour, bold=colour == "red")


def plural(count: int, noun: str) -> str:
    """``"1 error"``, ``"2 errors"``: the count and the noun, plural unless the count is 1."""
    return f"{count} {noun}{'s' * (count != 1)}"


def check_summary(report: CheckReport, findings: Sequence[Finding]) -> tuple[str, dict[str, Any]]:
    """The start of `contracts check`'s summary line and its JSON ``summary``, counting
    ``findings``: the report's own, plus any a registry comparison added."""
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = len(findings) - errors
    line = (
        f"contracts check: {report.subjects} subjects, {report.versions} versions: "
        f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
        + (f", {len(report.waived)} waived" if report.waived else "")
    )
    summary = {
        "subjects": report.subjects,
        "versions": report.versions,
        "errors": errors,
        "warnings": warnings,
        "waived": len(report.waived),
        "unreleased": [{"subject": s, "version": v} for s, v in report.pending],
    }
    return line, summary


def _unchanged(text: str) -> str:
    return text


def emit_findings(
    findings: Sequence[Finding],
    output_format: str,
    *,
    summary: str,
    document: Mapping[str, Any],
    command: str,
    redact: Callable[[str], str] = _unchanged,
    waived: Sequence[WaivedFinding] = (),
) -> None:
    """Print ``findings`` in ``output_format``, passing everything printed through ``redact``.

    text: one block per finding, the ``waived`` findings apart, then ``summary``; json:
    ``document`` (which holds the findings as the command shapes them); github: workflow
    commands (waived findings as notices), then ``summary`` as a notice titled with ``command``.
    """
    if output_format == "json":
        out = dump_json(document)
    elif output_format == "github":
        out = format_github(findings, summary, command=command, waived=waived)
    elif redact is _unchanged:
        # Nothing to mask: printed a few thousand lines at a time, the same text, without
        # holding a report of many thousand findings as one string (and a stripped copy).
        lines = text_lines(findings, summary, style=_styler(), waived=waived)
        while chunk := list(islice(lines, _LINES_PER_WRITE)):
            click.echo("\n".join(chunk))
        return
    else:
        out = format_text(findings, summary, style=_styler(), waived=waived)
    click.echo(redact(out))


def _styler() -> Styler:
    """`style` when ``click.echo`` keeps colour on stdout; else no styling at all, which is
    what echo's stripping would leave (and costs nothing per finding)."""
    # The same test click.echo makes, looked up on the module as click's own code does, so
    # that CliRunner's colour setting is honoured too.
    keep = not _compat.should_strip_ansi(sys.stdout, resolve_color_default())
    return style if keep else _unstyled


def _unstyled(text: str, _colour: str) -> str:
    return text


_LINES_PER_WRITE = 4096
