"""Interop with confluent-kafka's AvroSerializer and AvroDeserializer, both directions."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import pytest
from confluent_kafka.schema_registry import Schema
from confluent_kafka.schema_registry._sync.mock_schema_registry_client import (
    MockSchemaRegistryClient,
)
from confluent_kafka.serialization import MessageField, SerializationContext
from hypothesis import given, settings
from hypothesis import strategies as st

from devicecontracts.serde import (
    Deserializer,
    Serializer,
    WriterSchemas,
    confluent_deserializer,
    confluent_serializer,
    decode,
    encode,
    from_dict,
    to_dict,
)
from devicecontracts.testing import as_read, from_avro_schema, values_equal

from ..support.examples import header
from ..support.models import VERSIONS, Version, first_major
from .conftest import RUNTIME

TOPIC = "fleet.telemetry"
CTX = SerializationContext(TOPIC, MessageField.VALUE)
INTEROP = settings(RUNTIME, max_examples=20)


@dataclass
class Interop:
    """Both serdes of one contract around one in-memory registry, built once per contract."""

    client: MockSchemaRegistryClient
    their_serializers: dict[int, Any]
    their_deserializer: Any
    our_deserializer: Deserializer[Any]
    registered_ids: dict[int, int]


@functools.cache
def interop(contract: str) -> Interop:
    client = MockSchemaRegistryClient({"url": f"mock://interop-{contract}"})
    newest = first_major(contract)[-1]
    auto = {"auto.register.schemas": True}
    return Interop(
        client,
        {v.number: confluent_serializer(client, v.model, auto) for v in first_major(contract)},
        confluent_deserializer(client, newest.model),
        Deserializer(newest.model, schemas=WriterSchemas(registry=client, models_package=None)),
        {
            v.number: client.register_schema(
                f"ours-v{v.number}", Schema(v.model.avro_schema_json, "AVRO")
            )
            for v in first_major(contract)
        },
    )


def message_of(version: Version, value: Any) -> Any:
    return version.model.from_avro_dict(as_read(value, version.schema, return_named_type=True))


@pytest.mark.parametrize("contract", sorted(VERSIONS))
@INTEROP
@given(data=st.data())
def test_confluent_serializer_bytes_decode_with_ours(contract: str, data: st.DataObject) -> None:
    """Values written by confluent-kafka's AvroSerializer (with the `to_dict` hook, any version)
    carry the same Avro body as ours and decode with our Deserializer into the latest model,
    the writer schema found in the registry."""
    both, newest = interop(contract), first_major(contract)[-1]
    for version in first_major(contract):
        message = message_of(version, data.draw(from_avro_schema(version.schema)))

        value = both.their_serializers[version.number](message, CTX)
        decoded = both.our_deserializer.decode(value)

        assert value[5:] == encode(message, 1)[5:]
        reference = decode(encode(message, 1), newest.model, writer=version.model)
        assert values_equal(decoded.to_avro_dict(), reference.to_avro_dict())


@pytest.mark.parametrize("contract", sorted(VERSIONS))
@INTEROP
@given(data=st.data())
def test_our_bytes_decode_with_confluent_deserializer(contract: str, data: st.DataObject) -> None:
    """Values our Serializer writes (ids registered in the registry) decode with confluent-kafka's
    AvroDeserializer and the `from_dict` hook into the latest model, as ours reads them."""
    both, newest = interop(contract), first_major(contract)[-1]
    for version in first_major(contract):
        message = message_of(version, data.draw(from_avro_schema(version.schema)))
        serializer = Serializer(ids={version.model: both.registered_ids[version.number]})
        value = serializer.encode(message)

        decoded = both.their_deserializer(value, CTX)

        assert type(decoded) is newest.model
        ours = both.our_deserializer.decode(value)
        assert values_equal(decoded.to_avro_dict(), ours.to_avro_dict())


def test_hooks_are_the_models_own_conversions() -> None:
    """`to_dict` gives the model's fastavro form and `from_dict` builds the model from it."""
    newest = first_major("heartbeat")[-1]
    message = newest.model.from_avro_dict(
        {
            "header": header(),
            "state": "ONLINE",
            "uptime_s": 2,
            "free_memory_bytes": None,
            "rssi_dbm": None,
        }
    )
    assert to_dict(message, CTX) == message.to_avro_dict()
    assert from_dict(newest.model)(message.to_avro_dict(), CTX) == message
