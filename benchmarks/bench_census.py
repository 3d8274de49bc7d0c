"""Benchmark: ``contracts census`` header-only throughput against a bare confluent-kafka loop.

Inputs: a topic on librdkafka's mock cluster (3 brokers, in this process), 4 partitions,
200,000 small records (a 5-byte Confluent header and a 15-byte body; 6 schema ids, one of
them unknown, and 1 in 100 records unframed JSON), each with a timestamp.

Both sides read the first 80,000 records (40%) from the beginning with a new consumer each
round (partitions assigned, ``enable.partition.eof``), metadata request and close included:

* baseline: ``consumer.consume(num_messages=1000)`` in a loop, touching each record's
  ``value()``, nothing else, until it has the records;
* census: `devicecontracts.census.reader.run_census` with ``max_messages``, header-only (no
  ``--verify``), ids mapped by an in-memory table, the report built.

Why not to the end: past about 25,000 records into a partition, the mock cluster's fetches
stall, now and then, for 0.5 s twice (measured with librdkafka's fetch debug log, for the bare
loop as for the census, whatever ``fetch.wait.max.ms``): a run that hits it takes 1.1 s instead
of 0.3 s, which would make the figure a measure of the mock's stalls rather than of either
reader. The first 80,000 records (20,000 a partition) never hit it.

Rounds are interleaved (baseline, census, baseline, ...). Figures:

* ``census-throughput``: the median of the per-round ratios of records per second (census over
  baseline). Target >= 0.8 (issue 16).
* ``census-cpu-per-record``: the same ratio in records per CPU second of the whole process
  (the mock brokers' threads included on both sides), no target: reading is mostly waiting on
  the brokers, and this says what the census's own work costs beside a loop that does none.

Run: ``python benchmarks/bench_census.py [--rounds 21] [--messages 200000] [--read 80000]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from _summary import record

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition  # noqa: E402

from devicecontracts.census.reader import BATCH, CensusOptions, run_census  # noqa: E402

BENCHMARK = "bench_census"
TOPIC = "bench.census"
PARTITIONS = 4  # the mock cluster's partitions for an auto-created topic
QUIET = {"log_level": 3}
IDS = (101, 102, 103, 201, 202)
UNKNOWN = 999


class _Ids:
    """An in-memory id map: the benchmark measures reading, not the lock."""

    environment = "bench"
    registry = None

    def resolve(self, ids: Iterable[int], topic: str) -> dict[int, tuple[str, int]]:
        return {i: (f"subject-{i // 100}", i % 100) for i in ids if i in IDS}

    def writer_schema(self, schema_id: int) -> Any:
        return None

    def close(self) -> None:
        pass


def fill(bootstrap: str, messages: int) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, **QUIET})
    producer.list_topics(TOPIC, timeout=10)
    ids = (*IDS, UNKNOWN)
    for n in range(messages):
        if n % 100 == 99:
            value = b'{"device_id": "d-1"}'
        else:
            value = b"\x00" + ids[n % len(ids)].to_bytes(4, "big") + b"x" * 15
        while True:
            try:
                producer.produce(
                    TOPIC, value, partition=n % PARTITIONS, timestamp=1_700_000_000_000 + n
                )
                break
            except BufferError:
                producer.poll(0.05)
    assert producer.flush(60) == 0, "records left unsent"


def bare(bootstrap: str, wanted: int) -> tuple[float, float, int]:
    """The baseline: wall and CPU seconds to read every record touching ``value()``, and the
    count."""
    start, cpu = time.perf_counter(), time.process_time()
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "bench-bare",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            **QUIET,
        }
    )
    consumer.list_topics(TOPIC, timeout=10)
    consumer.assign([TopicPartition(TOPIC, p, 0) for p in range(PARTITIONS)])
    eof: set[int] = set()
    count = 0
    while len(eof) < PARTITIONS and count < wanted:
        for m in consumer.consume(num_messages=min(BATCH, wanted - count), timeout=0.5):
            error = m.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    eof.add(m.partition())
                continue
            m.value()
            count += 1
    consumer.close()
    return time.perf_counter() - start, time.process_time() - cpu, count


def census(bootstrap: str, wanted: int) -> tuple[float, float, int]:
    start, cpu = time.perf_counter(), time.process_time()
    report = run_census(CensusOptions(TOPIC, bootstrap, max_messages=wanted), _Ids())
    return time.perf_counter() - start, time.process_time() - cpu, report.total().count


def ratios_text(ratios: list[float]) -> str:
    return " ".join(f"{r:.2f}" for r in ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--read", type=int, default=80_000)
    args = parser.parse_args()
    if args.rounds < 1 or args.messages < PARTITIONS or args.read < 1:
        parser.error("--rounds and --read must be positive and --messages at least 4")
    owner = Producer({"test.mock.num.brokers": 3, **QUIET})
    brokers = owner.list_topics(timeout=10).brokers
    bootstrap = ",".join(f"{b.host}:{b.port}" for b in brokers.values())
    fill(bootstrap, args.messages)
    wanted = min(args.read, args.messages)
    bare(bootstrap, wanted)  # warm-up: page in the cluster's log and both code paths
    census(bootstrap, wanted)
    ratios, cpu_ratios, bare_s, census_s, bare_cpu, census_cpu = [], [], [], [], [], []
    for _ in range(args.rounds):
        b_time, b_cpu, b_count = bare(bootstrap, wanted)
        c_time, c_cpu, c_count = census(bootstrap, wanted)
        if b_count != wanted or c_count != wanted:
            raise SystemExit(f"read {b_count} (bare) and {c_count} (census) of {wanted}")
        bare_s.append(b_time)
        census_s.append(c_time)
        ratios.append(b_time / c_time)  # records per second, census over bare
        cpu_ratios.append(b_cpu / c_cpu)  # records per CPU second, census over bare
        bare_cpu.append(b_cpu)
        census_cpu.append(c_cpu)
    owner.flush(5)
    ratio = statistics.median(ratios)
    cpu_ratio = statistics.median(cpu_ratios)
    b_med, c_med = statistics.median(bare_s), statistics.median(census_s)
    print(
        f"bench_census: {args.messages:,} records of 20 bytes, {PARTITIONS} partitions, "
        f"mock cluster of 3 brokers, {args.rounds} interleaved rounds"
    )
    print(f"  reading the first {wanted:,} of them, from the beginning")
    print(f"  bare consume loop  {b_med:6.3f} s  {wanted / b_med:12,.0f} records/s")
    print(f"  contracts census   {c_med:6.3f} s  {wanted / c_med:12,.0f} records/s")
    print(
        f"  ratio (census / bare, records per second): {ratio:.3f} "
        f"(per round: {ratios_text(ratios)})"
    )
    print(f"  ratio per CPU second (the process, brokers included): {cpu_ratio:.3f}")
    record(
        "census-throughput",
        benchmark=BENCHMARK,
        figure="contracts census header-only throughput vs a bare confluent-kafka consume loop",
        value=ratio,
        unit="x bare consume loop",
        target=">= 0.8",
        inputs={
            "records": args.messages,
            "read": wanted,
            "value": "5-byte header + 15 bytes, 6 ids (1 unknown), 1% JSON",
            "partitions": PARTITIONS,
            "cluster": "librdkafka mock, 3 brokers",
            "rounds": args.rounds,
        },
        detail=f"median {c_med:.3f} s census vs {b_med:.3f} s bare per read; per-round "
        f"ratios {min(ratios):.2f} to {max(ratios):.2f}",
    )
    record(
        "census-cpu-per-record",
        benchmark=BENCHMARK,
        figure="contracts census header-only records per CPU second vs a bare consume loop",
        value=cpu_ratio,
        unit="x bare consume loop",
        target=None,
        inputs={"records": args.messages, "read": wanted, "rounds": args.rounds},
        detail=f"median {statistics.median(census_cpu):.3f} s CPU census vs "
        f"{statistics.median(bare_cpu):.3f} s bare per read, the process's CPU time over all "
        "its threads (the mock brokers' included on both sides)",
    )


if __name__ == "__main__":
    main()
