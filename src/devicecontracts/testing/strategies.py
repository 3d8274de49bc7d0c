"""Hypothesis strategies from Avro schemas: `from_avro_schema` and `from_model`.

The strategies follow hypothesis' API style: the schema first, options keyword-only, every
argument checked when the strategy is built (`InvalidStrategyArgument`, a hypothesis
``InvalidArgument``), a repr that shows how it was built, and ``overrides`` to replace the
strategy of one named type or one field without starting over.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import hypothesis.strategies as st
from hypothesis.strategies import SearchStrategy

from devicecontracts.schema import AvroType, NamedType, Schema
from devicecontracts.testing._arguments import (
    DEFAULTS,
    SchemaLike,
    check_option_names,
    compile_value,
)
from devicecontracts.testing._errors import InvalidStrategyArgument
from devicecontracts.testing._repr import ClassName, shown_as
from devicecontracts.testing._values import as_read

__all__ = ["SchemaLike", "from_avro_schema", "from_model"]

M = TypeVar("M")

_DEFAULTS = DEFAULTS


def from_avro_schema(
    schema: SchemaLike,
    *,
    named_types: Mapping[str, NamedType] | Sequence[SchemaLike] | None = None,
    overrides: Mapping[str, SearchStrategy[Any]] | None = None,
    max_depth: int = _DEFAULTS.max_depth,
    max_collection_size: int = _DEFAULTS.max_collection_size,
    allow_nan: bool = _DEFAULTS.allow_nan,
    allow_infinity: bool = _DEFAULTS.allow_infinity,
) -> SearchStrategy[Any]:
    """A strategy of values valid for an Avro ``schema``, in the form fastavro writes and reads.

    ``schema`` is a `devicecontracts.schema.Schema` (references already resolved, for example
    a catalog version's ``.schema``), a node of one, JSON text, or parsed JSON. Types the JSON
    uses by name but does not define come from ``named_types``: a mapping of full name to parsed
    named type, or a sequence of schemas (JSON or parsed) defining them, each parsed in order
    and free to use the ones before it.

    Values, for every type:

    * records are dicts of every field, enums their symbol, arrays lists, maps dicts with
      string keys, bytes and fixed ``bytes`` (fixed of exactly its size);
    * int and long cover their whole range, bounds included; double is any double; float is
      a double rounded to the nearest float32, so it survives the round trip exactly (finite
      doubles beyond float32's range become its largest value, +-3.4e38); both include NaN,
      infinities and ``-0.0`` unless ``allow_nan`` / ``allow_infinity`` say no;
    * strings are any Unicode text without lone surrogates (astral characters included),
      usually short, empty often, now and then a few hundred characters; map keys too;
    * timestamp-millis and -micros are timezone-aware UTC datetimes aligned to their unit,
      local-timestamp-millis and -micros naive ones, date a ``date``, time-millis and -micros a
      ``time`` aligned to its unit, all within Python's years 1 to 9999 (what fastavro can read
      back); uuid a ``uuid.UUID``; decimal a ``Decimal`` with exactly ``scale`` decimal places
      and at most ``precision`` digits (which fits the fixed's size: the parser already refuses
      a precision the size cannot hold);
    * fastavro 1.13 has no codec for duration, timestamp-nanos or local-timestamp-nanos: a
      duration is its raw 12 bytes (months, days, milliseconds as little-endian unsigned 32-bit
      ints, each over its whole range), the nanosecond timestamps plain longs;
    * union values take every branch; null shrinks first. Where fastavro could write a value as
      another branch than the one it was drawn for (two records, a record and a map, string and
      enum, int and long, float and double, bytes and fixed...), the value is tagged with
      fastavro's tuple notation ``(branch name, value)``, the branch name being the full name
      of a named type and the type name otherwise. Unambiguous branches stay plain.
      `untag` gives what fastavro's reader returns; `as_read` with ``return_named_type=True``
      what it returns with that reader option, which tags named branches (see their docs).

    ``overrides`` maps a named type's full name (``"com.acme.fleet.common.GeoPoint"``) or a
    field path (``"com.acme.fleet.telemetry.Telemetry.battery_mv"``: record full name, dot,
    field) to a strategy used there instead. An overridden field gets exactly what its
    strategy draws: for a field of an ambiguous union type, tags are then up to you.

    Recursive types nest at most ``max_depth`` levels (a record that can contain itself counts
    a level each time it does); arrays and maps hold at most ``max_collection_size`` items.

    Everything is checked here, not while a test runs: an invalid schema, an unknown named
    type, an override naming nothing in the schema (the message lists the valid names) or a
    bad option raise `InvalidStrategyArgument`. The schema is compiled once into a tree of
    closures over leaf strategies; drawing never walks the schema again, and costs one
    hypothesis draw per leaf value, union branch and collection item, none per record.
    """
    compiled = compile_value(
        schema,
        named_types=named_types,
        overrides=overrides,
        max_depth=max_depth,
        max_collection_size=max_collection_size,
        allow_nan=allow_nan,
        allow_infinity=allow_infinity,
    )
    return shown_as("from_avro_schema", compiled.node.draw, compiled.description, **compiled.shown)


def from_model(
    model: type[M],
    *,
    schema: SchemaLike | None = None,
    construct: Callable[[Any], M] | None = None,
    return_named_type: bool | None = None,
    **options: Any,
) -> SearchStrategy[M]:
    """A strategy of instances of a typed model class, built from its Avro schema.

    Values come from `from_avro_schema` (``options`` are its keyword options), are put in the
    form fastavro's reader returns (`as_read`), and handed to the model's constructor.

    For the generated models (`devicecontracts.types.AvroRecord`) nothing else is needed: the
    schema is their ``avro_schema_json`` and the constructor ``from_avro_dict``, which gets
    named-type union branches tagged as ``(full name, value)`` (fastavro's
    ``return_named_type=True``) so same-shaped records keep their identity. Other classes:
    the schema is ``schema`` if given, else ``avro_schema_json`` or ``avro_schema`` (a
    `Schema`, JSON text or parsed JSON, or a no-argument callable returning one); the
    constructor ``construct`` if given, else ``from_avro_dict``, else pydantic's
    ``model_validate``, which gets plain values. ``return_named_type`` forces either form. A
    class lacking a schema or a constructor raises `InvalidStrategyArgument` here.
    """
    if not isinstance(model, type):
        raise InvalidStrategyArgument(f"from_model needs a model class, not {model!r}")
    check_option_names(options, "from_model")
    compiled = compile_value(schema if schema is not None else _model_schema(model), **options)
    build, tags = _model_constructor(model, construct, return_named_type)
    root, draw_value = compiled.root, compiled.node.draw

    def draw_model(draw: st.DrawFn) -> M:
        return build(as_read(draw_value(draw), root, return_named_type=tags))

    return shown_as("from_model", draw_model, ClassName(model), **compiled.shown)


def _model_schema(model: type) -> SchemaLike:
    for attribute in ("avro_schema_json", "avro_schema"):
        found = getattr(model, attribute, None)
        if callable(found) and not isinstance(found, (Schema, AvroType)):
            found = found()
        if found:
            schema: SchemaLike = found
            return schema
    raise InvalidStrategyArgument(
        f"{model.__qualname__} exposes no Avro schema (looked for avro_schema_json and "
        "avro_schema): pass schema="
    )


def _model_constructor(
    model: type[M], construct: Callable[[Any], M] | None, return_named_type: bool | None
) -> tuple[Callable[[Any], M], bool]:
    if construct is not None:
        if not callable(construct):
            raise InvalidStrategyArgument(f"construct must be callable, not {construct!r}")
        return construct, bool(return_named_type)
    for name in ("from_avro_dict", "model_validate"):
        found = getattr(model, name, None)
        if callable(found):
            tags = name != "model_validate" if return_named_type is None else return_named_type
            return found, tags
    raise InvalidStrategyArgument(
        f"{model.__qualname__} has no constructor from fastavro values (looked for "
        "from_avro_dict and model_validate): pass construct="
    )
