"""Differential tests: our verdicts against two independent Avro implementations.

(a) The ``avro`` package's ``ReaderWriterCompatibilityChecker`` (a port of Java's checker). It
    must agree with us on every corpus pair in both directions, except the pairs listed in
    ``KNOWN_AVRO_PY_DISAGREEMENTS``, each of which must still disagree.
(b) fastavro schema resolution. When we say a reader can read a writer, records generated for the
    writer schema must decode with the reader schema; when we say it cannot, decoding must fail.
    Exceptions are listed in ``KNOWN_FASTAVRO_DISAGREEMENTS`` and must still disagree.

Keys are ``"<case id>-BACKWARD"`` (reader = new, writer = old) or ``"<case id>-FORWARD"``
(reader = old, writer = new).
"""

from __future__ import annotations

import copy
import io
import json
import random
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType
from avro.schema import parse as avro_parse
from fastavro import parse_schema, schemaless_reader, schemaless_writer
from fastavro.utils import generate_many

from devicecontracts.schema.compatibility import check_compatibility

from .corpus import CASES, Case, Schema, api_form

DIRECTIONS = ("BACKWARD", "FORWARD")
PAIRS = [(case, direction) for case in CASES for direction in DIRECTIONS]
PAIR_IDS = [f"{case.id}-{direction}" for case, direction in PAIRS]
PAIRS_BY_KEY = dict(zip(PAIR_IDS, PAIRS, strict=True))

_PY_SHORT_ALIAS = (
    "avro-py compares the raw alias string with the writer's full name; Java first resolves a"
    " short alias against the reader's namespace"
)

KNOWN_AVRO_PY_DISAGREEMENTS: dict[str, str] = {
    "alias-ambiguous-two-writer-fields-BACKWARD": (
        "Java throws when a reader field's aliases match two writer fields (Confluent:"
        " incompatible); avro-py silently takes the first alias that matches"
    ),
    "alias-ambiguous-direct-name-plus-alias-BACKWARD": (
        "Java counts the direct name match and the alias match as two writer fields and throws;"
        " avro-py returns the direct match without looking at aliases"
    ),
    "alias-equal-to-own-name-BACKWARD": (
        "Java adds the same writer field twice (by name and by alias) and throws; avro-py stops at"
        " the direct match"
    ),
    "name-rename-record-short-alias-same-namespace-BACKWARD": _PY_SHORT_ALIAS,
    "name-rename-record-short-alias-dotted-name-BACKWARD": _PY_SHORT_ALIAS,
    "name-nested-record-renamed-short-alias-BACKWARD": (
        _PY_SHORT_ALIAS + " (here the namespace is inherited from the enclosing record)"
    ),
    "name-enum-renamed-short-alias-BACKWARD": _PY_SHORT_ALIAS + " (enums too)",
    "name-short-alias-writer-without-namespace-BACKWARD": (
        "Java resolves the alias 'Reading' to com.acme.iot.Reading, which differs from the"
        " writer's full name 'Reading'; avro-py's raw string comparison happens to match"
    ),
}

_FASTAVRO_UTF8 = (
    "fastavro decodes bytes promoted to string as strict UTF-8 and fails on the random bytes it"
    " generates; Java's promotion does not validate UTF-8 and the checker allows it"
)
_FASTAVRO_STRICT_DEFAULTS = (
    "fastavro validates defaults when parsing the stored schema; the registry loads stored"
    " schemas leniently, and Java's checker only asks whether a default exists"
)
_FASTAVRO_UNQUALIFIED_ALIAS = (
    "fastavro also accepts a reader alias equal to the writer's unqualified name; Java requires"
    " the alias, qualified with the reader's namespace, to equal the writer's full name"
)
_FASTAVRO_NO_AMBIGUITY = (
    "fastavro resolves the reader field by its own name and never checks whether its aliases"
    " match another writer field; Java throws on the ambiguity"
)

KNOWN_FASTAVRO_DISAGREEMENTS: dict[str, str] = {
    "prim-bytes-to-string-BACKWARD": _FASTAVRO_UTF8,
    "prim-string-to-bytes-FORWARD": _FASTAVRO_UTF8,
    "rec-field-string-to-bytes-FORWARD": _FASTAVRO_UTF8,
    "union-string-branch-to-bytes-branch-FORWARD": _FASTAVRO_UTF8,
    "array-items-string-to-bytes-FORWARD": _FASTAVRO_UTF8,
    "rec-lenient-old-invalid-default-removed-BACKWARD": _FASTAVRO_STRICT_DEFAULTS,
    "rec-lenient-old-invalid-default-removed-FORWARD": _FASTAVRO_STRICT_DEFAULTS,
    "rec-lenient-old-invalid-int-default-BACKWARD": _FASTAVRO_STRICT_DEFAULTS,
    "rec-lenient-old-invalid-int-default-FORWARD": _FASTAVRO_STRICT_DEFAULTS,
    "alias-ambiguous-direct-name-plus-alias-BACKWARD": _FASTAVRO_NO_AMBIGUITY,
    "alias-equal-to-own-name-BACKWARD": _FASTAVRO_NO_AMBIGUITY,
    "name-short-alias-other-namespace-BACKWARD": _FASTAVRO_UNQUALIFIED_ALIAS,
    "name-short-alias-writer-without-namespace-BACKWARD": _FASTAVRO_UNQUALIFIED_ALIAS,
    "name-short-alias-reader-without-namespace-BACKWARD": _FASTAVRO_UNQUALIFIED_ALIAS,
    "alias-two-reader-fields-share-one-writer-field-BACKWARD": (
        "fastavro hands each writer field to one reader field, so the second reader field needs"
        " a default; Java's checker (what Confluent runs) looks up each reader field"
        " independently and accepts"
    ),
}

# Records generated per pair. Compatible pairs use a few; incompatible pairs use more so that the
# random generator almost surely produces the union branch or enum symbol that breaks the reader.
RECORDS_IF_COMPATIBLE = 5
RECORDS_IF_INCOMPATIBLE = 25


def reader_and_writer(case: Case, direction: str) -> tuple[Schema, Schema]:
    """BACKWARD reads old data with the new schema; FORWARD reads new data with the old one."""
    return (case.new, case.old) if direction == "BACKWARD" else (case.old, case.new)


def our_verdict(case: Case, direction: str) -> bool:
    """The engine's verdict for one direction of one corpus case."""
    return check_compatibility(api_form(case.new), [api_form(case.old)], direction).compatible


def avro_py_verdict(reader: Schema, writer: Schema) -> bool:
    """The ``avro`` package's verdict; unknown logical types only trigger a warning there."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ReaderWriterCompatibilityChecker().get_compatibility(
            avro_parse(json.dumps(reader)), avro_parse(json.dumps(writer))
        )
    return result.compatibility is SchemaCompatibilityType.compatible


@contextmanager
def seeded(seed: str) -> Iterator[None]:
    """Seed the global RNG fastavro's generator uses, and restore it afterwards."""
    state = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(state)


def fastavro_reads(reader: Schema, writer: Schema, *, count: int, seed: str) -> bool:
    """Whether records generated for ``writer`` decode with ``reader`` in fastavro.

    A schema fastavro refuses to parse counts as "cannot read". Skips the test when fastavro
    cannot generate or write data for the writer schema (e.g. an always-recursive tree).
    """
    try:
        parsed_writer = parse_schema(copy.deepcopy(writer))
        parsed_reader = parse_schema(copy.deepcopy(reader))
    except Exception:  # any refusal to parse means fastavro cannot read
        return False
    try:
        with seeded(seed):
            records = list(generate_many(copy.deepcopy(writer), count))
        payloads = []
        for record in records:
            buffer = io.BytesIO()
            schemaless_writer(buffer, parsed_writer, record)
            payloads.append(buffer.getvalue())
    except Exception as error:  # includes RecursionError on recursive types
        pytest.skip(f"fastavro cannot generate data for the writer: {type(error).__name__}")
    for payload in payloads:
        try:
            schemaless_reader(io.BytesIO(payload), parsed_writer, parsed_reader)
        except Exception:  # any decoding error means "cannot read"
            return False
    return True


# --------------------------------------------------------------------------------------------
# (a) avro package
# --------------------------------------------------------------------------------------------

_AGREEING = [key for key in PAIR_IDS if key not in KNOWN_AVRO_PY_DISAGREEMENTS]


@pytest.mark.parametrize("key", _AGREEING)
def test_agrees_with_avro_python_checker(key: str) -> None:
    """Outside the known list, our verdict equals the avro package's checker."""
    case, direction = PAIRS_BY_KEY[key]
    reader, writer = reader_and_writer(case, direction)
    assert our_verdict(case, direction) is avro_py_verdict(reader, writer), case.why


@pytest.mark.parametrize("key", list(KNOWN_AVRO_PY_DISAGREEMENTS))
def test_known_avro_python_disagreement_persists(key: str) -> None:
    """Each listed disagreement with the avro package is real and still present."""
    assert key in PAIRS_BY_KEY, f"unknown corpus pair {key}"
    case, direction = PAIRS_BY_KEY[key]
    reader, writer = reader_and_writer(case, direction)
    assert our_verdict(case, direction) is not avro_py_verdict(reader, writer), (
        KNOWN_AVRO_PY_DISAGREEMENTS[key]
    )


# --------------------------------------------------------------------------------------------
# (b) fastavro schema resolution
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", PAIR_IDS)
def test_fastavro_resolution_matches_verdict(key: str) -> None:
    """Generated writer data decodes in fastavro exactly when we call the pair compatible."""
    case, direction = PAIRS_BY_KEY[key]
    reader, writer = reader_and_writer(case, direction)
    compatible = our_verdict(case, direction)
    count = RECORDS_IF_COMPATIBLE if compatible else RECORDS_IF_INCOMPATIBLE
    reads = fastavro_reads(reader, writer, count=count, seed=key)
    if key in KNOWN_FASTAVRO_DISAGREEMENTS:
        assert reads is not compatible, f"stale entry: {KNOWN_FASTAVRO_DISAGREEMENTS[key]}"
    else:
        assert reads is compatible, case.why


def test_known_fastavro_disagreements_name_corpus_pairs() -> None:
    """Every listed fastavro disagreement refers to an existing corpus pair."""
    unknown = sorted(set(KNOWN_FASTAVRO_DISAGREEMENTS) - set(PAIRS_BY_KEY))
    assert not unknown, unknown
