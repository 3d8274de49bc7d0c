"""The parser: JSON to a validated tree of nodes, default validation and `describe_type`.

Two modes, as Confluent Schema Registry has them, each following a `RegistryLine` (the
``line`` argument; see ``devicecontracts._avro``):

* strict (the default): what the line applies to a *new* schema. Confluent 8 (Avro 1.12): ASCII
  names, namespaces validated, every default validated, a union default matching any branch.
  Confluent 7 (Avro 1.11): names per Java's ``Character.isLetter``/``isLetterOrDigit``,
  namespaces not validated, defaults validated only with the line's switches, a union default
  matching its first branch. A default the line lets through but Avro 1.11 forbids is kept in
  `Schema.spec_problems` rather than raised.
* lenient (``strict=False``): what the line applies to schemas it already stores (Confluent 8
  validates no names, Confluent 7 still validates names), so old versions with sloppy defaults
  still load.

Everything else follows Avro Java's ``Schema.parse`` (1.11.4 and 1.12.0 agree on it): JSON
comments are allowed (Jackson's ALLOW_COMMENTS), a non-string ``doc`` or ``namespace`` is
absent, ``order`` is upper-cased, a float or double default may be written as a string, a
non-string enum default is ignored, and ``type`` must be a string.

Everything the registry rejects raises `InvalidSchemaError` with the JSON path of the offending
part, for example ``/fields/3/default``.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass, field
from itertools import repeat
from typing import Final

from devicecontracts._avro import (
    CONFLUENT_8,
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    PRIMITIVE_TYPES,
    RegistryLine,
    java_letter,
    qualify,
)
from devicecontracts._depth import (
    MAX_JSON_DEPTH,
    json_too_deep_at,
    json_value_depth,
    with_headroom,
)
from devicecontracts._gc import call_paused
from devicecontracts.errors import InvalidSchemaError, Location, SchemaJSONError, UnknownTypeError
from devicecontracts.schema import _nodes
from devicecontracts.schema._nodes import (
    JSON,
    NO_DEFAULT,
    Array,
    AvroType,
    DetailedField,
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
from devicecontracts.schema._nodes import LAZY_SHAPE as _LAZY
from devicecontracts.schema._nodes import NO_PROPS as _NO_PROPS
from devicecontracts.schema._nodes import intern_shape as _shape
from devicecontracts.schema.canonical import canonical_form, form_fingerprint, to_json, walk

__all__ = [
    "Schema",
    "describe_type",
    "is_valid_default",
    "load_json",
    "parse_schema",
]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ORDERS: Final = frozenset({"ASCENDING", "DESCENDING", "IGNORE"})
# Avro Java checks a fixed's size with SystemLimitException.checkMaxBytesLength (1.11.4, 1.12.0):
# at most MAX_ARRAY_VM_LIMIT, Integer.MAX_VALUE - 8.
_FIXED_SIZE_MAX: Final = 2**31 - 1 - 8


@dataclass(eq=False)
class Schema:
    """A parsed, validated Avro schema.

    ``root`` is the top node. ``named`` holds every named type the schema defines, by full
    name; ``references`` the full names it uses but takes from elsewhere (Schema Registry
    references, shared types of the catalog). ``source`` is the JSON it was parsed from.
    """

    root: AvroType
    _json: JSON = field(repr=False)
    named: Mapping[str, NamedType]
    references: tuple[str, ...] = ()
    spec_problems: tuple[InvalidSchemaError, ...] = ()
    """Defaults the registry line accepts but Avro 1.11's ``Schema.isValidDefault`` rejects
    (Confluent 7 without its switches): reported, not raised."""
    _canonical: str | None = field(default=None, repr=False)
    _text: str | None = field(default=None, repr=False)

    @property
    def source(self) -> JSON:
        """The JSON the schema was parsed from (do not modify it).

        Parsed from text, the schema keeps the text (which its caller holds anyway) rather than
        the decoded JSON, and decodes it again on each read: few callers read it (the lock's
        content hash, registration), and a catalog of 10,000 versions would otherwise hold
        about 100 MB of decoded JSON for them.
        """
        if self._text is not None:
            return load_json(self._text)
        return self._json

    def keep_text(self, text: str) -> None:
        """Hold ``text``, the JSON text this schema was parsed from (as parsed JSON), instead
        of the decoded JSON: for callers that keep the text anyway, such as the catalog."""
        self._text, self._json = text, None

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
    """Parse schema JSON as Avro Java reads it; a syntax error becomes `SchemaJSONError`.

    Avro's ``Schema.FACTORY`` enables Jackson's ALLOW_COMMENTS, so ``/* ... */`` and ``// ...``
    comments are allowed (the registry parses the schema string with it); ``NaN`` and
    ``Infinity`` literals are not (Jackson's ALLOW_NON_NUMERIC_NUMBERS is off). Errors carry the
    line and column.
    """
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        # A lone "/" starts no comment; one "/" search (memchr) spares most texts the others.
        if "/" in text and ("//" in text or "/*" in text):
            text = _blank_comments(text, file)
        _check_text_depth(text, file)
        blanked = text
        if blanked.startswith("\ufeff"):  # json.loads's own message for a byte order mark
            return json.loads(blanked, parse_constant=_no_constant)
        return with_headroom(lambda: _DECODER.decode(blanked))
    except json.JSONDecodeError as exc:
        raise SchemaJSONError(
            f"not valid JSON: {exc.msg}",
            Location(file=file, line=exc.lineno, column=exc.colno),
        ) from None
    except _NonNumericError as exc:
        assert isinstance(text, str)
        raise _error_at(
            text,
            _outside_strings(r"-?(?:NaN|Infinity)", text),
            f"not valid JSON: {exc} is not a JSON number (Avro's JSON reader rejects it; "
            'write a float default as a string such as "NaN")',
            file,
        ) from None
    except UnicodeDecodeError as exc:
        raise SchemaJSONError(f"not UTF-8 text: {exc.reason}", Location(file=file)) from None
    except ValueError:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        assert isinstance(text, str)
        found = _outside_strings(f"-?[0-9]{{{sys.get_int_max_str_digits() + 1},}}", text)
        digits = len(found[0].lstrip("-")) if found else 0
        raise _error_at(
            text,
            found,
            f"not valid JSON for a schema: a number {digits} digits long, longer than any "
            "Avro value can be",
            file,
        ) from None


def _outside_strings(pattern: str, text: str) -> re.Match[str] | None:
    """The first match of ``pattern`` in JSON ``text`` (comments blanked) outside strings."""
    for found in re.finditer(rf'"(?:[^"\\]|\\.)*"|{pattern}', text, re.S):
        if found[0][0] != '"':
            return found
    return None


def _error_at(
    text: str, found: re.Match[str] | None, message: str, file: str | None
) -> SchemaJSONError:
    line, column = _position(text, found.start() if found else -1)
    return SchemaJSONError(message, Location(file=file, line=line, column=column))


def _check_text_depth(text: str, file: str | None) -> None:
    """Reject JSON nested deeper than Jackson allows, before anything recursive reads it."""
    at = json_too_deep_at(text)
    if at >= 0:
        line, column = _position(text, at)
        raise _too_deep(Location(file=file, line=line, column=column))


def _check_value_depth(source: JSON, file: str | None) -> None:
    if json_value_depth(source) > MAX_JSON_DEPTH:
        raise _too_deep(Location(file=file))


def _too_deep(where: Location) -> SchemaJSONError:
    return SchemaJSONError(
        f"not valid JSON: nested more than {MAX_JSON_DEPTH:,} levels deep (the registry's"
        f" JSON reader, Jackson, allows at most {MAX_JSON_DEPTH:,})",
        where,
    )


class _NonNumericError(ValueError):
    """A NaN or Infinity literal, which Python's json accepts and Jackson does not."""


# What matters to comment blanking: strings (skipped whole), comments, and the literals Python's
# json accepts but Jackson does not.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/|/\*', re.S)


def _no_constant(token: str) -> JSON:
    raise _NonNumericError(token)


# One decoder for every call: json.loads with an argument builds a new one each time.
_DECODER: Final = json.JSONDecoder(parse_constant=_no_constant)


def _position(text: str, at: int) -> tuple[int | None, int | None]:
    if at < 0:
        return None, None
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def _blank_comments(text: str, file: str | None) -> str:
    """``text`` with every comment outside strings replaced by spaces (newlines kept, so line
    and column numbers stay right)."""
    out: list[str] = []
    start = 0
    for m in _TOKENS.finditer(text):
        token = m[0]
        if token[0] != "/":
            continue
        if token == "/*":
            line, column = _position(text, m.start())
            raise SchemaJSONError(
                "not valid JSON: a /* comment is never closed",
                Location(file=file, line=line, column=column),
            )
        out += (text[start : m.start()], re.sub(r"[^\n]", " ", token))
        start = m.end()
    if not out:
        return text
    out.append(text[start:])
    return "".join(out)


def parse_schema(
    schema: str | JSON,
    *,
    named_types: Mapping[str, NamedType] | None = None,
    strict: bool = True,
    line: RegistryLine = CONFLUENT_8,
    file: str | None = None,
) -> Schema:
    """Parse and validate an Avro schema as the registry ``line`` would.

    ``schema`` is JSON text (a ``str`` that is not a bare type name is parsed as JSON) or parsed
    JSON. ``named_types`` supplies types defined elsewhere (references), by full name.
    ``strict=True`` validates as the line does a new schema, ``strict=False`` as it reads a
    stored one (see the module docstring).

    Raises `SchemaJSONError` for bad JSON and `InvalidSchemaError` for bad Avro; both locate
    the problem (``file`` is only used to say where).
    """
    # Everything a parse builds lives as long as the schema, so the cyclic collector would only
    # traverse it: it is paused for the call, and restored as it was.
    return call_paused(_parse, schema, named_types, strict, line, file)


def _parse(
    schema: str | JSON,
    named_types: Mapping[str, NamedType] | None,
    strict: bool,
    line: RegistryLine,
    file: str | None,
) -> Schema:
    source = _as_json(schema, file)

    def run() -> Schema:
        parser = _Parser(named_types or {}, strict, line, file)
        root = parser.parse(source, "", "")
        # From JSON text, keep the text, not the decoded JSON (see `Schema.source`).
        from_text = isinstance(schema, str) and source is not schema and not isinstance(source, str)
        return Schema(
            root,
            None if from_text else source,
            parser.defined,
            tuple(parser.referenced),
            tuple(parser.spec_problems),
            _text=schema if from_text else None,
        )

    # Text was depth-checked by load_json; parsed JSON is checked only if it proves deep.
    return with_headroom(run, lambda: _check_value_depth(source, file))


def _as_json(schema: str | JSON, file: str | None) -> JSON:
    if isinstance(schema, str):
        stripped = schema.strip()
        if stripped[:1] in ("{", "[", '"', "/"):
            return load_json(stripped, file=file)
        return stripped  # a bare type name such as "int" or a full name
    return schema


# Shapes (see _nodes): primitives get theirs here; the parser leaves the derived ones (records,
# unions, arrays, maps, enums, fixed) for their first reader, except a recursive record's 0.
# The interning table lives with the nodes (benchmarks empty it per round through this name).
_SHAPES: Final = _nodes._SHAPES

_PRIMITIVE_SHAPES: Final = {name: _shape(("p", name)) for name in PRIMITIVE_TYPES}
# A bare primitive name ("int") carries nothing but its type, so one shared node serves every
# occurrence; its path is "" (findings about it are located by the enclosing field).
_BARE_PRIMITIVES: Final = {
    name: Primitive(name, "", shape=_PRIMITIVE_SHAPES[name]) for name in PRIMITIVE_TYPES
}
# Names that passed Java's Unicode name rule. Global for the same reason as _SHAPES: the same
# names recur in every version of every schema, and the rule is a pure function of the name, so
# the cache cannot change a result. Bounded by _VALID_NAMES_LIMIT (then it stops growing).
_VALID_NAMES: set[str] = set()
_VALID_NAMES_LIMIT: Final = 100_000


# ---------------------------------------------------------------------------------------------
# The parser


# Tokens of JSON paths, made once: a field's position, a union branch's index.
_TOKENS_MADE: Final = 256
_FIELD_TYPE_AT: Final = tuple(f"/fields/{i}/type" for i in range(_TOKENS_MADE))
_BRANCH_AT: Final = tuple(f"/{i}" for i in range(_TOKENS_MADE))

# Names that match the ASCII rule, valid on every line and in every mode; and namespaces whose
# every part does. Global for the same reason as _VALID_NAMES: the same names recur in every
# version of every schema, and the rule is a pure function of the name. Bounded (then they stop
# growing, which only costs a regular-expression match).
_ASCII_NAMES: set[str] = set()
_ASCII_NAMESPACES: set[str] = set()
_ASCII_LIMIT: Final = 100_000

# Unions of bare primitive names (["null", "string"]), valid ones only, by their branch names:
# their branches (shared bare primitives) and shape. Bounded: the names are few.
_PRIMITIVE_UNIONS: dict[tuple[str, ...], tuple[tuple[AvroType, ...], int]] = {}
_PRIMITIVE_UNIONS_LIMIT: Final = 10_000

# Primitives that declare only a logical type, by (type, logicalType): their logical type (a
# frozen, shared value) and shape. Bounded: past the limit, pairs are worked out each time.
_SIMPLE_LOGICAL: dict[tuple[str, str], tuple[LogicalType | None, int]] = {}
_SIMPLE_LOGICAL_LIMIT: Final = 1_000


def _simple_logical(kind: str, node: dict[str, JSON]) -> tuple[LogicalType | None, int]:
    """The logical type and shape of ``node``, a primitive with only a string logicalType."""
    logical = _logical(kind, node, None)
    shape = _PRIMITIVE_SHAPES[kind] if logical is None else _shape(("p", kind, logical.name))
    known = (logical, shape)
    if len(_SIMPLE_LOGICAL) < _SIMPLE_LOGICAL_LIMIT:
        _SIMPLE_LOGICAL[kind, node["logicalType"]] = known
    return known


_RECORD_KEYS: Final = frozenset({"type", "name", "namespace", "fields", "doc", "aliases"})
_ENUM_KEYS: Final = frozenset({"type", "name", "namespace", "symbols", "doc", "aliases", "default"})
_FIXED_KEYS: Final = frozenset({"type", "name", "namespace", "size", "doc", "aliases"})
_ARRAY_KEYS: Final = frozenset({"type", "items"})
_MAP_KEYS: Final = frozenset({"type", "values"})
_TYPE_KEY: Final = frozenset({"type"})
_FLOATS: Final = frozenset({"float", "double"})
_MISSING: Final = object()
_RECORD_KINDS: Final = frozenset({"record", "error"})
_NAMED: Final = (Record, Enum, Fixed)
_new: Final = object.__new__


class _Parser:
    """One parse. Hot paths build no path strings: a node's path is made when the node is (for
    the types that carry one) or when an error needs it."""

    def __init__(
        self,
        imported: Mapping[str, NamedType],
        strict: bool,
        line: RegistryLine,
        file: str | None,
    ):
        self.imported = imported
        self.strict = strict
        self.line = line
        # CP 7 validates names of stored schemas too (Avro 1.11's Parser always does).
        self.check_names = strict or line.validates_stored_names
        self.check_namespaces = strict and line.validates_namespaces
        self.copy_checks = line.avro == "1.12"
        self.file = file
        self.spec_problems: list[InvalidSchemaError] = []
        self.defined: dict[str, NamedType] = {}
        self.referenced: list[str] = []
        # A field with a default, its record, and the records still open when it was read.
        self._pending_defaults: list[tuple[Field, Record, frozenset[str]]] = []
        self._open: set[str] = set()  # records whose fields are being parsed
        self._open_now: frozenset[str] | None = frozenset()  # _open, frozen; None when stale
        self._recursive: set[str] = set()

    def fail(self, message: str, path: str) -> InvalidSchemaError:
        return InvalidSchemaError(message, Location(file=self.file, path=path or "/"))

    def parse(self, node: JSON, path: str, namespace: str) -> AvroType:
        root = self._type(node, path, namespace)
        # Defaults are checked once every named type is known: a default may hold a record
        # whose type is defined later in the file.
        if not self.strict:
            return root
        any_branch = self.line.union_default_any_branch and self.line.validate_defaults
        for f, record, unset in self._pending_defaults:
            t, default = f.type, f.default
            try:
                if _valid_default(t, default, any_branch, unset, set()):
                    continue
            except _FieldsNotSet:
                pass
            problem = self.fail(
                f"invalid default for field {f.name!r} of {record.fullname}: "
                f"{_dumps(default)} is not a valid {describe_type(t)}"
                + _union_default_hint(t, default, any_branch),
                f.path + "/default",
            )
            if self.line.validate_defaults:
                raise problem
            self.spec_problems.append(problem)
        return root

    def _type(self, node: JSON, path: str, namespace: str) -> AvroType:
        # Nodes are built slot by slot below: their classes' __init__ inlined (a class call
        # costs more than the stores).
        if node.__class__ is not dict:  # exact class first (cheap), then subclasses
            if isinstance(node, str):
                return _BARE_PRIMITIVES.get(node) or self._reference(node, path, namespace)
            if isinstance(node, list):
                return self._union(node, path, namespace)
            if not isinstance(node, dict):
                raise self.fail(
                    f"a schema must be a type name, an object or a union list, not {_kind(node)}",
                    path,
                )
        kind = node.get("type")
        if kind.__class__ is not str and not isinstance(kind, str):
            # Avro Java's Schema.parse reads it with getRequiredText(schema, "type", "No type"):
            # {"type": {"type": "int"}} and {"type": [...]} are rejected ("No type").
            raise self.fail("missing or invalid 'type': it must be a type name string", path)
        if kind in PRIMITIVE_TYPES:
            size = len(node)
            if size == 1:
                primitive = _new(Primitive)
                primitive.type, primitive.path, primitive.logical = kind, path, None
                primitive.props, primitive._shape = _NO_PROPS, _PRIMITIVE_SHAPES[kind]
                return primitive
            if size == 2:
                # {"type": "long", "logicalType": "timestamp-millis"}: the logical type and
                # shape depend on the two names only, so they are made once per pair.
                name = node.get("logicalType")
                if name.__class__ is str:
                    known = _SIMPLE_LOGICAL.get((kind, name))
                    if known is None:
                        known = _simple_logical(kind, node)
                    primitive = _new(Primitive)
                    primitive.type, primitive.path, primitive.logical = kind, path, known[0]
                    primitive.props, primitive._shape = {"logicalType": name}, known[1]
                    return primitive
            logical = _logical(kind, node, None) if "logicalType" in node else None
            # The logical type does not change resolution, but it is in the messages that
            # describe the node: with it in the shape, a result cached by shape reads exactly
            # as a fresh one would, whatever schema first computed it.
            shape = (
                _PRIMITIVE_SHAPES[kind] if logical is None else _shape(("p", kind, logical.name))
            )
            return Primitive(kind, path, logical, _props(node, _TYPE_KEY), shape)
        if kind in _RECORD_KINDS:
            return self._record(node, path, namespace)
        if kind == "enum":
            return self._enum(node, path, namespace)
        if kind == "array":
            if "items" not in node:
                raise self.fail("array has no 'items'", path)
            raw = node["items"]
            items = (isinstance(raw, str) and _BARE_PRIMITIVES.get(raw)) or self._type(
                raw, path + "/items", namespace
            )
            array = _new(Array)
            array.items, array.path, array._shape = items, path, _LAZY
            array.props = (
                _NO_PROPS if len(node) == 2 else self._copied_props(node, _ARRAY_KEYS, path)
            )
            return array
        if kind == "map":
            if "values" not in node:
                raise self.fail("map has no 'values'", path)
            raw = node["values"]
            values = (isinstance(raw, str) and _BARE_PRIMITIVES.get(raw)) or self._type(
                raw, path + "/values", namespace
            )
            map_ = _new(Map)
            map_.values, map_.path, map_._shape = values, path, _LAZY
            map_.props = _NO_PROPS if len(node) == 2 else self._copied_props(node, _MAP_KEYS, path)
            return map_
        if kind == "fixed":
            return self._fixed(node, path, namespace)
        return self._reference(kind, path + "/type", namespace)

    def _copied_props(
        self, node: dict[str, JSON], known: Set[str], path: str
    ) -> Mapping[str, JSON]:
        """A record's, array's or map's extra properties. Avro 1.12's SchemaResolver copies
        them through JacksonUtils.toObject (copyProperties), which has no value for an integer
        beyond long, so such a property fails the parse, stored or new ("Can't set a property
        to null", or a NullPointerException when nested). Enums, fixed, primitives and fields
        keep theirs, as Avro 1.11 keeps every one."""
        props = _props(node, known)
        if props and self.copy_checks:
            for key, value in props.items():
                if _has_big_integer(value):
                    raise self.fail(
                        f"property {key!r} holds an integer beyond the long range, which Avro "
                        "1.12 cannot copy: write it as a string",
                        f"{path}/{key}",
                    )
        return props

    def _reference(self, name: str, path: str, namespace: str) -> AvroType:
        bare = _BARE_PRIMITIVES.get(name)
        if bare is not None:
            return bare
        if "." in name:
            candidates = [qualify(name, "")]
        else:
            candidates = [f"{namespace}.{name}", name] if namespace else [name]
        for full in candidates:
            found = self.defined.get(full)
            if found is not None:
                if full in self._open:
                    self._recursive.add(full)
                return found
            found = self.imported.get(full)
            if found is not None:
                if full not in self.referenced:
                    self.referenced.append(full)
                return found
        raise UnknownTypeError(
            f"unknown type {name!r}: not a primitive type, and no named type "
            f"{' or '.join(repr(c) for c in candidates)} is defined before this point "
            "or supplied as a reference",
            Location(file=self.file, path=path or "/"),
            name,
            tuple(candidates),
        )

    def _union(self, branches: list[JSON], path: str, namespace: str) -> Union:
        names: tuple[str, ...] | None = tuple(branches)
        for branch in branches:
            if branch.__class__ is not str:  # an object, say: not a union of names
                names = None
                break
        else:
            known = _PRIMITIVE_UNIONS.get(names)  # type: ignore[arg-type]  # not None here
            if known is not None:
                union = _new(Union)
                union.branches, union.path, union._shape = known[0], path, known[1]
                return union
        parsed: list[AvroType] = []
        seen: dict[str, int] = {}
        bare = _BARE_PRIMITIVES
        all_bare = names is not None
        for i, branch in enumerate(branches):
            if isinstance(branch, str):
                t = bare.get(branch) or self._reference(branch, _at(path, _BRANCH_AT, i), namespace)
                all_bare = all_bare and t.path == "" and t is bare.get(t.type)
            elif isinstance(branch, list):
                raise self.fail(
                    "a union may not contain a union directly", _at(path, _BRANCH_AT, i)
                )
            else:
                all_bare = False
                t = self._type(branch, _at(path, _BRANCH_AT, i), namespace)
                if isinstance(t, Union):
                    raise self.fail(
                        "a union may not contain a union directly", _at(path, _BRANCH_AT, i)
                    )
            key = t.fullname if isinstance(t, _NAMED) else t.type
            if key in seen:
                raise self.fail(
                    f"duplicate {key!r} in union (also branch {seen[key]}): a union may hold "
                    "each type once, named types once per full name",
                    _at(path, _BRANCH_AT, i),
                )
            seen[key] = i
            parsed.append(t)
        branch_nodes = tuple(parsed)
        if all_bare and names is not None and len(_PRIMITIVE_UNIONS) < _PRIMITIVE_UNIONS_LIMIT:
            union = Union(branch_nodes, path, _LAZY)
            _PRIMITIVE_UNIONS[names] = (branch_nodes, union.shape)
            return union
        return Union(branch_nodes, path, _LAZY)

    def _name(self, node: dict[str, JSON], path: str, namespace: str) -> tuple[str, str]:
        """Full name and the namespace it sets for nested definitions."""
        name = node.get("name")
        # An empty name is only refused by name validation ("Empty name"): CP 8 reads stored
        # schemas with NameValidator.NO_VALIDATION, which lets it through.
        if not isinstance(name, str) or (not name and self.check_names):
            raise self.fail("a named type needs a non-empty string 'name'", path)
        # Avro Java reads the namespace with getOptionalText: a null or non-string namespace
        # is absent and the enclosing one applies (Schema.parse in 1.11.4, parseName in 1.12.0).
        dotted = "." in name
        if dotted:
            full = qualify(name, "")
            ns_part, _, short = full.rpartition(".")
        else:
            # `qualify` inlined: an undotted name joins the namespace, which is its own.
            declared = node.get("namespace")
            ns_part = declared if isinstance(declared, str) else namespace
            full = f"{ns_part}.{name}" if ns_part else name
            short = name
        if self.check_names and short not in _ASCII_NAMES:
            self._check_name(short, path + "/name", "name")
        if self.check_namespaces and ns_part and ns_part not in _ASCII_NAMESPACES:
            # Avro 1.12's ParseContext.requireValidFullName checks every part of the full name;
            # 1.11's Name constructor checks only the short name.
            ns_path = path + ("/name" if dotted else "/namespace")
            for part in ns_part.split("."):
                self._check_name(part, ns_path, "namespace part")
            if len(_ASCII_NAMESPACES) < _ASCII_LIMIT and all(
                _NAME.match(part) for part in ns_part.split(".")
            ):
                _ASCII_NAMESPACES.add(ns_part)
        if full in PRIMITIVE_TYPES:
            # NamedSchema's constructor compares the *full* name with the primitives, so
            # com.acme.int is accepted (a Java quirk Confluent inherits).
            raise self.fail(
                f"a named type may not be named after a primitive type: {full}", path + "/name"
            )
        if full in self.defined or full in self.imported:
            raise self.fail(f"the name {full} is defined twice", path + "/name")
        return full, ns_part

    def _check_name(self, name: str, path: str, what: str) -> None:
        if _NAME.match(name):
            if len(_ASCII_NAMES) < _ASCII_LIMIT:
                _ASCII_NAMES.add(name)
            return
        if self.line.ascii_names:
            rule = "letters are A-Z and a-z only (Avro 1.12's STRICT_VALIDATOR)"
        elif name in _VALID_NAMES:
            return
        elif _is_java_name(name):
            if len(_VALID_NAMES) < _VALID_NAMES_LIMIT:
                _VALID_NAMES.add(name)
            return
        else:
            rule = "letters and digits as Java's Character.isLetterOrDigit (Avro 1.11) sees them"
        raise self.fail(
            f"invalid {what} {name!r}: names must start with a letter or _ and contain only "
            f"letters, digits and _; {rule}",
            path,
        )

    def _aliases(self, node: dict[str, JSON], path: str, namespace: str) -> tuple[str, ...]:
        if "aliases" not in node:
            return ()
        raw = self._alias_list(node, path)
        if self.check_names:
            # NamedSchema.addAlias builds a Name, whose constructor validates the alias's short
            # name (not its namespace) with the parser's rule: Avro 1.11.4 and 1.12.0.
            for i, alias in enumerate(raw):
                self._check_name(alias.rpartition(".")[2], f"{path}/aliases/{i}", "alias")
        aliases = tuple(qualify(a, namespace) for a in raw)
        if self.copy_checks and namespace:
            # Avro 1.12's NamedSchema.getAliases gives an alias in the null namespace of a
            # namespaced type as ".Name", which never equals a writer's full name in
            # SchemaCompatibility.schemaNameEquals; 1.11 gives plain "Name".
            aliases = tuple(a if "." in a else "." + a for a in aliases)
        return aliases

    def _alias_list(self, node: dict[str, JSON], path: str) -> tuple[str, ...]:
        """Avro Java's parseAliases: absent, or an array of strings (``null`` and ``{}`` are
        rejected); kept as a set in first-seen order (a LinkedHashSet), so repeats collapse."""
        if "aliases" not in node:
            return ()
        raw = node["aliases"]
        if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
            raise self.fail("'aliases' must be a list of strings", path + "/aliases")
        return tuple(dict.fromkeys(raw))

    def _record(self, node: dict[str, JSON], path: str, namespace: str) -> Record:
        full, ns = self._name(node, path, namespace)
        raw_fields = node.get("fields")
        if not isinstance(raw_fields, list):
            raise self.fail(f"record {full} needs a 'fields' list", path)
        aliases = self._aliases(node, path, ns) if "aliases" in node else ()
        # getOptionalText: a non-string doc is absent (Avro 1.11.4 Schema.parse, 1.12.0 parseDoc).
        doc = node.get("doc")
        # "type", "name" and "fields" are there (read above), and maybe "namespace": then
        # nothing else is, so there are no properties to collect.
        size = len(node)
        if size == 3 or (size == 4 and "namespace" in node):
            props = _NO_PROPS
        else:
            props = self._copied_props(node, _RECORD_KEYS, path)
        # Record's __init__ inlined: every slot stored, the fields filled in below.
        record = _new(Record)
        record.fullname, record.path, record.aliases = full, path, aliases
        record.doc = doc if isinstance(doc, str) else None
        record.fields, record.props, record._shape = (), props, _LAZY
        record._compat_view = None
        self.defined[full] = record  # before the fields: they may refer to the record itself
        self._open.add(full)
        self._open_now = None
        by_name: dict[str, Field] = {}
        check_names = self.check_names
        bare = _BARE_PRIMITIVES
        pending = self._pending_defaults
        check_defaults = self.strict
        new_field = new_node = object.__new__
        primitive_unions = _PRIMITIVE_UNIONS
        for i, raw in enumerate(raw_fields):
            # Exact class first (cheap), isinstance for subclasses of parsed JSON passed in.
            if raw.__class__ is not dict and not isinstance(raw, dict):
                raise self.fail(f"a field of {full} must be an object", _field_at(path, i))
            name = raw.get("name")
            if name.__class__ is not str and not isinstance(name, str):
                raise self.fail(f"a field of {full} needs a string 'name'", _field_at(path, i))
            if check_names and name not in _ASCII_NAMES:
                self._check_name(name, _field_at(path, i) + "/name", "field name")
            raw_type = raw.get("type", _MISSING)
            if raw_type is _MISSING:
                raise self.fail(f"field {name!r} of {full} has no 'type'", _field_at(path, i))
            kind = raw_type.__class__
            if kind is str:
                t = bare.get(raw_type) or self._reference(
                    raw_type, _at(path, _FIELD_TYPE_AT, i), ns
                )
            else:
                here = (
                    path + _FIELD_TYPE_AT[i] if i < _TOKENS_MADE else _at(path, _FIELD_TYPE_AT, i)
                )
                if kind is list:
                    # The commonest union, ["null", "long"], known already: `_union`'s own
                    # fast path, inline.
                    known = None
                    if len(raw_type) == 2:
                        first, second = raw_type
                        if first.__class__ is str and second.__class__ is str:
                            known = primitive_unions.get((first, second))
                    if known is None:
                        t = self._union(raw_type, here, ns)
                    else:
                        t = new_node(Union)
                        t.branches, t.path, t._shape = known[0], here, known[1]
                else:
                    t = self._type(raw_type, here, ns)
            size = len(raw)
            default: JSON
            if size == 2:
                # Only a name and a type: nothing else to read. Built slot by slot, Field's
                # __init__ inlined (a class call costs more than the five stores).
                f = new_field(Field)
                f.name = name
                f.type = t
                f.position = i
                f._record_path = path
                f.default = default = NO_DEFAULT
            elif size == 3 and "default" in raw:
                # A name, a type and a default (the common optional field).
                default = raw["default"]
                if isinstance(default, str) and t.type in _FLOATS:
                    default = self._float_default(default, _field_at(path, i) + "/default")
                f = new_field(Field)
                f.name = name
                f.type = t
                f.position = i
                f._record_path = path
                f.default = default
            else:
                f = self._field_rest(raw, name, t, i, path)
                default = f.default
            by_name[name] = f
            if len(by_name) <= i:
                raise self.fail(
                    f"duplicate field {name!r} in record {full}", _field_at(path, i) + "/name"
                )
            # Defaults are validated once the whole schema is read (a record default may hold
            # a type defined later); the common ones that are plainly valid here, on every
            # line, need not wait.
            if (
                default is not NO_DEFAULT
                and check_defaults
                # The commonest plainly valid default, inline: null for ["null", ...].
                and not (
                    default is None
                    and t.__class__ is Union
                    and t.branches
                    and t.branches[0].type == "null"
                )
                and not _plainly_valid(t, default)
            ):
                unset = self._open_now
                if unset is None:
                    unset = self._open_now = frozenset(self._open)
                pending.append((f, record, unset))
        record.fields = tuple(by_name.values())
        record.by_name = by_name
        self._open.discard(full)
        self._open_now = None
        if full in self._recursive:
            record._shape = 0  # compared by identity; its shape is never derived
        return record

    def _field_rest(self, raw: dict[str, JSON], name: str, t: AvroType, i: int, path: str) -> Field:
        """A field with more than a name and a type: order, default, doc, aliases, props."""
        if "order" in raw:
            order = raw["order"]
            # Field.Order.valueOf(order.textValue().toUpperCase(Locale.ENGLISH)): any case
            # passes; a non-string order is a NullPointerException in Java, so a rejection.
            upper = order.upper() if isinstance(order, str) else None
            if upper not in _ORDERS:
                raise self.fail(
                    f"invalid order {_dumps(order)}: use ascending, descending or ignore",
                    _field_at(path, i) + "/order",
                )
            order = upper.lower()
        else:
            order = "ascending"
        default = raw.get("default", NO_DEFAULT)
        if isinstance(default, str) and t.type in _FLOATS:
            default = self._float_default(default, _field_at(path, i) + "/default")
        doc = raw.get("doc")
        if not isinstance(doc, str):
            doc = None
        aliases = self._alias_list(raw, _field_at(path, i)) if "aliases" in raw else ()
        props = _props(raw, _FIELD_KEYS)
        if doc is None and not aliases and order == "ascending" and props is _NO_PROPS:
            return Field(name, t, i, path, default)
        return DetailedField(name, t, i, path, default, doc, aliases, order, props)

    def _float_default(self, text: str, path: str) -> float:
        """A float or double default written as a string, read as Java's Double.parseDouble
        does (Schema.parse in Avro 1.11.4, parseField in 1.12.0), on every parse: a string
        that is not a Java double is a NumberFormatException, so a rejection."""
        value = _java_double(text)
        if value is None:
            raise self.fail(
                f"invalid default {_dumps(text)}: a float or double default given as a string "
                'must be a number Java can read, such as "1.5" or "NaN"',
                path,
            )
        return value

    def _enum(self, node: dict[str, JSON], path: str, namespace: str) -> Enum:
        full, ns = self._name(node, path, namespace)
        symbols = node.get("symbols")
        if not isinstance(symbols, list) or not all(map(isinstance, symbols, repeat(str))):
            raise self.fail(f"enum {full} needs a 'symbols' list of strings", path)
        seen = set(symbols)
        # The symbols need a closer look only if one may be invalid or repeated: a set that
        # holds only names known to be valid, one per symbol, passes on every line.
        if (self.check_names and not _ASCII_NAMES.issuperset(seen)) or len(seen) != len(symbols):
            self._check_symbols(symbols, full, path)
        default = node.get("default")
        if not isinstance(default, str):
            # Java reads it with textValue(): a non-string default is no default at all.
            default = None
        if default is not None and default not in seen:
            raise self.fail(
                f"the default {json.dumps(default)} of enum {full} is not one of its symbols "
                f"{symbols}",
                path + "/default",
            )
        aliases = self._aliases(node, path, ns) if "aliases" in node else ()
        doc = node.get("doc")
        enum = _new(Enum)
        enum.fullname, enum.path, enum.aliases = full, path, aliases
        enum.doc = doc if isinstance(doc, str) else None
        enum.symbols, enum.default, enum._shape = tuple(symbols), default, _LAZY
        enum.props = _NO_PROPS if node.keys() <= _ENUM_KEYS else _props(node, _ENUM_KEYS)
        self.defined[full] = enum
        return enum

    def _check_symbols(self, symbols: list[str], full: str, path: str) -> None:
        """Each symbol a valid name (where names are checked) and none twice, in order."""
        seen: set[str] = set()
        check_names = self.check_names
        for i, symbol in enumerate(symbols):
            if check_names and symbol not in _ASCII_NAMES:
                self._check_name(symbol, f"{path}/symbols/{i}", "enum symbol")
            if symbol in seen:
                raise self.fail(
                    f"duplicate symbol {symbol!r} in enum {full}", f"{path}/symbols/{i}"
                )
            seen.add(symbol)

    def _fixed(self, node: dict[str, JSON], path: str, namespace: str) -> Fixed:
        full, ns = self._name(node, path, namespace)
        size = node.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= _FIXED_SIZE_MAX:
            raise self.fail(
                f"fixed {full} needs an integer 'size' from 0 to {_FIXED_SIZE_MAX} (Avro Java's "
                "array limit)",
                path + "/size",
            )
        aliases = self._aliases(node, path, ns)
        doc = node.get("doc")
        fixed = Fixed(
            full,
            path,
            aliases,
            doc if isinstance(doc, str) else None,
            size,
            _logical("fixed", node, size),
            _props(node, _FIXED_KEYS),
            _LAZY,
        )
        self.defined[full] = fixed
        return fixed


def _plainly_valid(t: AvroType, value: JSON) -> bool:
    """Whether ``value`` is, at a glance, a valid default of ``t`` on every registry line:
    the common cases (a scalar of a primitive type, a symbol-like string for an enum, null for
    a union whose first branch is null, an empty map or array). False means "look closer"."""
    kind = t.type
    cls = value.__class__
    if cls is str:
        return kind in _STRING_DEFAULTS
    if cls is int:
        if kind == "long":
            return bool(LONG_MIN <= value <= LONG_MAX)
        return kind == "int" and bool(INT_MIN <= value <= INT_MAX)
    if value is None:
        return kind == "null" or (
            isinstance(t, Union) and bool(t.branches) and t.branches[0].type == "null"
        )
    if cls is bool:
        return kind == "boolean"
    if cls is float:
        return kind in _FLOATS
    if not value and (cls is dict or cls is list):
        return kind == ("map" if cls is dict else "array")
    return False


_STRING_DEFAULTS: Final = frozenset({"string", "bytes", "enum", "fixed"})


def _at(path: str, tokens: tuple[str, ...], i: int) -> str:
    """``path`` followed by the ``i``-th token (a branch index, a field's type)."""
    return path + tokens[i] if i < _TOKENS_MADE else path + tokens[0].replace("0", str(i))


def _field_at(path: str, i: int) -> str:
    return f"{path}/fields/{i}"


_FIELD_KEYS: Final = frozenset({"name", "type", "default", "doc", "aliases", "order"})


def _props(node: dict[str, JSON], known: Set[str]) -> Mapping[str, JSON]:
    """Attributes beyond the known ones (custom properties, logicalType, ...)."""
    if node.keys() <= known:
        return _NO_PROPS
    # Keep the source order (a set's order varies between runs): output must be deterministic.
    return {k: v for k, v in node.items() if k not in known}


def _has_big_integer(value: JSON) -> bool:
    """Whether an integer outside the long range is anywhere in ``value``."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, int) and not isinstance(item, bool):
            if not LONG_MIN <= item <= LONG_MAX:
                return True
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
    return False


def _is_java_name(name: str) -> bool:
    """Avro 1.11's name rule (Schema.validateName; 1.12's NameValidator.UTF_VALIDATOR): Java's
    Character.isLetter first (or _), then isLetterOrDigit or _.

    Java tests UTF-16 chars, so a character beyond the BMP (a surrogate pair) is never a letter;
    and its tables are Unicode 13 (Java 17), where Python's are newer, so the letters Unicode
    added since are refused too.
    """
    return (
        bool(name)
        and (java_letter(name[0]) or name[0] == "_")
        and all(java_letter(c) or c.isdecimal() or c == "_" for c in name[1:])
    )


_JAVA_DOUBLE = re.compile(r"[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)\Z")
_JAVA_HEX_DOUBLE = re.compile(
    r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+[fFdD]?\Z"
)


def _java_double(text: str) -> float | None:
    """Java's Double.parseDouble: surrounding characters up to U+0020 trimmed; decimal or hex
    notation with an optional f/F/d/D suffix; NaN and Infinity signed or not. None if Java
    would throw NumberFormatException."""
    body = text.strip("".join(map(chr, range(0x21))))
    if _JAVA_DOUBLE.match(body):
        number = body.rstrip("fFdD") if body[-1] in "fFdD" else body
        if number.lstrip("+-") == "NaN":
            return math.nan
        return float(number.replace("Infinity", "inf"))
    if _JAVA_HEX_DOUBLE.match(body):
        number = body.rstrip("fFdD") if body[-1] in "fFdD" else body
        try:
            return float.fromhex(number)
        except OverflowError:
            return math.copysign(math.inf, -1.0 if number.startswith("-") else 1.0)
    return None


def _dumps(value: JSON) -> str:
    """A default as JSON text for messages (NaN and infinities as Java prints them)."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value).replace("inf", "Infinity").replace("nan", "NaN")
    return json.dumps(value)


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


def is_valid_default(t: AvroType, value: JSON, *, any_branch: bool = False) -> bool:
    """Whether ``value`` is a default Avro Java accepts for type ``t``.

    Follows ``Schema.isValidDefault`` exactly: strings, bytes, enums and fixed take any JSON
    string; int and long an integral number in range; float and double any number; a record an
    object whose every field has a valid value or its own default. A union takes a default of
    its first branch only in Avro 1.11 (Confluent 7); with ``any_branch`` (Avro 1.12,
    Confluent 8) any branch will do, at every depth.

    A record default that holds itself (a field whose own default is the record's, reached
    again with the same value) is invalid: Java's recursion would overflow its stack.
    """
    return _valid_default(t, value, any_branch, frozenset(), set())


class _FieldsNotSet(Exception):
    """Avro Java's "Schema fields not set yet": a default reached a record being defined."""


def _valid_default(
    t: AvroType,
    value: JSON,
    any_branch: bool,
    unset: Set[str],
    active: set[tuple[int, int]],
) -> bool:
    """`is_valid_default`, where ``unset`` names the records whose fields Java has not set yet
    when it validates this default: Avro Java validates a default in Field's constructor, before
    the enclosing records' setFields, so reaching one throws "Schema fields not set yet" (Avro
    1.11.4 and 1.12.0), a rejection. ``active`` holds the (record, value) pairs being checked."""
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
        return isinstance(value, list) and all(
            _valid_default(t.items, v, any_branch, unset, active) for v in value
        )
    if isinstance(t, Map):
        return isinstance(value, dict) and all(
            _valid_default(t.values, v, any_branch, unset, active) for v in value.values()
        )
    if isinstance(t, Union):
        branches = t.branches if any_branch else t.branches[:1]
        return any(_valid_default(b, value, any_branch, unset, active) for b in branches)
    if isinstance(t, Record):
        key = (id(t), id(value))
        if not isinstance(value, dict) or key in active:
            return False
        if t.fullname in unset:
            raise _FieldsNotSet  # thrown in Java too: no later union branch is tried
        active.add(key)
        try:
            return all(
                _valid_default(f.type, value.get(f.name, f.default), any_branch, unset, active)
                for f in t.fields
            )
        finally:
            active.discard(key)
    return False


def _union_default_hint(t: AvroType, value: JSON, any_branch: bool) -> str:
    if any_branch or not isinstance(t, Union):
        return ""
    if value is None and any(b.type == "null" for b in t.branches):
        return (
            "; a union's default must match its first branch (Avro 1.11, which Confluent "
            'runs): put "null" first, as in ["null", ...]'
        )
    return "; a union's default must match its first branch (Avro 1.11)"


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
