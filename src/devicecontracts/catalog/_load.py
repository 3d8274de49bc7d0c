"""The contract catalog: ``schemas/``, its ``catalog.toml`` and every version of every contract.

Layout::

    schemas/
      catalog.toml              one table per contract: [shared.<name>] or [messages.<name>]
      contracts.lock.json       released versions (see devicecontracts.catalog.lock)
      <name>/v1.avsc, v2.avsc   every version of a contract, numbered from 1 without gaps

A *shared* contract is a named type other schemas use by full name (a Schema Registry schema
reference); it is its own subject under RecordNameStrategy. A *message* is what a topic carries.

`load_catalog` reads it all once: it parses every version strictly (as the registry validates new
schemas), resolving references to shared types whatever the file order, and pins each version's
references to the shared versions the lock recorded (the latest shared version for versions not
released yet). Bad schema files do not stop loading: they become `LoadProblem` entries that
``contracts check`` reports. A missing or malformed catalog raises `CatalogError`.
"""

from __future__ import annotations

from pathlib import Path

from devicecontracts._gc import collector_paused
from devicecontracts.catalog._config import read_config
from devicecontracts.catalog._consumers import CONSUMERS_FOLDER, read_consumers
from devicecontracts.catalog._contract_file import CONTRACT_FILE, read_contract_file
from devicecontracts.catalog._files import read_versions
from devicecontracts.catalog._model import CATALOG_FILE, LOCK_FILE, Catalog, display_path
from devicecontracts.catalog._references import parse_versions
from devicecontracts.catalog._waivers import WAIVERS_FILE, read_waivers
from devicecontracts.catalog.lock import read_lock
from devicecontracts.errors import CatalogError, Location

__all__ = ["load_catalog"]


def load_catalog(root: str | Path) -> Catalog:
    """Load the catalog in folder ``root`` (the folder holding ``catalog.toml``).

    The cyclic garbage collector is paused while it loads (the parsed catalog it builds stays
    alive; collecting as it grows would make loading super-linear) and left as it was found.
    """
    with collector_paused():
        return _load(Path(root))


def _load(root: Path) -> Catalog:
    config_file = root / CATALOG_FILE
    if not root.is_dir():
        raise CatalogError(
            f"no catalog folder at {root}: point --catalog at the folder holding {CATALOG_FILE}"
        )
    if not config_file.is_file():
        raise CatalogError(
            f"no {CATALOG_FILE} in {root}: create it with one [messages.<name>] table per "
            "message folder",
            Location(file=str(config_file)),
        )
    contracts, rules, line, models, lifecycle = read_config(root)
    waivers = read_waivers(root, display_path(root / WAIVERS_FILE))
    catalog = Catalog(
        root,
        contracts,
        read_lock(root / LOCK_FILE),
        rules=rules,
        waivers=waivers,
        line=line,
        models_read=(models,),
        lifecycle=lifecycle,
    )
    read_versions(catalog)  # first: it refuses symlink loops in the folders with a clear error
    for contract in contracts.values():
        contract.data = read_contract_file(
            contract.folder, display_path(contract.folder / CONTRACT_FILE)
        )
    parse_versions(catalog)
    if CONSUMERS_FOLDER not in contracts:  # a contract of that name keeps its folder
        catalog.consumers = read_consumers(
            root, display_path(root / CONSUMERS_FOLDER), catalog.problems
        )
    return catalog
