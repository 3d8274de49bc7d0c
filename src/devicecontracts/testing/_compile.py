"""Compile a parsed Avro schema into a tree of closures drawing from hypothesis strategies.

Compiled once per schema; drawing never looks at the schema again. What keeps it fast is the
number of hypothesis draws per value, each costing more than everything else done for it (a
span opened and closed, the choice recorded and checked): a draw is made only for a leaf value,
a union's branch index, a collection and each of its items; records, nulls and tags cost none,
because each node compiles to a ``draw(draw_fn) -> value`` closure rather than to a nested
strategy. And:

* Values are built directly, never filtered, so every draw is used and shrinking works on the
  value's own structure (hypothesis' "strategies that shrink" guide).
* A temporal or decimal value is one integer draw turned into its Python value (a timestamp is
  milliseconds since the epoch, a decimal its unscaled integer): one choice instead of the
  seven of ``st.datetimes()``, shrinking towards 1970-01-01 and zero.
* Records do not go through ``st.fixed_dictionaries``, which also shuffles the key order with
  one extra choice per field, for nothing: Avro ignores the order of a dict's keys.
* A leaf is drawn straight from hypothesis' choice methods (`_choices`), the same choice, span
  and label as ``draw(leaf)`` without ``ConjectureData.draw``'s work around it.

A node that is one leaf strategy keeps that strategy, so an array of it is ``st.lists`` of the
leaf itself; any other node becomes one composite strategy where a strategy is needed (list
items, map values).

Recursion is unrolled to ``max_depth``: a record that can contain itself is compiled once per
nesting level, and at the last level arrays and maps of it are empty and unions leave it out.
A record that cannot avoid containing itself has no finite value, and building fails.
"""

from __future__ import annotations

import datetime
import math
import struct
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, Final

import hypothesis.strategies as st
from hypothesis.strategies import SearchStrategy

from devicecontracts.schema import (
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    Array,
    AvroType,
    Enum,
    Field,
    Fixed,
    Map,
    NamedType,
    Primitive,
    Record,
    Union,
    children,
    walk,
)
from devicecontracts.testing._choices import leaf_drawer
from devicecontracts.testing._errors import InvalidStrategyArgument
from devicecontracts.testing._unions import ambiguous_branches

__all__ = ["Drawer", "Node", "Options", "compile_schema", "override_keys"]

_UTC = datetime.UTC
_EPOCH: Final = datetime.datetime(1970, 1, 1, tzinfo=_UTC)
_EPOCH_NAIVE: Final = datetime.datetime(1970, 1, 1)
_EPOCH_DAY: Final = datetime.date(1970, 1, 1).toordinal()
_US: Final = datetime.timedelta(microseconds=1)
# Python's datetime range (years 1 to 9999) as counts since the epoch: fastavro reads
# timestamps into datetime, so values outside it cannot round-trip.
_MIN_US: Final = (datetime.datetime.min - _EPOCH_NAIVE) // _US
_MAX_US: Final = (datetime.datetime.max - _EPOCH_NAIVE) // _US
_MIN_MS: Final = -(-_MIN_US // 1000)
_MAX_MS: Final = _MAX_US // 1000
_DAY_MS: Final = 86_400_000
_U32: Final = 2**32 - 1
_F32: Final = struct.Struct("<f")
_FLT_MAX: Final = float(_F32.unpack(b"\xff\xff\x7f\x7f")[0])


@dataclass(frozen=True)
class Options:
    """The generation options of `from_avro_schema`, validated."""

    max_depth: int = 3
    max_collection_size: int = 8
    allow_nan: bool = True
    allow_infinity: bool = True


# ---------------------------------------------------------------------------------------------
# Conversions from one integer draw to a logical value (module level: picklable, readable reprs)


def _timestamp_ms(ms: int) -> datetime.datetime:
    return _EPOCH + datetime.timedelta(milliseconds=ms)


def _timestamp_us(us: int) -> datetime.datetime:
    return _EPOCH + datetime.timedelta(microseconds=us)


def _local_timestamp_ms(ms: int) -> datetime.datetime:
    return _EPOCH_NAIVE + datetime.timedelta(milliseconds=ms)


def _local_timestamp_us(us: int) -> datetime.datetime:
    return _EPOCH_NAIVE + datetime.timedelta(microseconds=us)


def _date(days: int) -> datetime.date:
    return datetime.date.fromordinal(days + _EPOCH_DAY)


def _time_us(us: int) -> datetime.time:
    seconds, micro = divmod(us, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return datetime.time(hour, minute, second, micro)


def _time_ms(ms: int) -> datetime.time:
    return _time_us(ms * 1000)


def _decimal(scale: int, bound: int, unscaled: int) -> Decimal:
    unscaled = max(-bound, min(bound, unscaled))
    # From text, so the exponent is exactly -scale and no context precision rounds it.
    return Decimal(f"{unscaled}E-{scale}")


def _float32(x: float) -> float:
    # Finite doubles beyond float32's range become its largest value (an edge worth hitting).
    if math.isfinite(x) and abs(x) > _FLT_MAX:
        x = math.copysign(_FLT_MAX, x)
    return float(_F32.unpack(_F32.pack(x))[0])


def _uuid(number: int) -> uuid.UUID:
    return uuid.UUID(int=number)


def _empty_list() -> list[Any]:
    return []


def _empty_dict() -> dict[str, Any]:
    return {}


Drawer = Callable[[st.DrawFn], Any]
"""Draws one value, given hypothesis' ``draw`` function."""


class Node:
    """A compiled schema node: ``draw`` makes a value; ``strategy`` is it as one strategy."""

    __slots__ = ("_strategy", "draw")

    def __init__(self, draw: Drawer, strategy: SearchStrategy[Any] | None = None) -> None:
        self.draw = draw
        self._strategy = strategy

    @property
    def strategy(self) -> SearchStrategy[Any]:
        """One strategy for the node: the leaf itself, else a composite of ``draw``."""
        if self._strategy is None:
            self._strategy = st.composite(_call)(self.draw)
        return self._strategy


def _call(draw: st.DrawFn, drawer: Drawer) -> Any:
    return drawer(draw)


def _leaf(strategy: SearchStrategy[Any]) -> Node:
    drawer = leaf_drawer(strategy)
    return Node(partial(_draw_leaf, strategy) if drawer is None else drawer, strategy)


def _draw_leaf(strategy: SearchStrategy[Any], draw: st.DrawFn) -> Any:
    return draw(strategy)


def _converted(strategy: SearchStrategy[Any], convert: Callable[[Any], Any]) -> Node:
    # As a drawer: one draw, converted here (a .map() would cost a second, nested draw).
    drawer = leaf_drawer(strategy, convert)
    if drawer is None:

        def converted(draw: st.DrawFn) -> Any:
            return convert(draw(strategy))

        drawer = converted
    return Node(drawer, strategy.map(convert))


def _draw_none(draw: st.DrawFn) -> None:
    return None


def _record(fields: tuple[tuple[str, Drawer], ...]) -> Node:
    def record(draw: st.DrawFn) -> dict[str, Any]:
        return {name: field(draw) for name, field in fields}

    return Node(record)


def _union(index: SearchStrategy[int], branches: tuple[Drawer, ...]) -> Node:
    draw_index: Drawer = _leaf(index).draw

    def union(draw: st.DrawFn) -> Any:
        return branches[draw_index(draw)](draw)

    return Node(union)


def _tagged(name: str, inner: Drawer) -> Drawer:
    def tagged(draw: st.DrawFn) -> tuple[str, Any]:
        return (name, inner(draw))

    return tagged


def _duration(u32: SearchStrategy[int]) -> Node:
    # Avro duration: three little-endian unsigned 32-bit ints, months, days, milliseconds.
    draw_u32: Drawer = _leaf(u32).draw

    def duration(draw: st.DrawFn) -> bytes:
        return struct.pack("<3I", draw_u32(draw), draw_u32(draw), draw_u32(draw))

    return Node(duration)


# ---------------------------------------------------------------------------------------------
# Overrides


def override_keys(root: AvroType) -> tuple[dict[str, AvroType], dict[str, tuple[Record, Field]]]:
    """Every name an override may use: named types by full name, fields as ``Record.field``."""
    named: dict[str, AvroType] = {}
    fields: dict[str, tuple[Record, Field]] = {}
    for node in walk(root):
        if isinstance(node, NamedType):
            named[node.fullname] = node
        if isinstance(node, Record):
            for f in node.fields:
                fields[f"{node.fullname}.{f.name}"] = (node, f)
    return named, fields


def _check_overrides(
    root: AvroType, overrides: Mapping[str, SearchStrategy[Any]]
) -> tuple[dict[int, SearchStrategy[Any]], dict[int, SearchStrategy[Any]]]:
    named, fields = override_keys(root)
    by_type: dict[int, SearchStrategy[Any]] = {}
    by_field: dict[int, SearchStrategy[Any]] = {}
    for key, strategy in overrides.items():
        if not isinstance(key, str):
            raise InvalidStrategyArgument(f"override keys must be strings, not {key!r}")
        if not isinstance(strategy, SearchStrategy):
            raise InvalidStrategyArgument(
                f"the override for {key!r} must be a hypothesis strategy, not {strategy!r}"
            )
        if key in named:
            by_type[id(named[key])] = strategy
        elif key in fields:
            by_field[id(fields[key][1])] = strategy
        else:
            raise InvalidStrategyArgument(
                f"override {key!r} names no named type and no field of this schema; "
                f"named types: {_listing(named)}; fields: {_listing(fields)}"
            )
    return by_type, by_field


def _listing(names: Mapping[str, object], limit: int = 40) -> str:
    shown = sorted(names)
    text = ", ".join(shown[:limit])
    return text + (f", ... ({len(shown) - limit} more)" if len(shown) > limit else "") or "none"


# ---------------------------------------------------------------------------------------------
# The compiler


def _recursive_types(root: AvroType) -> set[int]:
    """Ids of the named types that can contain themselves."""
    out: set[int] = set()
    for node in walk(root):
        if not isinstance(node, Record):
            continue
        seen: set[int] = set()
        stack = list(children(node))
        while stack:
            t = stack.pop()
            if t is node:
                out.add(id(node))
                break
            if isinstance(t, Record):
                if id(t) in seen:
                    continue
                seen.add(id(t))
            stack.extend(children(t))
    return out


def compile_schema(
    root: AvroType, options: Options, overrides: Mapping[str, SearchStrategy[Any]]
) -> Node:
    """The compiled ``root``; `InvalidStrategyArgument` for bad overrides or infinite types."""
    by_type, by_field = _check_overrides(root, overrides)
    node = _Compiler(root, options, by_type, by_field).node(root, 0)
    if node is None:
        raise InvalidStrategyArgument(_no_finite_value(root))
    return node


def _no_finite_value(root: AvroType) -> str:
    name = getattr(root, "fullname", root.type)
    return (
        f"{name} has no finite value: some record in it always contains itself through fields "
        "that cannot be empty; make the recursive field optional (a union with null) or an "
        "array or map"
    )


class _Compiler:
    def __init__(
        self,
        root: AvroType,
        options: Options,
        by_type: dict[int, SearchStrategy[Any]],
        by_field: dict[int, SearchStrategy[Any]],
    ) -> None:
        self.options = options
        self.by_type = by_type
        self.by_field = by_field
        self.recursive = _recursive_types(root)
        self.memo: dict[tuple[int, int], Node | None] = {}
        self.text = st.text(st.characters(exclude_categories=["Cs"]))
        self.leaves = self._leaves()

    def _leaves(self) -> dict[str, Node]:
        o = self.options
        days = (
            datetime.date.min.toordinal() - _EPOCH_DAY,
            datetime.date.max.toordinal() - _EPOCH_DAY,
        )
        millis, micros = st.integers(_MIN_MS, _MAX_MS), st.integers(_MIN_US, _MAX_US)
        longs = st.integers(LONG_MIN, LONG_MAX)
        return {
            "null": Node(_draw_none, st.none()),
            "boolean": _leaf(st.booleans()),
            "int": _leaf(st.integers(INT_MIN, INT_MAX)),
            "long": _leaf(longs),
            # Not st.floats(width=32), which maps (a second draw) and rejects doubles beyond
            # float32's range: round a double to the nearest float32 instead.
            "float": _converted(
                st.floats(allow_nan=o.allow_nan, allow_infinity=o.allow_infinity), _float32
            ),
            "double": _leaf(st.floats(allow_nan=o.allow_nan, allow_infinity=o.allow_infinity)),
            "bytes": _leaf(st.binary()),
            "string": _leaf(self.text),
            # Logical types on primitives, keyed by logical name: one integer draw each.
            "date": _converted(st.integers(*days), _date),
            "time-millis": _converted(st.integers(0, _DAY_MS - 1), _time_ms),
            "time-micros": _converted(st.integers(0, _DAY_MS * 1000 - 1), _time_us),
            "timestamp-millis": _converted(millis, _timestamp_ms),
            "timestamp-micros": _converted(micros, _timestamp_us),
            "local-timestamp-millis": _converted(millis, _local_timestamp_ms),
            "local-timestamp-micros": _converted(micros, _local_timestamp_us),
            # fastavro 1.13 ignores the nanosecond types: they are plain longs on both sides.
            "timestamp-nanos": _leaf(longs),
            "local-timestamp-nanos": _leaf(longs),
            # Not st.uuids(): it draws a random seed, so its values do not shrink to nil.
            "uuid": _converted(st.integers(0, 2**128 - 1), _uuid),
        }

    def node(self, t: AvroType, depth: int) -> Node | None:
        """The compiled ``t`` at recursion ``depth``, or None when it has no value there."""
        if t.is_named:
            override = self.by_type.get(id(t))
            if override is not None:
                return _leaf(override)
            if id(t) in self.recursive:
                depth += 1
                if depth > self.options.max_depth:
                    return None
            key = (id(t), depth)
            if key not in self.memo:
                self.memo[key] = self._named(t, depth)
            return self.memo[key]
        if isinstance(t, Union):
            return self._union(t, depth)
        if isinstance(t, Array):
            items = self.node(t.items, depth)
            if items is None:
                return _leaf(st.builds(_empty_list))
            return _leaf(st.lists(items.strategy, max_size=self.options.max_collection_size))
        if isinstance(t, Map):
            values = self.node(t.values, depth)
            if values is None:
                return _leaf(st.builds(_empty_dict))
            size = self.options.max_collection_size
            return _leaf(st.dictionaries(self.text, values.strategy, max_size=size))
        assert isinstance(t, Primitive)
        return self._primitive(t)

    def _primitive(self, t: Primitive) -> Node:
        logical = t.logical
        if logical is None:
            return self.leaves[t.type]
        if logical.name == "decimal":
            assert logical.precision is not None
            return _decimals(logical.precision, logical.scale or 0)
        return self.leaves[logical.name]

    def _named(self, t: AvroType, depth: int) -> Node | None:
        if isinstance(t, Enum):
            # An index into the symbols: like st.sampled_from (shrinks to the first symbol),
            # without its per-draw bookkeeping.
            return _converted(st.integers(0, len(t.symbols) - 1), t.symbols.__getitem__)
        if isinstance(t, Fixed):
            logical = t.logical.name if t.logical else None
            if logical == "decimal":
                assert t.logical is not None and t.logical.precision is not None
                return _decimals(t.logical.precision, t.logical.scale or 0)
            if logical == "duration":
                return _duration(st.integers(0, _U32))
            return _leaf(st.binary(min_size=t.size, max_size=t.size))
        assert isinstance(t, Record)
        fields: list[tuple[str, Drawer]] = []
        for f in t.fields:
            override = self.by_field.get(id(f))
            node = _leaf(override) if override is not None else self.node(f.type, depth)
            if node is None:
                return None
            fields.append((f.name, node.draw))
        return _record(tuple(fields))

    def _union(self, t: Union, depth: int) -> Node | None:
        tagged = ambiguous_branches(t)
        drawers: list[Drawer] = []
        for i, branch in enumerate(t.branches):
            node = self.node(branch, depth)
            if node is None:
                continue  # this branch recurses past max_depth: the others stand in
            drawer = _tagged(branch.branch_name, node.draw) if i in tagged else node.draw
            # null first: hypothesis shrinks the branch index towards 0.
            if branch.type == "null":
                drawers.insert(0, drawer)
            else:
                drawers.append(drawer)
        if not drawers:
            return None
        if len(drawers) == 1:
            return Node(drawers[0])
        return _union(st.integers(0, len(drawers) - 1), tuple(drawers))


def _decimals(precision: int, scale: int) -> Node:
    # Hypothesis rarely draws the bounds of a wide integer range, and the largest magnitude a
    # precision allows is the edge that breaks consumers. Draw from a range a quarter wider
    # and clamp, so the bounds come up now and then, still in one draw that shrinks to zero.
    bound = 10**precision - 1
    wider = bound + bound // 4 + 1
    return _converted(st.integers(-wider, wider), partial(_decimal, scale, bound))
