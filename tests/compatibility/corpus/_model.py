"""The corpus's data model: case types, levels and incompatibility kinds."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

Schema: TypeAlias = dict[str, Any] | list[Any] | str

LEVELS: tuple[str, ...] = (
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
    "NONE",
)

INCOMPATIBILITY_KINDS: frozenset[str] = frozenset(
    {
        "NAME_MISMATCH",
        "FIXED_SIZE_MISMATCH",
        "MISSING_ENUM_SYMBOLS",
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "TYPE_MISMATCH",
        "MISSING_UNION_BRANCH",
        "INVALID_SCHEMA",
        "AMBIGUOUS_ALIAS",
    }
)


@dataclass(frozen=True)
class Case:
    """One old -> new schema change with its expected BACKWARD and FORWARD verdicts."""

    id: str
    old: Schema
    new: Schema
    backward: bool
    forward: bool
    why: str

    def expected(self, level: str) -> bool:
        """Return the expected verdict at ``level`` for a history consisting of ``old`` only."""
        base = level.removesuffix("_TRANSITIVE")
        if base == "NONE":
            return True
        if base == "BACKWARD":
            return self.backward
        if base == "FORWARD":
            return self.forward
        return self.backward and self.forward


@dataclass(frozen=True)
class TransitiveCase:
    """A history of previous versions plus a new schema, with the versions broken per level."""

    id: str
    history: tuple[Schema, ...]
    new: Schema
    breaks: Mapping[str, frozenset[int]]
    why: str


@dataclass(frozen=True)
class InvalidCase:
    """A new schema that Confluent rejects with 42201 before any compatibility check runs.

    ``needles`` must all appear (case-insensitively) in the INVALID_SCHEMA issue's message.
    ``lenient_ok`` says whether the same text still loads as a *stored* previous schema
    (Avro parses stored schemas without name or default validation).
    """

    id: str
    schema: Schema
    needles: tuple[str, ...]
    lenient_ok: bool
    why: str


@dataclass(frozen=True)
class ValidCase:
    """A new schema that Confluent accepts even though a naive validator might reject it."""

    id: str
    schema: Schema
    why: str


def api_form(schema: Schema) -> Schema:
    """Return ``schema`` in a form ``check_compatibility`` reads unambiguously.

    Dicts and lists are passed as parsed JSON; a bare string such as ``"null"`` is passed as
    JSON text (``'"null"'``), because the bare text ``null`` would be JSON for ``None``.
    """
    return json.dumps(schema) if isinstance(schema, str) else schema
