"""The catalog: ``catalog.toml``, the version files, references between them, and the lock.

``load_catalog`` reads a catalog folder into the parsed form: every version parsed once, shared
types resolved as references and pinned through the lock. ``devicecontracts.catalog.lock`` is
the lock of released versions; every change to the lock is made in this package.

May import: ``errors``, ``findings`` (rule names only), ``schema``. Never the runtime, ``check``,
``registry``, ``cli`` or ``testing``.

The names below load lazily (PEP 562), so the runtime can read the lock
(``devicecontracts.catalog.lock``) without importing the schema parser.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devicecontracts.catalog._load import (
        CATALOG_FILE as CATALOG_FILE,
    )
    from devicecontracts.catalog._load import (
        LOCK_FILE as LOCK_FILE,
    )
    from devicecontracts.catalog._load import (
        Catalog as Catalog,
    )
    from devicecontracts.catalog._load import (
        Contract as Contract,
    )
    from devicecontracts.catalog._load import (
        Direction as Direction,
    )
    from devicecontracts.catalog._load import (
        LoadProblem as LoadProblem,
    )
    from devicecontracts.catalog._load import (
        SchemaVersion as SchemaVersion,
    )
    from devicecontracts.catalog._load import (
        display_path as display_path,
    )
    from devicecontracts.catalog._load import (
        load_catalog as load_catalog,
    )
    from devicecontracts.catalog.lock import (
        record_releases as record_releases,
    )

__all__ = [
    "CATALOG_FILE",
    "LOCK_FILE",
    "Catalog",
    "Contract",
    "Direction",
    "LoadProblem",
    "SchemaVersion",
    "display_path",
    "load_catalog",
    "record_releases",
]


_HOMES = {"record_releases": "devicecontracts.catalog.lock"}


def __getattr__(name: str) -> Any:
    if name in __all__:
        home = _HOMES.get(name, "devicecontracts.catalog._load")
        return getattr(importlib.import_module(home), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
