"""Generated values are valid for fastavro and survive its writer and reader unchanged."""

from __future__ import annotations

from random import Random
from typing import Any

import pytest
from fastavro.validation import validate
from hypothesis import find, given

from devicecontracts.catalog import SchemaVersion, load_catalog
from devicecontracts.schema import Record, Union
from devicecontracts.testing import (
    as_read,
    decode,
    encode,
    fastavro_schema,
    from_avro_schema,
    untag,
    values_equal,
)
from devicecontracts.testing._unions import branch_for

from ..support.schemas import BUNDLED, FAST, torture_schema

CATALOG_VERSIONS = [v for v in load_catalog(BUNDLED).versions()]
TORTURE = torture_schema()
TORTURE_FASTAVRO = fastavro_schema(TORTURE)
TORTURE_VALUES = from_avro_schema(TORTURE)


@pytest.mark.parametrize(
    "version", CATALOG_VERSIONS, ids=[f"{v.contract}-v{v.version}" for v in CATALOG_VERSIONS]
)
def test_catalog_values_validate_and_round_trip(version: SchemaVersion) -> None:
    """Every catalog version's values pass fastavro's validation and read back unchanged."""
    assert version.schema is not None
    schema = version.schema
    parsed = fastavro_schema(schema)

    @FAST
    @given(from_avro_schema(version.schema))
    def check(value: Any) -> None:
        assert validate(value, parsed, raise_errors=True)
        assert values_equal(decode(encode(value, schema), schema), untag(value))

    check()


@FAST
@given(TORTURE_VALUES)
def test_torture_values_validate(value: Any) -> None:
    """Values of the torture schema pass fastavro's validation, union tags included."""
    assert validate(value, TORTURE_FASTAVRO, raise_errors=True)


@FAST
@given(TORTURE_VALUES)
def test_torture_values_round_trip(value: Any) -> None:
    """fastavro's reader returns exactly the generated torture value, without its tags."""
    assert values_equal(decode(encode(value, TORTURE), TORTURE), untag(value))


@FAST
@given(TORTURE_VALUES)
def test_torture_union_branches_survive(value: Any) -> None:
    """Read with return_named_type, every named union branch is the one that was generated."""
    read = decode(encode(value, TORTURE), TORTURE, return_named_type=True)
    assert values_equal(read, as_read(value, TORTURE, return_named_type=True))


def union_of(field: str) -> Union:
    """The union type of a field of the torture record."""
    record = TORTURE.root
    assert isinstance(record, Record)
    found = record.field_named(field)
    assert found is not None and isinstance(found.type, Union)
    return found.type


@pytest.mark.parametrize(
    ("field", "branch"),
    [
        ("shape", "com.acme.torture.Circle"),
        ("shape", "com.acme.torture.Square"),
        ("either_header", "com.acme.a.Header"),
        ("either_header", "com.acme.b.Header"),
    ],
)
def test_look_alike_records_are_all_generated_and_kept(field: str, branch: str) -> None:
    """Same-shaped records, and records sharing a short name, each come back as themselves."""
    union = union_of(field)
    value = find(
        from_avro_schema(union),
        lambda v: v is not None and v[0] == branch,
        random=Random(0),
    )
    assert decode(encode(value, union), union, return_named_type=True) == value


AMBIGUOUS = ["num", "real", "text_or_color", "raw_or_mac", "map_or_circle", "shape"]


@FAST
@given(TORTURE_VALUES)
def test_ambiguous_unions_write_the_drawn_branch(value: Any) -> None:
    """int/long, float/double, string/enum, bytes/fixed, map/record: the drawn branch is written."""
    for name in AMBIGUOUS:
        union = union_of(name)
        branch, _ = branch_for(value[name], union)
        # A union is written as its branch index first (zig-zag varint: index i is byte 2i).
        assert encode(value[name], union)[0] == 2 * union.branches.index(branch)
