"""The docs site's examples: one message per version, drawn from `from_avro_schema`.

``contracts docs`` calls `doc_examples` and hands its result to the site as plain text
(`devicecontracts.docs.examples.Example`): the docs package draws nothing and imports no
hypothesis.

Valid by construction: every value comes from `from_avro_schema` on the version's parsed schema
(references resolved), so it is a value the schema allows. Its ``overrides`` make the value read
like a device's rather than like a fuzzer's, leaf by leaf, always within the field's type:

* a recognised CEL_FIELD domain rule the version carries (`_rules.recognise`: a range, a set, a
  size) draws its field within what the rule allows, as ``contracts test`` does;
* numbers within a range the field's doc states ("-90 to 90"), else small and non-negative
  (integers to 5000, others to 100; dBm -110 to -40), floats in quarters (exact in float32),
  doubles to three decimals;
* strings from the doc's own examples ("e.g. Cel, %, V"), ``<name>-<number>`` for an id or a
  name, else short words; timestamps, dates and times in 2025; UUIDs version 4;
  decimals small and positive;
* a field that is null or a value (``["null", X]``) always holds the value; arrays and maps of
  such leaves one or two items.

The rest (records, other unions, arrays of records, enums, fixed) is `from_avro_schema`'s own.
Of `CANDIDATES` values drawn per version, the first that leaves no union null and no collection
empty is taken, else the one with fewest such gaps, so an example shows its optional parts.

Deterministic: candidate ``i`` of a contract is drawn with the seed ``crc32("<seed>:<contract
name>:<i>")``, from a plain ``random.Random``, the same for every version of the contract (fields
a later version adds come last, so earlier fields mostly keep their values from version to
version). Hypothesis' engine is not run: no database, no health checks, and none of the
constants it otherwise collects from the source files of the running process (which would make
the examples depend on what happens to be imported). The draw uses hypothesis'
``ConjectureData`` directly; where a hypothesis release lacks that (or changes it), `find` with
the same seed stands in, deterministic too, but its examples differ.

Two JSON texts per value: the Avro JSON encoding (`avro_json`), and the device JSON that
`devicecontracts.bridge` accepts (`device_json`; for a record only, the one JSON the bridge
takes: a shared type's is the fragment a message holds). Both are written here from the parsed
schema (fastavro's JSON writer recurses forever on recursive records); ``tests/docs`` reads the
first back with fastavro's JSON reader and puts the second through the bridge. Dates, times,
local and nanosecond timestamps are written as the ISO 8601 text the models take and the
bridge's messages ask for, though the bridge's walk takes them only as numbers today (no catalog
field of those types gets through it; ``tests/docs`` pins that gap).

Cost: about 5 ms per version (the strategy's compilation, one or a few draws), and importing
hypothesis once.
"""

from __future__ import annotations

import base64
import datetime
import functools
import json
import math
import re
import struct
import uuid
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from random import Random
from typing import Any, Final

import hypothesis.strategies as st
from hypothesis.strategies import SearchStrategy

from devicecontracts.catalog import Catalog, Contract, SchemaVersion
from devicecontracts.docs.examples import Example
from devicecontracts.schema import (
    Array,
    AvroType,
    Enum,
    Field,
    Fixed,
    Map,
    Primitive,
    Record,
    Schema,
    Union,
    walk,
)
from devicecontracts.testing._unions import branch_for
from devicecontracts.testing.strategies import from_avro_schema

__all__ = [
    "CANDIDATES",
    "SEED",
    "DrawnExamples",
    "avro_json",
    "device_json",
    "doc_examples",
    "example_of",
    "example_value",
]

SEED: Final = 15
"""The seed every example is drawn from (issue 15 asked for the examples)."""
CANDIDATES: Final = 8
"""Values drawn per version at most; the first without a null union or an empty collection wins."""

_MAX_COLLECTION: Final = 2
_MAX_DEPTH: Final = 2
_UTC = datetime.UTC
_EPOCH: Final = datetime.datetime(1970, 1, 1, tzinfo=_UTC)
_EPOCH_NAIVE: Final = datetime.datetime(1970, 1, 1)
_EPOCH_DATE: Final = datetime.date(1970, 1, 1)
_MS: Final = datetime.timedelta(milliseconds=1)
_US: Final = datetime.timedelta(microseconds=1)
# Timestamps in a window a reader takes for recent: 2025 (fixed: the examples must not
# depend on the day they are built).
_START: Final = datetime.datetime(2025, 1, 1, tzinfo=_UTC)
_WINDOW_MS: Final = 365 * 86_400_000
_DAY_MS: Final = 86_400_000
_WORDS: Final = (
    "north",
    "south",
    "east",
    "west",
    "main",
    "aux",
    "pump",
    "valve",
    "door",
    "fan",
    "relay",
    "inlet",
    "outlet",
    "zone",
    "ok",
    "spare",
)
_WORD = st.sampled_from(_WORDS)
_RANGE = re.compile(r"(?<![\w.])(-?\d+(?:\.\d+)?)\s+to\s+(-?\d+(?:\.\d+)?)")
_EG = re.compile(r"\be\.g\.,?\s*(.+?)(?:\.(?:\s|$)|[;)]|$)")
_TOKEN = re.compile(r"[^\s,]{1,32}")
_DURATION = struct.Struct("<3I")


@dataclass(frozen=True)
class DrawnExamples:
    """`doc_examples`' result: the examples by (contract name, version), and a line per
    version that has none although it parsed (the reason, for a warning)."""

    examples: dict[tuple[str, int], Example] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def doc_examples(
    catalog: Catalog,
    *,
    seed: int = SEED,
    progress: Callable[[int, int], None] | None = None,
) -> DrawnExamples:
    """An `Example` for every parsed version of every contract of ``catalog``.

    Versions that did not parse have none (the site says they are invalid). A version whose
    value cannot be drawn or written is listed in ``problems`` instead of failing the build.
    ``progress(done, total)`` is called after each contract.
    """
    out = DrawnExamples()
    contracts = catalog.ordered()
    for done, contract in enumerate(contracts, start=1):
        for version in contract.versions:
            if version.schema is None:
                continue
            where = f"{contract.name} v{version.version}"
            try:
                rules = _ruled(contract, version, version.schema.root)
                example = example_of(version.schema, name=contract.name, seed=seed, rules=rules)
            except Exception as exc:  # one odd schema costs its example, never the site
                out.problems.append(f"no example for {where}: {type(exc).__name__}: {exc}")
                continue
            if example is None:
                out.problems.append(
                    f"no example for {where}: no value could be drawn in {CANDIDATES} tries"
                )
            else:
                out.examples[(contract.name, version.version)] = example
        if progress is not None:
            progress(done, len(contracts))
    return out


def example_of(
    schema: Schema,
    *,
    name: str,
    seed: int = SEED,
    rules: Mapping[str, SearchStrategy[Any]] | None = None,
) -> Example | None:
    """The example of one parsed ``schema``: `example_value` in both JSON forms (the device
    form only for a record, the only JSON the bridge takes); None when nothing was drawn."""
    found, value = example_value(schema, name=name, seed=seed, rules=rules)
    if not found:
        return None
    root = schema.root
    device = device_json(value, root) if isinstance(root, Record) else None
    return Example(avro_json=avro_json(value, root), device_json=device)


def example_value(
    schema: Schema,
    *,
    name: str,
    seed: int = SEED,
    rules: Mapping[str, SearchStrategy[Any]] | None = None,
) -> tuple[bool, Any]:
    """``(True, value)``: the value an example of ``schema`` shows, in fastavro's form (union
    tags where a branch is ambiguous), or ``(False, None)`` when no candidate could be drawn.

    ``name`` (the contract's) and ``seed`` pick the candidates' seeds; ``rules`` are overrides
    for fields that domain rules constrain, which win over the realistic ones.
    """
    root = schema.root
    strategy = from_avro_schema(
        schema,
        overrides={**_realistic(root), **(rules or {})},
        max_depth=_MAX_DEPTH,
        max_collection_size=_MAX_COLLECTION,
        allow_nan=False,
        allow_infinity=False,
    )
    draw = _drawer()
    best: tuple[int, Any] | None = None
    for i in range(CANDIDATES):
        found, value = draw(strategy, zlib.crc32(f"{seed}:{name}:{i}".encode()))
        if not found:
            continue
        gaps = _gaps(value, root)
        if best is None or gaps < best[0]:
            best = (gaps, value)
        if gaps == 0:
            break
    return (False, None) if best is None else (True, best[1])


# ---------------------------------------------------------------------------------------------
# Drawing with a seed

_Draw = Callable[[SearchStrategy[Any], int], tuple[bool, Any]]


@functools.cache
def _drawer() -> _Draw:
    """How one value is drawn with a seed: hypothesis' ConjectureData, else `find`."""
    internal = _internal_drawer()
    return internal if internal is not None else _draw_with_find


def _internal_drawer() -> _Draw | None:
    """A draw from a ``ConjectureData`` over ``Random(seed)``, without hypothesis' constants
    pool; None where this hypothesis release's internals differ."""
    try:
        from hypothesis.control import BuildContext
        from hypothesis.errors import StopTest
        from hypothesis.internal.conjecture.data import ConjectureData
        from hypothesis.internal.conjecture.providers import HypothesisProvider
    except ImportError:
        return None

    class _SeededProvider(HypothesisProvider):
        # The default provider now and then swaps a drawn number or string for a constant
        # collected from the source files of the process's modules: what is imported would
        # change the examples. Never here.
        def _maybe_draw_constant(self, *args: Any, **kwargs: Any) -> None:
            return None

    def test() -> None:  # BuildContext wants the test function it runs under
        return None

    def draw(strategy: SearchStrategy[Any], seed: int) -> tuple[bool, Any]:
        data = ConjectureData(random=Random(seed), provider=_SeededProvider)
        try:
            with BuildContext(data, is_final=False, wrapped_test=test):
                return True, data.draw(strategy)
        except StopTest:  # out of choices, or a filter rejected every try
            return False, None

    try:
        draw(st.integers(0, 1), 0)
    except (TypeError, AttributeError):  # another signature in this hypothesis release
        return None
    return draw


def _draw_with_find(strategy: SearchStrategy[Any], seed: int) -> tuple[bool, Any]:
    from hypothesis import HealthCheck, Phase, Verbosity, find, settings
    from hypothesis.errors import NoSuchExample, Unsatisfiable

    calls = iter(range(2))
    try:
        # The engine's first value is its simplest (zeros, empty): take the second, random one.
        value = find(
            strategy,
            lambda _: next(calls, 1) >= 1,
            settings=settings(
                database=None,
                phases=(Phase.generate,),
                max_examples=10,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                verbosity=Verbosity.quiet,
            ),
            random=Random(seed),
        )
    except (NoSuchExample, Unsatisfiable):
        return False, None
    return True, value


# ---------------------------------------------------------------------------------------------
# Overrides: realistic leaves, and the ranges of recognised domain rules


def _records(root: AvroType) -> list[Record]:
    seen: set[int] = set()
    out = []
    for node in walk(root):
        if isinstance(node, Record) and id(node) not in seen:
            seen.add(id(node))
            out.append(node)
    return out


def _realistic(root: AvroType) -> dict[str, SearchStrategy[Any]]:
    out: dict[str, SearchStrategy[Any]] = {}
    for node in walk(root):
        # An enum's first symbol (or its default) is usually UNKNOWN: show one that says more.
        if isinstance(node, Enum) and len(node.symbols) > 1:
            fallback = node.default if node.default is not None else node.symbols[0]
            out[node.fullname] = _symbols(tuple(s for s in node.symbols if s != fallback))
    for record in _records(root):
        for f in record.fields:
            strategy = _field_strategy(f)
            if strategy is not None:
                out[f"{record.fullname}.{f.name}"] = strategy
    return out


def _ruled(
    contract: Contract, version: SchemaVersion, root: AvroType
) -> dict[str, SearchStrategy[Any]]:
    """Strategies within the CEL_FIELD rules ``version`` carries, where they are recognised."""
    data = contract.data
    if data is None or not data.rules:
        return {}
    from devicecontracts.testing._rules import constraint_strategy, recognise

    recognised = [
        found
        for d in data.rules
        if d.carried_by(version.version)
        and not d.rule.disabled
        and (found := recognise(d.rule)) is not None
    ]
    if not recognised:
        return {}
    metadata = contract.metadata(version.version)
    out: dict[str, SearchStrategy[Any]] = {}
    for record in _records(root):
        for f in record.fields:
            applying = [r for r in recognised if r.applies_to(record, f.name, metadata)]
            if not applying:
                continue
            constraint = functools.reduce(lambda a, b: a & b, (r.constraint for r in applying))
            # A field that is null or a value holds the value, as the realistic ones do.
            strategy = constraint_strategy(_present(f.type), constraint)
            if strategy is not None and not strategy.is_empty:
                out[f"{record.fullname}.{f.name}"] = strategy
    return out


def _present(t: AvroType) -> AvroType:
    """The value's type of a field that is null or a value (``["null", X]``), else ``t``."""
    if isinstance(t, Union) and len(t.branches) == 2:
        others = [b for b in t.branches if b.type != "null"]
        if len(others) == 1:
            return others[0]
    return t


def _field_strategy(f: Field) -> SearchStrategy[Any] | None:
    t = _present(f.type)  # always the value: an example shows what the field holds
    if isinstance(t, Union):
        return None  # from_avro_schema's, tags and all
    if isinstance(t, Array):
        items = _leaf(t.items, f)
        return None if items is None else _listed(items)
    if isinstance(t, Map):
        values = _leaf(t.values, f)
        return None if values is None else _mapped(values)
    return _leaf(t, f)


def _leaf(t: AvroType, f: Field) -> SearchStrategy[Any] | None:
    """A realistic strategy for a leaf of ``f``'s type, or None to keep from_avro_schema's."""
    logical = t.logical if isinstance(t, (Primitive, Fixed)) else None
    if logical is not None and logical.name == "decimal":
        assert logical.precision is not None
        return _decimals(logical.precision, logical.scale or 0)
    if not isinstance(t, Primitive):
        return None  # enums, fixed, records: from_avro_schema's
    if logical is not None:
        return _LOGICAL.get(logical.name)
    doc = f.doc or ""
    if t.type in ("int", "long", "float", "double"):
        return _number(t.type, _doc_range(doc) or ((-110, -40) if "dBm" in doc else None))
    if t.type == "string":
        return _strings(f.name, doc)
    return _PLAIN.get(t.type)


# The strategies are cached: one strategy object per kind of leaf, so that hypothesis validates
# each once, not once per field of every version (most of a fresh strategy's first draw).


@functools.lru_cache(maxsize=1024)
def _symbols(symbols: tuple[str, ...]) -> SearchStrategy[str]:
    return st.sampled_from(symbols)


@functools.lru_cache(maxsize=1024)
def _listed(items: SearchStrategy[Any]) -> SearchStrategy[list[Any]]:
    return st.lists(items, min_size=1, max_size=_MAX_COLLECTION)


@functools.lru_cache(maxsize=1024)
def _mapped(values: SearchStrategy[Any]) -> SearchStrategy[dict[str, Any]]:
    return st.dictionaries(_WORD, values, min_size=1, max_size=_MAX_COLLECTION)


@functools.lru_cache(maxsize=1024)
def _number(kind: str, bounds: tuple[float, float] | None) -> SearchStrategy[Any] | None:
    low, high = bounds or (0, 5000 if kind in ("int", "long") else 100)
    if kind == "float":  # quarters: exact in float32, short in decimal
        return _uniform(math.ceil(low * 4), math.floor(high * 4)).map(_quarters)
    if kind == "double":
        return _uniform(math.ceil(low * 1000), math.floor(high * 1000)).map(_thousandths)
    return _uniform(math.ceil(low), math.floor(high)) if math.ceil(low) <= high else None


@functools.lru_cache(maxsize=1024)
def _uniform(low: int, high: int) -> SearchStrategy[int]:
    """Integers spread evenly over ``low`` to ``high``: random bytes, reduced. (Hypothesis'
    own integers favour small magnitudes, which finds bugs and makes poor examples: every
    timestamp at midnight, every UUID mostly zeros.)"""
    size = ((high - low).bit_length() + 7) // 8 + 2  # two spare bytes: negligible bias
    return st.binary(min_size=size, max_size=size).map(
        functools.partial(_reduced, low, high - low + 1)
    )


def _reduced(low: int, count: int, raw: bytes) -> int:
    return low + int.from_bytes(raw, "big") % count


def _quarters(n: int) -> float:
    return n / 4


def _thousandths(n: int) -> float:
    return n / 1000


def _doc_range(doc: str) -> tuple[float, float] | None:
    """The range a doc states, such as "Latitude in decimal degrees, -90 to 90"."""
    found = _RANGE.search(doc)
    if found is None:
        return None
    low, high = float(found.group(1)), float(found.group(2))
    return (low, high) if low < high and max(abs(low), abs(high)) < 2**31 else None


@functools.lru_cache(maxsize=1024)
def _strings(name: str, doc: str) -> SearchStrategy[str]:
    examples = _doc_examples(doc)
    if examples:
        return st.sampled_from(examples)
    lowered = name.lower()
    for suffix in ("_id", "id", "_name", "name", "serial"):
        stem = lowered.removesuffix(suffix).strip("_")
        if lowered.endswith(suffix) and stem:
            prefix = stem.replace("_", "-")
            return _uniform(1, 9999).map(functools.partial(_numbered, prefix))
    return st.tuples(_WORD, _WORD).map("-".join)


def _numbered(prefix: str, n: int) -> str:
    return f"{prefix}-{n:04d}"


def _doc_examples(doc: str) -> list[str]:
    """The examples a doc gives after "e.g.": ``e.g. Cel, %, V`` or ``e.g. PEAK or OFF_PEAK``."""
    found = _EG.search(doc)
    if found is None:
        return []
    parts = re.split(r",\s*|\s+or\s+|\s+and\s+", found.group(1).strip())
    # Only single tokens: "e.g. when the device reboots" is prose, not a value.
    if not parts or not all(_TOKEN.fullmatch(p) for p in parts):
        return []
    return list(dict.fromkeys(parts))


@functools.lru_cache(maxsize=1024)
def _decimals(precision: int, scale: int) -> SearchStrategy[Decimal]:
    bound = min(10**precision - 1, 10 ** (scale + 3))
    return _uniform(0, bound).map(functools.partial(_decimal, scale))


def _decimal(scale: int, unscaled: int) -> Decimal:
    return Decimal(f"{unscaled}E-{scale}")


def _timestamp(ms: int) -> datetime.datetime:
    return _START + datetime.timedelta(milliseconds=ms)


def _local_timestamp(ms: int) -> datetime.datetime:
    return _timestamp(ms).replace(tzinfo=None)


def _date(days: int) -> datetime.date:
    return _START.date() + datetime.timedelta(days=days)


def _time(ms: int) -> datetime.time:
    return (datetime.datetime.min + datetime.timedelta(milliseconds=ms)).time()


def _nanos(ms: int) -> int:
    return ((_START - _EPOCH) // _MS + ms) * 1_000_000


def _uuid4(number: int) -> uuid.UUID:
    return uuid.UUID(int=number, version=4)


_PLAIN: Final[dict[str, SearchStrategy[Any]]] = {
    "boolean": st.booleans(),
    "bytes": st.binary(min_size=1, max_size=8),
}
_MOMENTS = _uniform(0, _WINDOW_MS)
_LOGICAL: Final[dict[str, SearchStrategy[Any]]] = {
    "timestamp-millis": _MOMENTS.map(_timestamp),
    "timestamp-micros": _MOMENTS.map(_timestamp),
    "local-timestamp-millis": _MOMENTS.map(_local_timestamp),
    "local-timestamp-micros": _MOMENTS.map(_local_timestamp),
    "timestamp-nanos": _MOMENTS.map(_nanos),
    "local-timestamp-nanos": _MOMENTS.map(_nanos),
    "date": _uniform(0, 364).map(_date),
    "time-millis": _uniform(0, _DAY_MS - 1).map(_time),
    "time-micros": _uniform(0, _DAY_MS - 1).map(_time),
    "uuid": _uniform(0, 2**128 - 1).map(_uuid4),
}


# ---------------------------------------------------------------------------------------------
# How complete a value is


def _gaps(value: Any, t: AvroType) -> int:
    """Nulls in unions that have another branch, and empty arrays and maps, in ``value``."""
    if isinstance(t, Union):
        branch, inner = branch_for(value, t)
        if branch.type == "null":
            return 1 if len(t.branches) > 1 else 0
        return _gaps(inner, branch)
    if isinstance(t, Record):
        return sum(_gaps(value[f.name], f.type) for f in t.fields)
    if isinstance(t, Array):
        return sum(_gaps(v, t.items) for v in value) if value else 1
    if isinstance(t, Map):
        return sum(_gaps(v, t.values) for v in value.values()) if value else 1
    return 0


# ---------------------------------------------------------------------------------------------
# The two JSON forms


def avro_json(value: Any, t: AvroType) -> str:
    """``value`` (fastavro's form, as `from_avro_schema` draws it) in the Avro specification's
    JSON encoding, indented: a union's value as ``{"branch name": value}`` (null as null), bytes
    and fixed as text of one ISO-8859-1 character per byte, enums as their symbol, logical types
    as their underlying type (a timestamp-millis as its milliseconds, a decimal as its bytes, a
    uuid as its text)."""
    return json.dumps(_avro(value, t), indent=2, ensure_ascii=True) + "\n"


def device_json(value: Any, t: AvroType) -> str:
    """``value`` as the JSON `devicecontracts.bridge` accepts from a device, indented: a union's
    value plain, timestamps as ISO 8601 text in UTC (``Z``), other dates and times as ISO 8601
    text, decimals as text, bytes and fixed as base64, a duration as its months, days and
    millis."""
    return json.dumps(_device(value, t), indent=2, ensure_ascii=True) + "\n"


def _avro(value: Any, t: AvroType) -> Any:
    if isinstance(t, Union):
        branch, inner = branch_for(value, t)
        if branch.type == "null":
            return None
        return {branch.branch_name: _avro(inner, branch)}
    if isinstance(t, Record):
        return {f.name: _avro(value[f.name], f.type) for f in t.fields}
    if isinstance(t, Array):
        return [_avro(v, t.items) for v in value]
    if isinstance(t, Map):
        return {k: _avro(v, t.values) for k, v in value.items()}
    if isinstance(t, Enum):
        return value
    if isinstance(t, Fixed):
        if t.logical is not None and t.logical.name == "decimal":
            unscaled = _unscaled(value, t.logical.scale or 0)
            return _latin1(unscaled.to_bytes(t.size, "big", signed=True))
        return _latin1(value)
    assert isinstance(t, Primitive)
    logical = t.logical.name if t.logical is not None else None
    if logical == "decimal":
        assert t.logical is not None
        unscaled = _unscaled(value, t.logical.scale or 0)
        return _latin1(unscaled.to_bytes(unscaled.bit_length() // 8 + 1, "big", signed=True))
    if logical in _AVRO_LOGICAL:
        return _AVRO_LOGICAL[logical](value)
    if t.type == "bytes":
        return _latin1(value)
    return value


def _latin1(raw: bytes) -> str:
    return raw.decode("latin-1")


def _unscaled(value: Decimal, scale: int) -> int:
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    number = int("".join(map(str, digits)) or "0")
    shift = exponent + scale
    factor = int(10 ** abs(shift))
    number = number * factor if shift >= 0 else number // factor
    return -number if sign else number


def _since_midnight(value: datetime.time, unit: datetime.timedelta) -> int:
    moment = datetime.datetime.combine(datetime.date.min, value)
    return (moment - datetime.datetime.min) // unit


_AVRO_LOGICAL: Final[dict[str, Callable[[Any], Any]]] = {
    "timestamp-millis": lambda v: (v - _EPOCH) // _MS,
    "timestamp-micros": lambda v: (v - _EPOCH) // _US,
    "local-timestamp-millis": lambda v: (v - _EPOCH_NAIVE) // _MS,
    "local-timestamp-micros": lambda v: (v - _EPOCH_NAIVE) // _US,
    "date": lambda v: (v - _EPOCH_DATE).days,
    "time-millis": lambda v: _since_midnight(v, _MS),
    "time-micros": lambda v: _since_midnight(v, _US),
    "uuid": str,
}


def _device(value: Any, t: AvroType) -> Any:
    if isinstance(t, Union):
        branch, inner = branch_for(value, t)
        return None if branch.type == "null" else _device(inner, branch)
    if isinstance(t, Record):
        return {f.name: _device(value[f.name], f.type) for f in t.fields}
    if isinstance(t, Array):
        return [_device(v, t.items) for v in value]
    if isinstance(t, Map):
        return {k: _device(v, t.values) for k, v in value.items()}
    if isinstance(t, Enum):
        return value
    logical = t.logical.name if isinstance(t, (Primitive, Fixed)) and t.logical else None
    if logical == "decimal":
        return format(value, "f")
    if logical == "duration":
        months, days, millis = _DURATION.unpack(value)
        return {"months": months, "days": days, "millis": millis}
    if logical in _DEVICE_LOGICAL:
        return _DEVICE_LOGICAL[logical](value)
    if isinstance(t, Fixed) or t.type == "bytes":
        return base64.b64encode(value).decode("ascii")
    return value


def _iso_utc(value: datetime.datetime, timespec: str) -> str:
    return value.astimezone(_UTC).replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def _iso_nanos(nanos: int, aware: bool) -> str:
    seconds, fraction = divmod(nanos, 1_000_000_000)
    moment = _EPOCH_NAIVE + datetime.timedelta(seconds=seconds)
    return f"{moment.isoformat()}.{fraction:09d}" + ("Z" if aware else "")


_DEVICE_LOGICAL: Final[dict[str, Callable[[Any], Any]]] = {
    "timestamp-millis": lambda v: _iso_utc(v, "milliseconds"),
    "timestamp-micros": lambda v: _iso_utc(v, "microseconds"),
    "local-timestamp-millis": lambda v: v.isoformat(timespec="milliseconds"),
    "local-timestamp-micros": lambda v: v.isoformat(timespec="microseconds"),
    "timestamp-nanos": lambda v: _iso_nanos(v, aware=True),
    "local-timestamp-nanos": lambda v: _iso_nanos(v, aware=False),
    "date": lambda v: v.isoformat(),
    "time-millis": lambda v: v.isoformat(timespec="milliseconds"),
    "time-micros": lambda v: v.isoformat(timespec="microseconds"),
    "uuid": str,
}
