"""Bad bytes give typed errors naming topic, partition and offset: never a hang, a crash,
unbounded memory or wrong data."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devicecontracts.errors import (
    BadMagicByte,
    CorruptPayload,
    DecodeError,
    TruncatedMessage,
    UnknownSchemaId,
)
from devicecontracts.serde import Deserializer, Serializer, decode

from ..support.models import VERSIONS, first_major, framed, latest, varint, writer_schemas
from .conftest import RUNTIME

WHERE = {"topic": "fleet.heartbeats", "partition": 3, "offset": 1234}
HEARTBEAT = VERSIONS["heartbeat"][0]


def text(s: str) -> bytes:
    raw = s.encode()
    return varint(len(raw)) + raw


def heartbeat_body(
    *,
    device_id: bytes = text("dev-1"),
    sent_at: int = 1_714_564_800_000,
    state: int = 2,
) -> bytes:
    """A heartbeat v1 body, field by field, so a test can break exactly one part."""
    return (
        device_id
        + text("6f1c1e3a-4c1b-4e0f-9a51-0c2f1a7d9e11")
        + varint(sent_at)
        + text("2.4.1")
        + varint(7)
        + varint(state)
        + varint(3600)
    )


def deserializer() -> Deserializer:
    return Deserializer(first_major("heartbeat")[-1].model, schemas=writer_schemas())


def assert_located(error: DecodeError) -> None:
    assert (error.topic, error.partition, error.offset) == ("fleet.heartbeats", 3, 1234)
    assert str(error).startswith("topic fleet.heartbeats, partition 3, offset 1234")


def test_the_hand_built_body_is_a_valid_heartbeat() -> None:
    """The helper's body decodes, so the broken variants below differ only where they say."""
    decoded = deserializer().decode(framed(HEARTBEAT.schema_id, heartbeat_body()))
    assert (decoded.header.device_id, decoded.state, decoded.uptime_s) == ("dev-1", "ONLINE", 3600)


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (b'{"header": {}}', "JSON"),
        (b"\x01" + bytes(16) + b"\x02", "GUID"),
        (b"\xff\x00\x00\x00\x01\x02", "0xff"),
        (b"\x07", "0x07"),
    ],
)
def test_wrong_magic_byte(value: bytes, hint: str) -> None:
    """A value not starting with the magic byte 0 is a BadMagicByte naming the byte found."""
    with pytest.raises(BadMagicByte, match=hint) as caught:
        deserializer().decode(value, **WHERE)
    assert_located(caught.value)


@pytest.mark.parametrize("value", [b"", b"\x00", b"\x00\x00\x00\x00"])
def test_value_shorter_than_the_header_is_truncated(value: bytes) -> None:
    """Fewer than 5 bytes (with a magic byte 0, if any) is a TruncatedMessage."""
    with pytest.raises(TruncatedMessage, match="5-byte header") as caught:
        deserializer().decode(value, **WHERE)
    assert_located(caught.value)


@RUNTIME
@given(cut=st.integers(min_value=0))
def test_every_truncation_of_a_valid_body_is_truncated(cut: int) -> None:
    """Any proper prefix of a valid value's body is a TruncatedMessage, wherever it is cut."""
    whole = framed(HEARTBEAT.schema_id, heartbeat_body())
    value = whole[: 5 + cut % (len(whole) - 5)]
    with pytest.raises(TruncatedMessage) as caught:
        deserializer().decode(value, **WHERE)
    assert_located(caught.value)


def test_unknown_schema_id() -> None:
    """An id neither cached, released nor in a registry is an UnknownSchemaId saying so."""
    with pytest.raises(UnknownSchemaId, match="no schema registry is configured") as caught:
        deserializer().decode(framed(999_999, heartbeat_body()), **WHERE)
    assert_located(caught.value)
    assert caught.value.schema_id == 999_999


@RUNTIME
@given(garbage=st.binary(max_size=300))
def test_garbage_after_a_known_header_is_a_decode_error_or_a_valid_record(garbage: bytes) -> None:
    """Random bytes under a known id either decode (Avro has no checksum) or raise a
    DecodeError: nothing else escapes."""
    try:
        deserializer().decode(framed(HEARTBEAT.schema_id, garbage), **WHERE)
    except DecodeError as exc:
        assert_located(exc)


@RUNTIME
@given(value=st.binary(max_size=64))
def test_arbitrary_values_never_raise_anything_but_decode_errors(value: bytes) -> None:
    """Any bytes at all (header included) decode or raise a DecodeError."""
    try:
        deserializer().decode(value, **WHERE)
    except DecodeError as exc:
        assert_located(exc)


def test_bytes_left_after_a_complete_record_are_refused() -> None:
    """A complete record followed by more bytes is a CorruptPayload, not a silently read prefix
    (the header most likely names the wrong schema)."""
    with pytest.raises(CorruptPayload, match="3 bytes are left") as caught:
        deserializer().decode(
            framed(HEARTBEAT.schema_id, heartbeat_body() + b"\x02\x04\x06"), **WHERE
        )
    assert_located(caught.value)


@pytest.mark.parametrize("claimed", [2**31, 2**60, 2**62])
def test_huge_length_prefix_fails_fast_without_allocating(claimed: int) -> None:
    """A string length prefix claiming up to 2**62 bytes after the 5-byte header fails as
    truncated at once, allocating nothing near that size."""
    value = framed(HEARTBEAT.schema_id, varint(claimed) + b"abc")
    decoder = deserializer()
    decoder.decode(framed(HEARTBEAT.schema_id, heartbeat_body()))  # plan and caches first

    tracemalloc.start()
    try:
        with pytest.raises(TruncatedMessage, match=str(claimed)) as caught:
            decoder.decode(value, **WHERE)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_located(caught.value)
    assert peak < 2**20


def test_huge_array_count_fails_fast() -> None:
    """An array count of 2**60 followed by a few bytes fails as truncated (each item needs a
    byte, so the count cannot run past the value)."""
    telemetry = VERSIONS["telemetry"][0]
    header = heartbeat_body()[: -len(varint(2) + varint(3600))]
    value = framed(telemetry.schema_id, header + varint(2**60) + b"\x02a")
    with pytest.raises(TruncatedMessage):
        Deserializer(latest("telemetry").model, schemas=writer_schemas()).decode(value, **WHERE)


@pytest.mark.parametrize(
    ("millis", "field"),
    [(2**62, "header.sent_at"), (-(2**62), "header.sent_at"), (253_402_300_800_000, "sent_at")],
)
def test_timestamp_outside_pythons_range_names_the_field(millis: int, field: str) -> None:
    """A timestamp-millis past year 9999 (or before year 1) is a CorruptPayload naming the
    field and the value."""
    value = framed(HEARTBEAT.schema_id, heartbeat_body(sent_at=millis))
    with pytest.raises(CorruptPayload, match=field) as caught:
        deserializer().decode(value, **WHERE)
    assert str(millis) in str(caught.value)
    assert_located(caught.value)


def test_enum_index_past_the_symbols_is_corrupt() -> None:
    """An enum index beyond the symbols is a CorruptPayload."""
    value = framed(HEARTBEAT.schema_id, heartbeat_body(state=99))
    with pytest.raises(CorruptPayload) as caught:
        deserializer().decode(value, **WHERE)
    assert_located(caught.value)


def test_invalid_utf8_is_corrupt() -> None:
    """A string that is not UTF-8 is a CorruptPayload saying so."""
    value = framed(HEARTBEAT.schema_id, heartbeat_body(device_id=varint(2) + b"\xff\xfe"))
    with pytest.raises(CorruptPayload, match="UTF-8") as caught:
        deserializer().decode(value, **WHERE)
    assert_located(caught.value)


def test_value_out_of_the_models_range_is_corrupt() -> None:
    """An Avro int holding more than 32 bits (fastavro reads it anyway) fails the model's
    range check: a CorruptPayload naming the field, not a silently wrong number."""
    v2 = first_major("heartbeat")[-1]
    body = heartbeat_body() + varint(0) + varint(1) + varint(2**40)  # free_memory null, rssi
    with pytest.raises(CorruptPayload, match="rssi_dbm") as caught:
        deserializer().decode(framed(v2.schema_id, body), **WHERE)
    assert_located(caught.value)


ZERO_WIDTH = {
    "type": "record",
    "name": "Pings",
    "namespace": "com.example",
    "fields": [{"name": "pings", "type": {"type": "array", "items": "null"}}],
}


def test_array_of_zero_width_items_is_refused_without_reading() -> None:
    """A writer schema whose array items take no bytes is refused: five bytes could otherwise
    claim 2**60 items and fastavro would build them all."""
    model = first_major("heartbeat")[-1].model
    value = framed(1, varint(2**60) + b"\x00")
    with pytest.raises(CorruptPayload, match="take no bytes"):
        decode(value, model, writer=ZERO_WIDTH)


DEEP = r"""
from devicecontracts.errors import CorruptPayload
from devicecontracts.serde import decode
from tests.support.models import plain_model

Node = plain_model({"type": "record", "name": "Node", "namespace": "com.example",
                    "fields": [{"name": "next", "type": ["null", "Node"]}]})
assert decode(b"\x00\x00\x00\x00\x01" + b"\x02" * 50 + b"\x00", Node).data["next"]
try:
    decode(b"\x00\x00\x00\x00\x01" + b"\x02" * 100_000 + b"\x00", Node)
except CorruptPayload as exc:
    print("CorruptPayload", exc)
"""


def test_deeply_nested_recursive_value_is_an_error_not_a_crash() -> None:
    """100,000 levels of a recursive record (which overflow the C stack of fastavro's compiled
    reader) raise CorruptPayload in a process that survives."""
    done = subprocess.run(
        [sys.executable, "-c", DEEP],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env=_child_env(),
    )
    assert done.returncode == 0, done.stderr
    assert "CorruptPayload" in done.stdout
    assert "too deeply" in done.stdout


def _child_env() -> dict[str, str]:
    import os

    from ..support.models import REPO

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *(p for p in sys.path if p)])
    return env


def test_registry_failures_are_not_decode_errors() -> None:
    """When the registry cannot be reached, the error is a RegistryError, so a Lambda handler
    retries the batch instead of reporting a good record as poisoned."""
    from devicecontracts.errors import RegistryError

    schemas = writer_schemas(registry={"url": "http://127.0.0.1:9", "max.retries": 0})
    with pytest.raises(RegistryError) as caught:
        Deserializer(first_major("heartbeat")[-1].model, schemas=schemas).decode(
            framed(777_777, heartbeat_body()), **WHERE
        )
    assert not isinstance(caught.value, DecodeError)


def test_decode_errors_never_echo_the_payload() -> None:
    """Error messages describe the bytes, they do not contain them."""
    secret = "SECRET-DEVICE-TOKEN"
    value = framed(HEARTBEAT.schema_id, heartbeat_body(device_id=text(secret)) + b"\x00")
    with pytest.raises(CorruptPayload) as caught:
        deserializer().decode(value, **WHERE)
    assert secret not in str(caught.value)
    assert secret not in json.dumps(caught.value.args)


def test_serializer_output_decodes_with_the_byte_helpers() -> None:
    """The serializer writes exactly the bytes the hand-built body helper describes."""
    message = deserializer().decode(framed(HEARTBEAT.schema_id, heartbeat_body()))
    v1_message = HEARTBEAT.model.from_avro_dict(
        {"header": message.header.to_avro_dict(), "state": "ONLINE", "uptime_s": 3600}
    )
    assert Serializer(writer_schemas()).encode(v1_message) == framed(
        HEARTBEAT.schema_id, heartbeat_body()
    )


def test_a_cached_plan_error_is_located_per_record_and_never_changed() -> None:
    """A writer id that can never be read as the model fails each record with the error cached
    for it, located with that record's own coordinates: `at` copies, it never mutates."""
    from devicecontracts.errors import Location, SchemaMismatch

    decoder = deserializer()
    other = latest("telemetry")  # another record type: a SchemaMismatch, cached for its id
    value = framed(other.schema_id, b"")
    errors = []
    for offset in (1, 2):
        with pytest.raises(SchemaMismatch) as caught:
            decoder.decode(value, topic="fleet.heartbeats", partition=0, offset=offset)
        errors.append(caught.value)
    with pytest.raises(SchemaMismatch) as unlocated:
        decoder.decode(value)
    assert [e.offset for e in errors] == [1, 2]
    assert errors[0].location == Location(
        topic="fleet.heartbeats", partition=0, offset=1, schema_id=other.schema_id
    )
    assert str(errors[1]).startswith(
        f"topic fleet.heartbeats, partition 0, offset 2, schema id {other.schema_id}: "
    )
    assert (unlocated.value.topic, unlocated.value.offset) == (None, None)


def test_a_bad_value_in_a_map_is_named_by_path_not_by_its_key() -> None:
    """A timestamp out of range inside a map is a CorruptPayload naming the map's path; the
    map key, which is payload, is not in the message."""
    from ..support.models import plain_model

    readings = plain_model(
        {
            "type": "record",
            "name": "Readings",
            "namespace": "com.example",
            "fields": [
                {
                    "name": "at",
                    "type": {
                        "type": "map",
                        "values": {"type": "long", "logicalType": "timestamp-millis"},
                    },
                }
            ],
        }
    )
    value = framed(1, varint(1) + text("SECRET-KEY") + varint(2**62) + varint(0))
    with pytest.raises(CorruptPayload, match=r"field at\{\}: timestamp-millis") as caught:
        decode(value, readings, **WHERE)
    assert "SECRET-KEY" not in str(caught.value)
    assert_located(caught.value)
