"""pytest fixtures for teams that consume device messages (plugin ``devicecontracts``).

Installed with the package through the ``pytest11`` entry point, so pytest loads it in every
project that has devicecontracts installed. It therefore imports nothing beyond pytest and the
standard library at load time: without the ``testing`` extra (hypothesis), pytest still starts,
and only a test that asks for a generating fixture fails, saying what to install.

Options:

* ``--contracts-catalog DIR`` (or ``contracts_catalog = DIR`` in the ini file, relative to the
  rootdir; else ``$CONTRACTS_CATALOG``; else ``schemas``): the catalog folder.

Fixtures (session-scoped, so they work inside ``@given`` tests):

* ``contracts_catalog``: the loaded `devicecontracts.catalog.Catalog`.
* ``contract_messages``: `devicecontracts.testing.contract_messages` bound to that catalog;
  draw from it with ``st.data()``.

And, per test:

* ``local_registry``: a started `devicecontracts.testing.registry.LocalRegistry` (no auth,
  level BACKWARD, incompatible code 40901), stopped after the test; needs the ``avro`` package
  (the ``testing`` extra), imported only when a test asks for the fixture.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from devicecontracts.catalog import Catalog
    from devicecontracts.testing.registry import LocalRegistry

__all__ = ["catalog_folder", "contract_messages", "contracts_catalog", "local_registry"]

_INSTALL = "pip install 'devicecontracts[testing]'"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--contracts-catalog`` and the ``contracts_catalog`` ini setting."""
    group = parser.getgroup("devicecontracts", "device message contracts")
    group.addoption(
        "--contracts-catalog",
        dest="contracts_catalog",
        default=None,
        metavar="DIR",
        help="catalog folder (holding catalog.toml) for the contract fixtures; "
        "default: the contracts_catalog ini setting, $CONTRACTS_CATALOG, or schemas",
    )
    parser.addini(
        "contracts_catalog",
        "catalog folder for the contract fixtures, relative to the rootdir",
        default=None,
    )


def catalog_folder(config: pytest.Config) -> Path:
    """Where the catalog is: the option, the ini setting, ``$CONTRACTS_CATALOG``, ``schemas``."""
    option = config.getoption("contracts_catalog")
    if option:
        return Path(option)
    ini = config.getini("contracts_catalog")
    if ini:
        return Path(config.rootpath) / str(ini)
    return Path(os.environ.get("CONTRACTS_CATALOG", "schemas"))


@pytest.fixture(scope="session")
def contracts_catalog(pytestconfig: pytest.Config) -> Catalog:
    """The contract catalog, loaded once per session."""
    from devicecontracts.catalog import load_catalog
    from devicecontracts.errors import DeviceContractsError

    try:
        return load_catalog(catalog_folder(pytestconfig))
    except DeviceContractsError as exc:
        problem = str(exc)
    # Outside the except block, so the report shows the message without a chained traceback.
    pytest.fail(
        f"devicecontracts: {problem} (set the folder with --contracts-catalog or the "
        "contracts_catalog ini setting)",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def contract_messages(contracts_catalog: Catalog) -> Any:
    """``contract_messages(subject, *, versions=None, **options)`` on the session's catalog.

    Returns a hypothesis strategy of `devicecontracts.testing.Message`; draw with
    ``data.draw(contract_messages("fleet.telemetry-value"))`` in a ``@given(st.data())`` test.
    """
    try:
        from devicecontracts.testing._messages import contract_messages as strategy
    except ModuleNotFoundError as exc:
        if exc.name != "hypothesis":
            raise
    else:
        return partial(strategy, catalog=contracts_catalog)
    pytest.fail(f"the contract_messages fixture needs hypothesis: {_INSTALL}", pytrace=False)


@pytest.fixture
def local_registry() -> Iterator[LocalRegistry]:
    """A started `devicecontracts.testing.registry.LocalRegistry` (no auth, level BACKWARD,
    incompatible code 40901), stopped after the test."""
    try:
        from devicecontracts.testing.registry import LocalRegistry
    except ModuleNotFoundError as exc:
        if exc.name != "avro":
            raise
    else:
        with LocalRegistry() as registry:
            yield registry
        return
    pytest.fail(f"the local_registry fixture needs the avro package: {_INSTALL}", pytrace=False)
