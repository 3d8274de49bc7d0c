"""Fixtures of the registry tests: the local registry (the shipped fixture), clean settings."""

from __future__ import annotations

import pytest

from devicecontracts.registry import ENVIRONMENT_VARIABLES
from devicecontracts.testing.registry import local_registry

__all__ = ["local_registry"]  # the shipped pytest fixture, used as consumer teams would


@pytest.fixture(autouse=True)
def _no_registry_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SCHEMA_REGISTRY_* or CONTRACTS_ENV from the developer's shell leaks into a test."""
    for variable in [*ENVIRONMENT_VARIABLES.values(), "CONTRACTS_ENV"]:
        monkeypatch.delenv(variable, raising=False)
