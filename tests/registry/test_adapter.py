"""`SchemaRegistry`, the adapter: expected refusals become values, the rest become errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from devicecontracts.catalog.lock import Reference
from devicecontracts.errors import (
    RegistryAuthError,
    RegistryError,
    RegistryIncompatibleError,
    RegistryRequestError,
    RegistryServerError,
    RegistryUnreachableError,
)
from devicecontracts.registry import RegistrySettings, SchemaRegistry
from devicecontracts.registry._errors import refusal
from devicecontracts.schema.compatibility import CompatibilityLevel
from devicecontracts.serde import WriterSchemas
from devicecontracts.testing.registry import LocalRegistry

from ..support.registry import optional, point, reading, required


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


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (401, 40101, RegistryAuthError),
        (403, 40301, RegistryAuthError),
        (409, 40901, RegistryIncompatibleError),
        (500, 50001, RegistryServerError),
        (429, 42901, RegistryServerError),
        (422, 42201, RegistryRequestError),
        (400, 40001, RegistryRequestError),
    ],
)
def test_the_cli_and_the_runtime_read_a_refusal_the_same_way(
    local_registry: LocalRegistry, status: int, code: int, kind: type[RegistryError]
):
    """The same answer from the registry is the same error class, status and code whether the
    adapter (CLI) or the writer lookup (runtime) received it: one map serves both."""
    settings = RegistrySettings(local_registry.url, retries=0)
    schema_id = local_registry.register("point", point()).id
    local_registry.fail_next(status, code, times=2)
    with SchemaRegistry(settings) as adapter, pytest.raises(RegistryError) as by_adapter:
        adapter.versions("point")
    with pytest.raises(RegistryError) as by_runtime:
        WriterSchemas(registry=settings, models_package=None).get(schema_id)

    for raised in (by_adapter.value, by_runtime.value):
        assert type(raised) is kind
        assert (raised.status, raised.error_code) == (status, code)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (None, RegistryUnreachableError),
        (-1, RegistryUnreachableError),
        (401, RegistryAuthError),
        (404, RegistryRequestError),
        (408, RegistryServerError),
        (503, RegistryServerError),
    ],
)
def test_the_map_covers_answers_without_a_real_exchange(status: int | None, kind: type):
    """No status (the client answered for the registry) means unreachable; every message is
    redacted by the caller's function."""
    error = refusal(
        "reading x", status, -1, "secret-1 said no", redact=lambda t: t.replace("secret-1", "***")
    )
    assert type(error) is kind
    assert "secret-1" not in str(error) and error.operation == "reading x"


def test_settings_and_the_error_map_import_without_the_adapter():
    """The runtime's share of this package (settings, error map) imports no adapter, no
    confluent-kafka and no schema core."""
    code = (
        "import sys, json, devicecontracts.registry.settings, devicecontracts.registry._errors\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(json.loads(done.stdout))
    heavy = {"devicecontracts.registry._adapter", "confluent_kafka", "devicecontracts.schema"}
    assert loaded.isdisjoint(heavy), loaded & heavy
