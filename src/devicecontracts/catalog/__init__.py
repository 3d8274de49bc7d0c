"""The catalog: ``catalog.toml``, the version files, references between them, and the lock.

``load_catalog`` reads a catalog folder into the parsed form: every version parsed once, shared
types resolved as references and pinned through the lock. The machinery, one module per seam:
``_model`` (the parsed form: `Catalog`, `Contract`, `SchemaVersion`, `LoadProblem`),
``_config`` (``catalog.toml``), ``_waivers`` (``waivers.toml``, `Waiver`), ``_consumers``
(consumer reader contracts, ``consumers/<service>.toml``: `Consumer`, `ConsumerRead`;
`Catalog.consumers_of` says which services read a field), ``_files`` (the version files),
``_references`` (parsing in reference order, pins) and ``_load`` (`load_catalog`, which
strings them together).
``devicecontracts.catalog.lock`` is the lock of released versions; every change to the lock is
made there.

May import: ``errors``, ``findings`` (rule names only), ``schema``. Never the runtime, ``check``,
``registry``, ``cli`` or ``testing``.

The names below load lazily (PEP 562), so the runtime can read the lock
(``devicecontracts.catalog.lock``) without importing the schema parser.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devicecontracts.catalog._consumers import (
        Consumer as Consumer,
    )
    from devicecontracts.catalog._consumers import (
        ConsumerRead as ConsumerRead,
    )
    from devicecontracts.catalog._load import load_catalog as load_catalog
    from devicecontracts.catalog._model import (
        CATALOG_FILE as CATALOG_FILE,
    )
    from devicecontracts.catalog._model import (
        LOCK_FILE as LOCK_FILE,
    )
    from devicecontracts.catalog._model import (
        Catalog as Catalog,
    )
    from devicecontracts.catalog._model import (
        Contract as Contract,
    )
    from devicecontracts.catalog._model import (
        ContractKind as ContractKind,
    )
    from devicecontracts.catalog._model import (
        Direction as Direction,
    )
    from devicecontracts.catalog._model import (
        LoadProblem as LoadProblem,
    )
    from devicecontracts.catalog._model import (
        SchemaVersion as SchemaVersion,
    )
    from devicecontracts.catalog._model import (
        display_path as display_path,
    )
    from devicecontracts.catalog._waivers import (
        WAIVERS_FILE as WAIVERS_FILE,
    )
    from devicecontracts.catalog._waivers import (
        Waiver as Waiver,
    )
    from devicecontracts.catalog.lock import (
        record_releases as record_releases,
    )

__all__ = [
    "CATALOG_FILE",
    "LOCK_FILE",
    "WAIVERS_FILE",
    "Catalog",
    "Consumer",
    "ConsumerRead",
    "Contract",
    "ContractKind",
    "Direction",
    "LoadProblem",
    "SchemaVersion",
    "Waiver",
    "display_path",
    "load_catalog",
    "record_releases",
]

_HOMES = {
    "load_catalog": "_load",
    "record_releases": "lock",
    "WAIVERS_FILE": "_waivers",
    "Consumer": "_consumers",
    "ConsumerRead": "_consumers",
    "Waiver": "_waivers",
}


def __getattr__(name: str) -> Any:
    if name in __all__:
        module = importlib.import_module(f"{__name__}.{_HOMES.get(name, '_model')}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
