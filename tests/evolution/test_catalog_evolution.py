"""The bundled catalog keeps every promise of its levels, tried with generated data."""

from __future__ import annotations

from pathlib import Path

import pytest

from devicecontracts.catalog import Contract, load_catalog
from devicecontracts.schema.compatibility import CompatibilityLevel
from devicecontracts.testing.evolution import evolution_cases, run_case, verify_evolution

BUNDLED = Path(__file__).resolve().parents[2] / "schemas"
CATALOG = load_catalog(BUNDLED)
CONTRACTS = CATALOG.ordered()


@pytest.mark.parametrize("contract", CONTRACTS, ids=[c.name for c in CONTRACTS])
def test_every_subject_keeps_its_promises(contract: Contract) -> None:
    """Data of each version decodes with every version its level promises, as checked."""
    report = verify_evolution(CATALOG, subjects=[contract.name], examples=30)
    assert report.findings == [], "\n".join(f.message for f in report.findings)
    assert all(outcome.case.compatible for outcome in report.outcomes)


def pairs(contract: Contract, level: CompatibilityLevel) -> list[tuple[int, int, str]]:
    return [
        (c.writer.version, c.reader.version, c.direction) for c in evolution_cases(contract, level)
    ]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("BACKWARD", [(1, 2, "BACKWARD"), (2, 3, "BACKWARD")]),
        ("BACKWARD_TRANSITIVE", [(1, 2, "BACKWARD"), (1, 3, "BACKWARD"), (2, 3, "BACKWARD")]),
        ("FORWARD", [(2, 1, "FORWARD"), (3, 2, "FORWARD")]),
        ("FORWARD_TRANSITIVE", [(2, 1, "FORWARD"), (3, 1, "FORWARD"), (3, 2, "FORWARD")]),
        (
            "FULL",
            [(1, 2, "BACKWARD"), (2, 1, "FORWARD"), (2, 3, "BACKWARD"), (3, 2, "FORWARD")],
        ),
        ("NONE", []),
    ],
)
def test_each_level_promises_its_pairs(level: str, expected: list[tuple[int, int, str]]) -> None:
    """BACKWARD: newer reads older; FORWARD: older reads newer; transitive: every pair."""
    alarm = CATALOG.by_subject("alarm")
    assert pairs(alarm, CompatibilityLevel(level)) == expected


def test_full_transitive_tries_both_directions_for_every_pair() -> None:
    """FULL_TRANSITIVE over three versions is six cases."""
    telemetry = CATALOG.by_subject("telemetry")
    assert len(pairs(telemetry, CompatibilityLevel.FULL_TRANSITIVE)) == 6


def test_a_case_is_repeatable_for_a_seed() -> None:
    """The same seed tries the same values: a failure found once is found again."""
    case = evolution_cases(CATALOG.by_subject("telemetry"))[0]
    first = run_case(case, examples=10, seed=7)
    again = run_case(case, examples=10, seed=7)
    assert first == again and first.failure is None
