"""Lint rules for device fleets, on unreleased versions (released ones are history: a finding
there could not be fixed).

Rule category ``lint``: docs and namespaces, enum defaults, the shape of optional fields, field
defaults of enum type, logical types Avro would ignore, and field aliases that collide.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from devicecontracts.catalog import Contract, SchemaVersion
from devicecontracts.check._jsonpos import Positions
from devicecontracts.check._types import short_type
from devicecontracts.errors import Location
from devicecontracts.findings import RULES, Finding, make
from devicecontracts.schema import (
    NO_DEFAULT,
    Enum,
    Fixed,
    NamedType,
    Primitive,
    Record,
    Union,
    describe_type,
    walk,
)

__all__ = ["lint_findings"]

_intern = sys.intern


def lint_findings(contract: Contract, v: SchemaVersion) -> Iterator[Finding]:
    """Every lint finding on version ``v`` (nothing when it does not parse)."""
    schema = v.schema
    if schema is None:
        return
    at = _Where(contract, v)
    root = schema.root
    if isinstance(root, NamedType) and not root.namespace:
        yield make(
            "missing-namespace",
            f"{root.fullname} has no namespace",
            'add "namespace", such as "com.example.fleet"',
            location=at(root.path or "/"),
        )
    for t in schema.named.values():
        yield from _lint_named(at, t)
    for node in walk(root):
        if (
            isinstance(node, (Primitive, Fixed))
            and "logicalType" in node.props
            and not node.logical
        ):
            yield make(
                "invalid-logical-type",
                f"logicalType {json.dumps(node.props['logicalType'])} is unknown or does not fit "
                f"{describe_type(node)}: Avro ignores it, so readers see a plain {node.type}",
                "use a logical type the Avro specification defines on its base type "
                "(e.g. timestamp-millis on long; decimal needs precision and a scale <= precision)",
                location=at(node.path or "/"),
            )


class _Where:
    """Where a lint finding on one version is: its contract's location of the path, with the
    line and column in the file (lint findings come by the dozen per version: each is located
    as it is made, the file walked once for all of them)."""

    __slots__ = ("_contract", "_positions", "_subject", "_v")

    def __init__(self, contract: Contract, v: SchemaVersion) -> None:
        self._contract = contract
        self._v = v
        self._subject = contract.subject
        self._positions: Positions | None = None

    def __call__(self, path: str) -> Location:
        v = self._v
        if self._positions is None:
            self._positions = Positions(v.text)
        position = self._positions.locate(path)
        if position is None:
            return self._contract.location(v, path)
        return Location(v.display, self._subject, v.version, path, position[0], position[1])

    def fields(self, t: Record) -> list[Location]:
        """The location of each field of ``t``, in order: ``self(f.path)`` for each field
        ``f``, with the record's fields array scanned once for all of them."""
        v = self._v
        if self._positions is None:
            self._positions = Positions(v.text)
        positions = self._positions
        array = f"{t.path}/fields"
        offsets = positions.elements(array)
        if offsets is None:
            return [self(f.path) for f in t.fields]
        display, subject, version = v.display, self._subject, v.version
        count = len(offsets)
        out = []
        for k, f in enumerate(t.fields):
            # Interned: the same paths recur in every version and subject, and each finding
            # holds its own (half a million findings in an undocumented catalog).
            path = _intern(f.path)
            if k < count and path == f"{array}/{k}":
                line, column = positions.line_column(offsets[k])
                out.append(Location(display, subject, version, path, line, column))
            else:
                out.append(self(path))
        return out


# missing-doc comes by the dozen per version of an undocumented catalog, half a million
# findings at 1,000 subjects: made directly (its rule's severity looked up once), and each
# message held once however many versions say it (a field keeps its name from version to
# version).
_MISSING_DOC = RULES["missing-doc"].severity


def _lint_named(at: _Where, t: Record | Enum | Fixed) -> Iterable[Finding]:
    if not t.doc:
        yield Finding(
            "missing-doc",
            _MISSING_DOC,
            _intern(f"{t.type} {t.fullname} has no doc"),
            'add "doc": a sentence saying what it is',
            at(t.path or "/"),
        )
    if isinstance(t, Enum) and t.default is None:
        yield make(
            "enum-without-default",
            f"enum {t.fullname} has no enum-level default",
            f'add "default": "{_fallback_symbol(t)}" so readers can read symbols added later',
            location=at(t.path or "/"),
        )
    if not isinstance(t, Record):
        return
    yield from _alias_collisions(at, t)
    located: list[Location] | None = None  # each field's location, made at the first finding
    for k, f in enumerate(t.fields):
        if not f.doc:
            if located is None:
                located = at.fields(t)
            yield Finding(
                "missing-doc",
                _MISSING_DOC,
                _intern(f"field {f.name!r} of {t.fullname} has no doc"),
                'add "doc": a sentence saying what the field holds, with its unit',
                located[k],
            )
        ft = f.type
        if isinstance(ft, Union) and _badly_optional(ft, f.default):
            inner = [short_type(b) for b in ft.branches if b.type != "null"]
            shown = json.dumps(["null", *inner])
            if located is None:
                located = at.fields(t)
            yield make(
                "optional-field-shape",
                f'optional field {f.name!r} of {t.fullname} is not ["null", T] with default null',
                f'declare it as "type": {shown}, "default": null',
                location=located[k],
            )
        if isinstance(ft, Enum) and f.default is not NO_DEFAULT and f.default not in ft.symbols:
            yield make(
                "enum-field-default-not-symbol",
                f"the default {json.dumps(f.default)} of field {f.name!r} is not a symbol of "
                f"{ft.fullname}",
                f"use one of {list(ft.symbols)}",
                location=at(f.path + "/default"),
            )


def _alias_collisions(at: _Where, t: Record) -> Iterator[Finding]:
    """Aliases that can make two fields read the same writer field.

    Java's checker accepts it; fastavro gives each writer field to one reader field only, so the
    runtime would fail on data the registry called compatible.
    """
    claimed: dict[str, str] = {f.name: f.name for f in t.fields}
    for f in t.fields:
        for alias in f.aliases:
            owner = claimed.get(alias)
            if owner is not None and owner != f.name:
                yield make(
                    "field-alias-collision",
                    f"alias {alias!r} of field {f.name!r} in {t.fullname} is already "
                    f"{'the name' if alias == owner else 'an alias'} of field {owner!r}",
                    f"remove {alias!r} from the aliases of {f.name!r}",
                    location=at(f.path + "/aliases"),
                )
            claimed.setdefault(alias, f.name)


def _badly_optional(union: Union, default: Any) -> bool:
    """A union with null that is not ``["null", ...]`` with ``"default": null``."""
    has_null = any(b.type == "null" for b in union.branches)
    return has_null and (union.branches[0].type != "null" or default is not None)


def _fallback_symbol(t: Enum) -> str:
    return "UNKNOWN" if "UNKNOWN" in t.symbols else t.symbols[0] if t.symbols else "UNKNOWN"
