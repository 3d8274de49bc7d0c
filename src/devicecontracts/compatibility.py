"""Schema compatibility exactly as Confluent Schema Registry decides it.

Confluent's Avro checker is Apache Avro Java's ``SchemaCompatibility`` (Avro 1.11.4 in current
Confluent Platform). This module implements the same reader/writer rules in Python, with
messages that say what to change:

* named types match by unqualified name, or by a reader alias equal to the writer's full name
  (aliases are resolved against the reader's namespace, so a short alias works);
* reader fields are found in the writer by name or by the reader field's aliases; a reader field
  the writer lacks needs a default; a reader alias matching two writer fields is an error;
* a reader enum must hold every writer symbol unless it has an enum-level default;
* writer-to-reader promotions: int to long, float or double; long to float or double; float to
  double; string and bytes both ways;
* every branch of a writer union must be readable; a non-union writer needs one reader branch;
* fixed types must have the same size; recursion terminates (a pair already being compared is
  assumed compatible, as Java does).

Logical types, docs, ``order`` and default values never change the verdict: Confluent ignores
them. `devicecontracts.rules` reports the dangerous ones separately.

Levels: BACKWARD checks that the new schema reads data written with the latest previous one;
FORWARD that the latest previous one reads data written with the new one; FULL both; the
``*_TRANSITIVE`` levels check against every previous version; NONE accepts anything valid.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from devicecontracts.errors import InvalidSchemaError, SchemaError
from devicecontracts.schema import (
    Array,
    AvroType,
    Enum,
    Field,
    Fixed,
    Map,
    Primitive,
    Record,
    Schema,
    Union,
    describe_type,
    parse_schema,
)

__all__ = [
    "CompatibilityIssue",
    "CompatibilityLevel",
    "CompatibilityResult",
    "check_compatibility",
    "check_parsed",
    "reader_writer_issues",
]


class CompatibilityLevel(str, enum.Enum):
    """The compatibility levels of Confluent Schema Registry."""

    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    NONE = "NONE"

    @property
    def backward(self) -> bool:
        """Whether the new schema must read data written with previous ones."""
        return self.value.startswith(("BACKWARD", "FULL"))

    @property
    def forward(self) -> bool:
        """Whether previous schemas must read data written with the new one."""
        return self.value.startswith(("FORWARD", "FULL"))

    @property
    def transitive(self) -> bool:
        """Whether every previous version is checked, not only the latest."""
        return self.value.endswith("_TRANSITIVE")

    @classmethod
    def parse(cls, level: str | CompatibilityLevel) -> CompatibilityLevel:
        """The level named by ``level`` (case-insensitive), or a `ValueError` listing them."""
        if isinstance(level, CompatibilityLevel):
            return level
        try:
            return cls(str(level).strip().upper())
        except ValueError:
            names = ", ".join(m.value for m in cls)
            raise ValueError(
                f"unknown compatibility level {level!r}: use one of {names}"
            ) from None


@dataclass(frozen=True)
class CompatibilityIssue:
    """One reason a schema is incompatible.

    ``kind`` is Avro Java's incompatibility type (``READER_FIELD_MISSING_DEFAULT_VALUE``,
    ``TYPE_MISMATCH``, ``NAME_MISMATCH``, ``FIXED_SIZE_MISMATCH``, ``MISSING_ENUM_SYMBOLS``,
    ``MISSING_UNION_BRANCH``) or one of ours: ``INVALID_SCHEMA`` (the registry would reject the new
    schema with 42201) and ``AMBIGUOUS_ALIAS`` (Java throws, the registry says incompatible).
    ``path`` is a JSON path in the reader schema, as Java reports it: the new schema for a
    ``BACKWARD`` direction, the previous version for ``FORWARD``. ``previous_version`` is the
    1-based position in the history of the version it breaks against.
    """

    kind: str
    path: str
    message: str
    previous_version: int | None = None
    direction: str | None = None


@dataclass(frozen=True)
class CompatibilityResult:
    """The verdict: ``compatible`` is what Confluent would decide; ``issues`` say why not."""

    compatible: bool
    issues: tuple[CompatibilityIssue, ...]
    level: CompatibilityLevel

    @property
    def broken_versions(self) -> tuple[int, ...]:
        """The previous versions (1-based) the new schema breaks against, newest first."""
        seen: dict[int, None] = {}
        for issue in self.issues:
            if issue.previous_version is not None:
                seen.setdefault(issue.previous_version)
        return tuple(seen)


def check_compatibility(
    new_schema: str | dict[str, Any] | list[Any],
    previous_schemas: Sequence[str | dict[str, Any] | list[Any]],
    level: str | CompatibilityLevel,
) -> CompatibilityResult:
    """Decide whether ``new_schema`` may follow ``previous_schemas`` (oldest first) at ``level``.

    The new schema is validated as Confluent validates new schemas; an invalid one is never
    compatible and its issue says why. Previous schemas are parsed leniently, as the registry
    reads what it stores. Raises `ValueError` for an unknown level and `SchemaError` for a
    previous schema that cannot be parsed at all.
    """
    the_level = CompatibilityLevel.parse(level)
    try:
        new = parse_schema(new_schema)
    except SchemaError as exc:
        issue = CompatibilityIssue(
            "INVALID_SCHEMA",
            exc.location.path or "/",
            f"the new schema is invalid: {exc.message}",
        )
        return CompatibilityResult(False, (issue,), the_level)
    history: list[Schema] = []
    for i, previous in enumerate(previous_schemas, start=1):
        try:
            history.append(parse_schema(previous, strict=False))
        except SchemaError as exc:
            raise InvalidSchemaError(
                f"previous schema {i} cannot be parsed: {exc.message}", exc.location
            ) from None
    return check_parsed(new, history, the_level)


def check_parsed(
    new: Schema | AvroType,
    previous: Sequence[Schema | AvroType],
    level: str | CompatibilityLevel,
    *,
    first_version: int = 1,
) -> CompatibilityResult:
    """`check_compatibility` on schemas parsed already (the catalog's path: parse once).

    ``first_version`` is the version number of ``previous[0]``, for the issues' names.
    """
    the_level = CompatibilityLevel.parse(level)
    if the_level is CompatibilityLevel.NONE or not previous:
        return CompatibilityResult(True, (), the_level)
    new_root = new.root if isinstance(new, Schema) else new
    roots = [p.root if isinstance(p, Schema) else p for p in previous]
    numbered = list(enumerate(roots, start=first_version))
    targets = reversed(numbered) if the_level.transitive else [numbered[-1]]
    issues: list[CompatibilityIssue] = []
    for version, old_root in targets:
        label = f"version {version}"
        if the_level.backward:
            issues += _as_issues(
                reader_writer_issues(new_root, old_root),
                version,
                "BACKWARD",
                reader_label="the new schema",
                writer_label=label,
            )
        if the_level.forward:
            issues += _as_issues(
                reader_writer_issues(old_root, new_root),
                version,
                "FORWARD",
                reader_label=label,
                writer_label="the new schema",
            )
    return CompatibilityResult(not issues, tuple(issues), the_level)


# ---------------------------------------------------------------------------------------------
# The reader/writer checker


@dataclass(frozen=True, slots=True)
class _Incompatibility:
    kind: str
    path: str
    reader: AvroType
    writer: AvroType
    detail: str


def reader_writer_issues(reader: AvroType, writer: AvroType) -> list[_Incompatibility]:
    """Why data written with ``writer`` cannot be read with ``reader``; empty when it can."""
    return _Checker().check(reader, writer, [])


_PROMOTIONS = {
    "long": frozenset({"int"}),
    "float": frozenset({"int", "long"}),
    "double": frozenset({"int", "long", "float"}),
    "bytes": frozenset({"string"}),
    "string": frozenset({"bytes"}),
}
_IN_PROGRESS: list[_Incompatibility] = []


class _Checker:
    """One reader/writer comparison with Java's memo: a pair in progress counts as compatible."""

    __slots__ = ("_memo",)

    def __init__(self) -> None:
        self._memo: dict[tuple[int, int], list[_Incompatibility]] = {}

    def check(
        self, reader: AvroType, writer: AvroType, location: list[str]
    ) -> list[_Incompatibility]:
        key = (id(reader), id(writer))
        known = self._memo.get(key)
        if known is not None:
            return known  # finished, or in progress (recursion): Java assumes compatible
        self._memo[key] = _IN_PROGRESS
        result = self._calculate(reader, writer, location)
        self._memo[key] = result
        return result

    def _descend(
        self, token: str, reader: AvroType, writer: AvroType, location: list[str]
    ) -> list[_Incompatibility]:
        location.append(token)
        try:
            return self.check(reader, writer, location)
        finally:
            location.pop()

    def _calculate(
        self, reader: AvroType, writer: AvroType, location: list[str]
    ) -> list[_Incompatibility]:
        r, w = reader.type, writer.type
        if r == w:
            if isinstance(reader, Primitive):
                return []
            if isinstance(reader, Array):
                assert isinstance(writer, Array)
                return self._descend("items", reader.items, writer.items, location)
            if isinstance(reader, Map):
                assert isinstance(writer, Map)
                return self._descend("values", reader.values, writer.values, location)
            if isinstance(reader, Fixed):
                assert isinstance(writer, Fixed)
                return self._names(reader, writer, location) or self._fixed_size(
                    reader, writer, location
                )
            if isinstance(reader, Enum):
                assert isinstance(writer, Enum)
                return self._names(reader, writer, location) or self._enum_symbols(
                    reader, writer, location
                )
            if isinstance(reader, Record):
                assert isinstance(writer, Record)
                return self._names(reader, writer, location) or self._record_fields(
                    reader, writer, location
                )
            assert isinstance(writer, Union)
            return self._writer_union(reader, writer, location)
        if isinstance(writer, Union):
            return self._writer_union(reader, writer, location)
        if r in _PROMOTIONS and w in _PROMOTIONS[r]:
            return []
        if isinstance(reader, Union):
            for branch in reader.branches:
                if not self.check(branch, writer, location):
                    return []
            return [
                _Incompatibility(
                    "MISSING_UNION_BRANCH", _path(location), reader, writer, describe_type(writer)
                )
            ]
        return [_Incompatibility("TYPE_MISMATCH", _path(location), reader, writer, "")]

    def _writer_union(
        self, reader: AvroType, writer: Union, location: list[str]
    ) -> list[_Incompatibility]:
        found: list[_Incompatibility] = []
        for i, branch in enumerate(writer.branches):
            location.append(str(i))
            try:
                if self.check(reader, branch, location):
                    found.append(
                        _Incompatibility(
                            "MISSING_UNION_BRANCH",
                            _path(location),
                            reader,
                            branch,
                            describe_type(branch),
                        )
                    )
            finally:
                location.pop()
        return found

    def _names(
        self, reader: Record | Enum | Fixed, writer: Record | Enum | Fixed, location: list[str]
    ) -> list[_Incompatibility]:
        if reader.name == writer.name or writer.fullname in reader.aliases:
            return []
        location.append("name")
        path = _path(location)
        location.pop()
        return [_Incompatibility("NAME_MISMATCH", path, reader, writer, writer.fullname)]

    def _fixed_size(
        self, reader: Fixed, writer: Fixed, location: list[str]
    ) -> list[_Incompatibility]:
        if reader.size == writer.size:
            return []
        location.append("size")
        path = _path(location)
        location.pop()
        return [_Incompatibility("FIXED_SIZE_MISMATCH", path, reader, writer, "")]

    def _enum_symbols(
        self, reader: Enum, writer: Enum, location: list[str]
    ) -> list[_Incompatibility]:
        missing = sorted(set(writer.symbols) - set(reader.symbols))
        if not missing or reader.default is not None:
            return []
        location.append("symbols")
        path = _path(location)
        location.pop()
        return [_Incompatibility("MISSING_ENUM_SYMBOLS", path, reader, writer, ", ".join(missing))]

    def _record_fields(
        self, reader: Record, writer: Record, location: list[str]
    ) -> list[_Incompatibility]:
        found: list[_Incompatibility] = []
        location.append("fields")
        for f in reader.fields:
            location.append(str(f.position))
            matches = _writer_fields(writer, f)
            if len(matches) > 1:
                names = ", ".join(repr(m.name) for m in matches)
                found.append(
                    _Incompatibility("AMBIGUOUS_ALIAS", _path(location), reader, writer, names)
                )
            elif matches:
                found += self._descend("type", f.type, matches[0].type, location)
            elif not f.has_default:
                if isinstance(f.type, Enum) and f.type.default is not None:
                    # Java's quirk, kept for an exact verdict: the enum is compared with the
                    # whole writer record, which is always a TYPE_MISMATCH.
                    found += self._descend("type", f.type, writer, location)
                else:
                    found.append(
                        _Incompatibility(
                            "READER_FIELD_MISSING_DEFAULT_VALUE",
                            _path(location),
                            reader,
                            writer,
                            f.name,
                        )
                    )
            location.pop()
        location.pop()
        return found


def _writer_fields(writer: Record, reader_field: Field) -> list[Field]:
    """Writer fields matching a reader field by name or alias (Java's lookupWriterField)."""
    matches: list[Field] = []
    direct = writer.field_named(reader_field.name)
    if direct is not None:
        matches.append(direct)
    for alias in reader_field.aliases:
        aliased = writer.field_named(alias)
        if aliased is not None:
            matches.append(aliased)
    return matches


def _path(location: list[str]) -> str:
    return "/" + "/".join(location)


# ---------------------------------------------------------------------------------------------
# Messages


def _as_issues(
    found: list[_Incompatibility],
    version: int,
    direction: str,
    *,
    reader_label: str,
    writer_label: str,
) -> list[CompatibilityIssue]:
    return [
        CompatibilityIssue(
            i.kind,
            i.path,
            _message(i, reader_label, writer_label, direction),
            version,
            direction,
        )
        for i in found
    ]


def _message(i: _Incompatibility, reader: str, writer: str, direction: str) -> str:
    r, w = describe_type(i.reader), describe_type(i.writer)
    reads = f"{reader} cannot read data written with {writer}"
    if i.kind == "READER_FIELD_MISSING_DEFAULT_VALUE":
        assert isinstance(i.reader, Record)
        text = (
            f"{reads}: field {i.detail!r} of {i.reader.fullname} has no default and "
            f"{writer} does not write it"
        )
    elif i.kind == "TYPE_MISMATCH":
        text = f"{reads}: it expects {r} where {writer} has {w}"
    elif i.kind == "NAME_MISMATCH":
        assert isinstance(i.reader, (Record, Enum, Fixed))
        text = (
            f"{reads}: {reader} names the type {i.reader.fullname} where {writer} has "
            f"{i.detail}, and no alias of the reader matches {i.detail}"
        )
    elif i.kind == "FIXED_SIZE_MISMATCH":
        assert isinstance(i.reader, Fixed) and isinstance(i.writer, Fixed)
        text = (
            f"{reads}: fixed {i.reader.fullname} has size {i.reader.size} in {reader} and "
            f"{i.writer.size} in {writer}"
        )
    elif i.kind == "MISSING_ENUM_SYMBOLS":
        assert isinstance(i.reader, Enum)
        text = (
            f"{reads}: enum {i.reader.fullname} in {reader} lacks the symbols {i.detail} and "
            "has no enum default to read them as"
        )
    elif i.kind == "MISSING_UNION_BRANCH" and isinstance(i.reader, Union):
        text = f"{reads}: the union {r} in {reader} has no branch that reads {i.detail}"
    elif i.kind == "MISSING_UNION_BRANCH":
        text = f"{reads}: {reader} expects {r} where {writer} may write {i.detail} (a union branch)"
    else:  # AMBIGUOUS_ALIAS
        text = (
            f"{reads}: a field of {reader} matches several fields of {writer} by name or "
            f"alias ({i.detail}); Avro cannot tell which to read"
        )
    return f"{direction}: {text}"
