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
them. ``contracts check`` reports the dangerous ones separately (`devicecontracts.check.semantic`).

Levels: BACKWARD checks that the new schema reads data written with the latest previous one;
FORWARD that the latest previous one reads data written with the new one; FULL both; the
``*_TRANSITIVE`` levels check against every previous version; NONE accepts anything valid.
"""

from __future__ import annotations

import enum
import operator
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from devicecontracts._avro import CONFLUENT_8, RegistryLine
from devicecontracts._depth import with_headroom
from devicecontracts._gc import collector_paused
from devicecontracts.errors import InvalidSchemaError, SchemaError
from devicecontracts.schema import (
    Array,
    AvroType,
    Enum,
    Field,
    Fixed,
    Map,
    NamedType,
    Primitive,
    Record,
    Schema,
    Union,
    describe_type,
    parse_schema,
)

__all__ = [
    "CompatibilityCache",
    "CompatibilityIssue",
    "CompatibilityLevel",
    "CompatibilityResult",
    "IssueDirection",
    "IssueKind",
    "check_compatibility",
    "check_parsed",
    "forget_comparisons",
]


class CompatibilityLevel(enum.StrEnum):
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
            raise ValueError(f"unknown compatibility level {level!r}: use one of {names}") from None


class IssueKind(enum.StrEnum):
    """Why a reader cannot read a writer's data: Avro Java's incompatibility types, and ours."""

    READER_FIELD_MISSING_DEFAULT_VALUE = "READER_FIELD_MISSING_DEFAULT_VALUE"
    TYPE_MISMATCH = "TYPE_MISMATCH"
    NAME_MISMATCH = "NAME_MISMATCH"
    FIXED_SIZE_MISMATCH = "FIXED_SIZE_MISMATCH"
    MISSING_ENUM_SYMBOLS = "MISSING_ENUM_SYMBOLS"
    MISSING_UNION_BRANCH = "MISSING_UNION_BRANCH"
    INVALID_SCHEMA = "INVALID_SCHEMA"
    """Ours: the registry would reject the new schema with 42201."""
    AMBIGUOUS_ALIAS = "AMBIGUOUS_ALIAS"
    """Ours: Java throws, so the registry says incompatible."""


class IssueDirection(enum.StrEnum):
    """Which way a check reads: BACKWARD, the new schema reads data written with an old one;
    FORWARD, an old schema reads data written with the new one."""

    BACKWARD = "BACKWARD"
    FORWARD = "FORWARD"


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

    kind: IssueKind
    path: str
    message: str
    previous_version: int | None = None
    direction: IssueDirection | None = None


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
    *,
    line: RegistryLine = CONFLUENT_8,
) -> CompatibilityResult:
    """Decide whether ``new_schema`` may follow ``previous_schemas`` (oldest first) at ``level``.

    The new schema is validated as the registry ``line`` validates new schemas; an invalid one
    is never compatible and its issue says why. Previous schemas are parsed leniently, as the
    line reads what it stores. Raises `ValueError` for an unknown level and `SchemaError` for a
    previous schema that cannot be parsed at all.

    Each distinct text is parsed once per call, and parses of texts are kept in a small
    per-process cache (least recently used first out), so a caller checking version after
    version of a subject against the ones before does not parse the earlier ones again; the
    comparisons of shared structures are kept too (by shape, bounded), as the parsed path keeps
    them per subject. The verdict and issues are those of a fresh parse: a parse depends only on
    the text, the mode and the line, which key the cache, checking never changes a parsed
    schema, and a comparison's result depends only on the shapes compared.
    """
    the_level = CompatibilityLevel.parse(level)
    # The parses and comparisons of a call build objects that live until it returns: the
    # cyclic collector is kept out (and restored as it was).
    with collector_paused():
        try:
            new = _parsed(new_schema, strict=True, line=line)
        except SchemaError as exc:
            issue = CompatibilityIssue(
                IssueKind.INVALID_SCHEMA,
                exc.location.path or "/",
                f"the new schema is invalid: {exc.message}",
            )
            return CompatibilityResult(False, (issue,), the_level)
        history: list[AvroType] = []
        for i, previous in enumerate(previous_schemas, start=1):
            try:
                history.append(
                    new if previous is new_schema else _parsed(previous, strict=False, line=line)
                )
            except SchemaError as exc:
                raise InvalidSchemaError(
                    f"previous schema {i} cannot be parsed: {exc.message}", exc.location
                ) from None
        if len(_text_api_results.results) > _TEXT_API_RESULTS_LIMIT:
            _text_api_results.results.clear()
        return check_parsed(new, history, the_level, cache=_text_api_results)


# ---------------------------------------------------------------------------------------------
# The text API's parse cache

_PARSE_CACHE_SIZE = 32
"""Parsed texts kept per process: enough for a subject's whole history. Only the parsed tree
is kept (not the JSON it came from): a 2.7 KB schema's tree is about 15 KB."""
_TEXT_API_RESULTS_LIMIT = 50_000
"""Comparisons the text API keeps (by shape pair) before it starts afresh."""
_PARSE_CACHE_MAX_TEXT = 256 * 1024
"""Longer texts are parsed on every call rather than kept."""
_parse_cache: OrderedDict[tuple[str, bool, RegistryLine], AvroType] = OrderedDict()
_parse_cache_lock = threading.Lock()


def _parsed(
    schema: str | dict[str, Any] | list[Any], *, strict: bool, line: RegistryLine
) -> AvroType:
    """The root of ``parse_schema(schema, strict=strict, line=line)``, from the cache for a
    text seen before.

    Only text is cached (parsed JSON is mutable), and only the tree: the parsed JSON is freed at
    once, which also keeps the cyclic collector's work small. A strict parse that succeeds is
    also kept as the lenient one: lenient parsing builds the same tree and only validates less,
    so a text checked as the new schema is not parsed again when it becomes a previous one.
    Failures are not kept: they raise every time, as a fresh parse does.
    """
    if not isinstance(schema, str) or len(schema) > _PARSE_CACHE_MAX_TEXT:
        return parse_schema(schema, strict=strict, line=line).root
    key = (schema, strict, line)
    with _parse_cache_lock:
        found = _parse_cache.get(key)
        if found is not None:
            _parse_cache.move_to_end(key)
            return found
    parsed = parse_schema(schema, strict=strict, line=line)
    root = parsed.root
    with _parse_cache_lock:
        _parse_cache[key] = root
        if strict and not parsed.spec_problems:
            _parse_cache[(schema, False, line)] = root
        while len(_parse_cache) > _PARSE_CACHE_SIZE:
            _parse_cache.popitem(last=False)
    return root


def check_parsed(
    new: Schema | AvroType,
    previous: Sequence[Schema | AvroType],
    level: str | CompatibilityLevel,
    *,
    first_version: int = 1,
    cache: CompatibilityCache | None = None,
) -> CompatibilityResult:
    """`check_compatibility` on schemas parsed already (the catalog's path: parse once).

    ``first_version`` is the version number of ``previous[0]``, for the issues' names. Pass the
    same ``cache`` for every version of one subject to compare each shared structure once.
    """
    cache = cache or CompatibilityCache()
    the_level = CompatibilityLevel.parse(level)
    if the_level is CompatibilityLevel.NONE or not previous:
        return CompatibilityResult(True, (), the_level)
    new_root = new.root if isinstance(new, Schema) else new
    roots = [p.root if isinstance(p, Schema) else p for p in previous]
    numbered = list(enumerate(roots, start=first_version))
    targets = numbered[::-1] if the_level.transitive else [numbered[-1]]
    backward, forward = the_level.backward, the_level.forward
    shared = cache

    def compare() -> list[tuple[int, IssueDirection, list[_Incompatibility]]]:
        # One checker per pair, as Java's: its memo of pairs in progress must not outlive it.
        found = []
        for version, old_root in targets:
            if backward:
                issues = _Checker(shared).check(new_root, old_root)
                if issues:
                    found.append((version, IssueDirection.BACKWARD, issues))
            if forward:
                issues = _Checker(shared).check(old_root, new_root)
                if issues:
                    found.append((version, IssueDirection.FORWARD, issues))
        return found

    # A rerun (deep schemas) is safe: the shared cache only ever holds finished results.
    issues: list[CompatibilityIssue] = []
    for version, direction, found in with_headroom(compare):
        label = f"version {version}"
        if direction is IssueDirection.BACKWARD:
            issues += _as_issues(
                found, version, direction, reader_label="the new schema", writer_label=label
            )
        else:
            issues += _as_issues(
                found, version, direction, reader_label=label, writer_label="the new schema"
            )
    return CompatibilityResult(not issues, tuple(issues), the_level)


# ---------------------------------------------------------------------------------------------
# The reader/writer checker


@dataclass(frozen=True, slots=True)
class _Incompatibility:
    kind: IssueKind
    path: tuple[str, ...]  # relative to the pair it was found under, innermost token first
    reader: AvroType
    writer: AvroType
    detail: str

    def under(self, *tokens: str) -> _Incompatibility:
        return _Incompatibility(
            self.kind, (*self.path, *tokens), self.reader, self.writer, self.detail
        )

    @property
    def pointer(self) -> str:
        return "/" + "/".join(reversed(self.path))


class CompatibilityCache:
    """Results of reader/writer comparisons by structural shape, reusable across checks.

    Pass one to `check_parsed` for every version of a subject: versions share most of their
    structure, so each distinct pair of shapes is compared once.
    """

    __slots__ = ("results",)

    def __init__(self) -> None:
        self.results: dict[tuple[int, int], list[_Incompatibility]] = {}


# The text API's comparison results, shared by every call (the parsed path passes one cache per
# subject). Exact whatever schemas computed them: a shape number is never reused, and a shape
# holds everything a result's issues say about their nodes (names, sizes, symbols, field
# positions, logical types). Bounded: cleared past _TEXT_API_RESULTS_LIMIT.
_text_api_results = CompatibilityCache()

_PROMOTIONS = {
    "long": frozenset({"int"}),
    "float": frozenset({"int", "long"}),
    "double": frozenset({"int", "long", "float"}),
    "bytes": frozenset({"string"}),
    "string": frozenset({"bytes"}),
}
_IN_PROGRESS: list[_Incompatibility] = []


class _Checker:
    """One reader/writer comparison.

    Pairs of non-recursive nodes are memoised by shape in the shared cache. Recursive nodes
    (shape 0) use Java's memo by identity, where a pair already in progress counts as
    compatible, which is how recursion terminates.
    """

    __slots__ = ("_memo", "_shared")

    def __init__(self, cache: CompatibilityCache) -> None:
        self._memo: dict[tuple[int, int], list[_Incompatibility]] = {}
        self._shared = cache.results

    def check(self, reader: AvroType, writer: AvroType) -> list[_Incompatibility]:
        # The shapes' slots, read directly (the property only when one is still to be made).
        rs = reader._shape
        if rs < 0:
            rs = reader.shape
        ws = writer._shape
        if ws < 0:
            ws = writer.shape
        if rs and ws:
            key = (rs, ws)
            known = self._shared.get(key)
            if known is None:
                known = self._shared[key] = self._calculate(reader, writer)
            return known
        ident = (id(reader), id(writer))
        known = self._memo.get(ident)
        if known is not None:
            return known  # finished, or in progress (recursion): Java assumes compatible
        self._memo[ident] = _IN_PROGRESS
        result = self._calculate(reader, writer)
        self._memo[ident] = result
        return result

    def _descend(self, token: str, reader: AvroType, writer: AvroType) -> list[_Incompatibility]:
        found = self.check(reader, writer)
        return [i.under(token) for i in found] if found else found

    def _calculate(self, reader: AvroType, writer: AvroType) -> list[_Incompatibility]:
        r, w = reader.type, writer.type
        if r == w:
            if isinstance(reader, Primitive):
                return []
            if isinstance(reader, Array):
                assert isinstance(writer, Array)
                return self._descend("items", reader.items, writer.items)
            if isinstance(reader, Map):
                assert isinstance(writer, Map)
                return self._descend("values", reader.values, writer.values)
            if isinstance(reader, Fixed):
                assert isinstance(writer, Fixed)
                return _names(reader, writer) or _fixed_size(reader, writer)
            if isinstance(reader, Enum):
                assert isinstance(writer, Enum)
                return _names(reader, writer) or _enum_symbols(reader, writer)
            if isinstance(reader, Record):
                assert isinstance(writer, Record)
                names = _names(reader, writer)
                if not names:
                    return self._record_fields(reader, writer)
                # Java checks the fields even when the names differ (checkSchemaNames, then
                # checkReaderWriterRecordFields): only what throws there changes the verdict.
                fields = self._record_fields(reader, writer)
                return names + [i for i in fields if i.kind is IssueKind.AMBIGUOUS_ALIAS]
            assert isinstance(writer, Union)
            return self._writer_union(reader, writer)
        if isinstance(writer, Union):
            # Java differs from the union-to-union case here: each branch's own finding is
            # reported (a TYPE_MISMATCH, say) at the union's own path, not a
            # MISSING_UNION_BRANCH under the branch index.
            found: list[_Incompatibility] = []
            for branch in writer.branches:
                found += self.check(reader, branch)
            return found
        if r in _PROMOTIONS and w in _PROMOTIONS[r]:
            return []
        if isinstance(reader, Union):
            for branch in reader.branches:
                probe = self.check(branch, writer)
                if not probe:
                    return []
                thrown = [i for i in probe if i.kind is IssueKind.AMBIGUOUS_ALIAS]
                if thrown:
                    # Java's SchemaCompatibility probes the branches in order and stops at the
                    # first compatible one; an ambiguous alias in a probed branch throws in
                    # lookupWriterField (AvroRuntimeException), and Confluent's
                    # AvroCompatibilityChecker turns any exception into "incompatible".
                    return thrown
            return [
                _Incompatibility(
                    IssueKind.MISSING_UNION_BRANCH, (), reader, writer, describe_type(writer)
                )
            ]
        return [_Incompatibility(IssueKind.TYPE_MISMATCH, (), reader, writer, "")]

    def _writer_union(self, reader: AvroType, writer: Union) -> list[_Incompatibility]:
        found: list[_Incompatibility] = []
        for i, branch in enumerate(writer.branches):
            if self.check(reader, branch):
                found.append(
                    _Incompatibility(
                        IssueKind.MISSING_UNION_BRANCH,
                        (str(i),),
                        reader,
                        branch,
                        describe_type(branch),
                    )
                )
        return found

    def _record_fields(self, reader: Record, writer: Record) -> list[_Incompatibility]:
        found: list[_Incompatibility] = []
        by_name = writer.by_name
        shared = self._shared
        plain, other, _ = _fields_view(reader)
        # A reader field without aliases, whose type has no field aliases anywhere, reads a
        # writer field of the same name and shape: the same structure always reads itself.
        # Set operations find them all at once; only the other fields are compared one by one.
        changed = plain.keys() - _fields_view(writer)[2]
        if not changed and not other:
            return found
        todo = [plain[key] for key in changed]
        todo += other
        todo.sort(key=_POSITION)
        for f in todo:
            direct = by_name.get(f.name)
            if direct is not None and not f.aliases:
                # Fast path for the common case, an unchanged field: a cached clean result.
                # (Both shapes were made for the fields' views.)
                rs, ws = f.type._shape, direct.type._shape
                if rs and ws and shared.get((rs, ws)) == []:
                    continue
            position = str(f.position)
            matches = [direct] if direct is not None else []
            for alias in f.aliases:
                aliased = by_name.get(alias)
                if aliased is not None:
                    matches.append(aliased)
            if len(matches) > 1:
                names = ", ".join(repr(m.name) for m in matches)
                found.append(
                    _Incompatibility(
                        IssueKind.AMBIGUOUS_ALIAS, (position, "fields"), reader, writer, names
                    )
                )
            elif matches:
                for i in self._descend("type", f.type, matches[0].type):
                    found.append(i.under(position, "fields"))
            elif not f.has_default:
                if isinstance(f.type, Enum) and f.type.default is not None:
                    # Java's quirk, kept for an exact verdict: the enum is compared with the
                    # whole writer record, which is always a TYPE_MISMATCH.
                    for i in self._descend("type", f.type, writer):
                        found.append(i.under(position, "fields"))
                else:
                    found.append(
                        _Incompatibility(
                            IssueKind.READER_FIELD_MISSING_DEFAULT_VALUE,
                            (position, "fields"),
                            reader,
                            writer,
                            f.name,
                        )
                    )
        return found


_POSITION = operator.attrgetter("position")
_FieldsView = tuple[dict[str, Field], tuple[Field, ...], frozenset[str]]


def _fields_view(record: Record) -> _FieldsView:
    """A record's fields as the checker compares them, made once per record node: the fields
    that read a same-named, same-shaped writer field as is, keyed by shape and name; the
    others; and the keys of every field, for when the record is the writer."""
    view: _FieldsView | None = record._compat_view
    if view is None:
        # Keys are strings, whose hashes Python keeps: the set operations rehash nothing.
        plain: dict[str, Field] = {}
        other: list[Field] = []
        keys: list[str] = []
        for f in record.fields:
            t = f.type
            shape = t._shape
            if shape < 0:
                shape = t.shape
            key = f"{shape} {f.name}"
            keys.append(key)
            # A primitive holds no record: alias-free without a look.
            if shape and not f.aliases and (t.__class__ is Primitive or _alias_free(t)):
                plain[key] = f
            else:
                other.append(f)
        view = record._compat_view = (plain, tuple(other), frozenset(keys))
    return view


def forget_comparisons(schema: Schema) -> None:
    """Drop the per-record tables `check_parsed` made on ``schema``'s records as it compared
    them. They serve the comparisons of one history; a caller that keeps many parsed schemas
    after checking them (a catalog check) frees them this way. A later comparison makes them
    again as it needs them."""
    for named in schema.named.values():
        if named.__class__ is Record:
            named._compat_view = None


# Whether a structure (by shape) has no record field with aliases anywhere: such a structure
# always reads itself (Java's only failure reading a schema with itself is an ambiguous field
# alias). Shapes are never reused, so the table is exact; bounded like the shape table.
_ALIAS_FREE: dict[int, bool] = {}
_ALIAS_FREE_LIMIT = 200_000


def _alias_free(t: AvroType) -> bool:
    """True when no record field in ``t`` (non-recursive: a non-zero shape) has aliases."""
    known = _ALIAS_FREE.get(t.shape)
    if known is None:
        if isinstance(t, Record):
            known = all(not f.aliases and _alias_free(f.type) for f in t.fields)
        elif isinstance(t, Union):
            known = all(_alias_free(b) for b in t.branches)
        elif isinstance(t, Array):
            known = _alias_free(t.items)
        elif isinstance(t, Map):
            known = _alias_free(t.values)
        else:
            known = True
        if len(_ALIAS_FREE) >= _ALIAS_FREE_LIMIT:
            _ALIAS_FREE.clear()
        _ALIAS_FREE[t.shape] = known
    return known


def _names(reader: Record | Enum | Fixed, writer: Record | Enum | Fixed) -> list[_Incompatibility]:
    if (
        reader.fullname == writer.fullname
        or reader.name == writer.name
        or writer.fullname in reader.aliases
    ):
        return []
    return [_Incompatibility(IssueKind.NAME_MISMATCH, ("name",), reader, writer, writer.fullname)]


def _fixed_size(reader: Fixed, writer: Fixed) -> list[_Incompatibility]:
    if reader.size == writer.size:
        return []
    return [_Incompatibility(IssueKind.FIXED_SIZE_MISMATCH, ("size",), reader, writer, "")]


def _enum_symbols(reader: Enum, writer: Enum) -> list[_Incompatibility]:
    if reader.default is not None:
        return []
    reader_symbols = set(reader.symbols)
    missing = sorted(s for s in writer.symbols if s not in reader_symbols)
    if not missing:
        return []
    return [
        _Incompatibility(
            IssueKind.MISSING_ENUM_SYMBOLS, ("symbols",), reader, writer, ", ".join(missing)
        )
    ]


# ---------------------------------------------------------------------------------------------
# Messages


def _as_issues(
    found: list[_Incompatibility],
    version: int,
    direction: IssueDirection,
    *,
    reader_label: str,
    writer_label: str,
) -> list[CompatibilityIssue]:
    return [
        CompatibilityIssue(
            i.kind,
            i.pointer,
            _message(i, reader_label, writer_label, direction),
            version,
            direction,
        )
        for i in found
    ]


def _message(i: _Incompatibility, reader: str, writer: str, direction: IssueDirection) -> str:
    r, w = describe_type(i.reader), describe_type(i.writer)
    reads = f"{reader} cannot read data written with {writer}"
    if i.kind is IssueKind.READER_FIELD_MISSING_DEFAULT_VALUE:
        assert isinstance(i.reader, Record)
        text = (
            f"{reads}: field {i.detail!r} of {i.reader.fullname} has no default and "
            f"{writer} does not write it"
        )
    elif i.kind is IssueKind.TYPE_MISMATCH:
        text = f"{reads}: it expects {r} where {writer} has {w}"
    elif i.kind is IssueKind.NAME_MISMATCH:
        assert isinstance(i.reader, NamedType)
        text = (
            f"{reads}: {reader} names the type {i.reader.fullname} where {writer} has "
            f"{i.detail}, and no alias of the reader matches {i.detail}"
        )
    elif i.kind is IssueKind.FIXED_SIZE_MISMATCH:
        assert isinstance(i.reader, Fixed) and isinstance(i.writer, Fixed)
        text = (
            f"{reads}: fixed {i.reader.fullname} has size {i.reader.size} in {reader} and "
            f"{i.writer.size} in {writer}"
        )
    elif i.kind is IssueKind.MISSING_ENUM_SYMBOLS:
        assert isinstance(i.reader, Enum)
        text = (
            f"{reads}: enum {i.reader.fullname} in {reader} lacks the symbols {i.detail} and "
            "has no enum default to read them as"
        )
    elif i.kind is IssueKind.MISSING_UNION_BRANCH and isinstance(i.reader, Union):
        text = f"{reads}: the union {r} in {reader} has no branch that reads {i.detail}"
    elif i.kind is IssueKind.MISSING_UNION_BRANCH:
        text = f"{reads}: {reader} expects {r} where {writer} may write {i.detail} (a union branch)"
    else:  # AMBIGUOUS_ALIAS
        text = (
            f"{reads}: a field of {reader} matches several fields of {writer} by name or "
            f"alias ({i.detail}); Avro cannot tell which to read"
        )
    return f"{direction}: {text}"
