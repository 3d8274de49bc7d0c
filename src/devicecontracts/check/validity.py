"""Catalog and schema rules: load problems, duplicate subjects, levels, invalid schemas.

Rule categories ``catalog`` and ``schema``: whether the catalog is well-formed at all, before
any version is compared with another.
"""

from __future__ import annotations

from collections.abc import Iterator

from devicecontracts.catalog import Catalog, Contract, SchemaVersion
from devicecontracts.check._types import relocated
from devicecontracts.errors import Location, SchemaError, SchemaJSONError
from devicecontracts.findings import Finding, make

__all__ = ["catalog_findings", "contract_findings"]


def catalog_findings(catalog: Catalog) -> Iterator[Finding]:
    """What loading the catalog found wrong, and subjects two contracts share."""
    for problem in catalog.problems:
        # A problem names its contract; a finding names the contract's registry subject.
        owner = catalog.contracts.get(problem.location.subject or "")
        where = relocated(problem.location, subject=owner.subject) if owner else problem.location
        yield make(problem.rule, problem.message, problem.hint, location=where)
    yield from _duplicate_subjects(catalog)


def contract_findings(contract: Contract) -> Iterator[Finding]:
    """A level that does not protect the contract's long-lived party, and invalid versions."""
    yield from _level(contract)
    yield from _validity(contract)


def _duplicate_subjects(catalog: Catalog) -> Iterator[Finding]:
    owners: dict[str, list[Contract]] = {}
    for contract in catalog.ordered():
        owners.setdefault(contract.subject, []).append(contract)
    for subject, contracts in owners.items():
        if len(contracts) > 1:
            names = ", ".join(c.name for c in contracts)
            yield make(
                "catalog-duplicate-subject",
                f"contracts {names} all register under subject {subject}: the registry would "
                "check them as one history",
                "give each its own topic, subject or subject_strategy in catalog.toml",
                location=Location(subject=subject),
            )


def _level(contract: Contract) -> Iterator[Finding]:
    direction = contract.direction
    if direction is None or contract.level in direction.minimum_levels:
        return
    wanted = " or ".join(sorted(level.value for level in direction.minimum_levels))
    party = (
        "devices keep writing old versions for years"
        if direction.value == "device-to-cloud"
        else "old firmware keeps reading commands for years"
    )
    yield make(
        "level-below-minimum",
        f"{contract.subject} is {direction.value} at {contract.level.value}, which does not "
        f"protect it: {party}",
        f'set compatibility = "{direction.default_level.value}" for [messages.{contract.name}] '
        f"(allowed: {wanted})",
        location=contract.location(),
    )


def _validity(contract: Contract) -> Iterator[Finding]:
    for v in contract.versions:
        if v.problem is None:
            yield from _spec_defaults(contract, v)
            continue
        problem: SchemaError = v.problem
        rule = "invalid-json" if isinstance(problem, SchemaJSONError) else "invalid-schema"
        hint = (
            "fix the JSON syntax at that line and column"
            if rule == "invalid-json"
            else "fix the schema at that path; the registry line in catalog.toml would reject it "
            "with 42201"
        )
        # The parser knows the path, line and column; the catalog knows whose file it is.
        where = relocated(
            problem.location, file=v.display, subject=contract.subject, version=v.version
        )
        yield make(rule, problem.message, hint, location=where)


def _spec_defaults(contract: Contract, v: SchemaVersion) -> Iterator[Finding]:
    """Defaults the line lets through but Avro forbids: the registry takes them, readers fail."""
    for problem in v.schema.spec_problems if v.schema else ():
        where = relocated(
            problem.location, file=v.display, subject=contract.subject, version=v.version
        )
        yield make(
            "spec-invalid-default",
            f"{problem.message}; the registry line does not validate defaults, so it would "
            "register this schema anyway",
            "fix the default (Avro 1.11: a union's default matches its first branch), or set "
            "validate_defaults = true in catalog.toml to have the registry reject such defaults",
            location=where,
        )
