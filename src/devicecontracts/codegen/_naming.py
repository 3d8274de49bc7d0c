"""Python names for Avro names: classes, attributes, enum members and modules.

Avro names are already identifiers in strict mode, but they may be Python keywords (``class``),
shadow what a pydantic model or an enum already has (``json``, ``copy``, ``mro``), start with an
underscore (pydantic makes those private), or repeat a short name in two namespaces. Every rule
here is deterministic: the same schemas always give the same names.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Mapping

__all__ = [
    "attribute_names",
    "class_names",
    "enum_member_names",
    "identifier",
    "module_name",
]

_INVALID = re.compile(r"[^0-9A-Za-z_]")


def identifier(name: str) -> str:
    """``name`` made a valid, non-keyword Python identifier (``class`` -> ``class_``)."""
    cleaned = _INVALID.sub("_", name) or "_"
    if cleaned[0].isdigit():
        cleaned = "_" + cleaned
    if keyword.iskeyword(cleaned) or cleaned in ("None", "True", "False"):
        cleaned += "_"
    return cleaned


def _unique(wanted: str, taken: set[str]) -> str:
    name = wanted
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def attribute_names(wire_names: Iterable[str], reserved: Iterable[str]) -> dict[str, str]:
    """Model attribute name per Avro field name.

    A field keeps its Avro name unless that is a keyword, not an identifier, starts with an
    underscore (pydantic would make it a private attribute) or shadows an attribute of the
    model base class (``json``, ``to_avro_dict``): then it gets a trailing underscore, and the
    Avro name stays the wire name through the field's alias.
    """
    taken = set(reserved)
    wires = list(wire_names)
    # Fields that keep their name claim it first, so a renamed field never takes another's name.
    keep = {w for w in wires if identifier(w) == w and not w.startswith("_") and w not in taken}
    taken |= keep
    out: dict[str, str] = {}
    for wire in wires:
        if wire in keep:
            out[wire] = wire
            continue
        base = identifier(wire).lstrip("_") or "field"
        if base[0].isdigit():
            base = "f" + base
        out[wire] = _unique(base if base not in taken and base != wire else base + "_", taken)
    return out


_ENUM_RESERVED = frozenset({"mro", "avro_default"}) | frozenset(
    n for n in dir(str) if not n.startswith("__")
)


def enum_member_names(symbols: Iterable[str]) -> list[str]:
    """Python member names for enum symbols (the symbol stays the member's value)."""
    symbols = list(symbols)
    taken = {s for s in symbols if _member_ok(s)}
    out = []
    for symbol in symbols:
        if _member_ok(symbol):
            out.append(symbol)
            continue
        base = identifier(symbol).lstrip("_") or "symbol"
        if base[0].isdigit():
            base = "s" + base
        out.append(_unique(base if base not in taken and _member_ok(base) else base + "_", taken))
    return out


def _member_ok(name: str) -> bool:
    return identifier(name) == name and not name.startswith("_") and name not in _ENUM_RESERVED


def class_names(fullnames: Iterable[str], reserved: Iterable[str] = ()) -> dict[str, str]:
    """A class name per Avro full name, unique among them and not in ``reserved``.

    The short name when it is unique; otherwise the colliding names are prefixed with their
    namespace, innermost part first, as far as needed: ``com.acme.v1.Header`` and
    ``com.acme.v2.Header`` become ``V1Header`` and ``V2Header``.
    """
    names = sorted(set(fullnames))
    taken = set(reserved)
    by_short: dict[str, list[str]] = {}
    for full in names:
        by_short.setdefault(identifier(full.rpartition(".")[2]), []).append(full)
    out: dict[str, str] = {}
    for short, group in sorted(by_short.items()):
        if len(group) == 1 and short not in taken:
            out[group[0]] = short
            continue
        depth = 1
        while True:
            candidates = {full: _qualified(full, depth) for full in group}
            if len(set(candidates.values())) == len(group) or depth > 32:
                break
            depth += 1
        for full in group:
            out[full] = candidates[full]
    result: dict[str, str] = {}
    for full in names:
        result[full] = _unique(out[full], taken)
    return result


def _qualified(fullname: str, depth: int) -> str:
    namespace, _, short = fullname.rpartition(".")
    parts = [p for p in namespace.split(".") if p][-depth:] if namespace else []
    prefix = "".join(p[:1].upper() + p[1:] for p in parts)
    return identifier(prefix + short)


def module_name(stem: str, taken: Mapping[str, object] | set[str]) -> str:
    """A module name for a file stem or folder: lower-case identifier, unique in ``taken``."""
    base = identifier(stem.lower()).strip("_") or "schema"
    if base[0].isdigit():
        base = "m" + base
    name = base
    n = 2
    while name in taken:
        name = f"{base}_{n}"
        n += 1
    return name
