"""Type annotations and conversion expressions for Avro types, the core of the renderer.

`Emitter` turns an Avro type into the annotation of a model field and into the expressions
converting a value to and from fastavro's form, recording the imports and the union helpers
the expressions need. `UnionHelpers`, `Defaults` and the module renderer build on it.
"""

from __future__ import annotations

import builtins
import json
import keyword
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from devicecontracts import types
from devicecontracts.errors import CodegenError
from devicecontracts.record import AvroRecord
from devicecontracts.schema import (
    Array,
    AvroType,
    Enum,
    Fixed,
    Map,
    NamedType,
    Primitive,
    Record,
    Union,
    walk,
)

from ._naming import attribute_names, class_names
from ._sources import Unit

__all__ = [
    "MODULE_NAMES",
    "NANOS",
    "RESERVED_ATTRIBUTES",
    "SUPPORT",
    "Context",
    "Emitter",
    "describe_union",
    "logical_name",
    "millis_record",
    "named_nodes",
    "simple_union",
]

SUPPORT: dict[str, str] = {
    **dict.fromkeys(["Annotated", "Any", "ClassVar", "Final", "Self", "TypeAlias"], "typing"),
    "Mapping": "collections.abc",
    "StrEnum": "enum",
    **dict.fromkeys(["UTC", "date", "datetime", "time"], "datetime"),
    "Decimal": "decimal",
    "UUID": "uuid",
    "Len": "annotated_types",
    **dict.fromkeys(["ConfigDict", "Field"], "pydantic"),
    # Every public name of the runtime types module (only the names used are imported).
    **dict.fromkeys(types.__all__, "devicecontracts.types"),
    "AvroRecord": "devicecontracts.record",
}

MODULE_NAMES = frozenset(
    {
        "AVRO_FINGERPRINT",
        "AVRO_CONTENT_HASH",
        "AVRO_SUBJECT",
        "AVRO_VERSION",
        "AVRO_MAJOR",
        "AVRO_METADATA",
        "AVRO_RULE_SET",
        "AVRO_DEPRECATED",
        "GENERATED_BY",
    }
)

RESERVED_ATTRIBUTES = frozenset(n for n in dir(AvroRecord) if not n.startswith("__"))

_PRIMITIVE_ANNOTATION = {
    "null": "None",
    "boolean": "bool",
    "int": "Int32",
    "long": "Int64",
    "float": "Float32",
    "double": "float",
    "bytes": "bytes",
    "string": "str",
}

_LOGICAL_ANNOTATION = {
    "date": "date",
    "time-millis": "TimeMillis",
    "time-micros": "TimeMicros",
    "timestamp-millis": "TimestampMillis",
    "timestamp-micros": "TimestampMicros",
    "local-timestamp-millis": "LocalTimestampMillis",
    "local-timestamp-micros": "LocalTimestampMicros",
    "timestamp-nanos": "NanoTimestamp",
    "local-timestamp-nanos": "LocalNanoTimestamp",
    "uuid": "UUID",
}

NANOS = ("timestamp-nanos", "local-timestamp-nanos")


@dataclass
class Context:
    """What rendering one module needs to know about the others."""

    package: str
    owner: dict[int, Unit]  # id(named node) -> the unit that defines it
    names: dict[int, dict[str, str]] = field(default_factory=dict)  # id(unit) -> full -> class

    @classmethod
    def of(cls, package: str, units: Sequence[Unit]) -> Context:
        """Owners and defined class names of every unit."""
        owner = {id(node): unit for unit in units for node in unit.defines}
        ctx = cls(package, owner)
        for unit in units:
            used = [n.fullname for n in named_nodes(unit)]
            ctx.names[id(unit)] = class_names(used, MODULE_NAMES)
        return ctx


def named_nodes(unit: Unit) -> list[NamedType]:
    """Named types the unit defines, then those it uses from other units (first use order)."""
    defined = {id(n) for n in unit.defines}
    used = [t for t in walk(unit.schema.root) if isinstance(t, NamedType)]
    return list(unit.defines) + [t for t in used if id(t) not in defined]


def logical_name(t: AvroType) -> str | None:
    """The valid logical type of a primitive or fixed, else None."""
    if isinstance(t, (Primitive, Fixed)) and t.logical is not None:
        return t.logical.name
    return None


def millis_record(t: Record) -> bool:
    """Whether the record's model validates with ``val_temporal_unit="milliseconds"``: when one
    of its own fields holds a ``timestamp-millis`` (directly, or in an array, map or union;
    a nested record decides for itself).

    The serde then reads those timestamps as the longs on the wire and pydantic-core turns them
    into datetimes, which is faster than fastavro converting them and pydantic checking the
    result; and a number a caller gives for a timestamp-millis field means milliseconds since
    the epoch, Avro's unit, whatever its size (pydantic would otherwise take a number below
    2e10 as seconds). The setting is per model, so in such a record a number given for a
    ``timestamp-micros`` or ``date`` field also means milliseconds; decoded values are exact
    either way (fastavro still converts those types).
    """

    def holds(u: AvroType) -> bool:
        if isinstance(u, Array):
            return holds(u.items)
        if isinstance(u, Map):
            return holds(u.values)
        if isinstance(u, Union):
            return any(holds(b) for b in u.branches)
        return isinstance(u, Primitive) and logical_name(u) == "timestamp-millis"

    return any(holds(f.type) for f in t.fields)


def _plain_on_write(t: AvroType) -> bool:
    """Whether ``to_avro_dict`` writes the type's wire value itself: the long of a
    timestamp-millis and the string of a uuid, which the serde's writer schema then takes
    without fastavro's conversion (a third of a write, in Python)."""
    return isinstance(t, Primitive) and (
        logical_name(t) == "timestamp-millis" or (logical_name(t) == "uuid" and t.type == "string")
    )


_SIMPLE_EXPRESSION: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_INLINE_FIELDS: Final = 12


def _inlinable(t: Record, expr: str) -> bool:
    """Whether ``to_avro_dict`` may write record ``t``'s dict in place: ``expr`` is a name or an
    attribute chain (read once per field, never a call), the record has few fields and does
    not contain itself."""
    if not _SIMPLE_EXPRESSION.fullmatch(expr) or len(t.fields) > _INLINE_FIELDS:
        return False
    return not any(u is t for f in t.fields for u in walk(f.type))


def simple_union(t: Union) -> AvroType | None:
    """T for ``["null", T]`` and ``[T, "null"]``, else None."""
    if len(t.branches) != 2:
        return None
    a, b = t.branches
    if a.type == "null" and b.type != "null":
        return b
    if b.type == "null" and a.type != "null":
        return a
    return None


def _key(t: AvroType) -> str:
    """A structural key of a type, to share one helper between equal unions."""
    if isinstance(t, NamedType):
        return t.fullname
    if isinstance(t, Array):
        return f"array<{_key(t.items)}>"
    if isinstance(t, Map):
        return f"map<{_key(t.values)}>"
    if isinstance(t, Union):
        return "[" + ",".join(_key(b) for b in t.branches) + "]"
    assert isinstance(t, Primitive)
    lt = t.logical
    if lt is None:
        return t.type
    return f"{t.type}:{lt.name}:{lt.precision}:{lt.scale}"


def describe_union(t: Union) -> str:
    """``[null, com.acme.A, long]``: a union as messages and docstrings show it."""
    return "[" + ", ".join(b.branch_name for b in t.branches) + "]"


def _python_kind(t: AvroType) -> str:
    """What Python type a branch's values share with other branches (for union dedup)."""
    lt = logical_name(t)
    if lt == "time-millis":
        return "time-ms"
    if lt == "time-micros":
        return "time-us"
    if lt is not None or not isinstance(t, Primitive):
        return _key(t)
    return {"int": "int32", "long": "int64", "float": "float32", "double": "float64"}.get(
        t.type, t.type
    )


# Names a comprehension variable must not shadow, besides the module's own: the methods' and
# union helpers' locals, the helpers' names, and every builtin.
_LOOP_TAKEN: Final = frozenset({"self", "cls", "data", "value", "name", *dir(builtins)})


def _singular(name: str) -> str:
    """The name of one element of ``name``: ``readings`` -> ``reading``, else ``name_item``."""
    if len(name) > 1 and name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name + "_item"


class Emitter:
    """Names, imports, annotations and conversions of one module being rendered."""

    def __init__(self, unit: Unit, ctx: Context) -> None:
        self.unit = unit
        self.ctx = ctx
        self.classes = ctx.names[id(unit)]  # full name -> local name
        taken = set(self.classes.values()) | MODULE_NAMES
        self.local: dict[str, str] = {}
        for name in SUPPORT:
            alias = name
            while alias in taken:
                alias = "_" + alias
            self.local[name] = alias
        self.used: set[str] = set()
        self.imports: dict[str, set[str]] = {}  # module -> names of other units
        self.import_aliases: dict[tuple[str, str], str] = {}
        self.helpers: dict[str, tuple[int, Union]] = {}
        self.defined_ids = {id(n) for n in unit.defines}
        self.pending: set[str] = set()  # records not defined yet at the current point
        self._inlined = False  # writing a nested record's dict in place (see to_avro)

    def use(self, name: str) -> str:
        """The local name of a support name, importing it."""
        self.used.add(name)
        return self.local[name]

    def cls(self, t: NamedType) -> str:
        """The local name of a named type's class or alias, importing it from its owner."""
        local = self.classes[t.fullname]
        if id(t) not in self.defined_ids:
            owner = self.ctx.owner.get(id(t))
            if owner is None:
                raise CodegenError(f"no module defines {t.fullname}, used by {self.unit.source}")
            module = owner.module(self.ctx.package)
            remote = self.ctx.names[id(owner)][t.fullname]
            self.imports.setdefault(module, set()).add(remote)
            if remote != local:
                self.import_aliases[(module, remote)] = local
        return local

    def annotation(self, t: AvroType) -> tuple[str, bool]:
        """The type annotation of ``t``, and whether it names a record not defined yet."""
        forward = False

        def ann(t: AvroType) -> str:
            nonlocal forward
            if isinstance(t, Record):
                name = self.cls(t)
                forward = forward or name in self.pending
                return name
            if isinstance(t, (Enum, Fixed)):
                return self.cls(t)
            if isinstance(t, Array):
                return f"list[{ann(t.items)}]"
            if isinstance(t, Map):
                return f"dict[str, {ann(t.values)}]"
            if isinstance(t, Union):
                return self._union_annotation(t, ann)
            assert isinstance(t, Primitive)
            return self._primitive_annotation(t)

        text = ann(t)
        return text, forward

    def _primitive_annotation(self, t: Primitive) -> str:
        lt = t.logical
        if lt is not None and lt.name == "decimal":
            assert lt.precision is not None
            return self._decimal_annotation(lt.precision, lt.scale or 0, None)
        if lt is not None:
            return self.use(_LOGICAL_ANNOTATION[lt.name])
        name = _PRIMITIVE_ANNOTATION[t.type]
        return name if name in ("None", "bool", "float", "bytes", "str") else self.use(name)

    def _decimal_annotation(self, precision: int, scale: int, size: int | None) -> str:
        args = f"{precision}, {scale}" + (f", size={size}" if size is not None else "")
        return f"{self.use('Annotated')}[{self.use('Decimal')}, {self.use('AvroDecimal')}({args})]"

    def _union_annotation(self, t: Union, ann: Callable[[AvroType], str]) -> str:
        kinds = [(_python_kind(b), b) for b in t.branches]
        present = {k for k, _ in kinds}
        parts: list[str] = []
        nullable = False
        for kind, branch in kinds:
            if branch.type == "null":
                nullable = True
                continue
            # A narrower branch next to a wider one of the same Python type would rewrite the
            # value in validation (round a double to float32, truncate micros to millis);
            # the wider one alone accepts every value, and writing picks the branch that fits.
            if (kind == "float32" and "float64" in present) or (
                kind == "time-ms" and "time-us" in present
            ):
                continue
            if kind == "int32" and "int64" in present:
                continue
            text = ann(branch)
            if text not in parts:
                parts.append(text)
        if nullable:
            parts.append("None")
        return " | ".join(parts)

    def needs_to(self, t: AvroType) -> bool:
        """Whether the model value of ``t`` differs from what fastavro writes."""
        return self._needs(t, writing=True)

    def needs_from(self, t: AvroType) -> bool:
        """Whether what fastavro reads for ``t`` needs converting before validation."""
        return self._needs(t, writing=False)

    def _needs(self, t: AvroType, writing: bool) -> bool:
        if isinstance(t, Record):
            return True
        if isinstance(t, Enum):
            return writing  # pydantic turns a symbol into the enum member by itself
        if isinstance(t, (Fixed, Primitive)):
            lt = logical_name(t)
            return lt in (*NANOS, "duration") or (writing and _plain_on_write(t))
        if isinstance(t, (Array, Map)):
            return self._needs(t.items if isinstance(t, Array) else t.values, writing)
        assert isinstance(t, Union)
        inner = simple_union(t)
        return inner is None or inner.is_named or self._needs(inner, writing)

    def to_avro(self, t: AvroType, expr: str, name: str = "value") -> str:
        """Expression turning model value ``expr`` into what fastavro writes; ``name`` (an
        identifier: the field's attribute) names the loop variables of comprehensions."""
        if isinstance(t, Record):
            if self._inlined or not _inlinable(t, expr):
                return f"{expr}.to_avro_dict()"
            # The nested record's dict written out in place of its to_avro_dict call: one
            # Python call less per nested record (per item of an array of them), a tenth of
            # to_avro_dict's cost. One level deep; a recursive record keeps the call.
            self._inlined = True
            try:
                attrs = attribute_names([f.name for f in t.fields], RESERVED_ATTRIBUTES)
                items = ", ".join(
                    f"{json.dumps(f.name)}: "
                    + self.to_avro(f.type, f"{expr}.{attrs[f.name]}", attrs[f.name])
                    for f in t.fields
                )
            finally:
                self._inlined = False
            return "{" + items + "}"
        if isinstance(t, Enum):
            return f"{expr}._value_"  # a plain attribute; .value is a Python-level property
        if isinstance(t, (Fixed, Primitive)):
            if _plain_on_write(t):
                if logical_name(t) == "uuid":
                    return f"str({expr})"
                return f"({expr} - {self.use('UTC_EPOCH')}) // {self.use('MILLISECOND')}"
            return f"{expr}.to_avro()" if self.needs_to(t) else expr
        if isinstance(t, (Array, Map)):
            return self._each(t, expr, name, self.to_avro, self.needs_to)
        assert isinstance(t, Union)
        branch = simple_union(t)
        if branch is None:
            return f"{self.helper('to', t)}({expr})"
        if not self.needs_to(t):
            return expr
        value = self.to_avro(branch, expr, name)
        if branch.is_named:
            value = f"({json.dumps(branch.branch_name)}, {value})"
        return f"None if {expr} is None else {value}"

    def from_avro(self, t: AvroType, expr: str, name: str = "value") -> str:
        """Expression turning fastavro's value ``expr`` into the model's input (``name`` as for
        `to_avro`)."""
        if isinstance(t, Record):
            return f"{self.cls(t)}.from_avro_dict({expr})"
        if isinstance(t, (Enum, Fixed, Primitive)):
            if not self.needs_from(t):
                return expr
            wire_type = "Duration" if logical_name(t) == "duration" else None
            owner = self.use(wire_type) if wire_type else self.annotation(t)[0]
            return f"{owner}.from_avro({expr})"
        if isinstance(t, (Array, Map)):
            return self._each(t, expr, name, self.from_avro, self.needs_from)
        assert isinstance(t, Union)
        branch = simple_union(t)
        if branch is None:
            return f"{self.helper('from', t)}({expr})"
        if not self.needs_from(t):
            return expr
        inner_expr = f"{self.use('untagged')}({expr})" if branch.is_named else expr
        return f"None if {expr} is None else {self.from_avro(branch, inner_expr, name)}"

    def _each(
        self,
        t: Array | Map,
        expr: str,
        name: str,
        convert: Callable[[AvroType, str, str], str],
        needs: Callable[[AvroType], bool],
    ) -> str:
        """A comprehension converting every item of an array or value of a map, its loop
        variables named after ``name``: ``reading`` for ``readings``, else ``name_item``."""
        child = t.items if isinstance(t, Array) else t.values
        if not needs(child):
            return expr
        var = self._loop_variable(_singular(name))
        inner = convert(child, var, var)
        if isinstance(t, Array):
            return f"[{inner} for {var} in {expr}]"
        key = self._loop_variable(var + "_key")
        return f"{{{key}: {inner} for {key}, {var} in {expr}.items()}}"

    def _loop_variable(self, candidate: str) -> str:
        """``candidate`` without leading ``_``, with ``_`` appended until it shadows nothing the
        expression may use: the module's classes and support names, ``self``/``cls``/``data``,
        the union helpers' locals, builtins and keywords."""
        taken = _LOOP_TAKEN | set(self.classes.values()) | set(self.local.values())
        # No leading underscore: the union helpers (``_to_avro_0``) and aliases have one.
        candidate = candidate.lstrip("_") or "item"
        while candidate in taken or keyword.iskeyword(candidate):
            candidate += "_"
        return candidate

    def helper(self, direction: str, t: Union) -> str:
        """Name of the module's helper converting union ``t`` (written once per union shape)."""
        key = _key(t)
        if key not in self.helpers:
            self.helpers[key] = (len(self.helpers), t)
        return f"_{direction}_avro_{self.helpers[key][0]}"
