"""pytest fixtures for teams that consume device messages (plugin ``devicecontracts``).

Installed with the package through the ``pytest11`` entry point, so pytest loads it in every
project that has devicecontracts installed. It therefore imports nothing beyond pytest and the
standard library at load time: without the ``testing`` extra (hypothesis), pytest still starts,
and only a test that asks for a generating fixture fails, saying what to install.

Options:

* ``--contracts-catalog DIR`` (or ``contracts_catalog = DIR`` in the ini file, relative to the
  rootdir; else ``$CONTRACTS_CATALOG``; else the catalog packaged with the installed models,
  the release they were generated from; else ``schemas``): the catalog folder.

Fixtures (session-scoped, so they work inside ``@given`` tests; each value has a one-line
repr, since pytest and hypothesis print fixture values when a test fails):

* ``contracts_catalog``: the loaded `devicecontracts.catalog.Catalog`.
* ``contract_messages``: `devicecontracts.testing.contract_messages` bound to that catalog
  (a `devicecontracts.testing.ContractMessages`); draw from it with ``st.data()``.
* ``contract_ids``: the schema ids the handler under test resolves
  (`devicecontracts.testing.ContractIds`, read from the same settings as
  ``WriterSchemas.from_environment()``: ``DEVICECONTRACTS_ENVIRONMENT``, the packaged lock or
  ``DEVICECONTRACTS_LOCK``); frame drawn messages with
  ``kafka_event(messages, schema_id=contract_ids)``.

And, per test:

* ``local_registry``: a started `devicecontracts.testing.registry.LocalRegistry` (no auth,
  level BACKWARD, incompatible code 40901), stopped after the test; needs the ``avro`` package
  (the ``testing`` extra), imported only when a test asks for the fixture.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from devicecontracts.catalog import Catalog
    from devicecontracts.testing._messages import ContractIds, ContractMessages
    from devicecontracts.testing.registry import LocalRegistry

__all__ = [
    "catalog_folder",
    "contract_ids",
    "contract_messages",
    "contracts_catalog",
    "local_registry",
]

_INSTALL = "pip install 'devicecontracts[testing]'"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--contracts-catalog`` and the ``contracts_catalog`` ini setting."""
    group = parser.getgroup("devicecontracts", "device message contracts")
    group.addoption(
        "--contracts-catalog",
        dest="contracts_catalog",
        default=None,
        metavar="DIR",
        help="catalog folder (holding catalog.toml) for the contract fixtures; default: the "
        "contracts_catalog ini setting, $CONTRACTS_CATALOG, the packaged catalog, or schemas",
    )
    parser.addini(
        "contracts_catalog",
        "catalog folder for the contract fixtures, relative to the rootdir",
        default=None,
    )


def catalog_folder(config: pytest.Config) -> Path:
    """Where the catalog is: the option, the ini setting, ``$CONTRACTS_CATALOG``, the catalog
    packaged with the installed models, ``schemas``."""
    option = config.getoption("contracts_catalog")
    if option:
        return Path(option)
    ini = config.getini("contracts_catalog")
    if ini:
        return Path(config.rootpath) / str(ini)
    if os.environ.get("CONTRACTS_CATALOG"):
        return Path(os.environ["CONTRACTS_CATALOG"])
    # Imported here: the plugin loads in every pytest run and must stay cheap.
    from devicecontracts._runtime.lookup import packaged_catalog

    return packaged_catalog() or Path("schemas")


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
def contract_messages(contracts_catalog: Catalog) -> ContractMessages:
    """``contract_messages(subject, *, versions=None, **options)`` on the session's catalog.

    Returns a hypothesis strategy of `devicecontracts.testing.Message`; draw with
    ``data.draw(contract_messages("fleet.telemetry-value"))`` in a ``@given(st.data())`` test.
    """
    try:
        from devicecontracts.testing._messages import ContractMessages
    except ModuleNotFoundError as exc:
        if exc.name != "hypothesis":
            raise
    else:
        return ContractMessages(contracts_catalog)
    pytest.fail(f"the contract_messages fixture needs hypothesis: {_INSTALL}", pytrace=False)


@pytest.fixture(scope="session")
def contract_ids() -> ContractIds:
    """The schema ids the handler under test resolves, callable on a drawn message:
    ``kafka_event(messages, schema_id=contract_ids)``.

    Read as ``WriterSchemas.from_environment()`` reads them: the environment
    ``DEVICECONTRACTS_ENVIRONMENT`` names, in the lock packaged with the models or the one
    ``DEVICECONTRACTS_LOCK`` names. Set them before the handler's module is imported (in
    ``conftest.py``).
    """
    from devicecontracts.errors import DeviceContractsError

    try:
        from devicecontracts.testing._messages import ContractIds
    except ModuleNotFoundError as exc:
        if exc.name != "hypothesis":
            raise
        problem = f"the contract_ids fixture needs hypothesis: {_INSTALL}"
    else:
        try:
            return ContractIds.from_environment()
        except DeviceContractsError as exc:
            problem = f"devicecontracts: {exc}"
    pytest.fail(problem, pytrace=False)


_FIXTURES = frozenset({"contract_messages", "contract_ids"})


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """In a hypothesis test using the contract fixtures, report only the log records of the
    last example run: hypothesis replays the shrunk counterexample last, and the records of
    the hundreds of examples before it would bury it (a handler that logs each failure)."""
    if not _FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return
    handle = getattr(getattr(item, "obj", None), "hypothesis", None)
    inner = getattr(handle, "inner_test", None)
    logging_plugin = item.config.pluginmanager.get_plugin("logging-plugin")
    # pytest's handler behind the "Captured log" report section; absent with -p no:logging.
    records = getattr(logging_plugin, "report_handler", None)
    if handle is None or inner is None or records is None:
        return
    if getattr(inner, "_one_example_log", False):
        return

    @wraps(inner)
    def one_example(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        records.reset()
        return inner(*args, **kwargs)

    one_example._one_example_log = True  # type: ignore[attr-defined]
    # The documented hook for wrapping what @given runs (as pytest-trio does).
    handle.inner_test = one_example


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
