"""Small builders that keep the corpus's schemas readable."""

from __future__ import annotations

from typing import Any

from ._model import Schema


def rec(name: str, *fields: dict[str, Any], **attrs: object) -> dict[str, Any]:
    """Build a record schema."""
    return {"type": "record", "name": name, **attrs, "fields": list(fields)}


def fld(name: str, type_: Schema, **attrs: object) -> dict[str, Any]:
    """Build a record field; ``default``, ``aliases``, ``doc`` and ``order`` go in ``attrs``."""
    return {"name": name, "type": type_, **attrs}


def enum(name: str, symbols: list[str], **attrs: object) -> dict[str, Any]:
    """Build an enum schema."""
    return {"type": "enum", "name": name, **attrs, "symbols": list(symbols)}


def fixed(name: str, size: int, **attrs: object) -> dict[str, Any]:
    """Build a fixed schema."""
    return {"type": "fixed", "name": name, **attrs, "size": size}


def array(items: Schema, **attrs: object) -> dict[str, Any]:
    """Build an array schema."""
    return {"type": "array", "items": items, **attrs}


def amap(values: Schema, **attrs: object) -> dict[str, Any]:
    """Build a map schema."""
    return {"type": "map", "values": values, **attrs}


def logical(base: str, logical_type: str, **attrs: object) -> dict[str, Any]:
    """Build a primitive annotated with a logical type."""
    return {"type": base, "logicalType": logical_type, **attrs}


NS = "com.acme.iot"


def reading(*fields: dict[str, Any], **attrs: object) -> dict[str, Any]:
    """The telemetry record used by most cases: ``com.acme.iot.Reading``."""
    attrs.setdefault("namespace", NS)
    return rec("Reading", *fields, **attrs)
