"""`SchemaRegistry`, the adapter: expected refusals become values, the rest become errors."""

from __future__ import annotations

import json

import pytest

from devicecontracts.catalog.lock import Reference
from devicecontracts.errors import RegistryIncompatibleError, RegistryRequestError
from devicecontracts.registry import RegistrySettings, SchemaRegistry
from devicecontracts.schema.compatibility import CompatibilityLevel
from devicecontracts.testing.registry import LocalRegistry

from .support import optional, point, reading, required


@pytest.fixture
def adapter(local_registry: LocalRegistry):
    """The adapter pointed at the local registry, no retries."""
    with SchemaRegistry(RegistrySettings(local_registry.url, retries=0)) as registry:
        yield registry


def test_unknown_subjects_and_unset_levels_are_values_not_errors(adapter: SchemaRegistry):
    """40401 on listing, 40408 on the level and 40401/40403 on lookup mean "nothing yet"."""
    assert adapter.versions("nope") == []
    assert adapter.subject_level("nope") is None
    assert adapter.lookup("nope", json.dumps(point())) is None
    assert adapter.global_level() is CompatibilityLevel.BACKWARD


def test_register_returns_version_and_id_even_when_the_answer_has_only_the_id(
    adapter: SchemaRegistry,
):
    """The local registry answers ``{"id": n}`` as older Confluent does; the adapter finds the
    version by lookup."""
    first = adapter.register("point", json.dumps(point()))
    second = adapter.register("point", json.dumps(point(optional("y"))))
    assert (first.version, second.version) == (1, 2)
    assert adapter.lookup("point", json.dumps(point())) == first.__class__(
        "point", 1, first.schema_id, json.dumps(point()), ()
    )


def test_check_returns_the_verbose_messages(adapter: SchemaRegistry):
    """The verdict keeps the registry's messages (the client's own method drops them)."""
    adapter.register("point", json.dumps(point()))
    verdict = adapter.check("point", json.dumps(point(required("y"))))
    assert verdict.compatible is False
    assert any("READER_FIELD_MISSING_DEFAULT_VALUE" in m for m in verdict.messages)
    assert adapter.check("point", json.dumps(point(optional("y")))).compatible is True


def test_references_travel_with_register_lookup_and_check(adapter: SchemaRegistry):
    """References are sent on every call and are part of what identifies a schema."""
    adapter.register("point", json.dumps(point()))
    ref = (Reference("com.example.Point", "point", 1),)
    registered = adapter.register("reading", json.dumps(reading()), ref)
    assert registered.references == ref
    assert adapter.lookup("reading", json.dumps(reading()), ref) is not None
    assert adapter.check("reading", json.dumps(reading()), ref).compatible is True


def test_levels_set_and_cleared(adapter: SchemaRegistry):
    """set_level gives the subject its own level; clear_level removes it again."""
    adapter.set_level("point", CompatibilityLevel.FULL_TRANSITIVE)
    assert adapter.subject_level("point") is CompatibilityLevel.FULL_TRANSITIVE
    adapter.clear_level("point")
    assert adapter.subject_level("point") is None


def test_refusals_carry_status_code_and_operation(adapter: SchemaRegistry):
    """A refusal names the operation and keeps the HTTP status and error code."""
    adapter.register("point", json.dumps(point()))
    with pytest.raises(RegistryIncompatibleError) as incompatible:
        adapter.register("point", json.dumps(point(required("y"))))
    assert (incompatible.value.status, incompatible.value.error_code) == (409, 40901)
    assert incompatible.value.operation == "registering a new version of point"
    with pytest.raises(RegistryRequestError) as missing:
        adapter.version("point", 9)
    assert missing.value.error_code == 40402
    assert missing.value.location.subject == "point"
