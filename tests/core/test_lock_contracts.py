"""The lock records each released version's data contract (issue 14): a released version's
metadata and rules are what the registry holds, so a later change to them is a finding."""

from __future__ import annotations

import json
from pathlib import Path

from devicecontracts.catalog import load_catalog
from devicecontracts.catalog.lock import read_lock
from tests.support.catalogs import check, field, make_catalog, message_toml, record, with_rule
from tests.support.registry import run

_RULE = """
owner = "team-a"

[[rules]]
name = "positive"
type = "CEL_FIELD"
mode = "WRITE"
expr = "name == 'mv' ; value > 0"
examples = { pass = [1], fail = [0] }
"""


def _catalog(root: Path, contract_toml: str | None = _RULE) -> Path:
    catalog = make_catalog(
        root, message_toml(), {"reading": [record("Reading", [field("mv", "int")])]}
    )
    if contract_toml is not None:
        (catalog / "reading" / "contract.toml").write_text(contract_toml, encoding="utf-8")
    return catalog


def _lock(catalog: Path) -> None:
    result = run("lock", "--catalog", str(catalog))
    assert result.exit_code == 0, result.output


def test_a_release_records_its_data_contract(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path / "schemas")
    _lock(catalog)
    entry = read_lock(catalog / "contracts.lock.json").entry("fleet.reading-value", 1)
    assert entry is not None and entry.contract is not None
    assert entry.contract.startswith("sha256:")
    assert with_rule(check(catalog), "released-contract-changed") == []


def test_a_changed_rule_of_a_released_version_is_an_error(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path / "schemas")
    _lock(catalog)
    (catalog / "reading" / "contract.toml").write_text(
        _RULE.replace("value > 0", "value > 1"), encoding="utf-8"
    )
    [finding] = with_rule(check(catalog), "released-contract-changed")
    assert finding.location.file is not None
    assert finding.location.file.endswith("reading/contract.toml")
    assert (finding.location.subject, finding.location.version) == ("fleet.reading-value", 1)
    assert "from_version" in finding.hint


def test_a_contract_toml_added_to_a_released_version_is_an_error(tmp_path: Path) -> None:
    """A version released without one was released with empty metadata and rules."""
    catalog = _catalog(tmp_path / "schemas", None)
    _lock(catalog)
    assert with_rule(check(catalog), "released-contract-changed") == []
    (catalog / "reading" / "contract.toml").write_text('owner = "team-b"\n', encoding="utf-8")
    assert len(with_rule(check(catalog), "released-contract-changed")) == 1
    # Starting the owner at the next version would be the fix; a comment-only file is not a
    # change at all.
    (catalog / "reading" / "contract.toml").write_text("# nothing yet\n", encoding="utf-8")
    assert with_rule(check(catalog), "released-contract-changed") == []


def test_entries_from_before_data_contracts_are_recorded_only_when_asked(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path / "schemas")
    _lock(catalog)
    path = catalog / "contracts.lock.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["subjects"]["fleet.reading-value"]["1"]["contract"]
    path.write_text(json.dumps(data), encoding="utf-8")
    (catalog / "reading" / "contract.toml").write_text('owner = "team-b"\n', encoding="utf-8")
    assert with_rule(check(catalog), "released-contract-changed") == []  # nothing to compare

    result = run("lock", "--catalog", str(catalog))
    assert "nothing to lock" in result.output
    assert read_lock(path).entry("fleet.reading-value", 1).contract is None  # type: ignore[union-attr]

    result = run("lock", "--catalog", str(catalog), "--record-contracts")
    assert result.exit_code == 0, result.output
    assert "recorded the data contract of fleet.reading-value v1" in result.output
    recorded = read_lock(path).entry("fleet.reading-value", 1)
    assert recorded is not None and recorded.contract is not None
    # From now on a change is caught, and recording again does not overwrite it.
    (catalog / "reading" / "contract.toml").write_text('owner = "team-c"\n', encoding="utf-8")
    assert len(with_rule(check(catalog), "released-contract-changed")) == 1
    run("lock", "--catalog", str(catalog), "--record-contracts")
    assert read_lock(path).entry("fleet.reading-value", 1) == recorded


def test_the_bundled_catalog_records_every_data_contract() -> None:
    catalog = load_catalog(Path(__file__).parents[2] / "schemas")
    for contract in catalog.contracts.values():
        for v in contract.versions:
            entry = catalog.lock.entry(contract.subject, v.version)
            assert entry is None or entry.contract is not None, (contract.subject, v.version)
