"""The model generator: Avro schemas in, pydantic v2 models that *are* the schema out.

Run as ``contracts codegen`` (``--help`` for the options; this repository also keeps
``python -m codegen``). It reads a catalog folder (with ``catalog.toml``, through the same loader
as ``contracts check``) or any folder of ``.avsc`` files and writes one module per schema
version, the package's ``__init__`` files and the ``_manifest.py`` that ``contracts check``
reads to find stale models. `generate` is the same as a function.

Output is deterministic and needs no formatter: the generator lays the code out itself (imports
sorted as isort sorts them, a ``# fmt: off`` header so a formatter leaves the rest as written),
so the same schemas give the same bytes on every machine, and ``--check`` proves committed models
current. Every module records the generator's version (``GENERATED_BY``); the runtime refuses
models of another major version (`devicecontracts.record.CODEGEN_VERSION`).

Timestamps, decided per record: a record one of whose own fields holds a ``timestamp-millis``
(directly, or in an array, map or union) gets ``model_config = ConfigDict(val_temporal_unit=
"milliseconds")``. A number given for its timestamp-millis fields then means milliseconds since
the epoch whatever its size (and, the setting being per model, for its timestamp-micros and date
fields too), and the serde reads its timestamp-millis values as plain longs for pydantic-core to
convert (``_runtime.plans``). ``to_avro_dict`` writes a timestamp-millis as its long and a uuid
as its string, the wire values (from generator 1.1).

Layer: governance. It imports the schema parser and the catalog; the runtime never imports it.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from devicecontracts._depth import with_headroom
from devicecontracts.catalog import CATALOG_FILE

from ._main import run
from ._output import Changes, apply, diff, with_header
from ._package import catalog_package, folder_package
from ._sources import catalog_units, folder_units

__all__ = ["Changes", "apply", "diff", "generate", "run"]


def generate(
    schemas: Path, out: Path, package: str, *, command: str = "contracts codegen"
) -> dict[PurePosixPath, str]:
    """Every file of the generated package, by path relative to ``out``.

    ``schemas`` is a catalog folder (it holds ``catalog.toml``) or any folder of ``.avsc``
    files; ``command`` is what the manifest says regenerates the models. Raises
    `devicecontracts.errors.CodegenError` (and the catalog's `CatalogError`) for input that
    cannot become models.
    """
    # The renderer recurses per nesting level; deep (but legal) schemas get a deep stack.
    return with_headroom(lambda: _generate(schemas, out, package, command))


def _generate(schemas: Path, out: Path, package: str, command: str) -> dict[PurePosixPath, str]:
    if (schemas / CATALOG_FILE).is_file():
        catalog, units = catalog_units(schemas)
        files = catalog_package(catalog, units, package, out, command)
    else:
        files = folder_package(folder_units(schemas), package, command)
    # The catalog copy (_catalog/) is not code: it stays byte for byte what the catalog holds.
    return {
        path: with_header(text) if path.suffix == ".py" else text for path, text in files.items()
    }
