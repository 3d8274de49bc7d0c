"""Benchmark: FULL_TRANSITIVE check of a synthetic 200 subjects x 10 versions catalog.

Ours (``devicecontracts``: parse from JSON text, then every version against every earlier one
in both directions) against the ``avro`` package's checker on the same pairs, parsing included,
measured in the same run. Prints both times and the speed-up. Targets: at least 20x faster, and
under half a second for our whole run.

Run: ``python benchmarks/bench_compatibility.py [--subjects 200] [--versions 10] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from typing import Any

from devicecontracts.schema import parse_schema
from devicecontracts.schema.compatibility import (
    CompatibilityCache,
    CompatibilityLevel,
    check_parsed,
)

FULL_TRANSITIVE = CompatibilityLevel.FULL_TRANSITIVE


def synthetic_history(rng: random.Random, subject: int, versions: int) -> list[str]:
    """A realistic history: a device record evolved by safe changes, as JSON texts."""
    ns = f"com.example.fleet.s{subject}"
    status = {
        "type": "enum",
        "name": "Status",
        "doc": "Operating state.",
        "symbols": ["UNKNOWN", "OK", "DEGRADED"],
        "default": "UNKNOWN",
    }
    reading = {
        "type": "record",
        "name": "Reading",
        "doc": "One sensor reading.",
        "fields": [
            {"name": "sensor_id", "type": "string", "doc": "Sensor."},
            {"name": "value", "type": "double", "doc": "Value."},
            {"name": "unit", "type": "string", "doc": "Unit.", "default": ""},
        ],
    }
    fields: list[dict[str, Any]] = [
        {"name": "device_id", "type": "string", "doc": "Device."},
        {
            "name": "sent_at",
            "type": {"type": "long", "logicalType": "timestamp-millis"},
            "doc": "Send time.",
        },
        {"name": "sequence", "type": "long", "doc": "Sequence number."},
        {"name": "status", "type": status, "doc": "State."},
        {
            "name": "readings",
            "type": {"type": "array", "items": reading},
            "doc": "Readings.",
            "default": [],
        },
        {
            "name": "tags",
            "type": {"type": "map", "values": "string"},
            "doc": "Tags.",
            "default": {},
        },
    ]
    for i in range(rng.randint(2, 8)):
        fields.append(
            {
                "name": f"extra_{i}",
                "type": rng.choice(["int", "long", "double", "string", "boolean"]),
                "doc": "Extra.",
            }
        )
    record = {
        "type": "record",
        "name": "Message",
        "namespace": ns,
        "doc": "A device message.",
        "fields": fields,
    }
    texts = [json.dumps(record)]
    for v in range(2, versions + 1):
        change = rng.choice(["optional", "symbol", "nested", "defaulted"])
        if change == "optional":
            fields.append(
                {"name": f"opt_{v}", "type": ["null", "int"], "default": None, "doc": "Optional."}
            )
        elif change == "symbol":
            status["symbols"].append(f"STATE_{v}")
        elif change == "nested":
            reading["fields"].append(
                {
                    "name": f"quality_{v}",
                    "type": ["null", "float"],
                    "default": None,
                    "doc": "Quality.",
                }
            )
        else:
            fields.append({"name": f"count_{v}", "type": "long", "default": 0, "doc": "Count."})
        texts.append(json.dumps(record))
    return texts


def run_ours(catalog: list[list[str]]) -> int:
    """Parse every version from text and check it FULL_TRANSITIVE; the number of failures."""
    failures = 0
    for history in catalog:
        parsed = [parse_schema(text) for text in history]
        cache = CompatibilityCache()  # one per subject, as `contracts check` does
        for k in range(1, len(parsed)):
            if not check_parsed(parsed[k], parsed[:k], FULL_TRANSITIVE, cache=cache).compatible:
                failures += 1
    return failures


def run_avro(catalog: list[list[str]]) -> int:
    """The same with the avro package: parse, then reader/writer checks both ways."""
    import avro.schema
    from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

    failures = 0
    for history in catalog:
        parsed = [avro.schema.parse(text) for text in history]
        for k in range(1, len(parsed)):
            ok = True
            for old in parsed[:k]:
                for reader, writer in ((parsed[k], old), (old, parsed[k])):
                    result = ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
                    if result.compatibility is not SchemaCompatibilityType.compatible:
                        ok = False
            failures += not ok
    return failures


def timed(func: Any, catalog: list[list[str]], rounds: int) -> tuple[float, int]:
    times, result = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        result = func(catalog)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=200)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(20261125)
    catalog = [synthetic_history(rng, s, args.versions) for s in range(args.subjects)]
    pairs = args.subjects * args.versions * (args.versions - 1)  # both directions
    ours, ours_failures = timed(run_ours, catalog, args.rounds)
    theirs, their_failures = timed(run_avro, catalog, max(1, args.rounds // 2))
    if ours_failures != their_failures:
        raise SystemExit(f"verdicts differ: ours {ours_failures}, avro {their_failures}")
    print(
        f"catalog: {args.subjects} subjects x {args.versions} versions, FULL_TRANSITIVE, "
        f"{pairs} reader/writer checks, parsing included"
    )
    print(f"devicecontracts: {ours * 1000:8.1f} ms ({pairs / ours:,.0f} checks/s)")
    print(f"avro package:    {theirs * 1000:8.1f} ms ({pairs / theirs:,.0f} checks/s)")
    print(
        f"ratio: devicecontracts is {theirs / ours:.1f}x faster than the avro package "
        "(target >= 20x; whole run target < 500 ms)"
    )


if __name__ == "__main__":
    main()
