"""Hand-written Avro schema-evolution corpus with Confluent-exact expected verdicts.

Every expected value below was derived from the rules of Apache Avro Java
``SchemaCompatibility.checkReaderWriterCompatibility`` (Avro 1.11.4, the version that Confluent
Schema Registry runs) and from Confluent's parse-time validation of *new* schemas; none of them
was produced by running an implementation. The rules and the Java-measured verdict table they
come from are in the shared research notes, governance-anchors.md, sections 1.1 and 5.

Conventions:

* ``Case.backward`` is the verdict with reader = ``new`` and writer = ``old``
  (Confluent ``BACKWARD``); ``Case.forward`` is reader = ``old`` and writer = ``new``
  (Confluent ``FORWARD``). ``FULL`` is both.
* Every ``new`` schema is valid under Confluent's strict validation of new schemas; ``old``
  schemas only need to load leniently, as stored schemas do.
* ``TRANSITIVE_CASES`` carry, for each of the seven levels, the set of 1-based previous versions
  that the new schema breaks against (empty set = compatible).

One module per section, in corpus order: ``primitives``, ``records``, ``field_aliases``,
``names``, ``enums``, ``fixed``, ``unions``, ``arrays_and_maps``, ``recursive``,
``logical_types`` and ``cosmetic`` each hold a ``CASES`` list; ``histories`` holds the
transitive cases, ``new_schemas`` the schemas Confluent rejects or accepts on registration, and
``expected_findings`` the findings Java reports for a few cases. ``_model`` defines the case
types and ``_builders`` the schema builders. Imports inside the package are relative, so it
works under any pytest import mode.
"""

from __future__ import annotations

from . import (
    arrays_and_maps,
    cosmetic,
    enums,
    field_aliases,
    fixed,
    logical_types,
    names,
    primitives,
    records,
    recursive,
    unions,
)
from ._model import (
    INCOMPATIBILITY_KINDS,
    LEVELS,
    Case,
    InvalidCase,
    Schema,
    TransitiveCase,
    ValidCase,
    api_form,
)
from .expected_findings import EXPECTED_FINDINGS
from .histories import TRANSITIVE_CASES
from .new_schemas import INVALID_NEW_CASES, VALID_NEW_CASES

CASES: tuple[Case, ...] = tuple(
    primitives.CASES
    + records.CASES
    + field_aliases.CASES
    + names.CASES
    + enums.CASES
    + fixed.CASES
    + unions.CASES
    + arrays_and_maps.CASES
    + recursive.CASES
    + logical_types.CASES
    + cosmetic.CASES
)

CASES_BY_ID: dict[str, Case] = {case.id: case for case in CASES}


def _check_ids_unique() -> None:
    ids = [c.id for c in CASES] + [c.id for c in TRANSITIVE_CASES]
    ids += [c.id for c in INVALID_NEW_CASES] + [c.id for c in VALID_NEW_CASES]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate corpus ids: {duplicates}")


_check_ids_unique()

__all__ = [
    "CASES",
    "CASES_BY_ID",
    "EXPECTED_FINDINGS",
    "INCOMPATIBILITY_KINDS",
    "INVALID_NEW_CASES",
    "LEVELS",
    "TRANSITIVE_CASES",
    "VALID_NEW_CASES",
    "Case",
    "InvalidCase",
    "Schema",
    "TransitiveCase",
    "ValidCase",
    "api_form",
]
