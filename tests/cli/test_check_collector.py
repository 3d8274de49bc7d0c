"""``contracts check`` keeps the cyclic collector paused from loading to the last line printed,
and gives it back as it found it (the command may run inside someone's process: a test's
CliRunner); and it reads ``catalog.toml`` once."""

from __future__ import annotations

import gc
import importlib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from devicecontracts.catalog import _config, load_catalog
from devicecontracts.cli import ExitCode, main

# The module (the package's ``check`` attribute is the command).
check_module = importlib.import_module("devicecontracts.cli.check")


@pytest.mark.parametrize("output_format", ["text", "json", "github"])
def test_check_pauses_the_collector_while_it_prints_and_restores_it(
    catalog_dir: Path, monkeypatch: pytest.MonkeyPatch, collector: bool, output_format: str
) -> None:
    seen: list[bool] = []
    emit = check_module.emit_report

    def watching(*args: object, **kwargs: object) -> None:
        seen.append(gc.isenabled())
        emit(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(check_module, "emit_report", watching)
    result = CliRunner().invoke(
        main, ["check", "--catalog", str(catalog_dir), "--format", output_format]
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert seen == [False]
    assert gc.isenabled() is collector


def test_check_restores_the_collector_when_the_catalog_is_malformed(
    tmp_path: Path, collector: bool
) -> None:
    (tmp_path / "catalog.toml").write_text("[messages.x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--catalog", str(tmp_path)])
    assert result.exit_code == ExitCode.USAGE
    assert gc.isenabled() is collector


def test_loaded_catalog_answers_its_models_table_without_reading_the_file_again(
    catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = load_catalog(catalog_dir)
    expected = _config.models_config(catalog_dir)

    def no_reading(path: Path) -> object:
        raise AssertionError(f"read {path} again")

    monkeypatch.setattr(_config, "_read_toml", no_reading)
    assert catalog.models == expected


# ---------------------------------------------------------------------------------------------
# Colour: styled only when it is kept; the text is the same either way.


def _with_a_warning(catalog_dir: Path) -> Path:
    from ..support.catalogs import next_version, read_version

    schema = read_version(catalog_dir, "alarm", 3)
    schema["fields"].append({"name": "note", "type": "string", "default": ""})
    next_version(catalog_dir, "alarm", schema)
    return catalog_dir


def test_check_colours_severity_and_hint_when_colour_is_kept(catalog_dir: Path) -> None:
    args = ["check", "--catalog", str(_with_a_warning(catalog_dir))]
    coloured = CliRunner().invoke(main, args, color=True).output
    plain = CliRunner().invoke(main, args, color=False).output
    assert click.style("warning", fg="yellow", bold=False) in coloured
    assert click.style("hint:", fg="cyan", bold=False) in coloured
    assert "\x1b[" not in plain
    assert click.unstyle(coloured) == plain
