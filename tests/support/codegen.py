"""Helpers of the codegen tests: exact comparison of models and the round-trip property."""

from __future__ import annotations

import decimal
import functools
import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from devicecontracts.record import AvroRecord
from devicecontracts.schema import Schema, parse_schema
from devicecontracts.testing import decode, encode

ROOT = Path(__file__).resolve().parents[2]
"""The repository root."""
TORTURE = ROOT / "tests" / "codegen" / "torture"
"""The folder of the torture schema."""


def write_package(schemas: Path, out: Path, package: str) -> None:
    """Generate the package ``package`` from ``schemas`` and write its files into ``out``."""
    from devicecontracts.codegen import generate

    for path, text in generate(schemas, out, package).items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def same(a: Any, b: Any, *, exponents: bool = True) -> bool:
    """Exact equality: same model classes (so union branches), NaN equal to NaN, -0.0 not 0.0,
    decimals with the same exponent (unless ``exponents`` is false), datetimes with the same
    offset."""
    if isinstance(a, BaseModel) or isinstance(b, BaseModel):
        return type(a) is type(b) and all(
            same(getattr(a, name), getattr(b, name), exponents=exponents)
            for name in type(a).model_fields
        )
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, decimal.Decimal) and isinstance(b, decimal.Decimal):
        return str(a) == str(b) if exponents else a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(same(x, y, exponents=exponents) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], exponents=exponents) for k in a)
    if type(a) is not type(b):
        return False
    if hasattr(a, "utcoffset") and callable(a.utcoffset):
        return bool(a == b and a.utcoffset() == b.utcoffset())
    return bool(a == b)


@functools.cache
def model_schema(model: type[AvroRecord]) -> Schema:
    """The model's own Avro schema (its ``avro_schema_json``), parsed once per class."""
    return parse_schema(model.avro_schema_json)


def write(model: type[AvroRecord], datum: Any) -> bytes:
    """``datum`` written with fastavro and the model's schema."""
    return encode(datum, model_schema(model))


def read_plain(model: type[AvroRecord], raw: bytes) -> Any:
    """What fastavro reads from ``raw`` with its default options (no branch names)."""
    return decode(raw, model_schema(model))


def assert_round_trip(model: type[AvroRecord], datum: Any) -> AvroRecord:
    """The round-trip properties for one generated value; the model built from it.

    * bytes written by fastavro -> model -> bytes -> model is the identity (union branches,
      NaN, -0.0, decimal exponents and time zones included);
    * the model changes no value on the wire: fastavro reads the same values from the model's
      bytes as from the generated value's (numerically for decimals: of several decimal
      branches of a union the model writes the first that holds the value, whose scale may
      differ from the generated branch's);
    * ``from_avro_dict(to_avro_dict())`` is the identity too.
    """
    raw = write(model, datum)
    first = model.from_avro_bytes(raw)
    again_raw = first.to_avro_bytes()
    again = model.from_avro_bytes(again_raw)
    assert same(again, first), (first, again)
    assert same(read_plain(model, again_raw), read_plain(model, raw), exponents=False)
    assert same(model.from_avro_dict(first.to_avro_dict()), first)
    return first
