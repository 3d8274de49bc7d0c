"""Typed decode and encode against raw fastavro, and a round trip against confluent-kafka.

Inputs: the catalog's telemetry, heartbeat and command models (the newest version of each
contract's first major; 256 deterministic messages each, plus 256 of each contract's first
version for the older writer) and the large config-like message of ``benchmarks/schemas`` (one
version). Figures, each a median of per-round
throughput ratios (>1: ours is faster):

* ``decode-same-<name>``: ``Deserializer.decode`` of framed values written with the model's own
  schema, against fastavro alone reading the same framed values to dicts (magic byte, id
  lookup in a dict, ``schemaless_reader``): the floor of any typed result. Target >= 0.85.
* ``decode-older-<name>``: values written with the first version, read into the model,
  against fastavro's own schema resolution of the same values to dicts. Target >= 1.5.
* ``encode-<name>``: ``Serializer.encode`` of the models, against fastavro writing the same
  messages as dicts (what fastavro reads back for them: datetimes, UUIDs, named union branches)
  to framed values. Target >= 0.95.
* ``straightforward-<name>``: the same decode against the loop a team writes by hand
  (fastavro to a dict, then ``model_validate``), for the types whose models take fastavro's
  plain dicts. Measured, no target.
* ``confluent-<name>``: model -> framed value -> model through our serde, against
  confluent-kafka's ``AvroSerializer``/``AvroDeserializer`` with the ``to_dict``/``from_dict``
  hooks (in-memory mock registry). Measured, no target.

Cases of one message type run interleaved (the starting case rotates each round), each sample
after ``gc.collect()`` (the inputs frozen out of the collector's reach first: ``gc.freeze``),
timed in process CPU time, which other processes on a shared machine
disturb less than wall time. Every path is first checked to give equal results.

Run: ``python benchmarks/bench_serde.py [--rounds 19] [--sample-seconds 0.04] [--no-config]``
"""

from __future__ import annotations

import argparse
import gc
import importlib
import io
import statistics
import time
from collections.abc import Callable
from typing import Any

import fastavro

from _serde_common import SAMPLES, MessageType, message_types
from _summary import record
from devicecontracts._runtime.wire import header
from devicecontracts.serde import (
    Deserializer,
    Release,
    SchemaIds,
    Serializer,
    WriterSchemas,
    from_dict,
    to_dict,
)

BENCHMARK = "bench_serde"
LATEST_ID, OLDER_ID = 1, 2
TARGETS = {"decode-same": ">= 0.85", "decode-older": ">= 1.5", "encode": ">= 0.95"}
Case = Callable[[], object]


def framed_values(model: Any, messages: list[Any], schema_id: int) -> list[bytes]:
    """The messages as framed values, written by fastavro with the model's own schema."""
    parsed = model.parsed_avro_schema()
    values = []
    for message in messages:
        out = io.BytesIO()
        out.write(header(schema_id))
        fastavro.schemaless_writer(out, parsed, message.to_avro_dict())
        values.append(out.getvalue())
    return values


def fastavro_reads(values: list[bytes], writers: dict[int, tuple[Any, Any]]) -> Case:
    """Framed values to dicts with fastavro alone: magic byte, id lookup, reader."""
    reader = fastavro.schemaless_reader

    def run() -> None:
        for value in values:
            if value[0] != 0:
                raise ValueError("magic byte")
            writer, reader_schema = writers[int.from_bytes(value[1:5], "big")]
            body = io.BytesIO(value)
            body.seek(5)
            reader(body, writer, reader_schema)

    return run


def straightforward_decodes(values: list[bytes], parsed: Any, model: Any) -> Case | None:
    """The loop a team writes by hand: magic byte, fastavro to a dict, ``model_validate``.
    None when the model cannot validate fastavro's plain dicts (named union branches)."""
    reader, validate = fastavro.schemaless_reader, model.model_validate
    try:
        for value in values[:16]:
            body = io.BytesIO(value)
            body.seek(5)
            validate(reader(body, parsed, None))
    except ValueError:
        return None

    def run() -> None:
        for value in values:
            if value[0] != 0:
                raise ValueError("magic byte")
            body = io.BytesIO(value)
            body.seek(5)
            validate(reader(body, parsed, None))

    return run


def ours_decodes(values: list[bytes], decode: Callable[[bytes], object]) -> Case:
    def run() -> None:
        for value in values:
            decode(value)

    return run


def cases(kind: MessageType) -> tuple[dict[str, Case], list[str]]:
    """Every case of one message type (checked for equal results first), and the figures."""
    model = kind.model
    parsed = model.parsed_avro_schema()
    releases = {LATEST_ID: Release(kind.subject, 9, model.avro_fingerprint)}
    writers: dict[int, tuple[Any, Any]] = {LATEST_ID: (parsed, None)}
    if kind.older is not None:
        releases[OLDER_ID] = Release(kind.subject, 1, kind.older.avro_fingerprint)
        writers[OLDER_ID] = (kind.older.parsed_avro_schema(), parsed)
    schemas = WriterSchemas(
        ids=SchemaIds("bench", releases),
        models=[model] + ([kind.older] if kind.older is not None else []),
        models_package=None,
    )
    decode = Deserializer(model, schemas=schemas).decode
    encode = Serializer(schemas).encode
    latest = framed_values(model, kind.messages, LATEST_ID)
    prefix = header(LATEST_ID)
    # The floor of encoding: fastavro writing each message as the dict it reads back.
    dicts = [
        fastavro.schemaless_reader(io.BytesIO(v[5:]), parsed, None, return_named_type=True)
        for v in latest
    ]
    writer = fastavro.schemaless_writer

    def fastavro_writes() -> None:
        for datum in dicts:
            out = io.BytesIO()
            out.write(prefix)
            writer(out, parsed, datum)
            out.getvalue()

    messages = kind.messages

    def ours_encodes() -> None:
        for message in messages:
            encode(message)

    def ours_round_trip() -> None:
        for message in messages:
            decode(encode(message))

    confluent = confluent_round_trip(kind)
    for value, message, datum in zip(latest, messages, dicts, strict=True):
        assert decode(value) == message
        assert encode(message) == value
        out = io.BytesIO()
        out.write(prefix)
        writer(out, parsed, datum)
        assert out.getvalue() == value
    found: dict[str, Case] = {
        "fastavro read": fastavro_reads(latest, writers),
        "ours decode": ours_decodes(latest, decode),
        "fastavro write": fastavro_writes,
        "ours encode": ours_encodes,
        "confluent round trip": confluent,
        "ours round trip": ours_round_trip,
    }
    figures = ["decode-same", "encode", "confluent"]
    straightforward = straightforward_decodes(latest, parsed, model)
    if straightforward is not None:
        found["straightforward decode"] = straightforward
        figures.insert(1, "straightforward")
    if kind.older is not None:
        older = framed_values(kind.older, kind.older_messages, OLDER_ID)
        resolve = fastavro.schemaless_reader
        for value in older:
            body = io.BytesIO(value)
            body.seek(5)
            assert decode(value) == model.model_validate(resolve(body, *writers[OLDER_ID]))
        found["fastavro resolve"] = fastavro_reads(older, writers)
        found["ours decode older"] = ours_decodes(older, decode)
        figures.insert(1, "decode-older")
    return found, figures


def confluent_round_trip(kind: MessageType) -> Case:
    """confluent-kafka's AvroSerializer/AvroDeserializer with the model hooks."""
    from confluent_kafka.schema_registry._sync.mock_schema_registry_client import (
        MockSchemaRegistryClient,
    )
    from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
    from confluent_kafka.serialization import MessageField, SerializationContext

    client = MockSchemaRegistryClient({"url": f"mock://bench-{kind.name}"})
    schema = kind.model.avro_schema_json
    serialize = AvroSerializer(client, schema, to_dict=to_dict)
    deserialize = AvroDeserializer(
        client, schema, from_dict=from_dict(kind.model), return_record_name=True
    )
    ctx = SerializationContext(f"bench.{kind.name}", MessageField.VALUE)
    messages = kind.messages
    for message in messages[:16]:
        assert deserialize(serialize(message, ctx), ctx) == message

    def run() -> None:
        for message in messages:
            deserialize(serialize(message, ctx), ctx)

    return run


def sample(run: Case, loops: int) -> float:
    gc.collect()
    start = time.process_time()
    for _ in range(loops):
        run()
    return time.process_time() - start


def measure(
    found: dict[str, Case], count: int, rounds: int, sample_seconds: float
) -> dict[str, list[float]]:
    """CPU seconds per message of each case, one sample per round, cases interleaved."""
    gc.collect()
    gc.freeze()  # the samples, dicts and values live on: no sample's collection walks them
    loops = {}
    for name, run in found.items():
        run()  # warm-up
        loops[name] = max(1, round(sample_seconds / max(sample(run, 1), 1e-6)))
    seconds: dict[str, list[float]] = {name: [] for name in found}
    names = list(found)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            seconds[name].append(sample(found[name], loops[name]) / (loops[name] * count))
    return seconds


def ratio(baseline: list[float], case: list[float]) -> tuple[float, float, float]:
    """Median, min and max of the per-round throughput ratios of ``case`` over ``baseline``."""
    ratios = [b / c for b, c in zip(baseline, case, strict=True)]
    return statistics.median(ratios), min(ratios), max(ratios)


FIGURES = {  # id prefix: (ours, baseline, figure, unit)
    "decode-same": (
        "ours decode",
        "fastavro read",
        "typed decode, same version, vs fastavro body to dict",
        "x fastavro",
    ),
    "decode-older": (
        "ours decode older",
        "fastavro resolve",
        "typed decode, first-version writer into the newest model of its major, vs fastavro's "
        "resolution",
        "x fastavro",
    ),
    "encode": (
        "ours encode",
        "fastavro write",
        "encode, model to framed bytes, vs fastavro dict to framed bytes",
        "x fastavro",
    ),
    "straightforward": (
        "ours decode",
        "straightforward decode",
        "typed decode, same version, vs the hand-written loop: fastavro to dict, model_validate",
        "x fastavro+model_validate",
    ),
    "confluent": (
        "ours round trip",
        "confluent round trip",
        "round trip model-bytes-model vs confluent-kafka's serializers with to_dict/from_dict",
        "x confluent-kafka",
    ),
}


def _version(model: Any) -> str:
    """The model's version number (its module's ``AVRO_VERSION``), or "latest" for a model of
    no catalog version (the config-like message)."""
    version = getattr(importlib.import_module(model.__module__), "AVRO_VERSION", None)
    return f"v{version}" if version is not None else "(latest)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=19)
    parser.add_argument("--sample-seconds", type=float, default=0.04)
    parser.add_argument("--no-config", action="store_true", help="skip the config-like message")
    args = parser.parse_args()
    if args.rounds < 1 or args.sample_seconds <= 0:
        parser.error("--rounds and --sample-seconds must be positive")
    print(
        f"bench_serde: {SAMPLES} messages per type, {args.rounds} interleaved rounds of "
        f"~{args.sample_seconds}s per case, process CPU time; ratios are medians of per-round "
        "ratios (min..max), >1 = ours faster"
    )
    for kind in message_types(config=not args.no_config):
        found, figures = cases(kind)
        seconds = measure(found, len(kind.messages), args.rounds, args.sample_seconds)
        schema = f"{kind.model.avro_name} {_version(kind.model)}"
        print(f"\n{kind.name}: {schema}")
        for prefix in figures:
            ours, baseline, figure, unit = FIGURES[prefix]
            median, low, high = ratio(seconds[baseline], seconds[ours])
            ours_us = statistics.median(seconds[ours]) * 1e6
            base_us = statistics.median(seconds[baseline]) * 1e6
            inputs: dict[str, Any] = {"schema": schema, "messages": len(kind.messages)}
            if prefix == "decode-older":
                inputs["writer"] = f"{kind.older.avro_name} v1"
            inputs["rounds"] = args.rounds
            target = TARGETS.get(prefix) if kind.older is not None else None
            record(
                f"{prefix}-{kind.name}",
                benchmark=BENCHMARK,
                figure=figure,
                value=median,
                unit=unit,
                target=target,
                inputs=inputs,
                detail=(
                    f"{ours_us:.1f} vs {base_us:.1f} µs per message (CPU, median); "
                    f"per-round ratios {low:.2f}..{high:.2f}"
                ),
            )


if __name__ == "__main__":
    main()
