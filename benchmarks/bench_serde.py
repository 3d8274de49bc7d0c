"""Typed model -> Confluent-framed bytes -> typed model, against two baselines, same run.

For telemetry, heartbeat and a large config-like message (256 deterministic samples each), one
round trip per message through:

* **raw fastavro** on the equivalent dicts (the baseline): header + ``schemaless_writer``,
  then magic-byte check, id lookup in a dict and ``schemaless_reader`` (the practical limit);
* **devicecontracts**: ``Serializer.encode`` then ``Deserializer.decode`` with the writer
  schema resolved by id (ids from the environment's released ids, no registry);
* **confluent-kafka**: ``AvroSerializer`` with the ``to_dict`` hook, then ``AvroDeserializer``
  with ``from_dict`` (in-memory mock registry, schema registered on the first call).

Cases run interleaved (the starting case rotates each round), ``gc.collect()`` before each
sample, and the ratios are medians of per-round throughput ratios, so a noisy machine moves
them little. Targets: at least 0.8x raw fastavro's throughput; at least 2x confluent-kafka's.

Run: ``python benchmarks/bench_serde.py [--rounds 7] [--sample-seconds 0.2]``
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import time
from collections.abc import Callable

import fastavro

from _serde_common import MessageType, message_types
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

SCHEMA_ID = 1
TARGET_RAW = 0.8
TARGET_CONFLUENT = 2.0


def raw_case(kind: MessageType) -> Callable[[], None]:
    """dict -> framed bytes -> dict with fastavro alone: the limit of the Python stack."""
    parsed = kind.model.parsed_avro_schema()
    prefix = header(SCHEMA_ID)
    by_id = {SCHEMA_ID: parsed}
    dicts = kind.dicts
    writer, reader = fastavro.schemaless_writer, fastavro.schemaless_reader

    def run() -> None:
        for datum in dicts:
            out = io.BytesIO()
            out.write(prefix)
            writer(out, parsed, datum)
            value = out.getvalue()
            if value[0] != 0:
                raise ValueError("magic byte")
            source = io.BytesIO(value)
            source.seek(5)
            reader(source, by_id[int.from_bytes(value[1:5], "big")], None, return_named_type=True)

    return run


def ours_case(kind: MessageType) -> Callable[[], None]:
    """model -> Serializer.encode -> Deserializer.decode -> model."""
    ids = SchemaIds("bench", {SCHEMA_ID: Release(kind.name, 1, kind.model.avro_fingerprint)})
    schemas = WriterSchemas(ids=ids, models=[kind.model], models_package=None)
    encode = Serializer(schemas).encode
    decode = Deserializer(kind.model, schemas=schemas).decode
    messages = kind.messages

    def run() -> None:
        for message in messages:
            decode(encode(message))

    return run


def confluent_case(kind: MessageType) -> Callable[[], None]:
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

    def run() -> None:
        for message in messages:
            deserialize(serialize(message, ctx), ctx)

    return run


def check_equivalent(kind: MessageType, cases: dict[str, Callable[[], None]]) -> None:
    """Every path round-trips the samples to equal values (a benchmark of wrong code is moot)."""
    ours = Serializer(
        WriterSchemas(
            ids=SchemaIds("x", {SCHEMA_ID: Release("x", 1, kind.model.avro_fingerprint)}),
            models_package=None,
        )
    )
    decoder = Deserializer(kind.model, schemas=ours.schemas)
    for message in kind.messages[:16]:
        assert decoder.decode(ours.encode(message)) == message
    for run in cases.values():
        run()  # warm-up, and the confluent serializer registers its schema


def conversion_us(kind: MessageType) -> tuple[float, float]:
    """The model's own costs inside a round trip: dumping for the writer, validating the read."""
    parsed = kind.model.parsed_avro_schema()
    reads = []
    for datum in kind.dicts:
        out = io.BytesIO()
        fastavro.schemaless_writer(out, parsed, datum)
        reads.append(fastavro.schemaless_reader(io.BytesIO(out.getvalue()), parsed))
    messages, validate = kind.messages, kind.model.model_validate

    def dump() -> None:
        for message in messages:
            message.to_avro_dict()

    def check() -> None:
        for read in reads:
            validate(read)

    return tuple(  # type: ignore[return-value]
        min(per_message_seconds(run, 1, len(messages)) for _ in range(9)) * 1e6
        for run in (dump, check)
    )


def per_message_seconds(run: Callable[[], None], loops: int, count: int) -> float:
    gc.collect()
    start = time.perf_counter()
    for _ in range(loops):
        run()
    return (time.perf_counter() - start) / (loops * count)


def measure(
    cases: dict[str, Callable[[], None]], count: int, rounds: int, sample_seconds: float
) -> dict[str, list[float]]:
    """Seconds per message of each case, one sample per round, cases interleaved."""
    loops = {
        name: max(1, round(sample_seconds / (per_message_seconds(run, 1, count) * count)))
        for name, run in cases.items()
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            samples[name].append(per_message_seconds(cases[name], loops[name], count))
    return samples


def ratio(baseline: list[float], case: list[float]) -> float:
    """Median per-round throughput ratio of ``case`` over ``baseline``."""
    return statistics.median(b / c for b, c in zip(baseline, case, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sample-seconds", type=float, default=0.2)
    args = parser.parse_args()

    print("round trip: model -> framed bytes -> model, µs per message (median of rounds)")
    print(
        f"{'message':10} {'raw fastavro':>13} {'ours':>9} {'confluent':>10}"
        f" {'ours/raw':>9} {'ours/confluent':>15}"
    )
    verdicts = []
    breakdowns: list[tuple[MessageType, float, float]] = []
    for kind in message_types():
        cases = {
            "raw": raw_case(kind),
            "ours": ours_case(kind),
            "confluent": confluent_case(kind),
        }
        check_equivalent(kind, cases)
        samples = measure(cases, len(kind.messages), args.rounds, args.sample_seconds)
        us = {name: statistics.median(s) * 1e6 for name, s in samples.items()}
        vs_raw = ratio(samples["raw"], samples["ours"])
        vs_confluent = ratio(samples["confluent"], samples["ours"])
        print(
            f"{kind.name:10} {us['raw']:13.1f} {us['ours']:9.1f} {us['confluent']:10.1f}"
            f" {vs_raw:8.2f}x {vs_confluent:14.2f}x"
        )
        verdicts.append((kind.name, vs_raw, vs_confluent))
        breakdowns.append((kind, us["raw"], us["ours"]))
    print()
    for name, vs_raw, vs_confluent in verdicts:
        raw_ok = "meets" if vs_raw >= TARGET_RAW else "MISSES"
        confluent_ok = "meets" if vs_confluent >= TARGET_CONFLUENT else "MISSES"
        print(
            f"{name}: {vs_raw:.3f}x raw fastavro ({raw_ok} the {TARGET_RAW}x target); "
            f"{vs_confluent:.3f}x confluent-kafka ({confluent_ok} the {TARGET_CONFLUENT}x target)"
        )
    print()
    print("where the typed path's extra time goes, µs per message (best of 9 runs):")
    print(f"{'message':10} {'to_avro_dict':>13} {'model_validate':>15} {'serde overhead':>15}")
    for kind, raw_us, ours_us in breakdowns:
        models_us = conversion_us(kind)
        overhead = ours_us - raw_us - sum(models_us)
        print(f"{kind.name:10} {models_us[0]:13.1f} {models_us[1]:15.1f} {overhead:15.1f}")


if __name__ == "__main__":
    main()
