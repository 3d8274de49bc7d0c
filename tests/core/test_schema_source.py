"""`Schema.source`: the JSON a schema was parsed from, not held decoded when it came as text."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from devicecontracts.schema import parse_schema

RECORD = {
    "type": "record",
    "name": "Reading",
    "namespace": "com.acme",
    "doc": "A reading.",
    "fields": [
        {"name": "value", "type": "double", "doc": "The value."},
        {"name": "unit", "type": {"type": "enum", "name": "Unit", "symbols": ["C", "F"]}},
        {"name": "note", "type": ["null", "string"], "default": None},
    ],
}


@given(indent=st.sampled_from([None, 0, 2, 4]), pad=st.sampled_from(["", " ", "\n\t"]))
def test_source_from_text_is_the_decoded_text(indent: int | None, pad: str) -> None:
    """Whatever the layout, ``source`` is the text's JSON, and reading it twice gives equal,
    separate values (one reader's changes never reach the next)."""
    text = pad + json.dumps(RECORD, indent=indent) + pad
    schema = parse_schema(text)
    assert schema.source == RECORD
    first = schema.source
    first["fields"].clear()
    assert schema.source == RECORD


def test_text_is_kept_instead_of_its_decoded_json() -> None:
    """The schema holds the caller's own text object (no second copy) and no decoded JSON."""
    text = json.dumps(RECORD)
    schema = parse_schema(text)
    assert schema._text is text
    assert schema._json is None


def test_source_of_parsed_json_and_bare_names() -> None:
    """Given parsed JSON, ``source`` is that JSON; a bare or quoted type name is the name."""
    assert parse_schema(RECORD).source is RECORD
    assert parse_schema("int").source == "int"
    assert parse_schema('"com.acme.Reading"', named_types=parse_schema(RECORD).named).source == (
        "com.acme.Reading"
    )


def test_source_with_comments_reads_as_avro_java_reads_them() -> None:
    """Comments (which Avro Java's parser allows) are dropped on every read, as on the first."""
    text = "// a comment\n" + json.dumps(RECORD)
    assert parse_schema(text).source == RECORD


def test_a_loaded_catalog_keeps_texts_not_decoded_json() -> None:
    """Every parsed version of the bundled catalog holds its file's text as its source and
    no decoded copy; ``source`` still gives the file's JSON."""
    from pathlib import Path

    from devicecontracts.catalog import load_catalog
    from devicecontracts.schema import load_json

    catalog = load_catalog(Path(__file__).resolve().parents[2] / "schemas")
    versions = [v for c in catalog.contracts.values() for v in c.versions]
    assert versions
    for v in versions:
        assert v.schema is not None and v.raw is None
        assert v.schema._text is v.text and v.schema._json is None
        assert v.schema.source == load_json(v.text)
