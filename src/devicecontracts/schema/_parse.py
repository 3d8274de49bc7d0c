"""The parser: JSON to a validated tree of nodes, default validation and `describe_type`.

Two modes, as Confluent Schema Registry has them:

* strict (the default): what the registry applies to a *new* schema. Names must start with a
  letter or ``_`` and go on with letters, digits and ``_`` (Java's notion of a letter, so
  non-ASCII letters pass), and every default must match its type, a union's default its first
  branch (Avro 1.11, which Confluent runs).
* lenient (``strict=False``): what the registry applies to schemas it already stores, so old
  versions with sloppy defaults still load.

Everything the registry rejects in either mode raises `InvalidSchemaError` with the JSON path
of the offending part, for example ``/fields/3/default``.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any, Final

from devicecontracts._avro import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, PRIMITIVE_TYPES, qualify
from devicecontracts.errors import InvalidSchemaError, Location, SchemaJSONError, UnknownTypeError
from devicecontracts.schema._nodes import (
    JSON,
    NO_DEFAULT,
    Array,
    AvroType,
    Enum,
    Field,
    Fixed,
    LogicalType,
    Map,
    NamedType,
    Primitive,
    Record,
    Union,
)
from devicecontracts.schema.canonical import canonical_form, form_fingerprint, to_json, walk

__all__ = [
    "Schema",
    "describe_type",
    "is_valid_default",
    "load_json",
    "parse_schema",
]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_NO_PROPS: Final[Mapping[str, Any]] = {}
_ORDERS: Final = frozenset({"ascending", "descending", "ignore"})


@dataclass(eq=False)
class Schema:
    """A parsed, validated Avro schema.

    ``root`` is the top node. ``named`` holds every named type the schema defines, by full
    name; ``references`` the full names it uses but takes from elsewhere (Schema Registry
    references, shared types of the catalog). ``source`` is the JSON it was parsed from.
    """

    root: AvroType
    source: JSON
    named: Mapping[str, NamedType]
    references: tuple[str, ...] = ()
    _canonical: str | None = field(default=None, repr=False)

    @property
    def canonical_form(self) -> str:
        """The Parsing Canonical Form from the Avro specification (references inlined)."""
        if self._canonical is None:
            self._canonical = canonical_form(self.root)
        return self._canonical

    @property
    def fingerprint(self) -> str:
        """``sha256:`` and the hex SHA-256 of the Parsing Canonical Form."""
        return form_fingerprint(self.canonical_form)

    def to_json(self) -> JSON:
        """The schema as standalone JSON: referenced types inlined where first used."""
        return to_json(self.root)

    def walk(self) -> Iterator[AvroType]:
        """Every node once, depth first from the root (named types at first use)."""
        return walk(self.root)


def load_json(text: str | bytes, *, file: str | None = None) -> JSON:
    """Parse JSON text; a syntax error becomes `SchemaJSONError` with line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaJSONError(
            f"not valid JSON: {exc.msg}",
            Location(file=file, line=exc.lineno, column=exc.colno),
        ) from None
    except UnicodeDecodeError as exc:
        raise SchemaJSONError(f"not UTF-8 text: {exc.reason}", Location(file=file)) from None


def parse_schema(
    schema: str | JSON,
    *,
    named_types: Mapping[str, NamedType] | None = None,
    strict: bool = True,
    file: str | None = None,
) -> Schema:
    """Parse and validate an Avro schema.

    ``schema`` is JSON text (a ``str`` that is not a bare type name is parsed as JSON) or parsed
    JSON. ``named_types`` supplies types defined elsewhere (references), by full name.
    ``strict=False`` skips name and default validation, as the registry does for stored schemas.

    Raises `SchemaJSONError` for bad JSON and `InvalidSchemaError` for bad Avro; both locate
    the problem (``file`` is only used to say where).
    """
    source = _as_json(schema, file)
    parser = _Parser(named_types or {}, strict, file)
    root = parser.parse(source, "", "")
    return Schema(root, source, dict(parser.defined), tuple(parser.referenced))


def _as_json(schema: str | JSON, file: str | None) -> JSON:
    if isinstance(schema, str):
        stripped = schema.strip()
        if stripped[:1] in ("{", "[", '"'):
            return load_json(stripped, file=file)
        return stripped  # a bare type name such as "int" or a full name
    return schema


# ---------------------------------------------------------------------------------------------
# Shapes: interned structural keys, so compatibility results can be reused across versions
#
# Global state, on purpose: a shape is only useful if two parses of the same structure get the
# same number, whichever catalog, version or registry answer they came from, so the table lives
# as long as the process. It is bounded (cleared at _SHAPE_LIMIT) and numbers are never reused,
# so a clear costs cache misses, never a wrong answer. Not thread-safe beyond the GIL's
# guarantees for dict get/set, which is all it needs: a lost race mints two numbers for one key,
# again only a miss.

_SHAPES: dict[tuple[Any, ...], int] = {}
_SHAPE_LIMIT = 200_000
_next_shape = itertools.count(1)


def _shape(key: tuple[Any, ...]) -> int:
    """The interned number of a structural key (never reused, so a reset is only a cache miss)."""
    shape = _SHAPES.get(key)
    if shape is None:
        if len(_SHAPES) >= _SHAPE_LIMIT:
            _SHAPES.clear()
        shape = _SHAPES[key] = next(_next_shape)
    return shape


_PRIMITIVE_SHAPES: Final = {name: _shape(("p", name)) for name in PRIMITIVE_TYPES}
# A bare primitive name ("int") carries nothing but its type, so one shared node serves every
# occurrence; its path is "" (findings about it are located by the enclosing field).
_BARE_PRIMITIVES: Final = {
    name: Primitive(name, "", shape=_PRIMITIVE_SHAPES[name]) for name in PRIMITIVE_TYPES
}
# Names that passed the strict name rule. Global for the same reason as _SHAPES: the same
# names recur in every version of every schema, and the rule is a pure function of the name, so
# the cache cannot change a result. Bounded by _VALID_NAMES_LIMIT (then it stops growing).
_VALID_NAMES: set[str] = set()
_VALID_NAMES_LIMIT: Final = 100_000


def _composite_shape(tag: str, children: Sequence[AvroType]) -> int:
    shapes = tuple(c.shape for c in children)
    return 0 if 0 in shapes else _shape((tag, shapes))


# ---------------------------------------------------------------------------------------------
# The parser


class _Parser:
    def __init__(self, imported: Mapping[str, NamedType], strict: bool, file: str | None):
        self.imported = imported
        self.strict = strict
        self.file = file
        self.defined: dict[str, NamedType] = {}
        self.referenced: list[str] = []
        self._pending_defaults: list[tuple[Field, Record]] = []
        self._open: set[str] = set()  # records whose fields are being parsed
        self._recursive: set[str] = set()

    def fail(self, message: str, path: str) -> InvalidSchemaError:
        return InvalidSchemaError(message, Location(file=self.file, path=path or "/"))

    def parse(self, node: JSON, path: str, namespace: str) -> AvroType:
        root = self._type(node, path, namespace)
        # Defaults are checked once every named type is known: a default may hold a record
        # whose type is defined later in the file.
        if self.strict:
            for f, record in self._pending_defaults:
                if not is_valid_default(f.type, f.default):
                    raise self.fail(
                        f"invalid default for field {f.name!r} of {record.fullname}: "
                        f"{json.dumps(f.default)} is not a valid {describe_type(f.type)}"
                        + _union_default_hint(f.type, f.default),
                        f.path + "/default",
                    )
        return root

    def _type(self, node: JSON, path: str, namespace: str) -> AvroType:
        if isinstance(node, str):
            return self._reference(node, path, namespace)
        if isinstance(node, list):
            return self._union(node, path, namespace)
        if not isinstance(node, dict):
            raise self.fail(
                f"a schema must be a type name, an object or a union list, not {_kind(node)}",
                path,
            )
        kind = node.get("type")
        if isinstance(kind, (dict, list)):
            # {"type": {...}} and {"type": [...]} wrap a schema; the registry accepts this form.
            return self._type(kind, path + "/type", namespace)
        if not isinstance(kind, str):
            raise self.fail("missing or invalid 'type'", path)
        if kind in PRIMITIVE_TYPES:
            return self._primitive(kind, node, path)
        if kind in ("record", "error"):
            return self._record(node, path, namespace)
        if kind == "enum":
            return self._enum(node, path, namespace)
        if kind == "fixed":
            return self._fixed(node, path, namespace)
        if kind == "array":
            if "items" not in node:
                raise self.fail("array has no 'items'", path)
            items = self._type(node["items"], path + "/items", namespace)
            return Array(
                items,
                path,
                props=_props(node, {"type", "items"}),
                shape=_composite_shape("a", (items,)),
            )
        if kind == "map":
            if "values" not in node:
                raise self.fail("map has no 'values'", path)
            values = self._type(node["values"], path + "/values", namespace)
            return Map(
                values,
                path,
                props=_props(node, {"type", "values"}),
                shape=_composite_shape("m", (values,)),
            )
        return self._reference(kind, path + "/type", namespace)

    def _reference(self, name: str, path: str, namespace: str) -> AvroType:
        bare = _BARE_PRIMITIVES.get(name)
        if bare is not None:
            return bare
        if "." in name:
            candidates = [qualify(name, "")]
        else:
            candidates = [f"{namespace}.{name}", name] if namespace else [name]
        for full in candidates:
            if full in self.defined:
                if full in self._open:
                    self._recursive.add(full)
                return self.defined[full]
            if full in self.imported:
                if full not in self.referenced:
                    self.referenced.append(full)
                return self.imported[full]
        raise UnknownTypeError(
            f"unknown type {name!r}: not a primitive type, and no named type "
            f"{' or '.join(repr(c) for c in candidates)} is defined before this point "
            "or supplied as a reference",
            Location(file=self.file, path=path or "/"),
            name,
            tuple(candidates),
        )

    def _primitive(self, kind: str, node: dict[str, JSON], path: str) -> Primitive:
        props = _props(node, {"type"})
        return Primitive(kind, path, _logical(kind, node, None), props, _PRIMITIVE_SHAPES[kind])

    def _union(self, branches: list[JSON], path: str, namespace: str) -> Union:
        parsed: list[AvroType] = []
        seen: dict[str, int] = {}
        for i, branch in enumerate(branches):
            here = f"{path}/{i}"
            if isinstance(branch, list):
                raise self.fail("a union may not contain a union directly", here)
            t = self._type(branch, here, namespace)
            if isinstance(t, Union):
                raise self.fail("a union may not contain a union directly", here)
            key = t.branch_name
            if key in seen:
                raise self.fail(
                    f"duplicate {key!r} in union (also branch {seen[key]}): a union may hold "
                    "each type once, named types once per full name",
                    here,
                )
            seen[key] = i
            parsed.append(t)
        return Union(tuple(parsed), path, shape=_composite_shape("u", parsed))

    def _name(self, node: dict[str, JSON], path: str, namespace: str) -> tuple[str, str]:
        """Full name and the namespace it sets for nested definitions."""
        name = node.get("name")
        if not isinstance(name, str) or not name:
            raise self.fail("a named type needs a non-empty string 'name'", path)
        ns = node.get("namespace", namespace) if "." not in name else ""
        if ns is None:
            ns = ""
        if not isinstance(ns, str):
            raise self.fail("'namespace' must be a string", path + "/namespace")
        full = qualify(name, ns)
        ns_part, _, short = full.rpartition(".")
        ns_path = path + ("/name" if "." in name else "/namespace")
        if self.strict:
            self._check_name(short, path + "/name", "name")
            for part in ns_part.split(".") if ns_part else ():
                self._check_name(part, ns_path, "namespace part")
        if short in PRIMITIVE_TYPES:
            raise self.fail(
                f"a named type may not be named after a primitive type: {full}", path + "/name"
            )
        if full in self.defined or full in self.imported:
            raise self.fail(f"the name {full} is defined twice", path + "/name")
        return full, ns_part

    def _check_name(self, name: str, path: str, what: str) -> None:
        if name in _VALID_NAMES:
            return
        if _NAME.match(name) or _is_java_name(name):
            if len(_VALID_NAMES) < _VALID_NAMES_LIMIT:
                _VALID_NAMES.add(name)
            return
        raise self.fail(
            f"invalid {what} {name!r}: names must start with a letter or _ and contain only "
            "letters, digits and _",
            path,
        )

    def _aliases(self, node: dict[str, JSON], path: str, namespace: str) -> tuple[str, ...]:
        raw = node.get("aliases", [])
        if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
            raise self.fail("'aliases' must be a list of strings", path + "/aliases")
        return tuple(qualify(a, namespace) for a in raw)

    def _doc(self, node: dict[str, JSON], path: str) -> str | None:
        doc = node.get("doc")
        if doc is not None and not isinstance(doc, str):
            raise self.fail("'doc' must be a string", path + "/doc")
        return doc

    def _record(self, node: dict[str, JSON], path: str, namespace: str) -> Record:
        full, ns = self._name(node, path, namespace)
        raw_fields = node.get("fields")
        if not isinstance(raw_fields, list):
            raise self.fail(f"record {full} needs a 'fields' list", path)
        record = Record(
            fullname=full,
            path=path,
            aliases=self._aliases(node, path, ns),
            doc=self._doc(node, path),
            type="record",
            props=_props(node, {"type", "name", "namespace", "fields", "doc", "aliases"}),
        )
        self.defined[full] = record  # before the fields: they may refer to the record itself
        self._open.add(full)
        fields: list[Field] = []
        seen: set[str] = set()
        for i, raw in enumerate(raw_fields):
            here = f"{path}/fields/{i}"
            f = self._field(raw, i, here, ns, full)
            if f.name in seen:
                raise self.fail(f"duplicate field {f.name!r} in record {full}", here + "/name")
            seen.add(f.name)
            fields.append(f)
            if f.has_default:
                self._pending_defaults.append((f, record))
        record.fields = tuple(fields)
        record.by_name = {f.name: f for f in fields}
        self._open.discard(full)
        if full not in self._recursive and all(f.type.shape for f in fields):
            record.shape = _shape(
                (
                    "r",
                    full,
                    record.aliases,
                    tuple((f.name, f.aliases, f.has_default, f.type.shape) for f in fields),
                )
            )
        return record

    def _field(self, raw: JSON, position: int, path: str, ns: str, record: str) -> Field:
        if not isinstance(raw, dict):
            raise self.fail(f"a field of {record} must be an object", path)
        name = raw.get("name")
        if not isinstance(name, str):
            raise self.fail(f"a field of {record} needs a string 'name'", path)
        if self.strict:
            self._check_name(name, path + "/name", "field name")
        if "type" not in raw:
            raise self.fail(f"field {name!r} of {record} has no 'type'", path)
        t = self._type(raw["type"], path + "/type", ns)
        order = raw.get("order", "ascending")
        if order not in _ORDERS:
            raise self.fail(
                f"invalid order {order!r}: use ascending, descending or ignore", path + "/order"
            )
        aliases = raw.get("aliases", ())
        if aliases and (
            not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases)
        ):
            raise self.fail("'aliases' must be a list of strings", path + "/aliases")
        return Field(
            name,
            t,
            position,
            path,
            raw.get("default", NO_DEFAULT),
            self._doc(raw, path),
            tuple(aliases),
            order,
            _props(raw, _FIELD_KEYS),
        )

    def _enum(self, node: dict[str, JSON], path: str, namespace: str) -> Enum:
        full, ns = self._name(node, path, namespace)
        symbols = node.get("symbols")
        if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
            raise self.fail(f"enum {full} needs a 'symbols' list of strings", path)
        seen: set[str] = set()
        for i, symbol in enumerate(symbols):
            if self.strict:
                self._check_name(symbol, f"{path}/symbols/{i}", "enum symbol")
            if symbol in seen:
                raise self.fail(
                    f"duplicate symbol {symbol!r} in enum {full}", f"{path}/symbols/{i}"
                )
            seen.add(symbol)
        default = node.get("default")
        if default is not None and (not isinstance(default, str) or default not in seen):
            raise self.fail(
                f"the default {json.dumps(default)} of enum {full} is not one of its symbols "
                f"{symbols}",
                path + "/default",
            )
        enum = Enum(
            fullname=full,
            path=path,
            aliases=self._aliases(node, path, ns),
            doc=self._doc(node, path),
            symbols=tuple(symbols),
            default=default,
            props=_props(
                node, {"type", "name", "namespace", "symbols", "doc", "aliases", "default"}
            ),
        )
        enum.shape = _shape(("e", full, enum.aliases, enum.symbols, default is not None))
        self.defined[full] = enum
        return enum

    def _fixed(self, node: dict[str, JSON], path: str, namespace: str) -> Fixed:
        full, ns = self._name(node, path, namespace)
        size = node.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise self.fail(f"fixed {full} needs a non-negative integer 'size'", path + "/size")
        fixed = Fixed(
            fullname=full,
            path=path,
            aliases=self._aliases(node, path, ns),
            doc=self._doc(node, path),
            size=size,
            logical=_logical("fixed", node, size),
            props=_props(node, {"type", "name", "namespace", "size", "doc", "aliases"}),
        )
        fixed.shape = _shape(("f", full, fixed.aliases, size))
        self.defined[full] = fixed
        return fixed


_FIELD_KEYS: Final = frozenset({"name", "type", "default", "doc", "aliases", "order"})


def _props(node: dict[str, JSON], known: Set[str]) -> Mapping[str, JSON]:
    """Attributes beyond the known ones (custom properties, logicalType, ...)."""
    extra = node.keys() - known
    # Keep the source order (a set's order varies between runs): output must be deterministic.
    return {k: v for k, v in node.items() if k in extra} if extra else _NO_PROPS


def _is_java_name(name: str) -> bool:
    """Avro 1.11's name rule: Java's Character.isLetter first (or _), then letters, digits, _.

    Non-ASCII letters are valid there, so Confluent accepts them; the ASCII regex is only the
    fast path.
    """
    return (
        bool(name)
        and (name[0].isalpha() or name[0] == "_")
        and all(c.isalpha() or c.isdecimal() or c == "_" for c in name[1:])
    )


def _kind(value: JSON) -> str:
    return "null" if value is None else type(value).__name__


_LOGICAL_BASE: Final = {
    "date": "int",
    "time-millis": "int",
    "time-micros": "long",
    "timestamp-millis": "long",
    "timestamp-micros": "long",
    "timestamp-nanos": "long",
    "local-timestamp-millis": "long",
    "local-timestamp-micros": "long",
    "local-timestamp-nanos": "long",
    "uuid": "string",
}


def _logical(base: str, node: dict[str, JSON], fixed_size: int | None) -> LogicalType | None:
    """The logical type of a node when valid on its base type, else None (Avro ignores it)."""
    name = node.get("logicalType")
    if not isinstance(name, str):
        return None
    if name == "decimal" and base in ("bytes", "fixed"):
        precision, scale = node.get("precision"), node.get("scale", 0)
        if not _is_int(precision) or not _is_int(scale):
            return None
        assert isinstance(precision, int) and isinstance(scale, int)
        if precision <= 0 or scale < 0 or scale > precision:
            return None
        if fixed_size is not None and precision > _max_decimal_digits(fixed_size):
            return None
        return LogicalType(name, precision, scale)
    if name == "duration" and base == "fixed":
        return LogicalType(name) if fixed_size == 12 else None
    if _LOGICAL_BASE.get(name) == base:
        return LogicalType(name)
    return None


def _max_decimal_digits(size: int) -> int:
    """Most decimal digits a two's-complement number of ``size`` bytes always holds."""
    if size == 0:
        return 0
    return math.floor(math.log10(2) * (8 * size - 1))


def _is_int(value: JSON) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# ---------------------------------------------------------------------------------------------
# Defaults (Avro 1.11.4 Schema.isValidDefault)


def is_valid_default(t: AvroType, value: JSON) -> bool:
    """Whether ``value`` is a default Avro 1.11 accepts for type ``t``.

    Follows Avro Java 1.11 exactly, which Confluent runs: strings, bytes, enums and fixed take
    any JSON string; int and long an integral number in range; float and double any number; a
    union takes a default of its first branch only; a record an object whose every field has a
    valid value or its own default.
    """
    kind = t.type
    if kind in ("string", "bytes", "enum", "fixed"):
        return isinstance(value, str)
    if kind == "int":
        return _is_int(value) and INT_MIN <= value <= INT_MAX
    if kind == "long":
        return _is_int(value) and LONG_MIN <= value <= LONG_MAX
    if kind in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if isinstance(t, Array):
        return isinstance(value, list) and all(is_valid_default(t.items, v) for v in value)
    if isinstance(t, Map):
        return isinstance(value, dict) and all(
            is_valid_default(t.values, v) for v in value.values()
        )
    if isinstance(t, Union):
        return bool(t.branches) and is_valid_default(t.branches[0], value)
    if isinstance(t, Record):
        if not isinstance(value, dict):
            return False
        return all(is_valid_default(f.type, value.get(f.name, f.default)) for f in t.fields)
    return False


def _union_default_hint(t: AvroType, value: JSON) -> str:
    if isinstance(t, Union) and value is None and any(b.type == "null" for b in t.branches):
        return (
            "; a union's default must match its first branch (Avro 1.11, which Confluent "
            'runs): put "null" first, as in ["null", ...]'
        )
    if isinstance(t, Union):
        return "; a union's default must match its first branch (Avro 1.11)"
    return ""


def describe_type(t: AvroType) -> str:
    """A short readable form of a type, such as ``["null", "int"]`` or ``record a.b.C``."""
    if isinstance(t, NamedType):
        return f"{t.type} {t.fullname}"
    if isinstance(t, Array):
        return f"array of {describe_type(t.items)}"
    if isinstance(t, Map):
        return f"map of {describe_type(t.values)}"
    if isinstance(t, Union):
        return "[" + ", ".join(json.dumps(b.branch_name) for b in t.branches) + "]"
    if isinstance(t, Primitive) and t.logical:
        return f"{t.type} ({t.logical.name})"
    return t.type
