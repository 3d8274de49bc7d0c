"""``contracts check``: validate, lint and compatibility-check the catalog, offline or beside
the registry (``--registry``, whose work lives in `devicecontracts.cli.register`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from devicecontracts._gc import collector_paused
from devicecontracts.catalog import load_catalog
from devicecontracts.check import CheckReport
from devicecontracts.cli._shared import (
    EXIT_CODES_HELP,
    ExitCode,
    catalog_option,
    check_summary,
    check_with_models,
    emit_findings,
    format_option,
    user_errors,
)
from devicecontracts.cli.register import RegistryOptions, registry_options
from devicecontracts.cli.report import findings_document

__all__ = ["check", "emit_report"]


@click.command(epilog=EXIT_CODES_HELP)
@catalog_option
@format_option()
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@registry_options
@user_errors
def check(catalog_dir: Path, output_format: str, strict: bool, registry: RegistryOptions) -> None:
    """Validate, lint and compatibility-check every version in the catalog.

    Every version is checked against its predecessors at its subject's level, as the registry
    would check it on register (transitive levels against every earlier version); released
    versions must match the lock; dangerous changes the wire accepts fail too. A finding named
    by a live waiver in waivers.toml is listed apart and does not fail the check; an expired
    or unused waiver does.

    With --registry (its URL from the flag or SCHEMA_REGISTRY_URL; the variable alone does
    not make the check go online), also compares the catalog with the registry:
    versions it holds that the catalog lacks, levels that differ, ids that differ from the
    lock; and puts the registry's own verdict on each version not registered there yet beside
    ours (a disagreement is an error).
    """
    if registry.requested:
        # The registry's HTTP client may make cyclic garbage: the collector as it was.
        from devicecontracts.cli._release import run_check

        catalog = load_catalog(catalog_dir)
        report = check_with_models(catalog)
        sys.exit(run_check(catalog, report, registry, output_format=output_format, strict=strict))
    # The collector stays paused from loading to the last line printed, not only inside
    # load_catalog and check_catalog: everything they build lives until the command ends, and
    # a pause that ended would leave it all in the young generation, for the next allocation
    # to start a pass over (a tenth of the command's time at 1,000 subjects). Loading,
    # checking and printing make no cyclic garbage, and `_offline` returns only its exit code:
    # what it built is freed before the collector is back. Restored as it was found, so a
    # caller that runs the command in its own process (a test's CliRunner) keeps its state.
    with collector_paused():
        code = _offline(catalog_dir, output_format, strict)
    sys.exit(code)


def _offline(catalog_dir: Path, output_format: str, strict: bool) -> ExitCode:
    report = check_with_models(load_catalog(catalog_dir))
    emit_report(report, output_format)
    failing = report.errors or (strict and report.findings)
    return ExitCode.FINDINGS if failing else ExitCode.OK


def emit_report(report: CheckReport, output_format: str) -> None:
    """Print an offline check's findings and summary in ``output_format``."""
    counts, fields = check_summary(report, report.findings)
    pending = ", ".join(f"{s} v{v}" for s, v in report.pending)
    summary = counts + (f"; not yet released: {pending}" if pending else "")
    if report.consumers:
        # One compact line per subject that has consumers (consumers/*.toml), before the
        # summary in text; the JSON summary lists them in full.
        fields["consumers"] = {
            subject: [r.to_json() for r in readers] for subject, readers in report.consumers.items()
        }
        if output_format == "text":
            lines = [
                f"consumers of {subject}: {', '.join(r.describe() for r in readers)}"
                for subject, readers in report.consumers.items()
            ]
            summary = "\n".join([*lines, summary])
    # The JSON document only for --format json: built for every finding, it costs as much
    # as printing them.
    document = (
        findings_document(report.findings, fields, report.waived) if output_format == "json" else {}
    )
    emit_findings(
        report.findings,
        output_format,
        summary=summary,
        document=document,
        command="contracts check",
        waived=report.waived,
    )
