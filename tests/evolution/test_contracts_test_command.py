"""``contracts test``: evolution contract tests from the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import devicecontracts.testing.evolution
from devicecontracts.cli import main
from devicecontracts.schema.compatibility import CompatibilityResult

BUNDLED = Path(__file__).resolve().parents[2] / "schemas"


def run(*args: str) -> Result:
    """Run ``contracts`` with these arguments in-process."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """A copy of the bundled catalog, free to edit."""
    return Path(shutil.copytree(BUNDLED, tmp_path / "schemas"))


def add_version(catalog: Path, contract: str, change: Any) -> Path:
    """Write the next version of ``contract``: the latest one changed by ``change``."""
    folder = catalog / contract
    latest = max(int(p.stem[1:]) for p in folder.glob("v*.avsc"))
    schema = json.loads((folder / f"v{latest}.avsc").read_text())
    change(schema)
    path = folder / f"v{latest + 1}.avsc"
    path.write_text(json.dumps(schema, indent=2))
    return path


def add_field_without_default(schema: dict[str, Any]) -> None:
    schema["fields"].append({"name": "priority", "type": "int", "doc": "Added without default."})


def test_the_bundled_catalog_passes() -> None:
    """Every promise of the bundled catalog holds: exit 0 and a summary."""
    result = run("test", "--catalog", str(BUNDLED), "--examples", "10")
    assert result.exit_code == 0, result.output
    summary = "contracts test: 9 subjects, 18 writer/reader pairs, 10 examples each (seed 0)"
    assert f"{summary}: 0 errors, 0 warnings" in result.output


def test_a_field_added_without_default_fails_with_a_shrunk_counterexample(catalog: Path) -> None:
    """A BACKWARD_TRANSITIVE subject breaking every old version: exit 1, smallest values shown."""
    new = add_version(catalog, "alarm", add_field_without_default)
    result = run("test", "--catalog", str(catalog), "--examples", "20")
    assert result.exit_code == 1, result.output
    out = result.output
    assert out.count("[evolution-break] fleet.alarms-value v4") == 3  # v1, v2 and v3 data
    assert f"{new.name}" in out and "alarm" in out
    assert "BACKWARD_TRANSITIVE requires v4 to read data written with v1" in out
    assert "No default value for field priority" in out
    # shrunk: the simplest alarm there is
    assert "'code': ''" in out and "'location': None" in out
    assert "UUID('00000000-0000-0000-0000-000000000000')" in out
    assert "reproduce: contracts test --subject fleet.alarms-value --seed 0" in out
    assert "3 errors" in out


def test_json_output_names_each_case(catalog: Path) -> None:
    """--format json lists each break with subject, versions, file and the counterexample."""
    add_version(catalog, "alarm", add_field_without_default)
    result = run("test", "--catalog", str(catalog), "--subject", "alarm", "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["ok"] is False and doc["summary"]["pairs"] == 6
    broken = {(f["version"], f["previous_version"]) for f in doc["findings"]}
    assert broken == {(4, 1), (4, 2), (4, 3)}
    assert all(f["rule"] == "evolution-break" for f in doc["findings"])
    assert all("smallest failing value" in f["message"] for f in doc["findings"])


def test_github_output_annotates_the_new_file(catalog: Path) -> None:
    """--format github emits one error annotation per break on the new version's file."""
    new = add_version(catalog, "alarm", add_field_without_default)
    result = run("test", "--catalog", str(catalog), "--subject", "alarm", "--format", "github")
    errors = [line for line in result.output.splitlines() if line.startswith("::error ")]
    assert len(errors) == 3 and all(new.name in line for line in errors)


def test_a_forward_level_reads_new_data_with_old_versions(catalog: Path) -> None:
    """FORWARD_TRANSITIVE: removing a field old firmware needs is caught in that direction."""

    def drop_device_id(schema: dict[str, Any]) -> None:
        schema["fields"] = [f for f in schema["fields"] if f["name"] != "device_id"]

    add_version(catalog, "command", drop_device_id)
    result = run("test", "--catalog", str(catalog), "--subject", "command", "--format", "json")
    doc = json.loads(result.output)
    assert result.exit_code == 1
    cases = {(f["version"], f["previous_version"]) for f in doc["findings"]}
    assert cases == {(3, 1), (3, 2)}
    assert all("FORWARD_TRANSITIVE requires v" in f["message"] for f in doc["findings"])


def test_a_checker_saying_compatible_where_data_breaks_is_named(
    catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the checker wrongly said compatible, the finding says the two disagree, and where."""
    add_version(catalog, "alarm", add_field_without_default)

    def always_compatible(new: Any, previous: Any, level: Any, **_: Any) -> CompatibilityResult:
        return CompatibilityResult(True, (), level)

    monkeypatch.setattr(devicecontracts.testing.evolution, "check_parsed", always_compatible)
    result = run("test", "--catalog", str(catalog), "--subject", "alarm")
    assert result.exit_code == 1
    assert result.output.count("[evolution-checker-disagrees]") == 3
    assert "the compatibility check says v4 reads v1 data (BACKWARD); the data disagrees" in (
        result.output
    )


def test_a_break_the_data_does_not_show_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    """A checker verdict of incompatible that no value confirms warns, but does not fail."""

    def never_compatible(new: Any, previous: Any, level: Any, **_: Any) -> CompatibilityResult:
        return CompatibilityResult(False, (), level)

    monkeypatch.setattr(devicecontracts.testing.evolution, "check_parsed", never_compatible)
    result = run("test", "--catalog", str(BUNDLED), "--subject", "heartbeat", "--examples", "5")
    assert result.exit_code == 0, result.output
    assert "[evolution-break-unseen]" in result.output and "1 warning" in result.output


def test_an_invalid_version_cannot_be_tested(catalog: Path) -> None:
    """A version that does not parse is an error finding; the others are still tried."""
    (catalog / "heartbeat" / "v3.avsc").write_text("{not json")
    result = run("test", "--catalog", str(catalog), "--subject", "heartbeat")
    assert result.exit_code == 1
    assert "[invalid-schema]" in result.output and "cannot test evolution with v3" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--subject", "nope"], "no subject 'nope'"),
        (["--examples", "0"], "0 is not in the range x>=1"),
        (["--catalog", "/nonexistent/catalog"], "no catalog folder"),
    ],
)
def test_bad_usage_exits_2(args: list[str], message: str) -> None:
    """An unknown subject, a bad option value or a missing catalog: exit 2, no traceback."""
    result = CliRunner().invoke(main, ["test", "--catalog", str(BUNDLED), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
