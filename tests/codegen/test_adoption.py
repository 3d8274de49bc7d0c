"""Code generation for any team: ``contracts codegen`` from the wheel's own package, models that
need no formatter, a recorded generator version the runtime enforces, and ``stale-model`` for
whatever models package a catalog declares."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from devicecontracts.cli import main
from devicecontracts.errors import IncompatibleModelsError
from devicecontracts.record import CODEGEN_VERSION

from ..support.codegen import ROOT, TORTURE, write_package

MODELS = '\n[models]\npackage = "globex_models"\npath = "../src/globex_models"\n'


@pytest.fixture
def globex(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Another company's repository, made by ``contracts init``, declaring its own models
    package; the folder of its catalog. Its models are importable while the test runs."""
    repo = tmp_path / "globex"
    assert CliRunner().invoke(main, ["init", str(repo)]).exit_code == 0
    catalog = repo / "schemas"
    with (catalog / "catalog.toml").open("a", encoding="utf-8") as config:
        config.write(MODELS)
    monkeypatch.syspath_prepend(repo / "src")
    try:
        yield catalog
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] == "globex_models"]:
            del sys.modules[name]


def _add_version(catalog: Path, version: int) -> None:
    """A compatible next version of the scaffold's message: one more field with a default."""
    schema = json.loads((catalog / "telemetry" / "v1.avsc").read_text(encoding="utf-8"))
    for n in range(2, version + 1):
        schema["fields"].append({"name": f"extra_{n}", "type": "long", "default": 0})
    path = catalog / "telemetry" / f"v{version}.avsc"
    path.write_text(json.dumps(schema), encoding="utf-8")


def test_another_companys_models_are_generated_checked_and_reported_stale(globex: Path) -> None:
    """``contracts codegen --check`` fails before the first generation; ``contracts codegen``
    writes the package the catalog's [models] declares (path relative to the catalog folder)
    and ``contracts check`` is clean; a version added without
    regenerating is a stale-model error, exit 1, with the command that repairs it."""
    runner = CliRunner()
    _add_version(globex, 2)
    never_generated = runner.invoke(main, ["codegen", "--catalog", str(globex), "--check"])
    assert never_generated.exit_code == 1
    assert "missing: telemetry/v2.py" in never_generated.output
    generated = runner.invoke(main, ["codegen", "--catalog", str(globex)])
    assert generated.exit_code == 0, generated.output
    models = globex.parent / "src" / "globex_models"
    assert (models / "telemetry" / "v2.py").is_file()
    telemetry = importlib.import_module("globex_models.telemetry.v2")
    assert f"devicecontracts.codegen {CODEGEN_VERSION}" == telemetry.GENERATED_BY
    up_to_date = runner.invoke(main, ["codegen", "--catalog", str(globex), "--check"])
    assert up_to_date.exit_code == 0, up_to_date.output
    clean = runner.invoke(main, ["check", "--catalog", str(globex)])
    assert clean.exit_code == 0, clean.output
    assert "stale-model" not in clean.output

    _add_version(globex, 3)
    stale = runner.invoke(main, ["check", "--catalog", str(globex)])
    assert stale.exit_code == 1, stale.output
    assert "stale-model" in stale.output and "telemetry/v3.py" in stale.output
    assert f"contracts codegen --catalog {globex.as_posix()}" in stale.output
    behind = runner.invoke(main, ["codegen", "--catalog", str(globex), "--check"])
    assert behind.exit_code == 1
    assert "missing: telemetry/v3.py" in behind.output


def test_without_a_models_table_check_reports_no_stale_model(globex: Path) -> None:
    """A catalog that declares no models package gets no stale-model finding, even with
    versions no model exists for; codegen then needs --out."""
    config = globex / "catalog.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(MODELS, ""), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--catalog", str(globex)])
    assert result.exit_code == 0, result.output
    assert "stale-model" not in result.output
    usage = CliRunner().invoke(main, ["codegen", "--catalog", str(globex)])
    assert usage.exit_code == 2
    assert "--out is needed" in usage.output


def test_codegen_takes_any_folder_with_out_and_package(tmp_path: Path) -> None:
    """``contracts codegen FOLDER --out --package`` generates from plain .avsc files."""
    out = tmp_path / "gen" / "tort"
    result = CliRunner().invoke(
        main, ["codegen", str(TORTURE), "--out", str(out), "--package", "tort"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "torture.py").is_file() and (out / "_manifest.py").is_file()


def test_output_is_what_ruff_leaves_unchanged(tmp_path: Path) -> None:
    """Generated files are byte-stable under ruff: ``ruff format`` changes nothing, and the
    repository's lint rules (imports sorted as isort sorts them included) pass, so the output
    is the same whether or not a formatter is installed."""
    pytest.importorskip("ruff")
    for source, package in ((ROOT / "schemas", "devicecontracts.models"), (TORTURE, "tort")):
        out = tmp_path / package.replace(".", "_")
        write_package(source, out, package)
        before = {p: p.read_bytes() for p in out.rglob("*.py")}
        first_party = package.split(".", maxsplit=1)[0]
        ruff = [sys.executable, "-m", "ruff"]
        common = ["--isolated", "--line-length", "100", "--target-version", "py311"]
        formatted = subprocess.run(
            [*ruff, "format", *common, str(out)],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
        )
        assert formatted.returncode == 0, formatted.stderr
        assert {p: p.read_bytes() for p in out.rglob("*.py")} == before
        linted = subprocess.run(
            [
                *ruff,
                "check",
                *common,
                "--select",
                "E,F,W,I,UP,RUF100",
                "--config",
                f"lint.isort.known-first-party = [{first_party!r}]",
                str(out),
            ],
            capture_output=True,
            text=True,
            check=False,
            # Outside the repository, where ruff would take devicecontracts for first party.
            cwd=tmp_path,
        )
        assert linted.returncode == 0, linted.stdout


def test_models_of_another_generator_major_are_refused_naming_module_and_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A module generated by a generator of another major version fails to import with
    IncompatibleModelsError naming the module and both versions; the same minor-only
    difference imports."""
    major = int(CODEGEN_VERSION.split(".")[0])
    out = tmp_path / "oldpkg"
    write_package(TORTURE, out, "oldpkg")
    module = out / "torture.py"
    stamp = f"devicecontracts.codegen {CODEGEN_VERSION}"
    original = module.read_text(encoding="utf-8")
    assert f'GENERATED_BY: Final = "{stamp}"' in original
    monkeypatch.syspath_prepend(tmp_path)
    try:
        module.write_text(
            original.replace(stamp, f"devicecontracts.codegen {major + 1}.0"), encoding="utf-8"
        )
        with pytest.raises(IncompatibleModelsError) as refused:
            importlib.import_module("oldpkg.torture")
        message = str(refused.value)
        assert "oldpkg.torture" in message
        assert f"{major + 1}.0" in message and CODEGEN_VERSION in message
        for name in [n for n in sys.modules if n.split(".")[0] == "oldpkg"]:
            del sys.modules[name]
        module.write_text(
            original.replace(stamp, f"devicecontracts.codegen {major}.99"), encoding="utf-8"
        )
        importlib.invalidate_caches()
        assert importlib.import_module("oldpkg.torture").Torture.avro_name
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] == "oldpkg"]:
            del sys.modules[name]
        shutil.rmtree(out / "__pycache__", ignore_errors=True)


def test_generation_needs_no_formatter() -> None:
    """With ruff unimportable and no ruff on PATH, ``python -m codegen --check`` still finds
    the committed models up to date: no formatter is part of the output."""
    script = (
        "import sys, runpy\n"
        "sys.modules['ruff'] = None\n"
        "sys.argv = ['codegen', '--check']\n"
        "runpy.run_module('codegen', run_name='__main__')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "", "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
