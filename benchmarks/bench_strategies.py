"""Examples per second of ``from_avro_schema`` on the telemetry schema, against two baselines.

Baselines, measured in the same run on the same resolved schema (latest telemetry version,
shared types inlined):

* a straightforward recursive hypothesis strategy, written here the way one writes it first:
  ``fixed_dictionaries`` for records, ``one_of`` for unions, ``sampled_from`` for enums,
  ``lists``/``dictionaries`` of at most 8 items (as ours), ``st.datetimes()`` truncated to the
  millisecond for timestamps, ``st.uuids()``; no filtering;
* fastavro's ``generate_many``: random values, no shrinking, no edge cases (the ceiling).

Both hypothesis strategies are driven through ``@given`` as a test suite drives them: 100
examples per run, generate phase only, no database, no deadline. CPU time (``process_time``,
so other processes on a shared machine disturb it less), medians of interleaved rounds; round
``i`` runs both strategies with hypothesis seed ``i``, so reruns generate the same examples and
differ only by machine noise.
Target: at least 2x the straightforward strategy.

Run: ``python benchmarks/bench_strategies.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
from fastavro import parse_schema
from fastavro.utils import generate_many
from hypothesis import HealthCheck, Phase, given, seed, settings

from devicecontracts.catalog import load_catalog
from devicecontracts.testing import from_avro_schema

CATALOG = Path(__file__).resolve().parent.parent / "schemas"
EXAMPLES = 100
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


def per_example(strategy: st.SearchStrategy[Any], run_seed: int = 0) -> float:
    """CPU seconds per example of one @given run of EXAMPLES examples with an empty body."""

    @seed(run_seed)
    @settings(
        max_examples=EXAMPLES,
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
    return (time.process_time() - start) / EXAMPLES


def generate_many_per_item(parsed: Any, n: int = 2000) -> float:
    start = time.process_time()
    for _ in generate_many(parsed, n):
        pass
    return (time.process_time() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    rounds = parser.parse_args().rounds

    telemetry = load_catalog(CATALOG).by_subject("telemetry").versions[-1].schema
    assert telemetry is not None
    resolved = telemetry.to_json()
    ours = from_avro_schema(telemetry)
    naive = straightforward(resolved)
    parsed = parse_schema(resolved)

    timings: dict[str, list[float]] = {"ours": [], "straightforward": [], "generate_many": []}
    per_example(ours), per_example(naive)  # warm-up: strategy caches, imports
    for round_seed in range(rounds):
        timings["ours"].append(per_example(ours, round_seed))
        timings["straightforward"].append(per_example(naive, round_seed))
        timings["generate_many"].append(generate_many_per_item(parsed))
    median = {name: statistics.median(values) for name, values in timings.items()}

    print(
        f"telemetry v{len(load_catalog(CATALOG).by_subject('telemetry').versions)} "
        f"(resolved), {EXAMPLES} examples per @given run, median of {rounds} rounds"
    )
    print(f"{'generator':<34}{'us/example':>12}{'examples/s':>12}")
    for name, label in (
        ("ours", "from_avro_schema"),
        ("straightforward", "straightforward recursive strategy"),
        ("generate_many", "fastavro generate_many"),
    ):
        seconds = median[name]
        print(f"{label:<34}{seconds * 1e6:>12.0f}{1 / seconds:>12.0f}")
    vs_naive = median["straightforward"] / median["ours"]
    vs_fastavro = median["generate_many"] / median["ours"]
    print(f"ratio from_avro_schema / straightforward: {vs_naive:.2f}x (target >= 2.0x)")
    print(
        f"ratio from_avro_schema / generate_many:   {vs_fastavro:.3f}x (no target: "
        "generate_many does not shrink or reach edge cases)"
    )


if __name__ == "__main__":
    main()
