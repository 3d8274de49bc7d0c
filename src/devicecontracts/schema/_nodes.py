"""The nodes of a parsed schema: `AvroType` and its subclasses, `Field`, `LogicalType`.

Treat them as immutable: they are plain slotted classes, not frozen ones, because parsing speed
matters and a record's fields are filled in after the record exists (so types may recurse).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, TypeAlias

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


class AvroType:
    """Base of every node in a parsed schema.

    ``type`` is the Avro type name (``"record"``, ``"int"``, ...); ``path`` the JSON path where
    the node is defined in its source schema.
    """

    __slots__ = ()
    type: str
    path: str
    shape: int
    """What Avro resolution sees of the node, interned: two nodes with the same non-zero shape
    resolve identically against anything. 0 for a recursive type (compared by identity)."""

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


@dataclass(eq=False, slots=True)
class Primitive(AvroType):
    """null, boolean, int, long, float, double, bytes or string, maybe with a logical type."""

    type: str
    path: str = ""
    logical: LogicalType | None = None
    props: Mapping[str, JSON] = field(default_factory=dict)
    shape: int = 0


@dataclass(eq=False, slots=True)
class Field:
    """A record field: its wire name, type, default (`NO_DEFAULT` if none), doc and aliases."""

    name: str
    type: AvroType
    position: int
    path: str
    default: JSON = NO_DEFAULT
    doc: str | None = None
    aliases: tuple[str, ...] = ()
    order: str = "ascending"
    props: Mapping[str, JSON] = field(default_factory=dict)

    @property
    def has_default(self) -> bool:
        """True when the field declares a default (``null`` included)."""
        return self.default is not NO_DEFAULT


@dataclass(eq=False, slots=True)
class _Named(AvroType):
    fullname: str
    path: str
    aliases: tuple[str, ...] = ()
    doc: str | None = None

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


@dataclass(eq=False, slots=True)
class Record(_Named):
    """A record (or error). ``fields`` is filled once while parsing, so records may recurse."""

    type: str = "record"
    fields: tuple[Field, ...] = ()
    props: Mapping[str, JSON] = field(default_factory=dict)
    shape: int = 0
    by_name: dict[str, Field] = field(default_factory=dict, repr=False)

    def field_named(self, name: str) -> Field | None:
        """The field with this wire name, or None."""
        return self.by_name.get(name)


@dataclass(eq=False, slots=True)
class Enum(_Named):
    """An enum: its symbols in order and its type-level default symbol, if any."""

    type: str = "enum"
    symbols: tuple[str, ...] = ()
    default: str | None = None
    props: Mapping[str, JSON] = field(default_factory=dict)
    shape: int = 0


@dataclass(eq=False, slots=True)
class Fixed(_Named):
    """A fixed of ``size`` bytes, maybe carrying a decimal or duration logical type."""

    type: str = "fixed"
    size: int = 0
    logical: LogicalType | None = None
    props: Mapping[str, JSON] = field(default_factory=dict)
    shape: int = 0


@dataclass(eq=False, slots=True)
class Array(AvroType):
    """An array of ``items``."""

    items: AvroType
    path: str = ""
    type: str = "array"
    props: Mapping[str, JSON] = field(default_factory=dict)
    shape: int = 0


@dataclass(eq=False, slots=True)
class Map(AvroType):
    """A map from strings to ``values``."""

    values: AvroType
    path: str = ""
    type: str = "map"
    props: Mapping[str, JSON] = field(default_factory=dict)
    shape: int = 0


@dataclass(eq=False, slots=True)
class Union(AvroType):
    """A union of ``branches``, in declaration order."""

    branches: tuple[AvroType, ...]
    path: str = ""
    type: str = "union"
    shape: int = 0


NamedType: TypeAlias = Record | Enum | Fixed
