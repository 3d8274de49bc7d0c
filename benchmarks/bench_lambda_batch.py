"""A Lambda batch: `decode_kafka_event` with a `Deserializer`, against base64 + fastavro to dict.

The input is what an Amazon MSK event source mapping hands a function: one event of 500 records
over two partitions, each with a coordinate, a timestamp, a base64 key and a base64 framed value,
one record in three carrying a ``traceparent`` header. The measured path is the README's
handler: ``decode_kafka_event(event, deserializer, undecodable="fail")`` with a `Deserializer`
on the latest model whose writer ids come from released ids (no registry). Every record becomes
a typed `KafkaMessage` with its topic, partition, offset, timestamp, key and headers.

The baseline is the floor any consumer pays in the same process, on the same event: for each
record, base64-decode the value, skip its 5-byte header, and read the body into a dict with
``fastavro.schemaless_reader`` (with the writer's parsed schema and, for an older writer, the
latest as reader schema: fastavro's own resolution). The dicts are kept in a list, as a batch
keeps its messages; neither side touches the garbage collector.

Figures, each the median of per-round ratios (baseline time / ours: 1.0 is as fast as the
floor, higher is faster); in each round both sides run ``--inner`` times, alternating, and the
best run of each side is compared:

- ``lambda-batch-heartbeat``: 500 heartbeat records of the latest version (target >= 0.75);
- ``lambda-batch-telemetry``: 500 telemetry records of the latest version (8 readings each);
- ``lambda-batch-heartbeat-mixed``, ``lambda-batch-telemetry-mixed``: half of the records
  written by v1 firmware, half by the latest, alternating.

Run: ``python benchmarks/bench_lambda_batch.py [--rounds 21] [--inner 3] [--records 500]``
"""

from __future__ import annotations

import argparse
import base64
import importlib
import io
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import fastavro

from _serde_common import _value
from _summary import record
from devicecontracts.lambda_events import decode_kafka_event
from devicecontracts.models._manifest import MODULES
from devicecontracts.schema import parse_schema
from devicecontracts.serde import Deserializer, Release, SchemaIds, WriterSchemas

TOPIC = "fleet.devices"
TRACEPARENT = list(b"00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01")
TIMESTAMP = 1_714_521_600_123


@dataclass
class Version:
    """One released version of a contract: its model class, parsed schema and made-up id."""

    contract: str
    number: int
    model: Any
    schema_id: int

    @property
    def parsed(self) -> Any:
        return self.model.parsed_avro_schema()


def versions() -> dict[str, list[Version]]:
    """Every version of the bundled contracts, oldest first, ids 100, 101, ..."""
    found: dict[str, list[Version]] = {}
    for number, entry in enumerate(MODULES.values(), start=100):
        if not entry.get("model"):
            continue
        model = getattr(importlib.import_module(entry["module"]), entry["model"])
        contract = entry["module"].split(".")[-2]
        found.setdefault(contract, []).append(Version(contract, entry["version"], model, number))
    for each in found.values():
        each.sort(key=lambda v: v.number)
    return found


def _major(version: Version) -> int | None:
    """The version's major under a compatibility group (None without one): a record of another
    major is read only through migration rules, which this benchmark does not turn on."""
    module = importlib.import_module(version.model.__module__)
    major: int | None = getattr(module, "AVRO_MAJOR", None)
    return major


def bodies(version: Version, count: int, rng: random.Random) -> list[bytes]:
    """``count`` framed values written by ``version`` (random but valid, deterministic)."""
    schema = parse_schema(version.model.avro_schema_json)
    out = []
    for _ in range(count):
        buffer = io.BytesIO()
        buffer.write(b"\x00" + version.schema_id.to_bytes(4, "big"))
        fastavro.schemaless_writer(buffer, version.parsed, _value(schema.root, rng))
        out.append(buffer.getvalue())
    return out


def lambda_event(values: list[bytes]) -> dict[str, Any]:
    """An MSK event: the values over two partitions, keys, timestamps, some headers."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for index, value in enumerate(values):
        partition = index % 2
        raw = {
            "topic": TOPIC,
            "partition": partition,
            "offset": 1_000_000 + index,
            "timestamp": TIMESTAMP + index,
            "timestampType": "CREATE_TIME",
            "key": base64.b64encode(f"dev-{index % 50}".encode()).decode(),
            "value": base64.b64encode(value).decode(),
            "headers": [{"traceparent": TRACEPARENT}] if index % 3 == 0 else [],
        }
        groups.setdefault(f"{TOPIC}-{partition}", []).append(raw)
    return {
        "eventSource": "aws:kafka",
        "eventSourceArn": "arn:aws:kafka:eu-west-1:123456789012:cluster/fleet/abcd-1",
        "records": groups,
    }


def case(
    contract: str, all_versions: list[Version], records: int, mixed: bool
) -> tuple[dict[str, Any], Callable[[], object], Callable[[], object]]:
    """The event, our decode of it and the baseline's, checked to agree on every record."""
    rng = random.Random(20261204)
    latest, first = all_versions[-1], all_versions[0]
    if mixed:
        old, new = bodies(first, records // 2, rng), bodies(latest, records - records // 2, rng)
        values = [v for pair in zip(old, new, strict=False) for v in pair]
        values += new[len(old) :]
    else:
        values = bodies(latest, records, rng)
    event = lambda_event(values)
    ids = SchemaIds(
        "bench",
        {
            v.schema_id: Release(f"{contract}-value", v.number, v.model.avro_fingerprint)
            for v in all_versions
        },
    )
    deserializer = Deserializer(
        latest.model, schemas=WriterSchemas(ids=ids, models_package="devicecontracts.models")
    )
    writers = {v.schema_id: v.parsed for v in all_versions}
    reader = latest.parsed
    readers = {sid: (None if sid == latest.schema_id else reader) for sid in writers}
    entries = [raw for group in event["records"].values() for raw in group]
    b64decode = base64.b64decode
    schemaless_reader = fastavro.schemaless_reader
    bytes_io = io.BytesIO

    def ours() -> object:
        return decode_kafka_event(event, deserializer, undecodable="fail")

    def baseline() -> object:
        out = []
        for raw in entries:
            data = b64decode(raw["value"])
            schema_id = int.from_bytes(data[1:5], "big")
            body = bytes_io(data[5:])
            out.append(schemaless_reader(body, writers[schema_id], readers[schema_id]))
        return out

    batch: Any = ours()
    assert len(batch.messages) == records and not batch.failures, batch
    dicts: Any = baseline()
    for message, expected in zip(batch.messages, dicts, strict=True):
        assert message.value.model_dump()["header"]["device_id"] == expected["header"]["device_id"]
    return event, ours, baseline


def measure(
    ours: Callable[[], object], baseline: Callable[[], object], rounds: int, inner: int
) -> tuple[list[float], list[float], list[float]]:
    """Per-round seconds of each side (the best of ``inner`` runs, alternating within the
    round, so a burst of load elsewhere hits both) and per-round ratios (baseline / ours)."""
    for _ in range(3):  # warm-up: plans, validators, caches
        ours()
        baseline()
    times_ours, times_base, ratios = [], [], []
    clock = time.perf_counter
    for i in range(rounds):
        best = {ours: float("inf"), baseline: float("inf")}
        for j in range(inner):
            order = (ours, baseline) if (i + j) % 2 == 0 else (baseline, ours)
            for fn in order:
                start = clock()
                fn()
                best[fn] = min(best[fn], clock() - start)
        times_ours.append(best[ours])
        times_base.append(best[baseline])
        ratios.append(best[baseline] / best[ours])
    return times_ours, times_base, ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--inner", type=int, default=3, help="runs per side per round")
    args = parser.parse_args()

    every = versions()
    figures = [
        ("lambda-batch-heartbeat", "heartbeat", False, ">= 0.75"),
        ("lambda-batch-telemetry", "telemetry", False, None),
        ("lambda-batch-heartbeat-mixed", "heartbeat", True, None),
        ("lambda-batch-telemetry-mixed", "telemetry", True, None),
    ]
    for figure_id, contract, mixed, target in figures:
        all_versions = every[contract]
        if mixed:  # old writers read into the newest version of their own major
            all_versions = [v for v in all_versions if _major(v) == _major(all_versions[0])]
        event, ours, baseline = case(contract, all_versions, args.records, mixed)
        size = statistics.median(
            len(raw["value"]) * 3 // 4 - 5 for g in event["records"].values() for raw in g
        )
        t_ours, t_base, ratios = measure(ours, baseline, args.rounds, args.inner)
        us_ours = statistics.median(t_ours) / args.records * 1e6
        us_base = statistics.median(t_base) / args.records * 1e6
        ratio = statistics.median(ratios)
        low, high = sorted(ratios)[len(ratios) // 10], sorted(ratios)[-1 - len(ratios) // 10]
        writers = (
            f"half v{all_versions[0].number}, half v{all_versions[-1].number} (alternating)"
            if mixed
            else f"v{all_versions[-1].number} (latest)"
        )
        print(f"\n{contract}, writers {writers}, {args.records} records, {args.rounds} rounds")
        print(f"  decode_kafka_event + Deserializer     {us_ours:7.2f} us/record")
        print(f"  base64 + fastavro body -> dict        {us_base:7.2f} us/record")
        print(f"  ratio (baseline / ours), median       {ratio:7.3f}")
        print(f"  per-round ratios p10..p90             {low:.2f}..{high:.2f}")
        record(
            figure_id,
            benchmark="bench_lambda_batch",
            figure=f"Lambda MSK batch of {contract}, {'oldest/newest mix' if mixed else 'latest'}: "
            "decode_kafka_event + Deserializer, ratio to base64 + fastavro body to dict",
            value=ratio,
            unit="x base64 + fastavro to dict",
            target=target,
            inputs={
                "schema": f"bundled {contract}, writers {writers}",
                "records": args.records,
                "median body bytes": size,
                "headers": "traceparent on 1 record in 3",
                "rounds": f"{args.rounds} (best of {args.inner} runs per side in each)",
            },
            detail=f"{us_ours:.1f} vs {us_base:.1f} us/record; per-round ratios p10..p90 "
            f"{low:.2f}..{high:.2f}",
        )


if __name__ == "__main__":
    main()
