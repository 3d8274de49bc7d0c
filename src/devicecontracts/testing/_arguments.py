"""Checking the arguments of the strategies, and compiling a schema with its options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis.strategies import SearchStrategy

from devicecontracts.errors import SchemaError
from devicecontracts.schema import (
    AvroType,
    NamedType,
    Schema,
    canonical_form,
    parse_schema,
    walk,
)
from devicecontracts.testing._compile import Node, Options, compile_schema
from devicecontracts.testing._errors import InvalidStrategyArgument

__all__ = [
    "DEFAULTS",
    "OPTION_NAMES",
    "Compiled",
    "SchemaLike",
    "as_root",
    "check_option_names",
    "compile_value",
]

SchemaLike = Schema | AvroType | str | Mapping[str, Any] | Sequence[Any]
"""What the strategies accept as a schema: a parsed `Schema` or node, JSON text or parsed JSON."""

DEFAULTS = Options()
OPTION_NAMES = frozenset(
    {"named_types", "overrides", "max_depth", "max_collection_size", "allow_nan", "allow_infinity"}
)


@dataclass(frozen=True)
class Compiled:
    """A compiled schema: its root, the compiled node, and the arguments a repr should show."""

    root: AvroType
    node: Node
    shown: dict[str, Any]

    @property
    def description(self) -> str:
        """The schema as a repr shows it: a named root's full name, else its canonical form."""
        if isinstance(self.root, NamedType):
            return self.root.fullname
        return canonical_form(self.root)


def compile_value(
    schema: SchemaLike,
    *,
    named_types: Mapping[str, NamedType] | Sequence[SchemaLike] | None = None,
    overrides: Mapping[str, SearchStrategy[Any]] | None = None,
    max_depth: int = DEFAULTS.max_depth,
    max_collection_size: int = DEFAULTS.max_collection_size,
    allow_nan: bool = DEFAULTS.allow_nan,
    allow_infinity: bool = DEFAULTS.allow_infinity,
) -> Compiled:
    """Check every argument of `from_avro_schema` and compile the schema."""
    known = _named_types(named_types)
    root = as_root(schema, known)
    options = _options(max_depth, max_collection_size, allow_nan, allow_infinity)
    if overrides is not None and not isinstance(overrides, Mapping):
        raise InvalidStrategyArgument(
            f"overrides must be a mapping of name to strategy, not {type(overrides).__name__}"
        )
    node = compile_schema(root, options, overrides or {})
    shown: dict[str, Any] = {}
    if named_types:
        shown["named_types"] = sorted(known)
    if overrides:
        shown["overrides"] = dict(overrides)
    shown.update(
        (name, value) for name, value in vars(options).items() if value != getattr(DEFAULTS, name)
    )
    return Compiled(root, node, shown)


def check_option_names(options: Mapping[str, Any], where: str) -> None:
    """`InvalidStrategyArgument` unless every key of ``options`` is a `from_avro_schema` option."""
    unknown = sorted(set(options) - OPTION_NAMES)
    if unknown:
        raise InvalidStrategyArgument(
            f"{where} got unknown option(s) {', '.join(unknown)}; the options of "
            f"from_avro_schema are {', '.join(sorted(OPTION_NAMES))}"
        )


# ---------------------------------------------------------------------------------------------
# Arguments


def as_root(schema: SchemaLike, known: Mapping[str, NamedType] | None) -> AvroType:
    """The root node of ``schema``, parsing JSON with the ``known`` named types."""
    if isinstance(schema, Schema):
        if known:
            raise InvalidStrategyArgument(
                "named_types applies to JSON schemas only: a parsed Schema has its references "
                "resolved already"
            )
        return schema.root
    if isinstance(schema, AvroType):
        return schema
    if not isinstance(schema, (str, Mapping, list)):
        raise InvalidStrategyArgument(
            "schema must be Avro JSON text, parsed JSON (dict, list or str) or a parsed "
            f"devicecontracts Schema, not {type(schema).__name__}"
        )
    try:
        return parse_schema(schema, named_types=known).root
    except SchemaError as exc:
        hint = "" if known else "; pass the schemas defining referenced types in named_types="
        raise InvalidStrategyArgument(f"invalid Avro schema: {exc}{hint}") from None


def _named_types(
    named_types: Mapping[str, NamedType] | Sequence[SchemaLike] | None,
) -> dict[str, NamedType]:
    if named_types is None:
        return {}
    if isinstance(named_types, Mapping):
        for name, t in named_types.items():
            if not isinstance(t, NamedType):
                raise InvalidStrategyArgument(
                    f"named_types[{name!r}] must be a parsed record, enum or fixed, not {t!r}"
                )
        return dict(named_types)
    if isinstance(named_types, (str, bytes)) or not isinstance(named_types, Sequence):
        raise InvalidStrategyArgument(
            "named_types must be a mapping of full name to parsed named type, or a list of "
            f"schemas, not {type(named_types).__name__}"
        )
    known: dict[str, NamedType] = {}
    for i, item in enumerate(named_types):
        root = as_root(item, None if isinstance(item, Schema) else known)
        defined = [t for t in walk(root) if isinstance(t, NamedType)]
        if not defined:
            raise InvalidStrategyArgument(f"named_types[{i}] defines no named type")
        known.update((t.fullname, t) for t in defined)
    return known


def _options(
    max_depth: int, max_collection_size: int, allow_nan: bool, allow_infinity: bool
) -> Options:
    for name, value, low in (
        ("max_depth", max_depth, 1),
        ("max_collection_size", max_collection_size, 0),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise InvalidStrategyArgument(f"{name} must be an integer >= {low}, not {value!r}")
    for name, flag in (("allow_nan", allow_nan), ("allow_infinity", allow_infinity)):
        if not isinstance(flag, bool):
            raise InvalidStrategyArgument(f"{name} must be True or False, not {flag!r}")
    return Options(max_depth, max_collection_size, allow_nan, allow_infinity)
