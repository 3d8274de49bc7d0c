"""Fixtures of the registry tests: clean registry settings (local_registry is the plugin's)."""

from __future__ import annotations

import pytest

from devicecontracts.registry import ENVIRONMENT_VARIABLES

# local_registry comes from the devicecontracts pytest plugin, as it does for consumer teams.


@pytest.fixture(autouse=True)
def _no_registry_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SCHEMA_REGISTRY_* or CONTRACTS_ENV from the developer's shell leaks into a test."""
    for variable in [*ENVIRONMENT_VARIABLES.values(), "CONTRACTS_ENV"]:
        monkeypatch.delenv(variable, raising=False)
