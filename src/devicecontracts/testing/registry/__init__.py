"""A local, Confluent-API-faithful schema registry for tests: `LocalRegistry` and a fixture.

Use it where you would otherwise need a real Schema Registry: it serves Confluent's REST API on
127.0.0.1 (an ephemeral port), with Confluent's status and error codes, idempotent registration,
soft delete, per-subject levels, references and verbose compatibility messages, and data
contracts: each version's metadata and rule set stored, inherited and merged with the subject
config's defaults and overrides, compatibility groups, reserved fields, and 42210 for a
malformed rule. Its
compatibility verdicts come from the ``avro`` package (Apache Avro's checker, two known bugs
worked around), not from devicecontracts' own engine. Needs the ``testing`` extra (``avro``).

In a test, with the pytest fixture (the ``devicecontracts`` pytest plugin registers it)::

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

from typing import Any

from devicecontracts.errors import RegistryAPIError
from devicecontracts.testing.registry._http import RecordedRequest
from devicecontracts.testing.registry._local import LocalRegistry
from devicecontracts.testing.registry._state import RegisteredSchemaInfo

__all__ = [
    "LocalRegistry",
    "RecordedRequest",
    "RegisteredSchemaInfo",
    "RegistryAPIError",
    "local_registry",
]


def __getattr__(name: str) -> Any:
    # The fixture lives in the pytest plugin, which registers it; it is reachable here too for
    # conftest files that imported it from this module before. Lazy, as pytest is optional.
    if name == "local_registry":
        from devicecontracts.testing.pytest_plugin import local_registry

        return local_registry
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
