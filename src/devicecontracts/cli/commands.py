"""The catalog's offline commands besides ``check``: ``diff``, ``lock``, ``rules`` and ``test``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from devicecontracts.catalog import Contract, load_catalog, record_releases
from devicecontracts.catalog.lock import record_contracts as _record_contracts
from devicecontracts.catalog.lock import write_lock
from devicecontracts.cli._shared import (
    EXIT_CODES_HELP,
    ExitCode,
    catalog_option,
    check_with_models,
    emit_findings,
    format_option,
    plural,
    user_errors,
)
from devicecontracts.cli.check import emit_report
from devicecontracts.cli.report import findings_document
from devicecontracts.findings import RULES, Severity
from devicecontracts.schema.compatibility import CompatibilityLevel, check_parsed

__all__ = ["diff", "evolution_test", "lock", "rules"]


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("subject")
@click.argument("old", type=int, required=False)
@click.argument("new", type=int, required=False)
@catalog_option
@format_option(("text", "json"))
@user_errors
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
        sys.exit(ExitCode.FINDINGS)
    from devicecontracts.schema.diff import diff_schemas

    changes = diff_schemas(a.schema.root, b.schema.root)
    levels = {
        level.value: check_parsed(b.schema, [a.schema], level).compatible
        for level in (
            CompatibilityLevel.BACKWARD,
            CompatibilityLevel.FORWARD,
            CompatibilityLevel.FULL,
        )
    }
    crossing = _major_break(contract, old, new)
    if output_format == "json":
        # ASCII-escaped, unlike the findings' JSON: kept as released so consumers see no change
        # ("major_break" only between versions of different majors).
        document: dict[str, Any] = {
            "subject": contract.subject,
            "old": old,
            "new": new,
            "changes": [{"kind": c.kind, "path": c.path, "message": c.message} for c in changes],
            "compatible": levels,
            "subject_level": contract.level.value,
        }
        if crossing is not None:
            document["major_break"] = crossing
        click.echo(json.dumps(document, indent=2))
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
    if crossing is not None:
        _echo_major_break(crossing, old, new)


def _major_break(contract: Contract, old: int, new: int) -> dict[str, Any] | None:
    """`Contract.major_break` as the JSON ``contracts diff`` writes (None within a major)."""
    crossing = contract.major_break(old, new)
    if crossing is None:
        return None
    return {
        "group": crossing.group,
        "old_major": crossing.old_major,
        "new_major": crossing.new_major,
        "migrations": [
            {
                "version": m.from_version,
                "name": m.rule.name,
                "mode": m.rule.mode,
                "expr": m.rule.expr,
            }
            for m in crossing.migrations
        ],
    }


def _echo_major_break(crossing: dict[str, Any], old: int, new: int) -> None:
    click.echo(
        f"major break: v{old} is in major {crossing['old_major']}, v{new} in major "
        f"{crossing['new_major']} (compatibility group {crossing['group']}): the registry "
        "checks neither against the other"
    )
    migrations = crossing["migrations"]
    if not migrations:
        click.echo(
            "  no migration rules bridge it: readers of one major cannot read the other's data "
            "(contracts check reports major-without-migration)"
        )
        return
    click.echo("  bridged by migration rules:")
    for m in migrations:
        click.echo(f"    v{m['version']} {m['name']} ({m['mode']})")
        for line in (m["expr"] or "").strip().splitlines():
            click.echo(f"      {line.strip()}")
    modes = {m["mode"] for m in migrations}
    missing = [name for name in ("UPGRADE", "DOWNGRADE") if not modes & {name, "UPDOWN"}]
    if missing:
        click.echo(f"  no {' or '.join(missing)} migration: that direction is not bridged")


@click.command(epilog=EXIT_CODES_HELP)
@catalog_option
@click.option(
    "--record-contracts",
    is_flag=True,
    help="Also record the data contract (contract.toml) of versions released before data "
    "contracts were recorded, so later changes to them are caught. Review the lock's diff: "
    "it states that each version was released with exactly these metadata and rules.",
)
@user_errors
def lock(catalog_dir: Path, record_contracts: bool) -> None:
    """Record every unreleased version in the lock as released.

    Refuses while ``contracts check`` has errors. ``contracts register`` does this too, with the
    ids the registry returned; use this command where releases are not registered from here.
    """
    catalog = load_catalog(catalog_dir)
    report = check_with_models(catalog)
    if report.errors:
        emit_report(report, "text")
        click.echo("contracts lock: fix the errors above first; nothing was locked", err=True)
        sys.exit(ExitCode.FINDINGS)
    added = record_releases(catalog)
    contracts = _record_contracts(catalog) if record_contracts else []
    if not added and not contracts:
        click.echo("contracts lock: nothing to lock, every version is released")
        return
    write_lock(catalog.lock)
    for subject, version in added:
        click.echo(f"locked {subject} v{version}")
    for subject, version in contracts:
        click.echo(f"recorded the data contract of {subject} v{version}")
    click.echo(
        f"contracts lock: {len(added)} version(s)"
        + (f" and {len(contracts)} data contract(s)" if record_contracts else "")
        + f" recorded in {catalog.lock.path}"
    )


@click.command()
def rules() -> None:
    """List every rule id with its category, default severity and meaning."""
    for rule in RULES.values():
        sev = "error" if rule.severity is Severity.ERROR else "warning"
        click.echo(f"{rule.id:<30} {rule.category:<9} {sev:<8} {rule.summary}")


@click.command(name="test", epilog=EXIT_CODES_HELP)
@catalog_option
@format_option()
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
@user_errors
def evolution_test(
    catalog_dir: Path, output_format: str, examples: int, subjects: tuple[str, ...], seed: int
) -> None:
    """Property-test schema evolution with generated data (needs the testing extra).

    For every subject, values generated for each version are written with that version's schema
    and read with every version the subject's level says must read them (newer readers for
    BACKWARD levels, older ones for FORWARD, both for FULL; all pairs when transitive). A value
    that fails to decode is reported with the smallest failing value found, and compared with
    the compatibility check's verdict for that pair. Under a compatibility group only versions
    of one major are paired.

    A contract.toml's rules are proven too: domain rules' examples, each version's data drawn
    to satisfy its rules and checked against them, and migration rules between majors
    (upgraded and downgraded data valid for the target version, and the round trip), each
    failure with the smallest counterexample.
    """
    try:
        from devicecontracts.testing.evolution import verify_evolution
    except ModuleNotFoundError as exc:
        if exc.name != "hypothesis":
            raise
        click.echo(
            "contracts test: needs hypothesis: pip install 'devicecontracts[testing]'", err=True
        )
        sys.exit(ExitCode.USAGE)
    catalog = load_catalog(catalog_dir)
    report = verify_evolution(catalog, subjects=subjects or None, examples=examples, seed=seed)
    errors = len(report.errors)
    warnings = len(report.findings) - errors
    cases = len(report.outcomes)
    summary = (
        f"contracts test: {report.subjects} subjects, {cases} writer/reader pairs, "
        f"{examples} examples each (seed {seed}): {plural(errors, 'error')}, "
        f"{plural(warnings, 'warning')}"
    )
    document = findings_document(
        report.findings,
        {
            "subjects": report.subjects,
            "pairs": cases,
            "examples": examples,
            "seed": seed,
            "errors": errors,
            "warnings": warnings,
            "rules": report.rules,
            "migrations": report.migrations,
            "notes": report.notes,
        },
    )
    if report.rules or report.migrations or report.notes:
        proven = (
            f"contracts test: data contracts: {plural(report.rules, 'domain rule')} and "
            f"{plural(report.migrations, 'migration check')} tried on generated data"
        )
        summary = "\n".join([*(f"note: {n}" for n in report.notes), proven, summary])
    emit_findings(
        report.findings,
        output_format,
        summary=summary,
        document=document,
        command="contracts test",
    )
    sys.exit(ExitCode.FINDINGS if errors else ExitCode.OK)
