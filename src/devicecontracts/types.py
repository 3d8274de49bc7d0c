"""Runtime types of the generated models: wire-exact Python types for Avro's types.

Generated models (``devicecontracts.models`` and what ``python -m codegen`` writes for other
teams) import everything they need from here, so this module is on the runtime import path: it
imports pydantic but never fastavro at import time (fastavro is imported on first use), and
nothing from the governance or testing side.

What the wire holds, the model holds. Where an Avro type is narrower than its Python type, the
annotated aliases below either normalise a value to exactly what the wire will carry, where
that is a well-defined rounding the writer would do anyway, or reject it, where the writer
would corrupt or refuse it:

=========================  ==========================================  ========================
Avro                       Python                                       enforced
=========================  ==========================================  ========================
int, long                  `Int32`, `Int64` (``int``)                   range (rejected)
float                      `Float32` (``float``)                        rounded to float32;
                                                                        overflow rejected;
                                                                        NaN and inf allowed
decimal                    ``Annotated[Decimal, AvroDecimal(p, s)]``    precision, scale, fixed
                                                                        size (rejected); the
                                                                        value takes the scale
timestamp-millis/-micros   `TimestampMillis`, `TimestampMicros`          aware (naive rejected);
                                                                        to UTC; truncated to
                                                                        the unit
local-timestamp-*          `LocalTimestampMillis`, ...Micros             naive (aware rejected);
                                                                        truncated to the unit
time-millis/-micros        `TimeMillis`, `TimeMicros`                   naive; truncated
timestamp-nanos            `NanoTimestamp`                              every nanosecond kept
local-timestamp-nanos      `LocalNanoTimestamp`                         every nanosecond kept
duration                   `Duration`                                   three unsigned 32-bit
                                                                        counts
=========================  ==========================================  ========================

"To UTC" means an offset of zero: `datetime.UTC`, or pydantic-core's own UTC (``TzInfo(0)``,
equal to it) on a value pydantic built from a number or from text ending in ``Z``.

A number given for a timestamp-millis field of a generated model means milliseconds since the
epoch, Avro's unit, whatever its size: the generator gives every record holding one
``val_temporal_unit="milliseconds"`` (`devicecontracts.codegen`), which the serde also relies
on to read those timestamps as the longs on the wire. (Without that setting, pydantic takes a
number below 2e10 as seconds.)

`devicecontracts.record.AvroRecord` is the base class of every generated record model.

Unions: a record or enum branch is its own class, so its branch always survives a round trip
(two same-shaped records included): models write it in fastavro's tuple notation
``("com.acme.Name", value)`` and read it back with ``return_named_type=True``. Branches that
share a Python type (int and long, float and double, bytes and fixed, two decimals, time-millis
and time-micros) keep the *value*: the writer picks the first branch that holds it exactly.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import functools
import math
import re
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Final, Self, TypeAlias

from annotated_types import Interval
from pydantic import AfterValidator, GetCoreSchemaHandler
from pydantic_core import TzInfo, core_schema

from devicecontracts._avro import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN

__all__ = [
    "INT32_MAX",
    "INT32_MIN",
    "INT64_MAX",
    "INT64_MIN",
    "MILLISECOND",
    "UINT32_MAX",
    "UTC_EPOCH",
    "AvroDecimal",
    "Duration",
    "Float32",
    "Int32",
    "Int64",
    "LocalNanoTimestamp",
    "LocalTimestampMicros",
    "LocalTimestampMillis",
    "NanoTimestamp",
    "TimeMicros",
    "TimeMillis",
    "TimestampMicros",
    "TimestampMillis",
    "decimal_fits",
    "float32_exact",
    "untagged",
]

INT32_MIN, INT32_MAX = INT_MIN, INT_MAX
INT64_MIN, INT64_MAX = LONG_MIN, LONG_MAX
UINT32_MAX = 2**32 - 1

_UTC = _dt.UTC
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_UTC)
UTC_EPOCH: Final = _EPOCH
"""1970-01-01T00:00:00 UTC. Generated ``to_avro_dict`` methods write a timestamp-millis ``t`` as
``(t - UTC_EPOCH) // MILLISECOND``, the long on the wire."""
MILLISECOND: Final = _dt.timedelta(milliseconds=1)
"""One millisecond (see `UTC_EPOCH`)."""
_EPOCH_NAIVE = _dt.datetime(1970, 1, 1)
_ONE_MICRO = _dt.timedelta(microseconds=1)

# ---------------------------------------------------------------------------------------------
# Numbers

Int32: TypeAlias = Annotated[int, Interval(ge=INT32_MIN, le=INT32_MAX)]
"""Avro ``int``: a signed 32-bit integer. fastavro writes larger values silently, out of spec."""

Int64: TypeAlias = Annotated[int, Interval(ge=INT64_MIN, le=INT64_MAX)]
"""Avro ``long``: a signed 64-bit integer."""

_F32 = struct.Struct("<f")


def _float32(value: float) -> float:
    try:
        return float(_F32.unpack(_F32.pack(value))[0])
    except OverflowError:
        raise ValueError(
            f"{value!r} is outside the range of an Avro float (32-bit): it would be written as "
            "infinity; use a double field for it"
        ) from None


def float32_exact(value: float) -> bool:
    """Whether a float survives an Avro ``float`` (32-bit) unchanged (NaN and inf do)."""
    try:
        back = _F32.unpack(_F32.pack(value))[0]
    except OverflowError:
        return False
    return back == value or math.isnan(value)


Float32: TypeAlias = Annotated[float, AfterValidator(_float32)]
"""Avro ``float``: rounded to the nearest 32-bit float, which is what the wire carries.

Finite values that would overflow to infinity are rejected; NaN and infinities are allowed.
"""

# ---------------------------------------------------------------------------------------------
# Decimals


@dataclass(frozen=True, slots=True)
class AvroDecimal:
    """Annotation for an Avro ``decimal``: ``Annotated[Decimal, AvroDecimal(12, 3)]``.

    Validation gives the value exactly ``scale`` decimal places (``1.5`` becomes ``1.500`` at
    scale 3, as a reader sees it) and rejects values that need more places, more than
    ``precision`` digits, or (on a ``fixed`` of ``size`` bytes) more bytes; NaN and infinities
    are rejected. Nothing is ever rounded: a decimal is money or a meter reading.
    """

    precision: int
    scale: int = 0
    size: int | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Decimal validation followed by `rescale`."""
        return core_schema.no_info_after_validator_function(self.rescale, handler(source))

    def rescale(self, value: decimal.Decimal) -> decimal.Decimal:
        """``value`` with exactly ``scale`` places; ValueError if the wire cannot hold it."""
        unscaled = _unscaled(value, self.precision, self.scale, self.size)
        if isinstance(unscaled, str):
            raise ValueError(unscaled)
        sign, digits = (1, str(-unscaled)) if unscaled < 0 else (0, str(unscaled))
        return decimal.Decimal((sign, tuple(int(d) for d in digits), -self.scale))


def _unscaled(value: decimal.Decimal, precision: int, scale: int, size: int | None) -> int | str:
    """The unscaled integer of ``value`` at ``scale``, or why it does not fit."""
    if not value.is_finite():
        return f"{value} cannot be written as an Avro decimal (only finite values can)"
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    coefficient = int("".join(map(str, digits)) or "0")
    shift = exponent + scale
    if coefficient == 0:
        unscaled = 0
    elif shift >= 0:
        # Checked before multiplying: 1E+999999999 must not build a billion-digit integer.
        if len(str(coefficient)) + shift > precision:
            return _too_many_digits(value, precision, scale)
        unscaled = coefficient * 10**shift
    else:
        unscaled, rest = divmod(coefficient, 10**-shift)
        if rest:
            return (
                f"{value} has more than {scale} decimal places: the decimal(precision="
                f"{precision}, scale={scale}) would have to round it"
            )
    if len(str(unscaled)) > precision and unscaled:
        return _too_many_digits(value, precision, scale)
    unscaled = -unscaled if sign else unscaled
    if size is not None and not -(2 ** (8 * size - 1)) <= unscaled < 2 ** (8 * size - 1):
        return f"{value} does not fit in the {size} bytes of its fixed"
    return unscaled


def _too_many_digits(value: decimal.Decimal, precision: int, scale: int) -> str:
    return (
        f"{value} needs more than {precision} digits at {scale} decimal places: the largest "
        f"decimal(precision={precision}, scale={scale}) is "
        f"{decimal.Decimal(10**precision - 1).scaleb(-scale)}"
    )


def decimal_fits(
    value: decimal.Decimal, precision: int, scale: int, size: int | None = None
) -> bool:
    """Whether an Avro decimal of this precision and scale holds ``value`` exactly."""
    return isinstance(_unscaled(value, precision, scale, size), int)


# ---------------------------------------------------------------------------------------------
# Dates and times


def _truncate_to_millis(value: Any) -> Any:
    micro = value.microsecond
    return value.replace(microsecond=micro - micro % 1000) if micro % 1000 else value


# pydantic-core's UTC: the ``tzinfo`` of a datetime it builds from a number (or from text ending
# in ``Z``), one shared instance, equal to `datetime.UTC`. A model keeps it rather than pay for a
# conversion that changes nothing but the object (``astimezone`` or ``replace`` cost more than
# building the datetime did): both mean UTC, compare, hash and print alike.
_CORE_UTC: Any = TzInfo(0)


def _aware(name: str, millis: bool) -> Callable[[_dt.datetime], _dt.datetime]:
    def slow(value: _dt.datetime) -> _dt.datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"{name} needs a timezone-aware datetime: a naive one is ambiguous (fastavro "
                "would write it in the local time zone of the writing machine); use "
                "datetime.now(UTC) or .replace(tzinfo=...)"
            )
        try:
            value = value.astimezone(_UTC)
        except OverflowError:
            raise ValueError(f"{value} is outside the datetime range once moved to UTC") from None
        return _truncate_to_millis(value) if millis else value

    # Fast paths, an identity test or two: what fastavro reads, what pydantic-core builds from
    # a number of milliseconds, and any UTC value already on the unit, are returned as they are.
    if not millis:

        def check_micros(value: _dt.datetime) -> _dt.datetime:
            tz = value.tzinfo
            return value if tz is _UTC or tz is _CORE_UTC else slow(value)

        return check_micros

    def check_millis(value: _dt.datetime) -> _dt.datetime:
        tz = value.tzinfo
        if (tz is _UTC or tz is _CORE_UTC) and not value.microsecond % 1000:
            return value
        return slow(value)

    return check_millis


def _naive(name: str, millis: bool) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value.tzinfo is None:  # fast path: what fastavro reads
            return _truncate_to_millis(value) if millis else value
        if value.utcoffset() is not None:
            raise ValueError(
                f"{name} holds a wall-clock value without time zone: pass a naive value "
                "(the offset would be dropped silently on the wire)"
            )
        value = value.replace(tzinfo=None)
        return _truncate_to_millis(value) if millis else value

    return check


TimestampMillis: TypeAlias = Annotated[
    _dt.datetime, AfterValidator(_aware("timestamp-millis", millis=True))
]
"""Avro ``timestamp-millis``: an aware datetime, normalised to UTC, truncated to milliseconds.

Numbers are milliseconds since the epoch in a model with ``val_temporal_unit="milliseconds"``
(every generated record holding one); elsewhere pydantic guesses seconds or milliseconds.
"""

TimestampMicros: TypeAlias = Annotated[
    _dt.datetime, AfterValidator(_aware("timestamp-micros", millis=False))
]
"""Avro ``timestamp-micros``: an aware datetime, normalised to UTC."""

LocalTimestampMillis: TypeAlias = Annotated[
    _dt.datetime, AfterValidator(_naive("local-timestamp-millis", millis=True))
]
"""Avro ``local-timestamp-millis``: a naive datetime, truncated to milliseconds."""

LocalTimestampMicros: TypeAlias = Annotated[
    _dt.datetime, AfterValidator(_naive("local-timestamp-micros", millis=False))
]
"""Avro ``local-timestamp-micros``: a naive datetime."""

TimeMillis: TypeAlias = Annotated[_dt.time, AfterValidator(_naive("time-millis", millis=True))]
"""Avro ``time-millis``: a naive time of day, truncated to milliseconds."""

TimeMicros: TypeAlias = Annotated[_dt.time, AfterValidator(_naive("time-micros", millis=False))]
"""Avro ``time-micros``: a naive time of day."""


def _value_schema(
    validate: Callable[[Any], Any], to_json: Callable[[Any], Any], shape: core_schema.CoreSchema
) -> core_schema.CoreSchema:
    """The pydantic schema of an immutable value type: its own validation, its own JSON of
    ``shape`` (which JSON Schema generation shows)."""
    return core_schema.no_info_plain_validator_function(
        validate,
        json_schema_input_schema=shape,
        serialization=core_schema.plain_serializer_function_ser_schema(
            to_json, when_used="json", return_schema=shape
        ),
    )


_ISO_NANOS = r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?\Z"
"""Compiled on first use (``re``'s cache keeps it): a model module imports this module, and a
Lambda cold start has no nanosecond timestamp to parse."""


@functools.total_ordering
class _EpochNanos:
    """Nanoseconds since the Unix epoch: the shared machinery of the two nanosecond types."""

    __slots__ = ("_nanos",)
    _aware: ClassVar[bool]
    _logical: ClassVar[str]
    _nanos: int

    def __init__(self, nanos: int) -> None:
        if not isinstance(nanos, int) or isinstance(nanos, bool):
            raise TypeError(f"{type(self).__name__} takes an int of nanoseconds, not {nanos!r}")
        if not INT64_MIN <= nanos <= INT64_MAX:
            raise ValueError(
                f"{nanos} nanoseconds is outside the signed 64-bit range of {self._logical} "
                "(years 1677 to 2262)"
            )
        object.__setattr__(self, "_nanos", nanos)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    @property
    def nanos(self) -> int:
        """Nanoseconds since 1970-01-01T00:00:00 (UTC, or wall clock for the local type)."""
        return self._nanos

    @property
    def nanosecond(self) -> int:
        """The nanoseconds below the microsecond, 0 to 999, that `datetime` cannot hold."""
        return self._nanos % 1000

    @classmethod
    def from_datetime(cls, value: _dt.datetime, nanosecond: int = 0) -> Self:
        """The instant of ``value`` plus ``nanosecond`` (0 to 999) nanoseconds."""
        if not 0 <= nanosecond <= 999:
            raise ValueError(f"nanosecond must be 0 to 999, not {nanosecond}")
        aware = value.tzinfo is not None and value.utcoffset() is not None
        if aware != cls._aware:
            raise ValueError(
                f"{cls._logical} needs a {'timezone-aware' if cls._aware else 'naive'} datetime"
            )
        delta = value - (_EPOCH if cls._aware else _EPOCH_NAIVE)
        return cls(delta // _ONE_MICRO * 1000 + nanosecond)

    def to_datetime(self) -> _dt.datetime:
        """The value as a `datetime`, truncated to the microsecond (see `nanosecond`)."""
        epoch = _EPOCH if self._aware else _EPOCH_NAIVE
        return epoch + _dt.timedelta(microseconds=self._nanos // 1000)

    def isoformat(self) -> str:
        """ISO 8601 with nine fraction digits, such as ``2024-05-01T12:00:00.123456789+00:00``."""
        base = self.to_datetime()
        text = base.replace(microsecond=0).isoformat()
        fraction = f".{base.microsecond:06d}{self.nanosecond:03d}"
        if self._aware:
            return text[:-6] + fraction + text[-6:]
        return text + fraction

    @classmethod
    def fromisoformat(cls, text: str) -> Self:
        """Parse what `isoformat` writes (up to nine fraction digits, an offset when aware)."""
        match = re.match(_ISO_NANOS, text.strip())
        if match is None:
            raise ValueError(f"not an ISO 8601 date-time: {text!r}")
        whole, fraction, offset = match.groups()
        if offset == "Z":
            offset = "+00:00"
        value = _dt.datetime.fromisoformat(whole + (offset or ""))
        digits = (fraction or "").ljust(9, "0")
        value = value.replace(microsecond=int(digits[:6]))
        return cls.from_datetime(value, int(digits[6:]))

    def to_avro(self) -> int:
        """The wire value: nanoseconds since the epoch."""
        return self._nanos

    @classmethod
    def from_avro(cls, value: int | Self) -> Self:
        """From the wire value (what fastavro reads: an int), or an instance as it is."""
        if isinstance(value, int):
            return cls(value)
        return value

    @classmethod
    def _validate(cls, value: Any) -> Self:
        if isinstance(value, cls):
            return value
        if isinstance(value, _dt.datetime):
            return cls.from_datetime(value)
        if isinstance(value, str):
            return cls.fromisoformat(value)
        raise ValueError(
            f"{cls._logical} takes a {cls.__name__}, a datetime or an ISO 8601 string, not "
            f"{type(value).__name__} (build one from nanoseconds with {cls.__name__}(n))"
        )

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Instances as they are; datetimes and ISO strings converted; JSON as ISO strings."""
        return _value_schema(cls._validate, cls.isoformat, core_schema.str_schema())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _EpochNanos) or type(other) is not type(self):
            return NotImplemented
        return self._nanos == other._nanos

    def __lt__(self, other: Self) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._nanos < other._nanos

    def __hash__(self) -> int:
        return hash((type(self), self._nanos))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._nanos})"

    def __str__(self) -> str:
        return self.isoformat()


class NanoTimestamp(_EpochNanos):
    """Avro ``timestamp-nanos``: an instant in UTC with every nanosecond kept.

    `datetime` stops at microseconds and fastavro reads these as plain integers, so this small
    immutable value holds the wire value itself, nanoseconds since the Unix epoch::

        >>> t = NanoTimestamp.from_datetime(datetime(2024, 5, 1, tzinfo=UTC), nanosecond=7)
        >>> t.nanos, t.isoformat()
        (1714521600000000007, '2024-05-01T00:00:00.000000007+00:00')
    """

    __slots__ = ()
    _aware = True
    _logical = "timestamp-nanos"


class LocalNanoTimestamp(_EpochNanos):
    """Avro ``local-timestamp-nanos``: a wall-clock date and time with every nanosecond kept.

    Like `NanoTimestamp`, but the count is from 1970-01-01T00:00:00 in no particular time zone,
    and `to_datetime` returns a naive datetime.
    """

    __slots__ = ()
    _aware = False
    _logical = "local-timestamp-nanos"


# ---------------------------------------------------------------------------------------------
# Duration

_DURATION = struct.Struct("<III")


@dataclass(frozen=True, slots=True)
class Duration:
    """Avro ``duration``: months, days and milliseconds, three independent unsigned counts.

    A month is not a number of days and a day is not a number of milliseconds (daylight saving
    time), so the three are kept apart as the Avro specification keeps them: the wire is a
    ``fixed`` of 12 bytes, three little-endian unsigned 32-bit integers.
    """

    months: int = 0
    days: int = 0
    millis: int = 0

    def __post_init__(self) -> None:
        for name in ("months", "days", "millis"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"Duration.{name} must be an int, not {value!r}")
            if not 0 <= value <= UINT32_MAX:
                raise ValueError(f"Duration.{name} must be 0 to {UINT32_MAX}, not {value}")

    def to_avro(self) -> bytes:
        """The 12 bytes on the wire."""
        return _DURATION.pack(self.months, self.days, self.millis)

    @classmethod
    def from_avro(cls, value: bytes | Duration) -> Duration:
        """From the 12 wire bytes (what fastavro reads), or an instance as it is."""
        if isinstance(value, Duration):
            return value
        if len(value) != 12:
            raise ValueError(f"an Avro duration is 12 bytes, not {len(value)}")
        return cls(*_DURATION.unpack(value))

    @classmethod
    def _validate(cls, value: Any) -> Duration:
        if isinstance(value, Duration):
            return value
        if isinstance(value, Mapping) and set(value) <= {"months", "days", "millis"}:
            try:
                return cls(**value)
            except TypeError as exc:
                raise ValueError(str(exc)) from None
        raise ValueError(
            f"duration takes a Duration or a mapping of months, days and millis, not "
            f"{type(value).__name__}"
        )

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Instances as they are; mappings of months, days and millis converted."""
        count = core_schema.typed_dict_field(core_schema.int_schema(ge=0, le=UINT32_MAX))
        shape = core_schema.typed_dict_schema({"months": count, "days": count, "millis": count})
        return _value_schema(
            cls._validate,
            lambda d: {"months": d.months, "days": d.days, "millis": d.millis},
            shape,
        )


# ---------------------------------------------------------------------------------------------
# Unions


def untagged(value: Any) -> Any:
    """A union value without its branch name: ``("ns.Name", v)`` becomes ``v``.

    fastavro writes tuples of (branch name, value) to pick a union branch, and reads them back
    with ``return_named_type=True``.
    """
    return value[1] if type(value) is tuple else value


def __getattr__(name: str) -> Any:
    # Models generated before `AvroRecord` moved to `devicecontracts.record` import it from
    # here; they keep working (PEP 562: loaded only when asked for).
    if name == "AvroRecord":
        from devicecontracts.record import AvroRecord

        return AvroRecord
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
