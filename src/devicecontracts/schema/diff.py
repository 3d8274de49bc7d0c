"""What changed between two versions of a schema, in words.

`diff_schemas` walks two parsed schemas side by side, matching records, fields and named types
the way Avro resolution does (by name, then by the new side's aliases), and lists each change:
fields added or removed (with or without defaults), types widened or changed, symbols added,
logical types or decimal parameters changed, renames, docs. ``contracts diff`` prints these; the
dangerous-change rules of ``contracts check`` are the changes whose ``kind`` is dangerous.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from devicecontracts._depth import with_headroom
from devicecontracts.schema import (
    Array,
    AvroType,
    Enum,
    Field,
    Fixed,
    LogicalType,
    Map,
    NamedType,
    Primitive,
    Record,
    Union,
    describe_type,
)

__all__ = ["Change", "diff_schemas", "translate_path"]

_WIDENINGS = {
    ("int", "long"),
    ("int", "float"),
    ("int", "double"),
    ("long", "float"),
    ("long", "double"),
    ("float", "double"),
}
_LOSSY = {("int", "float"), ("long", "float"), ("long", "double")}


@dataclass(frozen=True)
class Change:
    """One change from the old version to the new; ``path`` is in the new schema when it exists.

    ``kind`` is stable and machine-readable (``field-added``, ``type-widened``,
    ``logical-type-changed`` ...); ``message`` says it in words.
    """

    kind: str
    path: str
    message: str


def diff_schemas(old: AvroType, new: AvroType) -> list[Change]:
    """Every change from ``old`` to ``new``, in schema order."""
    return with_headroom(lambda: list(_Differ().diff(old, new, "", None)))


# Where the walk is, and what it is comparing, said in words only when a change is found: most
# parts of two versions are the same, and building the path and description of each part
# compared cost more than comparing it. A `_Path` is a path string or (parent, step, index,
# tail), the index left out when negative; a `_What` is None (the schema), a field and its
# record, or "items of"/"values of" something.
_Path = str | tuple["_Path", str, int, str]
_What = None | tuple[Field, Record] | tuple[str, "_What"]


def _path(at: _Path) -> str:
    if isinstance(at, str):
        return at
    parent, step, index, tail = at
    return f"{_path(parent)}{step}{index}{tail}" if index >= 0 else f"{_path(parent)}{step}{tail}"


def _what(what: _What) -> str:
    if what is None:
        return "the schema"
    head, rest = what
    if isinstance(head, Field):
        assert isinstance(rest, Record)
        return f"field {head.name!r} of {rest.fullname}"
    assert not isinstance(rest, Record)
    return f"{head} {_what(rest)}"


class _Differ:
    def __init__(self) -> None:
        self.seen: set[tuple[int, int]] = set()

    def diff(self, old: AvroType, new: AvroType, at: _Path, what: _What) -> Iterator[Change]:
        key = (id(old), id(new))
        if key in self.seen:
            return
        self.seen.add(key)
        if isinstance(old, Union) or isinstance(new, Union):
            yield from self._unions(old, new, at, what)
            return
        if old.type != new.type:
            yield from self._type_change(old, new, _path(at), _what(what))
            return
        if isinstance(old, Primitive) and isinstance(new, Primitive):
            if old.logical != new.logical:
                yield from self._logical(old.logical, new.logical, _path(at), _what(what))
        elif isinstance(old, Array) and isinstance(new, Array):
            yield from self.diff(old.items, new.items, (at, "/items", -1, ""), ("items of", what))
        elif isinstance(old, Map) and isinstance(new, Map):
            yield from self.diff(
                old.values, new.values, (at, "/values", -1, ""), ("values of", what)
            )
        elif isinstance(old, NamedType) and isinstance(new, NamedType):
            path = _path(at)
            yield from self._named(old, new, path)
            if isinstance(old, Record) and isinstance(new, Record):
                yield from self._records(old, new, path)
            elif isinstance(old, Enum) and isinstance(new, Enum):
                yield from self._enums(old, new, path)
            elif isinstance(old, Fixed) and isinstance(new, Fixed):
                if old.size != new.size:
                    yield Change(
                        "fixed-size-changed",
                        path + "/size",
                        f"fixed {new.fullname} changed size from {old.size} to {new.size}",
                    )
                yield from self._logical(old.logical, new.logical, path, f"fixed {new.fullname}")

    def _type_change(self, old: AvroType, new: AvroType, path: str, where: str) -> Iterator[Change]:
        pair = (old.type, new.type)
        o, n = describe_type(old), describe_type(new)
        if pair in _WIDENINGS:
            kind = "type-widened-lossy" if pair in _LOSSY else "type-widened"
            extra = ": large values lose precision on the way" if pair in _LOSSY else ""
            yield Change(kind, path, f"{where} widened from {o} to {n}{extra}")
        elif (new.type, old.type) in _WIDENINGS:
            yield Change("type-narrowed", path, f"{where} narrowed from {o} to {n}")
        elif set(pair) == {"string", "bytes"}:
            yield Change(
                "string-bytes-changed",
                path,
                f"{where} changed from {o} to {n}: the wire accepts it, generated code "
                "changes type",
            )
        else:
            yield Change("type-changed", path, f"{where} changed from {o} to {n}")

    def _unions(self, old: AvroType, new: AvroType, at: _Path, what: _What) -> Iterator[Change]:
        old_b = old.branches if isinstance(old, Union) else (old,)
        new_b = new.branches if isinstance(new, Union) else (new,)
        if not isinstance(old, Union) and isinstance(new, Union):
            yield Change(
                "made-optional" if any(b.type == "null" for b in new_b) else "union-introduced",
                _path(at),
                f"{_what(what)} changed from {describe_type(old)} to the union "
                f"{describe_type(new)}",
            )
        elif isinstance(old, Union) and not isinstance(new, Union):
            yield Change(
                "made-required" if any(b.type == "null" for b in old_b) else "union-removed",
                _path(at),
                f"{_what(what)} changed from the union {describe_type(old)} to "
                f"{describe_type(new)}",
            )
        old_keys = {b.branch_name: (i, b) for i, b in enumerate(old_b)}
        new_keys = {b.branch_name: (i, b) for i, b in enumerate(new_b)}
        old_left = [b for k, (_, b) in old_keys.items() if k not in new_keys and b.type != "null"]
        new_left = [b for k, (_, b) in new_keys.items() if k not in old_keys and b.type != "null"]
        # One non-null branch on each side that changed type: that is the value's type changing
        # (["null", "long"] to ["null", "double"]), not a branch added and another removed.
        paired = len(old_left) == 1 and len(new_left) == 1
        both_unions = isinstance(old, Union) and isinstance(new, Union)
        for key, (i, b) in new_keys.items():
            here: _Path = (at, "/", i, "") if isinstance(new, Union) else at
            if key in old_keys:
                yield from self.diff(old_keys[key][1], b, here, what)
            elif paired and b is new_left[0]:
                yield from self.diff(old_left[0], b, here, what)
            elif both_unions:
                yield Change(
                    "union-branch-added",
                    _path(here),
                    f"{_what(what)} gained branch {describe_type(b)}",
                )
        for key, (_, b) in old_keys.items():
            if key in new_keys or (paired and b is old_left[0]):
                continue
            if both_unions:
                yield Change(
                    "union-branch-removed",
                    _path(at),
                    f"{_what(what)} lost branch {describe_type(b)}",
                )
        if (
            isinstance(old, Union)
            and isinstance(new, Union)
            and [k for k in old_keys if k in new_keys] != [k for k in new_keys if k in old_keys]
        ):
            yield Change(
                "union-reordered", _path(at), f"the branches of {_what(what)} were reordered"
            )

    def _named(
        self, old: Record | Enum | Fixed, new: Record | Enum | Fixed, path: str
    ) -> Iterator[Change]:
        if old.name != new.name:
            via = " (with an alias for the old name)" if old.fullname in new.aliases else ""
            yield Change(
                "type-renamed",
                path + "/name",
                f"{old.type} {old.fullname} renamed to {new.fullname}{via}: generated class "
                "names change, and under RecordNameStrategy it becomes a new subject",
            )
        elif old.namespace != new.namespace:
            yield Change(
                "namespace-changed",
                path + "/namespace",
                f"{old.type} {old.name} moved from namespace {old.namespace or '(none)'} to "
                f"{new.namespace or '(none)'}: generated modules and record-name subjects change",
            )
        if old.doc != new.doc:
            yield Change("doc-changed", path + "/doc", f"the doc of {new.fullname} changed")

    def _records(self, old: Record, new: Record, path: str) -> Iterator[Change]:
        matched: set[str] = set()
        old_order: list[str] = []
        for f in new.fields:
            previous = old.field_named(f.name)
            renamed = False
            if previous is None:
                for alias in f.aliases:
                    previous = old.field_named(alias)
                    if previous is not None:
                        renamed = True
                        break
            if previous is None:
                yield _field_added(new, f, f"{path}/fields/{f.position}")
                continue
            matched.add(previous.name)
            old_order.append(previous.name)
            if (
                renamed
                or previous.doc != f.doc
                or previous.order != f.order
                or previous.has_default != f.has_default
                or previous.default != f.default
            ):
                yield from self._field_attributes(previous, f, new, path, renamed)
            old_type, new_type = previous.type, f.type
            if (
                isinstance(old_type, Primitive)
                and isinstance(new_type, Primitive)
                and old_type.type == new_type.type
                and old_type.logical == new_type.logical
            ):
                continue  # the same plain type: nothing to say, no walk to start
            yield from self.diff(
                previous.type, f.type, (path, "/fields/", f.position, "/type"), (f, new)
            )
        for f in old.fields:
            if f.name not in matched:
                had = "had a default" if f.has_default else "had no default"
                yield Change(
                    "field-removed" if f.has_default else "field-removed-without-default",
                    f"{path}/fields",
                    f"field {f.name!r} removed from {new.fullname} (it {had})",
                )
        kept_in_old_order = [f.name for f in old.fields if f.name in matched]
        if old_order != kept_in_old_order:
            yield Change(
                "fields-reordered", f"{path}/fields", f"the fields of {new.fullname} were reordered"
            )

    def _field_attributes(
        self, previous: Field, f: Field, new: Record, path: str, renamed: bool
    ) -> Iterator[Change]:
        here = f"{path}/fields/{f.position}"
        label = f"field {f.name!r} of {new.fullname}"
        if renamed:
            yield Change(
                "field-renamed",
                here + "/name",
                f"field {previous.name!r} of {new.fullname} renamed to {f.name!r} (read "
                "through an alias): generated attribute names change",
            )
        yield from self._defaults(previous, f, here, label)
        if previous.doc != f.doc:
            yield Change("doc-changed", here + "/doc", f"the doc of {label} changed")
        if previous.order != f.order:
            yield Change(
                "field-order-changed",
                here + "/order",
                f"the sort order of {label} changed from {previous.order} to {f.order}",
            )

    def _defaults(self, old: Field, new: Field, path: str, label: str) -> Iterator[Change]:
        if old.has_default == new.has_default and old.default == new.default:
            return
        if not old.has_default:
            yield Change(
                "default-added", path + "/default", f"{label} gained the default {_j(new.default)}"
            )
        elif not new.has_default:
            yield Change("default-removed", path, f"{label} lost its default {_j(old.default)}")
        else:
            yield Change(
                "default-changed",
                path + "/default",
                f"the default of {label} changed from {_j(old.default)} to {_j(new.default)}",
            )

    def _enums(self, old: Enum, new: Enum, path: str) -> Iterator[Change]:
        added = [s for s in new.symbols if s not in old.symbols]
        removed = [s for s in old.symbols if s not in new.symbols]
        kept_old = [s for s in old.symbols if s in new.symbols]
        if kept_old != [s for s in new.symbols if s in old.symbols]:
            yield Change(
                "enum-symbols-reordered",
                path + "/symbols",
                f"the symbols of enum {new.fullname} were reordered: readers resolve symbols by "
                "name, but a consumer that decodes without the writer's schema reads the wrong "
                "symbol",
            )
        if added:
            under = (
                f" (readers without them fall back to the enum default {old.default!r})"
                if old.default
                else " (the old enum has no default: old readers cannot read them)"
            )
            yield Change(
                "enum-symbols-added",
                path + "/symbols",
                f"enum {new.fullname} gained {', '.join(added)}{under}",
            )
        if removed:
            yield Change(
                "enum-symbols-removed",
                path + "/symbols",
                f"enum {new.fullname} lost {', '.join(removed)}",
            )
        if old.default != new.default:
            yield Change(
                "enum-default-changed",
                path + "/default",
                f"the default symbol of enum {new.fullname} changed from {old.default!r} to "
                f"{new.default!r}",
            )

    def _logical(
        self, old: LogicalType | None, new: LogicalType | None, path: str, where: str
    ) -> Iterator[Change]:
        if old == new:
            return
        if old is not None and new is not None and old.name == new.name == "decimal":
            yield Change(
                "decimal-changed",
                path,
                f"{where}: decimal changed from precision {old.precision} scale {old.scale} to "
                f"precision {new.precision} scale {new.scale}: the same bytes now mean another "
                "number",
            )
            return
        o = old.name if old else "no logical type"
        n = new.name if new else "no logical type"
        yield Change(
            "logical-type-changed",
            path,
            f"{where}: logical type changed from {o} to {n}: the wire is the same, the meaning "
            "of the value is not",
        )


def translate_path(old: AvroType, new: AvroType, path: str) -> str:
    """The place in ``new`` that corresponds to JSON path ``path`` in ``old``.

    Fields are followed by name (or the new field's aliases), union branches by type, so a path
    found in an old version can be shown in the new file. Stops at the deepest place that still
    exists in ``new``.
    """
    tokens = [t for t in path.split("/") if t]
    out: list[str] = []
    o, n, i = old, new, 0
    while i < len(tokens):
        token = tokens[i]
        if token == "fields" and isinstance(o, Record) and isinstance(n, Record):
            out.append("fields")
            if i + 1 >= len(tokens) or not tokens[i + 1].isdigit():
                break
            position = int(tokens[i + 1])
            if position >= len(o.fields):
                break
            of = o.fields[position]
            nf = n.field_named(of.name) or next((f for f in n.fields if of.name in f.aliases), None)
            if nf is None:
                break
            out.append(str(nf.position))
            i += 2
            if i < len(tokens) and tokens[i] == "type":
                out.append("type")
                o, n, i = of.type, nf.type, i + 1
            continue
        if token == "items" and isinstance(o, Array) and isinstance(n, Array):
            o, n = o.items, n.items
        elif token == "values" and isinstance(o, Map) and isinstance(n, Map):
            o, n = o.values, n.values
        elif token.isdigit() and isinstance(o, Union) and int(token) < len(o.branches):
            branch = o.branches[int(token)]
            if not isinstance(n, Union):
                break
            keys = [b.branch_name for b in n.branches]
            if branch.branch_name not in keys:
                break
            index = keys.index(branch.branch_name)
            o, n = branch, n.branches[index]
            token = str(index)
        elif token in ("symbols", "name", "size"):
            out.append(token)
            break
        else:
            break
        out.append(token)
        i += 1
    return "/" + "/".join(out)


def _field_added(record: Record, f: Field, path: str) -> Change:
    if f.has_default:
        return Change(
            "field-added",
            path,
            f"field {f.name!r} added to {record.fullname} with default {_j(f.default)}",
        )
    return Change(
        "field-added-without-default",
        path,
        f"field {f.name!r} added to {record.fullname} without a default",
    )


def _j(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
