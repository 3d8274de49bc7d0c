"""3. Field aliases: the reader's aliases are consulted, the writer's never are."""

from __future__ import annotations

from ._builders import fld, reading, rec
from ._model import Case

CASES: list[Case] = [
    Case(
        "alias-rename-field-with-alias",
        reading(fld("temp", "double")),
        reading(fld("temperature", "double", aliases=["temp"])),
        True,
        False,
        "The new reader finds temp through its alias; the old reader has no alias for temperature.",
    ),
    Case(
        "alias-rename-field-with-alias-old-had-default",
        reading(fld("temp", "double", default=0.0)),
        reading(fld("temperature", "double", aliases=["temp"])),
        True,
        True,
        "The old reader falls back to its default for temp.",
    ),
    Case(
        "alias-rename-field-with-alias-new-has-default",
        reading(fld("temp", "double")),
        reading(fld("temperature", "double", aliases=["temp"], default=0.0)),
        True,
        False,
        "A default on the new field does not help old readers that require temp.",
    ),
    Case(
        "alias-one-of-several-aliases-matches",
        reading(fld("temp", "double")),
        reading(fld("temperature", "double", aliases=["t", "temp", "tmp"])),
        True,
        False,
        "It is enough that one reader alias matches a writer field.",
    ),
    Case(
        "alias-ambiguous-two-writer-fields",
        reading(fld("a", "int"), fld("b", "int")),
        reading(fld("c", "int", aliases=["a", "b"])),
        False,
        False,
        "Java throws when a reader field's aliases match two writer fields, which Confluent"
        " reports as incompatible.",
    ),
    Case(
        "alias-ambiguous-direct-name-plus-alias",
        reading(fld("a", "int", default=0), fld("b", "int")),
        reading(fld("b", "int", aliases=["a"])),
        False,
        True,
        "The reader field b matches writer b by name and writer a by alias, so Java throws.",
    ),
    Case(
        "alias-equal-to-own-name",
        reading(fld("temp", "double")),
        reading(fld("temp", "double", aliases=["temp"])),
        False,
        True,
        "Java collects the direct match and the alias match as two hits on the same writer field"
        " and throws.",
    ),
    Case(
        "alias-two-reader-fields-share-one-writer-field",
        reading(fld("temp", "double")),
        reading(fld("temp", "double"), fld("temperature", "double", aliases=["temp"])),
        True,
        True,
        "Two reader fields may both be filled from the same writer field; only one reader field"
        " matching two writer fields is ambiguous.",
    ),
    Case(
        "alias-matches-no-writer-field",
        reading(fld("ts", "long")),
        reading(fld("ts", "long"), fld("site", "string", aliases=["location"], default="")),
        True,
        True,
        "An alias that matches nothing is harmless; the default fills the field.",
    ),
    Case(
        "alias-writer-side-alias-ignored",
        reading(fld("temperature", "double", aliases=["temp"])),
        reading(fld("temp", "double")),
        False,
        True,
        "Aliases on the writer are never consulted; only the old reader's alias helps.",
    ),
    Case(
        "alias-on-nested-record-field",
        reading(fld("loc", rec("Location", fld("latitude", "double")))),
        reading(fld("loc", rec("Location", fld("lat", "double", aliases=["latitude"])))),
        True,
        False,
        "Field aliases work at any nesting depth.",
    ),
    Case(
        "alias-rename-with-promotion",
        reading(fld("temp", "int")),
        reading(fld("temperature", "long", aliases=["temp"])),
        True,
        False,
        "The aliased field is then checked with the promotion rules.",
    ),
    Case(
        "alias-rename-with-narrowing",
        reading(fld("temp", "long")),
        reading(fld("temperature", "int", aliases=["temp"])),
        False,
        False,
        "An alias match still needs readable types.",
    ),
]
