"""The build step that makes a release one artifact: the wheel carries the catalog.

``schemas/`` stays the one source of truth, and nothing under ``src/`` copies it. When a wheel
is built, ``build_py`` copies ``catalog.toml``, ``contracts.lock.json`` and every ``.avsc`` of
``schemas/`` byte for byte into ``devicecontracts/models/_catalog/`` of the build tree, beside
the models generated from them (``devicecontracts._runtime.lookup.packaged_catalog`` finds
them there). An editable install gets no copy: it reads ``schemas/`` itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SCHEMAS = Path(__file__).resolve().parent / "schemas"
PACKAGED = Path("devicecontracts", "models", "_catalog")


def catalog_files(schemas: Path) -> list[Path]:
    """The files of the catalog, relative to ``schemas``, sorted: what a release ships."""
    wanted = [schemas / "catalog.toml", schemas / "contracts.lock.json", *schemas.rglob("*.avsc")]
    return sorted(path.relative_to(schemas) for path in wanted if path.is_file())


class BuildWithCatalog(build_py):
    """``build_py`` that also copies the catalog into the models package of the build tree."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # the source tree is the package: schemas/ is read where it is
        target = Path(self.build_lib) / PACKAGED
        shutil.rmtree(target, ignore_errors=True)  # a file removed from schemas/ leaves no copy
        for relative in catalog_files(SCHEMAS):
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SCHEMAS / relative, destination)


setup(cmdclass={"build_py": BuildWithCatalog})
