"""This repository's entry point to the shipped generator, `devicecontracts.codegen`.

``python -m codegen`` is ``contracts codegen`` with this repository's defaults, wherever it is
run from: the catalog in ``schemas/`` and the models its ``[models]`` table declares
(``src/devicecontracts/models``). Other teams run ``contracts codegen``.
"""

from __future__ import annotations

from pathlib import Path

from devicecontracts.codegen import Changes, apply, diff, generate, run

__all__ = [
    "DEFAULT_CATALOG",
    "DEFAULT_OUT",
    "DEFAULT_PACKAGE",
    "Changes",
    "apply",
    "diff",
    "generate",
    "run",
]

ROOT = Path(__file__).resolve().parent.parent
"""The repository root: the defaults are relative to it, not to the working directory."""
DEFAULT_CATALOG = ROOT / "schemas"
DEFAULT_OUT = ROOT / "src" / "devicecontracts" / "models"
DEFAULT_PACKAGE = "devicecontracts.models"
