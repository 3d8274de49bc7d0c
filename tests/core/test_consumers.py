"""Specification of consumer reader contracts (``consumers/<service>.toml``): what a service
reads, checked against every writer version it may receive and every pending change."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from devicecontracts.catalog import (
    Catalog,
    Consumer,
    ConsumerRead,
    Contract,
    ContractKind,
    SchemaVersion,
    load_catalog,
)
from devicecontracts.catalog.lock import read_lock
from devicecontracts.check import CheckReport, check_catalog
from devicecontracts.check.consumers import consumer_findings, field_unit
from devicecontracts.cli import ExitCode, main
from devicecontracts.findings import RULES, Finding, Severity
from devicecontracts.schema import Array, AvroType, Map, Record, Union, parse_schema
from devicecontracts.schema.compatibility import CompatibilityLevel

from ..support.catalogs import (
    BUNDLED,
    check,
    copy_bundled,
    make_catalog,
    message_toml,
    with_rule,
)
from ..support.strategies import avro_schemas

SUBJECT = "fleet.reading-value"
CONSUMER_RULES = {r for r in RULES if r.startswith("consumer-")}


def header(sent_at: Any = None) -> dict[str, Any]:
    return {
        "type": "record",
        "name": "Header",
        "doc": "Envelope.",
        "fields": [
            {"name": "device_id", "type": "string", "doc": "The device."},
            {
                "name": "sent_at",
                "type": sent_at or {"type": "long", "logicalType": "timestamp-millis"},
                "doc": "Send time.",
            },
        ],
    }


def reading(*, drop: tuple[str, ...] = (), **replace: dict[str, Any]) -> dict[str, Any]:
    """The test message: a header, a value in volts, a battery voltage in millivolts (optional),
    a decimal amount and an array of samples; ``drop`` removes fields, ``replace`` swaps a field
    for another definition (by name)."""
    fields: list[dict[str, Any]] = [
        {"name": "header", "type": header(), "doc": "Envelope."},
        {"name": "value", "type": "double", "doc": "Measured value in volts."},
        {
            "name": "battery_mv",
            "type": ["null", "int"],
            "default": None,
            "doc": "Battery voltage in millivolts.",
        },
        {
            "name": "amount",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2},
            "doc": "Energy billed.",
        },
        {
            "name": "samples",
            "type": {
                "type": "array",
                "items": {
                    "type": "record",
                    "name": "Sample",
                    "doc": "One sample.",
                    "fields": [{"name": "level", "type": "int", "doc": "Level in percent."}],
                },
            },
            "default": [],
            "doc": "Samples.",
        },
    ]
    out = []
    for f in fields:
        if f["name"] in drop:
            continue
        out.append(replace.get(f["name"], f))
    for name, f in replace.items():
        if name not in {g["name"] for g in fields}:
            out.append(f)
    return {
        "type": "record",
        "name": "Reading",
        "namespace": "com.example",
        "doc": "A reading.",
        "fields": out,
    }


def consumer_toml(
    fields: list[str],
    *,
    contract: str = "reading",
    version: int | None = None,
    major: int | None = None,
    handled: list[str] | None = None,
    service: str | None = "ingest",
    owner: str = "data-team",
) -> str:
    lines = []
    if service is not None:
        lines.append(f'service = "{service}"')
    lines += [f'owner = "{owner}"', "", "[[reads]]", f'contract = "{contract}"']
    if version is not None:
        lines.append(f"version = {version}")
    if major is not None:
        lines.append(f"major = {major}")
    lines.append("fields = [")
    lines += [f'  "{f}",' for f in fields]
    lines.append("]")
    if handled is not None:
        lines.append(f"defaults_handled = {json.dumps(handled)}")
    return "\n".join(lines) + "\n"


def build(
    tmp_path: Path,
    versions: list[dict[str, Any]],
    consumers: dict[str, str],
    *,
    compatibility: str = "NONE",
    extra: dict[str, str] | None = None,
) -> Path:
    """A catalog of the one message with ``versions`` (none released) and consumer files."""
    root = make_catalog(
        tmp_path / "catalog", message_toml(compatibility=compatibility), {"reading": versions}
    )
    (root / "consumers").mkdir()
    for name, text in consumers.items():
        (root / "consumers" / f"{name}.toml").write_text(text, encoding="utf-8")
    for name, text in (extra or {}).items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def consumer_only(report: CheckReport) -> list[Finding]:
    return [f for f in report.findings if f.rule in CONSUMER_RULES]


def line_of(root: Path, consumer: str, text: str) -> int:
    lines = (root / "consumers" / f"{consumer}.toml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


# -- a clean consumer, and the listing ---------------------------------------------------------


def test_a_consumer_of_fields_every_version_delivers_has_no_findings(tmp_path: Path) -> None:
    paths = ["header.device_id", "header.sent_at", "value", "battery_mv", "samples.level"]
    root = build(tmp_path, [reading(), reading()], {"ingest": consumer_toml(paths)})
    report = check(root)
    assert consumer_only(report) == []
    (reader,) = report.consumers[SUBJECT]
    assert (reader.service, reader.owner, reader.version, reader.fields) == (
        "ingest",
        "data-team",
        2,
        tuple(paths),
    )
    assert reader.describe() == "ingest (data-team, latest = v2, 5 fields)"


def test_the_bundled_consumers_check_clean_and_are_listed() -> None:
    catalog = load_catalog(BUNDLED)
    report = check_catalog(catalog)
    assert consumer_only(report) == [] and report.ok
    assert {s: [r.service for r in rs] for s, rs in report.consumers.items()} == {
        "fleet.alarms-value": ["alert-router"],
        "fleet.heartbeats-value": ["liveness-monitor"],
        "fleet.telemetry-value": ["telemetry-ingest"],
    }
    # liveness-monitor decodes into major 1 (v2); v3 starts major 2 and drops uptime_s, but
    # under the compatibility group it never reaches a major-1 reader as v3 data.
    (liveness,) = report.consumers["fleet.heartbeats-value"]
    assert (liveness.declared, liveness.version) == ("major 1", 2)


def test_consumers_of_answers_which_services_read_a_field() -> None:
    catalog = load_catalog(BUNDLED)
    readers = catalog.consumers_of("fleet.telemetry-value", "battery_mv")
    assert [c.service for c, _ in readers] == ["telemetry-ingest"]
    # by contract name too, a parent field (reading part of it), and a field nobody reads
    assert [c.service for c, _ in catalog.consumers_of("telemetry", "header")] == [
        "telemetry-ingest"
    ]
    assert [c.service for c, _ in catalog.consumers_of("heartbeat", "header.device_id")] == [
        "liveness-monitor"
    ]
    assert catalog.consumers_of("fleet.telemetry-value", "signal_dbm") == []
    assert [c.service for c, _ in catalog.consumers_of("alarm")] == ["alert-router"]


def test_check_lists_consumers_in_text_and_json(tmp_path: Path) -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["check", "--catalog", str(BUNDLED)])
    assert text.exit_code == ExitCode.OK, text.output
    assert (
        "consumers of fleet.telemetry-value: telemetry-ingest (fleet-data, v3, 10 fields)"
        in text.output.splitlines()
    )
    assert (
        "consumers of fleet.heartbeats-value: liveness-monitor (fleet-platform, major 1 = v2, "
        "4 fields)" in text.output.splitlines()
    )
    assert text.output.splitlines()[-1].startswith("contracts check:")
    document = json.loads(
        runner.invoke(main, ["check", "--catalog", str(BUNDLED), "--format", "json"]).output
    )
    (alert,) = document["summary"]["consumers"]["fleet.alarms-value"]
    assert alert == {
        "service": "alert-router",
        "owner": "fleet-operations",
        "file": alert["file"],
        "reader": "latest",
        "version": 3,
        "fields": ["header.device_id", "alarm_id", "severity", "code", "raised_at", "cleared_at"],
    }
    assert alert["file"].endswith("consumers/alert-router.toml")


# -- removed, renamed, meaning changed ------------------------------------------------------


def test_a_pending_version_removing_a_consumed_field_is_an_error(tmp_path: Path) -> None:
    root = build(
        tmp_path,
        [reading(), reading(drop=("battery_mv",))],
        {"ingest": consumer_toml(["value", "battery_mv"], version=1)},
    )
    report = check(root)
    (f,) = consumer_only(report)
    assert f.rule == "consumer-field-removed" and f.severity is Severity.ERROR
    assert (f.subject, f.version, f.path, f.previous_version) == (
        SUBJECT,
        2,
        "/consumers/ingest/battery_mv",
        1,
    )
    assert f.file is not None and f.file.endswith("consumers/ingest.toml")
    assert f.line == line_of(root, "ingest", '"battery_mv"')
    assert "consumer ingest (owner data-team)" in f.message
    assert "v1 -> v2 (pending) removes battery_mv" in f.message
    assert "the default null" in f.message
    assert not report.ok


def test_removing_a_record_on_the_path_removes_the_nested_field(tmp_path: Path) -> None:
    root = build(
        tmp_path,
        [reading(), reading(drop=("header",))],
        {"ingest": consumer_toml(["header.device_id"], version=1)},
    )
    (f,) = consumer_only(check(root))
    assert f.rule == "consumer-field-removed" and "removes header" in f.message
    assert "decoding fails" in f.message  # header had no default


def test_a_rename_without_an_alias_is_reported_as_renamed(tmp_path: Path) -> None:
    renamed = {
        "name": "battery_millivolts",
        "type": ["null", "int"],
        "default": None,
        "doc": "Battery voltage in millivolts.",
    }
    root = build(
        tmp_path,
        [reading(), reading(drop=("battery_mv",), battery_millivolts=renamed)],
        {"ingest": consumer_toml(["battery_mv"], version=1)},
    )
    (f,) = consumer_only(check(root))
    assert f.rule == "consumer-field-renamed" and f.severity is Severity.ERROR
    assert f.version == 2 and f.path == "/consumers/ingest/battery_mv"
    assert "adds 'battery_millivolts' of the same type without an alias" in f.message
    assert f.message.endswith("renamed?")
    assert '"aliases": ["battery_mv"]' in f.hint


def test_a_rename_through_an_alias_is_followed_by_readers_of_the_new_version(
    tmp_path: Path,
) -> None:
    renamed = {
        "name": "battery_millivolts",
        "type": ["null", "int"],
        "default": None,
        "aliases": ["battery_mv"],
        "doc": "Battery voltage in millivolts.",
    }
    versions = [reading(), reading(drop=("battery_mv",), battery_millivolts=renamed)]
    latest = build(tmp_path / "latest", versions, {"ingest": consumer_toml(["battery_mv"])})
    assert consumer_only(check(latest)) == []
    # A reader still decoding into v1 does not know the alias: v2 data hands it the default.
    old = build(tmp_path / "old", versions, {"ingest": consumer_toml(["battery_mv"], version=1)})
    (f,) = consumer_only(check(old))
    assert f.rule == "consumer-field-defaulted" and f.version == 2
    assert "v2 has it as 'battery_millivolts' (an alias of the old name)" in f.message
    assert f.hint == "decode into v2 or later"


def test_a_changed_unit_changes_the_meaning(tmp_path: Path) -> None:
    in_millivolts = {"name": "value", "type": "double", "doc": "Measured value in millivolts."}
    root = build(
        tmp_path,
        [reading(), reading(value=in_millivolts)],
        {"ingest": consumer_toml(["value"], version=1)},
    )
    (f,) = consumer_only(check(root))
    assert f.rule == "consumer-field-meaning-changed" and f.severity is Severity.ERROR
    assert (f.version, f.path) == (2, "/consumers/ingest/value")
    assert "the unit of value changed from volts to millivolts" in f.message


def test_a_unit_property_counts_as_the_unit(tmp_path: Path) -> None:
    def value(unit: str) -> dict[str, Any]:
        return {"name": "value", "type": "double", "doc": "Measured value.", "unit": unit}

    root = build(
        tmp_path,
        [reading(value=value("V")), reading(value=value("mV"))],
        {"ingest": consumer_toml(["value"])},
    )
    (f,) = consumer_only(check(root))
    assert "from V to mV" in f.message


def test_a_changed_logical_type_changes_the_meaning_of_a_nested_field(tmp_path: Path) -> None:
    micros = {"type": "long", "logicalType": "timestamp-micros"}
    changed = {"name": "header", "type": header(sent_at=micros), "doc": "Envelope."}
    root = build(
        tmp_path,
        [reading(), reading(header=changed)],
        {"ingest": consumer_toml(["header.device_id", "header.sent_at"], version=1)},
    )
    (f,) = consumer_only(check(root))
    assert (
        f.rule == "consumer-field-meaning-changed" and f.path == "/consumers/ingest/header.sent_at"
    )
    assert "logical type changed from timestamp-millis to timestamp-micros" in f.message
    assert f.line == line_of(root, "ingest", '"header.sent_at"')


def test_a_changed_decimal_scale_changes_the_meaning(tmp_path: Path) -> None:
    scale3 = {
        "name": "amount",
        "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 3},
        "doc": "Energy billed.",
    }
    root = build(
        tmp_path,
        [reading(), reading(amount=scale3)],
        {"ingest": consumer_toml(["amount", "value"], version=1)},
    )
    (f,) = consumer_only(check(root))
    assert f.rule == "consumer-field-meaning-changed" and f.path == "/consumers/ingest/amount"
    assert "precision 10 scale 2 to precision 10 scale 3" in f.message


def test_a_changed_type_inside_an_array_changes_the_meaning(tmp_path: Path) -> None:
    samples = copy.deepcopy(reading()["fields"][4])
    samples["type"]["items"]["fields"][0]["type"] = "string"
    root = build(
        tmp_path,
        [reading(), reading(samples=samples)],
        {"ingest": consumer_toml(["samples.level"], version=1)},
    )
    (f,) = consumer_only(check(root))
    assert f.rule == "consumer-field-meaning-changed" and "changed from int to string" in f.message


def test_released_versions_are_not_compared_again(tmp_path: Path) -> None:
    """Only pending versions are held to the consumer: a released unit change is history."""
    in_millivolts = {"name": "value", "type": "double", "doc": "Measured value in millivolts."}
    versions = [reading(), reading(value=in_millivolts)]
    root = build(tmp_path, versions, {}, compatibility="BACKWARD_TRANSITIVE")
    result = CliRunner().invoke(main, ["lock", "--catalog", str(root)])
    assert result.exit_code == 0, result.output
    assert set(load_catalog(root).lock.released(SUBJECT)) == {1, 2}
    (root / "consumers" / "ingest.toml").write_text(consumer_toml(["value"]), encoding="utf-8")
    report = check(root)
    assert report.consumers[SUBJECT] and consumer_only(report) == []


# -- defaults handed out ----------------------------------------------------------------------


def test_a_field_defaulted_only_in_some_writer_versions_names_exactly_those(
    tmp_path: Path,
) -> None:
    versions = [reading(drop=("battery_mv",)), reading(), reading()]
    root = build(tmp_path, versions, {"ingest": consumer_toml(["value", "battery_mv"], version=3)})
    (f,) = consumer_only(check(root))
    assert f.rule == "consumer-field-defaulted" and f.severity is Severity.WARNING
    assert (f.version, f.path, f.previous_version) == (1, "/consumers/ingest/battery_mv", 3)
    assert "v1 does not write battery_mv" in f.message
    assert "every v1 record hands it the default null instead of data" in f.message
    assert "defaults_handled" in f.hint


def test_defaults_handled_silences_the_warning_but_not_a_removal(tmp_path: Path) -> None:
    versions = [reading(drop=("battery_mv",)), reading(), reading(drop=("battery_mv",))]
    handled = consumer_toml(["battery_mv"], version=2, handled=["battery_mv"])
    (f,) = consumer_only(check(build(tmp_path, versions, {"ingest": handled})))
    assert f.rule == "consumer-field-removed" and f.version == 3


def test_a_writer_lacking_a_field_the_reader_has_no_default_for_fails(tmp_path: Path) -> None:
    required = {"name": "battery_mv", "type": "int", "doc": "Battery voltage in millivolts."}
    versions = [reading(drop=("battery_mv",)), reading(battery_mv=required)]
    root = build(tmp_path, versions, {"ingest": consumer_toml(["battery_mv"])})
    (f,) = consumer_only(check(root))
    assert f.rule == "consumer-field-missing" and f.severity is Severity.ERROR
    assert f.version == 1 and "has no default, so decoding v1 data fails" in f.message


def test_a_newer_writer_a_reader_of_an_old_version_receives(tmp_path: Path) -> None:
    """Writers newer than the reader count too: a reader of v1 gets v2's data."""
    versions = [reading(), reading(drop=("battery_mv",))]
    root = build(tmp_path, versions, {"ingest": consumer_toml(["battery_mv"], version=1)})
    rules = [f.rule for f in consumer_only(check(root))]
    assert rules == ["consumer-field-removed"]  # reported once, as the removal it is


# -- what the consumer names ------------------------------------------------------------------


def test_an_unknown_subject_an_unknown_version_and_unknown_paths(tmp_path: Path) -> None:
    root = build(
        tmp_path,
        [reading(drop=("battery_mv",)), reading()],
        {
            "a": consumer_toml(["value"], contract="nope", service="a"),
            "b": consumer_toml(["value"], version=7, service="b"),
            "c": consumer_toml(["value"], major=2, service="c"),
            "d": consumer_toml(["valu", "header.device"], service="d"),
            "e": consumer_toml(["battery_mv"], version=1, service="e"),
            "f": consumer_toml(["value"], contract=SUBJECT, service="f"),
        },
    )
    found = {
        (f.file.rsplit("/", 1)[-1] if f.file else "", f.rule) for f in consumer_only(check(root))
    }
    assert found == {
        ("a.toml", "consumer-unknown-subject"),
        ("b.toml", "consumer-version-unknown"),
        ("c.toml", "consumer-version-unknown"),
        ("d.toml", "consumer-field-missing"),
        ("e.toml", "consumer-field-missing"),
    }
    report = check(root)
    (unknown,) = [f for f in with_rule(report, "consumer-unknown-subject")]
    assert "'nope'" in unknown.message and "contracts: reading" in unknown.message
    assert unknown.line == line_of(root, "a", "contract =")
    typos = sorted(
        (
            f
            for f in with_rule(report, "consumer-field-missing")
            if (f.path or "").startswith("/consumers/d/")
        ),
        key=lambda f: f.path or "",
    )
    assert [f.path for f in typos] == ["/consumers/d/header.device", "/consumers/d/valu"]
    assert all("a typo?" in f.message for f in typos)
    assert "no field header.device" in typos[0].message
    (older,) = [
        f
        for f in with_rule(report, "consumer-field-missing")
        if f.path == "/consumers/e/battery_mv"
    ]
    assert "v1 of fleet.reading-value" in older.message and "v2 has it" in older.message
    (version,) = [f for f in with_rule(report, "consumer-version-unknown") if "v7" in f.message]
    assert version.line == line_of(root, "b", "version =")


def test_malformed_consumer_files_are_findings_with_file_and_line(tmp_path: Path) -> None:
    files = {
        "toml": 'owner = "x"\n[[reads]\n',
        "owner": '[[reads]]\ncontract = "reading"\nfields = ["value"]\n',
        "path": 'owner = "x"\n\n[[reads]]\ncontract = "reading"\nfields = [\n  "value",\n'
        '  "header..device_id",\n]\n',
        "key": 'owner = "x"\n[[reads]]\ncontract = "reading"\nfields = ["value"]\nverison = 2\n',
        "both": 'owner = "x"\n[[reads]]\ncontract = "reading"\nversion = 1\nmajor = 1\n'
        'fields = ["value"]\n',
        "handled": 'owner = "x"\n[[reads]]\ncontract = "reading"\nfields = ["value"]\n'
        'defaults_handled = ["battery_mv"]\n',
        "version": 'owner = "x"\n[[reads]]\ncontract = "reading"\nversion = "2"\n'
        'fields = ["value"]\n',
        "reads": 'owner = "x"\n',
    }
    root = build(tmp_path, [reading()], files)
    (tmp_path / "catalog" / "consumers" / "notes.txt").write_text("hi", encoding="utf-8")
    catalog = load_catalog(root)
    assert catalog.consumers == ()
    report = check_catalog(catalog)
    found = {
        (f.file.rsplit("/", 1)[-1] if f.file else "", f.line): f.message
        for f in with_rule(report, "consumer-invalid")
    }
    assert set(found) == {
        ("toml.toml", 2),
        ("owner.toml", 1),
        ("path.toml", 7),
        ("key.toml", 5),
        ("both.toml", 5),
        ("handled.toml", 5),
        ("version.toml", 4),
        ("reads.toml", 1),
        ("notes.txt", None),
    }
    assert found[("toml.toml", 2)].startswith("not valid TOML")
    assert "owner is missing" in found[("owner.toml", 1)]
    assert "'header..device_id' in fields is not a field path" in found[("path.toml", 7)]
    assert "unknown key 'verison'" in found[("key.toml", 5)]
    assert "not both" in found[("both.toml", 5)]
    assert "which fields does not list" in found[("handled.toml", 5)]
    assert "version must be a whole number" in found[("version.toml", 4)]
    assert "reads is missing" in found[("reads.toml", 1)]
    assert all(f.severity is Severity.ERROR for f in with_rule(report, "consumer-invalid"))


def test_a_service_declared_twice_is_refused(tmp_path: Path) -> None:
    root = build(
        tmp_path,
        [reading()],
        {"a": consumer_toml(["value"], service="x"), "b": consumer_toml(["value"], service="x")},
    )
    catalog = load_catalog(root)
    assert [c.name for c in catalog.consumers] == ["a"]
    (f,) = with_rule(check_catalog(catalog), "consumer-invalid")
    assert "declared twice" in f.message and f.file and f.file.endswith("b.toml")


def test_the_service_defaults_to_the_file_stem(tmp_path: Path) -> None:
    root = build(tmp_path, [reading()], {"billing-export": consumer_toml(["value"], service=None)})
    (consumer,) = load_catalog(root).consumers
    assert consumer.service == "billing-export"


def test_the_cli_reports_a_bad_consumer_file_without_a_traceback(tmp_path: Path) -> None:
    root = build(tmp_path, [reading()], {"bad": 'owner = 3\n[[reads]]\ncontract = "reading"\n'})
    result = CliRunner().invoke(main, ["check", "--catalog", str(root)])
    assert result.exit_code == ExitCode.FINDINGS
    assert "Traceback" not in result.output
    assert "bad.toml:1: error [consumer-invalid]" in result.output
    assert "owner must be a non-empty string" in result.output


def test_a_contract_named_consumers_is_still_a_contract(tmp_path: Path) -> None:
    """A catalog that declares a message folder called consumers/ keeps it as one."""
    root = make_catalog(tmp_path / "c", message_toml("consumers"), {"consumers": [reading()]})
    catalog = load_catalog(root)
    assert catalog.consumers == () and catalog.problems == []


# -- waivers ------------------------------------------------------------------------------------


def test_a_consumer_finding_is_waivable(tmp_path: Path) -> None:
    waiver = (
        "[[waiver]]\n"
        'rule = "consumer-field-removed"\n'
        f'subject = "{SUBJECT}"\n'
        "version = 2\n"
        'path = "/consumers/ingest/battery_mv"\n'
        'reason = "ingest stops reading battery_mv in the same release"\n'
        'approved_by = "data-team"\n'
        'ticket = "DATA-7"\n'
        "expires = 2999-01-01\n"
    )
    versions = [reading(), reading(drop=("battery_mv",))]
    consumers = {
        "ingest": consumer_toml(["battery_mv"], version=1),
        "other": consumer_toml(["battery_mv"], version=1, service="other"),
    }
    report = check(build(tmp_path, versions, consumers, extra={"waivers.toml": waiver}))
    (waived,) = report.waived
    assert waived.finding.rule == "consumer-field-removed"
    assert waived.finding.path == "/consumers/ingest/battery_mv"
    # The waiver names one consumer: the other's finding still fails the check.
    (kept,) = consumer_only(report)
    assert kept.path == "/consumers/other/battery_mv" and not report.ok


# -- compatibility groups -----------------------------------------------------------------------


def test_under_a_group_only_the_readers_major_is_received(tmp_path: Path) -> None:
    versions = [reading(), reading(drop=("battery_mv",))]
    root = build(tmp_path, versions, {"ingest": consumer_toml(["battery_mv"], major=1)})
    (root / "reading" / "contract.toml").write_text(
        'compatibility_group = "major_version"\n[versions.2]\nmajor = 2\n'
        "[[migrations]]\n"
        'name = "up"\nversion = 2\nmode = "UPDOWN"\nexpr = "$"\n',
        encoding="utf-8",
    )
    report = check(root)
    assert consumer_only(report) == []
    (reader,) = report.consumers[SUBJECT]
    assert (reader.declared, reader.version) == ("major 1", 1)


# -- units ----------------------------------------------------------------------------------


def test_field_unit_reads_the_property_then_the_doc() -> None:
    schema = parse_schema(
        {
            "type": "record",
            "name": "R",
            "fields": [
                {"name": "a", "type": "int", "unit": "mV", "doc": "in volts"},
                {"name": "b", "type": "int", "doc": "Uptime in whole seconds."},
                {"name": "c", "type": "int"},
            ],
        }
    )
    root = schema.root
    assert isinstance(root, Record)
    assert [field_unit(f) for f in root.fields] == ["mV", "seconds", ""]


# -- property: any field of a lone version is delivered -------------------------------------


def _paths(t: AvroType, prefix: str, depth: int, out: list[str], seen: set[int]) -> None:
    if depth == 0:
        return
    if isinstance(t, Union):
        for b in t.branches:
            _paths(b, prefix, depth, out, seen)
    elif isinstance(t, Array):
        _paths(t.items, prefix, depth, out, seen)
    elif isinstance(t, Map):
        _paths(t.values, prefix, depth, out, seen)
    elif isinstance(t, Record) and id(t) not in seen:
        seen = seen | {id(t)}
        for f in t.fields:
            path = f"{prefix}{f.name}"
            out.append(path)
            _paths(f.type, path + ".", depth - 1, out, seen)


def _lone_version_catalog(schema: Any, fields: tuple[str, ...]) -> Catalog:
    parsed = parse_schema(schema)
    contract = Contract(
        "m",
        ContractKind.MESSAGE,
        Path("m"),
        CompatibilityLevel.BACKWARD_TRANSITIVE,
        level_declared=False,
        topic="t",
    )
    contract.versions = [
        SchemaVersion("m", 1, Path("m/v1.avsc"), "m/v1.avsc", json.dumps(schema), schema=parsed)
    ]
    consumer = Consumer("svc", "svc", "o", "consumers/svc.toml", (ConsumerRead("m", fields),))
    return Catalog(
        Path("."), {"m": contract}, read_lock(Path("no-lock.json")), consumers=(consumer,)
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(avro_schemas())
def test_every_field_path_of_a_lone_version_is_delivered(schema: Any) -> None:
    """For any schema and any field path in it, a consumer reading that path from a subject
    with that one version has nothing to report."""
    parsed = parse_schema(schema)
    paths: list[str] = []
    _paths(parsed.root, "", 4, paths, set())
    if not paths:
        return
    catalog = _lone_version_catalog(schema, tuple(dict.fromkeys(paths)))
    assert list(consumer_findings(catalog)) == []


# -- the docs site ---------------------------------------------------------------------------


def test_the_docs_site_lists_each_contracts_consumers(tmp_path: Path) -> None:
    from devicecontracts.docs.site import build_site

    build_site(load_catalog(BUNDLED), tmp_path / "site")
    page = (tmp_path / "site" / "contracts" / "telemetry.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="consumers"') :]
    section = section[: section.index("</section>")]
    assert "<th scope=row>telemetry-ingest</th><td>fleet-data</td><td>v3</td>" in section
    assert "<code>header.device_id</code>" in section and "<code>battery_mv</code>" in section
    heartbeat = (tmp_path / "site" / "contracts" / "heartbeat.html").read_text(encoding="utf-8")
    assert "<th scope=row>liveness-monitor</th><td>fleet-platform</td><td>major 1 (v2)</td>" in (
        heartbeat
    )
    # A contract nobody declares a read of has no consumers section.
    command = (tmp_path / "site" / "contracts" / "command.html").read_text(encoding="utf-8")
    assert 'id="consumers"' not in command


def test_the_readme_consumer_example_reads_and_checks_clean(tmp_path: Path) -> None:
    readme = (BUNDLED.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("# schemas/consumers/telemetry-ingest.toml\n")
    example = readme[start : readme.index("```", start)]
    root = copy_bundled(tmp_path / "schemas")
    (root / "consumers" / "telemetry-ingest.toml").write_text(example, encoding="utf-8")
    catalog = load_catalog(root)
    assert not [p for p in catalog.problems if p.rule == "consumer-invalid"]
    (read,) = next(c for c in catalog.consumers if c.service == "telemetry-ingest").reads
    assert read.version == 3 and "readings.unit" in read.fields
    assert consumer_only(check_catalog(catalog)) == []


def test_a_new_majors_deliberate_break_is_not_held_to_its_own_readers(tmp_path: Path) -> None:
    """A reader of major 2 is not told that v2 changed a unit relative to major 1: the break is
    deliberate and the migrations bridge it. A reader of major 1 never receives v2."""
    in_millivolts = {"name": "value", "type": "double", "doc": "Measured value in millivolts."}
    versions = [reading(), reading(value=in_millivolts)]
    consumers = {
        "new": consumer_toml(["value"], version=2, service="new"),
        "old": consumer_toml(["value"], version=1, service="old"),
    }
    root = build(tmp_path, versions, consumers)
    assert [f.rule for f in consumer_only(check(root))] == ["consumer-field-meaning-changed"] * 2
    (root / "reading" / "contract.toml").write_text(
        'compatibility_group = "major_version"\n[versions.2]\nmajor = 2\n'
        "[[migrations]]\n"
        'name = "up"\nversion = 2\nmode = "UPDOWN"\nexpr = "$"\n',
        encoding="utf-8",
    )
    assert consumer_only(check(root)) == []
