"""Hypothesis strategies of fastavro writer values for a parsed schema, for the codegen tests.

`schema_values` is ``devicecontracts.testing.from_avro_schema`` (the package's strategies)
when the testing extra is importable, else `writer_values`: a minimal strategy of our own that
aims at the same edges a wire-faithful model must survive (int and long bounds, float32
extremes, NaN, infinities and -0.0, empty arrays and maps, every union branch, non-ASCII
text, logical values aligned to their unit) and tags *every* union branch with fastavro's
tuple notation, where ``from_avro_schema`` tags only ambiguous ones: the tests use both.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import hypothesis.strategies as st

from devicecontracts.schema import Array, AvroType, Enum, Fixed, Map, Primitive, Record, Union

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
UTC = dt.UTC


def _ints(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from([lo, hi, 0, -1, 1]), st.integers(lo, hi))


def _millis(value: Any) -> Any:
    return value.replace(microsecond=value.microsecond - value.microsecond % 1000)


def _decimals(precision: int, scale: int) -> st.SearchStrategy[decimal.Decimal]:
    bound = 10**precision - 1
    return st.integers(-bound, bound).map(lambda n: decimal.Decimal(n).scaleb(-scale))


def _logical(t: Primitive | Fixed) -> st.SearchStrategy[Any] | None:
    lt = t.logical
    if lt is None:
        return None
    name = lt.name
    if name == "decimal":
        assert lt.precision is not None
        return _decimals(lt.precision, lt.scale or 0)
    if name == "duration":
        return st.binary(min_size=12, max_size=12)
    if name == "uuid":
        return st.uuids()
    if name == "date":
        return st.dates()
    if name == "time-millis":
        return st.times().map(_millis)
    if name == "time-micros":
        return st.times()
    if name == "timestamp-millis":
        return st.datetimes(timezones=st.just(UTC)).map(_millis)
    if name == "timestamp-micros":
        return st.datetimes(timezones=st.just(UTC))
    if name == "local-timestamp-millis":
        return st.datetimes().map(_millis)
    if name == "local-timestamp-micros":
        return st.datetimes()
    assert name in ("timestamp-nanos", "local-timestamp-nanos"), name
    return _ints(*INT64)


_PRIMITIVES: dict[str, st.SearchStrategy[Any]] = {
    "null": st.none(),
    "boolean": st.booleans(),
    "int": _ints(*INT32),
    "long": _ints(*INT64),
    "float": st.floats(width=32),
    "double": st.floats(),
    "bytes": st.binary(max_size=24),
    "string": st.text(max_size=12),
}


_BUILT: dict[tuple[int, int], st.SearchStrategy[Any]] = {}
_PACKAGE: dict[tuple[int, int], st.SearchStrategy[Any]] = {}


def schema_values(t: AvroType, max_depth: int = 2) -> st.SearchStrategy[Any]:
    """The package's ``from_avro_schema`` strategy for ``t``, or `writer_values` without it."""
    try:
        from devicecontracts.testing import from_avro_schema
    except ImportError:  # pragma: no cover - the testing extra is a dev dependency
        return writer_values(t, max_depth)
    key = (id(t), max_depth)
    if key not in _PACKAGE:
        _PACKAGE[key] = from_avro_schema(t, max_depth=max_depth)
    return _PACKAGE[key]


def writer_values(t: AvroType, max_depth: int = 2) -> st.SearchStrategy[Any]:
    """Values fastavro writes for ``t``, in writer form (union branches tagged); built once."""
    key = (id(t), max_depth)
    if key not in _BUILT:
        _BUILT[key] = _values(t, max_depth, {})
    return _BUILT[key]


def _tagged(b: AvroType, depth: int, cache: dict[tuple[int, int], Any]) -> st.SearchStrategy[Any]:
    """A union branch's values, in fastavro's tuple notation (null stays plain)."""
    values = _values(b, depth, cache)
    if b.type == "null":
        return values
    tag = b.branch_name
    return values.map(lambda v: (tag, v))


def _values(t: AvroType, depth: int, cache: dict[tuple[int, int], Any]) -> st.SearchStrategy[Any]:
    key = (id(t), depth)
    if key in cache:
        return cache[key]
    if isinstance(t, Record):
        # Deferred, so a recursive record refers to its own strategy at a smaller depth.
        strategy: st.SearchStrategy[Any] = st.deferred(
            lambda: st.fixed_dictionaries(
                {f.name: _values(f.type, depth - 1, cache) for f in t.fields}
            )
        )
    elif isinstance(t, Enum):
        strategy = st.sampled_from(t.symbols)
    elif isinstance(t, Fixed):
        logical = _logical(t)
        strategy = logical if logical is not None else st.binary(min_size=t.size, max_size=t.size)
    elif isinstance(t, Array):
        size = 0 if depth <= 0 else 3
        strategy = st.lists(_values(t.items, depth, cache), max_size=size)
    elif isinstance(t, Map):
        size = 0 if depth <= 0 else 3
        strategy = st.dictionaries(
            st.text(max_size=6), _values(t.values, depth, cache), max_size=size
        )
    elif isinstance(t, Union):
        branches = list(t.branches)
        if depth <= 0:
            # At the depth budget, prefer branches that cannot recurse.
            shallow = [b for b in branches if not isinstance(b, (Record, Array, Map))]
            branches = shallow or branches
        strategy = st.one_of(*[_tagged(b, depth, cache) for b in branches])
    else:
        assert isinstance(t, Primitive)
        logical = _logical(t)
        strategy = logical if logical is not None else _PRIMITIVES[t.type]
    cache[key] = strategy
    return strategy
