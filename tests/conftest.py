"""Fixtures shared by every test folder: the bundled catalog, and a private copy of it for every
test that edits."""

from __future__ import annotations

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
