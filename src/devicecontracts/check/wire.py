"""Wire compatibility: every version against its predecessors at its subject's level.

Rule category ``wire``: what the registry would have refused on register (transitive breaks
included), one finding per break with the old version it breaks against, the path in the new
file, and a hint per kind of break.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from devicecontracts.catalog import Contract, SchemaVersion
from devicecontracts.check._types import short_type
from devicecontracts.findings import Finding, make
from devicecontracts.schema import Array, AvroType, Field, Map, Record, Schema, Union
from devicecontracts.schema.compatibility import (
    CompatibilityCache,
    CompatibilityIssue,
    IssueDirection,
    IssueKind,
    check_parsed,
    forget_comparisons,
)
from devicecontracts.schema.diff import translate_path

__all__ = ["wire_findings"]


def wire_findings(contract: Contract) -> Iterator[Finding]:
    """Each version against its predecessors, as register would have checked it. With a
    compatibility group (``contract.toml``), only predecessors of the same major, as the
    registry does with ``compatibilityGroup``: the first version of a major is compared with
    none (``check.datacontracts`` asks it for migration rules instead)."""
    parsed = [v for v in contract.versions if v.schema is not None]
    cache = CompatibilityCache()
    grouped_by_major = contract.major(1) is not None
    for k, v in enumerate(parsed):
        if k == 0:
            continue
        assert v.schema is not None
        earlier = parsed[:k]
        if grouped_by_major:
            major = contract.major(v.version)
            earlier = [p for p in earlier if contract.major(p.version) == major]
            if not earlier:
                continue
        history = [p.schema for p in earlier if p.schema is not None]
        result = check_parsed(
            v.schema, history, contract.level, first_version=earlier[0].version, cache=cache
        )
        grouped: dict[tuple[IssueKind, str, IssueDirection | None], list[CompatibilityIssue]] = {}
        for issue in result.issues:
            grouped.setdefault((issue.kind, issue.path, issue.direction), []).append(issue)
        # A break that spares the latest version is what latest-only tools miss.
        transitive_only = earlier[-1].version not in result.broken_versions
        for issues in grouped.values():
            yield _incompatible(contract, v, [*earlier, v], issues, transitive_only)
    # The checker's per-record tables would be the largest thing a catalog check holds after
    # its parsed schemas (about 60 MB at 1,000 subjects): drop them once a history is checked.
    for version in parsed:
        assert version.schema is not None
        forget_comparisons(version.schema)


def _incompatible(
    contract: Contract,
    v: SchemaVersion,
    parsed: list[SchemaVersion],
    issues: list[CompatibilityIssue],
    transitive_only: bool,
) -> Finding:
    first = issues[0]
    broken = sorted({i.previous_version for i in issues if i.previous_version is not None})
    message = first.message
    if len(broken) > 1:
        message += " (also breaks against " + ", ".join(f"v{b}" for b in broken[:-1][::-1]) + ")"
    predecessor = parsed[parsed.index(v) - 1].version
    if transitive_only:
        message += (
            f"; v{predecessor} is fine, so a check against latest only (the Maven plugin, the "
            "Confluent CLI) would pass this and register would then fail"
        )
    by_number = {p.version: p for p in parsed}
    reader = (
        v
        if first.direction is IssueDirection.BACKWARD
        else by_number.get(first.previous_version or 0, v)
    )
    path = first.path
    if reader is not v and reader.schema is not None and v.schema is not None:
        # Java's path is in the reader, here the old version: show the same place in the new
        # file, the one the change is in.
        path = translate_path(reader.schema.root, v.schema.root, first.path)
    return make(
        "incompatible",
        f"{contract.level.value}: {message}",
        _wire_hint(first, reader),
        location=contract.location(v, path),
        previous_version=first.previous_version,
    )


_BREAKING = "make the change compatible, or introduce a new subject for a breaking change"
_HINTS: dict[tuple[IssueKind, IssueDirection | None], str] = {
    (IssueKind.TYPE_MISMATCH, None): "keep the old type; add a new field (with a default) for "
    "the new type instead",
    (IssueKind.MISSING_ENUM_SYMBOLS, IssueDirection.BACKWARD): "do not remove enum symbols (or "
    'give the enum an enum-level "default")',
    (IssueKind.MISSING_ENUM_SYMBOLS, None): "old readers' enum has no "
    "enum-level default, so new symbols break them: add a new enum field instead; give every "
    'enum a "default" from v1 next time',
    (IssueKind.MISSING_UNION_BRANCH, None): "keep every union branch the other side may write "
    "(add branches, do not remove them)",
    (IssueKind.NAME_MISMATCH, None): "keep the old name, or add the old full name to the type's "
    '"aliases"',
    (IssueKind.FIXED_SIZE_MISMATCH, None): "a fixed size cannot change: add a new field with a "
    "new fixed type instead",
    (IssueKind.AMBIGUOUS_ALIAS, None): "remove the alias that matches a second field of the old "
    "version",
}
"""The fix per kind of break: for that direction, else for any (None)."""


def _wire_hint(issue: CompatibilityIssue, reader: SchemaVersion) -> str:
    if issue.kind is IssueKind.READER_FIELD_MISSING_DEFAULT_VALUE:
        return _missing_default_hint(issue, reader)
    hint = _HINTS.get((issue.kind, issue.direction)) or _HINTS.get((issue.kind, None))
    return hint or _BREAKING


def _missing_default_hint(issue: CompatibilityIssue, reader: SchemaVersion) -> str:
    at = _field_at(reader.schema, issue.path)
    name = at.name if at else "?"
    if issue.direction is not IssueDirection.BACKWARD:
        return (
            f"keep field {name!r}: version {issue.previous_version} reads it and has no default "
            "for it (deprecate it instead of removing it)"
        )
    typ = json.dumps(short_type(at.type)) if at else "the field's type"
    optional = typ if typ.startswith("[") else f'["null", {typ}]'
    return (
        f"give field {name!r} a default, such as type {optional} with "
        '"default": null, or a default of its type'
    )


def _field_at(schema: Schema | None, path: str) -> Field | None:
    """The innermost field on a JSON path like /fields/2/type/fields/0 in ``schema``."""
    node: AvroType | Field | None = schema.root if schema else None
    found: Field | None = None
    for token in [t for t in path.split("/") if t]:
        if isinstance(node, Record) and token.isdigit() and int(token) < len(node.fields):
            node = found = node.fields[int(token)]
        elif isinstance(node, Field) and token == "type":
            node = node.type
        elif isinstance(node, Array) and token == "items":
            node = node.items
        elif isinstance(node, Map) and token == "values":
            node = node.values
        elif isinstance(node, Union) and token.isdigit() and int(token) < len(node.branches):
            node = node.branches[int(token)]
    return found
