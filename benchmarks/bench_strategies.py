"""Examples per second of ``from_avro_schema`` against a straightforward strategy, per schema shape.

How much faster our strategies are depends on the schema: they save Hypothesis choices
(one integer draw per timestamp or uuid where ``st.datetimes()`` makes about seven, no
``fixed_dictionaries`` shuffle), and strings, floats, bytes and map entries cost both sides
alike. So the figure is measured on two differently shaped schemas, each at two example
counts, and each (schema, count) is its own figure against the 2x target:

* ``telemetry``: the bundled catalog's latest telemetry (shared types inlined), heavy on
  timestamps (one per reading, one in the header);
* ``device-report``: ``benchmarks/schemas/device_report.avsc``, heavy on strings, floats,
  doubles, bytes and maps, with one timestamp and one uuid.

The baseline, measured in the same run on the same schema, is the recursive strategy one
writes first: ``fixed_dictionaries`` for records, ``one_of`` for unions, ``sampled_from`` for
enums, ``lists``/``dictionaries`` of at most 8 items (as ours), ``st.datetimes()`` truncated to
the unit for timestamps, ``st.uuids()``, ``st.decimals()`` with the schema's scale; no
filtering. For context only, two more are printed: hypothesis' own cost per test case (a
``st.integers()`` example, one choice), which both strategies pay whatever they draw, and
fastavro's ``generate_many`` (random values, no shrinking, no edge cases), a ceiling.

Both hypothesis strategies run through ``@given`` as a test suite runs them: N examples per
run, generate phase only, no database, no deadline, empty test body. CPU time
(``process_time``). One warm-up run of each first, at every count; then round ``i`` runs
every (schema, count) with hypothesis seed ``i`` for both strategies, interleaved, the order
alternating between rounds; the figure is the median of the per-round ratios (baseline time
over ours). Choices per example (how many hypothesis draws one valid example takes) are
counted in the warm-up run, which is not timed.

Target: at least 2x the straightforward strategy, per figure.

Run: ``python benchmarks/bench_strategies.py [--rounds N] [--counts 100 400]``.
"""

from __future__ import annotations

import argparse
import datetime
import decimal
import json
import statistics
import time
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
from fastavro import parse_schema
from fastavro.utils import generate_many
from hypothesis import HealthCheck, Phase, given, seed, settings

from _summary import record
from devicecontracts.catalog import load_catalog
from devicecontracts.testing import from_avro_schema

HERE = Path(__file__).resolve().parent
CATALOG = HERE.parent / "schemas"
DEVICE_REPORT = HERE / "schemas" / "device_report.avsc"
COUNTS = (100, 400)
TARGET = ">= 2.0"
UTC = datetime.UTC


def straightforward(schema: Any, named: dict[str, Any] | None = None) -> st.SearchStrategy[Any]:
    """The first recursive strategy one would write over the schema's JSON."""
    named = {} if named is None else named
    if isinstance(schema, str):
        primitives = {
            "null": st.none(),
            "boolean": st.booleans(),
            "int": st.integers(-(2**31), 2**31 - 1),
            "long": st.integers(-(2**63), 2**63 - 1),
            "float": st.floats(width=32),
            "double": st.floats(),
            "bytes": st.binary(),
            "string": st.text(),
        }
        return primitives[schema] if schema in primitives else st.deferred(lambda: named[schema])
    if isinstance(schema, list):
        return st.one_of([straightforward(branch, named) for branch in schema])
    kind, logical = schema["type"], schema.get("logicalType")
    if logical in ("timestamp-millis", "timestamp-micros"):
        unit = 1000 if logical == "timestamp-millis" else 1
        return st.datetimes(timezones=st.just(UTC)).map(
            lambda d: d.replace(microsecond=d.microsecond // unit * unit)
        )
    if logical == "uuid":
        return st.uuids()
    if logical == "decimal":
        scale = schema.get("scale", 0)
        bound = decimal.Decimal(10) ** (schema["precision"] - scale) - decimal.Decimal(10) ** -scale
        return st.decimals(-bound, bound, places=scale, allow_nan=False, allow_infinity=False)
    if kind == "record":
        name = schema["name"]
        full = f"{schema['namespace']}.{name}" if schema.get("namespace") else name
        fields = {f["name"]: straightforward(f["type"], named) for f in schema["fields"]}
        named[full] = st.fixed_dictionaries(fields)
        return named[full]
    if kind == "enum":
        return st.sampled_from(schema["symbols"])
    if kind == "fixed":
        return st.binary(min_size=schema["size"], max_size=schema["size"])
    if kind == "array":
        return st.lists(straightforward(schema["items"], named), max_size=8)
    if kind == "map":
        return st.dictionaries(st.text(), straightforward(schema["values"], named), max_size=8)
    return straightforward(kind, named)


def cpu_per_example(strategy: st.SearchStrategy[Any], examples: int, run_seed: int) -> float:
    """CPU seconds per valid example of one @given run of ``examples`` with an empty body."""

    @seed(run_seed)
    @settings(
        max_examples=examples,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def empty(value: Any) -> None:
        pass

    start = time.process_time()
    empty()
    return (time.process_time() - start) / examples


def choices_per_example(strategy: st.SearchStrategy[Any], examples: int) -> float | None:
    """Hypothesis choices one valid example takes, on average (an untimed run, seed 10,000).

    Reads the test case's choice sequence, which is hypothesis internals: None if that is
    not there (the figures do not depend on it).
    """
    counts: list[int] = []

    @st.composite
    def counted(draw: st.DrawFn) -> Any:
        data = getattr(draw, "__self__", None)
        before = len(getattr(data, "nodes", ()))
        value = draw(strategy)
        counts.append(len(getattr(data, "nodes", ())) - before)
        return value

    cpu_per_example(counted(), examples, 10_000)
    return statistics.fmean(counts) if counts and any(counts) else None


def generate_many_per_item(parsed: Any, n: int = 500) -> float:
    """CPU seconds per value of fastavro's random generator (the ceiling, for context)."""
    start = time.process_time()
    for _ in generate_many(parsed, n):
        pass
    return (time.process_time() - start) / n


def schemas() -> dict[str, tuple[str, Any, dict[str, Any]]]:
    """Name: (description, what ours is built from, the resolved JSON the baselines read)."""
    subject = load_catalog(CATALOG).by_subject("telemetry")
    telemetry = subject.versions[-1].schema
    assert telemetry is not None
    report = DEVICE_REPORT.read_text(encoding="utf-8")
    return {
        "telemetry": (
            f"bundled telemetry v{len(subject.versions)}, resolved (timestamp-heavy)",
            telemetry,
            telemetry.to_json(),
        ),
        "device-report": (
            "benchmarks/schemas/device_report.avsc (string/float/bytes/map-heavy)",
            report,
            json.loads(report),
        ),
    }


def main() -> None:
    """Measure every (schema, count), print the table and record each figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--counts", type=int, nargs="+", default=list(COUNTS))
    args = parser.parse_args()
    if args.rounds < 1 or min(args.counts) < 1:
        parser.error("--rounds and --counts take positive numbers")
    cases = schemas()
    built: dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any], Any]] = {
        name: (from_avro_schema(ours), straightforward(resolved), parse_schema(resolved))
        for name, (_, ours, resolved) in cases.items()
    }
    keys = [(name, count) for name in cases for count in args.counts]
    times: dict[tuple[str, int, str], list[float]] = {
        (name, count, side): [] for name, count in keys for side in ("ours", "baseline")
    }
    ratios: dict[tuple[str, int], list[float]] = {key: [] for key in keys}
    ceiling: dict[str, list[float]] = {name: [] for name in cases}
    floor: list[float] = []
    cpu_per_example(st.integers(), min(args.counts), 10_000)

    # The warm-up (strategy caches, hypothesis' own imports) counts the choices, untimed,
    # then runs each strategy once more as the rounds will.
    choices = {
        (name, count, side): choices_per_example(built[name][index], count)
        for name, count in keys
        for index, side in enumerate(("ours", "baseline"))
    }
    for ours, baseline, _ in built.values():
        cpu_per_example(ours, min(args.counts), 10_000)
        cpu_per_example(baseline, min(args.counts), 10_000)
    for round_seed in range(args.rounds):
        for name, count in keys:
            ours, baseline, _ = built[name]
            sides: list[tuple[str, st.SearchStrategy[Any]]] = [
                ("ours", ours),
                ("baseline", baseline),
            ]
            for side, strategy in sides if round_seed % 2 == 0 else sides[::-1]:
                times[name, count, side].append(cpu_per_example(strategy, count, round_seed))
            ratios[name, count].append(
                times[name, count, "baseline"][-1] / times[name, count, "ours"][-1]
            )
        for name in cases:
            ceiling[name].append(generate_many_per_item(built[name][2]))
        floor.append(cpu_per_example(st.integers(), min(args.counts), round_seed))

    _print_table(cases, keys, times, ratios, choices, ceiling, args.rounds)
    print(
        f"hypothesis' own cost per test case (st.integers(), {min(args.counts)} examples): "
        f"{statistics.median(floor) * 1e6:.0f} us, paid by both (context, no target)"
    )
    print()
    for name, count in keys:
        _record(name, count, cases[name][0], times, ratios[name, count], choices, args.rounds)


def _rate(seconds: list[float]) -> float:
    return 1 / statistics.median(seconds)


def _choices(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def _print_table(
    cases: dict[str, tuple[str, Any, dict[str, Any]]],
    keys: list[tuple[str, int]],
    times: dict[tuple[str, int, str], list[float]],
    ratios: dict[tuple[str, int], list[float]],
    choices: dict[tuple[str, int, str], float | None],
    ceiling: dict[str, list[float]],
    rounds: int,
) -> None:
    print(f"CPU time, {rounds} interleaved rounds after a warm-up, seed = round number")
    for name, (description, _, _) in cases.items():
        print(f"  {name}: {description}")
    print()
    header = f"{'schema':14} {'examples':>8} {'ours ex/s':>10} {'base ex/s':>10} "
    print(header + f"{'ratio':>6} {'min..max':>11} {'choices/example':>16}")
    for name, count in keys:
        spread = ratios[name, count]
        shown = f"{_choices(choices[name, count, 'ours'])} / "
        shown += _choices(choices[name, count, "baseline"])
        print(
            f"{name:14} {count:>8} {_rate(times[name, count, 'ours']):>10.0f} "
            f"{_rate(times[name, count, 'baseline']):>10.0f} "
            f"{statistics.median(spread):>6.2f} {min(spread):>5.2f}..{max(spread):<5.2f} "
            f"{shown:>16}"
        )
    print()
    for name in cases:
        best_ours = min(_rate(times[key[0], key[1], "ours"]) for key in keys if key[0] == name)
        print(
            f"fastavro generate_many on {name}: {_rate(ceiling[name]):.0f} values/s, "
            f"{_rate(ceiling[name]) / best_ours:.0f}x ours (context, no target: it neither "
            "shrinks nor reaches edge cases)"
        )
    print()


def _record(
    name: str,
    count: int,
    description: str,
    times: dict[tuple[str, int, str], list[float]],
    ratios: list[float],
    choices: dict[tuple[str, int, str], float | None],
    rounds: int,
) -> None:
    ours, base = _rate(times[name, count, "ours"]), _rate(times[name, count, "baseline"])
    detail = (
        f"{ours:.0f} vs {base:.0f} examples/s (CPU); per-round ratios "
        f"{min(ratios):.2f}..{max(ratios):.2f}; choices per example "
        f"{_choices(choices[name, count, 'ours'])} vs {_choices(choices[name, count, 'baseline'])}"
    )
    record(
        f"strategies-{name}-{count}",
        benchmark="bench_strategies",
        figure=f"from_avro_schema examples/s, {name} schema, {count} examples per run",
        value=statistics.median(ratios),
        unit="x a straightforward strategy",
        target=TARGET,
        inputs={"schema": description, "examples": count, "rounds": rounds},
        detail=detail,
    )


if __name__ == "__main__":
    main()
