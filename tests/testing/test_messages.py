"""Messages of every version of a subject, framed, and wrapped in Lambda Kafka events."""

from __future__ import annotations

import base64
from random import Random

import pytest
from hypothesis import find, given
from hypothesis import strategies as st

from devicecontracts.catalog import load_catalog
from devicecontracts.testing import (
    InvalidStrategyArgument,
    Message,
    contract_messages,
    kafka_event,
    untag,
    values_equal,
)

from ..support.schemas import BUNDLED, FAST

CATALOG = load_catalog(BUNDLED)
TELEMETRY = CATALOG.by_subject("telemetry")
ALL_TELEMETRY = contract_messages("telemetry", catalog=CATALOG)


@FAST
@given(ALL_TELEMETRY)
def test_a_message_carries_its_version_and_decodes_as_written(message: Message) -> None:
    """Each message names its subject and version, and its payload reads back as its value."""
    assert message.subject == "fleet.telemetry-value" and message.topic == "fleet.telemetry"
    assert message.schema is TELEMETRY.versions[message.version - 1].schema
    assert values_equal(message.decoded(), untag(message.value))


@FAST
@given(ALL_TELEMETRY)
def test_old_messages_read_into_the_latest_version(message: Message) -> None:
    """A message of any telemetry version resolves into the latest schema."""
    latest = TELEMETRY.versions[-1].schema
    read = message.decoded(latest)
    assert set(read) == {"header", "readings", "location", "battery_mv", "signal_dbm"}


@pytest.mark.parametrize("version", [1, 2, 3])
def test_every_version_is_generated(version: int) -> None:
    """Messages of every version come up; shrinking goes to the oldest."""
    found = find(ALL_TELEMETRY, lambda m: m.version == version, random=Random(0))
    assert found.version == version
    assert find(ALL_TELEMETRY, lambda m: True, random=Random(0)).version == 1


def test_versions_can_be_chosen_and_are_checked() -> None:
    """versions= limits the versions; an unknown version or subject fails at build time."""
    only_v2 = contract_messages("fleet.telemetry-value", catalog=CATALOG, versions=[2])
    assert find(only_v2, lambda m: True).version == 2
    assert "versions=[2]" in repr(only_v2)
    with pytest.raises(InvalidStrategyArgument, match=r"has no version 9; it has \[1, 2, 3\]"):
        contract_messages("telemetry", catalog=CATALOG, versions=[9])
    with pytest.raises(InvalidStrategyArgument, match="no subject 'nope'"):
        contract_messages("nope", catalog=CATALOG)
    with pytest.raises(InvalidStrategyArgument, match="unknown option"):
        contract_messages("telemetry", catalog=CATALOG, depth=2)


def test_messages_are_framed_in_confluent_wire_format() -> None:
    """framed() is magic byte 0, the 4-byte big-endian schema id, then the Avro body."""
    message = find(ALL_TELEMETRY, lambda m: True)
    assert message.framed(258) == b"\x00\x00\x00\x01\x02" + message.payload
    with pytest.raises(ValueError, match="unsigned 32-bit"):
        message.framed(-1)


@FAST
@given(st.lists(ALL_TELEMETRY, min_size=1, max_size=4))
def test_kafka_events_hold_every_message_in_order(messages: list[Message]) -> None:
    """The Lambda event groups records by topic-partition, framed and base64-encoded."""
    ids = {1: 11, 2: 12, 3: 13}
    event = kafka_event(messages, schema_id=ids, partition=3, first_offset=100)
    assert event["eventSource"] == "aws:kafka" and event["eventSourceArn"]
    (records,) = event["records"].values()
    assert list(event["records"]) == ["fleet.telemetry-3"]
    for offset, (record, message) in enumerate(zip(records, messages, strict=True), start=100):
        assert record["offset"] == offset and record["partition"] == 3
        assert base64.b64decode(record["value"]) == message.framed(ids[message.version])
        assert record["headers"] == [] and "key" not in record


def test_kafka_event_options() -> None:
    """Self-managed Kafka, keys, topics and id functions are honoured; missing ids are named."""
    message = find(ALL_TELEMETRY, lambda m: m.version == 2, random=Random(0))
    event = kafka_event(
        [message],
        schema_id=lambda m: 40 + m.version,
        topic="other",
        key=b"device-1",
        source="SelfManagedKafka",
    )
    assert event["eventSource"] == "SelfManagedKafka" and "eventSourceArn" not in event
    (record,) = event["records"]["other-0"]
    assert base64.b64decode(record["key"]) == b"device-1"
    assert base64.b64decode(record["value"])[1:5] == (42).to_bytes(4, "big")
    with pytest.raises(KeyError, match=r"no schema id for fleet\.telemetry-value v2"):
        kafka_event([message], schema_id={1: 11})
    with pytest.raises(ValueError, match="source must be"):
        kafka_event([message], schema_id=1, source="kinesis")


@FAST
@given(
    st.lists(ALL_TELEMETRY, min_size=1, max_size=3),
    st.sampled_from(["aws:kafka", "SelfManagedKafka"]),
)
def test_the_runtime_reads_the_events_back(messages: list[Message], source: str) -> None:
    """devicecontracts' own Lambda event reader finds every record, in order, bytes intact."""
    lambda_events = pytest.importorskip("devicecontracts.lambda_events")
    event = kafka_event(messages, schema_id=7, key=b"k", source=source)
    records = list(lambda_events.kafka_records(event))
    assert [r.offset for r in records] == list(range(len(messages)))
    assert [r.value for r in records] == [m.framed(7) for m in messages]
    assert all(r.topic == "fleet.telemetry" and r.key == b"k" for r in records)
