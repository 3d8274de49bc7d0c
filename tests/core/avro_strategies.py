"""A hypothesis strategy for random valid Avro schemas, as JSON.

Schemas mix records (nested), enums, fixed, arrays, maps, unions, logical types, docs, aliases
and defaults, with named types in several namespaces, defined inline and used again later by
full name or (inside their own namespace) by short name. Every schema is valid for Avro Java
and fastavro alike: names are unique, unions hold each type once, defaults match their type (a
union's default its first branch).

Built directly, without filtering, so failures shrink to small schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

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
