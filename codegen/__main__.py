"""``python -m codegen``: ``contracts codegen`` for this repository (see `codegen`).

Without arguments it regenerates (``--check``: checks) the bundled models from ``schemas/``;
given a folder it is ``contracts codegen FOLDER --out ... --package ...``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import DEFAULT_CATALOG, DEFAULT_OUT, DEFAULT_PACKAGE, run

COMMAND = "contracts codegen"


def main(argv: list[str] | None = None) -> int:
    """Run the shipped generator with this repository's defaults; the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m codegen",
        description="contracts codegen with this repository's defaults (schemas/ into "
        "src/devicecontracts/models).",
    )
    parser.add_argument("schemas", nargs="?", type=Path, help="catalog or .avsc folder")
    parser.add_argument("--out", type=Path, help="output package folder")
    parser.add_argument("--package", help="dotted name the output folder is imported as")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the output would change"
    )
    args = parser.parse_args(argv)
    if args.schemas is None and args.out is None and args.package is None:
        # The command the catalog's [models] table gives `contracts codegen`: both entry points
        # write the same manifest.
        return run(DEFAULT_CATALOG, DEFAULT_OUT, DEFAULT_PACKAGE, check=args.check, command=COMMAND)
    schemas = DEFAULT_CATALOG if args.schemas is None else args.schemas
    out = DEFAULT_OUT if args.schemas is None and args.out is None else args.out
    if out is None:
        parser.error("--out is needed when a schema folder is given")
    package = args.package or (DEFAULT_PACKAGE if args.out is None else out.name)
    if not all(part.isidentifier() for part in package.split(".")):
        parser.error(f"--package {package!r} is not a dotted Python name")
    command = f"{COMMAND} SCHEMAS --out {out.name} --package {package}"
    return run(schemas, out, package, check=args.check, command=command)


if __name__ == "__main__":
    sys.exit(main())
