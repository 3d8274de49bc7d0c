"""What a parsed tree looks like from outside: walking it, its JSON, its Parsing Canonical Form
and the fingerprint of that form.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterator, Sequence

from devicecontracts._depth import with_headroom
from devicecontracts.schema._nodes import (
    JSON,
    Array,
    AvroType,
    Enum,
    Field,
    Map,
    NamedType,
    Primitive,
    Record,
    Union,
)

__all__ = ["canonical_form", "children", "fingerprint", "form_fingerprint", "to_json", "walk"]

# A str as JSON, exactly as json.dumps(s, ensure_ascii=False) writes it, without building an
# encoder per call (dumps with a non-default argument does).
_string: Callable[[str], str] = json.encoder.encode_basestring


def walk(root: AvroType) -> Iterator[AvroType]:
    """Every node reachable from ``root`` once, depth first (named types at first use)."""
    seen: set[int] = set()
    stack: list[AvroType] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, NamedType):
            if id(node) in seen:
                continue
            seen.add(id(node))
        yield node
        stack.extend(reversed(list(children(node))))


def children(node: AvroType) -> Sequence[AvroType]:
    """The direct child types of a node."""
    if isinstance(node, Record):
        return [f.type for f in node.fields]
    if isinstance(node, Array):
        return [node.items]
    if isinstance(node, Map):
        return [node.values]
    if isinstance(node, Union):
        return node.branches
    return ()


def to_json(root: AvroType) -> JSON:
    """Standalone JSON for a tree: each named type defined at first use with explicit namespace."""
    return with_headroom(lambda: _to_json(root))


def _to_json(root: AvroType) -> JSON:
    done: set[str] = set()
    enclosing = [""]  # the namespace a nested definition inherits

    def emit(t: AvroType) -> JSON:
        if isinstance(t, NamedType):
            if t.fullname in done:
                return t.fullname
            done.add(t.fullname)
            out: dict[str, JSON] = {"type": t.type, "name": t.name}
            if t.namespace or enclosing[-1]:
                # "" must be explicit inside a namespaced type, or the name would inherit it.
                out["namespace"] = t.namespace
            if t.doc is not None:
                out["doc"] = t.doc
            if t.aliases:
                out["aliases"] = list(t.aliases)
            if isinstance(t, Record):
                enclosing.append(t.namespace)
                out["fields"] = [emit_field(f) for f in t.fields]
                enclosing.pop()
            elif isinstance(t, Enum):
                out["symbols"] = list(t.symbols)
                if t.default is not None:
                    out["default"] = t.default
            else:
                out["size"] = t.size
            out.update(t.props)
            return out
        if isinstance(t, Union):
            return [emit(b) for b in t.branches]
        if isinstance(t, Array):
            return {"type": "array", "items": emit(t.items), **t.props}
        if isinstance(t, Map):
            return {"type": "map", "values": emit(t.values), **t.props}
        assert isinstance(t, Primitive)
        return {"type": t.type, **t.props} if t.props else t.type

    def emit_field(f: Field) -> JSON:
        out: dict[str, JSON] = {"name": f.name, "type": emit(f.type)}
        if f.doc is not None:
            out["doc"] = f.doc
        if f.has_default:
            # A float default read from a string may be NaN or infinite: written as Java's
            # Jackson writes it (a quoted "NaN"), so the output stays JSON.
            out["default"] = (
                str(f.default).replace("nan", "NaN").replace("inf", "Infinity")
                if isinstance(f.default, float) and not math.isfinite(f.default)
                else f.default
            )
        if f.order != "ascending":
            out["order"] = f.order
        if f.aliases:
            out["aliases"] = list(f.aliases)
        out.update(f.props)
        return out

    return emit(root)


def canonical_form(root: AvroType) -> str:
    """The Parsing Canonical Form of the Avro specification.

    Primitives as bare names, full names everywhere, only the attributes that matter for
    parsing (name, type, fields, symbols, items, values, size) in that order, named types spelled
    out at first use only, no whitespace.
    """
    return with_headroom(lambda: _canonical_form(root))


def _canonical_form(root: AvroType) -> str:
    out: list[str] = []
    _emit_canonical(root, set(), out)
    return "".join(out)


def _emit_canonical(t: AvroType, done: set[str], out: list[str]) -> None:
    """Append the canonical form of ``t`` to ``out``; ``done`` holds the named types spelled
    out already. (A plain recursive function: a nested closure that calls itself is a
    reference cycle, left for the cyclic collector after every call.)"""
    if isinstance(t, NamedType):
        if t.fullname in done:
            out.append(_string(t.fullname))
            return
        done.add(t.fullname)
        out.append('{"name":' + _string(t.fullname) + ',"type":"' + t.type + '"')
        if isinstance(t, Record):
            out.append(',"fields":[')
            for i, f in enumerate(t.fields):
                head = ('{"name":' if i == 0 else ',{"name":') + _string(f.name) + ',"type":'
                ft = f.type
                if type(ft) is Primitive:  # most fields: one piece, no call
                    out.append(head + '"' + ft.type + '"}')
                else:
                    out.append(head)
                    _emit_canonical(ft, done, out)
                    out.append("}")
            out.append("]}")
        elif isinstance(t, Enum):
            out.append(',"symbols":[' + ",".join(map(_string, t.symbols)) + "]}")
        else:
            out.append(f',"size":{t.size}}}')
    elif isinstance(t, Union):
        out.append("[")
        for i, b in enumerate(t.branches):
            if i:
                out.append(",")
            if type(b) is Primitive:
                out.append('"' + b.type + '"')
            else:
                _emit_canonical(b, done, out)
        out.append("]")
    elif isinstance(t, Array):
        out.append('{"type":"array","items":')
        _emit_canonical(t.items, done, out)
        out.append("}")
    elif isinstance(t, Map):
        out.append('{"type":"map","values":')
        _emit_canonical(t.values, done, out)
        out.append("}")
    else:
        out.append('"' + t.type + '"')


def fingerprint(root: AvroType) -> str:
    """``sha256:`` and the hex SHA-256 of the Parsing Canonical Form of ``root``."""
    return form_fingerprint(canonical_form(root))


def form_fingerprint(form: str) -> str:
    """``sha256:`` and the hex SHA-256 of a Parsing Canonical Form already computed."""
    return "sha256:" + hashlib.sha256(form.encode()).hexdigest()
