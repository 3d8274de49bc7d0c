"""The local registry's verdicts match Confluent's on the compatibility corpus.

The corpus (tests/compatibility/corpus/) carries Confluent-exact expected verdicts derived
from Avro Java's rules; the local registry computes its own with the ``avro`` package and the
two workarounds. Agreement here is what makes the local registry a real second opinion for
``contracts register`` and ``contracts check --registry``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from devicecontracts.testing.registry import LocalRegistry, RegistryAPIError

from ..compatibility import corpus


@pytest.fixture(scope="module")
def registry() -> Any:
    """One local registry for the module (every case uses its own subjects)."""
    with LocalRegistry() as local:
        yield local


def accepts(
    registry: LocalRegistry, subject: str, history: list[Any], new: Any, level: str
) -> tuple[bool, str]:
    """The registry's verdict on registering ``new`` after ``history`` (stored as is) at
    ``level``, and its messages (the check register runs, without the identical-schema
    shortcut, which would skip it)."""
    registry.set_mode("IMPORT", subject)  # old schemas need only load, as stored ones do
    for schema in history:
        registry.register(subject, json.dumps(schema))
    registry.set_mode("READWRITE", subject)
    registry.set_level(level, subject)
    answer = registry.check(subject, json.dumps(new))
    return answer["is_compatible"], ", ".join(answer["messages"])


@pytest.mark.parametrize("case", corpus.CASES, ids=lambda c: c.id)
@pytest.mark.parametrize("level", ["BACKWARD", "FORWARD", "FULL"])
def test_pair_verdicts_match_confluent(registry: LocalRegistry, case: Any, level: str):
    """The registry accepts ``new`` after ``old`` exactly when Confluent would."""
    ok, message = accepts(registry, f"{case.id}-{level}", [case.old], case.new, level)
    assert ok == case.expected(level), f"{case.why} ({message})"


@pytest.mark.parametrize("case", corpus.TRANSITIVE_CASES, ids=lambda c: c.id)
@pytest.mark.parametrize("level", corpus.LEVELS)
def test_history_verdicts_match_confluent(registry: LocalRegistry, case: Any, level: str):
    """Transitive levels check every live version newest first and name the first that breaks;
    non-transitive ones only the latest."""
    ok, message = accepts(registry, f"{case.id}-{level}", list(case.history), case.new, level)
    broken = case.breaks[level]
    assert ok == (not broken), case.why
    if broken:
        assert f"{{oldSchemaVersion: {max(broken)}}}" in message


@pytest.mark.parametrize("case", corpus.INVALID_NEW_CASES, ids=lambda c: c.id)
def test_invalid_new_schemas_are_42201(registry: LocalRegistry, case: Any):
    """A schema Confluent refuses as new is refused with 42201, before any check."""
    with pytest.raises(RegistryAPIError) as error:
        registry.register(f"invalid-{case.id}", json.dumps(case.schema))
    assert (error.value.status, error.value.error_code) == (422, 42201), case.why


@pytest.mark.parametrize("case", corpus.VALID_NEW_CASES, ids=lambda c: c.id)
def test_valid_new_schemas_are_accepted(registry: LocalRegistry, case: Any):
    """A schema Confluent accepts, even if a naive validator would not, registers."""
    assert registry.register(f"valid-{case.id}", json.dumps(case.schema)).version == 1
