"""A local, Confluent-API-faithful schema registry for tests: `LocalRegistry` and a fixture.

Use it where you would otherwise need a real Schema Registry: it serves Confluent's REST API on
127.0.0.1 (an ephemeral port), with Confluent's status and error codes, idempotent registration,
soft delete, per-subject levels, references and verbose compatibility messages. Its
compatibility verdicts come from the ``avro`` package (Apache Avro's checker, two known bugs
worked around), not from devicecontracts' own engine. Needs the ``testing`` extra (``avro``).

In a test, with the pytest fixture::

    def test_producer_registers(local_registry):
        client = SchemaRegistryClient({"url": local_registry.url})
        client.register_schema("fleet.alarms-value", Schema(text, "AVRO"))
        assert local_registry.versions("fleet.alarms-value") == [1]

or without pytest::

    with LocalRegistry(basic_auth=("key", "secret")) as registry:
        registry.register("fleet.alarms-value", schema)
        registry.fail_next(500, 50001, times=1)       # the next request fails once
        registry.slow_down(5.0, path="/subjects/")     # the next matching answer is late

For local development, ``contracts registry serve`` runs one until interrupted.
"""

from __future__ import annotations

from collections.abc import Iterator

from devicecontracts.testing.registry._server import (
    LocalRegistry,
    RecordedRequest,
    RegisteredSchemaInfo,
    RegistryAPIError,
)

__all__ = [
    "LocalRegistry",
    "RecordedRequest",
    "RegisteredSchemaInfo",
    "RegistryAPIError",
    "local_registry",
]

try:
    import pytest
except ImportError:  # pragma: no cover - the fixture only exists where pytest does
    pytest = None  # type: ignore[assignment]


def _local_registry() -> Iterator[LocalRegistry]:
    """A started `LocalRegistry` (no auth, level BACKWARD, incompatible code 40901), stopped
    after the test."""
    with LocalRegistry() as registry:
        yield registry


if pytest is not None:
    local_registry = pytest.fixture(name="local_registry")(_local_registry)
else:  # pragma: no cover
    local_registry = _local_registry
