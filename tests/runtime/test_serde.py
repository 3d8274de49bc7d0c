"""Encode and decode typed messages: round trips, every older version into newer models."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devicecontracts.errors import EncodeError, SchemaMismatch
from devicecontracts.serde import (
    Deserializer,
    Serializer,
    WriterSchemas,
    decode,
    encode,
    schema_id_of,
)
from devicecontracts.testing import as_read, from_avro_schema, values_equal
from devicecontracts.testing import encode as avro_body

from ..support.models import (
    VERSIONS,
    Version,
    all_versions,
    first_major,
    framed,
    latest,
    writer_schemas,
)
from ..support.resolution import Unresolvable, resolve
from .conftest import RUNTIME

UTC = dt.UTC
CONTRACTS = sorted(VERSIONS)


def header_value(sequence: int = 1) -> dict[str, Any]:
    return {
        "device_id": "dev-42",
        "message_id": uuid.UUID("6f1c1e3a-4c1b-4e0f-9a51-0c2f1a7d9e11"),
        "sent_at": dt.datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        "firmware_version": "2.4.1",
        "sequence": sequence,
    }


def model_value(version: Version, value: Any) -> Any:
    """A model of ``version`` from a value in fastavro's write form."""
    return version.model.from_avro_dict(as_read(value, version.schema, return_named_type=True))


@pytest.mark.parametrize("version", list(all_versions()), ids=lambda v: f"{v.contract}-v{v.number}")
@RUNTIME
@given(data=st.data())
def test_typed_round_trip_is_exact(version: Version, data: st.DataObject) -> None:
    """A model of any version, encoded and decoded with its own schema, comes back equal and
    re-encodes to the same bytes."""
    message = model_value(version, data.draw(from_avro_schema(version.schema)))
    serializer = Serializer(writer_schemas())
    deserializer = Deserializer(version.model, schemas=writer_schemas())

    value = serializer.encode(message)
    decoded = deserializer.decode(value)

    assert schema_id_of(value) == version.schema_id
    assert values_equal(decoded.to_avro_dict(), message.to_avro_dict())
    assert serializer.encode(decoded) == value


@pytest.mark.parametrize("contract", CONTRACTS)
@RUNTIME
@given(data=st.data())
def test_every_older_version_decodes_into_every_newer_model(
    contract: str, data: st.DataObject
) -> None:
    """Data of each version, written with its own schema and id, reads into each newer model as
    Avro resolution says: written fields kept, new fields at their defaults, unknown enum
    symbols at the enum default."""
    versions = VERSIONS[contract]
    readers = {v.number: Deserializer(v.model, schemas=writer_schemas()) for v in versions}
    for i, writer in enumerate(versions):
        value = data.draw(from_avro_schema(writer.schema), label=f"v{writer.number}")
        wire = framed(writer.schema_id, avro_body(value, writer.schema))
        for reader in versions[i:]:
            try:
                expected = resolve(writer.schema.root, reader.schema.root, value)
            except Unresolvable:
                with pytest.raises(SchemaMismatch):
                    readers[reader.number].decode(wire)
                continue
            decoded = readers[reader.number].decode(wire)
            assert type(decoded) is reader.model
            assert values_equal(
                decoded.to_avro_dict(), reader.model.from_avro_dict(expected).to_avro_dict()
            )


def test_old_telemetry_gets_the_defaults_of_the_latest_model() -> None:
    """Telemetry v1 bytes read as the latest Telemetry have the fields v2 and v3 added at their
    defaults (null), and keep what v1 wrote."""
    v1, newest = VERSIONS["telemetry"][0], latest("telemetry")
    reading = {
        "sensor_id": "t1",
        "kind": "TEMPERATURE",
        "value": 21.5,
        "unit": "Cel",
        "sampled_at": dt.datetime(2024, 5, 1, 11, 59, tzinfo=UTC),
    }
    old = v1.model.from_avro_dict({"header": header_value(), "readings": [reading]})

    decoded = Deserializer(newest.model, schemas=writer_schemas()).decode(
        Serializer(writer_schemas()).encode(old)
    )

    assert (decoded.location, decoded.battery_mv, decoded.signal_dbm) == (None, None, None)
    assert decoded.header.device_id == "dev-42"
    assert decoded.readings[0].value == 21.5


def test_unknown_enum_symbol_reads_as_the_enum_default_in_an_older_reader() -> None:
    """A v3 telemetry reading of kind PRESSURE, read by the v1 model (which lacks the symbol),
    reads as UNKNOWN, the enum's default."""
    v1, v3 = VERSIONS["telemetry"][0], latest("telemetry")
    reading = {
        "sensor_id": "p1",
        "kind": "PRESSURE",
        "value": 1013.0,
        "unit": "hPa",
        "sampled_at": dt.datetime(2024, 5, 1, tzinfo=UTC),
    }
    new = v3.model.from_avro_dict(
        {
            "header": header_value(),
            "readings": [reading],
            "location": None,
            "battery_mv": None,
            "signal_dbm": -70,
        }
    )

    decoded = Deserializer(v1.model, schemas=writer_schemas()).decode(
        Serializer(writer_schemas()).encode(new)
    )

    assert decoded.readings[0].kind == "UNKNOWN"


def test_one_deserializer_reads_several_record_types_by_writer_name() -> None:
    """A deserializer of the latest telemetry and heartbeat models reads each value into the
    model of its writer's record."""
    telemetry, heartbeat = VERSIONS["telemetry"][0], VERSIONS["heartbeat"][0]
    t = telemetry.model.from_avro_dict({"header": header_value(), "readings": []})
    h = heartbeat.model.from_avro_dict(
        {"header": header_value(2), "state": "ONLINE", "uptime_s": 3600}
    )
    serializer = Serializer(writer_schemas())
    deserializer = Deserializer(
        [latest("telemetry").model, first_major("heartbeat")[-1].model], schemas=writer_schemas()
    )

    assert type(deserializer.decode(serializer.encode(t))) is latest("telemetry").model
    assert type(deserializer.decode(serializer.encode(h))) is first_major("heartbeat")[-1].model


def test_a_value_of_another_record_type_is_a_schema_mismatch() -> None:
    """Heartbeat bytes given to a telemetry-only deserializer raise SchemaMismatch naming both
    records, every time."""
    heartbeat = VERSIONS["heartbeat"][0]
    value = Serializer(writer_schemas()).encode(
        heartbeat.model.from_avro_dict({"header": header_value(), "state": "ONLINE", "uptime_s": 1})
    )
    deserializer = Deserializer(latest("telemetry").model, schemas=writer_schemas())

    for _ in range(2):
        with pytest.raises(SchemaMismatch, match="Heartbeat") as caught:
            deserializer.decode(value, topic="fleet.telemetry", partition=2, offset=9)
        assert (caught.value.topic, caught.value.partition, caught.value.offset) == (
            "fleet.telemetry",
            2,
            9,
        )
        assert "Telemetry" in str(caught.value)


def test_same_schema_gets_a_different_id_per_environment() -> None:
    """The serializer frames with the id of the configured environment, and a deserializer
    configured for that environment reads it; one for another environment does not know it."""
    from devicecontracts.errors import UnknownSchemaId

    from ..support.models import schema_ids

    newest = first_major("heartbeat")[-1]
    message = newest.model.from_avro_dict(
        {
            "header": header_value(),
            "state": "BOOTING",
            "uptime_s": 5,
            "free_memory_bytes": None,
            "rssi_dbm": None,
        }
    )
    staging = writer_schemas(ids=schema_ids("staging", offset=1000))
    prod = writer_schemas(ids=schema_ids("prod", offset=5000))

    value = Serializer(staging).encode(message)

    assert schema_id_of(value) == newest.schema_id + 1000
    assert Deserializer(newest.model, schemas=staging).decode(value) == message
    with pytest.raises(UnknownSchemaId, match="prod"):
        Deserializer(newest.model, schemas=prod).decode(value)


def test_encoding_without_an_id_for_the_environment_is_an_encode_error() -> None:
    """A model whose schema has no id in the environment cannot be framed: EncodeError says to
    release it."""
    newest = first_major("heartbeat")[-1]
    message = newest.model.from_avro_dict(
        {
            "header": header_value(),
            "state": "ONLINE",
            "uptime_s": 1,
            "free_memory_bytes": None,
            "rssi_dbm": None,
        }
    )
    with pytest.raises(EncodeError, match="contracts register"):
        Serializer(WriterSchemas(models_package=None)).encode(message)


def test_pinned_ids_win_over_the_environment() -> None:
    """A serializer given an id for a model class frames with that id."""
    newest = first_major("heartbeat")[-1]
    message = newest.model.from_avro_dict(
        {
            "header": header_value(),
            "state": "ONLINE",
            "uptime_s": 1,
            "free_memory_bytes": None,
            "rssi_dbm": None,
        }
    )
    serializer = Serializer(writer_schemas(), ids={newest.model: 7})

    assert schema_id_of(serializer.encode(message)) == 7


def test_module_level_encode_and_decode_round_trip() -> None:
    """`encode` with an explicit id and `decode` with the writer's model read old data into a
    newer model without any lookup."""
    v1, newest = VERSIONS["heartbeat"][0], first_major("heartbeat")[-1]
    old = v1.model.from_avro_dict({"header": header_value(), "state": "ONLINE", "uptime_s": 9})

    value = encode(old, 12345)
    decoded = decode(value, newest.model, writer=v1.model)

    assert schema_id_of(value) == 12345
    assert decoded.uptime_s == 9
    assert decoded.rssi_dbm is None


def test_serializer_and_deserializer_follow_confluent_kafkas_calling_convention() -> None:
    """Called like confluent-kafka serializers, None (a tombstone) stays None both ways and
    values round-trip."""
    newest = first_major("heartbeat")[-1]
    message = newest.model.from_avro_dict(
        {
            "header": header_value(),
            "state": "ONLINE",
            "uptime_s": 1,
            "free_memory_bytes": 10,
            "rssi_dbm": -50,
        }
    )
    serializer, deserializer = (
        Serializer(writer_schemas()),
        Deserializer(newest.model, schemas=writer_schemas()),
    )

    assert serializer(None) is None
    assert deserializer(None) is None
    assert deserializer(serializer(message)) == message


@pytest.mark.parametrize("version", list(all_versions()), ids=lambda v: f"{v.contract}-v{v.number}")
@RUNTIME
@given(data=st.data())
def test_direct_validation_equals_the_models_own_conversion(
    version: Version, data: st.DataObject
) -> None:
    """Where the decoder validates fastavro's plain output in one pydantic call, the model is
    the one `from_avro_dict` builds from the tagged output."""
    import fastavro

    from devicecontracts._runtime.plans import validates_directly

    if not validates_directly(version.model):
        pytest.skip("this model is always read through from_avro_dict")
    payload = avro_body(data.draw(from_avro_schema(version.schema)), version.schema)

    def read(tagged: bool) -> Any:
        return fastavro.schemaless_reader(
            io.BytesIO(payload), version.fastavro_schema, None, return_named_type=tagged
        )

    direct = version.model.model_validate(read(tagged=False))
    converted = version.model.from_avro_dict(read(tagged=True))

    assert values_equal(direct.to_avro_dict(), converted.to_avro_dict())


def test_the_catalogs_messages_take_the_direct_path() -> None:
    """The latest telemetry and heartbeat models qualify for direct validation (so the test
    above checks something)."""
    from devicecontracts._runtime.plans import validates_directly

    assert validates_directly(latest("telemetry").model)
    assert validates_directly(first_major("heartbeat")[-1].model)


def test_models_with_ambiguous_unions_keep_their_conversion() -> None:
    """A model whose schema has two record branches in one union is read through its
    from_avro_dict (the tags tell the records apart), never validated directly."""
    from devicecontracts._runtime.plans import validates_directly

    from ..support.models import plain_model

    two_records = plain_model(
        {
            "type": "record",
            "name": "Holder",
            "namespace": "com.example",
            "fields": [
                {
                    "name": "payload",
                    "type": [
                        {"type": "record", "name": "A", "fields": [{"name": "x", "type": "int"}]},
                        {"type": "record", "name": "B", "fields": [{"name": "x", "type": "int"}]},
                    ],
                }
            ],
        }
    )
    two_records.model_validate = classmethod(lambda cls, data: cls(data))  # pydantic-like

    assert not validates_directly(two_records)


def _record(fields: list[dict[str, Any]], name: str = "R") -> Any:
    import fastavro

    return fastavro.parse_schema(
        {"type": "record", "name": name, "namespace": "com.example", "fields": fields}
    )


@pytest.mark.parametrize(
    ("writer_fields", "reader_fields", "expected"),
    [
        ([{"name": "a", "type": "int"}], [{"name": "a", "type": "int"}], True),
        (
            [{"name": "a", "type": "int"}],
            [{"name": "a", "type": "int"}, {"name": "b", "type": ["null", "int"], "default": None}],
            True,
        ),
        (
            [{"name": "a", "type": "int"}],
            [{"name": "a", "type": "int"}, {"name": "b", "type": "int"}],
            False,
        ),
        (
            [{"name": "a", "type": "int"}, {"name": "b", "type": "int"}],
            [{"name": "a", "type": "int"}],
            False,
        ),
        ([{"name": "a", "type": "int"}], [{"name": "a", "type": "long"}], False),
        ([{"name": "a", "type": "int"}], [{"name": "z", "type": "int", "aliases": ["a"]}], False),
        (
            [{"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A"]}}],
            [{"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"]}}],
            True,
        ),
        (
            [{"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"]}}],
            [
                {
                    "name": "e",
                    "type": {"type": "enum", "name": "E", "symbols": ["A"], "default": "A"},
                }
            ],
            False,
        ),
    ],
)
def test_extends_only_where_resolution_just_adds_defaults(
    writer_fields: list[dict[str, Any]], reader_fields: list[dict[str, Any]], expected: bool
) -> None:
    """Reading with the writer's schema alone is chosen only when the reader adds defaulted
    fields or enum symbols; removals, renames, promotions and missing symbols go to fastavro."""
    from devicecontracts._runtime.plans import extends

    assert extends(_record(writer_fields), _record(reader_fields)) is expected


def test_every_older_catalog_version_is_extended_by_the_latest() -> None:
    """In the catalog, each device-to-cloud message's latest version only adds defaulted fields
    and symbols to the older ones, so old firmware's values decode without resolution."""
    from devicecontracts._runtime.plans import extends

    newest = latest("telemetry")
    for version in VERSIONS["telemetry"][:-1]:
        assert extends(version.fastavro_schema, newest.fastavro_schema)


def test_models_generated_before_avro_record_moved_still_import_it_from_types() -> None:
    """``devicecontracts.types.AvroRecord``, which models generated before the move import, is
    `devicecontracts.record.AvroRecord`; other missing names are still AttributeErrors."""
    from devicecontracts import record, types

    assert types.AvroRecord is record.AvroRecord
    assert "AvroRecord" not in types.__all__
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        types.Nope  # noqa: B018


@pytest.mark.parametrize("version", list(all_versions()), ids=lambda v: f"{v.contract}-v{v.number}")
@RUNTIME
@given(data=st.data())
def test_plain_logical_values_change_neither_bytes_nor_models(
    version: Version, data: st.DataObject
) -> None:
    """The serde writes timestamp-millis and uuid values as the longs and strings on the wire
    and reads them so, for the model's validation to convert: the bytes are fastavro's own for
    the same message, and the model is the one fastavro's converted read validates into."""
    import fastavro

    from devicecontracts._runtime.plans import plan_for
    from devicecontracts.serde import HEADER_SIZE

    payload = avro_body(data.draw(from_avro_schema(version.schema)), version.schema)
    natural = fastavro.schemaless_reader(
        io.BytesIO(payload), version.fastavro_schema, None, return_named_type=True
    )
    message = version.model.from_avro_dict(natural)
    out = io.BytesIO()
    fastavro.schemaless_writer(out, version.fastavro_schema, natural)

    assert Serializer(writer_schemas()).encode(message)[HEADER_SIZE:] == out.getvalue()
    assert message.to_avro_bytes() == out.getvalue()
    decoded = plan_for(version.model).decode(out.getvalue(), start=0)
    assert values_equal(decoded.to_avro_dict(), message.to_avro_dict())


def test_the_catalogs_messages_read_timestamps_and_uuids_plain() -> None:
    """The latest telemetry, heartbeat and command read their timestamp-millis and uuid values
    plain (so the test above checks the plain path)."""
    from devicecontracts._runtime.plans import plan_for

    for contract in ("telemetry", "heartbeat", "command"):
        assert plan_for(latest(contract).model).plain, contract


@pytest.mark.parametrize("contract", CONTRACTS)
@RUNTIME
@given(data=st.data())
def test_the_plans_reader_reads_what_schemaless_reader_reads(
    contract: str, data: st.DataObject
) -> None:
    """A plan calls fastavro's datum reader with the arguments it binds once; what it reads is
    what ``fastavro.schemaless_reader`` reads with the plan's schemas, for every writer version
    into every newer model."""
    import fastavro
    from fastavro.read import SchemaResolutionError

    from devicecontracts._runtime.plans import (
        _plain_logicals,
        _validated_logicals,
        plan_read,
        writer_schema,
    )

    versions = VERSIONS[contract]
    for i, writer in enumerate(versions):
        payload = avro_body(data.draw(from_avro_schema(writer.schema)), writer.schema)
        prepared = writer_schema(
            writer.model.avro_schema_json,
            fingerprint=writer.model.avro_fingerprint,
            parsed=writer.model.parsed_avro_schema(),
        )
        for reader in versions[i:]:
            try:
                plan = plan_read(prepared, (reader.model,))
            except SchemaMismatch:
                continue
            read_schema = _plain_logicals(prepared.guarded, _validated_logicals(reader.model))
            try:
                expected = fastavro.schemaless_reader(
                    io.BytesIO(payload),
                    read_schema,
                    plan.reader_schema,
                    return_named_type=not plan.direct,
                )
            except SchemaResolutionError as exc:  # another major, without its migration
                with pytest.raises(type(exc), match=re.escape(str(exc))):
                    plan._read(io.BytesIO(payload), *plan._args)
                continue
            assert values_equal(plan._read(io.BytesIO(payload), *plan._args), expected)


def test_generated_models_are_validated_by_pydantic_core_directly() -> None:
    """The direct path calls the validator ``model_validate`` calls, with the same result and
    the same error; a class with a ``model_validate`` of its own keeps it."""
    import pydantic

    from devicecontracts._runtime.plans import _validator

    model = latest("heartbeat").model
    validate = _validator(model)
    assert validate == model.__pydantic_validator__.validate_python
    good = model_value(latest("heartbeat"), _heartbeat_value()).model_dump()
    assert validate(good) == model.model_validate(good)
    with pytest.raises(pydantic.ValidationError) as ours:
        validate({**good, "uptime_ms": "soon"})
    with pytest.raises(pydantic.ValidationError) as theirs:
        model.model_validate({**good, "uptime_ms": "soon"})
    assert ours.value.errors() == theirs.value.errors()

    class Own(model):  # type: ignore[misc, valid-type]
        @classmethod
        def model_validate(cls, obj: Any, **kwargs: Any) -> Any:
            return super().model_validate(obj, **kwargs)

    assert _validator(Own) == Own.model_validate


def _heartbeat_value() -> dict[str, Any]:
    return {
        "header": header_value(),
        "state": "ONLINE",
        "uptime_ms": 1234,
        "free_memory_bytes": None,
        "rssi_dbm": -70,
    }


@pytest.mark.parametrize(
    "replacement",
    [
        pytest.param("missing", id="fastavro-without-it"),
        pytest.param(lambda buffer, writer, reader: {}, id="another-signature"),
        pytest.param(lambda buffer, *args: {"n": 0}, id="another-result"),
    ],
)
def test_fastavros_internal_reader_is_used_only_when_it_reads_as_schemaless_reader(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, replacement: Any
) -> None:
    """``_read_data`` is fastavro's internal: a fastavro without it, or whose ``_read_data``
    takes other arguments or reads otherwise, leaves plans on ``schemaless_reader``, and
    decoding gives the same model as with it."""
    import fastavro
    import fastavro._read

    from devicecontracts._runtime import plans

    heartbeat = latest("heartbeat")
    body = avro_body(model_value(heartbeat, _heartbeat_value()).to_avro_dict(), heartbeat.schema)
    prepared = plans.writer_schema(
        heartbeat.model.avro_schema_json,
        fingerprint=heartbeat.model.avro_fingerprint,
        parsed=heartbeat.model.parsed_avro_schema(),
    )
    assert plans.direct_read_data() is fastavro._read._read_data
    fast = plans.plan_read(prepared, (heartbeat.model,)).decode(body, 0)

    if replacement == "missing":
        monkeypatch.delattr(fastavro._read, "_read_data")
    else:
        monkeypatch.setattr(fastavro._read, "_read_data", replacement)
    plans.direct_read_data.cache_clear()
    try:
        with caplog.at_level(logging.INFO, logger="devicecontracts.serde"):
            assert plans.direct_read_data() is None
        if replacement != "missing":  # a fastavro without it needs no word
            assert "decoding uses schemaless_reader" in caplog.text
        plan = plans.plan_read(prepared, (heartbeat.model,))
        assert plan._read is fastavro.schemaless_reader
        assert plan.decode(body, 0) == fast
    finally:
        plans.direct_read_data.cache_clear()
