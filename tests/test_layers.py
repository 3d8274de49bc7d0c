"""The import layers declared in pyproject.toml hold, and the check really catches a breach."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with the repository's contracts, over the package in ``package_parent``."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_package_keeps_every_layer_contract() -> None:
    """The source tree as committed breaks none of the declared import contracts."""
    result = lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "imported"),
    [
        ("_runtime/wire.py", "devicecontracts.cli"),
        ("serde.py", "hypothesis"),
        ("schema/__init__.py", "devicecontracts.registry"),
        ("testing/__init__.py", "devicecontracts.cli"),
        ("census/classify.py", "devicecontracts._runtime"),
        ("catalog/census.py", "devicecontracts.census"),
    ],
)
def test_a_forbidden_import_breaks_the_check(tmp_path: Path, module: str, imported: str) -> None:
    """Adding a forbidden import to a copy of the package makes ``lint-imports`` fail, naming it."""
    copy = tmp_path / "devicecontracts"
    shutil.copytree(
        ROOT / "src" / "devicecontracts", copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    target = copy / module
    target.write_text(target.read_text() + f"\nimport {imported}  # a deliberate breach\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert imported in result.stdout
