"""Specification of waivers (``waivers.toml``): one audited exception per finding, with a
reason, an approver, a ticket and an expiry date; expired and unused waivers fail."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from devicecontracts.catalog import load_catalog
from devicecontracts.check import CheckReport, check_catalog
from devicecontracts.cli import ExitCode, main
from devicecontracts.errors import CatalogError
from devicecontracts.findings import Severity
from devicecontracts.testing.registry import LocalRegistry

from ..support.catalogs import (
    make_catalog,
    message_toml,
    read_version,
    record,
    with_rule,
    write_version,
)

TODAY = dt.date(2026, 6, 1)
SUBJECT = "fleet.heartbeats-value"


def waiver_toml(**changes: object) -> str:
    """One [[waiver]] entry for the edited heartbeat v1 (see ``edited``), with ``changes``;
    a change to None leaves the key out."""
    entry: dict[str, object] = {
        "rule": "released-version-changed",
        "subject": SUBJECT,
        "version": 1,
        "path": "/",
        "reason": "v1's doc was corrected after release; the wire is unchanged",
        "approved_by": "fleet-platform",
        "ticket": "FLEET-42",
        "expires": "2026-06-30",
    }
    entry.update(changes)
    body = "".join(
        f"{key} = {json.dumps(value)}\n" for key, value in entry.items() if value is not None
    )
    return "[[waiver]]\n" + body


@pytest.fixture
def edited(catalog_dir: Path) -> Path:
    """A copy of the bundled catalog whose released heartbeat v1 has a new doc; without its
    [models] table, whose relative path does not follow the copy (no stale-model noise)."""
    toml = catalog_dir / "catalog.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(re.sub(r"(?ms)^\[models\]\n.*?(?=^\[|\Z)", "", text), encoding="utf-8")
    schema = read_version(catalog_dir, "heartbeat", 1)
    schema["doc"] = "Edited after release."
    write_version(catalog_dir, "heartbeat", 1, schema)
    return catalog_dir


def checked(catalog: Path, waivers: str | None, today: dt.date = TODAY) -> CheckReport:
    """Check ``catalog`` with ``waivers`` as its waivers.toml, on ``today``."""
    if waivers is not None:
        (catalog / "waivers.toml").write_text(waivers, encoding="utf-8")
    return check_catalog(load_catalog(catalog), today=today)


def run(*args: str) -> Result:
    """Run ``contracts`` in-process."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_without_a_waiver_the_edit_fails(edited: Path) -> None:
    """The edited release fails the check when no waiver names it (the baseline)."""
    report = checked(edited, None)
    assert not report.ok
    assert [f.version for f in with_rule(report, "released-version-changed")] == [1]


def test_a_waiver_accepts_the_finding_it_names(edited: Path) -> None:
    """A live waiver naming the finding moves it to the waived list and the check passes."""
    report = checked(edited, waiver_toml())
    assert report.ok
    assert with_rule(report, "released-version-changed") == []
    [waived] = report.waived
    assert (waived.finding.rule, waived.finding.subject) == ("released-version-changed", SUBJECT)
    assert (waived.waiver.ticket, waived.waiver.approved_by) == ("FLEET-42", "fleet-platform")


def test_a_waiver_is_live_on_its_expiry_date(edited: Path) -> None:
    """A waiver still applies on the day it expires."""
    assert checked(edited, waiver_toml(), today=dt.date(2026, 6, 30)).ok


def test_an_expired_waiver_is_an_error_and_waives_nothing(edited: Path) -> None:
    """The day after it expires, the waiver is an error and its finding fails again."""
    report = checked(edited, waiver_toml(), today=dt.date(2026, 7, 1))
    [expired] = with_rule(report, "waiver-expired")
    assert expired.severity is Severity.ERROR
    assert "2026-06-30" in expired.message and "FLEET-42" in expired.message
    assert expired.file is not None and expired.file.endswith("waivers.toml")
    assert expired.line == 1
    assert len(with_rule(report, "released-version-changed")) == 1
    assert report.waived == []


def test_a_waiver_that_matches_nothing_is_an_error(edited: Path) -> None:
    """A waiver naming no finding (here the wrong version) fails the check and its hint names
    the findings of that rule and subject."""
    report = checked(edited, waiver_toml(version=2))
    [unused] = with_rule(report, "waiver-unused")
    assert unused.severity is Severity.ERROR
    assert "v1 at /" in unused.hint
    assert len(with_rule(report, "released-version-changed")) == 1


def test_a_waiver_on_a_clean_catalog_is_stale(catalog_dir: Path) -> None:
    """On a catalog without the finding, a waiver is reported as unused."""
    assert with_rule(checked(catalog_dir, waiver_toml()), "waiver-unused") != []


def test_disabling_a_core_rule_points_to_waivers(edited: Path) -> None:
    """Asking [rules] to disable a core rule exits 2 and says to use waivers.toml instead."""
    toml = edited / "catalog.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8") + '\n[rules]\ndisable = ["released-version-changed"]\n',
        encoding="utf-8",
    )
    result = run("check", "--catalog", str(edited))
    assert result.exit_code == ExitCode.USAGE
    assert "waivers.toml" in result.output


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (waiver_toml(reason=None), "missing ['reason']"),
        (waiver_toml(approved_by=""), "'approved_by' must be a non-empty string"),
        (waiver_toml(expires="next year"), "'expires' must be a date"),
        (waiver_toml(version=0), "'version' must be a version number"),
        (waiver_toml(path="fields/0"), "'path' must be a JSON path"),
        (waiver_toml(rule="no-such-rule"), "unknown rule id"),
        (waiver_toml(rule="waiver-unused"), "cannot be waived"),
        (waiver_toml(colour="red"), "unknown key(s) ['colour']"),
        (waiver_toml() + "\n" + waiver_toml(), "entry 2 names the same finding as entry 1"),
        ("[[waiver]\n", "not valid TOML"),
        ("waiver = 3\n", "only [[waiver]] entries"),
    ],
)
def test_a_malformed_waivers_file_is_a_configuration_error(
    edited: Path, text: str, said: str
) -> None:
    """A malformed waivers.toml stops loading with an error naming the file, the entry and
    what is wrong."""
    (edited / "waivers.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(edited)
    message = str(caught.value)
    assert "waivers.toml" in message and said in message


def test_a_malformed_waiver_exits_2_naming_the_entry(edited: Path) -> None:
    """``contracts check`` exits 2 on a malformed waiver and names its entry and line."""
    (edited / "waivers.toml").write_text(waiver_toml(ticket=None), encoding="utf-8")
    result = run("check", "--catalog", str(edited))
    assert result.exit_code == ExitCode.USAGE
    assert "waivers.toml:1" in result.output and "entry 1" in result.output


def test_a_toml_date_is_an_expiry_date(edited: Path) -> None:
    """``expires`` may be a TOML date as well as a quoted one."""
    text = waiver_toml().replace('"2026-06-30"', "2026-06-30")
    assert checked(edited, text).ok


# ---------------------------------------------------------------------------------------------
# output: waived findings listed apart


@pytest.fixture
def waived(edited: Path) -> Path:
    """The edited catalog with a waiver that expires far in the future (the CLI uses today)."""
    (edited / "waivers.toml").write_text(waiver_toml(expires="2999-12-31"), encoding="utf-8")
    return edited


def test_text_lists_waived_findings_apart_and_exits_0(waived: Path) -> None:
    """Text output lists the waived finding under its own heading with its waiver, and the
    check passes."""
    result = run("check", "--catalog", str(waived))
    assert result.exit_code == ExitCode.OK
    out = result.output
    assert "waived, not failing the check (1):" in out
    apart = out.split("waived, not failing the check")[1]
    assert "[released-version-changed]" in apart and "FLEET-42" in apart
    assert "1 waived" in out.splitlines()[-1]


def test_json_reports_the_waivers_applied(waived: Path) -> None:
    """JSON output keeps waived findings out of "findings" and reports them and the waivers
    applied."""
    result = run("check", "--catalog", str(waived), "--format", "json")
    assert result.exit_code == ExitCode.OK
    doc = json.loads(result.output)
    assert doc["ok"] is True
    assert all(f["rule"] != "released-version-changed" for f in doc["findings"])
    [item] = doc["waived"]
    assert item["rule"] == "released-version-changed" and item["waiver"]["ticket"] == "FLEET-42"
    [applied] = doc["waivers"]
    assert applied["expires"] == "2999-12-31" and applied["approved_by"] == "fleet-platform"
    assert doc["summary"]["waived"] == 1


def test_github_reports_waived_findings_as_notices(waived: Path) -> None:
    """GitHub output reports a waived finding as a notice titled "waived", never an error."""
    result = run("check", "--catalog", str(waived), "--format", "github")
    assert result.exit_code == ExitCode.OK
    lines = result.output.splitlines()
    assert not any(line.startswith("::error") for line in lines)
    assert any(
        line.startswith("::notice") and "title=waived released-version-changed" in line
        for line in lines
    )


def test_check_against_a_registry_lists_waived_findings_too(
    tmp_path: Path, local_registry: LocalRegistry
) -> None:
    """``contracts check --registry`` keeps waived findings apart and reports the waivers
    applied, as the offline check does."""
    schema = record("Reading", [{"name": "value", "type": "int"}])  # a field without a doc
    root = make_catalog(tmp_path / "c", message_toml(), {"reading": [schema]})
    waiver = waiver_toml(
        rule="missing-doc", subject="fleet.reading-value", path="/fields/0", expires="2999-12-31"
    )
    (root / "waivers.toml").write_text(waiver, encoding="utf-8")
    result = run(
        "check", "--catalog", str(root), "--registry", local_registry.url, "--format", "json"
    )
    assert result.exit_code == ExitCode.OK, result.output
    doc = json.loads(result.output)
    assert [w["rule"] for w in doc["waived"]] == ["missing-doc"]
    assert [w["ticket"] for w in doc["waivers"]] == ["FLEET-42"]
    assert all(f["rule"] != "missing-doc" for f in doc["findings"])
