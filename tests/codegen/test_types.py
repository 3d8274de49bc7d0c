"""The runtime types of the generated models: exact Avro values in Python."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import struct

import fastavro
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devicecontracts.types import (
    INT64_MAX,
    INT64_MIN,
    AvroDecimal,
    Duration,
    LocalNanoTimestamp,
    NanoTimestamp,
    decimal_fits,
    float32_exact,
)

UTC = dt.UTC
FAST = settings(max_examples=100, deadline=None, database=None)


@FAST
@given(st.integers(INT64_MIN, INT64_MAX))
def test_nano_timestamps_keep_every_nanosecond_through_iso_text(nanos: int) -> None:
    """isoformat and fromisoformat are inverse, with all nine fraction digits."""
    for kind in (NanoTimestamp, LocalNanoTimestamp):
        value = kind(nanos)
        assert kind.fromisoformat(value.isoformat()) == value
        assert value.isoformat().split(".")[1][:9].isdigit()


@FAST
@given(st.datetimes(timezones=st.just(UTC)), st.integers(0, 999))
def test_nano_timestamps_extend_datetimes(moment: dt.datetime, nanosecond: int) -> None:
    """from_datetime plus a nanosecond gives back the datetime and the nanosecond."""
    try:
        value = NanoTimestamp.from_datetime(moment, nanosecond)
    except ValueError:
        return  # outside the years 1677 to 2262 a long holds
    assert value.to_datetime() == moment
    assert value.nanosecond == nanosecond


def test_nano_timestamps_check_range_and_awareness() -> None:
    """Beyond a long, naive instants and aware wall-clock values are rejected; -1 ns is the
    last nanosecond before the epoch."""
    with pytest.raises(ValueError, match="64-bit"):
        NanoTimestamp(INT64_MAX + 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        NanoTimestamp.from_datetime(dt.datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        LocalNanoTimestamp.from_datetime(dt.datetime(2024, 1, 1, tzinfo=UTC))
    with pytest.raises(TypeError):
        NanoTimestamp(True)
    before = NanoTimestamp(-1)
    assert before.to_datetime() == dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert before.nanosecond == 999
    assert NanoTimestamp(1) > before
    assert NanoTimestamp(5) != LocalNanoTimestamp(5)
    assert str(NanoTimestamp(7)) == "1970-01-01T00:00:00.000000007+00:00"


@FAST
@given(st.binary(min_size=12, max_size=12))
def test_durations_round_trip_their_twelve_bytes(raw: bytes) -> None:
    """Any 12 bytes are a duration, and come back the same."""
    assert Duration.from_avro(raw).to_avro() == raw


def test_durations_keep_three_unsigned_counts() -> None:
    """Months, days and milliseconds are separate unsigned 32-bit counts."""
    assert Duration(1, 2, 3).to_avro() == struct.pack("<III", 1, 2, 3)
    with pytest.raises(ValueError, match="0 to 4294967295"):
        Duration(months=-1)
    with pytest.raises(ValueError, match="12 bytes"):
        Duration.from_avro(b"\x00" * 11)


@FAST
@given(st.integers(1, 20).flatmap(lambda p: st.tuples(st.just(p), st.integers(0, p))), st.data())
def test_decimals_take_their_scale_exactly_as_fastavro_reads_them(
    spec: tuple[int, int], data: st.DataObject
) -> None:
    """A decimal that fits is rescaled to exactly what fastavro writes and reads back."""
    precision, scale = spec
    unscaled = data.draw(st.integers(-(10**precision) + 1, 10**precision - 1))
    trailing = data.draw(st.integers(0, scale))
    value = (
        decimal.Decimal(unscaled).scaleb(-scale).normalize()
        if trailing
        else (decimal.Decimal(unscaled).scaleb(-scale))
    )
    if not value.is_finite() or not decimal_fits(value, precision, scale):
        return
    rescaled = AvroDecimal(precision, scale).rescale(value)
    assert rescaled == value
    assert rescaled.as_tuple().exponent == -scale
    schema = fastavro.parse_schema(
        {"type": "bytes", "logicalType": "decimal", "precision": precision, "scale": scale}
    )
    out = io.BytesIO()
    fastavro.schemaless_writer(out, schema, rescaled)
    back = fastavro.schemaless_reader(io.BytesIO(out.getvalue()), schema)
    assert str(back) == str(rescaled)


def test_decimals_that_need_rounding_or_more_digits_do_not_fit() -> None:
    """More places than the scale, more digits than the precision, or more bytes than the
    fixed has: rejected, never rounded."""
    assert decimal_fits(decimal.Decimal("1.2300"), 4, 2)
    assert not decimal_fits(decimal.Decimal("1.234"), 4, 2)
    assert not decimal_fits(decimal.Decimal("123.4"), 4, 2)
    assert not decimal_fits(decimal.Decimal("1E+999999999"), 10, 2)
    assert decimal_fits(decimal.Decimal("-128"), 3, 0, size=1)
    assert not decimal_fits(decimal.Decimal("128"), 3, 0, size=1)
    assert str(AvroDecimal(5, 2).rescale(decimal.Decimal("-0"))) == "0.00"


@FAST
@given(st.floats(width=32))
def test_float32_values_are_exact(value: float) -> None:
    """Every float32 value, NaN and infinities included, survives a float field."""
    assert float32_exact(value)


def test_floats_between_float32_values_are_not_exact() -> None:
    """0.1 and values that overflow float32 do not survive a float field unchanged."""
    assert not float32_exact(0.1)
    assert not float32_exact(1e39)
