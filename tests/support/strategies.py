"""Hypothesis strategies of the tests: random valid Avro schemas (`avro_schemas`), and
fastavro writer values for a parsed schema (`schema_values`, `writer_values`).

`schema_values` is ``devicecontracts.testing.from_avro_schema`` (the package's strategies)
when the testing extra is importable, else `writer_values`: a minimal strategy of our own that
aims at the same edges a wire-faithful model must survive (int and long bounds, float32
extremes, NaN, infinities and -0.0, empty arrays and maps, every union branch, non-ASCII
text, logical values aligned to their unit) and tags *every* union branch with fastavro's
tuple notation, where ``from_avro_schema`` tags only ambiguous ones: the tests use both.

`avro_schemas` mixes records (nested), enums, fixed, arrays, maps, unions, logical types, docs,
aliases and defaults, with named types in several namespaces, defined inline and used again
later by full name or (inside their own namespace) by short name. Every schema is valid for Avro
Java and fastavro alike: names are unique, unions hold each type once, defaults match their type
(a union's default its first branch).

Built directly, without filtering, so failures shrink to small schemas.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
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


# Random valid Avro schemas, as JSON.

PRIMITIVES = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
NAMESPACES = ["", "com.acme", "com.acme.fleet", "org.other"]
LOGICAL = {
    "int": ["date", "time-millis"],
    "long": ["timestamp-millis", "timestamp-micros", "time-micros", "local-timestamp-millis"],
    "string": ["uuid"],
}
DEFAULTS: dict[str, Any] = {
    "null": None,
    "boolean": True,
    "int": 7,
    "long": -3,
    "float": 1.5,
    "double": 0.25,
    "bytes": "\u00ff",
    "string": "x",
}


@dataclass
class _State:
    """What has been defined so far while drawing one schema."""

    counter: int = 0
    named: list[tuple[str, str, str]] = field(default_factory=list)  # (fullname, namespace, kind)

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"


def _key(schema: Any, namespace: str) -> str:
    """The union-uniqueness key of a drawn schema: its type, or its full name when named."""
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return schema
        return schema if "." in schema or not namespace else f"{namespace}.{schema}"
    kind = schema["type"]
    if kind in ("record", "error", "enum", "fixed"):
        name = schema["name"]
        ns = schema.get("namespace", namespace)
        return name if "." in name or not ns else f"{ns}.{name}"
    return str(kind)


def _default_for(schema: Any, state: _State) -> tuple[bool, Any]:
    """A valid default for a drawn schema when one is cheap to build."""
    if isinstance(schema, str) and schema in DEFAULTS:
        return True, DEFAULTS[schema]
    if isinstance(schema, list):
        return _default_for(schema[0], state)
    if isinstance(schema, dict):
        kind = schema["type"]
        if kind in DEFAULTS:
            return True, DEFAULTS[kind]
        if kind == "array":
            return True, []
        if kind == "map":
            return True, {}
        if kind == "enum":
            return True, schema["symbols"][0]
        if kind == "fixed":
            return True, "a" * schema["size"]
    return False, None


@st.composite
def _primitive(draw: st.DrawFn) -> Any:
    name = draw(st.sampled_from(PRIMITIVES))
    form = draw(st.integers(0, 3))
    if form == 0:
        return name
    if form == 1:
        return {"type": name}
    if name in LOGICAL:
        return {"type": name, "logicalType": draw(st.sampled_from(LOGICAL[name]))}
    if name == "bytes":
        precision = draw(st.integers(1, 20))
        scale = draw(st.integers(0, precision))
        return {"type": "bytes", "logicalType": "decimal", "precision": precision, "scale": scale}
    return {"type": name, "custom-prop": draw(st.integers(0, 3))}


def _naming(
    draw: st.DrawFn, state: _State, prefix: str, namespace: str
) -> tuple[dict[str, Any], str]:
    """Name attributes of a new named type and the namespace it sets."""
    short = state.fresh(prefix)
    how = draw(st.integers(0, 2))
    if how == 0:  # inherit the enclosing namespace
        ns = namespace
        attrs: dict[str, Any] = {"name": short}
    elif how == 1:  # an explicit namespace, maybe the null one
        ns = draw(st.sampled_from(NAMESPACES))
        attrs = {"name": short, "namespace": ns}
    else:  # a full name with dots, which overrides any namespace attribute
        ns = draw(st.sampled_from(NAMESPACES[1:]))
        attrs = {"name": f"{ns}.{short}", "namespace": draw(st.sampled_from(NAMESPACES))}
    if draw(st.booleans()):
        attrs["doc"] = f"doc of {short}"
    if draw(st.booleans()):
        attrs["aliases"] = [f"Old{short}", f"x.y.Older{short}"]
    return attrs, ns


@st.composite
def _schema(
    draw: st.DrawFn, state: _State, namespace: str, depth: int, in_union: bool = False
) -> Any:
    choices = ["primitive", "enum", "fixed"]
    # A type in the null namespace is reachable from inside a namespace only through Java's
    # null-namespace fallback, which fastavro lacks: refer to it only from the null namespace.
    visible = [t for t in state.named if t[1] or not namespace]
    if visible:
        choices.append("reference")
    if depth > 0:
        choices += ["record", "array", "map"]
        if not in_union:
            choices.append("union")
    kind = draw(st.sampled_from(choices))
    if kind == "primitive":
        return draw(_primitive())
    if kind == "reference":
        full, ns, _ = draw(st.sampled_from(visible))
        short = full.rpartition(".")[2]
        if ns == namespace and draw(st.booleans()):
            return short
        return full
    if kind == "enum":
        attrs, ns = _naming(draw, state, "E", namespace)
        symbols = draw(
            st.lists(
                st.sampled_from(["A", "B", "C", "D_1", "_e"]), min_size=1, max_size=5, unique=True
            )
        )
        out = {"type": "enum", **attrs, "symbols": symbols}
        if draw(st.booleans()):
            out["default"] = draw(st.sampled_from(symbols))
        state.named.append((_key(out, namespace), ns, "enum"))
        return out
    if kind == "fixed":
        attrs, ns = _naming(draw, state, "F", namespace)
        out = {"type": "fixed", **attrs, "size": draw(st.integers(0, 16))}
        state.named.append((_key(out, namespace), ns, "fixed"))
        return out
    if kind == "array":
        return {"type": "array", "items": draw(_schema(state, namespace, depth - 1))}
    if kind == "map":
        return {"type": "map", "values": draw(_schema(state, namespace, depth - 1))}
    if kind == "union":
        branches: list[Any] = []
        seen: set[str] = set()
        for _ in range(draw(st.integers(1, 4))):
            known = len(state.named)
            branch = draw(_schema(state, namespace, depth - 1, in_union=True))
            key = _key(branch, namespace)
            if key in seen:
                del state.named[known:]  # the dropped branch defines nothing
            else:
                seen.add(key)
                branches.append(branch)
        return branches
    return draw(_record(state, namespace, depth))


@st.composite
def _record(draw: st.DrawFn, state: _State, namespace: str, depth: int) -> dict[str, Any]:
    attrs, ns = _naming(draw, state, "R", namespace)
    full = _key({"type": "record", **attrs}, namespace)
    out: dict[str, Any] = {"type": draw(st.sampled_from(["record", "record", "error"])), **attrs}
    out["fields"] = fields = []
    # The record is known by name inside its own fields, so recursive types appear too.
    state.named.append((full, ns, "record"))
    for i in range(draw(st.integers(0, 4))):
        ftype = draw(_schema(state, ns, depth - 1))
        f: dict[str, Any] = {"name": f"f{i}", "type": ftype}
        has_default, default = _default_for(ftype, state)
        if has_default and draw(st.booleans()):
            f["default"] = default
        if draw(st.booleans()):
            f["doc"] = f"field {i}"
        if draw(st.integers(0, 4)) == 0:
            f["aliases"] = [f"old_f{i}"]
        if draw(st.integers(0, 4)) == 0:
            f["order"] = draw(st.sampled_from(["descending", "ignore"]))
        fields.append(f)
    return out


@st.composite
def avro_schemas(draw: st.DrawFn, max_depth: int = 4) -> Any:
    """A random valid Avro schema as parsed JSON; usually a record with nested types."""
    state = _State()
    if draw(st.integers(0, 5)) == 0:
        return draw(_schema(state, "", max_depth))
    return draw(_record(state, "", max_depth))
