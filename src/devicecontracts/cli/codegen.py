"""``contracts codegen``: generate (or check) typed pydantic models from Avro schemas."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from devicecontracts.catalog import CATALOG_FILE
from devicecontracts.cli._shared import EXIT_CODES_HELP, ExitCode, catalog_option, user_errors

__all__ = ["codegen"]


@click.command(epilog=EXIT_CODES_HELP)
@click.argument(
    "schemas", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@catalog_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output package folder (default: the catalog's [models] path).",
)
@click.option(
    "--package", help="Dotted name the output folder is imported as (default: [models] package)."
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the output would change.")
@user_errors
def codegen(
    schemas: Path | None, catalog_dir: Path, out: Path | None, package: str | None, check: bool
) -> None:
    """Generate wire-faithful pydantic v2 models from SCHEMAS: a catalog folder (with
    catalog.toml; default: --catalog) or any folder of .avsc files.

    \b
    Examples:
      contracts codegen                  the catalog's models, where its [models] table says
      contracts codegen --check          exit 1 when the committed models are not current
      contracts codegen avro/ --out gen/theirmodels --package theirmodels
    """
    from devicecontracts.catalog import load_catalog
    from devicecontracts.codegen import run

    source = schemas if schemas is not None else catalog_dir
    plain = schemas is None and out is None and package is None
    if (source / CATALOG_FILE).is_file():
        declared = load_catalog(source).models
        if declared is not None:
            out = out if out is not None else declared.folder
            package = package if package is not None else declared.package
    if out is None:
        raise click.UsageError(
            "--out is needed: the schemas are not a catalog with a [models] table"
        )
    if package is None:
        package = out.name
        if not package.isidentifier():
            raise click.UsageError(f"--package is needed: {out.name!r} is not a Python name")
    if not all(part.isidentifier() for part in package.split(".")):
        raise click.UsageError(f"--package {package!r} is not a dotted Python name")
    # Recorded in the manifest, so it must not depend on how paths were spelled today.
    if not plain:
        command = f"contracts codegen SCHEMAS --out {out.name} --package {package}"
    elif catalog_dir == Path("schemas"):
        command = "contracts codegen"
    else:
        command = f"contracts codegen --catalog {catalog_dir.as_posix()}"
    sys.exit(ExitCode(run(source, out, package, check=check, command=command)))
