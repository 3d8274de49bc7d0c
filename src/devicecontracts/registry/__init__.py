"""Talking to Confluent Schema Registry: settings, one error map, the adapter, releases.

- ``settings``: `RegistrySettings` (URL, basic auth, bearer token, TLS, timeout, retries), the
  ``SCHEMA_REGISTRY_*`` environment variables (`ENVIRONMENT_VARIABLES`), moving credentials
  out of URLs and masking secrets. Shared with the runtime.
- ``_errors``: the one map from registry answers (HTTP status, error code, transport failure)
  to `devicecontracts.errors.RegistryError` classes. Shared with the runtime.
- ``_adapter``: `SchemaRegistry`, driving confluent-kafka's client for the CLI.
- ``release`` and ``_apply``: planning and applying ``contracts register``.

May import: ``errors``, ``catalog``, ``schema`` and confluent-kafka (lazily, on the first
request). ``settings`` and ``_errors`` import only the standard library and ``errors``, and
this ``__init__`` loads the adapter only when one of its names is used, so the runtime (a
Lambda cold start) can import those two without paying for the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from devicecontracts.registry.settings import ENVIRONMENT_VARIABLES, RegistrySettings

if TYPE_CHECKING:
    from devicecontracts.registry._adapter import (
        RegisteredVersion,
        RegistryVerdict,
        SchemaRegistry,
    )

__all__ = [
    "ENVIRONMENT_VARIABLES",
    "RegisteredVersion",
    "RegistrySettings",
    "RegistryVerdict",
    "SchemaRegistry",
]

_ADAPTER_NAMES = frozenset({"RegisteredVersion", "RegistryVerdict", "SchemaRegistry"})


def __getattr__(name: str) -> Any:
    # The adapter imports the schema core and the lock; load it only when asked for.
    if name in _ADAPTER_NAMES:
        value = getattr(importlib.import_module("devicecontracts.registry._adapter"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
