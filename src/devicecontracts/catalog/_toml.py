"""Reading a catalog's TOML files (``catalog.toml``, ``contract.toml``, ``consumers/*.toml``,
``waivers.toml``): the text and the data, or a `CatalogError` naming the file and, for a
syntax error, its line and column."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from devicecontracts.errors import CatalogError, Location

__all__ = ["read_toml"]

# Python 3.14 gives the error's lineno and colno; before, only its message says
# "(at line N, column M)".
_POSITION = re.compile(r"line (\d+), column (\d+)")


def read_toml(path: Path, shown: str, what: str = "") -> tuple[str, dict[str, Any]]:
    """The text of the TOML file at ``path`` and its data. ``shown`` is the file as messages
    name it; ``what`` starts the messages (``catalog.toml is not valid TOML: ...``), or they
    start with ``not valid TOML``."""
    subject = f"{what} is " if what else ""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reading = f"cannot read {what}" if what else "cannot read"
        raise CatalogError(f"{reading}: {exc}", Location(shown)) from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _POSITION.search(str(exc))
        line = getattr(exc, "lineno", None) or (int(found[1]) if found else None)
        column = getattr(exc, "colno", None) or (int(found[2]) if found else None)
        raise CatalogError(
            f"{subject}not valid TOML: {exc}", Location(shown, line=line, column=column)
        ) from None
