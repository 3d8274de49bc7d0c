"""Fixtures shared by every test folder: the bundled catalog, a private copy of it for every
test that edits, and the cyclic collector's state before a call that must give it back."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from .support.catalogs import BUNDLED, copy_bundled


@pytest.fixture
def bundled() -> Path:
    """The bundled catalog folder, read-only: tests that write use ``catalog_dir``."""
    return BUNDLED


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """A copy of the bundled catalog in a temporary folder, free to edit."""
    return copy_bundled(tmp_path / "schemas")


@pytest.fixture(params=[True, False], ids=["collector-on", "collector-off"])
def collector(request: pytest.FixtureRequest) -> Iterator[bool]:
    """The cyclic collector on or off before the test's call (as the user's process left it);
    the state it had before the test is restored after it."""
    was = gc.isenabled()
    (gc.enable if request.param else gc.disable)()
    try:
        yield request.param
    finally:
        (gc.enable if was else gc.disable)()
