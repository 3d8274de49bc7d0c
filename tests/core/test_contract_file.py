"""Specification of reading ``contract.toml``: malformed input is a `CatalogError` naming the
file and line (through the CLI: one line, exit 2, no traceback), and what a well-formed file
declares per version (metadata with the group's property from the first declared major on,
rule sets by version)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from devicecontracts.catalog import load_catalog
from devicecontracts.cli import ExitCode, main
from devicecontracts.errors import CatalogError

from ..support.catalogs import field, make_catalog, message_toml, record

READING = record("Reading", [field("device", "string"), field("value", "double")])


def catalog(tmp_path: Path, contract: str) -> Path:
    root = make_catalog(tmp_path / "catalog", message_toml(), {"reading": [READING, READING]})
    (root / "reading" / "contract.toml").write_text(
        textwrap.dedent(contract).lstrip(), encoding="utf-8"
    )
    return root


MALFORMED = [
    pytest.param('owner = "a\n', 1, "not valid TOML", id="bad-toml"),
    pytest.param('owner = "a"\n\n[tags\n', 3, "not valid TOML", id="bad-toml-header"),
    pytest.param("owner = 1\n", 1, "owner must be a non-empty string", id="owner-type"),
    pytest.param('owner = "a"\nownr = "b"\n', 2, "unknown key 'ownr'", id="unknown-top-key"),
    pytest.param('sensitive = "oncall"\n', 1, "sensitive must be a list", id="sensitive-type"),
    pytest.param("[properties]\ntier = 3\n", 2, "properties.tier must be a string", id="prop"),
    pytest.param('[reserved]\nnote = "two"\n', 2, "reserved.note must be a version", id="rsv"),
    pytest.param("[versions.two]\nmajor = 2\n", 1, "must be a version number", id="version-key"),
    pytest.param("[versions.2]\nmajor = 0\n", 2, "major must be a whole number", id="major"),
    pytest.param("[versions.2]\nmajr = 2\n", 2, "unknown key 'majr'", id="version-unknown-key"),
    pytest.param(
        '[[rules]]\nname = "r"\ntype = "CEL"\nmode = 3\nexpr = "true"\n',
        4,
        "mode must be a non-empty string",
        id="rule-mode-type",
    ),
    pytest.param(
        '[[rules]]\nname = "r"\ntype = "CEL"\nmode = "WRITE"\n',
        1,
        "expr must be a non-empty string",
        id="rule-missing-expr",
    ),
    pytest.param(
        '[[rules]]\nname = "r"\ntype = "CEL"\nmode = "WRITE"\nexpr = "true"\nexpression = "x"\n',
        6,
        "unknown key 'expression'",
        id="rule-unknown-key",
    ),
    pytest.param(
        '[[rules]]\nname = "r"\ntype = "CEL"\nmode = "WRITE"\nexpr = "true"\nexamples = [1]\n',
        6,
        "examples must be a table",
        id="examples-type",
    ),
    pytest.param(
        '[[rules]]\nname = "r"\ntype = "CEL"\nmode = "WRITE"\nexpr = "true"\ndisabled = "no"\n',
        6,
        "disabled must be true or false",
        id="disabled-type",
    ),
    pytest.param(
        '[[migrations]]\nname = "m"\nmode = "UPGRADE"\nexpr = "$"\n',
        1,
        "version must name the version that starts the major",
        id="migration-version",
    ),
    pytest.param(
        "[subject_config]\ndefault_rule_set = { domainRules = [] }\n",
        1,
        "unknown key 'domainRules'",
        id="config-key",
    ),
]


@pytest.mark.parametrize(("contract", "line", "says"), MALFORMED)
def test_malformed_contract_files_name_file_and_line(
    tmp_path: Path, contract: str, line: int, says: str
) -> None:
    root = catalog(tmp_path, contract)
    with pytest.raises(CatalogError) as caught:
        load_catalog(root)
    error = caught.value
    assert says in str(error)
    assert error.location.file is not None
    assert error.location.file.endswith("reading/contract.toml")
    assert error.location.line == line
    assert str(error).count("contract.toml") == 1  # the location, not repeated in the message


@pytest.mark.parametrize(("contract", "line", "says"), MALFORMED[:4])
def test_the_cli_reports_a_malformed_contract_file_in_one_line(
    tmp_path: Path, contract: str, line: int, says: str
) -> None:
    root = catalog(tmp_path, contract)
    result = CliRunner().invoke(main, ["check", "--catalog", str(root)])
    assert result.exit_code == ExitCode.USAGE
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    # file:line: (and the column, where TOML's parser gives one)
    assert re.search(rf"reading/contract\.toml:{line}(:\d+)?: ", result.output)
    assert says in result.output


def test_the_group_property_starts_at_the_first_declared_major(tmp_path: Path) -> None:
    """Versions before the first [versions.N] major keep the metadata they were registered
    with: adopting a group for a later break changes no released version."""
    root = catalog(
        tmp_path,
        """
        owner = "team-a"
        compatibility_group = "major_version"

        [versions.2]
        major = 2
        """,
    )
    contract = load_catalog(root).contracts["reading"]
    assert dict(contract.metadata(1).properties) == {"owner": "team-a"}
    assert dict(contract.metadata(2).properties) == {"owner": "team-a", "major_version": "2"}
    assert (contract.major(1), contract.major(2)) == (1, 2)


def test_a_major_from_v1_puts_the_property_on_every_version(tmp_path: Path) -> None:
    root = catalog(
        tmp_path,
        """
        compatibility_group = "major_version"

        [versions.1]
        major = 1
        """,
    )
    contract = load_catalog(root).contracts["reading"]
    assert [contract.metadata(n).properties["major_version"] for n in (1, 2)] == ["1", "1"]


def test_without_a_group_no_version_has_a_major(tmp_path: Path) -> None:
    contract = load_catalog(catalog(tmp_path, 'owner = "a"\n')).contracts["reading"]
    assert contract.major(2) is None
    assert "major_version" not in contract.metadata(2).properties
