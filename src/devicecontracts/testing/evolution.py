"""Evolution contract tests: what each subject's compatibility level promises, tried on data.

For every subject, values generated for one version (the writer) are encoded with that version's
schema and decoded by fastavro with another version as the reader, for each pair the subject's
level promises:

* BACKWARD levels: a newer version reads data written with an older one;
* FORWARD levels: an older version reads data written with a newer one;
* FULL levels: both directions;
* transitive levels: every pair of versions; the others: consecutive versions only.

Each pair is also judged by the compatibility checker (`check_parsed`), and the two verdicts
are compared. Data that fails to decode is a finding with the smallest failing value hypothesis
could shrink to: ``evolution-break`` when the checker calls the pair incompatible too (the
data shows the break), ``evolution-checker-disagrees`` when the checker calls it compatible
(one of the two is wrong, and the finding names the case). A pair the checker calls
incompatible while every generated value decoded is only a warning, ``evolution-break-unseen``:
the break may need values the generator did not reach, and ``contracts check`` reports the
break itself.

A contract's data contract (``contract.toml``) is proven too (`devicecontracts.testing._rules`):
generated data drawn to satisfy each version's domain rules and checked against them, and
migration rules between majors (UPGRADE into the new major's schema, DOWNGRADE back, and the
round trip). Their findings are ``evolution-rule-*``, ``evolution-upgrade-invalid``,
``evolution-downgrade-invalid`` and ``evolution-round-trip-lost``, each with the smallest
counterexample; what could be proven only on filtered data, or not at all, is a note. The
domain rules' examples are evaluated as ``contracts check`` evaluates them
(`devicecontracts.check.datacontracts`: ``rule-example-failed``). The catalog's ``[rules]``
table may disable or demote (``warn``) these rule ids.

Pure: a loaded catalog in, a report out; nothing printed. Needs hypothesis (the ``testing``
extra), and the ``rules`` extra for contracts that declare rules.
"""

from __future__ import annotations

import pprint
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from random import Random
from typing import Any, Final

from hypothesis import HealthCheck, Phase, Verbosity, find, settings
from hypothesis.errors import NoSuchExample
from hypothesis.strategies import SearchStrategy

from devicecontracts.catalog import Catalog, Contract, SchemaVersion
from devicecontracts.datacontracts._eval import RulesUnavailable
from devicecontracts.errors import Location
from devicecontracts.findings import Finding, Severity, make
from devicecontracts.schema import Schema
from devicecontracts.schema.compatibility import CompatibilityLevel, IssueDirection, check_parsed
from devicecontracts.testing._rules import prove_contract
from devicecontracts.testing._values import decode, encode
from devicecontracts.testing.strategies import from_avro_schema

__all__ = [
    "DEFAULT_EXAMPLES",
    "DecodeFailure",
    "EvolutionCase",
    "EvolutionReport",
    "Outcome",
    "evolution_cases",
    "run_case",
    "verify_evolution",
]

DEFAULT_EXAMPLES: Final = 50
"""How many generated values each version pair is tried with, unless told otherwise."""


@dataclass(frozen=True)
class EvolutionCase:
    """One promise of a subject's level: data written with one version reads with another.

    ``direction`` is ``BACKWARD`` (the newer version reads the older one's data) or
    ``FORWARD`` (the older reads the newer's); ``compatible`` is the checker's verdict for
    exactly this pair.
    """

    subject: str
    level: CompatibilityLevel
    writer: SchemaVersion
    reader: SchemaVersion
    direction: IssueDirection
    compatible: bool

    @property
    def name(self) -> str:
        """A short readable name, such as ``fleet.alarms-value v1 -> v3 (BACKWARD)``."""
        return f"{self.subject} v{self.writer.version} -> v{self.reader.version} ({self.direction})"


@dataclass(frozen=True)
class DecodeFailure:
    """A value of the writer version (shrunk) that the reader version failed to decode."""

    value: Any
    error: str


@dataclass(frozen=True)
class Outcome:
    """What the data showed for one case: ``failure`` is None when every example decoded."""

    case: EvolutionCase
    examples: int
    failure: DecodeFailure | None


@dataclass
class EvolutionReport:
    """Every case tried, and the findings: breaks, disagreements, breaks the data did not show,
    and what proving the data contracts found. ``rules`` counts the domain rules tried on
    generated data (per version carrying them), ``migrations`` the migration chains tried
    (upgrade per source version, downgrade, round trip); ``notes`` say what was proven only on
    filtered data, or could not be proven."""

    outcomes: list[Outcome] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    subjects: int = 0
    rules: int = 0
    migrations: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        """The findings that fail ``contracts test``."""
        return [f for f in self.findings if f.severity is Severity.ERROR]


def evolution_cases(
    contract: Contract, level: CompatibilityLevel | None = None
) -> list[EvolutionCase]:
    """The writer/reader pairs ``level`` (default: the contract's) promises, with verdicts.

    Versions that did not parse are left out (`verify_evolution` reports them). With a
    compatibility group (``contract.toml``), only versions of the same major are paired, as the
    registry checks them; migration rules bridge the majors (`devicecontracts.testing._rules`).
    """
    level = contract.level if level is None else level
    parsed = [v for v in contract.versions if v.schema is not None]
    cases: list[EvolutionCase] = []
    for newer_index, newer in enumerate(parsed):
        older_ones = (
            parsed[:newer_index] if level.transitive else parsed[newer_index - 1 : newer_index]
        )
        major = contract.major(newer.version)
        for older in older_ones:
            if contract.major(older.version) != major:
                continue
            if level.backward:
                cases.append(_case(contract, level, older, newer, IssueDirection.BACKWARD))
            if level.forward:
                cases.append(_case(contract, level, newer, older, IssueDirection.FORWARD))
    return cases


def _case(
    contract: Contract,
    level: CompatibilityLevel,
    writer: SchemaVersion,
    reader: SchemaVersion,
    direction: IssueDirection,
) -> EvolutionCase:
    assert writer.schema is not None and reader.schema is not None
    # check_parsed(new, [old], BACKWARD) asks whether new reads old; FORWARD, old reads new.
    new, old = (reader, writer) if direction is IssueDirection.BACKWARD else (writer, reader)
    assert new.schema is not None and old.schema is not None
    # The one-way level of the same name checks exactly this direction.
    level_of_pair = CompatibilityLevel(direction.value)
    verdict = check_parsed(new.schema, [old.schema], level_of_pair, first_version=old.version)
    return EvolutionCase(contract.subject, level, writer, reader, direction, verdict.compatible)


def run_case(
    case: EvolutionCase,
    *,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
    strategy: SearchStrategy[Any] | None = None,
) -> Outcome:
    """Try ``examples`` generated values of the writer version on the reader version.

    On a failure, hypothesis shrinks to the smallest failing value it can find. The run is
    deterministic for a given ``seed``. ``strategy`` replaces the writer's generated values.
    """
    writer, reader = case.writer.schema, case.reader.schema
    assert writer is not None and reader is not None
    values = strategy if strategy is not None else from_avro_schema(writer)

    def fails(value: Any) -> bool:
        return _decode_error(value, writer, reader) is not None

    try:
        found = find(
            values,
            fails,
            settings=_settings(examples),
            random=Random(_case_seed(seed, case)),
        )
    except NoSuchExample:
        return Outcome(case, examples, None)
    error = _decode_error(found, writer, reader)
    assert error is not None
    return Outcome(case, examples, DecodeFailure(found, error))


def verify_evolution(
    catalog: Catalog,
    *,
    subjects: Iterable[str] | None = None,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
) -> EvolutionReport:
    """Run every evolution case of the catalog (or of ``subjects``) and judge the outcomes.

    ``subjects`` are subjects or contract names; an unknown one raises `CatalogError`.
    """
    if subjects is None:
        chosen = catalog.ordered()
    else:
        chosen = []
        for name in subjects:
            contract = catalog.by_subject(name)
            if contract not in chosen:
                chosen.append(contract)
    report = EvolutionReport(subjects=len(chosen))
    examples_failed = _example_findings(catalog, chosen)
    for contract in chosen:
        report.findings += _unparsed(contract)
        strategies: dict[int, SearchStrategy[Any]] = {}
        for case in evolution_cases(contract):
            writer = case.writer
            assert writer.schema is not None
            if writer.version not in strategies:
                strategies[writer.version] = from_avro_schema(writer.schema)
            outcome = run_case(
                case, examples=examples, seed=seed, strategy=strategies[writer.version]
            )
            report.outcomes.append(outcome)
            finding = _judge(outcome, seed)
            if finding is not None:
                report.findings.append(finding)
        _prove_rules(
            catalog,
            contract,
            report,
            examples_failed.get(contract.subject, []),
            examples=examples,
            seed=seed,
        )
    return report


def _example_findings(catalog: Catalog, chosen: list[Contract]) -> dict[str, list[Finding]]:
    """``rule-example-failed`` findings of ``contracts check`` by subject: the one evaluation
    of the domain rules' examples, shared."""
    if not any(c.data is not None and c.data.rules for c in chosen):
        return {}
    from devicecontracts.check.datacontracts import data_contract_findings

    out: dict[str, list[Finding]] = {}
    for f in data_contract_findings(catalog):
        if f.rule == "rule-example-failed":
            out.setdefault(f.subject or "", []).append(f)
    return out


def _prove_rules(
    catalog: Catalog,
    contract: Contract,
    report: EvolutionReport,
    examples_failed: list[Finding],
    *,
    examples: int,
    seed: int,
) -> None:
    try:
        proofs = prove_contract(contract, examples=examples, seed=seed)
    except RulesUnavailable as exc:
        report.notes.append(f"{contract.subject}: rules not proven: {exc}")
        return
    disabled = set(catalog.rules.get("disable", []))
    warned = set(catalog.rules.get("warn", []))
    report.findings += [
        f.with_severity(Severity.WARNING) if f.rule in warned else f
        for f in examples_failed + proofs.findings
        if f.rule not in disabled
    ]
    report.notes += proofs.notes
    report.rules += proofs.rules
    report.migrations += proofs.migrations


# ---------------------------------------------------------------------------------------------


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        # No explain phase: it reruns a shrunk failure many times, for notes find() never shows.
        phases=tuple(p for p in Phase if p.name != "explain"),
        database=None,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )


def _case_seed(seed: int, case: EvolutionCase) -> int:
    # A stable seed per case (str hashes vary between processes), so a run can be repeated.
    return zlib.crc32(f"{seed}:{case.name}".encode())


def _decode_error(value: Any, writer: Schema, reader: Schema) -> str | None:
    payload = encode(value, writer)
    try:
        decode(payload, writer, reader)
    except Exception as exc:  # any failure to decode is what we are looking for
        return f"{type(exc).__name__}: {exc}"
    return None


def _unparsed(contract: Contract) -> list[Finding]:
    return [
        make(
            "invalid-schema",
            f"cannot test evolution with v{v.version}: it is not a valid schema: "
            f"{v.problem.message if v.problem else 'unknown problem'}",
            "fix the schema first (contracts check shows where)",
            location=contract.location(v),
        )
        for v in contract.versions
        if v.schema is None
    ]


def _judge(outcome: Outcome, seed: int) -> Finding | None:
    case = outcome.case
    newer = max(case.writer, case.reader, key=lambda v: v.version)
    older = min(case.writer, case.reader, key=lambda v: v.version)
    where = Location(file=newer.display, subject=case.subject, version=newer.version)
    promise = (
        f"{case.level.value} requires v{case.reader.version} to read data written with "
        f"v{case.writer.version}"
    )
    rerun = f"contracts test --subject {case.subject} --seed {seed}"
    if outcome.failure is None:
        if case.compatible:
            return None
        return make(
            "evolution-break-unseen",
            f"the compatibility check says v{case.reader.version} cannot read "
            f"v{case.writer.version} data ({case.direction}), but {outcome.examples} generated "
            "values all decoded: the break needs values the generator did not reach, or "
            "fastavro resolves what Confluent refuses",
            "contracts check reports the break with its path; raise --examples to look harder",
            location=where,
            previous_version=older.version,
        )
    shown = _show(outcome.failure.value)
    evidence = (
        f"{promise}, but this value written with v{case.writer.version} fails to decode with "
        f"v{case.reader.version} as reader: {outcome.failure.error}\n"
        f"    smallest failing value (v{case.writer.version}):\n{shown}"
    )
    if case.compatible:
        return make(
            "evolution-checker-disagrees",
            f"the compatibility check says v{case.reader.version} reads "
            f"v{case.writer.version} data ({case.direction}); the data disagrees. {evidence}",
            "one of devicecontracts' checker and fastavro's resolution is wrong: report this "
            f"case with the value above (reproduce: {rerun})",
            location=where,
            previous_version=older.version,
        )
    return make(
        "evolution-break",
        evidence,
        "make the change compatible at the subject's level, e.g. give a new field a default "
        f"(contracts check shows the path; reproduce: {rerun})",
        location=where,
        previous_version=older.version,
    )


def _show(value: Any) -> str:
    text = pprint.pformat(value, width=88, sort_dicts=False)
    return "\n".join("      " + line for line in text.splitlines())
