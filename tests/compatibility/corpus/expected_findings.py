"""Specific findings Java reports for a few cases: (case id, direction) -> (kind, path or None).

Paths are Java's JSON-pointer locations, relative to the reader schema.
"""

from __future__ import annotations

EXPECTED_FINDINGS: dict[tuple[str, str], tuple[str, str | None]] = {
    ("rec-add-field-without-default", "BACKWARD"): (
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "/fields/1",
    ),
    ("rec-remove-field-without-default", "FORWARD"): (
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "/fields/1",
    ),
    ("rec-field-int-to-string", "BACKWARD"): ("TYPE_MISMATCH", "/fields/0/type"),
    ("rec-nested-add-field-without-default", "BACKWARD"): (
        "READER_FIELD_MISSING_DEFAULT_VALUE",
        "/fields/0/type/fields/2",
    ),
    ("rec-add-enum-field-with-type-default-only", "BACKWARD"): ("TYPE_MISMATCH", "/fields/1/type"),
    ("prim-int-to-string", "BACKWARD"): ("TYPE_MISMATCH", "/"),
    ("prim-int-to-long", "FORWARD"): ("TYPE_MISMATCH", "/"),
    ("alias-ambiguous-two-writer-fields", "BACKWARD"): ("AMBIGUOUS_ALIAS", None),
    ("alias-ambiguous-direct-name-plus-alias", "BACKWARD"): ("AMBIGUOUS_ALIAS", None),
    ("alias-equal-to-own-name", "BACKWARD"): ("AMBIGUOUS_ALIAS", None),
    ("name-rename-record-no-alias", "BACKWARD"): ("NAME_MISMATCH", "/name"),
    ("name-rename-record-full-alias", "FORWARD"): ("NAME_MISMATCH", "/name"),
    ("name-enum-renamed-no-alias", "BACKWARD"): ("NAME_MISMATCH", "/fields/0/type/name"),
    ("enum-remove-symbol-no-default", "BACKWARD"): (
        "MISSING_ENUM_SYMBOLS",
        "/fields/0/type/symbols",
    ),
    ("enum-add-symbol-no-default", "FORWARD"): ("MISSING_ENUM_SYMBOLS", "/fields/0/type/symbols"),
    ("enum-top-level-add-symbol", "FORWARD"): ("MISSING_ENUM_SYMBOLS", "/symbols"),
    ("fixed-size-grows", "BACKWARD"): ("FIXED_SIZE_MISMATCH", "/size"),
    ("fixed-size-shrinks", "FORWARD"): ("FIXED_SIZE_MISMATCH", "/fields/0/type/size"),
    ("union-remove-branch", "BACKWARD"): ("MISSING_UNION_BRANCH", "/2"),
    ("union-add-branch", "FORWARD"): ("MISSING_UNION_BRANCH", "/2"),
    # Java checks each branch of a writer union against a non-union reader with a fresh location
    # stack, so it reports these at "/"; only the kind is pinned here.
    ("union-make-field-nullable", "FORWARD"): ("TYPE_MISMATCH", None),
    ("union-make-field-required", "BACKWARD"): ("TYPE_MISMATCH", None),
    ("union-record-branch-gains-required-field", "BACKWARD"): ("MISSING_UNION_BRANCH", None),
    ("single-type-to-union-via-promotion", "FORWARD"): ("TYPE_MISMATCH", "/"),
    ("array-items-long-to-int", "BACKWARD"): ("TYPE_MISMATCH", "/items"),
    ("map-values-int-to-long", "FORWARD"): ("TYPE_MISMATCH", "/values"),
    ("map-to-array", "BACKWARD"): ("TYPE_MISMATCH", "/"),
}
