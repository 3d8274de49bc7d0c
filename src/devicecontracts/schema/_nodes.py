"""The nodes of a parsed schema: `AvroType` and its subclasses, `Field`, `LogicalType`.

Treat them as immutable: they are plain slotted classes, not frozen ones, because parsing speed
matters and a record's fields are filled in after the record exists (so types may recurse).

Built for a cheap parse: one small object per node with only the slots its kind needs, no
per-node dictionaries (nodes without extra properties share one empty ``props`` mapping), and a
field's JSON ``path`` computed when asked for, from its record's path and its position, rather
than stored.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter, is_not
from typing import Any, ClassVar, Final, TypeAlias

from devicecontracts._depth import with_headroom

__all__ = [
    "JSON",
    "NO_DEFAULT",
    "Array",
    "AvroType",
    "Enum",
    "Field",
    "Fixed",
    "LogicalType",
    "Map",
    "NamedType",
    "Primitive",
    "Record",
    "Union",
]

JSON: TypeAlias = Any
"""Parsed JSON: dict, list, str, int, float, bool or None."""

NO_PROPS: Final[Mapping[str, JSON]] = {}
"""The ``props`` of every node without extra properties: one shared empty mapping (read it,
never write to it)."""


class _NoDefault:
    """The type of `NO_DEFAULT`: a field declared without a ``default``."""

    _instance: ClassVar[_NoDefault | None] = None

    def __new__(cls) -> _NoDefault:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_DEFAULT"

    def __bool__(self) -> bool:
        return False


NO_DEFAULT: Final = _NoDefault()
"""Marks a field without a default (``None`` is the JSON ``null`` default)."""


@dataclass(frozen=True, slots=True)
class LogicalType:
    """A logical type the Avro spec defines, recognised on a valid underlying type.

    An unknown or misplaced ``logicalType`` is ignored, as Avro Java ignores it, and kept only in
    the node's ``props``: the wire type is what counts.
    """

    name: str
    precision: int | None = None
    scale: int | None = None


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

LAZY_SHAPE: Final = -1
"""The ``shape`` argument the parser passes to leave a node's shape for its first reader."""


def intern_shape(key: tuple[Any, ...]) -> int:
    """The interned number of a structural key (never reused, so a reset is only a cache miss)."""
    shape = _SHAPES.get(key)
    if shape is None:
        if len(_SHAPES) >= _SHAPE_LIMIT:
            _SHAPES.clear()
        shape = _SHAPES[key] = next(_next_shape)
    return shape


def _shape_in(t: AvroType) -> int:
    """``t.shape``, made now if the parser left it (without the property's headroom wrapper:
    the caller has it)."""
    shape = t._shape
    if shape < 0:
        shape = t._shape = _shape_of(t)  # type: ignore[misc]  # every concrete class has the slot
    return shape


def _shape_of(t: AvroType) -> int:
    """The shape of a node the parser left unset, from its children's shapes (set or made now).

    The parser sets every primitive's shape and gives a recursive record shape 0 itself, so
    every cycle holds a node whose shape is set, and this recursion ends. It runs as deep as the
    schema nests, as the parser does (`AvroType.shape` gives it the same headroom).
    """
    if isinstance(t, Record):
        fields = t.fields
        # Most field types have their shape set (primitives, known unions): read them all at
        # once, and make only the ones left unset.
        shapes = tuple(map(_SHAPE_SLOT, map(_TYPE_OF, fields)))
        if shapes and min(shapes) < 0:
            shapes = tuple([_shape_in(f.type) for f in fields])
        if 0 in shapes:
            return 0
        aliases = tuple(map(_ALIASES_OF, fields))
        last_aliased = len(aliases)
        while last_aliased and not aliases[last_aliased - 1]:
            last_aliased -= 1
        # The key, flat: field names, their types' shapes, which have a default, and the
        # fields' aliases up to the last field that has some.
        return intern_shape(
            (
                "r",
                t.fullname,
                t.aliases,
                tuple(map(_NAME_OF, fields)),
                shapes,
                tuple(map(is_not, map(_DEFAULT_OF, fields), repeat(NO_DEFAULT))),
                aliases[:last_aliased],
            )
        )
    if isinstance(t, Union):
        shapes = tuple([_shape_in(b) for b in t.branches])
        return 0 if 0 in shapes else intern_shape(("u", shapes))
    if isinstance(t, Array):
        items = _shape_in(t.items)
        return items and intern_shape(("a", (items,)))
    if isinstance(t, Map):
        values = _shape_in(t.values)
        return values and intern_shape(("m", (values,)))
    if isinstance(t, Enum):
        return intern_shape(("e", t.fullname, t.aliases, t.symbols, t.default is not None))
    if isinstance(t, Fixed):
        return intern_shape(("f", t.fullname, t.aliases, t.size))
    return 0  # pragma: no cover (the parser sets every primitive's shape)


_SHAPE_SLOT: Final = attrgetter("_shape")
_TYPE_OF: Final = attrgetter("type")
_NAME_OF: Final = attrgetter("name")
_DEFAULT_OF: Final = attrgetter("default")
_ALIASES_OF: Final = attrgetter("aliases")


def _repr(node: object, names: tuple[str, ...]) -> str:
    shown = ", ".join(f"{n}={getattr(node, n)!r}" for n in names)
    return f"{type(node).__name__}({shown})"


class AvroType:
    """Base of every node in a parsed schema.

    ``type`` is the Avro type name (``"record"``, ``"int"``, ...); ``path`` the JSON path where
    the node is defined in its source schema.
    """

    __slots__ = ()
    type: str
    path: str
    _shape: int
    """`shape`, or `LAZY_SHAPE` until first read (the parser leaves derived shapes)."""

    @property
    def shape(self) -> int:
        """What Avro resolution sees of the node, interned: two nodes with the same non-zero
        shape resolve identically against anything. 0 for a recursive type (compared by
        identity).

        The parser leaves it unmade where it is derived (records, unions, arrays, maps, enums,
        fixed): it is made from the children's shapes on first read, so a parse nobody
        compares pays nothing for it."""
        shape = self._shape
        if shape < 0:
            shape = self._shape = with_headroom(lambda: _shape_of(self))  # type: ignore[misc]
        return shape

    @property
    def is_named(self) -> bool:
        """True for records, enums and fixed (`NamedType`; use ``isinstance`` to narrow)."""
        return False

    @property
    def branch_name(self) -> str:
        """The name this type is known by as a union branch: a named type's full name, else the
        type name (``"int"``, ``"array"``, ...), as Avro Java's ``Schema.getFullName`` gives it.

        Branches of one union have distinct branch names; it is the tag of fastavro's tuple
        notation and the key of Avro's JSON encoding of a union.
        """
        return self.type


class Primitive(AvroType):
    """null, boolean, int, long, float, double, bytes or string, maybe with a logical type."""

    __slots__ = ("_shape", "logical", "path", "props", "type")
    logical: LogicalType | None
    props: Mapping[str, JSON]

    def __init__(
        self,
        type: str,
        path: str = "",
        logical: LogicalType | None = None,
        props: Mapping[str, JSON] = NO_PROPS,
        shape: int = 0,
    ) -> None:
        self.type = type
        self.path = path
        self.logical = logical
        self.props = props
        self._shape = shape

    def __repr__(self) -> str:
        return _repr(self, ("logical", "path", "props", "shape", "type"))


class Field:
    """A record field: its wire name, type, default (`NO_DEFAULT` if none), doc and aliases.

    ``path`` is the field's JSON path (``/fields/3`` under its record's path), computed when
    asked for. A field declaring only a name, a type and maybe a default (most do) carries
    nothing else: its ``doc``, ``aliases``, ``order`` and ``props`` are the class's defaults.
    """

    __slots__ = ("_record_path", "default", "name", "position", "type")
    type: AvroType
    default: JSON
    doc: str | None = None
    aliases: tuple[str, ...] = ()
    order: str = "ascending"
    props: Mapping[str, JSON] = NO_PROPS

    def __init__(
        self,
        name: str,
        type: AvroType,
        position: int,
        record_path: str = "",
        default: JSON = NO_DEFAULT,
    ) -> None:
        self.name = name
        self.type = type
        self.position = position
        self._record_path = record_path
        self.default = default

    @property
    def path(self) -> str:
        """The field's JSON path in its source schema, such as ``/fields/3``."""
        return f"{self._record_path}/fields/{self.position}"

    @property
    def has_default(self) -> bool:
        """True when the field declares a default (``null`` included)."""
        return self.default is not NO_DEFAULT

    def __repr__(self) -> str:
        return _repr(
            self, ("name", "type", "position", "path", "default", "doc", "aliases", "order")
        )


class DetailedField(Field):
    """A `Field` that declares a doc, aliases, an order or extra properties."""

    __slots__ = ("aliases", "doc", "order", "props")
    doc: str | None
    aliases: tuple[str, ...]
    order: str
    props: Mapping[str, JSON]

    def __init__(  # noqa: PLR0917 (positional: the parser's cheapest call)
        self,
        name: str,
        type: AvroType,
        position: int,
        record_path: str = "",
        default: JSON = NO_DEFAULT,
        doc: str | None = None,
        aliases: tuple[str, ...] = (),
        order: str = "ascending",
        props: Mapping[str, JSON] = NO_PROPS,
    ) -> None:
        self.name = name
        self.type = type
        self.position = position
        self._record_path = record_path
        self.default = default
        self.doc = doc
        self.aliases = aliases
        self.order = order
        self.props = props


class _Named(AvroType):
    __slots__ = ("_shape", "aliases", "doc", "fullname", "path", "props")
    fullname: str
    aliases: tuple[str, ...]
    doc: str | None
    props: Mapping[str, JSON]

    @property
    def is_named(self) -> bool:
        """True: records, enums and fixed are named."""
        return True

    @property
    def branch_name(self) -> str:
        """The full name."""
        return self.fullname

    @property
    def name(self) -> str:
        """The unqualified name."""
        return self.fullname.rpartition(".")[2]

    @property
    def namespace(self) -> str:
        """The namespace, ``""`` for the null namespace."""
        return self.fullname.rpartition(".")[0]


class Record(_Named):
    """A record (or error). ``fields`` is filled once while parsing, so records may recurse."""

    __slots__ = ("_compat_view", "by_name", "fields")
    type: str = "record"
    fields: tuple[Field, ...]
    by_name: dict[str, Field]
    _compat_view: Any
    """The compatibility checker's summary of the fields, made on its first use (`None`)."""

    def __init__(  # noqa: PLR0917 (positional: the parser's cheapest call)
        self,
        fullname: str,
        path: str = "",
        aliases: tuple[str, ...] = (),
        doc: str | None = None,
        fields: tuple[Field, ...] = (),
        props: Mapping[str, JSON] = NO_PROPS,
        shape: int = 0,
    ) -> None:
        self.fullname = fullname
        self.path = path
        self.aliases = aliases
        self.doc = doc
        self.fields = fields
        self.props = props
        self._shape = shape
        self.by_name = {f.name: f for f in fields} if fields else {}
        self._compat_view = None

    def field_named(self, name: str) -> Field | None:
        """The field with this wire name, or None."""
        return self.by_name.get(name)

    def __repr__(self) -> str:
        return _repr(self, ("fullname", "path", "aliases", "doc", "fields", "props", "shape"))


class Enum(_Named):
    """An enum: its symbols in order and its type-level default symbol, if any."""

    __slots__ = ("default", "symbols")
    type: str = "enum"
    symbols: tuple[str, ...]
    default: str | None

    def __init__(  # noqa: PLR0917 (positional: the parser's cheapest call)
        self,
        fullname: str,
        path: str = "",
        aliases: tuple[str, ...] = (),
        doc: str | None = None,
        symbols: tuple[str, ...] = (),
        default: str | None = None,
        props: Mapping[str, JSON] = NO_PROPS,
        shape: int = 0,
    ) -> None:
        self.fullname = fullname
        self.path = path
        self.aliases = aliases
        self.doc = doc
        self.symbols = symbols
        self.default = default
        self.props = props
        self._shape = shape

    def __repr__(self) -> str:
        return _repr(self, ("fullname", "path", "aliases", "doc", "symbols", "default", "shape"))


class Fixed(_Named):
    """A fixed of ``size`` bytes, maybe carrying a decimal or duration logical type."""

    __slots__ = ("logical", "size")
    type: str = "fixed"
    size: int
    logical: LogicalType | None

    def __init__(  # noqa: PLR0917 (positional: the parser's cheapest call)
        self,
        fullname: str,
        path: str = "",
        aliases: tuple[str, ...] = (),
        doc: str | None = None,
        size: int = 0,
        logical: LogicalType | None = None,
        props: Mapping[str, JSON] = NO_PROPS,
        shape: int = 0,
    ) -> None:
        self.fullname = fullname
        self.path = path
        self.aliases = aliases
        self.doc = doc
        self.size = size
        self.logical = logical
        self.props = props
        self._shape = shape

    def __repr__(self) -> str:
        return _repr(self, ("fullname", "path", "aliases", "doc", "size", "logical", "shape"))


class Array(AvroType):
    """An array of ``items``."""

    __slots__ = ("_shape", "items", "path", "props")
    type: str = "array"
    items: AvroType
    props: Mapping[str, JSON]

    def __init__(
        self, items: AvroType, path: str = "", props: Mapping[str, JSON] = NO_PROPS, shape: int = 0
    ) -> None:
        self.items = items
        self.path = path
        self.props = props
        self._shape = shape

    def __repr__(self) -> str:
        return _repr(self, ("items", "path", "props", "shape"))


class Map(AvroType):
    """A map from strings to ``values``."""

    __slots__ = ("_shape", "path", "props", "values")
    type: str = "map"
    values: AvroType
    props: Mapping[str, JSON]

    def __init__(
        self, values: AvroType, path: str = "", props: Mapping[str, JSON] = NO_PROPS, shape: int = 0
    ) -> None:
        self.values = values
        self.path = path
        self.props = props
        self._shape = shape

    def __repr__(self) -> str:
        return _repr(self, ("path", "props", "shape", "values"))


class Union(AvroType):
    """A union of ``branches``, in declaration order."""

    __slots__ = ("_shape", "branches", "path")
    type: str = "union"
    branches: tuple[AvroType, ...]

    def __init__(self, branches: tuple[AvroType, ...], path: str = "", shape: int = 0) -> None:
        self.branches = branches
        self.path = path
        self._shape = shape

    def __repr__(self) -> str:
        return _repr(self, ("branches", "path", "shape"))


NamedType: TypeAlias = Record | Enum | Fixed
