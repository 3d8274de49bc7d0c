"""The ``contracts`` command line (needs the ``cli`` extra: click).

Exit codes, the same for every command:

\b
  0  clean
  1  findings: an incompatible or invalid schema, an edited release, a failing lint rule
  2  bad usage or configuration: unknown flag, missing or malformed catalog or lock
  3  the schema registry was unreachable or refused us
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from devicecontracts import __version__
from devicecontracts.catalog import load_catalog, record_releases
from devicecontracts.catalog.lock import write_lock
from devicecontracts.check import CheckReport, check_catalog
from devicecontracts.cli._registry import (
    RegistryOptions,
    registry_options,
    run_check,
    run_register,
    run_serve,
)
from devicecontracts.cli.report import FORMATS, format_github, format_json, format_text
from devicecontracts.errors import DeviceContractsError, RegistryError, RegistryIncompatibleError
from devicecontracts.findings import RULES, Severity
from devicecontracts.schema.compatibility import CompatibilityLevel, check_parsed
from devicecontracts.schema.diff import diff_schemas

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_REGISTRY = 0, 1, 2, 3

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES_HELP = """
\b
Exit codes:
  0  clean
  1  findings (incompatible or invalid schema, edited release, failing rule)
  2  bad usage or configuration (unknown flag, missing or malformed catalog)
  3  the schema registry was unreachable or refused us
"""


def _catalog_option(func: F) -> F:
    return click.option(
        "--catalog",
        "catalog_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=lambda: os.environ.get("CONTRACTS_CATALOG", "schemas"),
        show_default="schemas, or $CONTRACTS_CATALOG",
        help="Folder holding catalog.toml and the schema folders.",
    )(func)


def _format_option(func: F) -> F:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help="text for people, json for machines, github for workflow annotations.",
    )(func)


def _user_errors(func: F) -> F:
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
            sys.exit(EXIT_FINDINGS if isinstance(exc, RegistryIncompatibleError) else EXIT_REGISTRY)
        except DeviceContractsError as exc:
            click.echo(f"contracts: {exc}", err=True)
            sys.exit(EXIT_USAGE)

    return wrapper  # type: ignore[return-value]


@click.group(epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="contracts")
def main() -> None:
    """Schema governance and contract testing for device messages on Kafka."""


@main.command(epilog=EXIT_CODES_HELP)
@_catalog_option
@_format_option
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@registry_options
@_user_errors
def check(catalog_dir: Path, output_format: str, strict: bool, registry: RegistryOptions) -> None:
    """Validate, lint and compatibility-check every version in the catalog.

    Every version is checked against its predecessors at its subject's level, as the registry
    would check it on register (transitive levels against every earlier version); released
    versions must match the lock; dangerous changes the wire accepts fail too.

    With --registry (its URL from the flag or SCHEMA_REGISTRY_URL; the variable alone does
    not make the check go online), also compares the catalog with the registry:
    versions it holds that the catalog lacks, levels that differ, ids that differ from the
    lock; and puts the registry's own verdict on each version not registered there yet beside
    ours (a disagreement is an error).
    """
    catalog = load_catalog(catalog_dir)
    report = check_catalog(catalog)
    if registry.requested:
        sys.exit(run_check(catalog, report, registry, output_format=output_format, strict=strict))
    _emit(report, output_format)
    failing = report.errors or (strict and report.findings)
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)


def _emit(report: CheckReport, output_format: str) -> None:
    errors = len(report.errors)
    warnings = len(report.findings) - errors
    pending = ", ".join(f"{s} v{v}" for s, v in report.pending)
    summary = (
        f"contracts check: {report.subjects} subjects, {report.versions} versions: "
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        + (f"; not yet released: {pending}" if pending else "")
    )
    if output_format == "json":
        click.echo(
            format_json(
                report.findings,
                {
                    "subjects": report.subjects,
                    "versions": report.versions,
                    "errors": errors,
                    "warnings": warnings,
                    "unreleased": [{"subject": s, "version": v} for s, v in report.pending],
                },
            )
        )
    elif output_format == "github":
        click.echo(format_github(report.findings, summary))
    else:
        click.echo(format_text(report.findings, summary, style=_style))


def _style(text: str, colour: str) -> str:
    # click.echo strips ANSI codes when stdout is not a terminal, so CI logs stay plain.
    return click.style(text, fg=colour, bold=colour == "red")


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("subject")
@click.argument("old", type=int, required=False)
@click.argument("new", type=int, required=False)
@_catalog_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for machines.",
)
@_user_errors
def diff(
    subject: str, old: int | None, new: int | None, catalog_dir: Path, output_format: str
) -> None:
    """What changed between two versions of SUBJECT, and which levels hold.

    SUBJECT is a subject or a contract name. OLD and NEW are version numbers; by default the
    last two versions (NEW defaults to the latest, OLD to the one before NEW).
    """
    catalog = load_catalog(catalog_dir)
    contract = catalog.by_subject(subject)
    count = len(contract.versions)
    new = count if new is None else new
    old = new - 1 if old is None else old
    for number in (old, new):
        if not 1 <= number <= count:
            raise click.BadParameter(
                f"{contract.subject} has versions 1..{count}, not {number}", param_hint="versions"
            )
    a, b = contract.versions[old - 1], contract.versions[new - 1]
    if a.schema is None or b.schema is None:
        bad = a if a.schema is None else b
        click.echo(f"contracts: {bad.display} is invalid: {bad.problem}", err=True)
        sys.exit(EXIT_FINDINGS)
    changes = diff_schemas(a.schema.root, b.schema.root)
    levels = {
        level.value: check_parsed(b.schema, [a.schema], level).compatible
        for level in (
            CompatibilityLevel.BACKWARD,
            CompatibilityLevel.FORWARD,
            CompatibilityLevel.FULL,
        )
    }
    if output_format == "json":
        import json

        click.echo(
            json.dumps(
                {
                    "subject": contract.subject,
                    "old": old,
                    "new": new,
                    "changes": [
                        {"kind": c.kind, "path": c.path, "message": c.message} for c in changes
                    ],
                    "compatible": levels,
                    "subject_level": contract.level.value,
                },
                indent=2,
            )
        )
        return
    click.echo(f"{contract.subject}: v{old} -> v{new}")
    for c in changes or []:
        click.echo(f"  {c.kind:<28} {c.message}")
    if not changes:
        click.echo("  no changes")
    holds = [name for name, ok in levels.items() if ok]
    fails = [name for name, ok in levels.items() if not ok]
    click.echo(
        f"holds: {', '.join(holds) or 'none'}" + (f"; breaks: {', '.join(fails)}" if fails else "")
    )
    click.echo(f"subject level: {contract.level.value}")


@main.command(epilog=EXIT_CODES_HELP)
@_catalog_option
@_user_errors
def lock(catalog_dir: Path) -> None:
    """Record every unreleased version in the lock as released.

    Refuses while ``contracts check`` has errors. ``contracts register`` does this too, with the
    ids the registry returned; use this command where releases are not registered from here.
    """
    catalog = load_catalog(catalog_dir)
    report = check_catalog(catalog)
    if report.errors:
        _emit(report, "text")
        click.echo("contracts lock: fix the errors above first; nothing was locked", err=True)
        sys.exit(EXIT_FINDINGS)
    added = record_releases(catalog)
    if not added:
        click.echo("contracts lock: nothing to lock, every version is released")
        return
    write_lock(catalog.lock)
    for subject, version in added:
        click.echo(f"locked {subject} v{version}")
    click.echo(f"contracts lock: {len(added)} version(s) recorded in {catalog.lock.path}")


@main.command(name="register", epilog=EXIT_CODES_HELP)
@_catalog_option
@click.option("--dry-run", is_flag=True, help="Plan and preflight only: change nothing.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text for people, json for machines, github for workflow annotations.",
)
@registry_options
@_user_errors
def register_command(
    catalog_dir: Path, dry_run: bool, output_format: str, registry: RegistryOptions
) -> None:
    """Register every new version in the schema registry, safely, and record the ids.

    \b
    1. plan: per subject, new subject / new versions / already registered / identical to an
       older version (a rollback that would not take effect: warning) / drift (the registry
       holds versions the catalog lacks: error);
    2. preflight: the registry's own check of every pending version
       (POST /compatibility/subjects/{s}/versions?verbose=true, every version at transitive
       levels), beside ours; anything refused, or a disagreement, stops here with nothing
       registered;
    3. register in dependency order (shared types first, references pinned to explicit
       versions), setting each subject's level where it differs from the catalog;
    4. record the returned ids in the lock under --env.

    Refuses while `contracts check` has errors. Running it again registers nothing and says so.
    """
    sys.exit(run_register(catalog_dir, registry, dry_run=dry_run, output_format=output_format))


@main.group(name="registry")
def registry_group() -> None:
    """A local schema registry for development and tests."""


@registry_group.command(name="serve", epilog=EXIT_CODES_HELP)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (it has no authentication: keep it local).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8081,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--level",
    type=click.Choice([lv.value for lv in CompatibilityLevel]),
    default="BACKWARD",
    show_default=True,
    help="The global compatibility level.",
)
@click.option(
    "--incompatible-code",
    type=click.Choice(["40901", "409"]),
    default="40901",
    show_default=True,
    help="Error code for incompatible schemas (409 on Confluent before 8.0.4).",
)
def registry_serve(host: str, port: int, level: str, incompatible_code: str) -> None:
    """Run a Confluent-API-faithful schema registry in memory until Ctrl-C.

    The same registry as the local_registry pytest fixture (devicecontracts.testing.registry):
    Confluent's endpoints, status and error codes, idempotent registration, soft delete,
    per-subject levels, references and verbose compatibility messages. Its verdicts come from
    the avro package, not from devicecontracts. Needs the testing extra.
    """
    sys.exit(run_serve(host, port, level, int(incompatible_code)))


@main.command()
def rules() -> None:
    """List every rule id with its category, default severity and meaning."""
    for rule in RULES.values():
        sev = "error" if rule.severity is Severity.ERROR else "warning"
        click.echo(f"{rule.id:<30} {rule.category:<9} {sev:<8} {rule.summary}")


@main.command(name="test", epilog=EXIT_CODES_HELP)
@_catalog_option
@_format_option
@click.option(
    "--examples",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Generated values tried per writer/reader pair.",
)
@click.option(
    "--subject",
    "subjects",
    multiple=True,
    help="Test only this subject or contract name (repeatable). Default: all.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Random seed: the same seed tries the same values; vary it to explore more.",
)
@_user_errors
def evolution_test(
    catalog_dir: Path, output_format: str, examples: int, subjects: tuple[str, ...], seed: int
) -> None:
    """Property-test schema evolution with generated data (needs the testing extra).

    For every subject, values generated for each version are written with that version's schema
    and read with every version the subject's level says must read them (newer readers for
    BACKWARD levels, older ones for FORWARD, both for FULL; all pairs when transitive). A value
    that fails to decode is reported with the smallest failing value found, and compared with
    the compatibility check's verdict for that pair.
    """
    try:
        from devicecontracts.testing.evolution import verify_evolution
    except ModuleNotFoundError as exc:
        if exc.name != "hypothesis":
            raise
        click.echo(
            "contracts test: needs hypothesis: pip install 'devicecontracts[testing]'", err=True
        )
        sys.exit(EXIT_USAGE)
    catalog = load_catalog(catalog_dir)
    report = verify_evolution(catalog, subjects=subjects or None, examples=examples, seed=seed)
    errors = len(report.errors)
    warnings = len(report.findings) - errors
    cases = len(report.outcomes)
    summary = (
        f"contracts test: {report.subjects} subjects, {cases} writer/reader pairs, "
        f"{examples} examples each (seed {seed}): {errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)}"
    )
    if output_format == "json":
        click.echo(
            format_json(
                report.findings,
                {
                    "subjects": report.subjects,
                    "pairs": cases,
                    "examples": examples,
                    "seed": seed,
                    "errors": errors,
                    "warnings": warnings,
                },
            )
        )
    elif output_format == "github":
        click.echo(format_github(report.findings, summary, command="contracts test"))
    else:
        click.echo(format_text(report.findings, summary, style=_style))
    sys.exit(EXIT_FINDINGS if errors else EXIT_OK)
