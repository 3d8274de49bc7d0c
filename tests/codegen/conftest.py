"""Fixtures of the codegen tests: the bundled catalog loaded once, and the torture schema
generated once into a temporary package.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from devicecontracts.catalog import Catalog, load_catalog

from ..support.codegen import ROOT, TORTURE, write_package


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The bundled catalog, loaded once (read-only)."""
    return load_catalog(ROOT / "schemas")


@pytest.fixture(scope="session")
def torture_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder on sys.path holding ``torturepkg``, generated from the torture schema."""
    root = tmp_path_factory.mktemp("torture")
    out = root / "torturepkg"
    write_package(TORTURE, out, "torturepkg")
    return root


@pytest.fixture(scope="session")
def torture(torture_dir: Path) -> Iterator[ModuleType]:
    """The generated torture module, imported."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(torture_dir)
        try:
            yield importlib.import_module("torturepkg.torture")
        finally:
            for name in [n for n in sys.modules if n.split(".")[0] == "torturepkg"]:
                del sys.modules[name]
