"""Bytes that cannot hurt: every entry point that takes bytes raises only the documented
`DecodeError` family on bad input, decimals included, with work bounded by the input's size."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
from typing import Any

import fastavro
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devicecontracts.errors import (
    CorruptPayload,
    DecodeError,
    SchemaError,
    TruncatedMessage,
)
from devicecontracts.serde import Deserializer, decode, schema_id_of
from devicecontracts.testing import from_model

from ..support.models import Version, all_versions, framed, latest, varint, writer_schemas
from .conftest import RUNTIME

# Generous: a linear decoder handles any example here in milliseconds even on a loaded 2-core
# runner, and a quadratic one takes minutes on the large inputs the strategies build.
HOSTILE = settings(RUNTIME, deadline=dt.timedelta(seconds=10), max_examples=30)
VERSIONS_ = list(all_versions())
IDS = [f"{v.contract}-v{v.number}" for v in VERSIONS_]
WHERE = {"topic": "fleet.meters", "partition": 2, "offset": 77}
METER = latest("meter_reading")


def meter_body(amount: bytes) -> bytes:
    """A meter reading v2 body whose ``energy_kwh`` is ``amount``, length prefix included."""
    reading = METER.model.from_avro_dict(
        {
            "header": {
                "device_id": "m-1",
                "message_id": "6f1c1e3a-4c1b-4e0f-9a51-0c2f1a7d9e11",
                "sent_at": dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
                "firmware_version": "1.0.0",
                "sequence": 1,
            },
            "energy_kwh": decimal.Decimal("1.000"),
            "period": {
                "start": dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
                "end": dt.datetime(2024, 5, 1, 0, 15, tzinfo=dt.UTC),
            },
            "tariff": "day",
            "reactive_energy_kvarh": None,
        }
    )
    raw = reading.to_avro_bytes()
    header = reading.header.to_avro_bytes()
    one = b"\x04\x03\xe8"  # energy_kwh 1.000: length 2, then the unscaled 1000
    assert raw[len(header) : len(header) + len(one)] == one
    return header + amount + raw[len(header) + len(one) :]


def decimal_bytes(unscaled: int, padding: int = 0) -> bytes:
    """Two's-complement big-endian bytes of ``unscaled``, with ``padding`` redundant sign bytes."""
    size = max(1, (unscaled.bit_length() + 8) // 8)
    raw = unscaled.to_bytes(size, "big", signed=True)
    return (b"\xff" if unscaled < 0 else b"\x00") * padding + raw


# ---------------------------------------------------------------------------------------------
# Decimals


@pytest.mark.parametrize("size", [1_000, 500_000, 1_000_000])
def test_a_huge_decimal_is_refused_as_corrupt_naming_the_field(size: int) -> None:
    """A bytes decimal with a length prefix of up to 1 MB (which took fastavro minutes, then
    raised decimal.Overflow) is a CorruptPayload naming the field and the precision."""
    value = framed(METER.schema_id, meter_body(varint(size) + b"\x7f" * size))
    with pytest.raises(CorruptPayload, match=r"energy_kwh: a decimal\(precision=12") as caught:
        Deserializer(METER.model, schemas=writer_schemas()).decode(value, **WHERE)
    assert (caught.value.topic, caught.value.offset) == ("fleet.meters", 77)
    with pytest.raises(CorruptPayload, match="more than 12 digits"):
        METER.model.from_avro_bytes(meter_body(varint(size) + b"\x7f" * size))


def test_a_decimal_one_past_its_precision_is_corrupt_and_the_largest_decodes() -> None:
    """10**12 in a decimal(12, 3) is refused (fastavro would round it silently); 10**12 - 1, the
    largest value the precision holds, and its negative decode exactly."""
    model = METER.model
    for unscaled in (10**12 - 1, -(10**12 - 1)):
        amount = decimal_bytes(unscaled)
        decoded = model.from_avro_bytes(meter_body(varint(len(amount)) + amount))
        assert decoded.energy_kwh == decimal.Decimal(unscaled).scaleb(-3)
    for unscaled in (10**12, -(10**12), 2**47 - 1):
        amount = decimal_bytes(unscaled)
        with pytest.raises(CorruptPayload, match="more than 12 digits"):
            model.from_avro_bytes(meter_body(varint(len(amount)) + amount))


@RUNTIME
@given(
    unscaled=st.integers(min_value=-(10**12) + 1, max_value=10**12 - 1),
    padding=st.integers(min_value=0, max_value=40),
)
def test_decimals_within_their_precision_read_as_fastavro_reads_them(
    unscaled: int, padding: int
) -> None:
    """Any decimal within its precision, with any number of redundant sign bytes, decodes to
    exactly the Decimal fastavro's own reader gives."""
    amount = decimal_bytes(unscaled, padding)
    body = meter_body(varint(len(amount)) + amount)
    expected = fastavro.schemaless_reader(io.BytesIO(body), METER.model.parsed_avro_schema())
    decoded = METER.model.from_avro_bytes(body)
    assert decoded.energy_kwh == expected["energy_kwh"] == decimal.Decimal(unscaled).scaleb(-3)
    assert decoded.energy_kwh.as_tuple().exponent == -3


# ---------------------------------------------------------------------------------------------
# Model.from_avro_bytes: the serde's guards


def test_from_avro_bytes_refuses_trailing_bytes() -> None:
    """Bytes left after a complete record are a CorruptPayload, not silently ignored."""
    raw = meter_body(b"\x04\x03\xe8")
    assert METER.model.from_avro_bytes(raw).energy_kwh == decimal.Decimal("1.000")
    with pytest.raises(CorruptPayload, match=r"2 bytes are left .* the writer schema given"):
        METER.model.from_avro_bytes(raw + b"\x00\x00")


@pytest.mark.parametrize("cut", [0, 1, 5, 20])
def test_from_avro_bytes_of_a_cut_off_body_is_truncated(cut: int) -> None:
    """A body cut anywhere is a TruncatedMessage, never a raw EOFError or IndexError."""
    raw = meter_body(b"\x04\x03\xe8")
    with pytest.raises(TruncatedMessage):
        METER.model.from_avro_bytes(raw[:cut])


OLDER_METER = next(v for v in all_versions() if v.contract == "meter_reading")


@RUNTIME
@given(message=from_model(OLDER_METER.model))
def test_from_avro_bytes_takes_the_writer_schema_as_text_dict_or_model(message: Any) -> None:
    """Bytes of an older version read into the latest model the same way whether the writer
    schema is given as JSON text, a dict, a fastavro-parsed dict or the model class, and as
    serde.decode reads them."""
    assert OLDER_METER.number < METER.number
    raw = message.to_avro_bytes()
    schema_json = OLDER_METER.model.avro_schema_json
    forms: list[Any] = [
        OLDER_METER.model,
        schema_json,
        json.loads(schema_json),
        fastavro.parse_schema(json.loads(schema_json)),
    ]
    decoded = [METER.model.from_avro_bytes(raw, writer_schema=form) for form in forms]
    assert all(d == decoded[0] for d in decoded)
    assert decoded[0] == decode(framed(1, raw), METER.model, writer=OLDER_METER.model)
    assert decoded[0].header.model_dump() == message.header.model_dump()


def test_from_avro_bytes_refuses_what_is_not_a_writer_schema() -> None:
    """A writer schema that is not JSON or not Avro is a SchemaError; a value of another kind
    is a TypeError saying what is accepted."""
    raw = meter_body(b"\x04\x03\xe8")
    with pytest.raises(SchemaError, match="not a valid Avro schema"):
        METER.model.from_avro_bytes(raw, writer_schema="{not json")
    with pytest.raises(SchemaError, match="not a valid Avro schema"):
        METER.model.from_avro_bytes(raw, writer_schema={"type": "nonsense"})
    with pytest.raises(TypeError, match="model class, schema JSON text or a dict"):
        METER.model.from_avro_bytes(raw, writer_schema=42)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Every entry point, random and mutated bytes


def mutated(valid: bytes) -> st.SearchStrategy[bytes]:
    """``valid`` with a few edits: bytes replaced, inserted, deleted, cut, or a huge length
    prefix (with up to 1 MB behind it) put anywhere."""
    edit = st.one_of(
        st.tuples(st.just("replace"), st.integers(0, 2**16), st.binary(min_size=1, max_size=4)),
        st.tuples(st.just("insert"), st.integers(0, 2**16), st.binary(min_size=1, max_size=8)),
        st.tuples(st.just("delete"), st.integers(0, 2**16), st.integers(1, 8)),
        st.tuples(st.just("cut"), st.integers(0, 2**16), st.just(0)),
        st.tuples(
            st.just("inflate"),
            st.integers(0, 2**16),
            st.tuples(
                st.integers(0, 2**62), st.integers(0, 2**20), st.binary(min_size=1, max_size=1)
            ),
        ),
    )

    def apply(edits: list[tuple[str, int, Any]]) -> bytes:
        data = bytearray(valid)
        for kind, where, arg in edits:
            at = where % (len(data) + 1)
            if kind == "replace":
                data[at : at + len(arg)] = arg
            elif kind == "insert":
                data[at:at] = arg
            elif kind == "delete":
                del data[at : at + arg]
            elif kind == "cut":
                del data[at:]
            else:
                claimed, size, fill = arg
                data[at:at] = varint(claimed) + fill * size
        return bytes(data)

    return st.lists(edit, min_size=1, max_size=4).map(apply)


def bodies(version: Version) -> st.SearchStrategy[bytes]:
    """Random bytes, and mutations of valid bodies of ``version``."""
    valid = from_model(version.model).map(lambda m: m.to_avro_bytes())
    return st.one_of(st.binary(max_size=200), valid.flatmap(mutated))


def decodes_or_raises_a_decode_error(read: Any, data: bytes) -> DecodeError | None:
    """Run ``read(data)``: a model, or a DecodeError (returned); anything else fails the test."""
    try:
        read(data)
    except DecodeError as exc:
        return exc
    return None


@pytest.mark.parametrize("version", VERSIONS_, ids=IDS)
@HOSTILE
@given(data=st.data())
def test_from_avro_bytes_raises_only_decode_errors(version: Version, data: st.DataObject) -> None:
    """Random or mutated bytes read by a model's from_avro_bytes give a model or a DecodeError."""
    decodes_or_raises_a_decode_error(version.model.from_avro_bytes, data.draw(bodies(version)))


@pytest.mark.parametrize("version", VERSIONS_, ids=IDS)
@HOSTILE
@given(data=st.data())
def test_the_deserializer_raises_only_located_decode_errors(
    version: Version, data: st.DataObject
) -> None:
    """Random or mutated bodies under the version's id give the latest model or a DecodeError
    naming the record's topic, partition and offset (through decode and the call form)."""
    deserializer = Deserializer(latest(version.contract).model, schemas=writer_schemas())
    value = framed(version.schema_id, data.draw(bodies(version)))
    error = decodes_or_raises_a_decode_error(lambda v: deserializer.decode(v, **WHERE), value)
    if error is not None:
        assert (error.topic, error.partition, error.offset) == ("fleet.meters", 2, 77)
        assert error.schema_id == version.schema_id
    decodes_or_raises_a_decode_error(deserializer, value)


@pytest.mark.parametrize("version", VERSIONS_, ids=IDS)
@HOSTILE
@given(data=st.data())
def test_serde_decode_raises_only_decode_errors(version: Version, data: st.DataObject) -> None:
    """Random or mutated framed values read by serde.decode (writer given as the version's
    model) give the latest model or a DecodeError."""
    model = latest(version.contract).model
    value = framed(version.schema_id, data.draw(bodies(version)))
    decodes_or_raises_a_decode_error(lambda v: decode(v, model, writer=version.model), value)


@HOSTILE
@given(value=st.one_of(st.binary(max_size=16), st.binary(min_size=5).map(lambda b: b"\x00" + b)))
def test_wire_parsing_gives_an_id_or_a_decode_error(value: bytes) -> None:
    """Any bytes give a schema id in Schema Registry's range, or a DecodeError."""
    try:
        schema_id = schema_id_of(value)
    except DecodeError:
        return
    assert value[0] == 0
    assert 0 <= schema_id < 2**32


# ---------------------------------------------------------------------------------------------
# Overlong varints


@pytest.mark.parametrize("version", VERSIONS_, ids=IDS)
def test_a_megabyte_of_varint_continuation_bytes_is_a_decode_error(version: Version) -> None:
    """A body that is one endless varint (1 MB of continuation bytes) is refused as a
    `DecodeError` by every version's model, compiled reader or pure-Python one alike."""
    body = b"\xf6" * 1_000_000 + b"\x01"

    with pytest.raises(DecodeError):
        version.model.from_avro_bytes(body)


def test_the_pure_python_reader_stops_at_the_eleventh_continuation_byte() -> None:
    """Read by fastavro's pure-Python reader, an overlong varint is refused by name as soon as
    it passes a long's ten bytes, not after turning a megabyte into one Python integer."""
    from devicecontracts._runtime.plans import writer_schema

    writer = writer_schema(
        {"type": "record", "name": "R", "fields": [{"name": "n", "type": "long"}]}
    )
    buffer = writer.body(b"\xf6" * 1_000_000 + b"\x01", 0, pure_python=True)

    with pytest.raises(CorruptPayload, match="runs past 10 bytes"):
        fastavro_read_py(buffer, writer.guarded)
    assert buffer.tell() == 11


def fastavro_read_py(buffer: io.BytesIO, schema: Any) -> Any:
    """fastavro's pure-Python schemaless reader."""
    from fastavro._read_py import schemaless_reader

    return schemaless_reader(buffer, schema, None)


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_every_long_reads_through_the_varint_bound(n: int) -> None:
    """No long, however large, is mistaken for an overlong varint."""
    from devicecontracts._runtime.plans import writer_schema

    writer = writer_schema(
        {"type": "record", "name": "R", "fields": [{"name": "n", "type": "long"}]}
    )

    assert fastavro_read_py(writer.body(varint(n), 0, pure_python=True), writer.guarded) == {"n": n}


def test_a_schema_with_a_one_byte_fixed_is_read_unbounded() -> None:
    """A fixed of size 1 is read a byte at a time too, so such a schema keeps a plain buffer:
    twenty high one-byte fixed values in a row decode."""
    from devicecontracts._runtime.plans import writer_schema

    schema = {
        "type": "record",
        "name": "R",
        "fields": [
            {
                "name": "b",
                "type": {"type": "array", "items": {"type": "fixed", "name": "B", "size": 1}},
            }
        ],
    }
    writer = writer_schema(schema)
    body = varint(20) + b"\xff" * 20 + b"\x00"

    assert writer.bounded is False
    assert fastavro_read_py(writer.body(body, 0, pure_python=True), writer.guarded) == {
        "b": [b"\xff"] * 20
    }
