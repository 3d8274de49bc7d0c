"""The model generator: Avro schemas in, pydantic v2 models that *are* the schema out.

A development tool, run as ``python -m codegen`` (``--help`` for the options). By default it
reads the catalog in ``schemas/`` with the same loader as ``contracts check`` and writes
``src/devicecontracts/models/``; given a folder it generates a package from any ``.avsc`` files
(with ``catalog.toml``: as a catalog). `generate` is the same as a function.

Output is deterministic: the same schemas give the same bytes, so CI runs
``python -m codegen --check`` to prove the committed models are current.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from devicecontracts.catalog import CATALOG_FILE

from ._output import Changes, apply, diff, format_files
from ._package import catalog_package, folder_package
from ._sources import catalog_units, folder_units

__all__ = ["Changes", "apply", "diff", "generate"]

ROOT = Path(__file__).resolve().parent.parent
"""The repository root: the defaults are relative to it, not to the working directory."""
DEFAULT_CATALOG = ROOT / "schemas"
DEFAULT_OUT = ROOT / "src" / "devicecontracts" / "models"
DEFAULT_PACKAGE = "devicecontracts.models"


def generate(
    schemas: Path,
    out: Path,
    package: str,
    *,
    command: str = "python -m codegen",
    format_code: bool = True,
) -> dict[PurePosixPath, str]:
    """Every file of the generated package, by path relative to ``out``.

    ``schemas`` is a catalog folder (it holds ``catalog.toml``) or any folder of ``.avsc``
    files. Raises `devicecontracts.errors.CodegenError` (and the catalog's `CatalogError`)
    for input that cannot become models.
    """
    if (schemas / CATALOG_FILE).is_file():
        catalog, units = catalog_units(schemas)
        files = catalog_package(catalog, units, package, out, command)
    else:
        files = folder_package(folder_units(schemas), package, command)
    if format_code:
        return format_files(files, package.split(".", maxsplit=1)[0])
    return dict(files)
