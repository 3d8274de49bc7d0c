"""Avro JSON defaults as typed Python expressions: ``Status.OK``, ``Decimal("1.500")``,
``datetime(2023, 11, 14, ..., tzinfo=UTC)``, ``GeoPoint(latitude=0.0, ...)``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import struct
import uuid
from typing import Any

from devicecontracts.errors import CodegenError
from devicecontracts.schema import Array, AvroType, Enum, Fixed, Map, Primitive, Record, Union
from devicecontracts.types import AvroDecimal

from ._emit import NANOS, RESERVED_ATTRIBUTES, Emitter, simple_union
from ._naming import attribute_names, enum_member_names

__all__ = ["Defaults"]


class Defaults(Emitter):
    """Typed default expressions, and defaults in the form fastavro writes."""

    def default(self, t: AvroType, value: Any, where: str) -> tuple[str, bool]:
        """A Python expression for an Avro default, and whether the value is mutable."""
        try:
            return self._default(t, value)
        except (ValueError, OverflowError, TypeError, KeyError, IndexError) as exc:
            raise CodegenError(
                f"{self.unit.source}: the default of {where} cannot become a Python value: {exc}"
            ) from None

    def _default(self, t: AvroType, value: Any) -> tuple[str, bool]:
        if isinstance(t, Union):
            return self._default(t.branches[0], value)
        if isinstance(t, Record):
            attrs = attribute_names([f.name for f in t.fields], RESERVED_ATTRIBUTES)
            args = []
            for f in t.fields:
                if f.name in value:
                    args.append(f"{attrs[f.name]}={self._default(f.type, value[f.name])[0]}")
            return f"{self.cls(t)}({', '.join(args)})", True
        if isinstance(t, Array):
            items = [self._default(t.items, v)[0] for v in value]
            return "[" + ", ".join(items) + "]", True
        if isinstance(t, Map):
            entries = [
                f"{json.dumps(k)}: {self._default(t.values, v)[0]}" for k, v in value.items()
            ]
            return "{" + ", ".join(entries) + "}", True
        if isinstance(t, Enum):
            member = enum_member_names(t.symbols)[t.symbols.index(value)]
            return f"{self.cls(t)}.{member}", False
        if isinstance(t, Fixed):
            raw = _default_bytes(value)
            if len(raw) != t.size:
                raise ValueError(f"{len(raw)} bytes for a fixed of {t.size}")
            return self._bytes_default(t, raw), False
        assert isinstance(t, Primitive)
        return self._primitive_default(t, value), False

    def _bytes_default(self, t: Primitive | Fixed, raw: bytes) -> str:
        lt = t.logical
        if lt is not None and lt.name == "decimal":
            assert lt.precision is not None
            unscaled = int.from_bytes(raw, "big", signed=True) if raw else 0
            size = t.size if isinstance(t, Fixed) else None
            spec = AvroDecimal(lt.precision, lt.scale or 0, size)
            number = spec.rescale(decimal.Decimal(unscaled).scaleb(-(lt.scale or 0)))
            return f"{self.use('Decimal')}({json.dumps(str(number))})"
        if lt is not None and lt.name == "duration":
            months, days, millis = struct.unpack("<III", raw)
            return f"{self.use('Duration')}(months={months}, days={days}, millis={millis})"
        return repr(raw)

    def _primitive_default(self, t: Primitive, value: Any) -> str:
        lt = t.logical.name if t.logical else None
        kind = t.type
        if kind == "null":
            return "None"
        if kind == "boolean":
            return "True" if value else "False"
        if kind == "bytes":
            return self._bytes_default(t, _default_bytes(value))
        if kind == "string":
            if lt == "uuid":
                return f"{self.use('UUID')}({json.dumps(str(uuid.UUID(value)))})"
            return json.dumps(value, ensure_ascii=False)
        if kind in ("float", "double"):
            number = float(value)
            if kind == "float" and math.isfinite(number):
                number = struct.unpack("<f", struct.pack("<f", number))[0]
            if math.isnan(number):
                return 'float("nan")'
            if math.isinf(number):
                return 'float("inf")' if number > 0 else '-float("inf")'
            return repr(number)
        number = int(value)
        if lt is None:
            return str(number)
        if lt == "date":
            return self._date(dt.date(1970, 1, 1) + dt.timedelta(days=number))
        if lt in ("time-millis", "time-micros"):
            micros = number * 1000 if lt == "time-millis" else number
            moment = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=micros)
            if not 0 <= micros < 86_400_000_000:
                raise ValueError(f"{number} is not a time of day")
            return self._time(moment.time())
        if lt in NANOS:
            return f"{self.annotation(t)[0]}({number})"
        micros = number * 1000 if lt.endswith("millis") else number
        moment = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=micros)
        return self._datetime(moment, aware=not lt.startswith("local-"))

    def _date(self, d: dt.date) -> str:
        return f"{self.use('date')}({d.year}, {d.month}, {d.day})"

    def _time(self, t: dt.time) -> str:
        parts = [t.hour, t.minute, t.second] + ([t.microsecond] if t.microsecond else [])
        return f"{self.use('time')}({', '.join(map(str, parts))})"

    def _datetime(self, moment: dt.datetime, aware: bool) -> str:
        parts = [moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second]
        if moment.microsecond:
            parts.append(moment.microsecond)
        args = ", ".join(map(str, parts))
        if aware:
            args += f", tzinfo={self.use('UTC')}"
        return f"{self.use('datetime')}({args})"

    def _default_wire(self, t: AvroType, expr: str) -> str:
        if isinstance(t, Union):
            first = t.branches[0]
            if first.type == "null":
                return "None"
            value = self.to_avro(first, f"({expr})" if " " in expr else expr)
            if simple_union(t) is None or first.is_named:
                return f"({json.dumps(first.branch_name)}, {value})"
            return value
        if not self.needs_to(t) or expr in ("[]", "{}"):
            return expr
        return self.to_avro(t, f"({expr})" if " " in expr else expr)


def _default_bytes(value: str) -> bytes:
    """The bytes of an Avro JSON default for bytes or fixed: one code point per byte."""
    if not isinstance(value, str):
        raise TypeError(f"a bytes default is a JSON string, not {value!r}")
    return value.encode("latin-1")
