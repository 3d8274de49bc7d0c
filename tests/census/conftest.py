"""A librdkafka mock cluster (3 brokers, topics auto-created with 4 partitions), a small
catalog whose lock holds ids for ``prod``, and a topic holding a known mix of records."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastavro
import pytest
from confluent_kafka import Producer

from devicecontracts.catalog import load_catalog
from devicecontracts.catalog.lock import record_releases, write_lock

QUIET = {"log_level": 3}
PARTITIONS = 4  # what the mock cluster gives an auto-created topic
ENV = "prod"
SUBJECT = "fleet.pings-value"
IDS = {1: 11, 2: 12, 3: 13}  # version -> schema id in prod
UNKNOWN_ID = 999
BASE_MS = 1_764_547_200_000  # 2025-12-01T00:00:00Z

_V1 = {
    "type": "record",
    "name": "Ping",
    "namespace": "fleet",
    "fields": [{"name": "device_id", "type": "string"}, {"name": "n", "type": "int"}],
}
_V2 = {
    **_V1,
    "fields": [*_V1["fields"], {"name": "battery_mv", "type": ["null", "int"], "default": None}],
}
_V3 = {**_V2, "fields": [*_V2["fields"], {"name": "signal_dbm", "type": "int", "default": 0}]}
SCHEMAS = {1: _V1, 2: _V2, 3: _V3}


@dataclass(frozen=True)
class Sent:
    """One record produced: where, when, and what the test knows it is."""

    partition: int
    timestamp_ms: int
    label: tuple[str, Any]  # ("version", 2), ("unknown", 999) or ("unframed", "json")
    value: bytes | None


def write_catalog(root: Path) -> Path:
    """A catalog with one message, ``ping`` on ``fleet.pings`` (3 versions), released with
    ids 11, 12, 13 in ``prod``; returns its folder."""
    (root / "ping").mkdir(parents=True)
    (root / "catalog.toml").write_text(
        '[messages.ping]\ntopic = "fleet.pings"\ndirection = "device-to-cloud"\n'
        'subject_strategy = "topic"\n'
    )
    for version, schema in SCHEMAS.items():
        (root / "ping" / f"v{version}.avsc").write_text(json.dumps(schema, indent=2))
    catalog = load_catalog(root)
    assert not catalog.problems, catalog.problems
    record_releases(catalog)
    contract = catalog.contracts["ping"]
    assert contract.subject == SUBJECT
    for v in contract.versions:
        catalog.lock.record_id(SUBJECT, v, ENV, IDS[v.version])
    write_lock(catalog.lock)
    return root


def framed(schema_id: int, version: int | None, n: int) -> bytes:
    """A Confluent-framed value: header and, for a known version, a valid body."""
    body = io.BytesIO()
    if version is not None:
        record = {"device_id": f"dev-{n}", "n": n, "battery_mv": 3600 + n, "signal_dbm": -n}
        fastavro.schemaless_writer(body, fastavro.parse_schema(SCHEMAS[version]), record)
    else:
        body.write(b"\x02\x03")
    return b"\x00" + schema_id.to_bytes(4, "big") + body.getvalue()


def the_mix() -> list[Sent]:
    """The known mix: every version on most partitions, unknown ids, JSON, empty values,
    tombstones and other bytes, with increasing timestamps per partition."""
    plan: list[tuple[int, tuple[str, Any], bytes | None]] = []
    n = itertools.count()
    for p in range(PARTITIONS):
        for _ in range(5 + p):
            plan.append((p, ("version", 1), framed(IDS[1], 1, next(n))))
        for _ in range(3):
            plan.append((p, ("version", 2), framed(IDS[2], 2, next(n))))
        for _ in range(p):  # partition 0 has no v3
            plan.append((p, ("version", 3), framed(IDS[3], 3, next(n))))
    plan += [
        (1, ("unknown", UNKNOWN_ID), framed(UNKNOWN_ID, None, 0)),
        (2, ("unknown", UNKNOWN_ID), framed(UNKNOWN_ID, None, 0)),
        (0, ("unframed", "json"), b'{"device_id": "dev-1", "n": 1}'),
        (3, ("unframed", "json"), b"  [1, 2]"),
        (2, ("unframed", "empty"), b""),
        (1, ("unframed", "tombstone"), None),
        (3, ("unframed", "other"), b"hello"),
        (3, ("unframed", "other"), b"\x00\x01"),
        (0, ("unframed", "other"), b"{not json"),
    ]
    sent = []
    per_partition = dict.fromkeys(range(PARTITIONS), 0)
    for p, label, value in plan:
        ts = BASE_MS + p * 100_000 + per_partition[p] * 1000
        per_partition[p] += 1
        sent.append(Sent(p, ts, label, value))
    return sent


def produce(bootstrap: str, topic: str, records: list[Sent]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, **QUIET})
    try:
        producer.list_topics(topic, timeout=10)  # auto-created, with PARTITIONS partitions
        for r in records:
            producer.produce(topic, value=r.value, partition=r.partition, timestamp=r.timestamp_ms)
        assert producer.flush(15) == 0
    finally:
        producer.flush(5)


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A librdkafka mock cluster of 3 brokers, its bootstrap address (127.0.0.1)."""
    owner = Producer({"test.mock.num.brokers": 3, **QUIET})
    brokers = owner.list_topics(timeout=10).brokers
    bootstrap = ",".join(f"{b.host}:{b.port}" for b in brokers.values())
    assert all(b.host == "127.0.0.1" for b in brokers.values())
    yield bootstrap
    owner.flush(5)
    del owner  # the mock cluster stops with the producer that owns it


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalog(tmp_path_factory.mktemp("census") / "schemas")


@pytest.fixture(scope="module")
def mixed_topic(cluster: str) -> tuple[str, list[Sent]]:
    """``fleet.pings`` holding `the_mix`."""
    records = the_mix()
    produce(cluster, "fleet.pings", records)
    return "fleet.pings", records
