"""Specification tests: ``check_compatibility`` reproduces Confluent's verdict on our corpus."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devicecontracts.schema.compatibility import CompatibilityLevel, check_compatibility

from .corpus import (
    CASES,
    CASES_BY_ID,
    EXPECTED_FINDINGS,
    INCOMPATIBILITY_KINDS,
    INVALID_NEW_CASES,
    LEVELS,
    TRANSITIVE_CASES,
    VALID_NEW_CASES,
    Case,
    InvalidCase,
    TransitiveCase,
    ValidCase,
    api_form,
)

# A valid previous version used where only the new schema matters.
BASELINE: dict[str, Any] = {
    "type": "record",
    "name": "Reading",
    "fields": [{"name": "ts", "type": "long"}],
}


def assert_well_formed(result: Any, *, versions: frozenset[int]) -> None:
    """Check the shape of a result: no issues when compatible, well-formed issues otherwise."""
    if result.compatible:
        assert tuple(result.issues) == (), f"compatible result carries issues: {result.issues}"
        return
    assert result.issues, "an incompatible result must explain itself"
    for issue in result.issues:
        assert isinstance(issue.path, str), issue
        assert issue.path.startswith("/"), issue
        assert issue.kind in INCOMPATIBILITY_KINDS, issue
        assert isinstance(issue.message, str), issue
        assert issue.message, issue
        assert issue.previous_version in versions, issue


# --------------------------------------------------------------------------------------------
# The corpus: one previous version, every level.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_verdict(case: Case, level: str) -> None:
    """With a single previous version, every level gives the Java reader/writer verdict."""
    result = check_compatibility(api_form(case.new), [api_form(case.old)], level)
    assert result.compatible is case.expected(level), case.why
    assert_well_formed(result, versions=frozenset({1}))


@pytest.mark.parametrize(
    ("case_id", "level"),
    list(EXPECTED_FINDINGS),
    ids=[f"{case_id}-{level}" for case_id, level in EXPECTED_FINDINGS],
)
def test_corpus_reports_java_finding(case_id: str, level: str) -> None:
    """The issue kind Java reports (and its location, where pinned) is among the issues."""
    case = CASES_BY_ID[case_id]
    kind, path = EXPECTED_FINDINGS[(case_id, level)]
    result = check_compatibility(api_form(case.new), [api_form(case.old)], level)
    assert not result.compatible, case.why
    found = {(issue.kind, issue.path) for issue in result.issues}
    if path is None:
        assert kind in {k for k, _ in found}, found
    else:
        assert (kind, path) in found, found


def test_corpus_is_large_enough() -> None:
    """The corpus keeps at least 150 hand-written cases covering both verdict directions."""
    assert len(CASES) >= 150
    outcomes = {(c.backward, c.forward) for c in CASES}
    assert outcomes == {(True, True), (True, False), (False, True), (False, False)}


# --------------------------------------------------------------------------------------------
# Input forms.
# --------------------------------------------------------------------------------------------

_FORM_SAMPLE = [
    "rec-add-field-without-default",
    "union-add-branch",
    "prim-null-to-int",
    "name-namespace-only-change",
    "recursive-list-value-int-to-long",
]


@pytest.mark.parametrize("case_id", _FORM_SAMPLE)
def test_json_text_and_parsed_json_agree(case_id: str) -> None:
    """A schema given as JSON text is judged exactly like the same schema given parsed."""
    case = CASES_BY_ID[case_id]
    for level in ("BACKWARD", "FORWARD"):
        parsed = check_compatibility(api_form(case.new), [api_form(case.old)], level)
        text = check_compatibility(json.dumps(case.new), [json.dumps(case.old)], level)
        assert parsed.compatible is text.compatible is case.expected(level)


@pytest.mark.parametrize("level", LEVELS)
def test_enum_level_equals_string_level(level: str) -> None:
    """A CompatibilityLevel member behaves exactly like its name."""
    case = CASES_BY_ID["rec-remove-field-without-default"]
    by_enum = check_compatibility(
        api_form(case.new), [api_form(case.old)], CompatibilityLevel[level]
    )
    assert by_enum.compatible is case.expected(level)


@pytest.mark.parametrize("level", LEVELS)
def test_empty_history_is_compatible(level: str) -> None:
    """The first version of a subject is registered without a compatibility check."""
    result = check_compatibility(api_form(BASELINE), [], level)
    assert result.compatible is True
    assert tuple(result.issues) == ()


# --------------------------------------------------------------------------------------------
# Histories: latest-only versus transitive.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("case", TRANSITIVE_CASES, ids=[c.id for c in TRANSITIVE_CASES])
def test_history_verdict(case: TransitiveCase, level: str) -> None:
    """Transitive levels compare against every version, the others against the latest only."""
    previous = [api_form(schema) for schema in case.history]
    result = check_compatibility(api_form(case.new), previous, level)
    broken = case.breaks[level]
    assert result.compatible is (not broken), case.why
    assert_well_formed(result, versions=broken)
    if broken:
        # Confluent checks newest first and reports the newest version that fails.
        assert max(broken) in {issue.previous_version for issue in result.issues}


@pytest.mark.parametrize(
    ("case_id", "base"),
    [
        ("history-drop-default-after-adding-it", "BACKWARD"),
        ("history-alias-chain", "BACKWARD"),
        ("history-enum-default-added-late", "FORWARD"),
    ],
)
def test_known_transitivity_breakers(case_id: str, base: str) -> None:
    """The classic transitivity breakers pass at the latest-only level and fail transitively."""
    case = next(c for c in TRANSITIVE_CASES if c.id == case_id)
    previous = [api_form(schema) for schema in case.history]
    latest = check_compatibility(api_form(case.new), previous, base)
    transitive = check_compatibility(api_form(case.new), previous, f"{base}_TRANSITIVE")
    assert latest.compatible is True, case.why
    assert transitive.compatible is False, case.why
    assert {issue.previous_version for issue in transitive.issues} == {1}


# --------------------------------------------------------------------------------------------
# Validation of new schemas (42201) and lenient loading of stored ones.
# --------------------------------------------------------------------------------------------


def _invalid_issues(result: Any) -> list[Any]:
    return [issue for issue in result.issues if issue.kind == "INVALID_SCHEMA"]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("case", INVALID_NEW_CASES, ids=[c.id for c in INVALID_NEW_CASES])
def test_invalid_new_schema_is_rejected(case: InvalidCase, level: str) -> None:
    """Confluent rejects an invalid new schema with 42201 at every level, NONE included."""
    result = check_compatibility(api_form(case.schema), [api_form(BASELINE)], level)
    assert result.compatible is False, case.why
    invalid = _invalid_issues(result)
    assert invalid, f"expected an INVALID_SCHEMA issue, got {result.issues}"
    message = " ".join(issue.message for issue in invalid).lower()
    for needle in case.needles:
        assert needle.lower() in message, (needle, message)
    for issue in result.issues:
        assert issue.kind in INCOMPATIBILITY_KINDS
        assert issue.path.startswith("/")


@pytest.mark.parametrize("case", INVALID_NEW_CASES, ids=[c.id for c in INVALID_NEW_CASES])
def test_invalid_new_schema_is_rejected_without_history(case: InvalidCase) -> None:
    """Even the first version of a subject is validated before it can be registered."""
    result = check_compatibility(api_form(case.schema), [], "BACKWARD")
    assert result.compatible is False, case.why
    assert _invalid_issues(result)


_LENIENT = [c for c in INVALID_NEW_CASES if c.lenient_ok]


@pytest.mark.parametrize("case", _LENIENT, ids=[c.id for c in _LENIENT])
def test_invalid_schema_still_loads_as_previous_version(case: InvalidCase) -> None:
    """Stored versions are parsed without name or default validation, as the registry does."""
    empty_reader = {"type": "record", "name": "Reading", "fields": []}
    result = check_compatibility(api_form(empty_reader), [api_form(case.schema)], "BACKWARD")
    assert result.compatible is True, result.issues
    assert not _invalid_issues(result)


@pytest.mark.parametrize("case", VALID_NEW_CASES, ids=[c.id for c in VALID_NEW_CASES])
def test_valid_new_schema_is_accepted(case: ValidCase) -> None:
    """Confluent accepts these schemas, and each is FULL_TRANSITIVE-compatible with itself."""
    first = check_compatibility(api_form(case.schema), [], "BACKWARD")
    assert first.compatible is True, (case.why, first.issues)
    again = check_compatibility(api_form(case.schema), [api_form(case.schema)], "FULL_TRANSITIVE")
    assert again.compatible is True, (case.why, again.issues)
