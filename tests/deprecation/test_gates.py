"""Specification of the deprecation lifecycle in ``contracts check``: deprecated versions and
fields in ``contract.toml``, their sunsets gated by the census (fresh, stale, none), and pending
versions that remove a field live versions still write."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from devicecontracts.catalog import load_catalog
from devicecontracts.catalog.census import CensusReport, PartitionCensus, Seen, report_path
from devicecontracts.check import CheckReport, check_catalog
from devicecontracts.cli import ExitCode, main
from devicecontracts.errors import CatalogError
from devicecontracts.findings import RULES, Finding, Severity

from ..support.catalogs import BUNDLED, field, make_catalog, message_toml, record

SUBJECT = "fleet.reading-value"
TOPIC = "fleet.reading"
SUNSET = dt.date(2027, 6, 30)
LIFECYCLE_RULES = {r for r, spec in RULES.items() if spec.category in ("deprecation", "census")}
LAST_SEEN_MS = int(dt.datetime(2027, 6, 1, 12, 30, tzinfo=dt.UTC).timestamp() * 1000)


def reading(*, battery: bool = True, firmware: bool = True) -> dict[str, Any]:
    header = record(
        "Header",
        [field("device_id", "string")]
        + ([field("firmware_version", ["null", "string"], default=None)] if firmware else []),
    )
    fields = [field("header", header), field("value", "double")]
    if battery:
        fields.append(field("battery_mv", ["null", "int"], default=None))
    return record("Reading", fields)


def deprecated_version(version: int = 1, sunset: dt.date = SUNSET) -> str:
    return (
        f"[deprecated.versions.{version}]\n"
        "since = 2026-01-15\n"
        f"sunset = {sunset.isoformat()}\n"
        'reason = "firmware < 2.0 is end of life"\n'
    )


def build(
    tmp_path: Path,
    versions: list[dict[str, Any]] | None = None,
    contract_toml: str = "",
    *,
    extra_toml: str = "",
    released: bool = False,
) -> Path:
    root = make_catalog(
        tmp_path / "catalog",
        message_toml(compatibility="BACKWARD_TRANSITIVE", extra=extra_toml),
        {"reading": versions or [reading(), reading()]},
    )
    if contract_toml:
        (root / "reading" / "contract.toml").write_text(contract_toml, encoding="utf-8")
    if released:
        result = CliRunner().invoke(main, ["lock", "--catalog", str(root)])
        assert result.exit_code == 0, result.output
    return root


def census(
    counts: Mapping[int, int],
    finished: dt.date,
    *,
    environment: str = "prod",
    topic: str = TOPIC,
) -> CensusReport:
    """A report of ``topic`` counting ``counts`` records of each version of the subject."""
    known = {100 + v: (SUBJECT, v) for v in counts}
    ids = {100 + v: Seen(n, LAST_SEEN_MS - 1000, LAST_SEEN_MS) for v, n in counts.items()}
    total = sum(counts.values())
    part = PartitionCensus(
        0,
        0 if total else None,
        total - 1 if total else None,
        {i: s for i, s in ids.items() if s.count},
        {},
        Seen(total, LAST_SEEN_MS - 1000, LAST_SEEN_MS) if total else Seen(0),
    )
    return CensusReport(
        topic=topic,
        environment=environment,
        finished_at=dt.datetime.combine(finished, dt.time(8, 0), tzinfo=dt.UTC),
        partitions=(part,),
        known=known,
    )


def gate(root: Path, today: dt.date, *reports: CensusReport) -> CheckReport:
    return check_catalog(load_catalog(root), today=today, census=reports)


def lifecycle(report: CheckReport) -> list[Finding]:
    return [f for f in report.findings if f.rule in LIFECYCLE_RULES]


def rules(report: CheckReport) -> list[str]:
    return [f.rule for f in lifecycle(report)]


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


# -- the version gates: before, inside the window, after the sunset ----------------------------

DAY = dt.timedelta(days=1)
FRESH = SUNSET + 3 * DAY  # a census taken three days after the sunset


@pytest.mark.parametrize(
    ("today", "reports", "expected"),
    [
        # before the window: nothing, whatever the census says
        (SUNSET - 31 * DAY, [], []),
        (SUNSET - 31 * DAY, [census({1: 5}, SUNSET - 32 * DAY)], []),
        # inside the window (30 days by default, the sunset day included)
        (SUNSET - 30 * DAY, [], ["deprecation-sunset-near"]),
        (SUNSET, [census({1: 5}, SUNSET - DAY)], ["deprecation-sunset-near"]),
        # ... but a fresh census that shows v1 gone says there is nothing left to do
        (SUNSET - 5 * DAY, [census({1: 0, 2: 9}, SUNSET - 6 * DAY)], []),
        # after the sunset: an error while a fresh census counts v1
        (FRESH + 2 * DAY, [census({1: 5, 2: 9}, FRESH)], ["deprecated-version-live"]),
        # fresh and v1 not sent: fine
        (FRESH + 2 * DAY, [census({2: 9}, FRESH)], []),
        # no census: a warning, not silent trust
        (SUNSET + DAY, [], ["deprecation-unverified"]),
        # a census older than 7 days is stale: a warning of its own, and not trusted
        (FRESH + 8 * DAY, [census({1: 5}, FRESH)], ["census-stale", "deprecation-unverified"]),
        (FRESH + 8 * DAY, [census({2: 5}, FRESH)], ["census-stale", "deprecation-unverified"]),
        # 7 days old is still fresh
        (FRESH + 7 * DAY, [census({1: 5}, FRESH)], ["deprecated-version-live"]),
        # the latest report of an environment wins; another topic's report says nothing
        (
            FRESH + DAY,
            [census({1: 5}, FRESH - DAY), census({2: 5}, FRESH)],
            [],
        ),
        (FRESH + DAY, [census({1: 5}, FRESH, topic="other")], ["deprecation-unverified"]),
        # one environment that still sends v1 is enough
        (
            FRESH + DAY,
            [census({2: 5}, FRESH), census({1: 2}, FRESH, environment="staging")],
            ["deprecated-version-live"],
        ),
    ],
)
def test_the_version_gates(
    tmp_path: Path, today: dt.date, reports: list[CensusReport], expected: list[str]
) -> None:
    root = build(tmp_path, contract_toml=deprecated_version())
    report = gate(root, today, *reports)
    assert sorted(rules(report)) == expected
    for f in lifecycle(report):
        assert f.severity is RULES[f.rule].severity
        if f.rule != "census-stale":
            assert f.location.file is not None and f.location.file.endswith("contract.toml")
            assert f.location.line == line_of(root / "reading" / "contract.toml", "[deprecated")
            assert (f.location.subject, f.location.version) == (SUBJECT, 1)
            assert f.location.path == "/deprecated/versions/1"
            assert "firmware < 2.0 is end of life" in f.message


def test_an_error_names_the_census_counts_and_last_seen(tmp_path: Path) -> None:
    root = build(tmp_path, contract_toml=deprecated_version())
    report = gate(root, FRESH + DAY, census({1: 1204, 2: 9}, FRESH))
    (f,) = lifecycle(report)
    assert f.rule == "deprecated-version-live" and not report.ok
    assert "v1 of fleet.reading-value" in f.message
    assert "sunset 2027-06-30 passed 4 days ago" in f.message
    assert "lock environment prod" in f.message and "2027-07-03" in f.message
    assert "v1: 1,204 records, last seen 2027-06-01 12:30 UTC" in f.message
    assert "v2" not in f.message.split("counts", 1)[1]


def test_no_census_says_it_cannot_tell(tmp_path: Path) -> None:
    root = build(tmp_path, contract_toml=deprecated_version())
    (f,) = lifecycle(gate(root, SUNSET + DAY))
    assert f.severity is Severity.WARNING
    assert f.message.startswith("no census of fleet.reading: cannot tell whether v1 is still sent")
    assert f.message.endswith("its sunset 2027-06-30 passed 1 day ago")


def test_a_stale_census_is_named_with_its_age(tmp_path: Path) -> None:
    root = build(tmp_path, contract_toml=deprecated_version())
    report = gate(root, FRESH + 10 * DAY, census({1: 5}, FRESH))
    stale = next(f for f in lifecycle(report) if f.rule == "census-stale")
    assert "finished 2027-07-03, 10 days ago, more than [census] max_age_days = 7" in stale.message
    assert stale.location.file is not None
    assert stale.location.file.endswith("census/prod/fleet.reading.json")
    unverified = next(f for f in lifecycle(report) if f.rule == "deprecation-unverified")
    assert "census of fleet.reading is stale (2027-07-03)" in unverified.message
    assert report.ok  # warnings only


def test_the_window_and_the_age_are_configurable(tmp_path: Path) -> None:
    toml = "[deprecation]\nwarn_days = 5\n\n[census]\nmax_age_days = 30\n"
    root = build(tmp_path, contract_toml=deprecated_version(), extra_toml="\n" + toml)
    assert rules(gate(root, SUNSET - 6 * DAY)) == []
    assert rules(gate(root, SUNSET - 5 * DAY)) == ["deprecation-sunset-near"]
    assert rules(gate(root, FRESH + 20 * DAY, census({1: 5}, FRESH))) == ["deprecated-version-live"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[deprecation]\nwarn_days = -1\n", "warn_days must be a whole number of days"),
        ('[deprecation]\nwarn_days = "30"\n', "warn_days must be a whole number of days"),
        ("[census]\nmax_age = 7\n", "[census] takes max_age_days only"),
    ],
)
def test_bad_settings_are_clear_errors(tmp_path: Path, toml: str, message: str) -> None:
    root = build(tmp_path, extra_toml="\n" + toml)
    with pytest.raises(CatalogError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_catalog(root)


# -- deprecated fields -------------------------------------------------------------------------


def deprecated_field(path: str = "header.firmware_version", since: int = 2) -> str:
    return (
        f'[deprecated.fields."{path}"]\n'
        f"since = {since}\n"
        f"sunset = {SUNSET.isoformat()}\n"
        'reason = "read the firmware from the device registry"\n'
    )


def test_a_deprecated_field_is_gated_by_the_versions_carrying_it(tmp_path: Path) -> None:
    versions = [reading(), reading(), reading(firmware=False)]
    root = build(tmp_path, versions, deprecated_field(), released=True)
    # v1 and v2 carry the field; v3 does not. A census counting v3 only: the field is gone.
    assert rules(gate(root, FRESH + DAY, census({3: 50}, FRESH))) == []
    report = gate(root, FRESH + DAY, census({2: 7, 3: 50}, FRESH))
    (f,) = lifecycle(report)
    assert f.rule == "deprecated-field-live" and f.severity is Severity.ERROR
    assert "field header.firmware_version of fleet.reading-value (in v1, v2)" in f.message
    assert "v2: 7 records" in f.message and "v3" not in f.message.split("counts", 1)[1]
    assert (f.location.version, f.location.path) == (
        2,
        "/deprecated/fields/header.firmware_version",
    )
    assert f.location.line == line_of(root / "reading" / "contract.toml", "[deprecated.fields")
    assert rules(gate(root, SUNSET - DAY)) == ["deprecation-sunset-near"]
    assert rules(gate(root, SUNSET + DAY)) == ["deprecation-unverified"]


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        (deprecated_field("header.serial"), "v2 of fleet.reading-value has no field header.serial"),
        (deprecated_field(since=5), "fleet.reading-value has no v5 (v1 to v2)"),
        (deprecated_field("value.x"), "has no field value.x"),
    ],
)
def test_an_unknown_field_path_is_a_finding_with_file_and_line(
    tmp_path: Path, declaration: str, message: str
) -> None:
    root = build(tmp_path, contract_toml="owner = 'fleet'\n\n" + declaration)
    (f,) = lifecycle(gate(root, SUNSET - 100 * DAY))
    assert f.rule == "deprecation-unknown-field" and message in f.message
    assert f.location.file is not None and f.location.file.endswith("reading/contract.toml")
    assert f.location.line == 3


def test_an_unknown_version_is_a_finding_with_file_and_line(tmp_path: Path) -> None:
    root = build(tmp_path, contract_toml="\n" + deprecated_version(4))
    (f,) = lifecycle(gate(root, SUNSET - 100 * DAY))
    assert f.rule == "deprecation-unknown-version" and f.severity is Severity.ERROR
    assert "v4 of fleet.reading-value, which has v1 to v2" in f.message
    assert (f.location.line, f.location.version) == (2, 4)


# -- malformed declarations: load errors with file and line -------------------------------------

MALFORMED = [
    (
        '[deprecated.versions.1]\nsince = 2026-01-01\nsunset = "2027"\nreason = "x"\n',
        3,
        "sunset must be a date",
    ),
    (
        '[deprecated.versions.1]\nsince = 3\nsunset = 2027-01-01\nreason = "x"\n',
        2,
        "since must be a date",
    ),
    (
        '[deprecated.fields."value"]\nsince = 2026-01-01\nsunset = 2027-01-01\nreason = "x"\n',
        2,
        "since must be a version number",
    ),
    (
        "[deprecated.versions.1]\nsince = 2026-01-01\nsunset = 2027-01-01\n",
        1,
        "reason must be a non-empty string",
    ),
    (
        '[deprecated.versions.1]\nsince = 2026-01-01\nsunset = 2025-01-01\nreason = "x"\n',
        3,
        "sunset 2025-01-01 is before since 2026-01-01",
    ),
    (
        '[deprecated.versions.1]\nsince = 2026-01-01\nsunset = 2027-01-01\nreason = "x"\n'
        "until = 2028-01-01\n",
        5,
        "unknown key 'until'",
    ),
    (
        '[deprecated.versions.one]\nsince = 2026-01-01\nsunset = 2027-01-01\nreason = "x"\n',
        1,
        "the key must be a version number",
    ),
    (
        '[deprecated.fields."header..x"]\nsince = 1\nsunset = 2027-01-01\nreason = "x"\n',
        1,
        "the key must be a field path",
    ),
    ("[deprecated.removed]\nx = 1\n", 1, "unknown key 'removed' in [deprecated]"),
]


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED)
def test_malformed_declarations_name_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    root = build(tmp_path, contract_toml=text)
    with pytest.raises(CatalogError) as caught:
        load_catalog(root)
    assert message in str(caught.value)
    assert caught.value.location.file is not None
    assert caught.value.location.file.endswith("reading/contract.toml")
    assert caught.value.location.line == line
    result = CliRunner().invoke(main, ["check", "--catalog", str(root)])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert f"contract.toml:{line}" in result.output and "Traceback" not in result.output


def test_a_deprecation_does_not_change_the_registered_metadata(tmp_path: Path) -> None:
    """Deprecating a released version leaves its registry metadata (and the lock) alone."""
    root = build(tmp_path, contract_toml='owner = "fleet"\n', released=True)
    before = load_catalog(root).contracts["reading"].metadata(1)
    (root / "reading" / "contract.toml").write_text(
        'owner = "fleet"\n\n' + deprecated_version(), encoding="utf-8"
    )
    catalog = load_catalog(root)
    assert catalog.contracts["reading"].metadata(1) == before
    assert check_catalog(catalog, today=SUNSET - 100 * DAY).ok


# -- removing a field live versions still write ---------------------------------------------------


def test_a_pending_version_removing_a_field_live_versions_write_is_an_error(
    tmp_path: Path,
) -> None:
    root = build(tmp_path, [reading(), reading()], released=True)
    (root / "reading" / "v3.avsc").write_text(json.dumps(reading(battery=False)), "utf-8")
    today = dt.date(2027, 1, 10)
    report = gate(root, today, census({1: 3, 2: 40}, today - DAY))
    (f,) = lifecycle(report)
    assert f.rule == "census-field-still-written" and f.severity is Severity.ERROR
    assert (f.location.subject, f.location.version) == (SUBJECT, 3)
    assert f.location.path == "/census/battery_mv"
    assert f.location.file is not None and f.location.file.endswith("reading/v3.avsc")
    assert "v3 of fleet.reading-value (pending) removes battery_mv" in f.message
    assert "v1: 3 records, last seen 2027-06-01 12:30 UTC; v2: 40 records" in f.message
    assert not report.ok
    # versions carrying it no longer sent, no census, or a stale one: no census gate
    assert rules(gate(root, today, census({3: 5}, today))) == []
    assert rules(gate(root, today)) == []
    assert rules(gate(root, today, census({2: 5}, today - 8 * DAY))) == ["census-stale"]


def test_a_removed_record_is_named_once_at_its_top(tmp_path: Path) -> None:
    without_header = reading()
    without_header["fields"] = without_header["fields"][1:]
    root = build(tmp_path, [reading(), reading()], released=True)
    (root / "reading" / "v3.avsc").write_text(json.dumps(without_header), "utf-8")
    today = dt.date(2027, 1, 10)
    (f,) = lifecycle(gate(root, today, census({2: 1}, today)))
    assert f.location.path == "/census/header"


def test_a_rename_through_an_alias_removes_nothing(tmp_path: Path) -> None:
    renamed = reading(battery=False)
    renamed["fields"].append(
        field("battery_millivolts", ["null", "int"], default=None, aliases=["battery_mv"])
    )
    root = build(tmp_path, [reading(), reading()], released=True)
    (root / "reading" / "v3.avsc").write_text(json.dumps(renamed), "utf-8")
    today = dt.date(2027, 1, 10)
    assert rules(gate(root, today, census({2: 1}, today))) == []


def test_a_field_a_consumer_reads_is_reported_by_the_consumer_rule_only(tmp_path: Path) -> None:
    root = build(tmp_path, [reading(), reading()], released=True)
    (root / "reading" / "v3.avsc").write_text(json.dumps(reading(battery=False)), "utf-8")
    (root / "consumers").mkdir()
    (root / "consumers" / "ingest.toml").write_text(
        'service = "ingest"\nowner = "data"\n\n[[reads]]\ncontract = "reading"\nversion = 2\n'
        'fields = ["battery_mv"]\n',
        encoding="utf-8",
    )
    today = dt.date(2027, 1, 10)
    report = gate(root, today, census({2: 1}, today))
    assert rules(report) == []
    (removed,) = [f for f in report.findings if f.rule == "consumer-field-removed"]
    assert removed.location.version == 3 and "battery_mv" in removed.message


# -- waivers, the CLI, the bundled catalog --------------------------------------------------------


def test_a_waiver_accepts_a_live_deprecated_version(tmp_path: Path) -> None:
    root = build(tmp_path, contract_toml=deprecated_version())
    (root / "waivers.toml").write_text(
        "[[waiver]]\n"
        'rule = "deprecated-version-live"\n'
        f'subject = "{SUBJECT}"\n'
        "version = 1\n"
        'path = "/deprecated/versions/1"\n'
        'reason = "the last 2% of devices update in August"\n'
        'approved_by = "fleet-platform"\n'
        'ticket = "FLEET-77"\n'
        "expires = 2027-09-01\n",
        encoding="utf-8",
    )
    report = gate(root, FRESH + DAY, census({1: 5}, FRESH))
    assert rules(report) == [] and report.ok
    (waived,) = report.waived
    assert waived.finding.rule == "deprecated-version-live"


def test_a_waiver_accepts_a_removal(tmp_path: Path) -> None:
    root = build(tmp_path, [reading(), reading()], released=True)
    (root / "reading" / "v3.avsc").write_text(json.dumps(reading(battery=False)), "utf-8")
    (root / "waivers.toml").write_text(
        '[[waiver]]\nrule = "census-field-still-written"\n'
        f'subject = "{SUBJECT}"\nversion = 3\npath = "/census/battery_mv"\n'
        'reason = "nobody reads it"\napproved_by = "data"\nticket = "FLEET-78"\n'
        "expires = 2027-09-01\n",
        encoding="utf-8",
    )
    today = dt.date(2027, 1, 10)
    report = gate(root, today, census({2: 5}, today))
    assert rules(report) == [] and [w.finding.rule for w in report.waived] == [
        "census-field-still-written"
    ]


def test_contracts_check_reads_the_census_of_the_catalog(tmp_path: Path) -> None:
    """The CLI reads census/<env>/<topic>.json and the real clock: a sunset long past with a
    census taken now that still counts v1 fails the check."""
    root = build(
        tmp_path,
        contract_toml=deprecated_version(sunset=dt.date(2020, 1, 31)).replace(
            "2026-01-15", "2020-01-01"
        ),
    )
    result = CliRunner().invoke(main, ["check", "--catalog", str(root)])
    assert result.exit_code == ExitCode.OK, result.output
    assert "deprecation-unverified" in result.output
    assert "no census of fleet.reading: cannot tell whether v1 is still sent" in result.output
    path = report_path(root, TOPIC, "prod")
    path.parent.mkdir(parents=True)
    now = dt.datetime.now(dt.UTC)
    report = census({1: 12}, now.date())
    path.write_text(
        CensusReport(**{**report.__dict__, "finished_at": now}).to_json(), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["check", "--catalog", str(root), "--format", "json"])
    assert result.exit_code == ExitCode.FINDINGS, result.output
    (f,) = [f for f in json.loads(result.output)["findings"] if f["rule"] in LIFECYCLE_RULES]
    assert f["rule"] == "deprecated-version-live" and "v1: 12 records" in f["message"]


def test_the_bundled_catalog_deprecates_heartbeat_v1_quietly() -> None:
    catalog = load_catalog(BUNDLED)
    heartbeat = catalog.contracts["heartbeat"]
    assert heartbeat.data is not None
    dep = heartbeat.data.deprecated_versions[1]
    assert dep.sunset.year == 2027 and "end of life" in dep.reason
    report = check_catalog(catalog, today=dt.date(2026, 12, 5))
    assert rules(report) == []


def test_a_malformed_census_report_stops_check_with_its_file(tmp_path: Path) -> None:
    root = build(tmp_path, contract_toml=deprecated_version())
    path = report_path(root, TOPIC, "prod")
    path.parent.mkdir(parents=True)
    path.write_text('{"format": "something else"}', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--catalog", str(root)])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "fleet.reading.json" in result.output and "Traceback" not in result.output
